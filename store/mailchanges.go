package store

// Changes to where mail goes, kept until a delivered overview lists them.

import (
	"context"
	"strings"
	"time"

	"github.com/followup-app/followup/plan"
)

// RecordMailChange keeps a change to where mail goes until an overview
// listing it is delivered (plan's MailChanges and ListInOverview).
func (db *DB) RecordMailChange(ctx context.Context, summary string) error {
	return db.tx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO mail_changes (at, summary) VALUES (?, ?)`, db.now().Unix(), summary)
		return err
	})
}

// MailChanges returns the changes to where mail goes no delivered
// overview has reported, oldest first.
func (s *SlotTx) MailChanges(ctx context.Context) ([]plan.MailChange, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT at, summary FROM mail_changes WHERE reported_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []plan.MailChange
	for rows.Next() {
		var at int64
		var summary string
		if err := rows.Scan(&at, &summary); err != nil {
			return nil, err
		}
		out = append(out, plan.MailChange{At: time.Unix(at, 0).UTC(), Changes: strings.Split(summary, "\n")})
	}
	return out, rows.Err()
}
