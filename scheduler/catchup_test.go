package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/delivery"
	"github.com/followup-app/followup/internal/loadgen"
	"github.com/followup-app/followup/internal/smtptest"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
)

// monday is a Monday 07:00 UTC: the generated database's "now".
var monday = time.Date(2027, 1, 4, 7, 0, 0, 0, time.UTC)

// planFixture is a generated database (real SQLite) with its config, and
// the planner the daemon would build from it.
type planFixture struct {
	db      *store.DB
	cfg     *config.Config
	planner *plan.Planner
	now     time.Time
	logs    *logBuffer
	logger  *slog.Logger
}

func newPlanFixture(t *testing.T, smtp string) *planFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "followup.db")
	o := loadgen.Options{Tasks: 300, Ministries: 4, Seed: 7, Start: monday, SMTP: smtp}
	cfg := loadgen.Config(o, path, filepath.Join(dir, "mail"))
	o.RulesID = cfg.RulesID()
	if _, err := loadgen.Generate(ctx, path, o); err != nil {
		t.Fatal(err)
	}
	f := &planFixture{cfg: cfg, now: monday, logs: &logBuffer{}}
	f.logger = slog.New(slog.NewTextHandler(f.logs, nil))
	db, err := store.Open(ctx, path, store.Options{Now: func() time.Time { return f.now }, Location: cfg.Location})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f.db = db
	renderer, err := notify.NewRendererFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.planner = &plan.Planner{Config: cfg, Renderer: renderer, Now: func() time.Time { return f.now }}
	return f
}

// plan runs PlanAt at f.now and counts the messages by job.
func (f *planFixture) plan(t *testing.T, dryRun bool) map[string]int {
	t.Helper()
	msgs, err := PlanAt(context.Background(), f.db, f.planner, f.now, dryRun, f.logger)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, m := range msgs {
		out[plan.JobOf(m.Kind)]++
	}
	return out
}

func (f *planFixture) lastSlot(t *testing.T, job string) time.Time {
	t.Helper()
	at, ran, err := f.db.LastSlot(context.Background(), job)
	if err != nil || !ran {
		t.Fatalf("LastSlot(%s): %v, %v", job, ran, err)
	}
	return at.UTC()
}

