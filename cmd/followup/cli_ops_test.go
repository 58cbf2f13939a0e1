package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/followup-app/followup/internal/smtptest"
)

// TestOutboxBogusStatus (issue 10, case 14): a status that does not exist
// is a usage error that names the valid ones, not an empty table.
func TestOutboxBogusStatus(t *testing.T) {
	c := newCLI(t)
	out, errs, code := c.run("outbox", "--status", "bogus", "--db", filepath.Join(c.dir, "none.db"))
	if code != 2 || out != "" {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	if !strings.Contains(errs, `--status "bogus": expected one of: pending, sending, sent, failed, uncertain`) {
		t.Errorf("stderr %q", errs)
	}
}

// TestVersion (issue 10, case 14): the version says which code it is: the
// module version and the VCS revision from the build information, and
// "(devel)" for a build that has none.
func TestVersion(t *testing.T) {
	if got := versionString("", "", nil); got != "(devel)" {
		t.Errorf("no build info: %q", got)
	}
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261201103400-0123456789ab"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.time", Value: "2026-12-01T10:34:00Z"},
			{Key: "vcs.modified", Value: "true"}}}
	if got, want := versionString("", "", bi), "v0.0.0-20261201103400-0123456789ab (revision 0123456789abcdef, 2026-12-01T10:34:00Z, modified, go1.26.8)"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got := versionString("1.2.3", "", bi); !strings.HasPrefix(got, "1.2.3 (revision 0123456789abcdef") {
		t.Errorf("-X main.version: %q", got)
	}
	// A release build without Go's VCS information names the commit
	// make release stamped; Go's own revision wins when both are there.
	if got, want := versionString("1.2.3", "89abcdef01234567", &debug.BuildInfo{GoVersion: "go1.26.8"}), "1.2.3 (revision 89abcdef01234567, go1.26.8)"; got != want {
		t.Errorf("-X main.commit: got %q, want %q", got, want)
	}
	if got := versionString("1.2.3", "89abcdef01234567", bi); !strings.Contains(got, "revision 0123456789abcdef") {
		t.Errorf("-X main.commit with VCS information: %q", got)
	}
	// A real build, from this repository: the revision is the commit.
	// Go finds it only in a clone (a git worktree's .git is a file, which
	// it does not look at) and with git installed.
	bin := filepath.Join(t.TempDir(), "followup")
	if out, err := exec.Command("go", "build", "-buildvcs=auto", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v %s", err, out)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("followup version: %v %s", err, out)
	}
	head, gitErr := exec.Command("git", "rev-parse", "HEAD").Output()
	_, statErr := os.Stat("../../.git/HEAD")
	switch {
	case !strings.HasPrefix(string(out), "followup "):
		t.Errorf("followup version: %q", out)
	case gitErr == nil && statErr == nil:
		if h := strings.TrimSpace(string(head)); !strings.Contains(string(out), "revision "+h) {
			t.Errorf("followup version: %q does not name the commit %s", out, h)
		}
	default:
		t.Logf("no clone with git here: the build has no revision to show: %s", out)
		if !strings.HasPrefix(string(out), "followup (devel)") {
			t.Errorf("followup version: %q", out)
		}
	}
}

// TestStatusWithoutDaemon: messages wait and no daemon runs: followup
// status says so and exits 1; once they are sent, it exits 0.
func TestStatusWithoutDaemon(t *testing.T) {
	srv := smtptest.Start(t)
	dir := t.TempDir()
	cfg := writeFaultConfig(t, dir, srv.Port)
	srv.Stop()
	c := &cli{t: t, dir: dir, env: map[string]string{}, now: faultStart()}
	c.mustRun("import", "--config", cfg, filepath.Join(dir, "co.txt"))
	// Queued by hand with no daemon and the relay down: it waits.
	c.run("send", "digest", "--to", "coordinator", "--config", cfg)
	out, errs, code := c.run("status", "--config", cfg)
	if code != 1 || !strings.Contains(out, "daemon:") || !strings.Contains(out, "not running") || !strings.Contains(out, "1 message, the oldest queued 2027-01-04 07:00:00 +07") {
		t.Errorf("exit %d\n%s", code, out)
	}
	if !strings.Contains(errs, "no daemon is running and 1 messages wait") {
		t.Errorf("stderr %q", errs)
	}
	out, _, code = c.run("status", "--config", cfg, "--json")
	if code != 1 || !strings.Contains(out, `"stuck": true`) || !strings.Contains(out, `"pending": 1,`) || !strings.Contains(out, `"running": false`) {
		t.Errorf("--json: exit %d\n%s", code, out)
	}
}

// TestBackupCLI: followup backup writes a copy readable by its owner only
// that followup opens, and does not replace a file without --force.
func TestBackupCLI(t *testing.T) {
	srv := smtptest.Start(t)
	dir := t.TempDir()
	cfg := writeFaultConfig(t, dir, srv.Port)
	c := &cli{t: t, dir: dir, env: map[string]string{}, now: faultStart()}
	c.mustRun("import", "--config", cfg, filepath.Join(dir, "co.txt"))
	dest := filepath.Join(t.TempDir(), "followup-backup.db")
	if out := c.mustRun("backup", "--config", cfg, dest); !strings.Contains(out, "backed up ") {
		t.Errorf("stdout %q", out)
	}
	if st, err := os.Stat(dest); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup: %v %v", st, err)
	}
	want := c.mustRun("tasks", "--config", cfg)
	if got := c.mustRun("tasks", "--config", cfg, "--db", dest); got != want || !strings.Contains(got, "CRC/C/") {
		t.Errorf("the backup's tasks differ:\n%s\nwant:\n%s", got, want)
	}
	_, errs, code := c.run("backup", "--config", cfg, dest)
	if code != 1 || !strings.Contains(errs, "already exists (give --force to replace it)") {
		t.Errorf("over an existing backup: exit %d, %q", code, errs)
	}
	c.mustRun("backup", "--config", cfg, dest, "--force")
}
