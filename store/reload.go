package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/followup-app/followup/workflow"
)

// The config reload's state, kept in daemon_state so that `followup
// status`, `followup config diff|apply` and the dashboard, in other
// processes, see what the daemon sees:
//
//   - config: the text of the config file in force, as the daemon last
//     applied it (what `config diff` compares an edit with);
//   - reload_held: a reload the daemon did not apply, and why, until the
//     admin confirms it (HeldReload);
//   - reload_confirmed: the hash of the file the admin confirmed with
//     `followup config apply`.

// HeldReload is a config file the daemon read and did not put in force:
// it could be a file still being written, so it waits for the admin.
type HeldReload struct {
	Hash    string    // the file's SHA-256, hex
	Reasons string    // why, "; "-separated: "drops mail.smtp; ..."
	Since   time.Time // first held
}

// AppliedConfig is the text of the config file in force, as the daemon
// last applied it; nil when no daemon recorded one.
func (db *DB) AppliedConfig(ctx context.Context) ([]byte, time.Time, error) {
	var value string
	var since int64
	err := db.db.QueryRowContext(ctx, `SELECT value, since FROM daemon_state WHERE key = 'config'`).Scan(&value, &since)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, nil
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	return []byte(value), time.Unix(since, 0).UTC(), nil
}

// SetApplied records the config text the daemon put in force, and ends
// any held reload and confirmation.
func (db *DB) SetApplied(ctx context.Context, text []byte) error {
	now := db.now().Unix()
	return db.tx(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO daemon_state (key, value, since, at) VALUES ('config', ?, ?, ?)
			ON CONFLICT(key) DO UPDATE SET since = CASE WHEN value = excluded.value THEN since ELSE excluded.since END,
				value = excluded.value, at = excluded.at`, string(text), now, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM daemon_state WHERE key IN ('reload_held', 'reload_confirmed')`)
		return err
	})
}

// HoldReload records a reload the daemon holds. Since stays the first
// time this very file was held.
func (db *DB) HoldReload(ctx context.Context, hash string, reasons []string) error {
	now := db.now().Unix()
	value := hash + "\n" + strings.Join(reasons, "; ")
	return db.tx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO daemon_state (key, value, since, at) VALUES ('reload_held', ?, ?, ?)
			ON CONFLICT(key) DO UPDATE SET since = CASE WHEN value = excluded.value THEN since ELSE excluded.since END,
				value = excluded.value, at = excluded.at`, value, now, now)
		return err
	})
}

// ClearHeldReload forgets a held reload (the file went back to the one in
// force, or was replaced by one that needs no confirmation).
func (db *DB) ClearHeldReload(ctx context.Context) error {
	return db.tx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM daemon_state WHERE key = 'reload_held'`)
		return err
	})
}

// HeldReload is the reload the daemon holds; nil when none.
func (db *DB) HeldReload(ctx context.Context) (*HeldReload, error) {
	var value string
	var since int64
	err := db.db.QueryRowContext(ctx, `SELECT value, since FROM daemon_state WHERE key = 'reload_held'`).Scan(&value, &since)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	hash, reasons, _ := strings.Cut(value, "\n")
	return &HeldReload{Hash: hash, Reasons: reasons, Since: time.Unix(since, 0).UTC()}, nil
}

// ConfirmReload records that the admin confirmed the config file with
// this hash: the daemon applies it at its next heartbeat.
func (db *DB) ConfirmReload(ctx context.Context, hash string) error {
	now := db.now().Unix()
	return db.tx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO daemon_state (key, value, since, at) VALUES ('reload_confirmed', ?, ?, ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value, since = excluded.since, at = excluded.at`, hash, now, now)
		return err
	})
}

// ReloadConfirmed is the hash of the config file the admin confirmed; ""
// when none.
func (db *DB) ReloadConfirmed(ctx context.Context) (string, error) {
	var hash string
	err := db.db.QueryRowContext(ctx, `SELECT value FROM daemon_state WHERE key = 'reload_confirmed'`).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return hash, err
}

// OwnerChange is a task whose owner the assignment rules would change.
type OwnerChange struct {
	TaskID   int64
	Symbol   string // the document's
	RecID    string
	From, To string // ministry ids; "" is unassigned
}

// OwnerChanges works out, without writing, what applying plan's rules
// would do to the tasks not assigned by hand: how many tasks there are,
// how many would change owner, and the first few of them (limit). It
// reads the tasks in batches, as ApplyRules does, so a million never sit
// in memory.
func (db *DB) OwnerChanges(ctx context.Context, plan Planner, limit int) (total, changed int, first []OwnerChange, err error) {
	if err = db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tasks`).Scan(&total); err != nil {
		return 0, 0, nil, err
	}
	for after := int64(0); ; {
		var batch []workflow.Task
		rows, err := db.db.QueryContext(ctx, `SELECT `+taskColumns+taskFrom+` WHERE t.manual = 0 AND t.id > ? ORDER BY t.id LIMIT 2000`, after)
		if err != nil {
			return 0, 0, nil, err
		}
		for rows.Next() {
			t, err := scanTask(rows, db.loc())
			if err != nil {
				rows.Close()
				return 0, 0, nil, err
			}
			batch = append(batch, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, 0, nil, err
		}
		if len(batch) == 0 {
			return total, changed, first, nil
		}
		after = batch[len(batch)-1].ID
		for _, t := range batch {
			a := plan(t.Document.Symbol, t.Rec)
			if a.Owner == t.Owner {
				continue
			}
			changed++
			if len(first) < limit {
				first = append(first, OwnerChange{TaskID: t.ID, Symbol: t.Document.Symbol, RecID: t.Rec.ID, From: t.Owner, To: a.Owner})
			}
		}
	}
}
