package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/ingest"
	"github.com/followup-app/followup/scheduler"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/web"
)

// daemonHooks let tests drive the daemon in-process: a fake clock and a
// callback after each heartbeat. nil in production.
type daemonHooks struct {
	clock     clockwork.Clock
	afterTick func(scheduler.TickReport)
	started   func(*scheduler.Daemon)
	webAddr   func(string) // the web server's address, once it listens
}

func cmdRun(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "run", "[--config FILE] [--db PATH]")
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
	// The web server, once started: a reloaded config reaches it too.
	var webSrv atomic.Pointer[web.Server]
	opts := scheduler.Options{
		ConfigPath: path,
		LoadConfig: func() (*config.Config, error) { return loadConfig(env, g) },
		Prepare: func(ctx context.Context, cfg *config.Config, db *store.DB) error {
			if err := prepare(ctx, cfg, db, logger); err != nil {
				return err
			}
			if srv := webSrv.Load(); srv != nil {
				srv.SetConfig(cfg)
			}
			return nil
		},
		Rules: func(ctx context.Context, cfg *config.Config, db *store.DB) error {
			// A read of one row when nothing changed.
			if pending, err := rulesPending(ctx, db, cfg); err != nil || !pending {
				return err
			}
			return syncRules(ctx, db, cfg, logger)
		},
		Logger: logger,
		Reload: env.reload,
	}
	if listen := env.getenv("FOLLOWUP_WEB_LISTEN"); listen != config.WebOff {
		// Messages carry links once the web server runs; the heartbeats
		// start after it does.
		opts.Links = webLinks{&webSrv}
	}
	// Every heartbeat reaches the web server's /metrics (planning time,
	// outcome), and the tests' hook when set.
	var testTick func(scheduler.TickReport)
	if h := env.daemonHooks; h != nil {
		opts.Clock, testTick = h.clock, h.afterTick
	}
	opts.AfterTick = func(r scheduler.TickReport) {
		if srv := webSrv.Load(); srv != nil {
			srv.ObserveTick(r)
		}
		if testTick != nil {
			testTick(r)
		}
	}
	d, err := scheduler.New(ctx, opts)
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			// Ctrl-C while it was starting (importing, say): a normal stop.
			logger.Info("stopped before it was ready", "component", "cli")
			return nil
		}
		return err
	}
	srv, err := startWeb(d, env, logger)
	if err != nil {
		if cerr := d.Close(); cerr != nil {
			logger.Error("close the database", "component", "cli", "err", cerr)
		}
		return err
	}
	webSrv.Store(srv)
	if h := env.daemonHooks; h != nil && h.webAddr != nil && srv != nil {
		if addr, err := srv.Listen(); err == nil {
			h.webAddr(addr.String())
		}
	}
	if h := env.daemonHooks; h != nil && h.started != nil {
		h.started(d)
	}
	if srv == nil {
		return d.Run(ctx)
	}
	// The web server stops first, so that no page is half-way through
	// the database when the daemon closes it; a web server that fails
	// stops the daemon (a daemon whose links do not open is broken).
	daemonCtx, stopDaemon := context.WithCancel(context.WithoutCancel(ctx))
	defer stopDaemon()
	webCtx, stopWeb := context.WithCancel(ctx)
	defer stopWeb()
	webErr := make(chan error, 1)
	go func() {
		err := srv.Run(webCtx)
		stopDaemon()
		webErr <- err
	}()
	derr := d.Run(daemonCtx)
	stopWeb() // the daemon stopped on its own (an error): the pages go too
	if werr := <-webErr; werr != nil && derr == nil {
		return werr
	}
	return derr
}

// webLinks signs messages' links with the running web server's key.
type webLinks struct{ srv *atomic.Pointer[web.Server] }

func (l webLinks) SignedLink(body, email string, gen int64) string {
	if s := l.srv.Load(); s != nil {
		return s.SignedLink(body, email, gen)
	}
	return ""
}

// startWeb builds the web server on the daemon's config and database and
// opens its socket; nil when web.listen is off. FOLLOWUP_WEB_LISTEN
// overrides web.listen (tests use 127.0.0.1:0; in-process daemon tests
// never bind a fixed port).
func startWeb(d *scheduler.Daemon, env *environment, logger *slog.Logger) (*web.Server, error) {
	cfg := d.Config()
	listen := env.getenv("FOLLOWUP_WEB_LISTEN")
	if listen == "" && env.daemonHooks != nil {
		listen = "127.0.0.1:0"
	}
	if listen != "" {
		cp := *cfg
		cp.Web.Listen = listen
		cfg = &cp
	}
	if cfg.Web.Listen == config.WebOff {
		logger.Info("web server off (web.listen: off): links in e-mails will not open", "component", "cli")
		return nil, nil
	}
	srv, err := web.New(cfg, d.DB(), logger, d.Clock())
	if err != nil {
		return nil, err
	}
	if _, err := srv.Listen(); err != nil {
		return nil, err
	}
	return srv, nil
}

func orDefault(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// prepare imports the config's documents (importing again changes
// nothing) and brings the tasks in line with the assignment rules. The
// daemon runs it at start and after each reload.
func prepare(ctx context.Context, cfg *config.Config, db *store.DB, logger *slog.Logger) error {
	var items []store.ImportItem
	for _, f := range cfg.Documents {
		doc, err := ingest.ReadFileContext(ctx, f, ingest.Options{})
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
	results, err := db.Import(ctx, items, planner(cfg))
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
