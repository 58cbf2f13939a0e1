package store

// Signed links' generations: bumping one revokes every link made before.

import (
	"context"
	"fmt"
	"strings"
)

// Scopes of a link generation.
const (
	ScopeAll = "all"
)

// ScopeBody and ScopeEmail name the generation of one body's links and of
// one address's links. Addresses compare without case.
func ScopeBody(id string) string    { return "body:" + id }
func ScopeEmail(addr string) string { return "email:" + strings.ToLower(addr) }

// LinkGeneration is the generation a link for this address and body must
// carry to be valid: the sum of the global, body and address generations.
// Each only grows, so bumping any of them invalidates every link made
// before.
func (db *DB) LinkGeneration(ctx context.Context, email, body string) (int64, error) {
	var g int64
	err := db.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(generation), 0) FROM link_generations WHERE scope IN (?, ?, ?)`,
		ScopeAll, ScopeBody(body), ScopeEmail(email)).Scan(&g)
	return g, err
}

// Revoke ends the links and sessions of a scope (ScopeAll, ScopeBody,
// ScopeEmail) in one transaction: it bumps the scope's generation and
// marks its open sessions revoked. It returns how many sessions ended.
func (db *DB) Revoke(ctx context.Context, scope, by string) (int, error) {
	var n int64
	err := db.tx(ctx, func(tx *txn) error {
		now := db.now().Unix()
		if _, err := tx.ExecContext(ctx, `INSERT INTO link_generations (scope, generation, bumped_at, bumped_by) VALUES (?, 1, ?, ?)
			ON CONFLICT(scope) DO UPDATE SET generation = generation + 1, bumped_at = excluded.bumped_at, bumped_by = excluded.bumped_by`,
			scope, now, by); err != nil {
			return err
		}
		q := `UPDATE web_sessions SET revoked_at = ? WHERE revoked_at IS NULL`
		args := []any{now}
		switch {
		case scope == ScopeAll:
		case strings.HasPrefix(scope, "body:"):
			q += ` AND body = ?`
			args = append(args, strings.TrimPrefix(scope, "body:"))
		case strings.HasPrefix(scope, "email:"):
			q += ` AND focal_point = ? COLLATE NOCASE`
			args = append(args, strings.TrimPrefix(scope, "email:"))
		default:
			return fmt.Errorf("revoke: %w: scope %q", ErrInvalid, scope)
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// LinkGeneration is DB.LinkGeneration inside a slot's transaction (plan
// signs the links of the messages it enqueues).
func (s *SlotTx) LinkGeneration(ctx context.Context, email, body string) (int64, error) {
	var g int64
	err := s.q.QueryRowContext(ctx, `SELECT COALESCE(SUM(generation), 0) FROM link_generations WHERE scope IN (?, ?, ?)`,
		ScopeAll, ScopeBody(body), ScopeEmail(email)).Scan(&g)
	return g, err
}
