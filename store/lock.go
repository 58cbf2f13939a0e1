package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// One process at a time delivers from a database's outbox: the daemon, or
// `followup send` when no daemon runs. Two deliverers would each claim and
// recover the other's rows, and send them twice. The lock is an flock on a
// file beside the database: the kernel releases it when the process ends,
// however it ends (SIGKILL included), so a crash never leaves a stale lock
// behind. The file also says who holds it, for the error the next process
// shows and for `followup status`.

// Holder says who holds a database's lock.
type Holder struct {
	PID     int
	Host    string
	Since   time.Time
	Command string // "followup run", "followup send"
}

func (h Holder) String() string {
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

// LockedError is returned by AcquireLock when another live process holds
// the lock.
type LockedError struct {
	Database string
	Holder   Holder
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("the database %s is in use by %s; one daemon per database: stop that one first", e.Database, e.Holder)
}

// ErrLockUnsupported is returned where the platform has no flock.
var ErrLockUnsupported = errors.New("database locks are not supported on this platform")

// LockPath is the lock file of a database.
func LockPath(database string) string { return database + ".lock" }

// Lock is a held database lock.
type Lock struct {
	f    *os.File
	path string
}

// AcquireLock takes the lock of a database for command, without waiting:
// a *LockedError says who holds it.
func AcquireLock(database, command string, now time.Time) (*Lock, error) {
	path := LockPath(database)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", database, err)
	}
	held, err := tryLock(f, true)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", database, err)
	}
	if !held {
		h := readHolder(f)
		f.Close()
		return nil, &LockedError{Database: database, Holder: h}
	}
	host, _ := os.Hostname()
	info := fmt.Sprintf("pid=%d\nhost=%s\nsince=%d\ncommand=%s\n", os.Getpid(), host, now.Unix(), command)
	err = f.Truncate(0)
	if err == nil {
		_, err = f.WriteAt([]byte(info), 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", database, err)
	}
	return &Lock{f: f, path: path}, nil
}

// Release lets the lock go. The file stays: removing it would let a
// process that opened it just before lock a file nobody else sees.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the descriptor releases the flock
	l.f = nil
	return err
}

// LockHolder reports whether a live process holds the database's lock,
// and who.
func LockHolder(database string) (Holder, bool, error) {
	f, err := os.Open(LockPath(database))
	if errors.Is(err, os.ErrNotExist) {
		return Holder{}, false, nil
	}
	if err != nil {
		return Holder{}, false, fmt.Errorf("lock %s: %w", database, err)
	}
	defer f.Close()
	free, err := tryLock(f, false)
	if err != nil {
		return Holder{}, false, fmt.Errorf("lock %s: %w", database, err)
	}
	if free {
		return Holder{}, false, nil // closing f lets it go again
	}
	return readHolder(f), true, nil
}

// readHolder reads what the holder wrote. It may be writing it right now:
// a few short tries get past that.
func readHolder(f *os.File) Holder {
	var h Holder
	for i := 0; i < 20; i++ {
		b := make([]byte, 4096)
		n, _ := f.ReadAt(b, 0)
		h = parseHolder(b[:n])
		if h.PID != 0 {
			return h
		}
		time.Sleep(10 * time.Millisecond)
	}
	return h
}

func parseHolder(b []byte) Holder {
	var h Holder
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
		}
	}
	return h
}
