package scheduler

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"
	"github.com/jonboulle/clockwork"
	"github.com/robfig/cron/v3"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/internal/cmem"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
)

// Options configure a Daemon.
type Options struct {
	// ConfigPath is the config file, watched for changes; "" for the
	// built-in defaults (nothing to watch).
	ConfigPath string
	// LoadConfig reads and validates the config: the daemon calls it at
	// start and on every reload.
	LoadConfig func() (*config.Config, error)
	// Prepare runs after each successful (re)load, before the first tick
	// with the new config: cmd imports the config's documents and applies
	// the assignment rules there.
	Prepare func(ctx context.Context, cfg *config.Config, db *store.DB) error
	// Rules, when set, runs at every heartbeat before planning: cmd
	// applies the assignment rules there when another process's config
	// changed them, so the sweep never runs on owners the config no longer
	// gives.
	Rules func(ctx context.Context, cfg *config.Config, db *store.DB) error
	// NewTransport builds the mail transport; nil builds it from the config.
	NewTransport func(cfg *config.Config, logger *slog.Logger) (notify.Transport, error)
	Clock        clockwork.Clock // nil: the real clock
	Logger       *slog.Logger
	// Reload asks for a reload (SIGHUP); nil: none.
	Reload <-chan struct{}
	// AfterTick, if set, is called after every heartbeat (tests wait on it).
	AfterTick func(TickReport)
	// Links, when set, signs the personal links messages carry (the web
	// server); nil sends messages without links.
	Links plan.Links
}

// TickReport says what one heartbeat did.
type TickReport struct {
	At        time.Time
	Planned   []plan.Message
	Delivered int // messages sent
	Err       error
	// Took is how long planning (the sweep and the digests) took, on the
	// real clock: it is the work's cost, which a fake clock cannot show
	// (/metrics reports it).
	Took time.Duration
}

// runtime is everything built from one config; a reload builds a new one
// and swaps it in only when all of it succeeded.
type runtime struct {
	cfg       *config.Config
	planner   *plan.Planner
	transport notify.Transport
	hash      [32]byte // of the config file, to notice edits
}

// Daemon is the long-running process: a gocron heartbeat that plans due
// slots and delivers the outbox.
type Daemon struct {
	opts   Options
	clock  clockwork.Clock
	logger *slog.Logger
	db     *store.DB
	rt     atomic.Pointer[runtime]

	lock *store.Lock // one daemon per database

	mu         sync.Mutex // serialises ticks and reloads
	failStreak int        // consecutive failed delivery batches, for backoff
	retryAt    time.Time  // no delivery attempt before this (transport down)
	state      string     // delivery state last logged (store.Delivery*)
	stateErr   string     // and its error
	unrecorded *RecordError
	seenHash   [32]byte // a changed config file, as last seen: loaded once it stays the same for a heartbeat
	hbFailed   bool     // the last heartbeat could not be recorded
}

// New loads the config, opens the database, recovers from a crash and
// prepares the daemon; Run starts it.
func New(ctx context.Context, opts Options) (*Daemon, error) {
	if opts.Clock == nil {
		opts.Clock = clockwork.NewRealClock()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	d := &Daemon{opts: opts, clock: opts.Clock, logger: opts.Logger.With("component", "scheduler")}
	rt, err := d.build(false)
	if err != nil {
		return nil, err
	}
	// The lock comes first: recovery below puts rows left in sending back
	// in line, which is right only when no other process is sending them.
	lock, err := store.AcquireLock(rt.cfg.Database, "followup run", d.clock.Now())
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, rt.cfg.Database, store.Options{Now: d.clock.Now, Location: rt.cfg.Location, Logger: opts.Logger})
	if err != nil {
		lock.Release()
		return nil, err
	}
	d.db, d.lock = db, lock
	_, idempotent := rt.transport.(*notify.FileTransport)
	uncertain, pending, err := db.Recover(ctx, idempotent)
	if err != nil {
		db.Close()
		lock.Release()
		return nil, fmt.Errorf("recover the outbox: %w", err)
	}
	if uncertain > 0 || pending > 0 {
		d.logger.Warn("recovered messages a stopped process was sending", "uncertain", uncertain, "requeued", pending)
	}
	if opts.Prepare != nil {
		if err := opts.Prepare(ctx, rt.cfg, db); err != nil {
			db.Close()
			lock.Release()
			return nil, err
		}
	}
	d.rt.Store(rt)
	return d, nil
}

