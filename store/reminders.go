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
