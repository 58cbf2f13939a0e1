package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/internal/smtptest"
)

// TestOneDaemonPerDatabaseFile (issue 20, case 4): a second daemon that
// reaches the first one's database through another path (a symlink, a
// hard link, ".." through a symlinked folder, a bind mount) is refused
// like one on the same path: it says who holds the database, recovers
// nothing, sends nothing; the first delivers every message once.
func TestOneDaemonPerDatabaseFile(t *testing.T) {
	for _, tc := range []struct {
		name string
		// second starts the second daemon on the database in dir, through
		// the path the case is about.
		second func(t *testing.T, dir, cfg string) *proc
	}{
		{"symlink", func(t *testing.T, dir, cfg string) *proc {
			link := filepath.Join(t.TempDir(), "link.db")
			if err := os.Symlink(filepath.Join(dir, "followup.db"), link); err != nil {
				t.Fatal(err)
			}
			return startProc(t, "run", "--config", cfg, "--db", link)
		}},
		{"hard link", func(t *testing.T, dir, cfg string) *proc {
			hard := filepath.Join(dir, "hard.db")
			if err := os.Link(filepath.Join(dir, "followup.db"), hard); err != nil {
				t.Fatal(err)
			}
			return startProc(t, "run", "--config", cfg, "--db", hard)
		}},
		{"dot-dot through a symlinked folder", func(t *testing.T, dir, cfg string) *proc {
			// dir/sub/up is a symlink to dir/sub/deep; the kernel resolves
			// up/.. to dir/sub, and ../.. to dir.
			deep := filepath.Join(dir, "sub", "deep")
			if err := os.MkdirAll(deep, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(deep, filepath.Join(dir, "sub", "up")); err != nil {
				t.Fatal(err)
			}
			return startProc(t, "run", "--config", cfg, "--db", dir+"/sub/up/../../followup.db")
		}},
		{"bind mount of the folder", func(t *testing.T, dir, cfg string) *proc {
			mnt := t.TempDir()
			return bindMounted(t, dir, mnt, cfg, mnt+"/followup.db")
		}},
		{"bind mount of the file", func(t *testing.T, dir, cfg string) *proc {
			target := filepath.Join(t.TempDir(), "mounted.db")
			if err := os.WriteFile(target, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			return bindMounted(t, filepath.Join(dir, "followup.db"), target, cfg, target)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
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
			defer func() {
				select {
				case <-release:
				default:
					close(release)
				}
			}()
			dir := t.TempDir()
			cfg := writeFaultConfig(t, dir, srv.Port)
			setConfig(t, cfg, "timeout: 2s", "timeout: 30s")
			first := startProc(t, "run", "--config", cfg)
			select {
			case <-held:
			case <-time.After(30 * time.Second):
				t.Fatalf("the third message never arrived:\n%s", first.logs)
			}
			second := tc.second(t, dir, cfg)
			if code := second.wait(t, 20*time.Second); code != 1 {
				t.Fatalf("the second daemon exited with %d, want 1:\n%s", code, second.logs)
			}
			logs := second.logs.String()
			if !strings.Contains(logs, "is in use by") || !strings.Contains(logs, "one daemon per database") {
				t.Errorf("the second daemon does not say the database is in use:\n%s", logs)
			}
			if tc.name != "hard link" && tc.name != "bind mount of the file" {
				// Through another name the note beside the database is not
				// found: the holder is "another followup process".
				if want := fmt.Sprintf("in use by followup run (pid %d on ", first.cmd.Process.Pid); !strings.Contains(logs, want) {
					t.Errorf("the second daemon does not name the first (%q):\n%s", want, logs)
				}
			}
			if strings.Contains(logs, "recovered messages") || strings.Contains(logs, "msg=ready") {
				t.Errorf("the second daemon started:\n%s", logs)
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
		})
	}
}

// bindMounted runs `followup run --config cfg --db db` in a mount
// namespace of its own where src is bind-mounted on dst: the mount is gone
// when the process ends, and the test's own view is untouched. It needs
// root; without it the test skips with one line, and fails in CI.
func bindMounted(t *testing.T, src, dst, cfg, db string) *proc {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("the bind-mount cases need root (unshare -m and mount --bind, Debian package util-linux); CI runs as root")
		}
		t.Skip("needs root: unshare -m and mount --bind (Debian package util-linux)")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Fatal("unshare not found: install Debian's util-linux")
	}
	return startCmd(t, &proc{cmd: exec.Command("unshare", "-m", "sh", "-c", `mount --bind "$1" "$2" && exec "$3" run --config "$4" --db "$5"`,
		"sh", src, dst, binary(t), cfg, db), logs: &syncBuffer{}, done: make(chan struct{})})
}