// Close closes the database and releases the lock of a daemon that will
// not Run (cmd could not start what runs beside it). Run closes them
// itself.
func (d *Daemon) Close() error {
	defer d.lock.Release()
	return d.db.Close()
}

// Clock is the daemon's clock (the web server shares it).
func (d *Daemon) Clock() clockwork.Clock { return d.clock }

// DB is the daemon's store (tests read it).
func (d *Daemon) DB() *store.DB { return d.db }

// Config is the config in force.
func (d *Daemon) Config() *config.Config { return d.rt.Load().cfg }

// build loads the config and everything that depends on it. Nothing here
// touches the running daemon: a failure leaves the old runtime in force.
func (d *Daemon) build(reload bool) (*runtime, error) {
	stable, err := d.stableHash(reload)
	if err != nil {
		return nil, err
	}
	cfg, err := d.opts.LoadConfig()
	if err != nil {
		return nil, err
	}
	rt := &runtime{cfg: cfg}
	if d.opts.ConfigPath != "" {
		b, err := os.ReadFile(d.opts.ConfigPath)
		if err != nil {
			return nil, fmt.Errorf("read config %s: %w", d.opts.ConfigPath, err)
		}
		rt.hash = sha256.Sum256(b)
		if rt.hash != stable {
			// The file changed while it was being loaded: what was loaded
			// may be half of it. The next heartbeat looks again.
			return nil, fmt.Errorf("config %s changed while it was read; trying again at the next heartbeat", d.opts.ConfigPath)
		}
	}
	renderer, err := notify.NewRendererFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("mail templates: %w", err)
	}
	rt.planner = &plan.Planner{Config: cfg, Renderer: renderer, Now: d.clock.Now, Links: d.opts.Links}
	newTransport := d.opts.NewTransport
	if newTransport == nil {
		newTransport = TransportFor
	}
	if rt.transport, err = newTransport(cfg, d.opts.Logger); err != nil {
		return nil, fmt.Errorf("mail transport: %w", err)
	}
	return rt, nil
}

// stableHash waits until the config file stops changing: an editor or a
// copy may be writing it right now, and a half-written file can be valid
// YAML that silently drops a section.
func (d *Daemon) stableHash(reload bool) ([32]byte, error) {
	if d.opts.ConfigPath == "" {
		return [32]byte{}, nil
	}
	tries := 20
	if !reload {
		tries = 1 // at start the admin is not editing it
	}
	var last [32]byte
	for i := 0; i < tries; i++ {
		b, err := os.ReadFile(d.opts.ConfigPath)
		if err != nil {
			return last, fmt.Errorf("read config %s: %w", d.opts.ConfigPath, err)
		}
		h := sha256.Sum256(b)
		if i > 0 && h == last {
			return h, nil
		}
		last = h
		if tries == 1 {
			return h, nil
		}
		time.Sleep(settle)
	}
	return last, fmt.Errorf("config %s keeps changing; trying again at the next heartbeat", d.opts.ConfigPath)
}

// settle is how long the config file must stay unchanged before it is
// read (real time: an editor's write does not follow a fake clock).
const settle = 100 * time.Millisecond

// TransportFor builds the transport the config names.
func TransportFor(cfg *config.Config, logger *slog.Logger) (notify.Transport, error) {
	if cfg.Mail.Transport == "smtp" {
		return notify.NewSMTP(cfg.Mail.SMTP, logger)
	}
	return notify.NewFile(cfg.Mail.Dir)
}

