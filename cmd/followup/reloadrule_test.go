package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/internal/smtptest"
	"github.com/followup-app/followup/store"
)

// roState reads the database as another process would.
func roState(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "followup.db")+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func queryString(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	var out []string
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, "\n")
}

// TestReloadNeverAppliesAHalfWrittenFile (issue 20, case 3): a real daemon
// (a heartbeat a second) while its config is rewritten in place by a
// writer that pauses 0.05, 0.25, 1 and 5 s in mid-file, cut at a line
// break before the mail section and inside a line, with SIGHUP sent
// during each pause and once the file is whole. Whatever the daemon reads
// during the pause (by SIGHUP, or by its heartbeat), it
// never applies it: no task changes owner (no task event is written), no
// recipient is dropped, mail never goes to .eml files; the held file is
// said in the log. Each whole file is then applied, once.
func TestReloadNeverAppliesAHalfWrittenFile(t *testing.T) {
	srv := smtptest.Start(t)
	dir := t.TempDir()
	cfg := writeFaultConfig(t, dir, srv.Port)
	setConfig(t, cfg, "heartbeat: 1m", "heartbeat: 1s")
	p := startProc(t, "run", "--config", cfg)
	p.waitLog(t, `msg=ready`, 30*time.Second)
	db := roState(t, dir)
	owners := func() string { return queryString(t, db, `SELECT id, owner FROM tasks ORDER BY id`) }
	events := func() string { return queryString(t, db, `SELECT COUNT(*) FROM task_events`) }
	applied := func() string { return queryString(t, db, `SELECT value FROM daemon_state WHERE key = 'config'`) }
	deadline := time.Now().Add(20 * time.Second)
	for queryString(t, db, `SELECT COUNT(*) FROM outbox WHERE status = 'sent'`) == "0" && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond) // the first round planned and delivered
	}
	ownersBefore, eventsBefore := owners(), events()
	if !strings.Contains(ownersBefore, "moj") || !strings.Contains(ownersBefore, "moh") {
		t.Fatalf("the tasks have no owners to lose:\n%s", ownersBefore)
	}
	base, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	specs := []string{`reminders: "0 8 * * *"`, `reminders: "30 7 * * *"`}
	edits := 0
	for _, pause := range []time.Duration{50 * time.Millisecond, 250 * time.Millisecond, time.Second, 5 * time.Second} {
		for _, cut := range []string{"line break before mail", "inside a line"} {
			edits++
			full := strings.Replace(string(base), specs[0], specs[edits%2], 1)
			at := strings.Index(full, "\nmail:") + 1
			if cut == "inside a line" {
				at = strings.Index(full, "{id: moh,") + 12 // in the middle of the ministry of health's line
			}
			f, err := os.OpenFile(cfg, os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(full[:at]); err != nil {
				t.Fatal(err)
			}
			if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
			time.Sleep(pause)
			if _, err := f.WriteString(full[at:]); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			// The admin, done, reloads (the heartbeats would too, a
			// second or two later).
			if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(20 * time.Second)
			for applied() != full && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if applied() != full {
				t.Fatalf("pause %s, cut %s: the whole file was not applied:\n%s", pause, cut, tail(p.logs.String(), 3000))
			}
			if o, e := owners(), events(); o != ownersBefore || e != eventsBefore {
				t.Errorf("pause %s, cut %s: owners or task events changed (%s events, were %s)", pause, cut, e, eventsBefore)
			}
		}
	}
	logs := p.logs.String()
	if n := strings.Count(logs, `msg="config reloaded"`); n != edits {
		t.Errorf("%d reloads applied for %d edits: a part of a file was applied\n%s", n, edits, tail(logs, 4000))
	}
	if strings.Contains(logs, "changes where mail goes") {
		t.Errorf("a reload changed where mail goes")
	}
	if _, err := os.Stat(filepath.Join(dir, "mail")); err == nil {
		t.Errorf("messages were written to .eml files")
	}
	// The long pauses were seen: the half files were held, not applied.
	if !strings.Contains(logs, "config reload held") {
		t.Errorf("no reload was held: the test did not show the rule at work\n%s", tail(logs, 4000))
	}
	if held := queryString(t, db, `SELECT COUNT(*) FROM daemon_state WHERE key = 'reload_held'`); held != "0" {
		t.Errorf("a held reload is still recorded after the whole file was applied")
	}
}

