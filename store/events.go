package store

// The tasks' audit trail: who did what to a task, when, from where.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/followup-app/followup/plan"
)

// Actor is who makes a change; every write that changes a task takes one,
// and the task's audit trail records it.
//   - a person at the command line: Name is the admin's --by;
//   - a focal point through a signed link: Name is the name typed in the
//     form, FocalPoint the address the link was issued to, ClientAddr
//     where the request came from;
//   - the program itself: ByImport, ByRules.
type Actor struct {
	Name       string
	FocalPoint string
	ClientAddr string
}

// The program's own actors. Overviews count their events rather than
// list them (automaticActors).
var (
	ByImport = Actor{Name: "import"}
	ByRules  = Actor{Name: "rules"}
)

// named trims the actor's name and refuses an actor without one: every
// change records who made it.
func (a Actor) named(action string) (Actor, error) {
	a.Name = strings.TrimSpace(a.Name)
	if a.Name == "" {
		return a, fmt.Errorf("%s: %w: no name (every change records who made it)", action, ErrInvalid)
	}
	return a, nil
}

// Event is one entry of a task's audit trail.
type Event struct {
	ID    int64
	At    time.Time
	Actor string // who: "import", a rule, the admin's --by, or the name typed in a web form
	Kind  string // created, stage, assign, update, public
	From  string
	To    string
	Note  string
	// Through a signed link: the focal point the link was issued to, and
	// the client's address. Empty for the CLI and the daemon.
	FocalPoint string
	ClientAddr string
}

// eventRow is one row of the audit trail to write.
type eventRow struct {
	taskID, at           int64
	by                   Actor
	kind, from, to, note string
}

func insertEvent(ctx context.Context, tx execer, e eventRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO task_events (task_id, at, actor, kind, from_value, to_value, note, focal_point, client_addr)
		VALUES (?,?,?,?,?,?,?,?,?)`, e.taskID, e.at, e.by.Name, e.kind, e.from, e.to, e.note, e.by.FocalPoint, e.by.ClientAddr)
	return err
}

// ownerText writes an assignment for the audit trail: "mps +moj,na", or
// "unassigned".
func ownerText(owner string, support []string) string {
	s := owner
	if s == "" {
		s = "unassigned"
	}
	if len(support) > 0 {
		s += " +" + strings.Join(support, ",")
	}
	return s
}

// History returns a task's audit trail, oldest first.
func (db *DB) History(ctx context.Context, taskID int64) ([]Event, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, at, actor, kind, from_value, to_value, note, focal_point, client_addr FROM task_events
		WHERE task_id = ? ORDER BY id`, taskID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Kind, &e.From, &e.To, &e.Note, &e.FocalPoint, &e.ClientAddr); err != nil {
			return nil, err
		}
		e.At = time.Unix(at, 0).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// summary shortens an update's text for the audit trail, which points to
// the update rather than repeating it.
func summary(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		return string(r[:199]) + "…"
	}
	return s
}

// ChangeMark is a cheap fingerprint of the tasks' state: every change to a
// task (created, moved, assigned, an update, made public) appends an audit
// event, and every change to a cluster (renamed, its lead chosen) one of
// the cluster's, so the sum of the newest ids changes whenever something a
// dashboard shows does (neither ever decreases). The web caches the
// overview under it.
func (db *DB) ChangeMark(ctx context.Context) (int64, error) {
	var id int64
	const q = `SELECT (SELECT COALESCE(MAX(id), 0) FROM task_events) + (SELECT COALESCE(MAX(id), 0) FROM cluster_events)`
	db.traced(q, nil)
	err := db.db.QueryRowContext(ctx, q).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("read the last change: %w", err)
	}
	return id, nil
}

// automaticActors are the actors of the task events the program makes
// itself: tasks created by an import, owners given by the assignment
// rules. Overviews count these instead of listing them.
var automaticActors = []any{ByImport.Name, ByRules.Name}

// EventsSince returns the last limit task events after since made by
// people (not by the import or the assignment rules), oldest first, and
// how many there are in all.
func (s *SlotTx) EventsSince(ctx context.Context, since time.Time, limit int) ([]plan.Event, int, error) {
	args := append([]any{since.Unix()}, automaticActors...)
	var total int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM task_events WHERE at > ? AND actor NOT IN (?, ?)`, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.q.QueryContext(ctx, `SELECT e.at, e.actor, e.kind, e.from_value, e.to_value, e.note, r.rec_id
		FROM task_events e JOIN recommendations r ON r.id = e.task_id WHERE e.at > ? AND e.actor NOT IN (?, ?)
		ORDER BY e.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []plan.Event
	for rows.Next() {
		var e plan.Event
		var at int64
		if err := rows.Scan(&at, &e.Actor, &e.Kind, &e.From, &e.To, &e.Note, &e.RecID); err != nil {
			return nil, 0, err
		}
		e.At = time.Unix(at, 0).UTC()
		out = append(out, e)
	}
	slices.Reverse(out)
	return out, total, rows.Err()
}

// AutomaticEventsSince counts the task events after since that the import
// and the assignment rules made, by actor and kind.
func (s *SlotTx) AutomaticEventsSince(ctx context.Context, since time.Time) ([]plan.EventCount, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT actor, kind, COUNT(*), COUNT(DISTINCT task_id) FROM task_events
		WHERE at > ? AND actor IN (?, ?) GROUP BY actor, kind ORDER BY MIN(id)`, append([]any{since.Unix()}, automaticActors...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []plan.EventCount
	for rows.Next() {
		var c plan.EventCount
		if err := rows.Scan(&c.Actor, &c.Kind, &c.Events, &c.Tasks); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
