package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/report/source"
	"github.com/followup-app/followup/workflow"
)

func createTask(ctx context.Context, tx execer, recID, docID int64, a workflow.Assignment, now int64) error {
	if a.Stage == "" {
		return errors.New("no initial stage for the new task")
	}
	manual := 0
	if a.Manual {
		manual = 1
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO tasks (id, document_id, owner, support, assigned_by, manual, stage, stage_since, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?)`, recID, docID, a.Owner, strings.Join(a.Support, ","), a.By, manual, a.Stage, now, now); err != nil {
		return err
	}
	// A new task has no support rows to delete (their foreign key
	// would not let them outlive a task): an export makes 270,000 tasks.
	if err := addSupport(ctx, tx, recID, a.Support); err != nil {
		return err
	}
	return insertEvent(ctx, tx, eventRow{taskID: recID, at: now, by: ByImport, kind: "created", to: ownerText(a.Owner, a.Support), note: a.By})
}

const taskColumns = `t.id, d.symbol, d.kind, d.adopted, d.imported_at, d.follow_up_due, d.follow_up_paragraphs, d.next_report_due,
	r.rec_id, r.paragraph, r.item, r.section, r.subsection, r.verb, r.text, r.lead, COALESCE(r.concern, 0), r.status,
	r.recommending_states, t.owner, t.support, t.assigned_by, t.manual, t.stage, t.stage_since, r.themes, r.affected_persons, r.sdgs`

const taskFrom = ` FROM tasks t JOIN recommendations r ON r.id = t.id JOIN documents d ON d.id = t.document_id`

type scanner interface{ Scan(dest ...any) error }

// scanTask reads one row of taskColumns. Dates are given in loc, the
// config's zone. A stored value that does not decode is an error naming
// the task: a damaged date must not silently drop a deadline.
func scanTask(s scanner, loc *time.Location) (workflow.Task, error) {
	var t workflow.Task
	var adopted, fuDue, nrDue sql.NullString
	var imported, since int64
	var fuParas, states, support, themes, persons, sdgs string
	var manual int
	r := &t.Rec
	err := s.Scan(&t.ID, &t.Document.Symbol, &t.Document.Kind, &adopted, &imported, &fuDue, &fuParas, &nrDue,
		&r.ID, &r.Paragraph, &r.Item, &r.Section, &r.Subsection, &r.Verb, &r.Text, &r.Lead, &r.Concern, &r.Status,
		&states, &t.Owner, &support, &t.By, &manual, &t.Stage, &since, &themes, &persons, &sdgs)
	if err != nil {
		return t, err
	}
	if err := decodeTags(r, states, themes, persons, sdgs); err != nil {
		return t, fmt.Errorf("task: %w", err)
	}
	if support != "" {
		t.Support = strings.Split(support, ",")
	}
	t.Manual = manual == 1
	if err := setDocDates(&t.Document, adopted, imported, fuDue, fuParas, nrDue, loc); err != nil {
		return t, fmt.Errorf("task %s: %w", r.ID, err)
	}
	t.StageDate = civil.DateOf(time.Unix(since, 0).In(loc))
	return t, nil
}

// decodeStates reads a recommendation's recommending States (a JSON array;
// "" for none).
func decodeStates(states string) ([]string, error) {
	if states == "" || states == "[]" {
		return nil, nil
	}
	var out []string
	if err := json.Unmarshal([]byte(states), &out); err != nil {
		return nil, fmt.Errorf("stored recommending States %q are not a JSON list of names: %w", states, err)
	}
	return out, nil
}

// parseStoredDate reads a date column: NULL (or empty) is no date; a
// value that is not a date is an error naming the document and column.
func parseStoredDate(symbol, column string, v sql.NullString) (civil.Date, error) {
	if !v.Valid || v.String == "" {
		return civil.Date{}, nil
	}
	d, err := civil.ParseDate(v.String)
	if err != nil {
		return d, fmt.Errorf("document %s: stored %s: %w", symbol, column, err)
	}
	return d, nil
}

// parseParagraphs reads follow_up_paragraphs ("14,26").
func parseParagraphs(symbol, s string) ([]int, error) {
	var out []int
	if s == "" {
		return nil, nil
	}
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("document %s: stored follow-up paragraphs %q: %q is not a number", symbol, s, p)
		}
		out = append(out, n)
	}
	return out, nil
}

// setDocDates fills a document's dates from its columns (adopted,
// imported_at, follow_up_due, follow_up_paragraphs, next_report_due), in loc. d.Symbol
// must be set: errors name the document.
func setDocDates(d *workflow.DocFacts, adopted sql.NullString, imported int64, fuDue sql.NullString, fuParas string, nrDue sql.NullString, loc *time.Location) error {
	var err error
	if d.Adopted, err = parseStoredDate(d.Symbol, "adoption date", adopted); err != nil {
		return err
	}
	if d.NextReport, err = parseStoredDate(d.Symbol, "next report's due date", nrDue); err != nil {
		return err
	}
	d.Imported = civil.DateOf(time.Unix(imported, 0).In(loc))
	if !fuDue.Valid {
		return nil
	}
	fu := &workflow.FollowUp{}
	if fu.Due, err = parseStoredDate(d.Symbol, "follow-up date", fuDue); err != nil {
		return err
	}
	if fu.Paragraphs, err = parseParagraphs(d.Symbol, fuParas); err != nil {
		return err
	}
	d.FollowUp = fu
	return nil
}

func (db *DB) loc() *time.Location {
	if db.location == nil {
		return time.UTC
	}
	return db.location
}

// Task returns one task by its recommendation id ("CRC/C/OPSC/LAO/CO/1:14a")
// or its number.
func (db *DB) Task(ctx context.Context, ref string) (workflow.Task, error) {
	return db.task(ctx, db.db, ref)
}

func (db *DB) task(ctx context.Context, q querier, ref string) (workflow.Task, error) {
	where, arg := ` WHERE r.rec_id = ?`, any(ref)
	if n, err := strconv.ParseInt(ref, 10, 64); err == nil {
		where, arg = ` WHERE t.id = ?`, n
	}
	t, err := scanTask(q.QueryRowContext(ctx, `SELECT `+taskColumns+taskFrom+where, arg), db.loc())
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("task %s: %w (see followup tasks for the ids)", ref, ErrNotFound)
	}
	return t, err
}

// TaskFilter selects tasks. Empty fields select everything.
type TaskFilter struct {
	Owner    string // ministry id; "unassigned" for tasks no ministry owns
	Stage    string
	Document string // symbol
	Tags     TagFilter
}

// Tasks calls fn for each task matching f, in document order, streaming.
func (db *DB) Tasks(ctx context.Context, f TaskFilter, fn func(workflow.Task) error) error {
	q := `SELECT ` + taskColumns + taskFrom + ` WHERE 1=1`
	var args []any
	switch f.Owner {
	case "":
	case "unassigned":
		q += ` AND t.owner = ''`
	default:
		q += ` AND t.owner = ?`
		args = append(args, f.Owner)
	}
	if f.Stage != "" {
		q += ` AND t.stage = ?`
		args = append(args, f.Stage)
	}
	if f.Document != "" {
		q += ` AND d.symbol = ?`
		args = append(args, f.Document)
	}
	tq, targs := f.Tags.sql("t.id")
	q += tq
	args = append(args, targs...)
	q += ` ORDER BY t.document_id, r.seq`
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTask(rows, db.loc())
		if err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Advance moves a task to stage to, if check allows it, and records who,
// when, from, to and why. check sees the task as stored inside the
// transaction, so two people cannot both move it from the same stage (nil
// checks nothing). Messages in also (a receipt) are enqueued in the same
// transaction: the move is written with them or not at all.
func (db *DB) Advance(ctx context.Context, ref, to string, by Actor, note string, check func(workflow.Task) error, also ...OutboxMessage) (workflow.Task, error) {
	by, err := by.named("move task " + ref)
	if err != nil {
		return workflow.Task{}, err
	}
	var t workflow.Task
	err = db.tx(ctx, func(tx *txn) error {
		var err error
		if t, err = db.task(ctx, tx, ref); err != nil {
			return err
		}
		if check != nil {
			if err := check(t); err != nil {
				return err
			}
		}
		now := db.now().Unix()
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET stage = ?, stage_since = ?, updated_at = ? WHERE id = ?`, to, now, now, t.ID); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, eventRow{taskID: t.ID, at: now, by: by, kind: "stage", from: t.Stage, to: to, note: strings.TrimSpace(note)}); err != nil {
			return err
		}
		t.Stage, t.StageDate = to, civil.DateOf(time.Unix(now, 0).In(db.loc()))
		return enqueueAll(ctx, tx, also, now)
	})
	return t, err
}

