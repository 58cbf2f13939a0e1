// Command sweepsql prints the SQL statements the reminders sweep runs at a
// given time to select the due tasks, with their arguments inlined, ready
// for the sqlite3 shell: bench/run.sh times the shell running them, the
// floor that `followup preview --at` is compared with.
//
//	go run ./bench/sweepsql --config FILE [--db PATH] --at TIME > sweep.sql
//	sqlite3 DB < sweep.sql > /dev/null
//
// It asks scheduler.Planner.SweepQueries for the sweep's own selections
// and prints store.TaskQuery.SweepSelection (what the sweep streams: ids
// and owners, no texts) for each due deadline, and again for its
// escalation. On stderr it says how many statements
// and, with --count, how many rows they select: the script checks that
// number against the tasks preview reports.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/scheduler"
	"github.com/followup-app/followup/store"
)

func main() {
	cfgPath := flag.String("config", "", "the followup config `file`")
	dbPath := flag.String("db", "", "the database `path`, instead of the config's")
	at := flag.String("at", "", "the sweep's `time`: RFC 3339, \"2006-01-02 15:04\" in the config's zone, or a date (its end)")
	count := flag.Bool("count", false, "also count the rows the statements select (on stderr)")
	flag.Parse()
	if err := run(*cfgPath, *dbPath, *at, *count); err != nil {
		fmt.Fprintln(os.Stderr, "sweepsql:", err)
		os.Exit(1)
	}
}

func run(cfgPath, dbPath, at string, count bool) error {
	if cfgPath == "" || at == "" {
		return fmt.Errorf("--config and --at are required")
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
	db, err := store.Open(ctx, cfg.Database, store.Options{MustExist: true, Location: cfg.Location})
	if err != nil {
		return err
	}
	defer db.Close()
	// The sweep's own list of selections, from the planner itself.
	var queries []store.TaskQuery
	p := &scheduler.Planner{Config: cfg, Now: func() time.Time { return when }}
	err = db.RunSlot(ctx, "bench-sweepsql", when, true, func(tx *store.SlotTx) error {
		var err error
		queries, err = p.SweepQueries(ctx, tx, when)
		return err
	})
	if err != nil {
		return err
	}
	w := os.Stdout
	for _, q := range queries {
		sql, args := q.SweepSelection()
		fmt.Fprintln(w, inline(strings.Join(strings.Fields(sql), " "), args)+";")
	}
	rows := 0
	if count {
		// The same statements through the store, in a transaction rolled
		// back at once, as the sweep runs them.
		err := db.RunSlot(ctx, "bench-sweepsql", when, true, func(tx *store.SlotTx) error {
			for _, q := range queries {
				if err := tx.SweepTasks(ctx, q, func(int64, string) error { rows++; return nil }); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "sweepsql: %d statements", len(queries))
	if count {
		fmt.Fprintf(os.Stderr, ", %d rows", rows)
	}
	fmt.Fprintln(os.Stderr)
	return nil
}

func inline(sql string, args []any) string {
	var b strings.Builder
	i := 0
	inString := false
	for _, c := range sql {
		switch {
		case c == '\'':
			inString = !inString
		case c == '?' && !inString && i < len(args):
			b.WriteString(literal(args[i]))
			i++
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func literal(v any) string {
	switch x := v.(type) {
	case string:
		return "'" + strings.ReplaceAll(x, "'", "''") + "'"
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case nil:
		return "NULL"
	}
	return fmt.Sprintf("'%v'", v)
}
