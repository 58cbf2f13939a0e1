package scheduler

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/store"
)

// logBuffer is a log sink several goroutines write to.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// beatFixture runs a Heartbeat on a fake clock whose Alive records into a
// real database, as the daemon's does.
type beatFixture struct {
	t      *testing.T
	clock  *clockwork.FakeClock
	db     *store.DB
	hb     *Heartbeat
	logs   *logBuffer
	rounds chan time.Time // the clock's time at each round's start
	beats  chan time.Time // the clock's time at each heartbeat recorded (or not)
	cancel context.CancelFunc
	done   chan error
	err    error // Run's, once stopped
	ended  bool
}

var beatStart = time.Date(2027, 1, 4, 7, 0, 0, 0, time.UTC)

// newBeat starts a heartbeat every minute; work, when not nil, runs in
// each round after the round is reported on f.rounds.
func newBeat(t *testing.T, stall time.Duration, work func(ctx context.Context, f *beatFixture)) *beatFixture {
	t.Helper()
	f := &beatFixture{t: t, clock: clockwork.NewFakeClockAt(beatStart), logs: &logBuffer{}, rounds: make(chan time.Time, 100),
		beats: make(chan time.Time, 100), done: make(chan error, 1)}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "followup.db"), store.Options{Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f.db = db
	f.hb, err = New(Options{
		Clock: f.clock, Logger: slog.New(slog.NewTextHandler(f.logs, nil)), Interval: time.Minute, Stall: stall,
		Alive: func(ctx context.Context) error {
			err := db.Heartbeat(ctx, os.Getpid())
			f.beats <- f.clock.Now()
			return err
		},
		Work: func(ctx context.Context) {
			f.rounds <- f.clock.Now()
			if work != nil {
				work(ctx, f)
			}
		},
		StopTimeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	go func() { f.done <- f.hb.Run(ctx) }()
	t.Cleanup(func() { _ = f.stop() })
	return f
}

// round waits for the next round and returns the clock's time at its
// start.
func (f *beatFixture) round() time.Time {
	f.t.Helper()
	select {
	case at := <-f.rounds:
		return at
	case <-time.After(10 * time.Second):
		f.t.Fatalf("no round:\n%s", f.logs)
	}
	return time.Time{}
}

// noRound checks that no round starts for a moment (real time: the
// heartbeat has nothing to wait for).
func (f *beatFixture) noRound() {
	f.t.Helper()
	select {
	case at := <-f.rounds:
		f.t.Fatalf("a round ran at %s", at)
	case <-time.After(100 * time.Millisecond):
	}
}

// advance waits until gocron armed its timer and moves the clock by d.
func (f *beatFixture) advance(d time.Duration) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.clock.BlockUntilContext(ctx, 1); err != nil {
		f.t.Fatalf("the heartbeat's timer was never armed:\n%s", f.logs)
	}
	f.clock.Advance(d)
}

// beat waits for the next heartbeat to be recorded and returns the
// clock's time then.
func (f *beatFixture) beat() time.Time {
	f.t.Helper()
	select {
	case at := <-f.beats:
		return at
	case <-time.After(10 * time.Second):
		f.t.Fatalf("no heartbeat:\n%s", f.logs)
	}
	return time.Time{}
}

// waitLog waits until the log says want.
func (f *beatFixture) waitLog(want string) {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(f.logs.String(), want) {
		if time.Now().After(deadline) {
			f.t.Fatalf("the log never said %q:\n%s", want, f.logs)
		}
		time.Sleep(time.Millisecond)
	}
}

func (f *beatFixture) lastBeat() time.Time {
	f.t.Helper()
	at, pid, err := f.db.LastHeartbeat(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	if at.IsZero() || pid != strconv.Itoa(os.Getpid()) {
		f.t.Fatalf("heartbeat at %v by %q", at, pid)
	}
	return at
}

// stop stops the heartbeat and returns Run's error.
func (f *beatFixture) stop() error {
	f.cancel()
	if f.ended {
		return f.err
	}
	select {
	case f.err = <-f.done:
		f.ended = true
	case <-time.After(10 * time.Second):
		f.t.Fatalf("Run did not return:\n%s", f.logs)
	}
	return f.err
}

// The first beat comes at once and starts a round; each interval after
// it records the heartbeat at the clock's time and starts the next round.
func TestHeartbeatBeatsAndRuns(t *testing.T) {
	f := newBeat(t, 0, nil)
	if at := f.round(); !at.Equal(beatStart) {
		t.Errorf("the first round at %s, want at once (%s)", at, beatStart)
	}
	if at := f.beat(); !at.Equal(beatStart) || !f.lastBeat().Equal(beatStart) {
		t.Errorf("the first heartbeat at %s", at)
	}
	for i := 1; i <= 3; i++ {
		f.advance(time.Minute)
		want := beatStart.Add(time.Duration(i) * time.Minute)
		f.beat()
		if at := f.round(); !at.Equal(want) {
			t.Errorf("round %d at %s, want %s", i, at, want)
		}
		if at := f.lastBeat(); !at.Equal(want) {
			t.Errorf("heartbeat %d at %s, want %s", i, at, want)
		}
	}
	// Half an interval: no beat.
	f.advance(30 * time.Second)
	f.noRound()
	if err := f.stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
}

// A round that takes many intervals (a slow relay) does not stop the
// heartbeat: "alive" is recorded at every beat while it runs, no second
// round runs beside it, and one round follows it for the beats it
// covered (issue 20, case 5).
func TestHeartbeatRecordedWhileALongRoundRuns(t *testing.T) {
	release := make(chan struct{})
	first := true
	f := newBeat(t, 10*time.Minute, func(ctx context.Context, f *beatFixture) {
		if !first {
			return
		}
		first = false
		for {
			select {
			case <-release:
				return
			case <-time.After(time.Millisecond):
				f.hb.Progress() // a message's outcome recorded
			}
		}
	})
	f.round()
	f.beat()
	for i := 1; i <= 5; i++ {
		f.advance(time.Minute)
		want := beatStart.Add(time.Duration(i) * time.Minute)
		f.beat()
		if at := f.lastBeat(); !at.Equal(want) {
			t.Fatalf("while the round runs, the heartbeat is %s, want %s:\n%s", at, want, f.logs)
		}
	}
	f.noRound()
	close(release)
	if at := f.round(); !at.Equal(beatStart.Add(5 * time.Minute)) {
		t.Errorf("the round after the long one at %s", at)
	}
	f.noRound()
}

// A round that makes no progress for longer than Stall is stuck: the
// heartbeat is no longer recorded (a supervisor watching it should act),
// said once in the log; once the round moves again, beats are recorded
// again.
func TestHeartbeatNotRecordedWhileStuck(t *testing.T) {
	release := make(chan struct{})
	first := true
	f := newBeat(t, 3*time.Minute, func(ctx context.Context, f *beatFixture) {
		if first {
			first = false
			<-release
		}
	})
	f.round()
	f.beat()
	for i := 1; i <= 3; i++ {
		f.advance(time.Minute)
		f.beat()
	}
	// Stuck since 07:00: the beats at 07:01 to 07:03 are recorded, the
	// ones after are not.
	f.advance(time.Minute)
	f.waitLog("made no progress for too long")
	if at := f.lastBeat(); !at.Equal(beatStart.Add(3 * time.Minute)) {
		t.Errorf("a stuck daemon's heartbeat is %s, want 07:03", at)
	}
	close(release)
	f.round() // the beats that came while it ran asked for one more
	f.advance(time.Minute)
	if at := f.beat(); !at.Equal(beatStart.Add(5*time.Minute)) || !f.lastBeat().Equal(at) {
		t.Errorf("after the round ended the heartbeat is %s, want 07:05:\n%s", at, f.logs)
	}
	logs := f.logs.String()
	if n := strings.Count(logs, "made no progress for too long"); n != 1 {
		t.Errorf("%d log lines about the stall, want 1:\n%s", n, logs)
	}
	if !strings.Contains(logs, "makes progress again") {
		t.Errorf("the recovery is not logged:\n%s", logs)
	}
}

// A reloaded config changes the interval: the next beat comes the new
// interval after the last one.
func TestHeartbeatSetInterval(t *testing.T) {
	f := newBeat(t, 0, nil)
	f.round()
	if err := f.hb.SetInterval(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if got := f.hb.Interval(); got != 10*time.Second {
		t.Errorf("Interval = %s", got)
	}
	if err := f.hb.SetInterval(10 * time.Second); err != nil { // the same: nothing to do
		t.Fatal(err)
	}
	f.advance(10 * time.Second)
	if at := f.round(); !at.Equal(beatStart.Add(10 * time.Second)) {
		t.Errorf("the round after the change at %s", at)
	}
	if err := f.hb.SetInterval(0); err == nil {
		t.Error("a zero interval was accepted")
	}
}

// A round that panics is logged with its stack; the daemon goes on and
// the next beat runs the next round.
func TestHeartbeatRoundPanics(t *testing.T) {
	n := 0
	f := newBeat(t, 0, func(ctx context.Context, f *beatFixture) {
		if n++; n == 1 {
			panic("a bug")
		}
	})
	f.round()
	f.advance(time.Minute)
	if at := f.round(); !at.Equal(beatStart.Add(time.Minute)) {
		t.Errorf("the round after the panic at %s", at)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "a round of work panicked") || !strings.Contains(logs, "a bug") || !strings.Contains(logs, "heartbeat_test.go") {
		t.Errorf("the panic is not logged with its stack:\n%s", logs)
	}
}

// Stopping cancels the round in flight and waits for it to end.
func TestHeartbeatStopWaitsForTheRound(t *testing.T) {
	ended := make(chan struct{})
	f := newBeat(t, 0, func(ctx context.Context, f *beatFixture) {
		<-ctx.Done()
		time.Sleep(50 * time.Millisecond) // the message in flight
		close(ended)
	})
	f.round()
	err := f.stop()
	select {
	case <-ended:
	default:
		t.Fatal("Run returned before the round ended")
	}
	if err != nil {
		t.Errorf("Run: %v", err)
	}
}

// A round that does not end within StopTimeout is reported.
func TestHeartbeatStopTimesOut(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	f := newBeat(t, 0, func(ctx context.Context, f *beatFixture) { <-release })
	f.round()
	if err := f.stop(); err == nil || !strings.Contains(err.Error(), "did not stop in time") {
		t.Errorf("Run: %v, want the round reported", err)
	}
}

// A heartbeat that cannot be recorded is logged once, and again once it
// can be after it could not.
func TestHeartbeatAliveFails(t *testing.T) {
	f := newBeat(t, 0, nil)
	f.round()
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}
	f.advance(time.Minute)
	f.beat()
	f.round()
	f.advance(time.Minute)
	f.beat()
	f.round()
	if n := strings.Count(f.logs.String(), "could not record the heartbeat"); n != 1 {
		t.Errorf("%d log lines, want 1:\n%s", n, f.logs)
	}
}

func TestNewRefusesIncompleteOptions(t *testing.T) {
	work := func(context.Context) {}
	alive := func(context.Context) error { return nil }
	for _, o := range []Options{
		{Interval: 0, Alive: alive, Work: work},
		{Interval: time.Minute, Work: work},
		{Interval: time.Minute, Alive: alive},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}
