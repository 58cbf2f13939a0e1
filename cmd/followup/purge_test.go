package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/internal/smtptest"
	"github.com/followup-app/followup/store"
)

// TestSessionsPurgedByTheHeartbeat (issue 21): the daemon's heartbeat,
// not a ticker of the web server's own, deletes the web sessions that
// ended more than 90 days ago: at its first round, then once a day of the
// daemon's clock. Sessions that ended since, or are open, stay.
func TestSessionsPurgedByTheHeartbeat(t *testing.T) {
	srv := smtptest.Start(t)
	dir := t.TempDir()
	cfg := writeFaultConfig(t, dir, srv.Port)
	c := &cli{t: t, dir: dir, env: map[string]string{}, now: faultStart()}
	c.mustRun("import", "--config", cfg, filepath.Join(dir, "co.txt"))
	loaded, err := config.Load(cfg, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, loaded.Database, store.Options{Now: faultStart})
	if err != nil {
		t.Fatal(err)
	}
	for id, expires := range map[string]time.Time{
		"ended-100-days-ago": faultStart().AddDate(0, 0, -100),
		"ended-10-days-ago":  faultStart().AddDate(0, 0, -10),
		"open":               faultStart().AddDate(0, 0, 200),
	} {
		if err := db.CreateSession(ctx, store.Session{IDHash: id, FocalPoint: "justice@example.org", Body: "moj", Expires: expires}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	left := func() string {
		rows := queryString(t, roState(t, dir), `SELECT id_hash FROM web_sessions ORDER BY id_hash`)
		return strings.ReplaceAll(rows, "\n", " ")
	}
	fc := clockwork.NewFakeClockAt(faultStart())
	td := startDaemon(t, cfg, fc, nil)
	if got := left(); got != "ended-10-days-ago open" {
		t.Errorf("after the first round: %s", got)
	}
	// The next rounds: the one that ended 10 days before the start goes once it is 90 days old.
	td.advanceTo(faultStart().Add(time.Minute))
	td.advanceTo(faultStart().AddDate(0, 0, 81))
	if got := left(); got != "open" {
		t.Errorf("81 days on: %s", got)
	}
	if n := strings.Count(td.logs.String(), "deleted sessions that ended long ago"); n != 2 {
		t.Errorf("%d purges logged, want 2:\n%s", n, tail(td.logs.String(), 2000))
	}
}