// Run starts the heartbeat and blocks until ctx is cancelled; then it lets
// the tick in flight finish its message, stops, and closes the database.
func (d *Daemon) Run(ctx context.Context) (err error) {
	// Deferred first, so it runs last: the lock is held until the
	// database is closed.
	defer d.lock.Release()
	defer func() {
		// Closing checkpoints the WAL into the database file: a failure
		// here is worth an exit status.
		if cerr := d.db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close the database: %w", cerr)
		}
	}()
	rt := d.rt.Load()
	sched, err := gocron.NewScheduler(
		gocron.WithClock(d.clock),
		gocron.WithLocation(rt.cfg.Location),
		gocron.WithLogger(d.logger),
		// Long enough for one SMTP transaction to finish.
		gocron.WithStopTimeout(rt.cfg.Mail.SMTP.Timeout+10*time.Second),
		gocron.WithGlobalJobOptions(gocron.WithEventListeners(gocron.AfterJobRunsWithPanic(func(_ uuid.UUID, name string, recovered any) {
			d.logger.Error("heartbeat panicked; the next one will run", "job", name, "panic", fmt.Sprint(recovered))
		}))),
	)
	if err != nil {
		return fmt.Errorf("start the scheduler: %w", err)
	}
	heartbeat := rt.cfg.Schedules.Heartbeat
	// The next heartbeat counts from the end of the previous one, so
	// heartbeats never overlap, however long a sweep takes; and gocron
	// schedules it from the last run, not by walking from the daemon's
	// start (which it otherwise does after a clock jump).
	job, err := sched.NewJob(gocron.DurationJob(heartbeat), gocron.NewTask(d.tick), heartbeatOptions(true)...)
	if err != nil {
		return fmt.Errorf("start the heartbeat: %w", err)
	}
	sched.Start()
	d.logger.Info("ready", "config", d.opts.ConfigPath, "database", rt.cfg.Database, "transport", rt.transport.Name(),
		"heartbeat", heartbeat.String(), "time_zone", rt.cfg.TimeZone)

	for {
		select {
		case <-ctx.Done():
			d.logger.Info("stopping: finishing the message in flight")
			stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rt.cfg.Mail.SMTP.Timeout+15*time.Second)
			err := sched.ShutdownWithContext(stopCtx)
			cancel()
			if err != nil {
				d.logger.Error("scheduler did not stop cleanly", "err", err)
			}
			d.logger.Info("stopped")
			return nil
		case <-d.opts.Reload:
			if d.Reload(ctx) {
				if hb := d.rt.Load().cfg.Schedules.Heartbeat; hb != heartbeat {
					heartbeat = hb
					if job, err = sched.Update(job.ID(), gocron.DurationJob(heartbeat), gocron.NewTask(d.tick), heartbeatOptions(false)...); err != nil {
						d.logger.Error("could not change the heartbeat", "err", err)
					}
				}
			}
		}
	}
}

func heartbeatOptions(now bool) []gocron.JobOption {
	opts := []gocron.JobOption{
		gocron.WithName("heartbeat"),
		gocron.WithSingletonMode(gocron.LimitModeWait),
		gocron.WithIntervalFromCompletion(),
	}
	if now {
		opts = append(opts, gocron.WithStartAt(gocron.WithStartImmediately()))
	}
	return opts
}

// Reload loads the config again; an invalid one is refused, with the error
// logged, and the old one stays in force. It reports whether the new
// config took over.
func (d *Daemon) Reload(ctx context.Context) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.reloadLocked(ctx)
}

func (d *Daemon) reloadLocked(ctx context.Context) bool {
	old := d.rt.Load()
	rt, err := d.build(true)
	if err == nil && rt.cfg.Database != old.cfg.Database {
		err = fmt.Errorf("database: changed from %s to %s; restart the daemon to use another database", old.cfg.Database, rt.cfg.Database)
	}
	if err == nil && d.opts.Prepare != nil {
		err = d.opts.Prepare(ctx, rt.cfg, d.db)
	}
	if err != nil {
		d.logger.Error("config reload refused; the previous config stays in force", "err", oneLine(err))
		// Remember the broken file's hash so the error is logged once, not
		// at every heartbeat.
		if d.opts.ConfigPath != "" {
			if b, rerr := os.ReadFile(d.opts.ConfigPath); rerr == nil {
				cp := *old
				cp.hash = sha256.Sum256(b)
				d.rt.Store(&cp)
			}
		}
		return false
	}
	d.rt.Store(rt)
	d.logger.Info("config reloaded", "config", d.opts.ConfigPath)
	if changes := MailChanges(old.cfg, rt.cfg); len(changes) > 0 {
		// Mail may now go nowhere, or no longer to someone: say so loudly,
		// and keep it for the next overview to tell the coordinator.
		d.logger.Warn("the reload changes where mail goes", "changes", strings.Join(changes, "; "))
		if err := d.db.RecordMailChange(ctx, strings.Join(changes, "\n")); err != nil {
			d.logger.Error("could not record the change to where mail goes", "err", err)
		}
	}
	return true
}

