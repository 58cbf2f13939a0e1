package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/internal/smtptest"
)

// faultConfig is a small setup for delivery tests: the initial run at
// start sends one reminder or digest per ministry (the deadlines are a
// day away), so every test starts with a known batch.
const faultConfig = `time_zone: Asia/Vientiane
database: followup.db
documents: [co.txt]
coordinator:
  id: coord
  name: Coordinating body
  focal_points: [{name: Secretariat, email: coord@example.org}]
ministries:
  - {id: moj, name: Ministry of Justice, focal_points: [{name: J, email: justice@example.org}]}
  - {id: moe, name: Ministry of Education, focal_points: [{name: E, email: education@example.org}]}
  - {id: moh, name: Ministry of Health, focal_points: [{name: H, email: health@example.org}]}
stages:
  - {id: assigned, next: [done], deadline: import + 1d}
  - {id: done, final: true}
assignment:
  rules:
    - {ministry: moj, keywords: [law, regulations]}
    - {ministry: moe, keywords: [registration, ratify]}
    - {ministry: moh, keywords: [resources, information, reports]}
schedules:
  reminders: "0 8 * * *"
  coordinator_digest: "0 9 * * 1"
  ministry_digest: "0 8 1 * *"
  heartbeat: 1m
digests: {send_empty: true}
mail:
  from: followup@example.org
  transport: smtp
  smtp: {host: 127.0.0.1, port: PORT, tls: none, timeout: 2s}
  retry: {initial: 1m, max: 10m, max_attempts: 3}
`

func writeFaultConfig(t *testing.T, dir string, port int) string {
	t.Helper()
	co, err := os.ReadFile(fixtureCO)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "co.txt"), co, 0o644)
	path := filepath.Join(dir, "followup.yaml")
	cfg := strings.Replace(faultConfig, "PORT", strconv.Itoa(port), 1)
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func outboxStatuses(t *testing.T, dir string) map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "followup.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT key, status FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, s string
		rows.Scan(&k, &s)
		out[k] = s
	}
	return out
}

func countStatus(m map[string]string, status string) int {
	n := 0
	for _, s := range m {
		if s == status {
			n++
		}
	}
	return n
}

// The start of a fault test: 2027-01-04 07:00 in Vientiane, a Monday.
func faultStart() time.Time {
	loc, _ := time.LoadLocation("Asia/Vientiane")
	return time.Date(2027, 1, 4, 7, 0, 0, 0, loc)
}

func TestDeliveryTemporaryThenSuccess(t *testing.T) {
	srv := smtptest.Start(t)
	// 421 at the first MAIL and 451 at the next RCPT: the relay is busy.
	srv.SetHook(func(c smtptest.Call) error {
		switch {
		case c.Cmd == "MAIL" && c.N == 1:
			return smtptest.Reply(421, "too busy, come back later")
		case c.Cmd == "RCPT" && c.N == 1:
			return smtptest.Reply(451, "greylisted")
		}
		return nil
	})
	dir := t.TempDir()
	fc := clockwork.NewFakeClockAt(faultStart())
	td := startDaemon(t, writeFaultConfig(t, dir, srv.Port), fc, nil)
	first := countStatus(outboxStatuses(t, dir), "sent")
	for i := 1; i <= 20; i++ {
		td.advanceTo(faultStart().Add(time.Duration(i) * time.Minute))
	}
	st := outboxStatuses(t, dir)
	if countStatus(st, "sent") != len(st) {
		t.Fatalf("statuses after retries: %v (sent at first: %d)", st, first)
	}
	seen := map[string]int{}
	for _, m := range srv.Messages() {
		seen[m.MessageID]++
	}
	if len(seen) != len(st) {
		t.Errorf("%d distinct messages received, %d in the outbox", len(seen), len(st))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s received %d times", id, n)
		}
	}
}

