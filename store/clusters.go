package store

// Clusters: named groups of recommendations, from any documents, that one
// action answers (DESIGN.md, decision 16; package workflow has the rule
// that picks a lead). The coordinating body makes them (by accepting a
// suggestion of package cluster, or by hand) and edits them; a cluster's
// lead and supporting ministries become its members' owner and
// supporting ministries. A progress update or a stage move made on the
// cluster is recorded on every member, in one transaction, each member
// keeping its own history: a member that leaves keeps everything
// recorded on it.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/report/source"
	"github.com/followup-app/followup/workflow"
)

// MaxClusterName bounds a cluster's name, in characters.
const MaxClusterName = 200

// Cluster is a group of the same ask.
type Cluster struct {
	ID      int64
	Name    string
	Lead    string   // ministry id; "" when no member has an owner
	Support []string // supporting ministries
	// LeadBy is workflow.LeadByRule when the rule chose the lead, else
	// who chose it by hand.
	LeadBy string
	// Suggestion is the key of the suggestion accepted ("" when made by
	// hand), with its score and reason.
	Suggestion string
	Score      float64
	Reason     string
	CreatedAt  time.Time
	CreatedBy  string
	UpdatedAt  time.Time
	Members    int // how many recommendations it holds
}

// ClusterMember is a member of a cluster, as its pages list it.
type ClusterMember struct {
	TaskID    int64
	RecID     string
	Symbol    string
	Body      string // the mechanism: CRC, UPR, …
	Kind      workflow.Kind
	Year      int // the document's year of adoption; 0 when not known
	Paragraph int
	Item      string
	Text      string
	Owner     string
	Support   []string
	Stage     string
}

// Ref names the member for people: "UPR 2025, A/HRC/59/15, 140.6".
func (m ClusterMember) Ref() string {
	return workflow.MemberRef(m.Body, m.Year, m.Symbol, m.Paragraph, m.Item)
}

// ClusterEvent is one entry of a cluster's audit trail.
type ClusterEvent struct {
	ID     int64
	At     time.Time
	Actor  string
	Kind   string // created, renamed, lead, joined, left, update, stage
	RecID  string // the member concerned; "" for the cluster as a whole
	From   string
	To     string
	Note   string
	Client string
	// FocalPoint is the address the link was issued to, for changes made
	// through the pages.
	FocalPoint string
}

// ClusterDetail is a cluster with its members (in the documents' order)
// and its audit trail (oldest first).
type ClusterDetail struct {
	Cluster
	Members []ClusterMember
	Events  []ClusterEvent
}

// ClusterSpec is a cluster to make.
type ClusterSpec struct {
	Name    string
	Members []string // recommendation ids, as workflow.RecID writes them
	// Lead is the lead ministry chosen by hand, with Support; "" lets
	// the rule choose both (workflow.ClusterLead). The caller checks that
	// the ministries exist.
	Lead    string
	Support []string
	// Suggestion, Score and Reason record the suggestion accepted.
	Suggestion string
	Score      float64
	Reason     string
}

// memberRow is what a write needs of a member.
type memberRow struct {
	id      int64
	recID   string
	cluster sql.NullInt64
	a       workflow.Assignment
}

func loadMember(ctx context.Context, tx *txn, recID string) (memberRow, error) {
	var m memberRow
	var support string
	var manual int
	err := tx.QueryRowContext(ctx, `SELECT t.id, r.rec_id, t.cluster_id, t.owner, t.support, t.assigned_by, t.manual
		FROM tasks t JOIN recommendations r ON r.id = t.id WHERE r.rec_id = ?`, recID).
		Scan(&m.id, &m.recID, &m.cluster, &m.a.Owner, &support, &m.a.By, &manual)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("recommendation %s: %w (see followup recs list for the ids)", recID, ErrNotFound)
	}
	if err != nil {
		return m, err
	}
	m.a.Support = splitList(support)
	m.a.Manual = manual == 1
	return m, nil
}

