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

// status runs followup status at now and returns stdout, stderr and the
// exit status.
func status(t *testing.T, cfg string, now time.Time) (string, string, int) {
	t.Helper()
	c := &cli{t: t, dir: t.TempDir(), env: map[string]string{}, now: now}
	return c.run("status", "--config", cfg)
}

// The relay is down when the daemon starts, then comes back: followup
// status shows the last heartbeat and the failing delivery, a daemon that
// stopped beating is a problem, and the recovery is one INFO line, not
// one per heartbeat (issue 10, health of delivery).
func TestStatusHeartbeatFailingThenRecovered(t *testing.T) {
	srv := smtptest.Start(t)
	srv.Stop()
	dir := t.TempDir()
	fc := clockwork.NewFakeClockAt(faultStart())
	cfg := writeFaultConfig(t, dir, srv.Port)
	td := startDaemon(t, cfg, fc, nil)

	out, errs, code := status(t, cfg, fc.Now())
	for _, want := range []string{"running: followup run (pid ", "last heartbeat:  2027-01-04 07:00:00 +07 (0s ago)", "delivery:        FAILING since 2027-01-04 07:00:00 +07",
		"last error:", "connection refused"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if code != 1 || !strings.Contains(errs, "delivery failing since 2027-01-04 00:00:00 UTC") {
		t.Errorf("status: exit %d, stderr %q", code, errs)
	}
	// Ten minutes without a heartbeat (1m apart): the daemon holds the
	// database but does nothing, and status says so.
	_, errs, code = status(t, cfg, fc.Now().Add(10*time.Minute))
	if code != 1 || !strings.Contains(errs, "has not beaten since 2027-01-04 00:00:00 UTC") {
		t.Errorf("a stale heartbeat: exit %d, stderr %q", code, errs)
	}
	if _, errs, _ = status(t, cfg, fc.Now().Add(90*time.Second)); strings.Contains(errs, "has not beaten") {
		t.Errorf("a heartbeat 90 s old is called stale: %q", errs)
	}

	// The relay comes back: everything goes out, and one INFO line says
	// delivery works again, however many heartbeats follow.
	srv.Restart()
	for i := 1; i <= 15; i++ {
		td.advanceTo(faultStart().Add(time.Duration(i) * time.Minute))
	}
	if st := outboxStatuses(t, dir); countStatus(st, "sent") != len(st) {
		t.Fatalf("after the relay came back: %v\n%s", st, tail(td.logs.String(), 2000))
	}
	logs := td.logs.String()
	if n := strings.Count(logs, `level=INFO msg="delivery works again"`); n != 1 {
		t.Errorf("%d \"delivery works again\" lines, want 1:\n%s", n, tail(logs, 3000))
	}
	if n := strings.Count(logs, `level=ERROR msg="delivery failing`); n != 1 {
		t.Errorf("%d \"delivery failing\" ERROR lines, want 1 (once per change of state)", n)
	}
	out, errs, code = status(t, cfg, fc.Now())
	if code != 0 || !strings.Contains(out, "delivery:        ok since 2027-01-04 07:") || !strings.Contains(out, "last heartbeat:  2027-01-04 07:15:00 +07") {
		t.Errorf("after recovery: exit %d\n%s%s", code, out, errs)
	}
}

// Delivery recorded as stopped (outcomes could not be written): followup
// status says so, with the error and the likely cause, and exits 1.
func TestStatusDeliveryStopped(t *testing.T) {
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
	db, err := store.Open(ctx, loaded.Database, store.Options{Now: faultStart, Location: loaded.Location})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetDeliveryState(ctx, store.DeliveryStopped, "record delivery outcomes: database or disk is full"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	out, errs, code := status(t, cfg, faultStart().Add(5*time.Minute))
	if !strings.Contains(out, "delivery:        STOPPED since 2027-01-04 07:00:00 +07 (5m ago)") ||
		!strings.Contains(out, "last error:      record delivery outcomes: database or disk is full") {
		t.Errorf("status:\n%s", out)
	}
	if code != 1 || !strings.Contains(errs, "delivery stopped since 2027-01-04 00:00:00 UTC (outcomes cannot be recorded; is the disk full?)") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

// TestStatusWithoutMailSecrets (issue 20, case 8): followup status reads
// the state and never logs in, so it runs where the SMTP password's
// variable is unset and its file unreadable (cron, a monitoring agent):
// no config error, the daemon and delivery reported, and no session
// opened with the relay.
func TestStatusWithoutMailSecrets(t *testing.T) {
	srv := smtptest.Start(t)
	for _, tc := range []struct{ name, smtp string }{
		{"password_env unset", "username: followup, password_env: SMTP_PASSWORD"},
		{"password_file unreadable", "username: followup, password_file: /nonexistent/smtp-password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeFaultConfig(t, dir, srv.Port)
			c := &cli{t: t, dir: dir, env: map[string]string{"SMTP_PASSWORD": "secret"}, now: faultStart()}
			c.mustRun("import", "--config", cfg, filepath.Join(dir, "co.txt")) // with the original config: no secret needed
			setConfig(t, cfg, "timeout: 2s}", "timeout: 2s, "+tc.smtp+"}")
			sessions := srv.Sessions()
			c.env = map[string]string{} // cron's environment
			out, errs, code := c.run("status", "--config", cfg)
			if code != 0 || errs != "" {
				t.Fatalf("status without the secrets: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
			}
			for _, want := range []string{"daemon:          not running", "delivery:        never attempted", "waiting:         nothing"} {
				if !strings.Contains(out, want) {
					t.Errorf("status does not say %q:\n%s", want, out)
				}
			}
			if out, _, code := c.run("status", "--config", cfg, "--json"); code != 0 || !strings.Contains(out, `"running": false`) {
				t.Errorf("status --json: exit %d\n%s", code, out)
			}
			if n := srv.Sessions() - sessions; n != 0 {
				t.Errorf("status opened %d sessions with the relay", n)
			}
			// The daemon still needs them: it logs in.
			if _, errs, code := c.run("run", "--config", cfg); code != 1 || !strings.Contains(errs, "mail.smtp.password") {
				t.Errorf("run without the secret: exit %d, %q", code, errs)
			}
		})
	}
}