func TestDeliveryPermanentFailureIsReported(t *testing.T) {
	srv := smtptest.Start(t)
	srv.SetHook(func(c smtptest.Call) error {
		if c.Cmd == "RCPT" && c.Arg == "education@example.org" {
			return smtptest.Reply(550, "no such mailbox")
		}
		return nil
	})
	dir := t.TempDir()
	fc := clockwork.NewFakeClockAt(faultStart())
	cfg := writeFaultConfig(t, dir, srv.Port)
	td := startDaemon(t, cfg, fc, nil)
	st := outboxStatuses(t, dir)
	if countStatus(st, "failed") != 2 { // moe's reminder and digest
		t.Fatalf("statuses = %v", st)
	}
	// The next coordinator digest (Monday 11 January, 09:00) reports them.
	td.advanceTo(time.Date(2027, 1, 11, 9, 0, 0, 0, faultStart().Location()))
	var digest string
	for _, m := range srv.Messages() {
		if strings.Contains(m.Subject, "Overview") {
			digest = m.Text
		}
	}
	if !strings.Contains(digest, "no such mailbox") || !strings.Contains(digest, "education@example.org") {
		t.Errorf("the coordinator digest does not report the failure:\n%s", tail(digest, 3000))
	}
	// Reported once only: the next digest does not list the same failed
	// message again (later reminders to the same address fail and are
	// reported in their turn).
	if !strings.Contains(digest, "Ministry of Education: overview of 4 January 2027") {
		t.Fatalf("the failed digest to the ministry is not in the report:\n%s", tail(digest, 3000))
	}
	td.advanceTo(time.Date(2027, 1, 18, 9, 0, 0, 0, faultStart().Location()))
	n := 0
	for _, m := range srv.Messages() {
		if strings.Contains(m.Text, "Ministry of Education: overview of 4 January 2027") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the failed digest was reported in %d coordinator digests, want 1", n)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func TestDeliveryRelayDownForAnHour(t *testing.T) {
	srv := smtptest.Start(t)
	srv.Stop() // the relay is down when the daemon starts
	dir := t.TempDir()
	fc := clockwork.NewFakeClockAt(faultStart())
	// Every failed connection counts an attempt: a budget that lasts the
	// hour (1, 2, 4, 8, then 10 minutes apart: about 8 attempts).
	cfg := writeFaultConfig(t, dir, srv.Port)
	setConfig(t, cfg, "max_attempts: 3", "max_attempts: 12")
	td := startDaemon(t, cfg, fc, nil)
	for i := 1; i <= 60; i++ {
		r := td.advanceTo(faultStart().Add(time.Duration(i) * time.Minute))
		_ = r
	}
	st := outboxStatuses(t, dir)
	if countStatus(st, "sent") != 0 || countStatus(st, "failed") != 0 || countStatus(st, "pending") != len(st) {
		t.Fatalf("while the relay was down: %v", st)
	}
	srv.Restart()
	for i := 61; i <= 75; i++ {
		td.advanceTo(faultStart().Add(time.Duration(i) * time.Minute))
	}
	st = outboxStatuses(t, dir)
	if countStatus(st, "sent") != len(st) {
		t.Fatalf("after the relay came back: %v\n%s", st, td.logs)
	}
	if got := len(srv.Messages()); got != len(st) {
		t.Errorf("received %d messages, want %d", got, len(st))
	}
}

func TestDeliveryConnectionDroppedMidMessage(t *testing.T) {
	srv := smtptest.Start(t)
	srv.SetHook(func(c smtptest.Call) error {
		if c.Cmd == "DATA" && c.N == 2 {
			io.CopyN(io.Discard, c.Data, 100) // part of the message, then the line goes dead
			return smtptest.Drop
		}
		return nil
	})
	dir := t.TempDir()
	fc := clockwork.NewFakeClockAt(faultStart())
	td := startDaemon(t, writeFaultConfig(t, dir, srv.Port), fc, nil)
	for i := 1; i <= 10; i++ {
		td.advanceTo(faultStart().Add(time.Duration(i) * time.Minute))
	}
	st := outboxStatuses(t, dir)
	// Whether the drop reaches the client while it is still writing (the
	// message never ended: sent again, once) or only when it waits for the
	// reply (its fate unknown: uncertain, not sent again blindly) depends
	// on the network; either way nothing is sent twice and the rest goes.
	uncertain := countStatus(st, "uncertain")
	if uncertain > 1 || countStatus(st, "sent") != len(st)-uncertain {
		t.Fatalf("statuses = %v", st)
	}
	seen := map[string]int{}
	for _, m := range srv.Messages() {
		seen[m.MessageID]++
		if seen[m.MessageID] > 1 {
			t.Errorf("%s received twice", m.MessageID)
		}
	}
	if len(seen) != len(st)-uncertain {
		t.Errorf("%d messages received, want %d", len(seen), len(st)-uncertain)
	}
}

// TestHardKillMidBatch kills a separate followup process with SIGKILL
// while the relay holds its third message, then starts the daemon again:
// nothing is lost, nothing is sent twice, and the message that was in
// flight is marked uncertain and reported in the next coordinator digest.
func TestHardKillMidBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "followup")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	srv := smtptest.Start(t)
	held := make(chan struct{})
	release := make(chan struct{})
	srv.SetHook(func(c smtptest.Call) error {
		if c.Cmd == "DATA" && c.N == 3 {
			if err := c.Accept(); err != nil { // the whole message arrives...
				return err
			}
			close(held)
			<-release // ...and the reply never leaves before the kill
			return smtptest.Handled
		}
		return nil
	})
	dir := t.TempDir()
	cfg := writeFaultConfig(t, dir, srv.Port)
	cmd := exec.Command(bin, "run", "--config", cfg)
	cmd.Env = append(os.Environ(), "FOLLOWUP_WEB_LISTEN=127.0.0.1:0")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, bufio.NewReader(stderr))
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the third message never arrived")
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	close(release)

	st := outboxStatuses(t, dir)
	total := len(st)
	if countStatus(st, "sent") != 2 || countStatus(st, "sending") != total-2 {
		t.Fatalf("after the kill: %v", st)
	}
	// Start again (in-process, on a clock a little later than the kill).
	fc := clockwork.NewFakeClockAt(time.Now().Add(time.Minute))
	td := startDaemon(t, cfg, fc, nil)
	st = outboxStatuses(t, dir)
	if countStatus(st, "uncertain") != 1 || countStatus(st, "sent") != total-1 {
		t.Fatalf("after the restart: %v", st)
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
		// The one in flight did reach the relay (it accepted the data); the
		// daemon cannot know and does not send it again.
		t.Errorf("%d messages received, want %d", len(seen), total)
	}
	// The coordinator digest sent by hand now reports the uncertain one.
	// The daemon holds the database: send queues the digest, and the
	// daemon sends it at its next heartbeat.
	c := &cli{t: t, dir: dir, env: map[string]string{}, now: fc.Now()}
	if out := c.mustRun("send", "digest", "--to", "coordinator", "--config", cfg); !strings.Contains(out, "the daemon, followup run (pid ") {
		t.Errorf("send while the daemon runs says:\n%s", out)
	}
	td.advanceTo(fc.Now().Add(time.Minute))
	last := srv.Messages()[len(srv.Messages())-1]
	if !strings.Contains(last.Text, "uncertain") && !strings.Contains(last.Text, "may have") {
		t.Errorf("the digest does not report the uncertain delivery:\n%s", tail(last.Text, 2500))
	}
	td.stop()
}

