package store

// The store's error kinds. Callers test them with errors.Is and map them
// to what their user sees: web to an HTTP status (web/errors.go), the CLI
// to an exit status (cmd/followup). SQLite's own errors become kinds in
// one place, kindOf, which every statement's error passes through (conn.go):
// a new query cannot forget it.

import (
	"errors"

	"github.com/mattn/go-sqlite3"
)

// Kinds a caller acts on.
var (
	// ErrNotFound: the document, recommendation, task, update, request,
	// session or outbox row does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the store refuses what it was given (an update without
	// text, a change without a name, a damaged page cursor).
	ErrInvalid = errors.New("invalid")
	// ErrConflict: what was asked clashes with what is stored (a request
	// already decided, a slot that already ran, a backup file that
	// exists).
	ErrConflict = errors.New("conflicts with what is stored")
)

// Kinds of the database failing: nothing the caller gave is wrong, and
// nothing was written. Each message says what an admin can do.
var (
	ErrBusy     = errors.New("the database is busy (another followup is writing to it)")
	ErrReadOnly = errors.New("cannot write the database file (check the path and its permissions)")
	ErrDamaged  = errors.New("the database file is damaged or not a followup database")
	ErrDiskFull = errors.New("the disk is full")
)

// Errors of one action, each of a kind above.
var (
	ErrDecided       = subKind("already decided", ErrConflict)
	ErrSlotDone      = subKind("slot already ran", ErrConflict)
	ErrBackupExists  = subKind("the backup file already exists", ErrConflict)
	ErrParentMissing = subKind("the report it answers is not imported", ErrInvalid)
	// ErrNoDatabase is returned by Open with MustExist when the file is
	// absent.
	ErrNoDatabase = subKind("database does not exist", ErrNotFound)
	// ErrSchemaTooNew is returned when the database was written by a
	// newer followup: running an older binary on it could lose data.
	ErrSchemaTooNew = subKind("database schema is newer than this program", ErrConflict)
)

// kindError is an error of its own text that is also of a kind.
type kindError struct {
	msg  string
	kind error
}

func subKind(msg string, kind error) error { return &kindError{msg, kind} }

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }

// sqliteError is SQLite's error with its kind: its text is the kind's
// (what to do) then SQLite's own (what happened).
type sqliteError struct {
	kind error
	err  error
}

func (e *sqliteError) Error() string   { return e.kind.Error() + ": " + e.err.Error() }
func (e *sqliteError) Unwrap() []error { return []error{e.kind, e.err} }

// kindOf gives SQLite's errors their kind, by code, never by message
// text; other errors, and errors that have their kind already, are
// returned as they are.
func kindOf(err error) error {
	var se sqlite3.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	var done *sqliteError
	if errors.As(err, &done) {
		return err
	}
	var kind error
	switch se.Code {
	case sqlite3.ErrBusy, sqlite3.ErrLocked:
		kind = ErrBusy
	case sqlite3.ErrReadonly, sqlite3.ErrPerm, sqlite3.ErrCantOpen:
		kind = ErrReadOnly
	case sqlite3.ErrCorrupt, sqlite3.ErrNotADB:
		kind = ErrDamaged
	case sqlite3.ErrFull:
		kind = ErrDiskFull
	default:
		// Constraints among them: the store checks what it is given
		// before it writes, so a constraint SQLite enforces (a key, an
		// append-only table's trigger) is the program's fault or the
		// database's, never the user's input: no kind a caller would
		// show as the user's mistake.
		return err
	}
	return &sqliteError{kind, err}
}
