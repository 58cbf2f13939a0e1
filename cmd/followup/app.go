package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/delivery"
	"github.com/followup-app/followup/internal/cmem"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/scheduler"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/web"
)

// app is `followup run`: the database, the daemon (its heartbeat, the
// due slots and delivery), the web server and the config reload, built
// here and nowhere else, as WTF Dial's Main builds its application. Each
// part takes what it needs as arguments; only this file knows them all.
type app struct {
	env        *environment
	logger     *slog.Logger
	clock      clockwork.Clock
	configPath string // "" for the built-in defaults (nothing to watch)
	load       func() (*config.Config, error)

	db      *store.DB   // holds the database's lock until closed
	web     *web.Server // nil when web.listen is off
	courier *delivery.Courier
	beat    *scheduler.Heartbeat
	rt      atomic.Pointer[runtime]

	// mu serialises reloads and the planning half of a round: a round
	// never plans on a config half put in force.
	mu        sync.Mutex
	seenHash  [32]byte  // a changed config file, as last seen: loaded once it stays the same for a heartbeat
	heldHash  [32]byte  // a config file whose reload is held until the admin confirms it (configdiff.go)
	nextPurge time.Time // when old web sessions are next deleted (the round's goroutine only)

	afterTick func(tickReport) // tests
}

// runtime is everything built from one config; a reload builds a new one
// and puts it in force only when all of it succeeded.
type runtime struct {
	cfg       *config.Config
	planner   *plan.Planner
	transport notify.Transport
	hash      [32]byte // of the config file, to notice edits
	text      []byte   // the config file, to compare an edit with (configDiff)
}

// tickReport says what one round of the daemon's work did.
type tickReport struct {
	At        time.Time
	Planned   []plan.Message
	Delivered int // messages sent
	Err       error
	// Took is how long planning (the sweep and the digests) took, on the
	// real clock: it is the work's cost, which a fake clock cannot show
	// (/metrics reports it).
	Took time.Duration
}

// newApp loads the config, takes the database's lock, opens it, recovers
// from a crash, imports the config's documents and builds the web server
// (listening already, so that an address in use is reported now) and the
// heartbeat. run starts them; close undoes what run will not.
func newApp(ctx context.Context, env *environment, configPath string, load func() (*config.Config, error), logger *slog.Logger) (*app, error) {
	a := &app{env: env, logger: logger, clock: clockwork.NewRealClock(), configPath: configPath, load: load}
	if h := env.daemonHooks; h != nil {
		if h.clock != nil {
			a.clock = h.clock
		}
		a.afterTick = h.afterTick
	}
	stable, err := a.stableHash(false)
	if err != nil {
		return nil, err
	}
	cfg, text, hash, err := a.loadConfig(stable)
	if err != nil {
		return nil, err
	}
	// The lock comes first, before the schema is touched: recovery below
	// puts rows left in sending back in line, which is right only when no
	// other process is sending them. It is taken on the database file,
	// whatever path reaches it.
	db, err := store.Open(ctx, cfg.Database, store.Options{Now: a.clock.Now, Location: cfg.Location, Logger: logger, Lock: "followup run"})
	if err != nil {
		return nil, err
	}
	a.db = db
	if a.web, err = a.newWeb(cfg); err != nil {
		a.close()
		return nil, err
	}
	rt, err := a.build(cfg, text, hash)
	if err != nil {
		a.close()
		return nil, err
	}
	_, idempotent := rt.transport.(*notify.FileTransport)
	uncertain, pending, err := db.Recover(ctx, idempotent)
	if err != nil {
		a.close()
		return nil, fmt.Errorf("recover the outbox: %w", err)
	}
	if uncertain > 0 || pending > 0 {
		logger.Warn("recovered messages a stopped process was sending", "component", "daemon", "uncertain", uncertain, "requeued", pending)
	}
	if err := prepare(ctx, cfg, db, logger, a.env); err != nil {
		a.close()
		return nil, err
	}
	if configPath != "" {
		// What `followup config diff` and the reload rule compare an edit
		// with. A restart applies the file as it is: the admin is there.
		if err := db.SetApplied(ctx, text); err != nil {
			a.close()
			return nil, fmt.Errorf("record the config in force: %w", err)
		}
	}
	a.rt.Store(rt)
	a.courier = delivery.NewCourier(db, a.clock.Now, logger)
	a.beat, err = scheduler.New(scheduler.Options{
		Clock: a.clock, Logger: logger, Location: cfg.Location, Interval: cfg.Schedules.Heartbeat,
		Alive:       func(ctx context.Context) error { return db.Heartbeat(ctx, os.Getpid()) },
		Work:        a.round,
		Stall:       stallAfter(cfg),
		StopTimeout: cfg.Mail.SMTP.Timeout + 10*time.Second,
	})
	if err != nil {
		a.close()
		return nil, err
	}
	a.courier.Progress = a.beat.Progress
	return a, nil
}

