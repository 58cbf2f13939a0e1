package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/ingest"
	"github.com/followup-app/followup/store"
)

// daemonHooks let tests drive the daemon in-process: a fake clock and a
// callback after each round of work. nil in production.
type daemonHooks struct {
	clock     clockwork.Clock
	afterTick func(tickReport)
	started   func(*app)
	webAddr   func(string) // the web server's address, once it listens
}

const runUsage = "[--config FILE] [--db PATH]"

func cmdRun(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "run", runUsage)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	logger, err := newLogger(env.stderr, g.logLevel)
	if err != nil {
		return err
	}
	path := g.config
	if path == "" {
		path = env.getenv("FOLLOWUP_CONFIG")
	}
	if path == "" {
		def := config.Default()
		logger.Warn("no --config given: running on the built-in defaults", "component", "cli",
			"database", orDefault(g.db, def.Database), "mail_dir", def.Mail.Dir)
	}
	a, err := newApp(ctx, env, path, func() (*config.Config, error) { return loadConfig(env, g) }, logger)
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			// Ctrl-C while it was starting (importing, say): a normal stop.
			logger.Info("stopped before it was ready", "component", "cli")
			return nil
		}
		return err
	}
	return a.run(ctx)
}

func orDefault(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// prepare imports the config's documents (importing again changes
// nothing) and brings the tasks in line with the assignment rules. The
// daemon runs it at start and after each reload. Its PDF reader lives as
// long as the import: the daemon does not keep PDFium in memory between
// reloads.
func prepare(ctx context.Context, cfg *config.Config, db *store.DB, logger *slog.Logger, env *environment) error {
	pdf := pdfReader(env, logger)
	defer pdf.Close()
	var items []store.ImportItem
	for _, f := range cfg.Documents {
		// An export of the whole index takes a minute to import: it is
		// the admin's to import once, not the daemon's at every start.
		if isExport, err := ingest.IsUHRIFile(f); err == nil && isExport {
			return fmt.Errorf("documents: %s is a UHRI export: import it once with followup import, not at every start", f)
		}
		doc, err := ingest.ReadFileContext(ctx, f, ingest.Options{PDF: pdf})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("documents: %w", fileError(f, err))
		}
		items = append(items, store.ImportItem{Doc: doc, Source: f})
	}
	if err := syncRules(ctx, db, cfg, logger); err != nil {
		return err
	}
	if len(items) == 0 {
		return nil
	}
	if err := matchAddenda(ctx, nil, items); err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	if err := matchAddenda(ctx, db, items); err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	warnNoReport(cfg, items)
	// The self-check's warnings do not stop the daemon (the admin chose
	// these documents); they are logged each time it imports them.
	for _, it := range items {
		for _, w := range it.Doc.Warnings {
			logger.Warn("import warning", "component", "cli", "document", it.Doc.Symbol, "file", it.Source, "warning", w.String())
		}
	}
	results, err := db.ImportTagged(ctx, items, planner(cfg), tagger(cfg))
	if err != nil {
		var pm = store.ErrParentMissing
		if errors.Is(err, pm) {
			return fmt.Errorf("documents: %w (list the report before its addendum)", err)
		}
		return fmt.Errorf("documents: %w", err)
	}
	for _, r := range results {
		if !r.Unchanged() {
			logger.Info("document imported", "component", "cli", "symbol", r.Symbol, "added", len(r.Added), "changed", len(r.Changed))
		}
	}
	return nil
}

// parseAt reads --at (see civil.ParseInstant).
func parseAt(s string, loc *time.Location) (time.Time, error) {
	t, err := civil.ParseInstant(s, loc)
	if err != nil {
		return t, fmt.Errorf("--at %w", err)
	}
	return t, nil
}
