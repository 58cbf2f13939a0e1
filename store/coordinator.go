package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/followup-app/followup/workflow"
)

// What the coordinator does from the dashboard besides moving a task
// (AdvanceAs): assign it, publish an update. Each is one transaction with its audit event, which
// records the name typed in the form, the focal point the link was issued
// to and the client's address (Advance, Reassign and SetUpdatePublic are
// the CLI's, which has neither).

// AssignTask gives task id an owner and supporting ministries by hand
// (rules never change it again). The caller checks the ministries exist.
func (db *DB) AssignTask(ctx context.Context, id int64, owner string, support []string, by Actor, note string) (workflow.Task, error) {
	by.Name = strings.TrimSpace(by.Name)
	if by.Name == "" {
		return workflow.Task{}, fmt.Errorf("assign task %d: %w: no name", id, ErrInvalid)
	}
	var t workflow.Task
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if t, err = db.task(ctx, tx, fmt.Sprint(id)); err != nil {
			return err
		}
		if (workflow.Assignment{Owner: owner, Support: support}).Same(workflow.Assignment{Owner: t.Owner, Support: t.Support}) {
			return nil // nothing changes: no event
		}
		now := db.now().Unix()
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET owner = ?, support = ?, assigned_by = ?, manual = 1, updated_at = ? WHERE id = ?`,
			owner, strings.Join(support, ","), by.Name, now, t.ID); err != nil {
			return err
		}
		if err := setSupport(ctx, tx, t.ID, support); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, eventRow{taskID: t.ID, at: now, actor: by.Name, focalPoint: by.FocalPoint, clientAddr: by.ClientAddr,
			kind: "assign", from: ownerText(t.Owner, t.Support), to: ownerText(owner, support), note: strings.TrimSpace(note)}); err != nil {
			return err
		}
		t.Owner, t.Support, t.By, t.Manual = owner, support, by.Name, true
		return nil
	})
	return t, describe(err)
}

// PublishUpdate marks a progress update public or not, recording who
// decided; it returns the update's task. Marking it as it already is
// changes nothing.
func (db *DB) PublishUpdate(ctx context.Context, updateID int64, public bool, by Actor) (int64, error) {
	by.Name = strings.TrimSpace(by.Name)
	if by.Name == "" {
		return 0, fmt.Errorf("publish progress update %d: %w: no name", updateID, ErrInvalid)
	}
	var taskID int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var was bool
		err := tx.QueryRowContext(ctx, `SELECT task_id, public FROM task_updates WHERE id = ?`, updateID).Scan(&taskID, &was)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("progress update %d: %w", updateID, ErrNotFound)
		}
		if err != nil || was == public {
			return err
		}
		now := db.now().Unix()
		if _, err := tx.ExecContext(ctx, `UPDATE task_updates SET public = ?, public_at = ?, public_by = ? WHERE id = ?`,
			public, now, by.Name, updateID); err != nil {
			return err
		}
		from, to := "private", "public"
		if !public {
			from, to = to, from
		}
		return insertEvent(ctx, tx, eventRow{taskID: taskID, at: now, actor: by.Name, focalPoint: by.FocalPoint, clientAddr: by.ClientAddr,
			kind: "public", from: from, to: to, note: fmt.Sprintf("progress update %d", updateID)})
	})
	return taskID, describe(err)
}