func oneLine(err error) string {
	return string(bytes.ReplaceAll([]byte(err.Error()), []byte("\n"), []byte("; ")))
}

// configChanged reports whether the config file's content differs from
// what the runtime was built from and has stayed the same since the
// previous heartbeat. An editor or a copy may write the file in several
// steps, and a first part can be valid YAML on its own (an empty file is:
// every default, mail to .eml files); a file that stayed the same for a
// whole heartbeat is one the admin has finished saving. SIGHUP reloads at
// once: the admin says the file is ready.
func (d *Daemon) configChanged() bool {
	if d.opts.ConfigPath == "" {
		return false
	}
	b, err := os.ReadFile(d.opts.ConfigPath)
	if err != nil {
		return false // a file being replaced; look again at the next tick
	}
	h := sha256.Sum256(b)
	if h == d.rt.Load().hash {
		d.seenHash = [32]byte{}
		return false
	}
	if h != d.seenHash {
		d.seenHash = h
		d.logger.Info("config file changed; it is loaded once it stays the same until the next heartbeat")
		return false
	}
	d.seenHash = [32]byte{}
	return true
}

// tick is one heartbeat: notice config edits, run due slots, deliver;
// then, when that did work, hand memory back.
func (d *Daemon) tick(ctx context.Context) {
	if d.heartbeat(ctx) {
		// A sweep over many tasks leaves a large heap behind, and SQLite's
		// page cache and malloc's arenas what its statements read; hand
		// them back, so the idle daemon stays small between sweeps. Done
		// here, once the heartbeat's messages are out of reach, so that
		// the collection frees them too.
		if err := d.db.ReleaseMemory(ctx); err != nil {
			d.logger.Debug("could not release SQLite's memory", "err", err)
		}
		debug.FreeOSMemory()
		cmem.Release()
	}
}

// heartbeat does a tick's work; it says whether it planned or sent any
// message.
func (d *Daemon) heartbeat(ctx context.Context) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.configChanged() {
		d.logger.Info("config file changed; reloading")
		d.reloadLocked(ctx)
	}
	if err := d.db.Heartbeat(ctx, os.Getpid()); err != nil {
		if !d.hbFailed {
			d.logger.Error("could not record the heartbeat", "err", err)
		}
		d.hbFailed = true
	} else {
		d.hbFailed = false
	}
	report := TickReport{At: d.clock.Now()}
	if d.opts.Rules != nil {
		if err := d.opts.Rules(ctx, d.rt.Load().cfg, d.db); err != nil {
			report.Err = err
			d.logger.Error("applying the assignment rules failed; will retry at the next heartbeat", "err", err)
		}
	}
	start := time.Now()
	planned, err := d.Plan(ctx, false)
	report.Planned, report.Took = planned, time.Since(start)
	if err != nil && report.Err == nil {
		report.Err = err
	}
	if err != nil {
		d.logger.Error("planning failed; will retry at the next heartbeat", "err", err)
	}
	n, err := d.deliver(ctx)
	report.Delivered = n
	if err != nil && report.Err == nil {
		report.Err = err
	}
	if d.opts.AfterTick != nil {
		d.opts.AfterTick(report)
	}
	return len(planned) > 0 || n > 0
}