// loadNewMembers reads the members to add to a cluster, refusing an id
// given twice, an unknown one, and one already in a cluster (inside is
// the cluster they may already be in: moving between clusters is a
// remove, then an add, or a split).
func loadNewMembers(ctx context.Context, tx *txn, recIDs []string) ([]memberRow, error) {
	var out []memberRow
	seen := map[string]bool{}
	for _, id := range recIDs {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		if seen[id] {
			return nil, fmt.Errorf("%w: %s is named twice", ErrInvalid, id)
		}
		seen[id] = true
		m, err := loadMember(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if m.cluster.Valid {
			var name string
			if err := tx.QueryRowContext(ctx, `SELECT name FROM clusters WHERE id = ?`, m.cluster.Int64).Scan(&name); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %s is already in cluster %d “%s” (remove it there first)", ErrConflict, id, m.cluster.Int64, name)
		}
		out = append(out, m)
	}
	return out, nil
}

// checkName refuses an empty or over-long name, or one another cluster
// has (clusters are named on the command line and in the pages).
func checkName(ctx context.Context, tx *txn, name string, except int64) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "":
		return "", fmt.Errorf("%w: a cluster needs a name", ErrInvalid)
	case utf8.RuneCountInString(name) > MaxClusterName:
		return "", fmt.Errorf("%w: the name is longer than %d characters", ErrInvalid, MaxClusterName)
	}
	var other int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM clusters WHERE lower(name) = lower(?) AND id <> ?`, name, except).Scan(&other)
	if err == nil {
		return "", fmt.Errorf("%w: cluster %d is already named “%s”", ErrConflict, other, name)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	return name, nil
}

// clusterEvent is one row of a cluster's audit trail to write.
type clusterEvent struct {
	cluster, task        int64 // task 0: the cluster as a whole
	at                   int64
	by                   Actor
	kind, from, to, note string
}

func insertClusterEvent(ctx context.Context, tx *txn, e clusterEvent) error {
	var task any
	if e.task != 0 {
		task = e.task
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO cluster_events (cluster_id, task_id, at, actor, focal_point, client_addr, kind, from_value, to_value, note)
		VALUES (?,?,?,?,?,?,?,?,?,?)`, e.cluster, task, e.at, e.by.Name, e.by.FocalPoint, e.by.ClientAddr, e.kind, e.from, e.to, e.note)
	return err
}

// join puts members into cluster id and gives each the cluster's
// assignment, recording both in the member's audit trail and the
// cluster's.
func join(ctx context.Context, tx *txn, id int64, name string, members []memberRow, lead string, support []string, by Actor, now int64) error {
	for _, m := range members {
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET cluster_id = ?, updated_at = ? WHERE id = ?`, id, now, m.id); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, eventRow{taskID: m.id, at: now, by: by, kind: "cluster", to: name}); err != nil {
			return err
		}
		if err := insertClusterEvent(ctx, tx, clusterEvent{cluster: id, task: m.id, at: now, by: by, kind: "joined"}); err != nil {
			return err
		}
		if err := giveClusterAssignment(ctx, tx, m, name, lead, support, by, now); err != nil {
			return err
		}
	}
	return nil
}

// giveClusterAssignment makes the cluster's lead and supporting ministries
// a member's owner and supporting ministries, by hand (the assignment
// rules then leave it alone), unless it has them already. A cluster
// without a lead changes no owner.
func giveClusterAssignment(ctx context.Context, tx *txn, m memberRow, name, lead string, support []string, by Actor, now int64) error {
	if lead == "" {
		return nil
	}
	to := workflow.Assignment{Owner: lead, Support: support, By: by.Name, Manual: true}
	if m.a.Manual && to.Same(m.a) {
		return nil
	}
	return setAssignment(ctx, tx, m.id, m.a, to, by, "cluster “"+name+"”", now)
}

// CreateCluster makes a cluster of two or more recommendations that no
// other cluster holds, and gives every member its lead and supporting
// ministries, in one transaction.
func (db *DB) CreateCluster(ctx context.Context, spec ClusterSpec, by Actor) (Cluster, error) {
	by, err := by.named("make a cluster")
	if err != nil {
		return Cluster{}, err
	}
	var id int64
	err = db.tx(ctx, func(tx *txn) error {
		name, err := checkName(ctx, tx, spec.Name, 0)
		if err != nil {
			return err
		}
		members, err := loadNewMembers(ctx, tx, spec.Members)
		if err != nil {
			return err
		}
		if len(members) < 2 {
			return fmt.Errorf("%w: a cluster groups two or more recommendations", ErrInvalid)
		}
		lead, support, leadBy := spec.Lead, spec.Support, by.Name
		if lead == "" {
			lead, support = leadByRule(members)
			leadBy = workflow.LeadByRule
		}
		support = slices.DeleteFunc(slices.Clone(support), func(s string) bool { return s == "" || s == lead })
		now := db.now().Unix()
		res, err := tx.ExecContext(ctx, `INSERT INTO clusters (name, lead, support, lead_by, suggestion, score, reason, created_at, created_by, updated_at)
			VALUES (?,?,?,?,?,?,?,?,?,?)`, name, lead, strings.Join(support, ","), leadBy, spec.Suggestion, spec.Score, spec.Reason, now, by.Name, now)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		note := ""
		if spec.Suggestion != "" {
			note = "suggestion " + spec.Suggestion
		}
		if err := insertClusterEvent(ctx, tx, clusterEvent{cluster: id, at: now, by: by, kind: "created", to: name, note: note}); err != nil {
			return err
		}
		if err := insertClusterEvent(ctx, tx, clusterEvent{cluster: id, at: now, by: by, kind: "lead", to: ownerText(lead, support), note: leadBy}); err != nil {
			return err
		}
		return join(ctx, tx, id, name, members, lead, support, by, now)
	})
	if err != nil {
		return Cluster{}, fmt.Errorf("make cluster %q: %w", spec.Name, err)
	}
	return db.clusterByID(ctx, db.db, id)
}

func leadByRule(members []memberRow) (string, []string) {
	as := make([]workflow.Assignment, len(members))
	for i, m := range members {
		as[i] = m.a
	}
	return workflow.ClusterLead(as)
}

// clusterColumns read a Cluster (scanCluster), with its member count.
const clusterColumns = `c.id, c.name, c.lead, c.support, c.lead_by, c.suggestion, c.score, c.reason, c.created_at, c.created_by,
	c.updated_at, (SELECT COUNT(*) FROM tasks t WHERE t.cluster_id = c.id)`

func scanCluster(s scanner) (Cluster, error) {
	var c Cluster
	var support string
	var created, updated int64
	if err := s.Scan(&c.ID, &c.Name, &c.Lead, &support, &c.LeadBy, &c.Suggestion, &c.Score, &c.Reason,
		&created, &c.CreatedBy, &updated, &c.Members); err != nil {
		return c, err
	}
	c.Support = splitList(support)
	c.CreatedAt, c.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return c, nil
}

// clusterRow reads cluster ref: its id, or its name (in any case).
func clusterRow(ctx context.Context, q querier, ref string) (Cluster, error) {
	where, arg := `lower(c.name) = lower(?)`, any(strings.Join(strings.Fields(ref), " "))
	if n, err := strconv.ParseInt(ref, 10, 64); err == nil {
		where, arg = `c.id = ?`, n
	}
	c, err := scanCluster(q.QueryRowContext(ctx, `SELECT `+clusterColumns+` FROM clusters c WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("cluster %s: %w (see followup cluster list)", ref, ErrNotFound)
	}
	return c, err
}