// stallAfter is how long a round may go without progress before the
// heartbeat stops being recorded: longer than any one SMTP exchange
// (mail.smtp.timeout bounds each step) and than a sweep.
func stallAfter(cfg *config.Config) time.Duration {
	return 2*cfg.Mail.SMTP.Timeout + 5*time.Minute
}

// newWeb builds the web server on the config and the database and opens
// its socket; nil when web.listen is off. FOLLOWUP_WEB_LISTEN overrides
// web.listen (tests use 127.0.0.1:0; in-process daemon tests never bind a
// fixed port).
func (a *app) newWeb(cfg *config.Config) (*web.Server, error) {
	listen := a.env.getenv("FOLLOWUP_WEB_LISTEN")
	if listen == "" && a.env.daemonHooks != nil {
		listen = "127.0.0.1:0"
	}
	if listen != "" {
		cp := *cfg
		cp.Web.Listen = listen
		cfg = &cp
	}
	if cfg.Web.Listen == config.WebOff {
		a.logger.Info("web server off (web.listen: off): links in e-mails will not open", "component", "cli")
		return nil, nil
	}
	srv, err := web.New(cfg, a.db, a.logger, a.clock)
	if err != nil {
		return nil, err
	}
	addr, err := srv.Listen()
	if err != nil {
		return nil, err
	}
	if h := a.env.daemonHooks; h != nil && h.webAddr != nil {
		h.webAddr(addr.String())
	}
	return srv, nil
}

// build makes what depends on the config: the templates, the planner and
// the transport. Nothing here touches the running daemon: a failure
// leaves the runtime in force as it is.
func (a *app) build(cfg *config.Config, text []byte, hash [32]byte) (*runtime, error) {
	renderer, err := notify.NewRendererFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("mail templates: %w", err)
	}
	rt := &runtime{cfg: cfg, hash: hash, text: text}
	rt.planner = &plan.Planner{Config: cfg, Renderer: renderer, Now: a.clock.Now}
	if a.web != nil {
		// Messages carry personal links once the web server runs.
		rt.planner.Links = a.web
	}
	if rt.transport, err = notify.TransportFor(cfg, a.logger); err != nil {
		return nil, fmt.Errorf("mail transport: %w", err)
	}
	return rt, nil
}

// Config is the config in force.
func (a *app) Config() *config.Config { return a.rt.Load().cfg }

// DB is the daemon's database (tests read it).
func (a *app) DB() *store.DB { return a.db }

// close releases what newApp acquired (the database and its lock), for
// an app that will not run.
func (a *app) close() {
	if err := a.db.Close(); err != nil {
		a.logger.Error("close the database", "component", "cli", "err", err)
	}
}

// run starts the heartbeat and the web server and blocks until ctx is
// cancelled; then the web server stops first (no page is half-way through
// the database when it closes), the round in flight finishes its message,
// and the database is closed. A web server that fails stops the daemon: a
// daemon whose links do not open is broken.
func (a *app) run(ctx context.Context) (err error) {
	// The lock is held until the database is closed.
	defer func() {
		// Closing checkpoints the WAL into the database file: a failure
		// here is worth an exit status.
		if cerr := a.db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close the database: %w", cerr)
		}
	}()
	beatCtx, stopBeat := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBeat()
	beatErr := make(chan error, 1)
	go func() { beatErr <- a.beat.Run(beatCtx) }()
	var webErr chan error
	stopWeb := func() error { return nil }
	if a.web != nil {
		webCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		defer cancel()
		webErr = make(chan error, 1)
		go func() { webErr <- a.web.Run(webCtx) }()
		stopWeb = func() error { cancel(); return <-webErr }
	}
	// What starting left behind (the config's and the templates' parse,
	// the start-up checks) is garbage now; the runtime would hand it back
	// over minutes. Hand it back at once: a daemon just started is as
	// small as an idle one (BENCHMARKS.md).
	a.releaseMemory(ctx, nil)
	rt := a.rt.Load()
	a.logger.Info("ready", "component", "daemon", "config", a.configPath, "database", rt.cfg.Database, "transport", rt.transport.Name(),
		"heartbeat", rt.cfg.Schedules.Heartbeat.String(), "time_zone", rt.cfg.TimeZone)
	if h := a.env.daemonHooks; h != nil && h.started != nil {
		h.started(a)
	}
	var failed error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-webErr:
			// The web server stopped by itself: an error.
			webErr, stopWeb = nil, func() error { return nil }
			failed = err
			break loop
		case err := <-beatErr:
			// The heartbeat stops only when told, unless it could not start.
			beatErr = nil
			failed = err
			break loop
		case <-a.env.reload:
			a.reloadNow(ctx)
		}
	}
	a.logger.Info("stopping: finishing the message in flight", "component", "daemon")
	werr := stopWeb()
	stopBeat()
	if beatErr != nil {
		if err := <-beatErr; err != nil {
			a.logger.Error("the heartbeat did not stop cleanly", "component", "daemon", "err", err)
		}
	}
	a.logger.Info("stopped", "component", "daemon")
	if failed == nil {
		failed = werr
	}
	return failed
}

