package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Delivery states the daemon records, so that a delivery problem the
// coordinator cannot be told by mail is visible elsewhere.
const (
	DeliveryOK      = "ok"      // the last attempt delivered, or there was nothing to send
	DeliveryFailing = "failing" // the relay cannot be reached or refuses the session; messages wait and count attempts
	DeliveryStopped = "stopped" // outcomes cannot be recorded (disk full?): nothing is sent until they can
)

// DeliveryState is the state of delivery as the daemon last recorded it.
type DeliveryState struct {
	State string // "" when no daemon ever recorded one
	Err   string // the last error, while not ok
	Since time.Time
	At    time.Time // last written
}

// SetDeliveryState records the state of delivery; since moves only when
// the state itself changes (a new error text in the same state keeps it).
func (db *DB) SetDeliveryState(ctx context.Context, state, errText string) error {
	value := state
	if errText != "" {
		value += "\n" + errText
	}
	now := db.now().Unix()
	return db.tx(ctx, func(tx *txn) error {
		var old string
		var since int64
		err := tx.QueryRowContext(ctx, `SELECT value, since FROM daemon_state WHERE key = 'delivery'`).Scan(&old, &since)
		if errors.Is(err, sql.ErrNoRows) {
			old = ""
		} else if err != nil {
			return err
		}
		if prev, _, _ := strings.Cut(old, "\n"); prev != state {
			since = now
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO daemon_state (key, value, since, at) VALUES ('delivery', ?, ?, ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value, since = excluded.since, at = excluded.at`, value, since, now)
		return err
	})
}

// Delivery returns the recorded state of delivery.
func (db *DB) Delivery(ctx context.Context) (DeliveryState, error) {
	var value string
	var since, at int64
	err := db.db.QueryRowContext(ctx, `SELECT value, since, at FROM daemon_state WHERE key = 'delivery'`).Scan(&value, &since, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return DeliveryState{}, nil
	}
	if err != nil {
		return DeliveryState{}, err
	}
	st, errText, _ := strings.Cut(value, "\n")
	return DeliveryState{State: st, Err: errText, Since: time.Unix(since, 0).UTC(), At: time.Unix(at, 0).UTC()}, nil
}

// Heartbeat records that the daemon is alive at its clock's now.
func (db *DB) Heartbeat(ctx context.Context, pid int) error {
	now := db.now().Unix()
	_, err := db.db.ExecContext(ctx, `INSERT INTO daemon_state (key, value, since, at) VALUES ('heartbeat', ?, ?, ?)
		ON CONFLICT(key) DO UPDATE SET since = CASE WHEN value = excluded.value THEN since ELSE excluded.since END,
			value = excluded.value, at = excluded.at`, strconv.Itoa(pid), now, now)
	return err
}

// LastHeartbeat is when the daemon last recorded a heartbeat, with the
// pid it gave; zero when never.
func (db *DB) LastHeartbeat(ctx context.Context) (time.Time, string, error) {
	var value string
	var at int64
	err := db.db.QueryRowContext(ctx, `SELECT value, at FROM daemon_state WHERE key = 'heartbeat'`).Scan(&value, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, "", nil
	}
	if err != nil {
		return time.Time{}, "", err
	}
	return time.Unix(at, 0).UTC(), value, nil
}