// TestGracefulStop: a stop request while a message is on the wire lets
// that message finish, leaves the rest pending, and closes the database.
func TestGracefulStop(t *testing.T) {
	srv := smtptest.Start(t)
	inData := make(chan struct{}, 1)
	srv.SetHook(func(c smtptest.Call) error {
		if c.Cmd == "DATA" && c.N == 1 {
			inData <- struct{}{}
			time.Sleep(300 * time.Millisecond) // the stop request arrives now
		}
		return nil
	})
	dir := t.TempDir()
	cfg := writeFaultConfig(t, dir, srv.Port)
	ctx, cancel := context.WithCancel(context.Background())
	fc := clockwork.NewFakeClockAt(faultStart())
	done := make(chan int, 1)
	logs := &syncBuffer{}
	e := &environment{stdout: logs, stderr: logs, getenv: func(string) string { return "" }, now: fc.Now,
		daemonHooks: &daemonHooks{clock: fc}}
	go func() { done <- run(ctx, []string{"run", "--config", cfg}, e) }()
	select {
	case <-inData:
	case <-time.After(20 * time.Second):
		t.Fatalf("no message on the wire:\n%s", logs)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the daemon did not stop")
	}
	st := outboxStatuses(t, dir)
	if countStatus(st, "sent") != 1 || countStatus(st, "sending") != 0 || countStatus(st, "pending") != len(st)-1 {
		t.Errorf("after a stop: %v", st)
	}
	// The database was closed cleanly: no WAL left to replay.
	if fi, err := os.Stat(filepath.Join(dir, "followup.db-wal")); err == nil && fi.Size() > 0 {
		t.Errorf("the WAL holds %d bytes after a clean stop", fi.Size())
	}
}

