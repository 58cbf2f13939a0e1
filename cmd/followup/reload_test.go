package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/internal/smtptest"
)

// TestReloadNeverLoadsHalfAFile (issue 10, case 5): the config is written
// in place in two steps, and the first half is valid YAML on its own (no
// mail section: every default, mail to .eml files). A heartbeat between
// the two steps must not load it: a changed file is loaded once it stayed
// the same for a heartbeat.
func TestReloadNeverLoadsHalfAFile(t *testing.T) {
	srv := smtptest.Start(t)
	dir := t.TempDir()
	cfg := writeFaultConfig(t, dir, srv.Port)
	fc := clockwork.NewFakeClockAt(faultStart())
	td := startDaemon(t, cfg, fc, nil)
	full, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(full), `reminders: "0 8 * * *"`, `reminders: "30 7 * * *"`, 1)
	half := edited[:strings.Index(edited, "\nmail:")+1]
	f, err := os.OpenFile(cfg, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(half); err != nil {
		t.Fatal(err)
	}
	td.advanceTo(faultStart().Add(time.Minute)) // the editor is still writing
	if tr := td.d.Config().Mail.Transport; tr != "smtp" {
		t.Errorf("half a config file was loaded: mail goes by %q", tr)
	}
	if _, err := f.WriteString(edited[len(half):]); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for i := 2; i <= 3; i++ {
		td.advanceTo(faultStart().Add(time.Duration(i) * time.Minute))
		if tr := td.d.Config().Mail.Transport; tr != "smtp" {
			t.Errorf("half a config file was loaded: mail goes by %q", tr)
		}
	}
	if got := td.d.Config().Schedules.Reminders.Spec; got != "30 7 * * *" {
		t.Errorf("the whole file was not loaded: reminders %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "mail")); err == nil {
		t.Errorf("messages were written to .eml files")
	}
	if strings.Contains(td.logs.String(), "changes where mail goes") {
		t.Errorf("a reload changed where mail goes:\n%s", td.logs)
	}
}

// TestReloadThatMovesMailIsWarned (issue 10, case 5): a reload that sends
// mail elsewhere (here to .eml files) and drops a recipient is a WARN with
// the difference, and is kept in mail_changes for the next overview.
func TestReloadThatMovesMailIsWarned(t *testing.T) {
	srv := smtptest.Start(t)
	dir := t.TempDir()
	cfg := writeFaultConfig(t, dir, srv.Port)
	fc := clockwork.NewFakeClockAt(faultStart())
	td := startDaemon(t, cfg, fc, nil)
	setConfig(t, cfg, "transport: smtp", "transport: file")
	setConfig(t, cfg, "{name: H, email: health@example.org}", "{name: H, email: sante@example.org}")
	td.reload <- struct{}{}
	td.advanceTo(faultStart().Add(time.Minute))
	td.advanceTo(faultStart().Add(2 * time.Minute))
	// Switching the transport is held until the admin confirms it
	// (issue 20, case 3); followup config apply shows the change first.
	if tr := td.d.Config().Mail.Transport; tr != "smtp" {
		t.Fatalf("a transport switch was applied without confirmation: %q", tr)
	}
	if !strings.Contains(td.logs.String(), "config reload held") || !strings.Contains(td.logs.String(), `switches mail.transport \"smtp\" -> \"file\"`) {
		t.Errorf("the held reload is not logged:\n%s", tail(td.logs.String(), 2000))
	}
	c := &cli{t: t, dir: dir, env: map[string]string{}, now: td.clock.Now()}
	out := c.mustRun("config", "apply", "--config", cfg)
	for _, want := range []string{`mail.transport: "smtp" -> "file"`, "recipient removed: health@example.org (moh)", "recipient added: sante@example.org (moh)",
		"the daemon holds this file until it is confirmed: it switches mail.transport", "confirmed: the daemon, followup run (pid "} {
		if !strings.Contains(out, want) {
			t.Errorf("config apply does not say %q:\n%s", want, out)
		}
	}
	td.advanceTo(faultStart().Add(3 * time.Minute))
	if tr := td.d.Config().Mail.Transport; tr != "file" {
		t.Fatalf("the confirmed config was not loaded: transport %q\n%s", tr, td.logs)
	}
	logs := td.logs.String()
	var warn string
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, "level=WARN") && strings.Contains(l, "changes where mail goes") {
			warn = l
		}
	}
	for _, want := range []string{`mail.transport: \"smtp\" -> \"file\"`, "recipient removed: health@example.org (moh)"} {
		if !strings.Contains(warn, want) {
			t.Errorf("the WARN line does not say %q: %q", want, warn)
		}
	}
	if strings.Contains(warn, "sante@") {
		t.Errorf("an added recipient is listed as a change: %q", warn)
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "followup.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	var summary string
	if err := db.QueryRow(`SELECT COUNT(*), MAX(summary) FROM mail_changes WHERE reported_at IS NULL`).Scan(&n, &summary); err != nil {
		t.Fatal(err)
	}
	if n != 1 || !strings.Contains(summary, "mail.transport") || !strings.Contains(summary, "health@example.org") {
		t.Errorf("mail_changes: %d rows, %q", n, summary)
	}
	// The next overview (Monday 11 January, 09:00, now an .eml file) tells
	// the coordinator, and the change is then reported: the overview
	// after it does not repeat it.
	td.advanceTo(time.Date(2027, 1, 11, 9, 0, 0, 0, faultStart().Location()))
	overviews := func() []string {
		var out []string
		files, _ := filepath.Glob(filepath.Join(dir, "mail", "*.eml"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "X-Followup-Key: coordinator-digest:") {
				out = append(out, string(b))
			}
		}
		return out
	}
	ov := overviews()
	if len(ov) != 1 {
		t.Fatalf("%d overviews written, want 1:\n%s", len(ov), tail(td.logs.String(), 2000))
	}
	for _, want := range []string{"WHERE MAIL GOES", `mail.transport: "smtp" -> "file"`, "recipient removed: health@example.org (moh)"} {
		if !strings.Contains(ov[0], want) {
			t.Errorf("the overview does not say %q:\n%s", want, tail(ov[0], 3000))
		}
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM mail_changes WHERE reported_at IS NULL`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d mail changes still unreported after the overview was delivered (%v)", n, err)
	}
	td.advanceTo(time.Date(2027, 1, 18, 9, 0, 0, 0, faultStart().Location()))
	ov = overviews()
	if n := strings.Count(strings.Join(ov, ""), "WHERE MAIL GOES"); len(ov) != 2 || n != 1 {
		t.Errorf("the change is reported %d times in %d overviews, want once in 2", n, len(ov))
	}
}
