package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDatabaseIsPrivate (issue 10, case 13): the database and its -wal and
// -shm files are readable by the daemon's user only, whatever the umask;
// a database made readable by others before is tightened.
func TestDatabaseIsPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	path := filepath.Join(dir, "followup.db")
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	enqueueN(t, db, 3) // a write, so the WAL and its index exist
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", filepath.Base(p), st.Mode().Perm())
		}
	}
	db.Close()

	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err = Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("an existing world-readable database stays %04o", st.Mode().Perm())
	}
}

// TestLock: one holder at a time; the next one is told who; released, the
// lock can be taken again.
func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "followup.db")
	since := time.Date(2027, 1, 4, 1, 0, 0, 0, time.UTC)
	ctx := context.Background()
	db, err := Open(ctx, path, Options{Now: func() time.Time { return since }, Lock: "followup run"})
	if err != nil {
		t.Fatal(err)
	}
	h, held, err := db.LockHolder()
	if err != nil || !held || h.PID != os.Getpid() || h.Command != "followup run" || !h.Since.Equal(since) {
		t.Errorf("LockHolder = %+v, %v, %v", h, held, err)
	}
	other, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if h, held, err := other.LockHolder(); err != nil || !held || h.PID != os.Getpid() {
		t.Errorf("another process's view: %+v, %v, %v", h, held, err)
	}
	err = other.Lock("followup send")
	var le *LockedError
	if !errors.As(err, &le) || le.Holder.PID != os.Getpid() {
		t.Fatalf("second Lock: %v", err)
	}
	if !strings.Contains(err.Error(), "in use by followup run (pid ") || !strings.Contains(err.Error(), "since 2027-01-04 01:00:00 UTC") {
		t.Errorf("error %q", err)
	}
	if _, err := Open(ctx, path, Options{Lock: "followup run"}); !errors.As(err, &le) {
		t.Errorf("a second daemon's Open: %v", err)
	}
	if st, _ := os.Stat(LockPath(path)); st.Mode().Perm() != 0o600 {
		t.Errorf("lock note mode %04o", st.Mode().Perm())
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, held, _ := other.LockHolder(); held {
		t.Error("held after Close")
	}
	if err := other.Lock("followup send"); err != nil {
		t.Fatalf("after Close: %v", err)
	}
	if h, held, _ := other.LockHolder(); !held || h.Command != "followup send" {
		t.Errorf("the new holder: %+v, %v", h, held)
	}
}

// TestLockFollowsTheFile (issue 20, case 4): however a path reaches the
// database file (a symlink to it, a symlinked directory, a hard link,
// ".." in the path), it reaches the same lock; a different file next to
// it has its own.
func TestLockFollowsTheFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "followup.db")
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, path, Options{Lock: "followup run"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(path, filepath.Join(dir, "link.db")))
	must(os.Symlink(filepath.Join(dir, "data"), filepath.Join(dir, "datalink")))
	must(os.Link(path, filepath.Join(dir, "hard.db")))
	must(os.MkdirAll(filepath.Join(dir, "other"), 0o700))
	for name, p := range map[string]string{
		"symlink":           filepath.Join(dir, "link.db"),
		"symlinked folder":  filepath.Join(dir, "datalink", "followup.db"),
		"hard link":         filepath.Join(dir, "hard.db"),
		"dot-dot":           dir + "/other/../data/followup.db",
		"dot-dot, symlinks": dir + "/datalink/../data/./followup.db",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Open(ctx, p, Options{Lock: "followup run"})
			var le *LockedError
			if !errors.As(err, &le) {
				t.Fatalf("a second daemon through %s opened the database: %v", p, err)
			}
			if !strings.Contains(err.Error(), "is in use by") || le.Database != p {
				t.Errorf("error %q", err)
			}
			if name != "hard link" && le.Holder.PID != os.Getpid() {
				t.Errorf("the holder is not named: %+v", le.Holder)
			}
		})
	}
	// Another database in the same folder is another lock.
	two, err := Open(ctx, filepath.Join(dir, "data", "two.db"), Options{Lock: "followup run"})
	if err != nil {
		t.Fatalf("another database: %v", err)
	}
	two.Close()
}

