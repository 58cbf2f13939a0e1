package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// One process at a time delivers from a database's outbox: the daemon, or
// `followup send` when no daemon runs. Two deliverers would each claim and
// recover the other's rows, and send them twice.
//
// The lock is an flock on the database file itself, not on a file named
// after the path: a symlink, a hard link, a bind mount or ".." in the path
// reach the same inode, and so the same lock. (SQLite locks with fcntl,
// which on Linux is independent of flock; the database must be on a local
// file system, as SQLite itself asks.) The kernel releases the lock when
// the process ends, however it ends (SIGKILL included), so a crash never
// leaves a stale lock behind.
//
// The descriptor the lock is taken on is the DB's own, opened before
// SQLite's and closed after them: closing any descriptor of a file drops
// the POSIX locks a process holds on it, SQLite's included.
//
// Who holds the lock is written, for the error the next process shows and
// for `followup status`, in a note beside the database's real path
// (symlinks resolved): followup.db.lock. The note names the inode it is
// about; one reached by another name (a hard link) is recognised as not
// about this file, and the holder is then "another followup process".

// Holder says who holds a database's lock.
type Holder struct {
	PID     int
	Host    string
	Since   time.Time
	Command string // "followup run", "followup send"
}

func (h Holder) String() string {
	if h.PID == 0 {
		return "another followup process (it reached the database by another path, or is starting)"
	}
	s := h.Command
	if s == "" {
		s = "another followup"
	}
	s += " (pid " + strconv.Itoa(h.PID)
	if h.Host != "" {
		s += " on " + h.Host
	}
	if !h.Since.IsZero() {
		s += ", since " + h.Since.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	return s + ")"
}

// LockedError is returned by Open with Options.Lock, and by DB.Lock, when
// another live process holds the lock.
type LockedError struct {
	Database string
	Holder   Holder
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("the database %s is in use by %s; one daemon per database: stop that one first", e.Database, e.Holder)
}

// ErrLockUnsupported is returned where the platform has no flock.
var ErrLockUnsupported = errors.New("database locks are not supported on this platform")

// LockPath is the note that says who holds a database's lock: beside the
// database's real path.
func LockPath(database string) string {
	if real, err := filepath.EvalSymlinks(database); err == nil {
		database = real
	}
	return database + ".lock"
}

// lockFile is the descriptor of the database file that the lock is taken
// on and that holder probes use.
type lockFile struct {
	f       *os.File
	path    string // as the caller gave it
	command string // set while this process holds the lock
}

// openLockFile opens the database file for locking. It exists already:
// Open creates it (mode 0600) before.
func openLockFile(path string) (*lockFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &lockFile{f: f, path: path}, nil
}

// acquire takes the lock for command without waiting (a few short tries,
// so that a `followup status` probing it at that instant is not taken for
// a daemon); a *LockedError says who holds it.
func (l *lockFile) acquire(command string, now time.Time) error {
	if l.command != "" {
		return nil
	}
	var held bool
	var err error
	for i := 0; i < 5; i++ {
		if held, err = tryLock(l.f, true); err != nil || held {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("lock %s: %w", l.path, err)
	}
	if !held {
		return &LockedError{Database: l.path, Holder: l.readHolder()}
	}
	host, _ := os.Hostname()
	dev, ino, _ := fileID(l.f)
	note := fmt.Sprintf("pid=%d\nhost=%s\nsince=%d\ncommand=%s\nfile=%d:%d\n", os.Getpid(), host, now.Unix(), command, dev, ino)
	if err := writeNote(LockPath(l.path), note); err != nil {
		_ = unlock(l.f) // not held without its note: the error that matters is the note's
		return fmt.Errorf("lock %s: %w", l.path, err)
	}
	l.command = command
	return nil
}

// writeNote replaces the note's content in place (mode 0600): a reader
// opens the same file whatever the moment.
func writeNote(path, note string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	err = f.Truncate(0)
	if err == nil {
		_, err = f.WriteAt([]byte(note), 0)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// holder reports whether a live process holds the lock, and who. This
// process's own lock counts: the daemon's web server reports the daemon.
func (l *lockFile) holder() (Holder, bool, error) {
	if l.command != "" {
		return l.readHolder(), true, nil
	}
	free, err := tryLock(l.f, false)
	if err != nil {
		return Holder{}, false, fmt.Errorf("lock %s: %w", l.path, err)
	}
	if free {
		if err := unlock(l.f); err != nil {
			return Holder{}, false, fmt.Errorf("lock %s: %w", l.path, err)
		}
		return Holder{}, false, nil
	}
	return l.readHolder(), true, nil
}

// readHolder reads the note about this file. Its holder may be writing
// it right now: a few short tries get past that.
func (l *lockFile) readHolder() Holder {
	dev, ino, _ := fileID(l.f)
	want := fmt.Sprintf("%d:%d", dev, ino)
	var h Holder
	for i := 0; i < 20; i++ {
		b, err := os.ReadFile(LockPath(l.path))
		if err == nil {
			var file string
			h, file = parseHolder(b)
			if h.PID != 0 && file == want {
				return h
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return Holder{}
}

// close lets the lock go (closing the descriptor releases the flock) and
// empties the note this process wrote, so that nobody reads it for the
// next holder's.
func (l *lockFile) close() error {
	if l == nil || l.f == nil {
		return nil
	}
	if l.command != "" {
		if f, err := os.OpenFile(LockPath(l.path), os.O_WRONLY, 0); err == nil {
			_ = f.Truncate(0) // best effort: a stale note names a dead process and a file identity
			_ = f.Close()
		}
	}
	err := l.f.Close()
	l.f, l.command = nil, ""
	return err
}

func parseHolder(b []byte) (h Holder, file string) {
	for _, line := range bytes.Split(b, []byte("\n")) {
		k, v, ok := strings.Cut(string(line), "=")
		if !ok {
			continue
		}
		switch k {
		case "pid":
			h.PID, _ = strconv.Atoi(v)
		case "host":
			h.Host = v
		case "since":
			if s, err := strconv.ParseInt(v, 10, 64); err == nil {
				h.Since = time.Unix(s, 0).UTC()
			}
		case "command":
			h.Command = v
		case "file":
			file = v
		}
	}
	return h, file
}

// Lock takes the database's lock for command, without waiting: a
// *LockedError says who holds it. The lock is held until Close, which
// releases it after SQLite's own descriptors are closed.
func (db *DB) Lock(command string) error {
	return db.lock.acquire(command, db.now())
}

// LockHolder reports whether a live process (this one included) holds the
// database's lock, and who.
func (db *DB) LockHolder() (Holder, bool, error) { return db.lock.holder() }