// Assign gives a task an owner and supporting ministries by hand: the
// assignment rules never change them again. The caller checks that the
// ministries exist. An assignment that changes nothing (the same
// ministries, already given by hand) writes nothing and records no event,
// so a form sent twice leaves one entry in the history; the same
// ministries the rules gave are a change (rules no longer move the task),
// recorded as one.
func (db *DB) Assign(ctx context.Context, ref, owner string, support []string, by Actor, note string) (workflow.Task, error) {
	by, err := by.named("assign task " + ref)
	if err != nil {
		return workflow.Task{}, err
	}
	var t workflow.Task
	err = db.tx(ctx, func(tx *txn) error {
		var err error
		if t, err = db.task(ctx, tx, ref); err != nil {
			return err
		}
		from := workflow.Assignment{Owner: t.Owner, Support: t.Support, By: t.By, Manual: t.Manual}
		to := workflow.Assignment{Owner: owner, Support: support, By: by.Name, Manual: true}
		if from.Manual && to.Same(from) {
			return nil
		}
		if err := setAssignment(ctx, tx, t.ID, from, to, by, strings.TrimSpace(note), db.now().Unix()); err != nil {
			return err
		}
		t.Owner, t.Support, t.By, t.Manual = owner, support, by.Name, true
		return nil
	})
	return t, err
}

