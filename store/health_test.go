package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// healthRows is what Health and MailState must not write: the daemon's
// state and the outbox's rows.
func healthRows(t *testing.T, db *DB) string {
	t.Helper()
	var s string
	if err := db.db.raw.QueryRow(`SELECT (SELECT COUNT(*) || ':' || COALESCE(group_concat(key || '=' || value || '@' || since || '/' || at, ';'), '') FROM daemon_state)
		|| ' ' || (SELECT COUNT(*) || ':' || COALESCE(group_concat(id || status || attempts, ';'), '') FROM outbox)`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestHeartbeatLate: three beats and a minute.
func TestHeartbeatLate(t *testing.T) {
	for beat, want := range map[time.Duration]time.Duration{
		time.Minute: 4 * time.Minute, 30 * time.Second: 150 * time.Second, 0: time.Minute,
	} {
		if got := HeartbeatLate(beat); got != want {
			t.Errorf("HeartbeatLate(%s) = %s, want %s", beat, got, want)
		}
	}
}

// TestHealthWithoutDaemon: with no daemon, the database is not alive
// ("stopped") yet not stuck while nothing waits; messages that wait, a
// failing or stopped delivery and a held reload each make it stuck with
// their own line; the dashboard's MailState says the same cheaper.
// Reading writes nothing.
func TestHealthWithoutDaemon(t *testing.T) {
	db, c := openTest(t)
	ctx := context.Background()
	h, err := db.Health(ctx, time.Minute, c.t)
	if err != nil {
		t.Fatal(err)
	}
	if h.Running || h.Alive || h.NotAlive != "stopped" || !h.Going || h.Stuck || h.Problems != nil || h.Pending != 0 ||
		!h.LastHeartbeat.IsZero() || h.HeldReload != nil || h.Delivery.State != "" {
		t.Errorf("a new database: %+v", h)
	}
	m, err := db.MailState(ctx, time.Minute, c.t)
	if err != nil || m.Alive || !m.Going || m.Waiting != 0 || m.HeldReload != nil || !m.LastHeartbeat.IsZero() {
		t.Errorf("a new database's mail state: %+v, %v", m, err)
	}

	queued := c.t
	for _, key := range []string{"a", "b", "c", "d", "e"} {
		if _, _, err := db.Enqueue(ctx, OutboxMessage{Key: key, Kind: "digest", Recipient: "ncmc", Subject: "S", MessageID: key + "@x",
			From: "f@x.org", To: []string{"a@x.org", "gone@x.org"}, Raw: []byte("body")}); err != nil {
			t.Fatal(err)
		}
		c.t = c.t.Add(time.Minute)
	}
	// a is sent but for one refused recipient, b failed, c uncertain; d and
	// e wait.
	claimed, err := db.ClaimKeys(ctx, []string{"a", "b", "c"})
	if err != nil || len(claimed) != 3 {
		t.Fatalf("claim: %+v, %v", claimed, err)
	}
	ids := map[string]int64{}
	for _, m := range claimed {
		ids[m.Key] = m.ID
	}
	if err := db.MarkSentExcept(ctx, ids["a"], "250 ok", []RecipientFailure{{Address: "gone@x.org", Code: 550, Error: "no such user"}}, c.t); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkFailed(ctx, ids["b"], "550 refused"); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkUncertain(ctx, ids["c"], "connection lost after DATA"); err != nil {
		t.Fatal(err)
	}
	failing := c.t
	if err := db.SetDeliveryState(ctx, DeliveryFailing, "dial tcp 192.0.2.1:25: connection refused"); err != nil {
		t.Fatal(err)
	}
	if err := db.HoldReload(ctx, "h1", []string{"it drops moj"}); err != nil {
		t.Fatal(err)
	}
	rows := healthRows(t, db)
	c.t = c.t.Add(time.Hour)
	h, err = db.Health(ctx, time.Minute, c.t)
	if err != nil {
		t.Fatal(err)
	}
	if h.Alive || h.NotAlive != "stopped" || h.Going || !h.Stuck || h.Pending != 2 || !h.OldestPending.Equal(queued.Add(3*time.Minute)) ||
		h.Failed != 1 || h.Uncertain != 1 || h.Refused != 1 || len(h.RefusedLatest) != 1 || h.RefusedLatest[0].Address != "gone@x.org" ||
		h.HeldReload == nil || h.HeldReload.Hash != "h1" {
		t.Errorf("with mail waiting: %+v", h)
	}
	want := []string{
		"delivery failing since 2027-01-04 01:05:00 UTC: dial tcp 192.0.2.1:25: connection refused",
		"no daemon is running and 2 messages wait (the oldest since 2027-01-04 01:03:00 UTC): start followup run",
		"a config reload is held since 2027-01-04 01:05:00 UTC (it drops moj): see followup config diff, then followup config apply",
	}
	if !slices.Equal(h.Problems, want) {
		t.Errorf("problems:\n got %q\nwant %q", h.Problems, want)
	}
	if !h.Delivery.Since.Equal(failing) {
		t.Errorf("failing since %s, want %s", h.Delivery.Since, failing)
	}
	m, err = db.MailState(ctx, time.Minute, c.t)
	if err != nil || m.Alive || m.Going || m.Waiting != 2 || m.Delivery.State != DeliveryFailing || m.HeldReload == nil {
		t.Errorf("mail state with mail waiting: %+v, %v", m, err)
	}

	if got := healthRows(t, db); got != rows {
		t.Errorf("reading the health wrote:\n%s\nwas\n%s", got, rows)
	}
	if err := db.SetDeliveryState(ctx, DeliveryStopped, "disk I/O error"); err != nil {
		t.Fatal(err)
	}
	rows = healthRows(t, db)
	h, err = db.Health(ctx, time.Minute, c.t)
	if err != nil || h.Going || len(h.Problems) != 3 ||
		h.Problems[0] != "delivery stopped since 2027-01-04 02:05:00 UTC (outcomes cannot be recorded; is the disk full?): disk I/O error" {
		t.Errorf("delivery stopped: %q, %v", h.Problems, err)
	}
	if m, err := db.MailState(ctx, time.Minute, c.t); err != nil || m.Going || m.Delivery.State != DeliveryStopped {
		t.Errorf("mail state with delivery stopped: %+v, %v", m, err)
	}
	if got := healthRows(t, db); got != rows {
		t.Errorf("reading the health wrote:\n%s\nwas\n%s", got, rows)
	}
}

// TestHealthOfRunningDaemon: a daemon that holds the database is alive
// while its heartbeat is at most HeartbeatLate old, as another process
// (followup status, /healthz) sees it; later, or before its first beat,
// it is not ("heartbeat"), and only a late beat is a problem.
func TestHealthOfRunningDaemon(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "followup.db")
	c := &clock{time.Date(2027, 1, 4, 1, 0, 0, 0, time.UTC)}
	daemon, err := Open(ctx, path, Options{Now: c.now, Lock: "followup run"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { daemon.Close() })
	status, err := Open(ctx, path, Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { status.Close() })

	h, err := status.Health(ctx, time.Minute, c.t)
	if err != nil || !h.Running || h.Holder.PID != os.Getpid() || h.Holder.Command != "followup run" || h.Alive || h.NotAlive != "heartbeat" ||
		h.Stuck || h.Problems != nil || !h.Going {
		t.Errorf("before the first beat: %+v, %v", h, err)
	}
	if err := daemon.Heartbeat(ctx, 4242); err != nil {
		t.Fatal(err)
	}
	beat := c.t
	if _, _, err := daemon.Enqueue(ctx, OutboxMessage{Key: "k", Kind: "digest", Recipient: "ncmc", Subject: "S", MessageID: "k@x",
		From: "f@x.org", To: []string{"a@x.org"}, Raw: []byte("body")}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at    time.Time
		alive bool
	}{{beat, true}, {beat.Add(4 * time.Minute), true}, {beat.Add(4*time.Minute + time.Second), false}} {
		h, err := status.Health(ctx, time.Minute, c.at)
		if err != nil {
			t.Fatal(err)
		}
		// A message waits for a daemon that runs: mail is still going.
		if h.Alive != c.alive || !h.Going || h.Pending != 1 || !h.LastHeartbeat.Equal(beat) {
			t.Errorf("at %s: %+v", c.at, h)
		}
		if c.alive && (h.NotAlive != "" || h.Stuck) {
			t.Errorf("alive at %s, yet %+v", c.at, h)
		}
		if !c.alive && (h.NotAlive != "heartbeat" || !h.Stuck || len(h.Problems) != 1 ||
			h.Problems[0] != fmt.Sprintf("the daemon (pid %d) has not beaten since 2027-01-04 01:00:00 UTC", os.Getpid())) {
			t.Errorf("late at %s: %+v", c.at, h)
		}
		m, err := status.MailState(ctx, time.Minute, c.at)
		if err != nil || m.Alive != c.alive || !m.Going || m.Waiting != 1 || !m.LastHeartbeat.Equal(beat) {
			t.Errorf("mail state at %s: %+v, %v", c.at, m, err)
		}
	}
	// With a heartbeat of 30s, a beat 2m31s old is late.
	if h, _ := status.Health(ctx, 30*time.Second, beat.Add(151*time.Second)); h.Alive {
		t.Errorf("late for a 30s heartbeat: %+v", h)
	}
}

// TestStamp: times in problems are UTC to the second; a zero time is
// "never".
func TestStamp(t *testing.T) {
	if got := stamp(time.Time{}); got != "never" {
		t.Errorf("zero: %q", got)
	}
	at := time.Date(2027, 1, 4, 9, 30, 5, 999, time.FixedZone("ICT", 7*3600))
	if got := stamp(at); got != "2027-01-04 02:30:05 UTC" {
		t.Errorf("stamp = %q", got)
	}
}
