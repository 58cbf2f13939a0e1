package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattn/go-sqlite3"
)

func TestKindOfSQLiteCodes(t *testing.T) {
	for _, c := range []struct {
		code     sqlite3.ErrNo
		extended sqlite3.ErrNoExtended
		want     error
		text     string
	}{
		{sqlite3.ErrBusy, 0, ErrBusy, "the database is busy (another followup is writing to it): "},
		{sqlite3.ErrLocked, 0, ErrBusy, "the database is busy"},
		{sqlite3.ErrReadonly, 0, ErrReadOnly, "cannot write the database file (check the path and its permissions): "},
		{sqlite3.ErrPerm, 0, ErrReadOnly, "check the path and its permissions"},
		{sqlite3.ErrCantOpen, 0, ErrReadOnly, "check the path and its permissions"},
		{sqlite3.ErrCorrupt, 0, ErrDamaged, "the database file is damaged or not a followup database: "},
		{sqlite3.ErrNotADB, 0, ErrDamaged, "damaged"},
		{sqlite3.ErrFull, 0, ErrDiskFull, "the disk is full: "},
	} {
		raw := sqlite3.Error{Code: c.code, ExtendedCode: c.extended}
		got := kindOf(fmt.Errorf("read tasks: %w", raw))
		if !errors.Is(got, c.want) || !strings.Contains(got.Error(), c.text) {
			t.Errorf("code %d/%d: %v, want kind %v and %q", c.code, c.extended, got, c.want, c.text)
		}
		var se sqlite3.Error
		if !errors.As(got, &se) || se.Code != c.code {
			t.Errorf("code %d: SQLite's own error is lost in %v", c.code, got)
		}
		// A second pass (a statement's, then the transaction's) adds nothing.
		if again := kindOf(got); again.Error() != got.Error() {
			t.Errorf("code %d: translated twice: %q", c.code, again)
		}
	}
	// Other errors, and SQLite's other codes, pass as they are.
	for _, err := range []error{nil, ErrNotFound, errors.New("x"), sqlite3.Error{Code: sqlite3.ErrInterrupt},
		sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintUnique}} {
		if got := kindOf(err); got != err {
			t.Errorf("kindOf(%v) = %v", err, got)
		}
	}
}

func TestSubKinds(t *testing.T) {
	for _, c := range []struct{ err, kind error }{
		{ErrDecided, ErrConflict}, {ErrSlotDone, ErrConflict}, {ErrBackupExists, ErrConflict},
		{ErrSchemaTooNew, ErrConflict}, {ErrParentMissing, ErrInvalid}, {ErrNoDatabase, ErrNotFound},
	} {
		wrapped := fmt.Errorf("request 3: %w", c.err)
		if !errors.Is(wrapped, c.kind) || !errors.Is(wrapped, c.err) || errors.Is(wrapped, ErrBusy) {
			t.Errorf("%v: not of kind %v", c.err, c.kind)
		}
	}
}

// A file that is not a database says so, with its kind, when opened.
func TestOpenDamagedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "followup.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database ", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path, Options{})
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "damaged or not a followup database") {
		t.Fatalf("Open = %v", err)
	}
}

// A constraint SQLite enforces is no kind a caller would show as the
// user's mistake: the store checks what it is given before it writes.
func TestConstraintsAreNotTheUsersMistake(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if _, err := db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "co.txt"}}, planAll("moj")); err != nil {
		t.Fatal(err)
	}
	_, err := db.db.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) SELECT version, name, applied_at FROM schema_migrations LIMIT 1`)
	if err == nil || errors.Is(err, ErrConflict) || errors.Is(err, ErrInvalid) {
		t.Errorf("a migration recorded twice: %v", err)
	}
	err = db.tx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM task_events`)
		return err
	})
	if err == nil || errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("rewriting the audit trail: %v", err)
	}
}
