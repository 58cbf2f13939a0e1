// Command sweepsql prints the SQL statements the reminders job runs at a
// given time, as `followup preview --at` runs it (a dry run: a transaction
// rolled back at the end), with their arguments inlined, ready for the
// sqlite3 shell: bench/run.sh times the shell running them, the floor
// that preview is compared with.
//
//	go run ./bench/sweepsql --config FILE [--db PATH] --at TIME > sweep.sql
//	sqlite3 DB < sweep.sql
//
// It runs the planner itself with the store's statement trace on
// (store.DB.TraceSQL), so what it prints is what the sweep ran: finding
// the open task groups, loading the day's fires, counting the due tasks,
// listing the first ones, reading their texts. The statements that
// enqueue the composed messages are left out (counted on stderr): the
// shell would spend its time parsing megabytes of hex literals, which is
// not SQLite's share of the sweep, and leaving them out only makes the
// floor lower, the comparison harder for preview.
// The shell prints only the counting statement's rows (owner, channel,
// and "rank tasks" pairs); on stderr sweepsql says how many statements there are and
// how many tasks the messages are about, which bench/run.sh checks against
// preview and against the shell's rows.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/internal/sqlshell"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
)

func main() {
	cfgPath := flag.String("config", "", "the followup config `file`")
	dbPath := flag.String("db", "", "the database `path`, instead of the config's")
	at := flag.String("at", "", "the sweep's `time`: RFC 3339, \"2006-01-02 15:04\" in the config's zone, or a date (its end)")
	flag.Parse()
	if err := run(*cfgPath, *dbPath, *at); err != nil {
		fmt.Fprintln(os.Stderr, "sweepsql:", err)
		os.Exit(1)
	}
}

// countsPrefix starts the statement that counts the due tasks: the only
// one whose rows the shell prints.
const countsPrefix = "SELECT owner, esc, group_concat(prim"

func run(cfgPath, dbPath, at string) error {
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
	db, err := store.Open(ctx, cfg.Database, store.Options{MustExist: true, Location: cfg.Location, Now: func() time.Time { return when }})
	if err != nil {
		return err
	}
	defer db.Close()
	renderer, err := notify.NewRenderer(cfg.Mail.Templates, cfg.Location)
	if err != nil {
		return err
	}
	var stmts []string
	counted := false
	enqueues := 0
	db.TraceSQL(func(q string, args []any) {
		q = strings.Join(strings.Fields(q), " ")
		if strings.HasPrefix(q, "INSERT INTO outbox") || strings.HasPrefix(q, "SELECT id FROM outbox WHERE key") {
			enqueues++
			return
		}
		line := sqlshell.Inline(q, args) + ";"
		if strings.HasPrefix(line, countsPrefix) {
			counted = true
			line = ".output\n" + line + "\n.output /dev/null"
		}
		stmts = append(stmts, line)
	})
	p := &plan.Planner{Config: cfg, Renderer: renderer, Now: func() time.Time { return when }}
	var msgs []plan.Message
	err = db.RunSlot(ctx, plan.JobReminders, when, true, func(tx *store.SlotTx) error {
		var err error
		msgs, err = p.Run(ctx, tx, plan.JobReminders, when)
		return err
	})
	db.TraceSQL(nil)
	if err != nil {
		return err
	}
	if !counted && len(msgs) > 0 {
		return fmt.Errorf("the sweep's counting statement (%q…) was not seen: sweepsql needs updating", countsPrefix)
	}
	w := os.Stdout
	fmt.Fprintln(w, ".output /dev/null")
	fmt.Fprintln(w, "BEGIN IMMEDIATE;")
	for _, s := range stmts {
		fmt.Fprintln(w, s)
	}
	fmt.Fprintln(w, "ROLLBACK;")
	fmt.Fprintln(w, ".output")
	tasks := 0
	for _, m := range msgs {
		tasks += m.Tasks
	}
	fmt.Fprintf(os.Stderr, "sweepsql: %d statements, %d messages, %d tasks (%d statements enqueueing the messages left out)\n",
		len(stmts), len(msgs), tasks, enqueues)
	return nil
}
