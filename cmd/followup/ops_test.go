package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/internal/smtptest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// binary builds followup once for the tests that need real processes.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "followup-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "followup")
		buildOut, buildErr = exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

// proc is a followup process and what it wrote to standard error.
type proc struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
	code int
}

func startProc(t *testing.T, args ...string) *proc {
	t.Helper()
	return startCmd(t, &proc{cmd: exec.Command(binary(t), args...), logs: &syncBuffer{}, done: make(chan struct{})})
}

// startCmd starts p's command (followup, or a program that runs it).
func startCmd(t *testing.T, p *proc) *proc {
	t.Helper()
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	// Daemons of parallel tests must not all bind web.listen's 8080.
	p.cmd.Env = append(os.Environ(), "FOLLOWUP_WEB_LISTEN=127.0.0.1:0")
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait waits for the process to end and returns its exit status.
func (p *proc) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(timeout):
		t.Fatalf("the process did not end within %s:\n%s", timeout, p.logs)
	}
	return -1
}

func (p *proc) kill(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.wait(t, 10*time.Second)
}

// waitLog waits until the process logged something matching re.
func (p *proc) waitLog(t *testing.T, re string, timeout time.Duration) {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if rx.MatchString(p.logs.String()) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no log line matching %q within %s:\n%s", re, timeout, p.logs)
}

// receivedOnce checks that the relay holds no message twice and returns
// how many times it holds each Message-ID.
func receivedOnce(t *testing.T, srv *smtptest.Server) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for _, m := range srv.Messages() {
		seen[m.MessageID]++
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("%s received %d times", id, n)
		}
	}
	return seen
}

// TestSecondDaemonIsRefused (issue 10, case 1): a second followup run on
// the same database, started while the first delivers, is refused with who
// holds it, and sends nothing: the relay holds every message once. After
// the first is killed (SIGKILL), the lock is free again and the next one
// starts, recovers and delivers the rest, again each message once; Ctrl-C
// (SIGINT) then stops it with exit status 0.
func TestSecondDaemonIsRefused(t *testing.T) {
	srv := smtptest.Start(t)
	held := make(chan struct{})
	release := make(chan struct{})
	srv.SetHook(func(c smtptest.Call) error {
		if c.Cmd == "DATA" && c.N == 3 {
			if err := c.Accept(); err != nil {
				return err
			}
			close(held)
			<-release // the first daemon waits for the reply to its third message
			return smtptest.Handled
		}
		return nil
	})
	dir := t.TempDir()
	cfg := writeFaultConfig(t, dir, srv.Port)
	setConfig(t, cfg, "timeout: 2s", "timeout: 30s")
	first := startProc(t, "run", "--config", cfg)
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		t.Fatalf("the third message never arrived:\n%s", first.logs)
	}
	// While the first holds its third message on the wire, a second
	// daemon starts on the same database.
	second := startProc(t, "run", "--config", cfg)
	if code := second.wait(t, 20*time.Second); code != 1 {
		t.Errorf("the second daemon exited with %d, want 1:\n%s", code, second.logs)
	}
	want := fmt.Sprintf("in use by followup run (pid %d on ", first.cmd.Process.Pid)
	if !strings.Contains(second.logs.String(), want) || !strings.Contains(second.logs.String(), ", since ") {
		t.Errorf("the second daemon does not say who holds the database (%q):\n%s", want, second.logs)
	}
	if st := outboxStatuses(t, dir); countStatus(st, "uncertain") != 0 || countStatus(st, "pending") != 0 {
		t.Errorf("the second daemon touched the first one's rows: %v", st)
	}
	close(release)
	st := outboxStatuses(t, dir)
	deadline := time.Now().Add(30 * time.Second)
	for countStatus(st, "sent") != len(st) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		st = outboxStatuses(t, dir)
	}
	if countStatus(st, "sent") != len(st) {
		t.Fatalf("the first daemon did not deliver everything: %v\n%s", st, first.logs)
	}
	if seen := receivedOnce(t, srv); len(seen) != len(st) {
		t.Errorf("%d messages received, %d in the outbox", len(seen), len(st))
	}

	// A crash releases the lock: the next daemon starts at once.
	first.kill(t)
	third := startProc(t, "run", "--config", cfg)
	third.waitLog(t, `msg=ready`, 30*time.Second)
	third.cmd.Process.Signal(syscall.SIGINT)
	if code := third.wait(t, 30*time.Second); code != 0 {
		t.Errorf("Ctrl-C: exit status %d, want 0:\n%s", code, third.logs)
	}
	receivedOnce(t, srv)
}

