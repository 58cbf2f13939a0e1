package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/followup-app/followup/internal/smtptest"
)

// smallDisk mounts a size-limited tmpfs for the test: a real full disk.
// Mounting needs root (CI runs as root); elsewhere the test says why it
// cannot run.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a %s tmpfs for a full disk (root only): %v %s", size, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file until the disk is full.
func fill(t *testing.T, path string) {
	f, err := os.Create(path)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Errorf("filling the disk: %v", err)
			}
			return
		}
	}
}

// TestDiskFullStopsDelivery (issue 10, case 2): the disk fills up while
// the daemon delivers, so it cannot record that the second message was
// sent. It sends nothing more (before, the batch went on and the next start
// sent all but the first again), says so, and once there is room again it
// records the outcome and delivers the rest: each message once.
func TestDiskFullStopsDelivery(t *testing.T) {
	disk := smallDisk(t, "4m")
	srv := smtptest.Start(t)
	filler := filepath.Join(disk, "filler")
	srv.SetHook(func(c smtptest.Call) error {
		if c.Cmd == "DATA" && c.N == 2 {
			if err := c.Accept(); err != nil {
				return err
			}
			fill(t, filler) // the disk is full before the daemon hears 250
			return smtptest.Handled
		}
		return nil
	})
	cfg := writeFaultConfig(t, disk, srv.Port)
	setConfig(t, cfg, "heartbeat: 1m", "heartbeat: 1s")
	d := startProc(t, "run", "--config", cfg)
	d.waitLog(t, `level=ERROR msg="delivery stopped: outcomes cannot be recorded`, 30*time.Second)
	// Heartbeats go on; delivery does not.
	time.Sleep(3 * time.Second)
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("%d messages reached the relay with the disk full, want 2 (the one that could not be recorded, and the one before):\n%s", n, d.logs)
	}
	if !strings.Contains(d.logs.String(), "disk is full") {
		t.Errorf("the log does not say the disk is full:\n%s", d.logs)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	d.waitLog(t, `delivery outcomes recorded at last; delivery resumes`, 30*time.Second)
	var st map[string]string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if st = outboxStatuses(t, disk); countStatus(st, "sent") == len(st) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if countStatus(st, "sent") != len(st) {
		t.Errorf("after the disk had room again: %v\n%s", st, d.logs)
	}
	if seen := receivedOnce(t, srv); len(seen) != len(st) {
		t.Errorf("%d messages received, %d in the outbox", len(seen), len(st))
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	if code := d.wait(t, 30*time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM", code)
	}
}
