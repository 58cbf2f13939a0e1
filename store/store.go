// Package store keeps followup's state in one SQLite file: documents,
// recommendations and their history, tasks and their audit trail, schedule
// slots, the outbox and the reminder log. It implements the interfaces
// package plan reads and writes through (sweep.go): the reminder sweep is a
// few SQL statements there, so that SQLite, not Go, goes through the tasks.
//
// Every exported method that writes is one IMMEDIATE transaction: it takes
// the write lock up front, so concurrent read-then-write transactions wait
// instead of failing with "database is locked", and a failure leaves
// nothing behind. Connection settings live in the DSN so that every pooled
// connection gets them.
//
// Each action has one write method, whoever acts (the CLI, the pages, the
// daemon), and it takes an Actor, which the task's audit trail records.
// Errors are of the kinds in errors.go: every statement runs through
// conn.go, which gives SQLite's errors theirs, so callers map kinds (web
// to HTTP statuses, the CLI to exit statuses) and never SQLite's codes.
// Files are named by what they hold: tasks.go, events.go, documents.go,
// recommendations.go, updates.go, outbox.go, sessions.go, links.go,
// ownership.go, slots.go, sweep.go, drafts.go…
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is the store.
type DB struct {
	db       conn
	path     string
	now      func() time.Time
	location *time.Location
	logger   *slog.Logger

	markSentOnce sync.Once
	markSent     *stmt
	markSentErr  error

	trace func(query string, args []any) // see TraceSQL

	lock *lockFile // the database file, for its lock (lock.go)
}

// Options configure Open.
type Options struct {
	// MustExist refuses to create a new database: read-only commands should
	// say "import a document first", not create an empty file.
	MustExist bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Location is the config's zone: instants become dates in it.
	Location *time.Location
	Logger   *slog.Logger
	// Lock, when set, takes the database's lock for this command before
	// anything is read or written: one daemon per database file. Open
	// then fails with a *LockedError when another process holds it.
	Lock string
}

// Open opens (or creates) the database at path and brings its schema up to
// date.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if opts.MustExist {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNoDatabase, path)
		}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := private(path, opts.Logger); err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// Opened before SQLite's descriptors and closed after them (lock.go).
	lock, err := openLockFile(path)
	if err != nil {
		return nil, err
	}
	if opts.Lock != "" {
		if err := lock.acquire(opts.Lock, opts.Now()); err != nil {
			_ = lock.close() // the error that matters is the lock's
			return nil, err
		}
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	sqldb, err := sql.Open("sqlite3", dsn)
	if err != nil {
		_ = lock.close() // the error that matters is the open's
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// One writer at a time is SQLite's model; a single connection also
	// keeps reads inside a transaction consistent with its writes.
	sqldb.SetMaxOpenConns(1)
	db := &DB{db: conn{sqldb}, path: path, now: opts.Now, location: opts.Location, logger: opts.Logger.With("component", "store"), lock: lock}
	if err := db.migrate(ctx); err != nil {
		_ = db.Close() // the error that matters is the migration's
		return nil, err
	}
	return db, nil
}

// private makes sure the database is readable by its owner only: it holds
// every address and message. A new file is created 0600 before SQLite
// opens it (SQLite gives its -wal and -shm files the database's mode); an
// existing one readable by others is tightened, and the change logged.
func private(path string, logger *slog.Logger) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() || st.Mode().Perm()&0o077 == 0 {
			continue
		}
		if err := os.Chmod(p, st.Mode().Perm()&0o700); err != nil {
			logger.Warn("the database file is readable by others and could not be made private", "component", "store", "file", p, "err", err)
			continue
		}
		logger.Warn("the database file was readable by others; it is now readable by its owner only", "component", "store",
			"file", p, "was", fmt.Sprintf("%04o", st.Mode().Perm()))
	}
	return nil
}

// Close closes the database, then releases its lock when this process
// held it.
func (db *DB) Close() error {
	if db.markSent != nil {
		_ = db.markSent.Close() // a prepared statement has nothing left to report; closing the pool does
	}
	err := db.db.raw.Close()
	if lerr := db.lock.close(); err == nil {
		err = lerr
	}
	return err
}

// ReleaseMemory hands back what SQLite holds that it can read again (the
// connection's page cache): the daemon calls it after a heartbeat that
// read much, before it trims malloc's arenas.
func (db *DB) ReleaseMemory(ctx context.Context) error {
	_, err := db.db.ExecContext(ctx, `PRAGMA shrink_memory`)
	return err
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		v, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its number", name)
		}
		b, err := migrationFiles.ReadFile(path.Join("migrations", name))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{v, name, string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.name, i+1)
		}
	}
	return out, nil
}

// migrate applies the missing migrations, each in its own transaction with
// its version row, and refuses a database from a newer program.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if _, err := db.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("open database %s: %w", db.path, err)
	}
	var current int
	if err := db.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("open database %s: %w", db.path, err)
	}
	if current > len(ms) {
		return fmt.Errorf("%w: %s has schema version %d and this followup knows %d; upgrade followup (or restore a backup made for this version)",
			ErrSchemaTooNew, db.path, current, len(ms))
	}
	if current > 0 && current < len(ms) {
		// A database that has data and is about to change: keep a copy
		// of it as it is, to go back to with the previous release.
		if err := db.copyBeforeMigration(ctx, ms[current].version); err != nil {
			return err
		}
	}
	for _, m := range ms[current:] {
		err := db.tx(ctx, func(tx *txn) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, db.now().Unix())
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s to %s: %w", db.path, m.name, err)
		}
		db.logger.Info("applied migration", "migration", m.name)
	}
	return nil
}

// tx runs fn in one IMMEDIATE transaction (the DSN sets _txlock), committing
// when fn returns nil.
func (db *DB) tx(ctx context.Context, fn func(*txn) error) error {
	tx, err := db.db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := fn(tx); err != nil {
		// fn's statements gave their errors a kind already; an error
		// from elsewhere that SQLite made gets one here.
		return kindOf(err)
	}
	return tx.commit()
}

func nullDate(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Ping says whether the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("the database does not answer: %w", err)
	}
	return nil
}

// traced tells the statement trace (TraceSQL) about a statement the
// dashboard runs outside a slot: bench/dashsql times the sqlite3 shell on
// the same statements.
func (db *DB) traced(q string, args []any) {
	if db.trace != nil {
		db.trace(q, args)
	}
}