// fakeRelay listens on loopback and hands each connection to serve: a
// relay that misbehaves before any SMTP session exists.
func fakeRelay(t *testing.T, serve func(c net.Conn)) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() { defer wg.Done(); serve(c) }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().(*net.TCPAddr).Port
}

// TestRelayRefusesTheSession (issue 10, case 3): a relay that refuses at
// the greeting, rejects the password, offers no STARTTLS or never
// answers. Each failed session counts an attempt for every waiting
// message; after the budget (3 here) they fail instead of waiting
// forever. The daemon logs one ERROR when delivery starts failing, not
// one per heartbeat, and followup status says so, with exit status 1.
func TestRelayRefusesTheSession(t *testing.T) {
	cases := []struct {
		name  string
		relay func(t *testing.T) int
		edit  [2]string // a change to the config
		err   string    // in the error status shows
	}{
		{"421 at the greeting", func(t *testing.T) int {
			return fakeRelay(t, func(c net.Conn) {
				io.WriteString(c, "421 4.3.2 relay.example.org Service not available, closing channel\r\n")
				c.Close()
			})
		}, [2]string{}, "421"},
		{"535 authentication failed", func(t *testing.T) int {
			return fakeRelay(t, func(c net.Conn) {
				defer c.Close()
				io.WriteString(c, "220 relay.example.org ESMTP\r\n")
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					switch cmd := strings.ToUpper(strings.Fields(line + " x")[0]); cmd {
					case "EHLO":
						io.WriteString(c, "250-relay.example.org\r\n250 AUTH PLAIN LOGIN\r\n")
					case "AUTH":
						io.WriteString(c, "535 5.7.8 Authentication credentials invalid\r\n")
					case "QUIT":
						io.WriteString(c, "221 bye\r\n")
						return
					default:
						io.WriteString(c, "503 5.5.1 bad sequence\r\n")
					}
				}
			})
		}, [2]string{"tls: none,", "tls: none, username: followup, password_env: SMTP_PASSWORD,"}, "535"},
		{"no STARTTLS", func(t *testing.T) int { return smtptest.Start(t).Port }, [2]string{"tls: none", "tls: starttls"}, "STARTTLS"},
		{"never answers", func(t *testing.T) int {
			return fakeRelay(t, func(c net.Conn) { io.Copy(io.Discard, c) })
		}, [2]string{"timeout: 2s", "timeout: 1s"}, "timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			port := tc.relay(t)
			dir := t.TempDir()
			cfg := writeFaultConfig(t, dir, port)
			if tc.edit[0] != "" {
				setConfig(t, cfg, tc.edit[0], tc.edit[1])
			}
			fc := clockwork.NewFakeClockAt(faultStart())
			td := startDaemon(t, cfg, fc, map[string]string{"SMTP_PASSWORD": "wrong"})
			for i := 1; i <= 40; i++ {
				td.advanceTo(faultStart().Add(time.Duration(i) * time.Minute))
			}
			st := outboxStatuses(t, dir)
			if countStatus(st, "failed") != len(st) || len(st) == 0 {
				t.Errorf("after 40 minutes of a relay that refuses: %v", st)
			}
			if n := strings.Count(td.logs.String(), `level=ERROR msg="delivery failing`); n != 1 {
				t.Errorf("%d ERROR lines saying delivery fails, want 1 (once per change of state):\n%s", n, td.logs)
			}
			c := &cli{t: t, dir: dir, env: map[string]string{"SMTP_PASSWORD": "wrong"}, now: fc.Now()}
			out, errs, code := c.run("status", "--config", cfg)
			if code != 1 {
				t.Errorf("status: exit %d, want 1\n%s%s", code, out, errs)
			}
			for _, want := range []string{"running: followup run (pid " + strconv.Itoa(os.Getpid()), "FAILING since", tc.err} {
				if !strings.Contains(out, want) {
					t.Errorf("status does not say %q:\n%s", want, out)
				}
			}
			if !regexp.MustCompile(`(?m)^failed:\s+7$`).MatchString(out) {
				t.Errorf("status does not count 7 failed:\n%s", out)
			}
			if !strings.Contains(errs, "delivery is stuck: delivery failing since") {
				t.Errorf("status: stderr %q", errs)
			}
		})
	}
}