func (db *DB) clusterByID(ctx context.Context, q querier, id int64) (Cluster, error) {
	return clusterRow(ctx, q, strconv.FormatInt(id, 10))
}

// members reads the members of a cluster for a write, in the documents'
// order.
func clusterMembers(ctx context.Context, tx *txn, id int64) ([]memberRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT t.id, r.rec_id, t.owner, t.support, t.assigned_by, t.manual
		FROM tasks t JOIN recommendations r ON r.id = t.id WHERE t.cluster_id = ? ORDER BY t.document_id, r.seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []memberRow
	for rows.Next() {
		var m memberRow
		var support string
		var manual int
		if err := rows.Scan(&m.id, &m.recID, &m.a.Owner, &support, &m.a.By, &manual); err != nil {
			return nil, err
		}
		m.cluster = sql.NullInt64{Int64: id, Valid: true}
		m.a.Support, m.a.Manual = splitList(support), manual == 1
		out = append(out, m)
	}
	return out, rows.Err()
}

// clusterWrite runs fn on the cluster ref names inside one transaction,
// then returns the cluster as it is afterwards.
func (db *DB) clusterWrite(ctx context.Context, ref, action string, by Actor, fn func(tx *txn, c Cluster, by Actor, now int64) error) (Cluster, error) {
	by, err := by.named(action)
	if err != nil {
		return Cluster{}, err
	}
	var id int64
	err = db.tx(ctx, func(tx *txn) error {
		c, err := clusterRow(ctx, tx, ref)
		if err != nil {
			return err
		}
		id = c.ID
		now := db.now().Unix()
		if err := fn(tx, c, by, now); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE clusters SET updated_at = ? WHERE id = ?`, now, c.ID)
		return err
	})
	if err != nil {
		return Cluster{}, fmt.Errorf("%s: %w", action, err)
	}
	return db.clusterByID(ctx, db.db, id)
}

// AddToCluster adds recommendations no cluster holds to cluster ref (its
// id or its name). When the rule chose the cluster's lead, the rule
// chooses again with the new members counted; the new members, and the
// others when the lead changed, get the cluster's assignment.
func (db *DB) AddToCluster(ctx context.Context, ref string, recIDs []string, by Actor) (Cluster, error) {
	return db.clusterWrite(ctx, ref, "add to cluster "+ref, by, func(tx *txn, c Cluster, by Actor, now int64) error {
		added, err := loadNewMembers(ctx, tx, recIDs)
		if err != nil {
			return err
		}
		if len(added) == 0 {
			return fmt.Errorf("%w: no recommendation to add", ErrInvalid)
		}
		if c.LeadBy == workflow.LeadByRule {
			old, err := clusterMembers(ctx, tx, c.ID)
			if err != nil {
				return err
			}
			lead, support := leadByRule(append(old, added...))
			if lead != c.Lead || !slices.Equal(support, c.Support) {
				if err := setClusterLead(ctx, tx, c, old, lead, support, workflow.LeadByRule, by, now); err != nil {
					return err
				}
				c.Lead, c.Support = lead, support
			}
		}
		return join(ctx, tx, c.ID, c.Name, added, c.Lead, c.Support, by, now)
	})
}

// RemoveFromCluster takes members out of cluster ref. Each keeps its
// owner, its updates and its history; its audit trail records that it
// left.
func (db *DB) RemoveFromCluster(ctx context.Context, ref string, recIDs []string, by Actor) (Cluster, error) {
	return db.clusterWrite(ctx, ref, "remove from cluster "+ref, by, func(tx *txn, c Cluster, by Actor, now int64) error {
		_, err := leave(ctx, tx, c, recIDs, by, now)
		return err
	})
}

// leave takes the members recIDs out of cluster c.
func leave(ctx context.Context, tx *txn, c Cluster, recIDs []string, by Actor, now int64) ([]memberRow, error) {
	var out []memberRow
	seen := map[string]bool{}
	for _, id := range recIDs {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		m, err := loadMember(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if !m.cluster.Valid || m.cluster.Int64 != c.ID {
			return nil, fmt.Errorf("%w: %s is not in cluster %d “%s”", ErrInvalid, id, c.ID, c.Name)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET cluster_id = NULL, updated_at = ? WHERE id = ?`, now, m.id); err != nil {
			return nil, err
		}
		if err := insertEvent(ctx, tx, eventRow{taskID: m.id, at: now, by: by, kind: "cluster", from: c.Name}); err != nil {
			return nil, err
		}
		if err := insertClusterEvent(ctx, tx, clusterEvent{cluster: c.ID, task: m.id, at: now, by: by, kind: "left"}); err != nil {
			return nil, err
		}
		m.cluster = sql.NullInt64{}
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no recommendation to remove", ErrInvalid)
	}
	return out, nil
}

