package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	_ "github.com/mattn/go-sqlite3"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/internal/smtptest"
)

// syncBuffer is a log sink several goroutines write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testDaemon is `followup run` in-process, on a fake clock.
type testDaemon struct {
	t      *testing.T
	clock  *clockwork.FakeClock
	ticks  chan tickReport
	cancel context.CancelFunc
	done   chan int
	logs   *syncBuffer
	reload chan struct{}
	d      *app
	web    string // the web server's address
}

func startDaemon(t *testing.T, cfgPath string, fc *clockwork.FakeClock, env map[string]string) *testDaemon {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	td := &testDaemon{t: t, clock: fc, ticks: make(chan tickReport, 1000), cancel: cancel, done: make(chan int, 1),
		logs: &syncBuffer{}, reload: make(chan struct{}, 1)}
	started := make(chan *app, 1)
	e := &environment{stdout: td.logs, stderr: td.logs, getenv: func(k string) string { return env[k] }, reload: td.reload,
		now: fc.Now, daemonHooks: &daemonHooks{clock: fc, afterTick: func(r tickReport) { td.ticks <- r },
			started: func(d *app) { started <- d }, webAddr: func(a string) { td.web = a }}}
	go func() { td.done <- run(ctx, []string{"run", "--config", cfgPath, "--log-level", "info"}, e) }()
	select {
	case td.d = <-started:
	case code := <-td.done:
		t.Fatalf("the daemon exited with %d at start:\n%s", code, td.logs)
	case <-time.After(20 * time.Second):
		t.Fatalf("the daemon did not start:\n%s", td.logs)
	}
	td.wait(fc.Now()) // the heartbeat that runs at start
	t.Cleanup(func() { td.stop() })
	return td
}

// wait returns the report of the first heartbeat at or after at.
func (td *testDaemon) wait(at time.Time) tickReport {
	td.t.Helper()
	for {
		select {
		case r := <-td.ticks:
			if !r.At.Before(at) {
				return r
			}
		case code := <-td.done:
			td.done <- code
			td.t.Fatalf("the daemon exited with %d:\n%s", code, td.logs)
		case <-time.After(30 * time.Second):
			td.t.Fatalf("no heartbeat at %v:\n%s", at, td.logs)
		}
	}
}

// advanceTo moves the fake clock to at and waits for the heartbeat there.
// gocron re-arms its heartbeat timer in its own goroutine, which can come
// after the task reported back: wait for that timer (the only one on the
// fake clock) before moving the clock.
func (td *testDaemon) advanceTo(at time.Time) tickReport {
	td.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := td.clock.BlockUntilContext(ctx, 1); err != nil {
		td.t.Fatalf("the heartbeat timer was never armed:\n%s", td.logs)
	}
	td.clock.Advance(at.Sub(td.clock.Now()))
	return td.wait(at)
}

func (td *testDaemon) stop() int {
	td.cancel()
	select {
	case code := <-td.done:
		td.done <- code
		return code
	case <-time.After(30 * time.Second):
		td.t.Fatalf("the daemon did not stop:\n%s", td.logs)
	}
	return -1
}

const yearConfig = `time_zone: %s
database: followup.db
documents: [co.txt]
coordinator:
  id: coord
  name: Coordinating body
  focal_points: [{name: Secretariat, email: coord@example.org}]
ministries:
  - id: moj
    name: Ministry of Justice
    focal_points: [{name: Justice focal point, email: justice@example.org}]
  - id: moe
    name: Ministry of Education
    focal_points: [{name: Education focal point, email: education@example.org}]
reports:
  - id: next
    title: Next periodic report
    due: 2027-10-29
    milestones: [{name: Inputs, before: 3mo}]
assignment:
  rules:
    - {name: justice, ministry: moj, keywords: [law, legislation, regulations, resources]}
    - {name: schools, ministry: moe, keywords: [registration, ratify, information, report, reports]}
reminders: {lead_times: [30d, 14d, 7d, 1d], due_today: true, overdue_every: 7d, escalate_after: 30d}
schedules:
  reminders: "0 8 * * *"
  coordinator_digest: "0 8 * * 1"
  ministry_digest: "0 8 1 * *"
  grace: 36h
  heartbeat: 1m
digests: {send_empty: false, max_listed: 50}
mail:
  from: "Follow-up <followup@example.org>"
  transport: smtp
  smtp: {host: 127.0.0.1, port: %d, tls: none, timeout: 5s}
  retry: {initial: 1m, max: 1h, max_attempts: 10}
`

