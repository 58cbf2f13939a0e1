package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/workflow"
)

// The web's state: sessions opened by signed links, the link generations
// that revoke links, and the ministries' "this is not ours" requests.

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
	return db.tx(ctx, func(tx *sql.Tx) error {
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
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE expires_at < ?1 OR revoked_at < ?1`, before.Unix())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, describe(err)
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
		return s, describe(err)
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
		return nil, describe(err)
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

// Scopes of a link generation.
const (
	ScopeAll = "all"
)

// ScopeBody and ScopeEmail name the generation of one body's links and of
// one address's links. Addresses compare without case.
func ScopeBody(id string) string    { return "body:" + id }
func ScopeEmail(addr string) string { return "email:" + strings.ToLower(addr) }

// LinkGeneration is the generation a link for this address and body must
// carry to be valid: the sum of the global, body and address generations.
// Each only grows, so bumping any of them invalidates every link made
// before.
func (db *DB) LinkGeneration(ctx context.Context, email, body string) (int64, error) {
	var g int64
	err := db.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(generation), 0) FROM link_generations WHERE scope IN (?, ?, ?)`,
		ScopeAll, ScopeBody(body), ScopeEmail(email)).Scan(&g)
	return g, describe(err)
}

// Revoke ends the links and sessions of a scope (ScopeAll, ScopeBody,
// ScopeEmail) in one transaction: it bumps the scope's generation and
// marks its open sessions revoked. It returns how many sessions ended.
func (db *DB) Revoke(ctx context.Context, scope, by string) (int, error) {
	var n int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		now := db.now().Unix()
		if _, err := tx.ExecContext(ctx, `INSERT INTO link_generations (scope, generation, bumped_at, bumped_by) VALUES (?, 1, ?, ?)
			ON CONFLICT(scope) DO UPDATE SET generation = generation + 1, bumped_at = excluded.bumped_at, bumped_by = excluded.bumped_by`,
			scope, now, by); err != nil {
			return err
		}
		q := `UPDATE web_sessions SET revoked_at = ? WHERE revoked_at IS NULL`
		args := []any{now}
		switch {
		case scope == ScopeAll:
		case strings.HasPrefix(scope, "body:"):
			q += ` AND body = ?`
			args = append(args, strings.TrimPrefix(scope, "body:"))
		case strings.HasPrefix(scope, "email:"):
			q += ` AND focal_point = ? COLLATE NOCASE`
			args = append(args, strings.TrimPrefix(scope, "email:"))
		default:
			return fmt.Errorf("revoke: %w: scope %q", ErrInvalid, scope)
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), describe(err)
}

// Actor is who does something through the web: the name typed in the
// form, the focal point the link was issued to and the client address.
type Actor struct {
	Name       string
	FocalPoint string
	ClientAddr string
}

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
	err := db.tx(ctx, func(tx *sql.Tx) error {
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
		if err := insertEvent(ctx, tx, eventRow{taskID: r.TaskID, at: now, actor: r.By.Name, focalPoint: r.By.FocalPoint, clientAddr: r.By.ClientAddr,
			kind: "not-ours", from: r.Ministry, to: r.Proposed, note: summary(r.Reason)}); err != nil {
			return err
		}
		return enqueueAll(ctx, tx, also, now)
	})
	return id, describe(err)
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
		return nil, describe(err)
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

// ErrDecided is returned when a request was already decided.
var ErrDecided = errors.New("already decided")