// Plan runs every schedule's due slot, as of the daemon's clock.
func (d *Daemon) Plan(ctx context.Context, dryRun bool) ([]plan.Message, error) {
	return PlanAt(ctx, d.db, d.rt.Load().planner, d.clock.Now(), dryRun, d.logger)
}

// PlanAt runs (or, with dryRun, only computes) each schedule's due slot at
// now: what the daemon does at a heartbeat.
func PlanAt(ctx context.Context, db *store.DB, p *plan.Planner, now time.Time, dryRun bool, logger *slog.Logger) ([]plan.Message, error) {
	var all []plan.Message
	var errs []error
	for _, job := range plan.Jobs {
		sched := schedule(p.Config, job)
		last, ran, err := db.LastSlot(ctx, job)
		if err != nil {
			return all, err
		}
		dec := Due(sched, last, ran, now, p.Config.Schedules.Grace)
		switch {
		case dec.Skip:
			logger.Warn("missed slots are older than the grace window; skipped", "job", job, "missed", dec.Missed, "grace", p.Config.Schedules.Grace.String())
			if !dryRun {
				if err := db.SetLastSlot(ctx, job, dec.Slot); err != nil {
					errs = append(errs, err)
				}
			}
			continue
		case !dec.Run:
			continue
		}
		if dec.Missed != 0 {
			logger.Warn("missed slots skipped; running the latest once", "job", job, "slot", dec.Slot, "missed", dec.Missed)
		}
		var msgs []plan.Message
		err = db.RunSlot(ctx, job, dec.Slot, dryRun, func(tx *store.SlotTx) error {
			var err error
			msgs, err = p.Run(ctx, tx, job, dec.Slot)
			return err
		})
		if errors.Is(err, store.ErrSlotDone) {
			continue // another process ran it first
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s at %s: %w", job, dec.Slot.Format(time.RFC3339), err))
			continue
		}
		if !dryRun {
			logger.Info("slot ran", "job", job, "slot", dec.Slot.In(p.Config.Location).Format(time.RFC3339), "messages", len(msgs), "initial", dec.Initial)
			if next := standIn(job, sched, dec); !next.IsZero() {
				if err := db.SetLastSlot(ctx, job, next); err != nil {
					errs = append(errs, err)
				}
			}
		}
		all = append(all, msgs...)
	}
	return all, errors.Join(errs...)
}

// standIn is the scheduled slot a digest's first run on a new database
// stands in for: started at 07:00, the daemon does not send the same
// overview again at 08:00 (zero: none). The reminders do not skip their
// next slot: it reminds what was imported since, and what was reminded
// already is never reminded twice (the reminder log).
func standIn(job string, sched cron.Schedule, dec Decision) time.Time {
	if !dec.Initial || job == plan.JobReminders {
		return time.Time{}
	}
	if next := Next(sched, dec.Slot); !next.IsZero() && next.Sub(dec.Slot) <= 24*time.Hour {
		return next
	}
	return time.Time{}
}

func schedule(cfg *config.Config, job string) cron.Schedule { return Spec(cfg, job).Schedule }

// Spec is the schedule the config gives a job (plan.Jobs).
func Spec(cfg *config.Config, job string) config.Schedule {
	switch job {
	case plan.JobCoordinatorDigest:
		return cfg.Schedules.CoordinatorDigest
	case plan.JobMinistryDigest:
		return cfg.Schedules.MinistryDigest
	}
	return cfg.Schedules.Reminders
}