// SplitCluster moves members of cluster ref into a new cluster named
// name, in one transaction: the coordinating body found that they ask
// something else. The new cluster's lead follows the rule over the moved
// members' assignments.
func (db *DB) SplitCluster(ctx context.Context, ref string, recIDs []string, name string, by Actor) (Cluster, error) {
	var newID int64
	_, err := db.clusterWrite(ctx, ref, "split cluster "+ref, by, func(tx *txn, c Cluster, by Actor, now int64) error {
		name, err := checkName(ctx, tx, name, 0)
		if err != nil {
			return err
		}
		moved, err := leave(ctx, tx, c, recIDs, by, now)
		if err != nil {
			return err
		}
		lead, support := leadByRule(moved)
		res, err := tx.ExecContext(ctx, `INSERT INTO clusters (name, lead, support, lead_by, created_at, created_by, updated_at)
			VALUES (?,?,?,?,?,?,?)`, name, lead, strings.Join(support, ","), workflow.LeadByRule, now, by.Name, now)
		if err != nil {
			return err
		}
		if newID, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, e := range []clusterEvent{
			{cluster: newID, at: now, by: by, kind: "created", to: name, note: fmt.Sprintf("split from cluster %d “%s”", c.ID, c.Name)},
			{cluster: newID, at: now, by: by, kind: "lead", to: ownerText(lead, support), note: workflow.LeadByRule},
			{cluster: c.ID, at: now, by: by, kind: "split", to: name, note: fmt.Sprintf("cluster %d", newID)},
		} {
			if err := insertClusterEvent(ctx, tx, e); err != nil {
				return err
			}
		}
		return join(ctx, tx, newID, name, moved, lead, support, by, now)
	})
	if err != nil {
		return Cluster{}, err
	}
	return db.clusterByID(ctx, db.db, newID)
}

