package main

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/internal/smtptest"
)

// heartbeatAt reads the daemon's last heartbeat from the database.
func heartbeatAt(t *testing.T, dir string) time.Time {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "followup.db")+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var at int64
	if err := db.QueryRow(`SELECT at FROM daemon_state WHERE key = 'heartbeat'`).Scan(&at); err != nil {
		t.Fatal(err)
	}
	return time.Unix(at, 0)
}

// beatTo moves the daemon's fake clock to at and waits until the
// heartbeat there is recorded, whatever the round of work is doing.
func (td *testDaemon) beatTo(dir string, at time.Time) {
	td.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := td.clock.BlockUntilContext(ctx, 1); err != nil {
		td.t.Fatalf("the heartbeat timer was never armed:\n%s", td.logs)
	}
	td.clock.Advance(at.Sub(td.clock.Now()))
	deadline := time.Now().Add(10 * time.Second)
	for !heartbeatAt(td.t, dir).Equal(at) {
		if time.Now().After(deadline) {
			td.t.Fatalf("no heartbeat recorded at %s (last %s):\n%s", at, heartbeatAt(td.t, dir), tail(td.logs.String(), 3000))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// healthz fetches the daemon's /healthz.
func (td *testDaemon) healthz() (int, string) {
	td.t.Helper()
	res, err := http.Get("http://" + td.web + "/healthz")
	if err != nil {
		td.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		td.t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// TestSlowRelayIsAlive (issue 20, case 5): while one delivery batch
// takes ten minutes (a relay that takes its time over each message), the
// daemon records its heartbeat at every beat: followup status says it is
// alive and that mail is going out (exit 0), and /healthz says ok. A
// supervisor acting on them leaves it alone, and every message goes out
// once.
func TestSlowRelayIsAlive(t *testing.T) {
	srv := smtptest.Start(t)
	gate := make(chan struct{})
	srv.SetHook(func(c smtptest.Call) error {
		if c.Cmd == "DATA" && c.N == 1 {
			<-gate // the relay works on the first message for ten minutes
		}
		return nil
	})
	dir := t.TempDir()
	cfg := writeFaultConfig(t, dir, srv.Port)
	setConfig(t, cfg, "timeout: 2s", "timeout: 20m")
	fc := clockwork.NewFakeClockAt(faultStart())
	// The heartbeat at start runs the first round, which blocks in the
	// relay: startDaemon's wait for its report would too.
	ctx, cancel := context.WithCancel(context.Background())
	td := &testDaemon{t: t, clock: fc, ticks: make(chan tickReport, 1000), cancel: cancel, done: make(chan int, 1), logs: &syncBuffer{},
		reload: make(chan struct{}, 1)}
	started := make(chan *app, 1)
	e := &environment{stdout: td.logs, stderr: td.logs, getenv: func(string) string { return "" }, reload: td.reload, now: fc.Now,
		daemonHooks: &daemonHooks{clock: fc, afterTick: func(r tickReport) { td.ticks <- r }, started: func(a *app) { started <- a },
			webAddr: func(a string) { td.web = a }}}
	go func() { td.done <- run(ctx, []string{"run", "--config", cfg, "--log-level", "info"}, e) }()
	select {
	case td.d = <-started:
	case <-time.After(20 * time.Second):
		t.Fatalf("the daemon did not start:\n%s", td.logs)
	}
	defer func() {
		select {
		case <-gate:
		default:
			close(gate)
		}
		td.stop()
	}()
	for i := 1; i <= 10; i++ {
		td.beatTo(dir, faultStart().Add(time.Duration(i)*time.Minute))
	}
	out, errs, code := status(t, cfg, fc.Now())
	if code != 0 {
		t.Errorf("status while a slow batch runs: exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"alive:           yes", "mail going out:  yes", "last heartbeat:  2027-01-04 07:10:00 +07 (0s ago)"} {
		if !strings.Contains(out, want) {
			t.Errorf("status does not say %q:\n%s", want, out)
		}
	}
	if code, body := td.healthz(); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz while a slow batch runs: %d %q", code, body)
	}
	close(gate)
	r := td.wait(faultStart())
	if r.Err != nil {
		t.Errorf("the slow round: %v", r.Err)
	}
	st := outboxStatuses(t, dir)
	if countStatus(st, "sent") != len(st) || len(st) == 0 {
		t.Errorf("after the slow batch: %v", st)
	}
	if seen := receivedOnce(t, srv); len(seen) != len(st) {
		t.Errorf("%d messages received, %d in the outbox", len(seen), len(st))
	}
}

// TestRelayRefusingEverythingIsFailing (issue 20, cases 5 and 6): a relay
// that answers and refuses every message for ten minutes. Nothing has
// failed for good yet (each message waits for its next attempt), but
// followup status says delivery is failing since the first refusals, with
// the relay's reply, and exits 1; the daemon is alive, and /healthz stays
// ok (restarting the daemon would not help); /metrics says delivery
// fails and since when. Then the relay takes mail again: each message
// goes out once, and status is back to 0.
func TestRelayRefusingEverythingIsFailing(t *testing.T) {
	srv := smtptest.Start(t)
	refuse := make(chan bool, 1)
	refuse <- true
	srv.SetHook(func(c smtptest.Call) error {
		r := <-refuse
		refuse <- r
		if r && c.Cmd == "MAIL" {
			return smtptest.Reply(451, "4.3.0 queue full, try later")
		}
		return nil
	})
	dir := t.TempDir()
	cfg := writeFaultConfig(t, dir, srv.Port)
	setConfig(t, cfg, "retry: {initial: 1m, max: 10m, max_attempts: 3}", "retry: {initial: 1m, max: 10m, max_attempts: 10}")
	fc := clockwork.NewFakeClockAt(faultStart())
	td := startDaemon(t, cfg, fc, nil)
	for i := 1; i <= 10; i++ {
		td.advanceTo(faultStart().Add(time.Duration(i) * time.Minute))
	}
	st := outboxStatuses(t, dir)
	if countStatus(st, "pending") != len(st) || len(st) == 0 {
		t.Fatalf("after ten minutes of refusals: %v (none failed yet, all wait)", st)
	}
	out, errs, code := status(t, cfg, fc.Now())
	if code != 1 || !strings.Contains(errs, "delivery failing since 2027-01-04 00:00:00 UTC") {
		t.Errorf("status: exit %d, stderr %q", code, errs)
	}
	for _, want := range []string{"alive:           yes", "delivery:        FAILING since 2027-01-04 07:00:00 +07 (10m ago)",
		"last error:      the relay refuses every message; its last reply:", "451", "queue full",
		"mail going out:  NO: delivery failing since", "waiting:         7 messages"} {
		if !strings.Contains(out, want) {
			t.Errorf("status does not say %q:\n%s", want, out)
		}
	}
	if code, body := td.healthz(); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: %d %q, want the liveness check ok", code, body)
	}
	res, err := http.Get("http://" + td.web + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{"followup_delivery_failing 1\n", "followup_delivery_failing_seconds 600\n"} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	<-refuse
	refuse <- false
	for i := 11; i <= 25; i++ {
		td.advanceTo(faultStart().Add(time.Duration(i) * time.Minute))
	}
	st = outboxStatuses(t, dir)
	if countStatus(st, "sent") != len(st) {
		t.Fatalf("after the relay took mail again: %v\n%s", st, tail(td.logs.String(), 3000))
	}
	if seen := receivedOnce(t, srv); len(seen) != len(st) {
		t.Errorf("%d messages received, %d in the outbox", len(seen), len(st))
	}
	if out, errs, code := status(t, cfg, fc.Now()); code != 0 || !strings.Contains(out, "mail going out:  yes") {
		t.Errorf("status after recovery: exit %d\n%s%s", code, out, errs)
	}
}
