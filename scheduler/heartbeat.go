package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"
	"github.com/jonboulle/clockwork"
)

// Options configure a Heartbeat.
type Options struct {
	Clock  clockwork.Clock // nil: the real clock
	Logger *slog.Logger
	// Location is gocron's zone: never time.Local, which gocron would
	// otherwise use.
	Location *time.Location
	// Interval is the time between beats.
	Interval time.Duration
	// Alive records that the daemon is alive (store.DB.Heartbeat). Every
	// beat calls it, also while Work runs: a long delivery batch does not
	// make a working daemon look dead.
	Alive func(ctx context.Context) error
	// Work is one round of the daemon's work (due slots, delivery,
	// housekeeping). A beat starts it when the previous round has ended,
	// so rounds never overlap however long one takes.
	Work func(ctx context.Context)
	// Stall: while a round runs without calling Progress for this long,
	// beats stop recording Alive, so that whoever watches the heartbeat
	// sees a daemon that is stuck. Zero: never.
	Stall time.Duration
	// StopTimeout bounds how long Run waits, once stopped, for the round
	// in flight to finish its message.
	StopTimeout time.Duration
}

// Heartbeat is the daemon's clock: a gocron job that records that the
// daemon is alive and starts a round of work at every beat. It keeps no
// schedule of its own: what is due is read from the database (Due,
// PlanAt).
type Heartbeat struct {
	opts   Options
	logger *slog.Logger

	mu       sync.Mutex
	sched    gocron.Scheduler // while Run runs
	job      gocron.Job
	interval time.Duration
	ctx      context.Context // the rounds', cancelled when Run stops
	working  bool            // a round runs
	again    bool            // a beat came while it ran: another round follows at once

	progress atomic.Int64 // the clock's UnixNano at the round's last sign of progress
	round    atomic.Int64 // rounds started, to tell one round from the next
	rounds   sync.WaitGroup

	// Beats only (gocron runs one at a time):
	seen    int64 // the round that the previous beat found running, or 0
	stalled bool  // a stall was logged
	failed  bool  // recording Alive failed at the last beat
}

// New makes a heartbeat; Run starts it.
func New(opts Options) (*Heartbeat, error) {
	if opts.Clock == nil {
		opts.Clock = clockwork.NewRealClock()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Interval <= 0 {
		return nil, fmt.Errorf("heartbeat interval %s: must be longer than zero", opts.Interval)
	}
	if opts.Alive == nil || opts.Work == nil {
		return nil, errors.New("heartbeat: Alive and Work are required")
	}
	return &Heartbeat{opts: opts, logger: opts.Logger.With("component", "scheduler"), interval: opts.Interval}, nil
}

// Progress says that the round in flight is making progress (a slot ran,
// a message's outcome was recorded).
func (h *Heartbeat) Progress() { h.progress.Store(h.opts.Clock.Now().UnixNano()) }

// Interval is the time between beats now in force.
func (h *Heartbeat) Interval() time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.interval
}

// SetInterval changes the time between beats (a reloaded config); the
// next beat comes d after the last one.
func (h *Heartbeat) SetInterval(d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("heartbeat interval %s: must be longer than zero", d)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if d == h.interval {
		return nil
	}
	h.interval = d
	if h.sched == nil {
		return nil
	}
	job, err := h.sched.Update(h.job.ID(), gocron.DurationJob(d), gocron.NewTask(h.beat), jobOptions(false)...)
	if err != nil {
		return fmt.Errorf("change the heartbeat to %s: %w", d, err)
	}
	h.job = job
	return nil
}