func writeYearConfig(t *testing.T, dir, zone string, port int) string {
	t.Helper()
	co, err := os.ReadFile(fixtureCO)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "co.txt"), co, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "followup.yaml")
	if err := os.WriteFile(path, []byte(fmt.Sprintf(yearConfig, zone, port)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// expected is one reminder the policy asks for.
type expected struct {
	task, deadline, kind string
	day                  civil.Date
}

// oracle works out, independently of the code under test, the reminders
// a task's deadline calls for over the days the daemon sweeps: with leads
// of 30, 14, 7 and 1 days, the day itself, weekly overdue reminders and an
// escalation after 30 days; each (task, deadline, kind) once, on the first
// sweep day it applies, while the deadline applies (from, until).
func oracle(task, deadlineKey string, d civil.Date, hard bool, from, until civil.Date, sweeps []civil.Date) []expected {
	var out []expected
	seen := map[string]bool{}
	add := func(kind string, day civil.Date) {
		if !seen[kind] {
			seen[kind] = true
			out = append(out, expected{task, deadlineKey, kind, day})
		}
	}
	for _, day := range sweeps {
		if day.Before(from) || !day.Before(until) {
			continue
		}
		n := day.DaysUntil(d)
		switch {
		case n == 0:
			add("due", day)
		case n == 1:
			add("lead:1d", day)
		case n > 1 && n <= 7:
			add("lead:7d", day)
		case n > 7 && n <= 14:
			add("lead:14d", day)
		case n > 14 && n <= 30:
			add("lead:30d", day)
		case n < 0 && hard:
			add(fmt.Sprintf("overdue:%d", (-n-1)/7), day)
			if -n >= 30 {
				add("escalation", day)
			}
		}
	}
	return out
}

// TestDaemonYear runs the daemon over a simulated year of a document's
// tasks against a real SMTP server: each ministry gets exactly the
// reminders the policy asks for, once, in order, at 08:00 in the config's
// time zone, across daylight-saving changes, through a restart and a
// three-day outage.
func TestDaemonYear(t *testing.T) {
	for _, zone := range []string{"Europe/Berlin", "Asia/Vientiane"} {
		t.Run(strings.ReplaceAll(zone, "/", "_"), func(t *testing.T) { daemonYear(t, zone) })
	}
}

func daemonYear(t *testing.T, zone string) {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	srv := smtptest.Start(t)
	dir := t.TempDir()
	cfgPath := writeYearConfig(t, dir, zone, srv.Port)
	start := time.Date(2027, 1, 4, 7, 30, 0, 0, loc)
	fc := clockwork.NewFakeClockAt(start)
	td := startDaemon(t, cfgPath, fc, nil)

	c := &cli{t: t, dir: dir, env: map[string]string{}}
	advance := func(id, stage string) {
		c.now = fc.Now()
		c.mustRun("task", "advance", "--config", cfgPath, id, stage, "--by", "focal point")
	}
	// Which task belongs to whom, as the rules gave them.
	owners := map[string]string{}
	c.now = fc.Now()
	for _, line := range strings.Split(c.mustRun("tasks", "--config", cfgPath), "\n")[1:] {
		if f := strings.Fields(line); len(f) > 2 {
			owners[f[0]] = f[1]
		}
	}
	if len(owners) != 7 || owners["CRC/C/MNG/CO/5-6:4a"] != "moj" || owners["CRC/C/MNG/CO/5-6:6"] != "moe" {
		t.Fatalf("owners = %v", owners)
	}

	var sweeps []civil.Date
	day := civil.DateOf(start)
	end := civil.D(2028, 1, 4)
	downFrom, downUntil := civil.D(2027, 6, 15), civil.D(2027, 6, 17)
	ackDay := civil.D(2027, 2, 10)
	for day = day.AddDays(1); day.Before(end); day = day.AddDays(1) {
		at := time.Date(day.Year, day.Month, day.Day, 8, 0, 0, 0, loc)
		switch {
		case day == downFrom:
			// An outage: the daemon stops after the 14 June sweep and comes
			// back on 17 June at 10:00; the 15 and 16 June slots are
			// older than the 36h grace window and are skipped; 17 June's
			// 08:00 slot runs once, late.
			td.stop()
			fc.Advance(time.Date(2027, 6, 17, 10, 0, 0, 0, loc).Sub(fc.Now()))
			td = startDaemon(t, cfgPath, fc, nil)
			if logs := td.logs.String(); !strings.Contains(logs, "missed slots skipped; running the latest once") || !strings.Contains(logs, "missed=2") {
				t.Errorf("the outage's two skipped slots were not logged:\n%s", logs)
			}
			day = downUntil
			sweeps = append(sweeps, day)
			continue
		case day == civil.D(2027, 9, 1):
			// A plain restart: nothing is sent twice.
			td.stop()
			td = startDaemon(t, cfgPath, fc, nil)
		}
		r := td.advanceTo(at)
		if r.Err != nil {
			t.Fatalf("%s: %v\n%s", day, r.Err, td.logs)
		}
		sweeps = append(sweeps, day)
		if day == ackDay {
			// The Ministry of Justice acknowledges its tasks (after the
			// 08:00 sweep): the "Assigned" deadline stops, the
			// "Acknowledged" one (import + 3 months) starts.
			fc.Advance(2 * time.Hour)
			for id, o := range owners {
				if o == "moj" {
					advance(id, "acknowledged")
				}
			}
		}
	}
	td.stop()

	// The oracle: import on 2027-01-04.
	imported := civil.D(2027, 1, 4)
	var want []expected
	for id, owner := range owners {
		assignedUntil := end
		if owner == "moj" {
			assignedUntil = ackDay.AddDays(1)
			want = append(want, oracle(id, "stage:acknowledged:2027-04-04", imported.AddMonths(3), true, assignedUntil, end, sweeps)...)
		}
		want = append(want, oracle(id, "stage:assigned:2027-02-04", imported.AddMonths(1), true, imported, assignedUntil, sweeps)...)
		want = append(want, oracle(id, "milestone:next/Inputs:2027-07-29", civil.D(2027, 7, 29), false, imported, end, sweeps)...)
		want = append(want, oracle(id, "report:next:2027-10-29", civil.D(2027, 10, 29), true, imported, end, sweeps)...)
	}

	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "followup.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT r.rec_id, l.deadline, l.kind, l.at, o.recipient, o.message_id, o.status
		FROM reminder_log l JOIN recommendations r ON r.id = l.task_id JOIN outbox o ON o.id = l.outbox_id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []expected
	recipients := map[string]string{}
	for rows.Next() {
		var e expected
		var at int64
		var recipient, msgID, status string
		if err := rows.Scan(&e.task, &e.deadline, &e.kind, &at, &recipient, &msgID, &status); err != nil {
			t.Fatal(err)
		}
		e.day = civil.DateOf(time.Unix(at, 0).In(loc))
		got = append(got, e)
		if status != "sent" {
			t.Errorf("%s %s %s: outbox status %s", e.task, e.deadline, e.kind, status)
		}
		wantRecipient := owners[e.task]
		if e.kind == "escalation" {
			wantRecipient = "coord" // one escalation per sweep, to the coordinator, about the ministries
		}
		if recipient != wantRecipient {
			t.Errorf("%s %s went to %s, want %s", e.task, e.kind, recipient, wantRecipient)
		}
		recipients[msgID] = recipient
	}
	rows.Close()
	key := func(e expected) string { return e.task + " " + e.deadline + " " + e.kind + " " + e.day.String() }
	sortE := func(es []expected) []string {
		var out []string
		for _, e := range es {
			out = append(out, key(e))
		}
		sort.Strings(out)
		return out
	}
	g, w := sortE(got), sortE(want)
	if !slices.Equal(g, w) {
		missing, extra := diff(w, g), diff(g, w)
		t.Errorf("reminders differ from the policy (%d sent, %d expected)\nmissing: %q\nunexpected: %q", len(g), len(w), head(missing), head(extra))
	}
	if len(w) < 100 {
		t.Errorf("only %d reminders expected: the scenario is too thin", len(w))
	}

	// What the SMTP server received: every message once, in order, at
	// 08:00 local time (07:30 at the first start, 10:00 after the outage).
	msgs := srv.Messages()
	ids := map[string]int{}
	var last time.Time
	for _, m := range msgs {
		ids[m.MessageID]++
		date, err := m.Header.Date()
		if err != nil {
			t.Fatalf("Date: %v", err)
		}
		local := date.In(loc)
		hm := local.Format("15:04")
		if hm != "08:00" && !(local.Equal(start)) && !(civil.DateOf(local) == downUntil && hm == "10:00") &&
			!(civil.DateOf(local) == ackDay && hm == "10:00") {
			t.Errorf("%q sent at %s local", m.Subject, local)
		}
		if date.Before(last) {
			t.Errorf("%q (%s) arrived after a later message (%s)", m.Subject, date, last)
		}
		last = date
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("message %s received %d times", id, n)
		}
	}
	if len(recipients) == 0 || len(msgs) < len(recipients) {
		t.Errorf("%d messages received, %d reminder messages logged", len(msgs), len(recipients))
	}
	// Daylight saving: the same 08:00 local is a different UTC hour in
	// winter and in summer in Berlin, and the same in Vientiane.
	var winter, summer int
	for _, m := range msgs {
		d, _ := m.Header.Date()
		if d.In(loc).Format("15:04") != "08:00" {
			continue
		}
		switch d.UTC().Month() {
		case time.February:
			winter = d.UTC().Hour()
		case time.July:
			summer = d.UTC().Hour()
		}
	}
	if zone == "Europe/Berlin" && (winter != 7 || summer != 6) {
		t.Errorf("08:00 Berlin was %02d:00 UTC in February and %02d:00 UTC in July; want 07 and 06", winter, summer)
	}
	if zone == "Asia/Vientiane" && (winter != 1 || summer != 1) {
		t.Errorf("08:00 Vientiane was %02d:00 and %02d:00 UTC; want 01", winter, summer)
	}
}

func diff(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

func head(s []string) []string {
	if len(s) > 12 {
		return append(s[:12:12], fmt.Sprintf("… %d more", len(s)-12))
	}
	return s
}
