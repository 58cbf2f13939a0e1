package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/followup-app/followup/plan"
)

// LastSlot returns the last slot a schedule ran for.
func (db *DB) LastSlot(ctx context.Context, name string) (time.Time, bool, error) {
	var last int64
	err := db.db.QueryRowContext(ctx, `SELECT last_slot FROM schedule_slots WHERE name = ?`, name).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	return time.Unix(last, 0).UTC(), true, nil
}

// SetLastSlot records a slot as run (or skipped) without running anything.
func (db *DB) SetLastSlot(ctx context.Context, name string, slot time.Time) error {
	return db.tx(ctx, func(tx *txn) error { return setSlot(ctx, tx, name, slot, db.now().Unix()) })
}

func setSlot(ctx context.Context, tx execer, name string, slot time.Time, now int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO schedule_slots (name, last_slot, updated_at) VALUES (?,?,?)
		ON CONFLICT(name) DO UPDATE SET last_slot = excluded.last_slot, updated_at = excluded.updated_at`, name, slot.Unix(), now)
	return err
}

// SlotTx is the transaction of one schedule run. Everything it enqueues and
// logs commits together with the slot's advance, or nothing does: a crash
// in the middle of a sweep neither loses nor repeats a reminder. It
// implements plan.Tx.
type SlotTx struct {
	q      tracedTx
	db     *DB
	now    int64
	dryRun bool
	swept  *plan.Fire // the first fire of the sweep loaded in the temporary tables
	nFires int
}

var _ plan.Tx = (*SlotTx)(nil)

// RunSlot runs fn for slot of the named schedule in one transaction and
// records the slot as the schedule's last. It returns ErrSlotDone, and
// runs nothing, when that slot (or a later one) already ran. With dryRun
// everything is rolled back: followup preview shows what would be sent
// without recording anything.
func (db *DB) RunSlot(ctx context.Context, name string, slot time.Time, dryRun bool, fn func(*SlotTx) error) error {
	errRollback := errors.New("dry run")
	err := db.tx(ctx, func(tx *txn) error {
		var last int64
		q := tracedTx{tx, db.trace}
		err := q.QueryRowContext(ctx, `SELECT last_slot FROM schedule_slots WHERE name = ?`, name).Scan(&last)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case last >= slot.Unix():
			return ErrSlotDone
		}
		s := &SlotTx{q: tracedTx{tx, db.trace}, db: db, now: db.now().Unix(), dryRun: dryRun}
		defer s.dropSweep(context.WithoutCancel(ctx))
		if err := fn(s); err != nil {
			return err
		}
		if err := setSlot(ctx, q, name, slot, s.now); err != nil {
			return err
		}
		if dryRun {
			return errRollback
		}
		return nil
	})
	if errors.Is(err, errRollback) {
		return nil
	}
	return err
}

// Enqueue adds a message to the outbox within the slot.
func (s *SlotTx) Enqueue(ctx context.Context, m plan.Outgoing) (int64, bool, error) {
	return enqueue(ctx, s.q, OutboxMessage{Key: m.Key, Kind: m.Kind, Recipient: m.Recipient, Subject: m.Subject,
		MessageID: m.MessageID, From: m.From, To: m.To, Raw: m.Raw}, s.now)
}

// DryRun reports whether nothing the slot does will be kept.
func (s *SlotTx) DryRun() bool { return s.dryRun }