// DecideOwnership records the coordinator's decision on an open request.
// When agreed, the task is reassigned in the same transaction (a manual
// assignment, which rules never change again). Either
// way the decision is an event in the task's audit trail.
func (db *DB) DecideOwnership(ctx context.Context, id int64, agree bool, by Actor, note string) error {
	by.Name = strings.TrimSpace(by.Name)
	if by.Name == "" {
		return fmt.Errorf("ownership decision: %w: no name", ErrInvalid)
	}
	err := db.tx(ctx, func(tx *sql.Tx) error {
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
			if _, err := tx.ExecContext(ctx, `UPDATE tasks SET owner = ?, support = ?, assigned_by = ?, manual = 1, updated_at = ? WHERE id = ?`,
				newOwner, strings.Join(sup, ","), by.Name, now, taskID); err != nil {
				return err
			}
			if err := setSupport(ctx, tx, taskID, sup); err != nil {
				return err
			}
			if err := insertEvent(ctx, tx, eventRow{taskID: taskID, at: now, actor: by.Name, focalPoint: by.FocalPoint, clientAddr: by.ClientAddr,
				kind: "assign", from: ownerText(owner, splitList(support)), to: ownerText(newOwner, sup),
				note: fmt.Sprintf("ownership request %d agreed", id)}); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, eventRow{taskID: taskID, at: now, actor: by.Name, focalPoint: by.FocalPoint, clientAddr: by.ClientAddr,
			kind: "not-ours-decided", from: ministry, to: decision, note: note})
	})
	return describe(err)
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// EndSession revokes one session (sign out).
func (db *DB) EndSession(ctx context.Context, idHash string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE web_sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL`, db.now().Unix(), idHash)
		return err
	})
}

// MinistryTask is a task as a ministry sees it: as its lead or in support.
type MinistryTask struct {
	Task workflow.Task
	Role string // RoleLead or RoleSupport
}

// MinistryTasks returns every task a ministry owns or supports, in
// document order. The ministry's page does not use it (it reads a page at
// a time: MinistryGroups, MinistryTaskPage).
func (db *DB) MinistryTasks(ctx context.Context, ministry string) ([]MinistryTask, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+taskColumns+taskFrom+`
		WHERE t.owner = ? OR t.id IN (SELECT task_id FROM task_support WHERE ministry = ?)
		ORDER BY t.document_id, r.seq`, ministry, ministry)
	if err != nil {
		return nil, describe(err)
	}
	defer rows.Close()
	var out []MinistryTask
	for rows.Next() {
		t, err := scanTask(rows, db.loc())
		if err != nil {
			return nil, err
		}
		role := RoleSupport
		if t.Owner == ministry {
			role = RoleLead
		}
		out = append(out, MinistryTask{Task: t, Role: role})
	}
	return out, rows.Err()
}

// AdvanceAs is Advance by someone on the web: the audit trail records
// the focal point and the client address beside the name typed. Messages
// in also (the receipt) are enqueued in the same transaction.
func (db *DB) AdvanceAs(ctx context.Context, ref, to string, by Actor, note string, check func(workflow.Task) error, also ...OutboxMessage) (workflow.Task, error) {
	var t workflow.Task
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if t, err = db.task(ctx, tx, ref); err != nil {
			return err
		}
		if err := check(t); err != nil {
			return err
		}
		now := db.now().Unix()
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET stage = ?, stage_since = ?, updated_at = ? WHERE id = ?`, to, now, now, t.ID); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, eventRow{taskID: t.ID, at: now, actor: by.Name, focalPoint: by.FocalPoint, clientAddr: by.ClientAddr,
			kind: "stage", from: t.Stage, to: to, note: note}); err != nil {
			return err
		}
		t.Stage, t.StageDate = to, civil.DateOf(time.Unix(now, 0).In(db.loc()))
		return enqueueAll(ctx, tx, also, now)
	})
	return t, err
}

// LinkGeneration is DB.LinkGeneration inside a slot's transaction (plan
// signs the links of the messages it enqueues).
func (s *SlotTx) LinkGeneration(ctx context.Context, email, body string) (int64, error) {
	var g int64
	err := s.q.QueryRowContext(ctx, `SELECT COALESCE(SUM(generation), 0) FROM link_generations WHERE scope IN (?, ?, ?)`,
		ScopeAll, ScopeBody(body), ScopeEmail(email)).Scan(&g)
	return g, err
}