// TestRetryWaiting: a failed session counts an attempt for every message
// due, the claimed batch included; after the budget they fail; messages
// waiting for a later attempt are not touched.
func TestRetryWaiting(t *testing.T) {
	db, c := openTest(t)
	ctx := context.Background()
	enqueueN(t, db, 5)
	batch, err := db.ClaimBatch(ctx, 2)
	if err != nil || len(batch) != 2 {
		t.Fatalf("claim: %v %d", err, len(batch))
	}
	// One message waits for later: not held up by this failure.
	later := c.t.Add(time.Hour)
	if _, err := db.db.raw.Exec(`UPDATE outbox SET next_attempt = ? WHERE id = 5`, later.Unix()); err != nil {
		t.Fatal(err)
	}
	next := func(n int) time.Time { return c.t.Add(time.Duration(n) * time.Minute) }
	ids := []int64{batch[0].ID, batch[1].ID}
	for attempt := 1; attempt <= 3; attempt++ {
		failed, err := db.RetryWaiting(ctx, ids, "smtp session: 421 closing", 3, next)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 4, false: 0}[attempt == 3]; failed != want {
			t.Errorf("attempt %d: %d failed, want %d", attempt, failed, want)
		}
		ids = nil
		c.t = c.t.Add(10 * time.Minute)
	}
	msgs, _ := db.Outbox(ctx, "", 10)
	for _, m := range msgs {
		switch {
		case m.ID == 5 && (m.Status != StatusPending || m.Attempts != 0):
			t.Errorf("the message due later: %s after %d attempts", m.Status, m.Attempts)
		case m.ID != 5 && (m.Status != StatusFailed || m.Attempts != 3 || m.LastError != "smtp session: 421 closing"):
			t.Errorf("message %d: %s after %d attempts (%q)", m.ID, m.Status, m.Attempts, m.LastError)
		}
	}
}

// TestBackup: a consistent copy, readable by the owner only, that opens as
// a followup database; never over an existing file unless asked.
func TestBackup(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	enqueueN(t, db, 4)
	dest := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, dest, false); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(dest); st.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %04o", st.Mode().Perm())
	}
	b, err := Open(ctx, dest, Options{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, b, "outbox"); n != 4 {
		t.Errorf("the backup holds %d messages, want 4", n)
	}
	b.Close()
	if _, _, err := db.Enqueue(ctx, OutboxMessage{Key: "later", Kind: "reminder", Recipient: "moj", Subject: "s", MessageID: "m",
		From: "f@x.org", To: []string{"t@x.org"}, Raw: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	err = db.Backup(ctx, dest, false)
	if !errors.Is(err, ErrBackupExists) {
		t.Fatalf("over an existing file: %v", err)
	}
	if err := db.Backup(ctx, dest, true); err != nil {
		t.Fatal(err)
	}
	b, _ = Open(ctx, dest, Options{MustExist: true})
	defer b.Close()
	if n := count(t, b, "outbox"); n != 5 {
		t.Errorf("the replaced backup holds %d messages, want 5", n)
	}
	entries, _ := os.ReadDir(filepath.Dir(dest))
	for _, e := range entries {
		if strings.Contains(e.Name(), "tmp") {
			t.Errorf("a temporary file is left: %s", e.Name())
		}
	}
}

// TestBackupWhileWriting (issue 10, case 14): backups taken while another
// connection writes (as the daemon does while the admin runs followup
// backup) succeed, pass SQLite's integrity check, and are consistent: each
// holds whole transactions only, and a later backup holds at least what
// an earlier one did. The writer is never refused meanwhile.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "followup.db")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The other connection: its own pool on the same file, as a second
	// process would have.
	w, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Exec(`CREATE TABLE backup_probe (batch INTEGER NOT NULL, i INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	const perBatch = 50
	stop := make(chan struct{})
	done := make(chan error, 1)
	batches := 0
	go func() {
		for batch := 1; ; batch++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			tx, err := w.Begin()
			if err != nil {
				done <- err
				return
			}
			for i := 0; i < perBatch; i++ {
				if _, err := tx.Exec(`INSERT INTO backup_probe (batch, i) VALUES (?, ?)`, batch, i); err != nil {
					tx.Rollback()
					done <- err
					return
				}
			}
			if err := tx.Commit(); err != nil {
				done <- err
				return
			}
			batches = batch
		}
	}()

	last := 0
	for n := 0; n < 8; n++ {
		dest := filepath.Join(dir, "backup-"+string(rune('a'+n))+".db")
		if err := db.Backup(ctx, dest, false); err != nil {
			close(stop)
			t.Fatalf("backup %d while writing: %v", n, err)
		}
		b, err := sql.Open("sqlite3", "file:"+dest+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		var check string
		if err := b.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
			t.Errorf("backup %d: integrity %q, %v", n, check, err)
		}
		var rows, partial int
		if err := b.QueryRow(`SELECT COUNT(*) FROM backup_probe`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if err := b.QueryRow(`SELECT COUNT(*) FROM (SELECT batch FROM backup_probe GROUP BY batch HAVING COUNT(*) != ?)`, perBatch).Scan(&partial); err != nil {
			t.Fatal(err)
		}
		b.Close()
		if partial != 0 {
			t.Errorf("backup %d holds %d transactions in part", n, partial)
		}
		if rows < last {
			t.Errorf("backup %d holds %d rows, fewer than the backup before it (%d)", n, rows, last)
		}
		last = rows
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatalf("the writer was refused during the backups: %v", err)
	}
	if batches == 0 {
		t.Fatal("the writer wrote nothing while the backups ran")
	}
	t.Logf("%d transactions written meanwhile; the last backup holds %d rows", batches, last)
}
