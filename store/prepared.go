package store

import (
	"context"
	"database/sql"
)

// preparedTx runs a transaction's statements prepared once each: an import
// of a UHRI export writes the same few statements hundreds of thousands of
// times, and preparing one costs about what running it does. The
// statements end with the transaction.
//
// They run without ctx's cancellation (context.WithoutCancel): the driver
// watches a context that can end from a goroutine of its own, one per
// statement, which doubled the store's share of such an import's CPU.
// Each statement is short; the transaction itself still ends when ctx
// does (database/sql rolls it back, and every later statement fails), and
// the importers look at ctx between rows.
type preparedTx struct {
	tx    *txn
	stmts map[string]*sql.Stmt
}

func newPreparedTx(tx *txn) *preparedTx { return &preparedTx{tx: tx, stmts: map[string]*sql.Stmt{}} }

func (p *preparedTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := p.stmts[query]; ok {
		return s, nil
	}
	s, err := p.tx.raw.PrepareContext(ctx, query)
	if err != nil {
		return nil, kindOf(err)
	}
	p.stmts[query] = s
	return s, nil
}

func (p *preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	res, err := s.ExecContext(context.WithoutCancel(ctx), args...)
	return res, kindOf(err)
}

// QueryRowContext runs a query whose statement cannot be prepared as a
// failed row: Scan returns the error.
func (p *preparedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sqlRow {
	s, err := p.stmt(ctx, query)
	if err != nil {
		return &sqlRow{err: err}
	}
	return &sqlRow{raw: s.QueryRowContext(context.WithoutCancel(ctx), args...)}
}

func (p *preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sqlRows, error) {
	s, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	r, err := s.QueryContext(context.WithoutCancel(ctx), args...)
	if err != nil {
		return nil, kindOf(err)
	}
	return &sqlRows{r}, nil
}