func (f *planFixture) outboxSize(t *testing.T) int {
	t.Helper()
	counts, err := f.db.OutboxCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// On a new database every schedule runs once at once; a digest's first
// run stands in for its next slot of the same day, the reminders' does
// not; the same heartbeat again runs nothing; the next slot runs at its
// time.
func TestPlanAtFirstRunsAndNextSlot(t *testing.T) {
	f := newPlanFixture(t, "")
	got := f.plan(t, false)
	if got[plan.JobCoordinatorDigest] != 1 || got[plan.JobMinistryDigest] == 0 || got[plan.JobReminders] == 0 {
		t.Fatalf("first run: %v, want a coordinator overview, ministry digests and reminders", got)
	}
	queued := f.outboxSize(t)
	if queued != got[plan.JobCoordinatorDigest]+got[plan.JobMinistryDigest]+got[plan.JobReminders] {
		t.Errorf("the outbox holds %d messages for %v planned", queued, got)
	}
	if at := f.lastSlot(t, plan.JobReminders); !at.Equal(monday) {
		t.Errorf("reminders' last slot %s, want the first run's %s", at, monday)
	}
	if at := f.lastSlot(t, plan.JobCoordinatorDigest); !at.Equal(monday.Add(time.Hour)) {
		t.Errorf("the overview's first run stands for %s, want Monday 08:00", at)
	}
	if at := f.lastSlot(t, plan.JobMinistryDigest); !at.Equal(monday) {
		t.Errorf("the monthly digest's first run stands for %s, want only itself", at)
	}
	if again := f.plan(t, false); len(again) != 0 || f.outboxSize(t) != queued {
		t.Errorf("the same heartbeat again planned %v", again)
	}
	f.now = monday.Add(time.Hour) // Monday 08:00: the reminders' slot, not the overview's
	got = f.plan(t, false)
	if got[plan.JobCoordinatorDigest] != 0 || got[plan.JobMinistryDigest] != 0 {
		t.Errorf("at 08:00: %v, want no digest again", got)
	}
	if at := f.lastSlot(t, plan.JobReminders); !at.Equal(monday.Add(time.Hour)) {
		t.Errorf("reminders' last slot %s after 08:00", at)
	}
	if !strings.Contains(f.logs.String(), `msg="slot ran" job=reminders slot=2027-01-04T08:00:00Z`) {
		t.Errorf("the slot is not logged:\n%s", f.logs)
	}
}

// A dry run (followup preview) says what is due and writes nothing: no
// message queued, no slot moved.
func TestPlanAtDryRunWritesNothing(t *testing.T) {
	f := newPlanFixture(t, "")
	f.plan(t, false)
	queued := f.outboxSize(t)
	f.now = monday.AddDate(0, 0, 7).Add(time.Hour) // the next Monday 08:00
	got := f.plan(t, true)
	if got[plan.JobCoordinatorDigest] != 1 {
		t.Errorf("dry run: %v, want the overview", got)
	}
	if n := f.outboxSize(t); n != queued {
		t.Errorf("a dry run queued %d messages", n-queued)
	}
	if at := f.lastSlot(t, plan.JobCoordinatorDigest); !at.Equal(monday.Add(time.Hour)) {
		t.Errorf("a dry run moved the overview's slot to %s", at)
	}
}

// After a downtime the latest missed slot within the grace window runs
// once; older ones are counted in the log. After a downtime longer than
// the grace window nothing runs: the window's start is recorded, said
// once.
func TestPlanAtAfterDowntime(t *testing.T) {
	f := newPlanFixture(t, "")
	f.plan(t, false)
	// Down from Monday to Wednesday 10:00: Tuesday's and Wednesday's
	// 08:00 reminders were missed; Wednesday's runs.
	f.now = time.Date(2027, 1, 6, 10, 0, 0, 0, time.UTC)
	got := f.plan(t, false)
	if at := f.lastSlot(t, plan.JobReminders); !at.Equal(time.Date(2027, 1, 6, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("reminders ran for %s, want Wednesday 08:00 (planned %v)", at, got)
	}
	if !strings.Contains(f.logs.String(), `msg="missed slots skipped; running the latest once" job=reminders`) {
		t.Errorf("the missed slot is not logged:\n%s", f.logs)
	}
	// Down for three weeks: every missed slot is older than 36 hours
	// except the latest weekday's.
	f.now = time.Date(2027, 1, 31, 12, 0, 0, 0, time.UTC) // a Sunday: the last weekday 08:00 is 53 h old
	queued := f.outboxSize(t)
	got = f.plan(t, false)
	if got[plan.JobReminders] != 0 || got[plan.JobCoordinatorDigest] != 0 {
		t.Errorf("after three weeks down: %v, want nothing older than the grace window", got)
	}
	if f.outboxSize(t) != queued {
		t.Errorf("slots older than the grace window queued messages")
	}
	if at, want := f.lastSlot(t, plan.JobReminders), f.now.Add(-f.cfg.Schedules.Grace); !at.Equal(want) {
		t.Errorf("the skipped reminders are recorded at %s, want the grace window's start %s", at, want)
	}
	if !strings.Contains(f.logs.String(), `msg="missed slots are older than the grace window; skipped" job=reminders`) {
		t.Errorf("the skip is not logged:\n%s", f.logs)
	}
	if again := f.plan(t, false); len(again) != 0 || strings.Count(f.logs.String(), "older than the grace window; skipped\" job=reminders") != 1 {
		t.Errorf("the skipped slots were looked at again: %v", again)
	}
}

// A dry run past missed slots logs what it would skip and records
// nothing.
func TestPlanAtDryRunSkipRecordsNothing(t *testing.T) {
	f := newPlanFixture(t, "")
	f.plan(t, false)
	f.now = time.Date(2027, 1, 31, 12, 0, 0, 0, time.UTC)
	f.plan(t, true)
	if at := f.lastSlot(t, plan.JobReminders); !at.Equal(monday) {
		t.Errorf("a dry run recorded the skip: %s", at)
	}
}

// A database that cannot be read fails the heartbeat's planning with the
// error, and plans nothing.
func TestPlanAtDatabaseGone(t *testing.T) {
	f := newPlanFixture(t, "")
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}
	msgs, err := PlanAt(context.Background(), f.db, f.planner, f.now, false, f.logger)
	if err == nil || len(msgs) != 0 {
		t.Errorf("PlanAt on a closed database: %d messages, %v", len(msgs), err)
	}
}

// Spec maps each job to its schedule, and Next walks it on the wall
// clock.
func TestSpecAndNext(t *testing.T) {
	cfg := config.Default()
	for job, want := range map[string]string{
		plan.JobReminders: cfg.Schedules.Reminders.Spec, plan.JobCoordinatorDigest: cfg.Schedules.CoordinatorDigest.Spec,
		plan.JobMinistryDigest: cfg.Schedules.MinistryDigest.Spec,
	} {
		if got := Spec(cfg, job).Spec; got != want {
			t.Errorf("Spec(%s) = %q, want %q", job, got, want)
		}
	}
	if got := Next(Spec(cfg, plan.JobCoordinatorDigest).Schedule, monday); !got.Equal(monday.Add(time.Hour)) {
		t.Errorf("Next overview after Monday 07:00 = %s", got)
	}
}

// The daemon's clock end to end: a heartbeat on a fake clock whose
// rounds run the due slots and deliver through a real SMTP server in
// process, as cmd/followup builds it. Each planned message reaches the
// relay once, the heartbeat is recorded at each beat, and a day later the
// weekday reminders' slot has run.
func TestHeartbeatPlansAndDelivers(t *testing.T) {
	srv := smtptest.Start(t)
	f := newPlanFixture(t, fmt.Sprintf("127.0.0.1:%d", srv.Port))
	clock := clockwork.NewFakeClockAt(monday)
	f.planner.Now = clock.Now
	tr, err := notify.TransportFor(f.cfg, f.logger)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), f.db.Path(), store.Options{Now: clock.Now, Location: f.cfg.Location})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	courier := delivery.NewCourier(db, clock.Now, f.logger)
	rounds := make(chan int, 10)
	var hb *Heartbeat
	hb, err = New(Options{Clock: clock, Logger: f.logger, Location: f.cfg.Location, Interval: time.Hour,
		Alive: func(ctx context.Context) error { return db.Heartbeat(ctx, os.Getpid()) },
		Work: func(ctx context.Context) {
			planned, err := PlanAt(ctx, db, f.planner, clock.Now(), false, f.logger)
			if err != nil {
				t.Error(err)
			}
			hb.Progress()
			if _, err := courier.Deliver(ctx, tr, f.cfg.Mail.Retry); err != nil {
				t.Error(err)
			}
			rounds <- len(planned)
		},
		StopTimeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	courier.Progress = hb.Progress
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hb.Run(ctx) }()
	wait := func() int {
		t.Helper()
		select {
		case n := <-rounds:
			return n
		case <-time.After(20 * time.Second):
			t.Fatalf("no round:\n%s", f.logs)
		}
		return 0
	}
	first := wait()
	if first == 0 || len(srv.Messages()) != first {
		t.Fatalf("first round planned %d, the relay holds %d", first, len(srv.Messages()))
	}
	total := first
	for h := 1; h <= 25; h++ {
		bctx, bcancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := clock.BlockUntilContext(bctx, 1); err != nil {
			t.Fatalf("hour %d: no timer:\n%s", h, f.logs)
		}
		bcancel()
		clock.Advance(time.Hour)
		total += wait()
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	seen := map[string]int{}
	for _, m := range srv.Messages() {
		seen[m.MessageID]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s received %d times", id, n)
		}
	}
	if len(seen) != total {
		t.Errorf("the relay holds %d messages, %d were planned", len(seen), total)
	}
	if at := f.lastSlot(t, plan.JobReminders); !at.Equal(monday.Add(25 * time.Hour)) {
		t.Errorf("Tuesday's reminders' slot: %s", at)
	}
	if at, _, err := db.LastHeartbeat(context.Background()); err != nil || !at.Equal(monday.Add(25*time.Hour)) {
		t.Errorf("last heartbeat %s, %v", at, err)
	}
	st, err := db.Delivery(context.Background())
	if err != nil || st.State != store.DeliveryOK {
		t.Errorf("delivery state %+v, %v", st, err)
	}
}
