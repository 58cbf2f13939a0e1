package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/followup-app/followup/workflow"
)

// The ministries' "this is not ours" requests and the coordinator's
// decisions on them.

// Decisions on an ownership request.
const (
	DecisionOpen    = ""
	DecisionAgreed  = "agreed"
	DecisionRefused = "refused"
)

// OwnershipRequest is a ministry's "this is not ours": it names the
// ministry it believes owns the task, and why. The coordinator decides.
type OwnershipRequest struct {
	ID       int64
	TaskID   int64
	RecID    string // filled when read
	Ministry string // who asks
	Proposed string // the ministry it names
	Reason   string
	By       Actor
	At       time.Time
	Decision string // DecisionOpen, DecisionAgreed or DecisionRefused
	// DecidedAt, DecidedBy and Note are set once decided.
	DecidedAt time.Time
	DecidedBy string
	Note      string
}

// AddOwnershipRequest records a request and its entry in the task's audit
// trail (kind "not-ours"), and enqueues also (the receipt), in one
// transaction.
func (db *DB) AddOwnershipRequest(ctx context.Context, r OwnershipRequest, also ...OutboxMessage) (int64, error) {
	r.Reason, r.By.Name = strings.TrimSpace(r.Reason), strings.TrimSpace(r.By.Name)
	switch {
	case r.Reason == "":
		return 0, fmt.Errorf("ownership request: %w: no reason given", ErrInvalid)
	case r.By.Name == "":
		return 0, fmt.Errorf("ownership request: %w: no author name", ErrInvalid)
	case r.Ministry == "" || r.Proposed == "":
		return 0, fmt.Errorf("ownership request: %w: no ministry", ErrInvalid)
	case r.Ministry == r.Proposed:
		return 0, fmt.Errorf("ownership request: %w: the proposed ministry is the one asking", ErrInvalid)
	}
	var id int64
	err := db.tx(ctx, func(tx *txn) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tasks WHERE id = ?`, r.TaskID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return fmt.Errorf("task %d: %w", r.TaskID, ErrNotFound)
		}
		now := db.now().Unix()
		res, err := tx.ExecContext(ctx, `INSERT INTO ownership_requests (task_id, ministry, proposed, reason, focal_point, author, client_addr, at)
			VALUES (?,?,?,?,?,?,?,?)`, r.TaskID, r.Ministry, r.Proposed, r.Reason, r.By.FocalPoint, r.By.Name, r.By.ClientAddr, now)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, eventRow{taskID: r.TaskID, at: now, by: r.By,
			kind: "not-ours", from: r.Ministry, to: r.Proposed, note: summary(r.Reason)}); err != nil {
			return err
		}
		return enqueueAll(ctx, tx, also, now)
	})
	return id, err
}

// OwnershipFilter selects requests; zero fields select all.
type OwnershipFilter struct {
	OnlyOpen bool
	TaskID   int64
	Ministry string // the asking ministry
}

// OwnershipRequests lists requests, oldest first.
func (db *DB) OwnershipRequests(ctx context.Context, f OwnershipFilter) ([]OwnershipRequest, error) {
	q := `SELECT o.id, o.task_id, r.rec_id, o.ministry, o.proposed, o.reason, o.focal_point, o.author, o.client_addr, o.at,
		o.decision, o.decided_at, o.decided_by, o.decision_note
		FROM ownership_requests o JOIN recommendations r ON r.id = o.task_id WHERE 1=1`
	var args []any
	if f.OnlyOpen {
		q += ` AND o.decision = ''`
	}
	if f.TaskID != 0 {
		q += ` AND o.task_id = ?`
		args = append(args, f.TaskID)
	}
	if f.Ministry != "" {
		q += ` AND o.ministry = ?`
		args = append(args, f.Ministry)
	}
	rows, err := db.db.QueryContext(ctx, q+` ORDER BY o.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OwnershipRequest
	for rows.Next() {
		var o OwnershipRequest
		var at int64
		var decided sql.NullInt64
		if err := rows.Scan(&o.ID, &o.TaskID, &o.RecID, &o.Ministry, &o.Proposed, &o.Reason, &o.By.FocalPoint, &o.By.Name, &o.By.ClientAddr, &at,
			&o.Decision, &decided, &o.DecidedBy, &o.Note); err != nil {
			return nil, err
		}
		o.At = time.Unix(at, 0).UTC()
		if decided.Valid {
			o.DecidedAt = time.Unix(decided.Int64, 0).UTC()
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// DecideOwnership records the coordinator's decision on an open request.
// When agreed, the task is reassigned in the same transaction (a manual
// assignment, which rules never change again). Either
// way the decision is an event in the task's audit trail.
func (db *DB) DecideOwnership(ctx context.Context, id int64, agree bool, by Actor, note string) error {
	by, err := by.named(fmt.Sprintf("decide ownership request %d", id))
	if err != nil {
		return err
	}
	err = db.tx(ctx, func(tx *txn) error {
		var taskID int64
		var ministry, proposed, decision string
		err := tx.QueryRowContext(ctx, `SELECT task_id, ministry, proposed, decision FROM ownership_requests WHERE id = ?`, id).
			Scan(&taskID, &ministry, &proposed, &decision)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("ownership request %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if decision != DecisionOpen {
			return fmt.Errorf("ownership request %d: %w (%s)", id, ErrDecided, decision)
		}
		now := db.now().Unix()
		decision = DecisionRefused
		if agree {
			decision = DecisionAgreed
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ownership_requests SET decision = ?, decided_at = ?, decided_by = ?, decision_note = ? WHERE id = ?`,
			decision, now, by.Name, note, id); err != nil {
			return err
		}
		if agree {
			var owner, support string
			if err := tx.QueryRowContext(ctx, `SELECT owner, support FROM tasks WHERE id = ?`, taskID).Scan(&owner, &support); err != nil {
				return err
			}
			// The asking ministry leaves the task; the one it named takes
			// its place: as owner when the owner asked, as support when a
			// supporting ministry did.
			newOwner := owner
			if ministry == owner {
				newOwner = proposed
			}
			var sup []string
			for _, s := range splitList(support) {
				if s != ministry && s != proposed && s != newOwner {
					sup = append(sup, s)
				}
			}
			if ministry != owner && proposed != newOwner {
				sup = append(sup, proposed)
			}
			if err := setAssignment(ctx, tx, taskID, workflow.Assignment{Owner: owner, Support: splitList(support)},
				workflow.Assignment{Owner: newOwner, Support: sup, By: by.Name, Manual: true}, by, fmt.Sprintf("ownership request %d agreed", id), now); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, eventRow{taskID: taskID, at: now, by: by,
			kind: "not-ours-decided", from: ministry, to: decision, note: note})
	})
	return err
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