// deliver sends what the outbox holds, a batch per connection, and records
// each message's outcome as soon as it is known.
func (d *Daemon) deliver(ctx context.Context) (int, error) {
	rt := d.rt.Load()
	if d.unrecorded != nil {
		// Outcomes known but not yet written come first: until they are,
		// nothing more is sent (a message sent and not recorded as sent
		// would be sent again).
		if err := d.unrecorded.Retry(context.WithoutCancel(ctx)); err != nil {
			d.setState(ctx, store.DeliveryStopped, err.Error())
			return 0, err
		}
		d.unrecorded = nil
		d.logger.Info("delivery outcomes recorded at last; delivery resumes")
	}
	now := d.clock.Now()
	if now.Before(d.retryAt) {
		return 0, nil
	}
	sent := 0
	for ctx.Err() == nil {
		batch, err := d.db.ClaimBatch(ctx, 100)
		if err != nil {
			return sent, err
		}
		if len(batch) == 0 {
			// Nothing to send says nothing about the relay: the state
			// recorded stays as it is.
			return sent, nil
		}
		n, err := Deliver(ctx, d.db, rt.transport, batch, rt.cfg.Mail.Retry, d.clock.Now, d.logger)
		sent += n
		var rec *RecordError
		switch {
		case errors.As(err, &rec):
			d.unrecorded = rec
			d.setState(ctx, store.DeliveryStopped, err.Error())
			return sent, err
		case err != nil && ctx.Err() == nil:
			d.failStreak++
			wait := notify.Backoff(d.failStreak, rt.cfg.Mail.Retry, rand.Float64)
			d.retryAt = d.clock.Now().Add(wait)
			d.setState(ctx, store.DeliveryFailing, err.Error())
			d.logger.Warn("delivery interrupted; will try again", "err", err, "retry_in", wait.String())
			return sent, err
		case err != nil:
			return sent, err
		}
		d.failStreak, d.retryAt = 0, time.Time{}
		d.setState(ctx, store.DeliveryOK, "")
	}
	return sent, nil
}

// setState records the state of delivery, and logs a change of state once:
// an ERROR when delivery stops working, an INFO when it works again, never
// a line per heartbeat.
func (d *Daemon) setState(ctx context.Context, state, errText string) {
	if state == d.state && errText == d.stateErr {
		return
	}
	switch {
	case state == d.state:
	case state == store.DeliveryFailing:
		d.logger.Error("delivery failing: messages wait and count attempts until the relay accepts them", "err", errText)
	case state == store.DeliveryStopped:
		d.logger.Error("delivery stopped: outcomes cannot be recorded, so nothing more is sent until they can (is the disk full?)", "err", errText)
	case d.state != "":
		d.logger.Info("delivery works again", "was", d.state)
	}
	d.state, d.stateErr = state, errText
	if err := d.db.SetDeliveryState(context.WithoutCancel(ctx), state, errText); err != nil && state != store.DeliveryStopped {
		d.logger.Warn("could not record the state of delivery", "err", err)
	}
}

// RecordError means outcomes of a delivery were known but could not be
// written (a full disk, a database gone read-only). Delivery stopped at
// once; Retry writes what is still unwritten.
type RecordError struct {
	Err     error
	pending []func(context.Context) error
}

func (e *RecordError) Error() string { return "record delivery outcomes: " + e.Err.Error() }
func (e *RecordError) Unwrap() error { return e.Err }

// Retry writes the outcomes still unwritten, in order, and stops at the
// first that fails again.
func (e *RecordError) Retry(ctx context.Context) error {
	for len(e.pending) > 0 {
		if err := e.pending[0](ctx); err != nil {
			e.Err = err
			return e
		}
		e.pending = e.pending[1:]
	}
	return nil
}

