package store

// Every statement the store runs goes through conn or txn, which give
// SQLite's errors their kind (kindOf) wherever they surface: when a
// statement runs, when a row is scanned, when rows end, at commit. The
// *sql values stay inside: a method cannot reach the database without
// them.

import (
	"context"
	"database/sql"
)

// conn is the database's connection pool.
type conn struct{ raw *sql.DB }

func (c conn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := c.raw.ExecContext(ctx, query, args...)
	return res, kindOf(err)
}

func (c conn) QueryContext(ctx context.Context, query string, args ...any) (*sqlRows, error) {
	r, err := c.raw.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, kindOf(err)
	}
	return &sqlRows{r}, nil
}

func (c conn) QueryRowContext(ctx context.Context, query string, args ...any) *sqlRow {
	return &sqlRow{raw: c.raw.QueryRowContext(ctx, query, args...)}
}

func (c conn) PrepareContext(ctx context.Context, query string) (*stmt, error) {
	s, err := c.raw.PrepareContext(ctx, query)
	if err != nil {
		return nil, kindOf(err)
	}
	return &stmt{s}, nil
}

func (c conn) begin(ctx context.Context) (*txn, error) {
	tx, err := c.raw.BeginTx(ctx, nil)
	if err != nil {
		return nil, kindOf(err)
	}
	return &txn{tx}, nil
}

// txn is one transaction.
type txn struct{ raw *sql.Tx }

func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := t.raw.ExecContext(ctx, query, args...)
	return res, kindOf(err)
}

func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sqlRows, error) {
	r, err := t.raw.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, kindOf(err)
	}
	return &sqlRows{r}, nil
}

func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sqlRow {
	return &sqlRow{raw: t.raw.QueryRowContext(ctx, query, args...)}
}

func (t *txn) commit() error { return kindOf(t.raw.Commit()) }

// rollback ends a transaction that did not commit; after a commit it does
// nothing.
func (t *txn) rollback() { _ = t.raw.Rollback() }

// sqlRow is the result of QueryRowContext: its error comes with Scan
// (err: a statement that could not be prepared).
type sqlRow struct {
	raw *sql.Row
	err error
}

func (r *sqlRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return kindOf(r.raw.Scan(dest...))
}

// sqlRows are the results of QueryContext.
type sqlRows struct{ *sql.Rows }

func (r *sqlRows) Scan(dest ...any) error { return kindOf(r.Rows.Scan(dest...)) }
func (r *sqlRows) Err() error             { return kindOf(r.Rows.Err()) }

// stmt is a prepared statement.
type stmt struct{ raw *sql.Stmt }

func (s *stmt) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	res, err := s.raw.ExecContext(ctx, args...)
	return res, kindOf(err)
}

func (s *stmt) Close() error { return kindOf(s.raw.Close()) }
