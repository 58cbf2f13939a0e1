package store

// Browser sessions opened by signed links.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session is a browser session opened by a signed link. IDHash is the
// SHA-256 (hex) of the random id in the cookie: the id itself is never
// stored.
type Session struct {
	IDHash      string
	FocalPoint  string // address the link was issued to
	Body        string // ministry id, or the coordinator's
	Coordinator bool
	Created     time.Time
	Expires     time.Time
	LastSeen    time.Time
	ClientAddr  string
	Revoked     bool
}

// CreateSession records a new session.
func (db *DB) CreateSession(ctx context.Context, s Session) error {
	return db.tx(ctx, func(tx *txn) error {
		now := db.now().Unix()
		_, err := tx.ExecContext(ctx, `INSERT INTO web_sessions (id_hash, focal_point, body, coordinator, created_at, expires_at, last_seen, client_addr)
			VALUES (?,?,?,?,?,?,?,?)`, s.IDHash, s.FocalPoint, s.Body, s.Coordinator, now, s.Expires.Unix(), now, s.ClientAddr)
		return err
	})
}

// PurgeSessions deletes the sessions that ended (expired, or were revoked)
// before before, and says how many. They can never open a page again;
// what was done through them stays in the tasks' history.
func (db *DB) PurgeSessions(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.tx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE expires_at < ?1 OR revoked_at < ?1`, before.Unix())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// ActiveSession returns the session with this id hash if it is neither
// expired nor revoked at now; ErrNotFound otherwise. It does not write:
// reading a page must not take the write lock.
func (db *DB) ActiveSession(ctx context.Context, idHash string, now time.Time) (Session, error) {
	var s Session
	var created, expires, seen int64
	var revoked sql.NullInt64
	err := db.db.QueryRowContext(ctx, `SELECT id_hash, focal_point, body, coordinator, created_at, expires_at, last_seen, client_addr, revoked_at
		FROM web_sessions WHERE id_hash = ?`, idHash).Scan(&s.IDHash, &s.FocalPoint, &s.Body, &s.Coordinator, &created, &expires, &seen, &s.ClientAddr, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return s, err
	}
	s.Created, s.Expires, s.LastSeen = time.Unix(created, 0).UTC(), time.Unix(expires, 0).UTC(), time.Unix(seen, 0).UTC()
	s.Revoked = revoked.Valid
	if s.Revoked || !now.Before(s.Expires) {
		return s, fmt.Errorf("session: %w (expired or revoked)", ErrNotFound)
	}
	return s, nil
}

// SessionFilter selects sessions; zero fields select all. Active leaves
// out expired and revoked ones.
type SessionFilter struct {
	FocalPoint string
	Body       string
	Active     bool
}

// Sessions lists sessions, newest first.
func (db *DB) Sessions(ctx context.Context, f SessionFilter) ([]Session, error) {
	q := `SELECT id_hash, focal_point, body, coordinator, created_at, expires_at, last_seen, client_addr, revoked_at FROM web_sessions WHERE 1=1`
	var args []any
	if f.FocalPoint != "" {
		q += ` AND focal_point = ? COLLATE NOCASE`
		args = append(args, f.FocalPoint)
	}
	if f.Body != "" {
		q += ` AND body = ?`
		args = append(args, f.Body)
	}
	if f.Active {
		q += ` AND revoked_at IS NULL AND expires_at > ?`
		args = append(args, db.now().Unix())
	}
	rows, err := db.db.QueryContext(ctx, q+` ORDER BY created_at DESC, id_hash`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		var s Session
		var created, expires, seen int64
		var revoked sql.NullInt64
		if err := rows.Scan(&s.IDHash, &s.FocalPoint, &s.Body, &s.Coordinator, &created, &expires, &seen, &s.ClientAddr, &revoked); err != nil {
			return nil, err
		}
		s.Created, s.Expires, s.LastSeen = time.Unix(created, 0).UTC(), time.Unix(expires, 0).UTC(), time.Unix(seen, 0).UTC()
		s.Revoked = revoked.Valid
		out = append(out, s)
	}
	return out, rows.Err()
}

// EndSession revokes one session (sign out).
func (db *DB) EndSession(ctx context.Context, idHash string) error {
	return db.tx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `UPDATE web_sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL`, db.now().Unix(), idHash)
		return err
	})
}