// Deliver hands one claimed batch to the transport and records each
// outcome; messages the transport did not attempt go back to pending. The
// records are written even while the daemon stops: an outcome known and
// lost would mean a message sent twice. When an outcome cannot be written
// the batch stops at once and a *RecordError keeps what is unwritten.
// When no session with the relay could be had at all, every waiting
// message counts an attempt (store.RetryWaiting).
func Deliver(ctx context.Context, db *store.DB, tr notify.Transport, batch []store.OutboxMessage, retry config.Retry,
	now func() time.Time, logger *slog.Logger) (int, error) {
	msgs := make([]notify.Message, len(batch))
	for i, m := range batch {
		msgs[i] = notify.Message{ID: m.ID, Key: m.Key, MessageID: m.MessageID, From: m.From, To: m.To, Raw: m.Raw}
	}
	keep := context.WithoutCancel(ctx)
	// Cancelled when an outcome cannot be recorded: the transport checks
	// it before each message.
	tctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make([]bool, len(batch))
	reported := false
	sent := 0
	rec := &RecordError{}
	record := func(op func(context.Context) error) {
		if len(rec.pending) > 0 {
			rec.pending = append(rec.pending, op)
			return
		}
		if err := op(keep); err != nil {
			rec.Err = err
			rec.pending = append(rec.pending, op)
			stop()
		}
	}
	err := tr.Deliver(tctx, msgs, func(i int, r notify.Result) {
		done[i], reported = true, true
		m := batch[i]
		switch r.Outcome {
		case notify.Sent:
			sent++
			if len(r.Refused) == 0 {
				record(func(ctx context.Context) error { return db.MarkSent(ctx, m.ID, r.Response) })
				break
			}
			// Some recipients refused: the others got it. An address
			// refused for good failed alone, and is reported like a failed
			// message; one refused for now (4xx) gets the message again
			// later, in a message of its own.
			refused := make([]store.RecipientFailure, len(r.Refused))
			for i, f := range r.Refused {
				temporary := f.Outcome == notify.Temporary
				refused[i] = store.RecipientFailure{Address: f.Addr, Code: f.Code, Error: f.Err.Error(), Temporary: temporary}
				if temporary {
					logger.Warn("recipient refused for now; the others got the message, this one gets it later", "key", m.Key,
						"recipient", f.Addr, "err", f.Err)
					continue
				}
				logger.Error("recipient refused; the others got the message", "key", m.Key, "recipient", f.Addr,
					"outcome", f.Outcome.String(), "err", f.Err)
			}
			again := now().Add(notify.Backoff(1, retry, rand.Float64))
			record(func(ctx context.Context) error { return db.MarkSentExcept(ctx, m.ID, r.Response, refused, again) })
		case notify.Temporary:
			next := now().Add(notify.Backoff(m.Attempts+1, retry, rand.Float64))
			record(func(ctx context.Context) error { return db.MarkRetry(ctx, m.ID, errText(r), next, retry.MaxAttempts) })
			logger.Warn("temporary delivery failure", "key", m.Key, "attempt", m.Attempts+1, "err", errText(r), "next", next)
		case notify.Permanent:
			record(func(ctx context.Context) error { return db.MarkFailed(ctx, m.ID, errText(r)) })
			logger.Error("delivery failed", "key", m.Key, "err", errText(r))
		case notify.Uncertain:
			record(func(ctx context.Context) error { return db.MarkUncertain(ctx, m.ID, errText(r)) })
			logger.Error("delivery uncertain: the server may have the message; it is not sent again", "key", m.Key, "err", errText(r))
		}
	})
	var rest []int64
	for i, ok := range done {
		if !ok {
			rest = append(rest, batch[i].ID)
		}
	}
	if err != nil && !reported && ctx.Err() == nil && len(rec.pending) == 0 {
		// No session at all: the relay refused or never answered. Every
		// waiting message was held up by it and counts an attempt, so
		// that a relay that never works ends in failed messages the
		// coordinator's overview and followup status report, not in
		// messages pending forever.
		cause := err.Error()
		failed, rerr := db.RetryWaiting(keep, rest, cause, retry.MaxAttempts, func(n int) time.Time {
			return now().Add(notify.Backoff(n, retry, rand.Float64))
		})
		if rerr != nil {
			return 0, &RecordError{Err: rerr, pending: []func(context.Context) error{func(ctx context.Context) error {
				return db.Release(ctx, rest, now())
			}}}
		}
		if failed > 0 {
			logger.Error("messages failed: the relay could not be reached in any of their attempts", "failed", failed, "err", cause)
		}
		return 0, err
	}
	next := now()
	if err != nil && len(rec.pending) == 0 {
		// The connection broke: give the relay a moment. (Stopped for want
		// of a record, the rest go as soon as the records can be written.)
		next = next.Add(retry.Initial)
	}
	record(func(ctx context.Context) error { return db.Release(ctx, rest, next) })
	if len(rec.pending) > 0 {
		return sent, rec
	}
	return sent, err
}

func errText(r notify.Result) string {
	if r.Err == nil {
		return ""
	}
	return r.Err.Error()
}