// TestReloadRefusesBrokenConfig: an invalid new config is refused with the
// error logged, the old one stays in force; a valid one takes over.
func TestReload(t *testing.T) {
	srv := smtptest.Start(t)
	dir := t.TempDir()
	cfg := writeFaultConfig(t, dir, srv.Port)
	fc := clockwork.NewFakeClockAt(faultStart())
	td := startDaemon(t, cfg, fc, nil)
	good, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(good), `reminders: "0 8 * * *"`, `reminders: "CRON_TZ=UTC"`, 1)), 0o644)
	td.reload <- struct{}{}
	// SIGHUP reloads at once; the heartbeats would too, the second time
	// they see the same file: either way it is refused by then.
	td.advanceTo(faultStart().Add(time.Minute))
	td.advanceTo(faultStart().Add(2 * time.Minute))
	if !strings.Contains(td.logs.String(), "config reload refused") || !strings.Contains(td.logs.String(), "time zone prefix without fields") {
		t.Errorf("the refused reload was not logged:\n%s", td.logs)
	}
	if td.d.Config().Schedules.Reminders.Spec != "0 8 * * *" {
		t.Errorf("the broken config took over")
	}
	// A valid edit is noticed by itself, without SIGHUP, once the file
	// stayed the same for a heartbeat.
	os.WriteFile(cfg, []byte(strings.Replace(string(good), `reminders: "0 8 * * *"`, `reminders: "30 7 * * *"`, 1)), 0o644)
	td.advanceTo(faultStart().Add(3 * time.Minute))
	td.advanceTo(faultStart().Add(4 * time.Minute))
	if got := td.d.Config().Schedules.Reminders.Spec; got != "30 7 * * *" {
		t.Errorf("after a valid edit the schedule is %q", got)
	}
}

// setConfig replaces old with new in a config file.
func setConfig(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
}

// One focal point's address refused (550) while the ministry's other focal
// point is accepted: the other gets the reminder, the row is sent, and the
// refused address is recorded and reported in the coordinator's next
// overview, once (issue 10, case 6: the whole message failed before, and
// nobody at the ministry got it).
func TestDeliveryOneFocalPointRefused(t *testing.T) {
	// Without links a ministry's focal points share one message: the relay
	// refuses one recipient of it. With links each gets a message of its
	// own: the refused one's rows fail, the others' are sent.
	for _, listen := range []string{config.WebOff, "127.0.0.1:0"} {
		t.Run("web "+listen, func(t *testing.T) { oneFocalPointRefused(t, listen) })
	}
}

func oneFocalPointRefused(t *testing.T, listen string) {
	srv := smtptest.Start(t)
	srv.SetHook(func(c smtptest.Call) error {
		if c.Cmd == "RCPT" && c.Arg == "education@example.org" {
			return smtptest.Reply(550, "no such mailbox")
		}
		return nil
	})
	dir := t.TempDir()
	fc := clockwork.NewFakeClockAt(faultStart())
	cfg := writeFaultConfig(t, dir, srv.Port)
	setConfig(t, cfg, "[{name: E, email: education@example.org}]", "[{name: E, email: education@example.org}, {name: E2, email: deputy@example.org}]")
	td := startDaemon(t, cfg, fc, map[string]string{"FOLLOWUP_WEB_LISTEN": listen})
	st := outboxStatuses(t, dir)
	for key, status := range st {
		want := "sent"
		if listen != config.WebOff && strings.HasSuffix(key, ":education@example.org") {
			want = "failed"
		}
		if status != want {
			t.Errorf("row %s is %s, want %s", key, status, want)
		}
	}
	got := 0
	for _, m := range srv.Messages() {
		for _, to := range m.To {
			if to == "education@example.org" {
				t.Errorf("the refused address received %q", m.Subject)
			}
			if to == "deputy@example.org" { // the reminder and the ministry's overview
				got++
			}
		}
	}
	if got != 2 {
		t.Fatalf("the other focal point received %d messages, want its reminder and overview", got)
	}
	if listen == config.WebOff && !strings.Contains(td.logs.String(), "recipient refused; the others got the message") {
		t.Errorf("no log line names the refused recipient:\n%s", tail(td.logs.String(), 2000))
	}
	if listen == config.WebOff {
		// followup status counts and names the refused recipient, without
		// calling delivery stuck.
		out, err := exec.Command(binary(t), "status", "--config", cfg).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "(the others got those messages)") ||
			!regexp.MustCompile(`refused education@example.org: smtp RCPT TO:<education@example.org>: 550 .*no such mailbox`).Match(out) {
			t.Errorf("followup status: %v\n%s", err, out)
		}
		out, err = exec.Command(binary(t), "status", "--config", cfg, "--json").Output()
		var h struct {
			Refused int `json:"refused_recipients"`
			Latest  []struct {
				Address string `json:"address"`
				Code    int    `json:"code"`
			} `json:"refused_latest"`
		}
		if err != nil || json.Unmarshal(out, &h) != nil || h.Refused == 0 || len(h.Latest) != h.Refused ||
			h.Latest[0].Address != "education@example.org" || h.Latest[0].Code != 550 {
			t.Errorf("followup status --json: %v, %+v\n%s", err, h, out)
		}
	}
	// The next coordinator overview (Monday 11 January, 09:00) reports the
	// refused address; the one after does not repeat it.
	loc := faultStart().Location()
	td.advanceTo(time.Date(2027, 1, 11, 9, 0, 0, 0, loc))
	overview := func() string {
		var text string
		for _, m := range srv.Messages() {
			if strings.Contains(m.Subject, "Overview") {
				text = m.Text
			}
		}
		return text
	}
	digest := overview()
	if !strings.Contains(digest, "education@example.org") || !strings.Contains(digest, "no such mailbox") {
		t.Fatalf("the overview does not report the refused address:\n%s", tail(digest, 3000))
	}
	td.advanceTo(time.Date(2027, 1, 18, 9, 0, 0, 0, loc))
	n := 0
	for _, m := range srv.Messages() {
		if strings.Contains(m.Subject, "Overview") && strings.Contains(m.Text, "2027-01-04 07:00, to education@example.org") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the refusal of 4 January is in %d overviews, want 1:\n%s", n, tail(overview(), 3000))
	}
}

