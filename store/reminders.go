package store

// The reminder log: which task was reminded of which deadline, by which
// message (the sweep writes it: LogSweep).

import (
	"context"
	"fmt"
	"time"

	"github.com/followup-app/followup/report/source"
)

// LastReminded says when each ministry was last sent a reminder about each
// task of a document. Only messages the relay accepted count: a reminder
// still queued, failed or uncertain has not reached anyone.
func (db *DB) LastReminded(ctx context.Context, documentID int64) ([]source.Reminded, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT l.task_id, o.recipient, MAX(o.sent_at)
		FROM tasks t JOIN reminder_log l ON l.task_id = t.id JOIN outbox o ON o.id = l.outbox_id
		WHERE t.document_id = ? AND o.status = 'sent' AND o.sent_at IS NOT NULL
		GROUP BY l.task_id, o.recipient`, documentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []source.Reminded
	for rows.Next() {
		var r source.Reminded
		var at int64
		if err := rows.Scan(&r.TaskID, &r.Ministry, &at); err != nil {
			return nil, fmt.Errorf("read reminders: %w", err)
		}
		r.At = time.Unix(at, 0).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// LogReminder records that a task was reminded of a deadline (the sweep
// logs whole groups with LogSweep; this is the one-task form, for tools
// and tests that record a reminder by hand); false when it already was. A
// dry run records nothing: it would be rolled back.
func (s *SlotTx) LogReminder(ctx context.Context, taskID int64, deadline, kind string, outboxID int64) (bool, error) {
	if s.dryRun {
		return true, nil
	}
	res, err := s.q.ExecContext(ctx, `INSERT INTO reminder_log (task_id, deadline, kind, outbox_id, at)
		VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING`, taskID, deadline, kind, outboxID, s.now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
