package main

import (
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/followup-app/followup/internal/pdftest"
	"github.com/followup-app/followup/internal/smtptest"
)

// TestSoak (issue 10): a database of many tasks, daemons killed with
// SIGKILL at random moments of delivery, a second daemon started next to
// each one, and a relay that fails at random (4xx and 5xx at every step,
// connections dropped before and after the end of a message). At the end
// every outbox row is sent, failed or uncertain; the relay holds each sent
// message exactly once, each uncertain one at most once, and no failed
// one.
//
// The short version runs in CI; FOLLOWUP_SOAK=long runs the one in
// BENCHMARKS.md (20,000 tasks, ten kills).
func TestSoak(t *testing.T) {
	tasks, ministries, kills, delay := 2000, 40, 3, 20*time.Millisecond
	if os.Getenv("FOLLOWUP_SOAK") == "long" {
		tasks, ministries, kills, delay = 20000, 300, 10, 20*time.Millisecond
	} else if testing.Short() {
		t.Skip("-short: the soak test runs without it (FOLLOWUP_SOAK=long for the long one)")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d: %d tasks, %d ministries, %d kills", seed, tasks, ministries, kills)
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	var mu sync.Mutex
	faults := map[string]int{}
	fault := func(name string, p float64) bool {
		mu.Lock()
		defer mu.Unlock()
		if rng.Float64() < p {
			faults[name]++
			return true
		}
		return false
	}
	srv := smtptest.Start(t)
	srv.SetHook(func(c smtptest.Call) error {
		switch c.Cmd {
		case "MAIL":
			switch {
			case fault("421 at MAIL", 0.02):
				return smtptest.Reply(421, "4.3.2 closing, try later")
			case fault("451 at MAIL", 0.02):
				return smtptest.Reply(451, "4.3.0 try later")
			}
		case "RCPT":
			switch {
			case fault("450 at RCPT", 0.02):
				return smtptest.Reply(450, "4.2.1 mailbox busy")
			case fault("550 at RCPT", 0.005):
				return smtptest.Reply(550, "5.1.1 no such mailbox")
			}
		case "DATA":
			time.Sleep(delay) // a relay that takes its time: kills land mid-delivery
			switch {
			case fault("drop during DATA", 0.01):
				io.CopyN(io.Discard, c.Data, 200)
				return smtptest.Drop
			case fault("drop after the end of data", 0.01):
				if err := c.Accept(); err != nil {
					return err
				}
				return smtptest.Drop
			case fault("451 after the end of data", 0.02):
				return smtptest.Reply(451, "4.3.0 queue full")
			}
		}
		return nil
	})

	dir := t.TempDir()
	db := filepath.Join(dir, "followup.db")
	cfg := filepath.Join(dir, "followup.yaml")
	c := &cli{t: t, dir: dir, env: map[string]string{}, now: time.Now().UTC()}
	c.mustRun("gen", "--tasks", fmt.Sprint(tasks), "--ministries", fmt.Sprint(ministries), "--db", db, "--config-out", cfg,
		"--smtp", fmt.Sprintf("127.0.0.1:%d", srv.Port))
	setConfig(t, cfg, `    timeout: "1m"`, `    timeout: "5s"`)
	setConfig(t, cfg, "  retry:\n    initial: \"1m\"\n    max: \"6h\"\n    max_attempts: 10", "  retry: {initial: 1s, max: 2s, max_attempts: 8}")
	setConfig(t, cfg, `  heartbeat: "30s"`, `  heartbeat: "1s"`)

	start := time.Now()
	for round := 1; round <= kills; round++ {
		before := len(srv.Messages())
		a := startProc(t, "run", "--config", cfg)
		b := startProc(t, "run", "--config", cfg)
		// One of the two holds the database; the other is refused.
		var loser, winner *proc
		select {
		case <-a.done:
			loser, winner = a, b
		case <-b.done:
			loser, winner = b, a
		case <-time.After(60 * time.Second):
			t.Fatalf("round %d: neither daemon was refused:\n%s\n%s", round, a.logs, b.logs)
		}
		if loser.code != 1 || !strings.Contains(loser.logs.String(), "in use by followup run (pid ") {
			t.Fatalf("round %d: the second daemon: exit %d\n%s", round, loser.code, loser.logs)
		}
		// Kill the running one at a random moment once delivery is under way.
		deadline := time.Now().Add(60 * time.Second)
		for len(srv.Messages()) == before && time.Now().Before(deadline) {
			if total, waiting := len(outboxRows(t, db)), pendingRows(t, db); total > 0 && waiting == 0 {
				break // planned, and nothing left to deliver
			}
			time.Sleep(5 * time.Millisecond)
		}
		mu.Lock()
		wait := time.Duration(rng.IntN(400)) * time.Millisecond
		mu.Unlock()
		time.Sleep(wait)
		winner.kill(t)
		recovered := ""
		for _, l := range strings.Split(winner.logs.String(), "\n") {
			if strings.Contains(l, "recovered messages") {
				recovered = l[strings.Index(l, "uncertain="):]
			}
		}
		t.Logf("round %d: killed after %d messages (%d received in the round), %d rows waiting; at its start: %s", round,
			len(srv.Messages()), len(srv.Messages())-before, pendingRows(t, db), recovered)
	}
	last := startProc(t, "run", "--config", cfg)
	deadline := time.Now().Add(3 * time.Minute)
	for pendingRows(t, db) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	last.cmd.Process.Signal(os.Interrupt)
	if code := last.wait(t, 30*time.Second); code != 0 {
		t.Errorf("the last daemon exited with %d", code)
	}
	elapsed := time.Since(start)

	rows := outboxRows(t, db)
	got := map[string]int{}
	for _, m := range srv.Messages() {
		got[strings.Trim(m.MessageID, "<>")]++
	}
	byStatus := map[string]int{}
	for id, status := range rows {
		byStatus[status]++
		n := got[id]
		switch {
		case status == "sent" && n != 1:
			t.Errorf("sent message %s received %d times", id, n)
		case status == "uncertain" && n > 1:
			t.Errorf("uncertain message %s received %d times", id, n)
		case status == "failed" && n != 0:
			t.Errorf("failed message %s received %d times", id, n)
		case status != "sent" && status != "failed" && status != "uncertain":
			t.Errorf("message %s ends %s", id, status)
		}
		delete(got, id)
	}
	for id, n := range got {
		t.Errorf("the relay holds %d copies of %s, which is not in the outbox", n, id)
	}
	// The relay may still be answering a session the last daemon left
	// open: read its fault counts under the hook's lock.
	mu.Lock()
	injected := fmt.Sprint(faults)
	mu.Unlock()
	t.Logf("%d messages in %s: %v; relay faults injected: %s; %d sessions", len(rows), elapsed.Round(100*time.Millisecond), byStatus, injected, srv.Sessions())
}

// pendingRows counts the messages not yet sent, failed or uncertain.
func pendingRows(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// outboxRows maps each message's Message-ID to its status.
func outboxRows(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT message_id, status FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, s string
		if err := rows.Scan(&id, &s); err != nil {
			t.Fatal(err)
		}
		out[id] = s
	}
	return out
}

// TestSoakRelays (issue 20, case 5): a real daemon beside a relay that
// takes 2 s over every message, then beside one that refuses every
// message, each for a minute (ten with FOLLOWUP_SOAK=long), with
// followup status and /healthz asked every few seconds. The slow relay is
// healthy throughout: the daemon is alive (its heartbeat, a second apart,
// is recorded while the batch runs), mail is going out, status exits 0
// and /healthz says ok, and every message arrives once. The refusing one
// is "delivery failing since …" in status (exit 1) from the first
// refusals on, while the daemon stays alive and /healthz ok; nothing is
// delivered, nothing is marked sent.
func TestSoakRelays(t *testing.T) {
	tasks, ministries, span := 2000, 40, 70*time.Second // past the heartbeat's staleness, 3 s + 1 min
	if os.Getenv("FOLLOWUP_SOAK") == "long" {
		tasks, ministries, span = 20000, 300, 10*time.Minute
	} else if testing.Short() {
		t.Skip("-short: the soak test runs without it (FOLLOWUP_SOAK=long for the long one)")
	}
	if pdftest.Race {
		// The daemon under test is a binary built without the detector: a
		// second run would only race the test's own loop, for minutes.
		t.Skip("under -race: the relays' soak runs in the plain test run")
	}
	type check struct {
		status         string
		code           int
		healthz        string
		healthzCode    int
		sent, messages int
	}
	run := func(t *testing.T, hook smtptest.Hook, verify func(t *testing.T, at time.Duration, c check)) *smtptest.Server {
		srv := smtptest.Start(t)
		srv.SetHook(hook)
		dir := t.TempDir()
		db := filepath.Join(dir, "followup.db")
		cfg := filepath.Join(dir, "followup.yaml")
		c := &cli{t: t, dir: dir, env: map[string]string{}, now: time.Now().UTC()}
		c.mustRun("gen", "--tasks", fmt.Sprint(tasks), "--ministries", fmt.Sprint(ministries), "--db", db, "--config-out", cfg,
			"--smtp", fmt.Sprintf("127.0.0.1:%d", srv.Port))
		setConfig(t, cfg, `    timeout: "1m"`, `    timeout: "10s"`)
		setConfig(t, cfg, "  retry:\n    initial: \"1m\"\n    max: \"6h\"\n    max_attempts: 10", "  retry: {initial: 5s, max: 30s, max_attempts: 1000}")
		setConfig(t, cfg, `  heartbeat: "30s"`, `  heartbeat: "1s"`)
		p := startProc(t, "run", "--config", cfg)
		p.waitLog(t, `web server listening`, 60*time.Second)
		addr := regexp.MustCompile(`web server listening.* addr=(\S+)`).FindStringSubmatch(p.logs.String())[1]
		start := time.Now()
		for at := time.Duration(0); at < span; at = time.Since(start) {
			time.Sleep(5 * time.Second)
			var ch check
			var errs string
			ch.status, errs, ch.code = c.run("status", "--config", cfg)
			ch.status += errs
			res, err := http.Get("http://" + addr + "/healthz")
			if err != nil {
				t.Fatalf("/healthz: %v", err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			ch.healthz, ch.healthzCode = string(b), res.StatusCode
			rows := outboxRows(t, db)
			ch.messages = len(rows)
			for _, s := range rows {
				if s == "sent" {
					ch.sent++
				}
			}
			verify(t, time.Since(start), ch)
			if t.Failed() {
				t.Fatalf("at %s:\n%s", time.Since(start).Round(time.Second), tail(p.logs.String(), 3000))
			}
		}
		p.cmd.Process.Signal(os.Interrupt)
		if code := p.wait(t, 60*time.Second); code != 0 {
			t.Errorf("the daemon exited with %d", code)
		}
		rows := outboxRows(t, db)
		got := map[string]int{}
		for _, m := range srv.Messages() {
			got[strings.Trim(m.MessageID, "<>")]++
		}
		for id, n := range got {
			if n != 1 || rows[id] != "sent" {
				t.Errorf("message %s received %d times, status %q", id, n, rows[id])
			}
		}
		for id, st := range rows {
			if st == "sent" && got[id] != 1 {
				t.Errorf("message %s is sent but the relay holds %d", id, got[id])
			}
		}
		return srv
	}
	t.Run("a relay at 2 s a message", func(t *testing.T) {
		last := 0
		srv := run(t, func(c smtptest.Call) error {
			if c.Cmd == "DATA" {
				time.Sleep(2 * time.Second)
			}
			return nil
		}, func(t *testing.T, at time.Duration, c check) {
			if c.code != 0 || !strings.Contains(c.status, "alive:           yes") || !strings.Contains(c.status, "mail going out:  yes") {
				t.Errorf("status, %s into a slow batch: exit %d\n%s", at.Round(time.Second), c.code, c.status)
			}
			if c.healthzCode != http.StatusOK || c.healthz != "ok\n" {
				t.Errorf("/healthz, %s into a slow batch: %d %q", at.Round(time.Second), c.healthzCode, c.healthz)
			}
			if c.sent < last || (at > 10*time.Second && c.sent == 0) {
				t.Errorf("mail is not flowing: %d sent, %d before", c.sent, last)
			}
			last = c.sent
		})
		t.Logf("%d messages received in %s, at 2 s each", len(srv.Messages()), span)
	})
	t.Run("a relay that refuses everything", func(t *testing.T) {
		srv := run(t, func(c smtptest.Call) error {
			if c.Cmd == "MAIL" {
				return smtptest.Reply(451, "4.3.0 queue full, try later")
			}
			return nil
		}, func(t *testing.T, at time.Duration, c check) {
			if c.code != 1 || !strings.Contains(c.status, "delivery is stuck: delivery failing since") ||
				!strings.Contains(c.status, "mail going out:  NO: delivery failing since") || !strings.Contains(c.status, "queue full") ||
				!strings.Contains(c.status, "alive:           yes") {
				t.Errorf("status, %s into the refusals: exit %d\n%s", at.Round(time.Second), c.code, c.status)
			}
			if c.healthzCode != http.StatusOK || c.healthz != "ok\n" {
				t.Errorf("/healthz, %s into the refusals: %d %q (the daemon is alive)", at.Round(time.Second), c.healthzCode, c.healthz)
			}
			if c.sent != 0 || c.messages == 0 {
				t.Errorf("%d of %d messages marked sent by a relay that refuses everything", c.sent, c.messages)
			}
		})
		if n := len(srv.Messages()); n != 0 {
			t.Errorf("the refusing relay holds %d messages", n)
		}
	})
}