// setAssignment is the one write of a task's owner and supporting
// ministries, whoever changes them (a person, the rules, an import, an
// agreed ownership request), with its event in the audit trail. to.By is
// what the task says assigned it (a rule, a person); to.Manual keeps the
// rules off it from then on.
func setAssignment(ctx context.Context, tx *txn, taskID int64, from, to workflow.Assignment, by Actor, note string, now int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE tasks SET owner = ?, support = ?, assigned_by = ?, manual = ?, updated_at = ? WHERE id = ?`,
		to.Owner, strings.Join(to.Support, ","), to.By, to.Manual, now, taskID); err != nil {
		return err
	}
	if err := setSupport(ctx, tx, taskID, to.Support); err != nil {
		return err
	}
	return insertEvent(ctx, tx, eventRow{taskID: taskID, at: now, by: by, kind: "assign",
		from: ownerText(from.Owner, from.Support), to: ownerText(to.Owner, to.Support), note: note})
}

// Planner computes the assignment of a recommendation from the rules.
type Planner func(symbol string, rec workflow.Recommendation) workflow.Assignment

// RulesApplied returns the id of the assignment rules last applied (see
// ApplyRules); "" when none were.
func (db *DB) RulesApplied(ctx context.Context) (string, error) {
	var id string
	err := db.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'rules'`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// ApplyRules brings every task not assigned by hand in line with the
// current rules, and creates the tasks of recommendations that have none.
// It does the work only when the rules changed since the last run (rulesID
// is a hash of them); it returns how many tasks changed.
func (db *DB) ApplyRules(ctx context.Context, rulesID string, plan Planner) (int, error) {
	changed := 0
	err := db.tx(ctx, func(tx *txn) error {
		changed = 0
		var last string
		err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'rules'`).Scan(&last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var missing int
		// Every task is a recommendation's, so a difference of counts says
		// whether some recommendation has none (cheaper than a join).
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM recommendations) - (SELECT COUNT(*) FROM tasks)`).Scan(&missing); err != nil {
			return err
		}
		if last == rulesID && missing == 0 {
			return nil
		}
		now := db.now().Unix()
		if missing > 0 {
			n, err := db.createMissingTasks(ctx, tx, plan, now)
			if err != nil {
				return err
			}
			changed += n
		}
		// In batches by id: a million tasks never sit in memory, and no
		// cursor stays open while the same connection writes.
		for after := int64(0); ; {
			type row struct {
				t workflow.Task
			}
			var batch []row
			rows, err := tx.QueryContext(ctx, `SELECT `+taskColumns+taskFrom+` WHERE t.manual = 0 AND t.id > ? ORDER BY t.id LIMIT 2000`, after)
			if err != nil {
				return err
			}
			for rows.Next() {
				t, err := scanTask(rows, db.loc())
				if err != nil {
					rows.Close()
					return err
				}
				batch = append(batch, row{t})
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(batch) == 0 {
				break
			}
			after = batch[len(batch)-1].t.ID
			for _, b := range batch {
				a := plan(b.t.Document.Symbol, b.t.Rec)
				if a.Same(workflow.Assignment{Owner: b.t.Owner, Support: b.t.Support}) {
					if a.By != b.t.By {
						if _, err := tx.ExecContext(ctx, `UPDATE tasks SET assigned_by = ? WHERE id = ?`, a.By, b.t.ID); err != nil {
							return err
						}
					}
					continue
				}
				a.Manual = false
				if err := setAssignment(ctx, tx, b.t.ID, workflow.Assignment{Owner: b.t.Owner, Support: b.t.Support}, a, ByRules, a.By, now); err != nil {
					return err
				}
				changed++
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('rules', ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, rulesID)
		return err
	})
	return changed, err
}

func (db *DB) createMissingTasks(ctx context.Context, tx *txn, plan Planner, now int64) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.document_id, d.symbol, r.rec_id, r.paragraph, r.item, r.section, r.subsection,
		r.verb, r.text, r.status FROM recommendations r JOIN documents d ON d.id = r.document_id
		LEFT JOIN tasks t ON t.id = r.id WHERE t.id IS NULL ORDER BY r.id`)
	if err != nil {
		return 0, err
	}
	type missing struct {
		id, doc int64
		symbol  string
		rec     workflow.Recommendation
	}
	var all []missing
	for rows.Next() {
		var m missing
		if err := rows.Scan(&m.id, &m.doc, &m.symbol, &m.rec.ID, &m.rec.Paragraph, &m.rec.Item, &m.rec.Section,
			&m.rec.Subsection, &m.rec.Verb, &m.rec.Text, &m.rec.Status); err != nil {
			rows.Close()
			return 0, err
		}
		all = append(all, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, m := range all {
		if err := createTask(ctx, tx, m.id, m.doc, plan(m.symbol, m.rec), now); err != nil {
			return 0, err
		}
	}
	return len(all), nil
}

// StageCounts counts the tasks in each stage. It groups by owner and
// stage, which SQLite answers from the index on (owner, stage) (0.17 s at
// 1M tasks), and sums: grouping by stage alone would sort every task
// (0.58 s).
func (db *DB) StageCounts(ctx context.Context) (map[string]int, error) {
	const q = `SELECT stage, COUNT(*) FROM tasks GROUP BY owner, stage`
	db.traced(q, nil)
	rows, err := db.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("count tasks by stage: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("count tasks by stage: %w", err)
		}
		out[s] += n
	}
	return out, rows.Err()
}

// setSupport keeps task_support in step with tasks.support: every
// statement that writes tasks.support calls it (or, for a new task,
// addSupport) in the same transaction.
func setSupport(ctx context.Context, tx execer, taskID int64, support []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM task_support WHERE task_id = ?`, taskID); err != nil {
		return err
	}
	return addSupport(ctx, tx, taskID, support)
}

// addSupport adds a task's support rows.
func addSupport(ctx context.Context, tx execer, taskID int64, support []string) error {
	for _, m := range support {
		if m == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO task_support (ministry, task_id) VALUES (?, ?)`, m, taskID); err != nil {
			return err
		}
	}
	return nil
}

// replan gives a task the owner its rules now say, unless an admin chose
// the owner by hand; the change is a task event.
func replan(ctx context.Context, tx *txn, taskID int64, a workflow.Assignment, now int64) error {
	var owner, support string
	var manual int
	err := tx.QueryRowContext(ctx, `SELECT owner, support, manual FROM tasks WHERE id = ?`, taskID).Scan(&owner, &support, &manual)
	if errors.Is(err, sql.ErrNoRows) || err == nil && manual == 1 {
		return nil
	}
	if err != nil {
		return err
	}
	var sup []string
	if support != "" {
		sup = strings.Split(support, ",")
	}
	if a.Same(workflow.Assignment{Owner: owner, Support: sup}) {
		return nil
	}
	a.Manual = false
	return setAssignment(ctx, tx, taskID, workflow.Assignment{Owner: owner, Support: sup}, a, ByImport, a.By, now)
}

// scanPlus scans a row of taskColumns followed by more columns.
type scanPlus struct {
	rows  *sqlRows
	extra []any
}

// ReportItems streams a document's recommendations with their tasks, in
// document order, with the document that gave each UPR position.
func (db *DB) ReportItems(ctx context.Context, documentID int64, fn func(source.Item) error) error {
	clusters, err := db.documentClusters(ctx, documentID)
	if err != nil {
		return fmt.Errorf("read clusters: %w", err)
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+taskColumns+`,
		COALESCE((SELECT c.source FROM recommendation_changes c WHERE c.recommendation_id = r.id AND c.field = 'status'
			ORDER BY c.id DESC LIMIT 1), '')`+taskFrom+` WHERE t.document_id = ? ORDER BY r.seq`, documentID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var it source.Item
		t, err := scanTask(scanPlus{rows, []any{&it.PositionSource}}, db.loc())
		if err != nil {
			return fmt.Errorf("read recommendations: %w", err)
		}
		it.Task = t
		it.Themes = t.Rec.Themes
		if c, ok := clusters[t.Rec.ID]; ok {
			it.Cluster = c.name
			for _, m := range c.members {
				if m.RecID != t.Rec.ID {
					it.AlsoAnswers = append(it.AlsoAnswers, m)
				}
			}
		}
		if err := fn(it); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s scanPlus) Scan(dest ...any) error { return s.rows.Scan(append(dest, s.extra...)...) }
