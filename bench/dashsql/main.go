// Command dashsql times the coordinator dashboard's database work through
// the store, as the web server does it, and writes the SQL statements each
// part ran, with their arguments inlined, for the sqlite3 shell: bench/web.sh
// times the shell on the same statements, the floor the store is compared
// with (target: within 2×).
//
//	go run ./bench/dashsql --config FILE [--db PATH] --at TIME --out DIR [--ministry ID] [--cpuprofile FILE]
//
// For each part it prints "NAME MEDIAN_MS ROWS" on stdout (the median of
// five runs) and writes DIR/NAME.sql. The parts: the overview the
// dashboard caches (countdown, progress by owner and stage, overdue and
// unassigned lists, the week's changes, the overdue groups), the task
// list's first page unfiltered, for one ministry, for the overdue tasks
// and for a word, the recent updates, the counts /metrics reads, and a
// ministry's page (--ministry) as a request that misses its cache does it:
// its groups counted, then the first page of each list.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/internal/sqlshell"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/web"
)

func main() {
	cfgPath := flag.String("config", "", "the followup config `file`")
	dbPath := flag.String("db", "", "the database `path`, instead of the config's")
	at := flag.String("at", "", "the dashboard's `time`: RFC 3339, \"2006-01-02 15:04\" in the config's zone, or a date (its end)")
	out := flag.String("out", "", "the `folder` to write NAME.sql files into")
	ministry := flag.String("ministry", "", "the ministry `id` whose page to time (default: the config's second)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the runs to `file`")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "dashsql:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*cfgPath, *dbPath, *at, *out, *ministry); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "dashsql:", err)
		os.Exit(1)
	}
}

func run(cfgPath, dbPath, at, out, ministry string) error {
	if cfgPath == "" || at == "" || out == "" {
		return fmt.Errorf("--config, --at and --out are required")
	}
	cfg, err := config.Load(cfgPath, config.LoadOptions{Getenv: os.Getenv})
	if err != nil {
		return err
	}
	if dbPath != "" {
		cfg.Database = dbPath
	}
	when, err := civil.ParseInstant(at, cfg.Location)
	if err != nil {
		return fmt.Errorf("--at %w", err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, cfg.Database, store.Options{MustExist: true, Location: cfg.Location, Now: func() time.Time { return when }})
	if err != nil {
		return err
	}
	defer db.Close()

	var groups []store.GroupSel
	overview := func() (int, error) {
		var ov *plan.Overview
		err := db.Read(ctx, func(r plan.Reader) error {
			var err error
			if ov, err = plan.NewOverview(ctx, cfg, r, when, time.Time{}); err != nil {
				return err
			}
			groups = groups[:0]
			for _, g := range ov.OverdueGroups {
				groups = append(groups, store.GroupSel{Document: g.Document, Stage: g.Stage, Paragraphs: g.Paragraphs, Except: g.Except})
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
		return ov.OpenTasks, nil
	}
	list := func(q store.TaskQuery) func() (int, error) {
		return func() (int, error) {
			if q.InGroups {
				q.Groups = groups
			}
			p, err := db.TaskList(ctx, q)
			return p.Total, err
		}
	}
	owner := ""
	if len(cfg.Ministries) > 1 {
		owner = cfg.Ministries[1].ID
	}
	if ministry == "" {
		ministry = owner
	}
	parts := []struct {
		name string
		fn   func() (int, error)
	}{
		{"overview", overview},
		{"list", list(store.TaskQuery{Limit: 50})},
		{"list-ministry", list(store.TaskQuery{Owner: owner, Limit: 50})},
		{"list-overdue", list(store.TaskQuery{InGroups: true, Limit: 50})},
		{"list-words", list(store.TaskQuery{Text: "children", Limit: 50})},
		{"recent-updates", func() (int, error) { u, err := db.RecentUpdates(ctx, 10); return len(u), err }},
		{"metrics-counts", func() (int, error) { c, err := db.StageCounts(ctx); return len(c), err }},
		// The ministry's page as a request that misses its cache does it.
		{"ministry-page", func() (int, error) { return web.MinistryPageWork(ctx, db, cfg, ministry, when) }},
	}
	for _, p := range parts {
		var times []time.Duration
		var stmts []string
		var rows int
		for i := 0; i < 5; i++ {
			stmts = stmts[:0]
			db.TraceSQL(func(q string, args []any) {
				stmts = append(stmts, sqlshell.Inline(strings.Join(strings.Fields(q), " "), args)+";")
			})
			start := time.Now()
			n, err := p.fn()
			times = append(times, time.Since(start))
			db.TraceSQL(nil)
			if err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			rows = n
		}
		slices.Sort(times)
		f := ".output /dev/null\n.timer on\n" + strings.Join(stmts, "\n") + "\n"
		if err := os.WriteFile(filepath.Join(out, p.name+".sql"), []byte(f), 0o644); err != nil {
			return err
		}
		fmt.Printf("%s %.2f %d %d\n", p.name, float64(times[2].Microseconds())/1000, rows, len(stmts))
	}
	return nil
}