// RenameCluster renames cluster ref.
func (db *DB) RenameCluster(ctx context.Context, ref, name string, by Actor) (Cluster, error) {
	return db.clusterWrite(ctx, ref, "rename cluster "+ref, by, func(tx *txn, c Cluster, by Actor, now int64) error {
		name, err := checkName(ctx, tx, name, c.ID)
		if err != nil {
			return err
		}
		if name == c.Name {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE clusters SET name = ? WHERE id = ?`, name, c.ID); err != nil {
			return err
		}
		return insertClusterEvent(ctx, tx, clusterEvent{cluster: c.ID, at: now, by: by, kind: "renamed", from: c.Name, to: name})
	})
}

// SetClusterLead chooses cluster ref's lead and supporting ministries by
// hand, and gives them to every member. The caller checks that the
// ministries exist.
func (db *DB) SetClusterLead(ctx context.Context, ref, lead string, support []string, by Actor) (Cluster, error) {
	return db.clusterWrite(ctx, ref, "choose the lead of cluster "+ref, by, func(tx *txn, c Cluster, by Actor, now int64) error {
		if lead == "" {
			return fmt.Errorf("%w: no lead ministry", ErrInvalid)
		}
		support := slices.DeleteFunc(slices.Clone(support), func(s string) bool { return s == "" || s == lead })
		if lead == c.Lead && slices.Equal(support, c.Support) && c.LeadBy != workflow.LeadByRule {
			return nil // chosen by hand already: a form sent twice records one change
		}
		members, err := clusterMembers(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		return setClusterLead(ctx, tx, c, members, lead, support, by.Name, by, now)
	})
}

func setClusterLead(ctx context.Context, tx *txn, c Cluster, members []memberRow, lead string, support []string, leadBy string, by Actor, now int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE clusters SET lead = ?, support = ?, lead_by = ? WHERE id = ?`,
		lead, strings.Join(support, ","), leadBy, c.ID); err != nil {
		return err
	}
	if err := insertClusterEvent(ctx, tx, clusterEvent{cluster: c.ID, at: now, by: by, kind: "lead",
		from: ownerText(c.Lead, c.Support), to: ownerText(lead, support), note: leadBy}); err != nil {
		return err
	}
	for _, m := range members {
		if err := giveClusterAssignment(ctx, tx, m, c.Name, lead, support, by, now); err != nil {
			return err
		}
	}
	return nil
}

// ClusterFilter selects clusters. Zero fields select every cluster that
// has members.
type ClusterFilter struct {
	// Ministry keeps the clusters it leads or supports.
	Ministry string
	// Empty lists the clusters whose members all left, too.
	Empty bool
	// Limit, when above 0, lists the newest Limit clusters only.
	Limit int
}

func (f ClusterFilter) where() (string, []any) {
	q := ` WHERE 1=1`
	var args []any
	if f.Ministry != "" {
		q += ` AND (c.lead = ? OR instr(',' || c.support || ',', ',' || ? || ',') > 0)`
		args = append(args, f.Ministry, f.Ministry)
	}
	if !f.Empty {
		q += ` AND EXISTS (SELECT 1 FROM tasks t WHERE t.cluster_id = c.id)`
	}
	return q, args
}

// ClusterCount counts the clusters f selects (its Limit aside).
func (db *DB) ClusterCount(ctx context.Context, f ClusterFilter) (int, error) {
	where, args := f.where()
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM clusters c`+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count clusters: %w", err)
	}
	return n, nil
}

// Clusters lists clusters, newest first, with their member counts.
func (db *DB) Clusters(ctx context.Context, f ClusterFilter) ([]Cluster, error) {
	where, args := f.where()
	q := `SELECT ` + clusterColumns + ` FROM clusters c` + where + ` ORDER BY c.id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list clusters: %w", err)
	}
	defer rows.Close()
	var out []Cluster
	for rows.Next() {
		c, err := scanCluster(rows)
		if err != nil {
			return nil, fmt.Errorf("list clusters: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ClusterOf is the cluster a task is in; ok is false when it is in none.
func (db *DB) ClusterOf(ctx context.Context, taskID int64) (c Cluster, ok bool, err error) {
	var id sql.NullInt64
	err = db.db.QueryRowContext(ctx, `SELECT cluster_id FROM tasks WHERE id = ?`, taskID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, fmt.Errorf("task %d: %w", taskID, ErrNotFound)
	}
	if err != nil || !id.Valid {
		return c, false, err
	}
	c, err = db.clusterByID(ctx, db.db, id.Int64)
	return c, err == nil, err
}

// ClusterMembership maps every recommendation in a cluster to its
// cluster's id.
func (db *DB) ClusterMembership(ctx context.Context) (map[string]int64, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT r.rec_id, t.cluster_id FROM tasks t JOIN recommendations r ON r.id = t.id
		WHERE t.cluster_id IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("read cluster members: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var rec string
		var id int64
		if err := rows.Scan(&rec, &id); err != nil {
			return nil, fmt.Errorf("read cluster members: %w", err)
		}
		out[rec] = id
	}
	return out, rows.Err()
}

// memberColumns read a ClusterMember (scanMember).
const memberColumns = `t.id, r.rec_id, d.symbol, d.body, d.kind, COALESCE(CAST(substr(d.adopted, 1, 4) AS INTEGER), 0),
	r.paragraph, r.item, r.text, t.owner, t.support, t.stage`

func scanMember(s scanner) (ClusterMember, error) {
	var m ClusterMember
	var kind, support string
	if err := s.Scan(&m.TaskID, &m.RecID, &m.Symbol, &m.Body, &kind, &m.Year, &m.Paragraph, &m.Item, &m.Text,
		&m.Owner, &support, &m.Stage); err != nil {
		return m, err
	}
	m.Kind, m.Support = workflow.Kind(kind), splitList(support)
	return m, nil
}

// Cluster reads cluster ref (its id or its name) with its members and its
// audit trail.
func (db *DB) Cluster(ctx context.Context, ref string) (ClusterDetail, error) {
	var d ClusterDetail
	var err error
	if d.Cluster, err = clusterRow(ctx, db.db, ref); err != nil {
		return d, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+memberColumns+`
		FROM tasks t JOIN recommendations r ON r.id = t.id JOIN documents d ON d.id = t.document_id
		WHERE t.cluster_id = ? ORDER BY t.document_id, r.seq`, d.ID)
	if err != nil {
		return d, fmt.Errorf("cluster %s: %w", ref, err)
	}
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			rows.Close()
			return d, fmt.Errorf("cluster %s: %w", ref, err)
		}
		d.Members = append(d.Members, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("cluster %s: %w", ref, err)
	}
	rows, err = db.db.QueryContext(ctx, `SELECT e.id, e.at, e.actor, e.kind, COALESCE(r.rec_id, ''), e.from_value, e.to_value, e.note,
		e.client_addr, e.focal_point
		FROM cluster_events e LEFT JOIN recommendations r ON r.id = e.task_id WHERE e.cluster_id = ? ORDER BY e.id`, d.ID)
	if err != nil {
		return d, fmt.Errorf("cluster %s: %w", ref, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e ClusterEvent
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Kind, &e.RecID, &e.From, &e.To, &e.Note, &e.Client, &e.FocalPoint); err != nil {
			return d, fmt.Errorf("cluster %s: %w", ref, err)
		}
		e.At = time.Unix(at, 0).UTC()
		d.Events = append(d.Events, e)
	}
	return d, rows.Err()
}

// AddClusterUpdate records a progress update made on cluster id against
// every member, in one transaction: a task_updates row each (with its
// links, and its files, whose bytes are stored once), an "update" entry
// in each member's audit trail, one in the cluster's, and the messages
// in also (the receipt). u.TaskID is ignored; u.Role is the recording
// body's role toward the cluster. It returns the cluster update's id and
// how many members it was recorded against.
func (db *DB) AddClusterUpdate(ctx context.Context, id int64, u Update, also ...OutboxMessage) (int64, int, error) {
	if err := u.check(); err != nil {
		return 0, 0, err
	}
	var cu int64
	var n int
	err := db.tx(ctx, func(tx *txn) error {
		c, err := db.clusterByID(ctx, tx, id)
		if err != nil {
			return err
		}
		members, err := clusterMembers(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if len(members) == 0 {
			return fmt.Errorf("%w: cluster %d “%s” has no members", ErrInvalid, c.ID, c.Name)
		}
		now := db.now().Unix()
		res, err := tx.ExecContext(ctx, `INSERT INTO cluster_updates (cluster_id, at) VALUES (?, ?)`, c.ID, now)
		if err != nil {
			return err
		}
		if cu, err = res.LastInsertId(); err != nil {
			return err
		}
		// The files' bytes are read once, into the first member's rows;
		// the others' rows point to them.
		fileRow := map[int]int64{}
		for _, m := range members {
			u.TaskID = m.id
			if _, err := insertUpdate(ctx, tx, u, now, cu, fileRow); err != nil {
				return err
			}
		}
		n = len(members)
		if err := insertClusterEvent(ctx, tx, clusterEvent{cluster: c.ID, at: now,
			by: Actor{Name: u.Author, FocalPoint: u.FocalPoint, ClientAddr: u.ClientAddr}, kind: "update", to: u.Ministry, note: summary(u.Text)}); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE clusters SET updated_at = ? WHERE id = ?`, now, c.ID)
		if err != nil {
			return err
		}
		return enqueueAll(ctx, tx, also, now)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("progress update on cluster %d: %w", id, err)
	}
	return cu, n, nil
}

// ClusterMoveError says which member refused a stage move made on a
// cluster, and why (Err is the workflow's *TransitionError).
type ClusterMoveError struct {
	RecID string
	Err   error
}

func (e *ClusterMoveError) Error() string { return e.RecID + ": " + e.Err.Error() }
func (e *ClusterMoveError) Unwrap() error { return e.Err }

// AdvanceCluster moves every member of cluster id that is not in stage to
// already, in one transaction, each with its own entry in its audit
// trail: all of them or none. check sees each member as stored (nil
// checks nothing); the first member it refuses fails the move with a
// *ClusterMoveError. Messages in also (the receipt) are enqueued with the
// move. It returns the members moved; a cluster whose members are all in
// stage to already is ErrConflict.
func (db *DB) AdvanceCluster(ctx context.Context, id int64, to string, by Actor, note string, check func(workflow.Task) error,
	also ...OutboxMessage) ([]workflow.Task, error) {
	by, err := by.named(fmt.Sprintf("move cluster %d", id))
	if err != nil {
		return nil, err
	}
	var moved []workflow.Task
	err = db.tx(ctx, func(tx *txn) error {
		c, err := db.clusterByID(ctx, tx, id)
		if err != nil {
			return err
		}
		members, err := clusterMembers(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		now := db.now().Unix()
		note = strings.TrimSpace(note)
		for _, m := range members {
			t, err := db.task(ctx, tx, strconv.FormatInt(m.id, 10))
			if err != nil {
				return err
			}
			if t.Stage == to {
				continue
			}
			if check != nil {
				if err := check(t); err != nil {
					return &ClusterMoveError{RecID: t.Rec.ID, Err: err}
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE tasks SET stage = ?, stage_since = ?, updated_at = ? WHERE id = ?`, to, now, now, t.ID); err != nil {
				return err
			}
			if err := insertEvent(ctx, tx, eventRow{taskID: t.ID, at: now, by: by, kind: "stage", from: t.Stage, to: to, note: note}); err != nil {
				return err
			}
			t.Stage, t.StageDate = to, workflow.Today(db.loc(), time.Unix(now, 0))
			moved = append(moved, t)
		}
		if len(moved) == 0 {
			return fmt.Errorf("%w: every member of cluster %d is in that stage already", ErrConflict, c.ID)
		}
		if err := insertClusterEvent(ctx, tx, clusterEvent{cluster: c.ID, at: now, by: by, kind: "stage", to: to,
			note: strings.TrimSpace(fmt.Sprintf("%d of %d members %s", len(moved), len(members), note))}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE clusters SET updated_at = ? WHERE id = ?`, now, c.ID); err != nil {
			return err
		}
		return enqueueAll(ctx, tx, also, now)
	})
	if err != nil {
		return nil, err
	}
	return moved, nil
}

// ClusterUpdates lists the progress updates made on cluster id, newest
// first, each once (as recorded on its first member), with its evidence.
func (db *DB) ClusterUpdates(ctx context.Context, id int64) ([]Update, error) {
	var ids []int64
	rows, err := db.db.QueryContext(ctx, `SELECT (SELECT min(u.id) FROM task_updates u WHERE u.cluster_update = cu.id)
		FROM cluster_updates cu WHERE cu.cluster_id = ? ORDER BY cu.id DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("updates of cluster %d: %w", id, err)
	}
	for rows.Next() {
		var uid sql.NullInt64
		if err := rows.Scan(&uid); err != nil {
			rows.Close()
			return nil, fmt.Errorf("updates of cluster %d: %w", id, err)
		}
		if uid.Valid {
			ids = append(ids, uid.Int64)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("updates of cluster %d: %w", id, err)
	}
	var out []Update
	for _, uid := range ids {
		if err := db.Updates(ctx, UpdateFilter{ID: uid}, func(u Update) error {
			out = append(out, u)
			return nil
		}); err != nil {
			return nil, fmt.Errorf("updates of cluster %d: %w", id, err)
		}
	}
	return out, nil
}

// Clusters reads the clusters with these ids and their members, for the
// messages that list a cluster once (plan.Reader).
func (s *SlotTx) Clusters(ctx context.Context, ids []int64) (map[int64]plan.ClusterRow, error) {
	out := map[int64]plan.ClusterRow{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.q.QueryContext(ctx, `SELECT id, name, lead, support FROM clusters WHERE id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("read clusters: %w", err)
	}
	for rows.Next() {
		var c plan.ClusterRow
		var support string
		if err := rows.Scan(&c.ID, &c.Name, &c.Lead, &support); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read clusters: %w", err)
		}
		c.Support = splitList(support)
		out[c.ID] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read clusters: %w", err)
	}
	rows, err = s.q.QueryContext(ctx, `SELECT t.cluster_id, t.id, r.rec_id, d.symbol, d.body, COALESCE(CAST(substr(d.adopted, 1, 4) AS INTEGER), 0),
		r.paragraph, r.item
		FROM tasks t JOIN recommendations r ON r.id = t.id JOIN documents d ON d.id = t.document_id
		WHERE t.cluster_id IN (`+placeholders(len(ids))+`) ORDER BY t.cluster_id, t.document_id, r.seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("read cluster members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var m plan.ClusterMemberRow
		if err := rows.Scan(&id, &m.TaskID, &m.RecID, &m.Symbol, &m.Body, &m.Year, &m.Paragraph, &m.Item); err != nil {
			return nil, fmt.Errorf("read cluster members: %w", err)
		}
		c := out[id]
		c.Members = append(c.Members, m)
		out[id] = c
	}
	return out, rows.Err()
}

// docCluster is a cluster a document's recommendation is in, for drafts.
type docCluster struct {
	name    string
	members []source.Sibling
}

// documentClusters reads the clusters the document's recommendations are
// in, with all their members, by the recommendation's id: a draft names
// the other recommendations the same work answers.
func (db *DB) documentClusters(ctx context.Context, documentID int64) (map[string]*docCluster, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT t.cluster_id, c.name, r.rec_id, d.symbol, d.body,
		COALESCE(CAST(substr(d.adopted, 1, 4) AS INTEGER), 0), r.paragraph, r.item
		FROM tasks t JOIN clusters c ON c.id = t.cluster_id JOIN recommendations r ON r.id = t.id JOIN documents d ON d.id = t.document_id
		WHERE t.cluster_id IN (SELECT cluster_id FROM tasks WHERE document_id = ? AND cluster_id IS NOT NULL)
		ORDER BY t.cluster_id, t.document_id, r.seq`, documentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byID := map[int64]*docCluster{}
	out := map[string]*docCluster{}
	for rows.Next() {
		var id int64
		var name string
		var m source.Sibling
		if err := rows.Scan(&id, &name, &m.RecID, &m.Symbol, &m.Body, &m.Year, &m.Paragraph, &m.Item); err != nil {
			return nil, err
		}
		c := byID[id]
		if c == nil {
			c = &docCluster{name: name}
			byID[id] = c
		}
		c.members = append(c.members, m)
		out[m.RecID] = c
	}
	return out, rows.Err()
}

// MembersByRec reads the recommendations recIDs as a cluster's pages list
// members (mechanism, year, task), for naming a suggestion's members;
// ids that name no recommendation are left out.
func (db *DB) MembersByRec(ctx context.Context, recIDs []string) (map[string]ClusterMember, error) {
	out := map[string]ClusterMember{}
	for len(recIDs) > 0 {
		// At most 500 at a time: SQLite's bound on a statement's variables.
		n := min(len(recIDs), 500)
		args := make([]any, n)
		for i, id := range recIDs[:n] {
			args[i] = id
		}
		rows, err := db.db.QueryContext(ctx, `SELECT `+memberColumns+`
			FROM tasks t JOIN recommendations r ON r.id = t.id JOIN documents d ON d.id = t.document_id
			WHERE r.rec_id IN (?`+strings.Repeat(",?", n-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read recommendations: %w", err)
		}
		for rows.Next() {
			m, err := scanMember(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("read recommendations: %w", err)
			}
			out[m.RecID] = m
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read recommendations: %w", err)
		}
		recIDs = recIDs[n:]
	}
	return out, nil
}