// TestConfigDiffAndApply (issue 20, case 3): an edit that moves more than
// a tenth of the tasks to another owner and drops a ministry is held: the
// log says so, followup status shows it (exit 1), and the daemon keeps
// the owners. followup config diff shows the tasks that change owner and
// the recipients removed, and writes nothing; followup config apply shows
// the same and confirms, and the next heartbeat applies it. Then status
// is back to 0.
func TestConfigDiffAndApply(t *testing.T) {
	srv := smtptest.Start(t)
	dir := t.TempDir()
	cfg := writeFaultConfig(t, dir, srv.Port)
	fc := clockwork.NewFakeClockAt(faultStart())
	td := startDaemon(t, cfg, fc, nil)
	db := roState(t, dir)
	ownersBefore := queryString(t, db, `SELECT id, owner FROM tasks ORDER BY id`)
	// moh goes; its rule's keywords move to moe.
	setConfig(t, cfg, "  - {id: moh, name: Ministry of Health, focal_points: [{name: H, email: health@example.org}]}\n", "")
	setConfig(t, cfg, "    - {ministry: moh, keywords: [resources, information, reports]}", "    - {ministry: moe, keywords: [resources, information, reports]}")
	td.advanceTo(faultStart().Add(time.Minute))
	td.advanceTo(faultStart().Add(2 * time.Minute))
	if _, ok := td.d.Config().Ministry("moh"); !ok {
		t.Fatal("an edit that moves many tasks was applied without confirmation")
	}
	if o := queryString(t, db, `SELECT id, owner FROM tasks ORDER BY id`); o != ownersBefore {
		t.Errorf("owners changed while the reload is held")
	}
	if !strings.Contains(td.logs.String(), "config reload held") {
		t.Errorf("the hold is not logged:\n%s", tail(td.logs.String(), 2000))
	}
	out, errs, code := status(t, cfg, fc.Now())
	if code != 1 || !strings.Contains(out, "reload held:") || !strings.Contains(out, "it drops ministries[moh]") ||
		!strings.Contains(errs, "a config reload is held since 2027-01-04 00:02:00 UTC") || !strings.Contains(out, "mail going out:  yes") {
		t.Errorf("status with a held reload: exit %d\n%s%s", code, out, errs)
	}
	c := &cli{t: t, dir: dir, env: map[string]string{}, now: fc.Now()}
	before := fileHash(t, filepath.Join(dir, "followup.db"))
	diff := c.mustRun("config", "diff", "--config", cfg)
	for _, want := range []string{"settings dropped:  ministries[moh]", "recipient removed: health@example.org (moh)", "tasks:",
		"change owner", "moh -> moe", "the daemon holds this file until it is confirmed", "changes the owner of",
		"if it is the file you meant, run: followup config apply"} {
		if !strings.Contains(diff, want) {
			t.Errorf("config diff does not say %q:\n%s", want, diff)
		}
	}
	if after := fileHash(t, filepath.Join(dir, "followup.db")); after != before {
		t.Errorf("config diff wrote to the database")
	}
	apply := c.mustRun("config", "apply", "--config", cfg)
	if !strings.Contains(apply, "moh -> moe") || !strings.Contains(apply, "confirmed: the daemon, followup run (pid ") {
		t.Errorf("config apply:\n%s", apply)
	}
	td.advanceTo(faultStart().Add(3 * time.Minute))
	if _, ok := td.d.Config().Ministry("moh"); ok {
		t.Fatalf("the confirmed edit was not applied:\n%s", tail(td.logs.String(), 2000))
	}
	if n := queryString(t, db, `SELECT COUNT(*) FROM tasks WHERE owner = 'moh'`); n != "0" {
		t.Errorf("%s tasks still owned by moh after the edit was applied", n)
	}
	if out, errs, code := status(t, cfg, fc.Now()); code != 0 || strings.Contains(out, "reload held") {
		t.Errorf("status after apply: exit %d\n%s%s", code, out, errs)
	}
	if out := c.mustRun("config", "diff", "--config", cfg); !strings.Contains(out, "this is the config in force") {
		t.Errorf("config diff after apply:\n%s", out)
	}
}

// TestConfigDiffRefusals: config diff without a file, on a database no
// daemon recorded a config in, and on a broken file: one clear line each,
// exit 1 or 2, nothing written.
func TestConfigDiffRefusals(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFaultConfig(t, dir, 2525)
	c := &cli{t: t, dir: dir, env: map[string]string{}, now: faultStart()}
	if _, errs, code := c.run("config", "diff"); code != 2 || !strings.Contains(errs, "expected the config FILE") {
		t.Errorf("no file: exit %d, %q", code, errs)
	}
	c.mustRun("import", "--config", cfg, filepath.Join(dir, "co.txt"))
	if _, errs, code := c.run("config", "apply", "--config", cfg); code != 1 || !strings.Contains(errs, "no config in force is recorded") {
		t.Errorf("no daemon ever ran: exit %d, %q", code, errs)
	}
	setConfig(t, cfg, "heartbeat: 1m", "heartbeat: often")
	if _, errs, code := c.run("config", "diff", "--config", cfg); code != 1 || !strings.Contains(errs, "schedules.heartbeat") {
		t.Errorf("a broken file: exit %d, %q", code, errs)
	}
	ctx := context.Background()
	loaded, err := config.Load(filepath.Join(dir, "followup.yaml"), config.LoadOptions{NoSecrets: true})
	if err == nil {
		t.Fatalf("the broken file loads: %v", loaded)
	}
	sdb, err := store.Open(ctx, filepath.Join(dir, "followup.db"), store.Options{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	if h, err := sdb.ReloadConfirmed(ctx); err != nil || h != "" {
		t.Errorf("a refused apply confirmed %q (%v)", h, err)
	}
}