// runCLI runs one followup command in-process, next to a test daemon.
func runCLI(t *testing.T, now time.Time, args ...string) string {
	t.Helper()
	c := &cli{t: t, dir: t.TempDir(), env: map[string]string{}, now: now}
	return c.mustRun(args...)
}

// The admin corrects a refused address and resends: the message goes to
// the address in force, not to the one that failed (issue 10, case 7: it
// went to the old address again).
func TestResendGoesToTheCorrectedAddress(t *testing.T) {
	srv := smtptest.Start(t)
	srv.SetHook(func(c smtptest.Call) error {
		if c.Cmd == "RCPT" && c.Arg == "education@example.org" {
			return smtptest.Reply(550, "no such mailbox")
		}
		return nil
	})
	dir := t.TempDir()
	fc := clockwork.NewFakeClockAt(faultStart())
	cfg := writeFaultConfig(t, dir, srv.Port)
	td := startDaemon(t, cfg, fc, nil)
	if n := countStatus(outboxStatuses(t, dir), "failed"); n != 2 { // moe's reminder and overview
		t.Fatalf("%d failed rows, want 2", n)
	}
	setConfig(t, cfg, "email: education@example.org", "email: education-office@example.org")
	out := runCLI(t, fc.Now(), "outbox", "resend", "--failed", "--config", cfg)
	if !strings.Contains(out, "2 messages queued again") || !strings.Contains(out, "2 of them to the addresses now in the config") {
		t.Errorf("resend says %q", out)
	}
	td.advanceTo(faultStart().Add(time.Minute))
	if st := outboxStatuses(t, dir); countStatus(st, "sent") != len(st) {
		t.Fatalf("after the resend: %v\n%s", st, tail(td.logs.String(), 2000))
	}
	got := 0
	for _, m := range srv.Messages() {
		if strings.Contains(m.Subject, "Ministry of Education") {
			if fmt.Sprint(m.To) != "[education-office@example.org]" || !strings.Contains(m.Header.Get("To"), "education-office@example.org") {
				t.Errorf("%q went to %v (To: %q)", m.Subject, m.To, m.Header.Get("To"))
			}
			got++
		}
	}
	if got != 2 {
		t.Errorf("the ministry received %d messages, want its reminder and overview", got)
	}
}