// round is one round of the daemon's work, started by a heartbeat: notice
// config edits, apply changed assignment rules, run the due slots, deliver
// the outbox, delete old sessions; then, when that did work, hand memory
// back.
func (a *app) round(ctx context.Context) {
	rep := tickReport{At: a.clock.Now()}
	rt, errs := a.plan(ctx, &rep)
	n, err := a.courier.Deliver(ctx, rt.transport, rt.cfg.Mail.Retry)
	rep.Delivered = n
	errs = append(errs, err)
	a.purgeSessions(ctx)
	rep.Err = errors.Join(errs...)
	if a.web != nil {
		a.web.ObserveTick(rep.Took, rep.Err != nil)
	}
	worked := len(rep.Planned) > 0 || n > 0
	if a.afterTick != nil {
		a.afterTick(rep)
	}
	if worked {
		// A sweep over many tasks leaves a large heap behind, and SQLite's
		// page cache and malloc's arenas what its statements read; hand
		// them back, so the idle daemon stays small between sweeps. Done
		// last, when nothing refers to the round's report and its messages
		// any more, so that the collection frees them too: released while
		// the report was still in use, they stayed in the heap until the
		// next collection, and the idle daemon 4 MB larger (BENCHMARKS.md).
		a.releaseMemory(ctx, rt)
	}
}

// releaseMemory hands back what the process holds and can make again:
// SQLite's page cache, the messages' parsed templates (rt's, when given),
// the Go heap's garbage and malloc's free arenas.
func (a *app) releaseMemory(ctx context.Context, rt *runtime) {
	if err := a.db.ReleaseMemory(ctx); err != nil {
		a.logger.Debug("could not release SQLite's memory", "component", "daemon", "err", err)
	}
	if rt != nil && rt.planner != nil && rt.planner.Renderer != nil {
		rt.planner.Renderer.Release() // parsed again when a message needs them
	}
	debug.FreeOSMemory()
	cmem.Release()
}

// plan is the round's first half, under the reload lock: reload an edited
// config, apply changed rules, run the due slots. It returns the runtime
// the round delivers with.
func (a *app) plan(ctx context.Context, rep *tickReport) (*runtime, []error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var errs []error
	switch a.configState(ctx) {
	case configEdited:
		a.logger.Info("config file changed; reloading", "component", "daemon")
		a.reloadLocked(ctx)
	case configConfirmed:
		a.logger.Info("the admin confirmed the held config file; applying it", "component", "daemon")
		a.reloadLocked(ctx)
	}
	rt := a.rt.Load()
	// A read of one row when nothing changed: another process's config
	// may have changed the rules, and the sweep never runs on owners the
	// config no longer gives.
	if pending, err := rulesPending(ctx, a.db, rt.cfg); err != nil || pending {
		if err == nil {
			err = syncRules(ctx, a.db, rt.cfg, a.logger)
		}
		if err != nil {
			errs = append(errs, err)
			a.logger.Error("applying the assignment rules failed; will retry at the next heartbeat", "component", "daemon", "err", err)
		}
	}
	start := time.Now()
	planned, err := scheduler.PlanAt(ctx, a.db, rt.planner, a.clock.Now(), false, a.logger.With("component", "scheduler"))
	rep.Planned, rep.Took = planned, time.Since(start)
	a.beat.Progress()
	if err != nil {
		errs = append(errs, err)
		a.logger.Error("planning failed; will retry at the next heartbeat", "component", "daemon", "err", err)
	}
	return rt, errs
}

// purgeSessions deletes the web sessions that ended more than
// web.SessionKeep ago, at the first round and then once a day of the
// daemon's clock.
func (a *app) purgeSessions(ctx context.Context) {
	now := a.clock.Now()
	if now.Before(a.nextPurge) {
		return
	}
	a.nextPurge = now.Add(24 * time.Hour)
	n, err := a.db.PurgeSessions(ctx, now.Add(-web.SessionKeep))
	switch {
	case err != nil && ctx.Err() == nil:
		a.logger.Warn("could not delete old sessions; they are tried again tomorrow", "component", "daemon", "err", err)
	case n > 0:
		a.logger.Info("deleted sessions that ended long ago", "component", "daemon", "sessions", n, "older_than", "90d")
	}
}