// Run beats, the first time at once, until ctx is cancelled; then it lets
// the round in flight finish its message (up to StopTimeout) and returns.
func (h *Heartbeat) Run(ctx context.Context) error {
	sched, err := gocron.NewScheduler(
		gocron.WithClock(h.opts.Clock),
		gocron.WithLocation(h.opts.Location),
		gocron.WithLogger(h.logger),
		gocron.WithStopTimeout(h.opts.StopTimeout+time.Second),
		// A panic in a gocron task would otherwise kill the process.
		gocron.WithGlobalJobOptions(gocron.WithEventListeners(gocron.AfterJobRunsWithPanic(func(_ uuid.UUID, name string, recovered any) {
			h.logger.Error("heartbeat panicked; the next one will run", "job", name, "panic", fmt.Sprint(recovered))
		}))),
	)
	if err != nil {
		return fmt.Errorf("start the scheduler: %w", err)
	}
	// Rounds run under their own context: cancelled when Run stops, and
	// never by gocron.
	roundCtx, stopRounds := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRounds()
	h.mu.Lock()
	h.ctx = roundCtx
	h.job, err = sched.NewJob(gocron.DurationJob(h.interval), gocron.NewTask(h.beat), jobOptions(true)...)
	if err == nil {
		h.sched = sched
	}
	h.mu.Unlock()
	if err != nil {
		_ = sched.Shutdown() // nothing ran: the error that matters is the job's
		return fmt.Errorf("start the heartbeat: %w", err)
	}
	sched.Start()
	<-ctx.Done()

	stopRounds()
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.opts.StopTimeout+time.Second)
	defer cancel()
	if err := sched.ShutdownWithContext(stopCtx); err != nil {
		h.logger.Error("scheduler did not stop cleanly", "err", err)
	}
	h.mu.Lock()
	h.sched = nil
	h.mu.Unlock()
	done := make(chan struct{})
	go func() { h.rounds.Wait(); close(done) }()
	select {
	case <-done:
	case <-stopCtx.Done():
		return errors.New("the round in flight did not stop in time")
	}
	return nil
}

func jobOptions(now bool) []gocron.JobOption {
	opts := []gocron.JobOption{
		gocron.WithName("heartbeat"),
		gocron.WithSingletonMode(gocron.LimitModeWait),
		// The next beat counts from the end of the previous one, so beats
		// never overlap, and gocron schedules it from the last beat, not
		// by walking from the daemon's start (which it otherwise does
		// after a clock jump).
		gocron.WithIntervalFromCompletion(),
	}
	if now {
		opts = append(opts, gocron.WithStartAt(gocron.WithStartImmediately()))
	}
	return opts
}

// beat records that the daemon is alive and starts a round, or, when one
// runs, asks for another as soon as it ends.
func (h *Heartbeat) beat() {
	h.mu.Lock()
	ctx, working := h.ctx, h.working
	h.mu.Unlock()
	now := h.opts.Clock.Now()
	running := int64(0)
	if working {
		running = h.round.Load()
	}
	// A round is stuck when the beat before this one found it running
	// already (a clock that jumped finds one that is only ending) and it
	// has shown no progress for Stall.
	seenBefore := running != 0 && running == h.seen
	h.seen = running
	if seenBefore && h.opts.Stall > 0 {
		last := time.Unix(0, h.progress.Load())
		if now.Sub(last) > h.opts.Stall {
			if !h.stalled {
				h.logger.Error("the daemon's work has made no progress for too long; its heartbeat is no longer recorded",
					"since", last.UTC().Format(time.RFC3339), "stall", h.opts.Stall.String())
				h.stalled = true
			}
			return
		}
	}
	if h.stalled {
		h.logger.Info("the daemon's work makes progress again")
		h.stalled = false
	}
	if err := h.opts.Alive(ctx); err != nil {
		if !h.failed {
			h.logger.Error("could not record the heartbeat", "err", err)
		}
		h.failed = true
	} else {
		h.failed = false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	if h.working {
		// The round in flight may have read the database before the
		// beat: another round follows it, and sees what it missed.
		h.again = true
		return
	}
	h.working = true
	h.Progress()
	h.rounds.Add(1)
	go h.run(ctx)
}

// run runs rounds until no beat asked for another.
func (h *Heartbeat) run(ctx context.Context) {
	defer h.rounds.Done()
	for {
		h.round.Add(1)
		h.work(ctx)
		h.mu.Lock()
		again := h.again && ctx.Err() == nil
		h.again, h.working = false, again
		h.mu.Unlock()
		if !again {
			return
		}
		h.Progress()
	}
}

// work runs one round of work; a panic in it is logged, and the next
// round runs at the next beat.
func (h *Heartbeat) work(ctx context.Context) {
	defer func() {
		if r := recover(); r != nil {
			h.logger.Error("a round of work panicked; the next heartbeat runs the next one", "panic", fmt.Sprint(r),
				"stack", string(debug.Stack()))
		}
	}()
	h.opts.Work(ctx)
}