// A reminder that failed is planned again by the next sweep, to the
// addresses then in force (issue 10, case 7: its tasks stayed in the
// reminder log under the failed message and were never reminded again).
func TestFailedReminderIsPlannedAgain(t *testing.T) {
	srv := smtptest.Start(t)
	srv.SetHook(func(c smtptest.Call) error {
		if c.Cmd == "RCPT" && c.Arg == "education@example.org" {
			return smtptest.Reply(550, "no such mailbox")
		}
		return nil
	})
	dir := t.TempDir()
	fc := clockwork.NewFakeClockAt(faultStart())
	cfg := writeFaultConfig(t, dir, srv.Port)
	// The deadline is a week away and the only lead time is 7 days: the
	// same reminder (lead:7d) is due on the first and the second day.
	setConfig(t, cfg, "deadline: import + 1d", "deadline: import + 7d")
	setConfig(t, cfg, "schedules:", "reminders: {lead_times: [7d], due_today: false}\nschedules:")
	td := startDaemon(t, cfg, fc, nil)
	db := openRaw(t, filepath.Join(dir, "followup.db"))
	var failedID int64
	if err := db.QueryRow(`SELECT id FROM outbox WHERE kind = 'reminder' AND recipient = 'moe' AND status = 'failed'`).Scan(&failedID); err != nil {
		t.Fatalf("moe's reminder did not fail: %v %v", err, outboxStatuses(t, dir))
	}
	setConfig(t, cfg, "email: education@example.org", "email: education-office@example.org")
	loc := faultStart().Location()
	td.advanceTo(faultStart().Add(time.Minute))
	td.advanceTo(faultStart().Add(2 * time.Minute)) // the edit is loaded
	td.advanceTo(time.Date(2027, 1, 5, 8, 0, 0, 0, loc))
	var again int
	if err := db.QueryRow(`SELECT COUNT(*) FROM reminder_log l JOIN outbox o ON o.id = l.outbox_id
		WHERE o.recipient = 'moe' AND o.kind = 'reminder' AND o.status = 'sent' AND l.kind = 'lead:7d'`).Scan(&again); err != nil {
		t.Fatal(err)
	}
	if again != 2 {
		t.Errorf("%d of moe's tasks reminded again by a delivered reminder, want 2", again)
	}
	var stale int
	if err := db.QueryRow(`SELECT COUNT(*) FROM reminder_log WHERE outbox_id = ?`, failedID).Scan(&stale); err != nil || stale != 0 {
		t.Errorf("%d reminder log rows still point at the failed reminder (%v)", stale, err)
	}
	n := 0
	for _, m := range srv.Messages() {
		if strings.Contains(m.Subject, "Ministry of Education") && fmt.Sprint(m.To) == "[education-office@example.org]" {
			n++
		}
	}
	if n == 0 {
		t.Errorf("the corrected address received nothing")
	}
}

// The overview that reports a failure fails itself: the failure is not
// lost with it; the next overview delivered lists both, and the one after
// that neither (issue 10, case 3: failures were marked reported when the
// overview was written).
func TestFailureListedUntilItsOverviewIsDelivered(t *testing.T) {
	srv := smtptest.Start(t)
	var coordDown atomic.Bool
	srv.SetHook(func(c smtptest.Call) error {
		if c.Cmd == "RCPT" && (c.Arg == "education@example.org" || c.Arg == "coord@example.org" && coordDown.Load()) {
			return smtptest.Reply(550, "no such mailbox")
		}
		return nil
	})
	dir := t.TempDir()
	fc := clockwork.NewFakeClockAt(faultStart())
	td := startDaemon(t, writeFaultConfig(t, dir, srv.Port), fc, nil)
	loc := faultStart().Location()
	const failure = "2027-01-04 07:00, to education@example.org"
	overviews := func() []string {
		var out []string
		for _, m := range srv.Messages() {
			if strings.Contains(m.Subject, "Overview") {
				out = append(out, m.Text)
			}
		}
		return out
	}
	coordDown.Store(true)
	td.advanceTo(time.Date(2027, 1, 11, 9, 0, 0, 0, loc))
	coordDown.Store(false)
	db := openRaw(t, filepath.Join(dir, "followup.db"))
	var st string
	if err := db.QueryRow(`SELECT status FROM outbox WHERE kind = 'coordinator-digest' ORDER BY id DESC LIMIT 1`).Scan(&st); err != nil || st != "failed" {
		t.Fatalf("the overview of 11 January is %q (%v), want failed", st, err)
	}
	td.advanceTo(time.Date(2027, 1, 18, 9, 0, 0, 0, loc))
	ov := overviews()
	last := ov[len(ov)-1]
	if !strings.Contains(last, failure) || !strings.Contains(last, "Overview of 11 January 2027") {
		t.Fatalf("the overview of 18 January does not list the failure of 4 January and the failed overview:\n%s", tail(last, 3000))
	}
	td.advanceTo(time.Date(2027, 1, 25, 9, 0, 0, 0, loc))
	ov = overviews()
	if last = ov[len(ov)-1]; strings.Contains(last, failure) || strings.Contains(last, "Overview of 11 January 2027") {
		t.Errorf("the overview of 25 January repeats what the delivered one of 18 January reported:\n%s", tail(last, 3000))
	}
}
