package store

// A ministry's page reads its tasks a page at a time: the groups its tasks
// fall in, counted (MinistryGroups), and then, in the order the web works
// out from the groups' deadlines, the tasks of some groups from a cursor
// (MinistryTaskPage). Neither reads every task of the database.

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/workflow"
)

// MinistryGroup is how many of a ministry's tasks, in one role, are in one
// (document, stage) group, counting apart those whose paragraph is one of
// the document's follow-up paragraphs: the follow-up date is a deadline of
// theirs only, so they can be due earlier than the rest of the group.
type MinistryGroup struct {
	Role     string // RoleLead or RoleSupport
	Document int64
	Doc      workflow.DocFacts
	Stage    string
	FollowUp bool // the tasks of the follow-up paragraphs
	Count    int
}

// The follow-up paragraphs are a comma-separated list on the document.
const inFollowUp = `(',' || d.follow_up_paragraphs || ',' LIKE '%,' || r.paragraph || ',%')`

// MinistryGroups counts the tasks a ministry leads and supports by group.
// It reads the ministry's tasks through the index on (owner, stage) and
// task_support's primary key, and returns one row per group, not per task.
func (db *DB) MinistryGroups(ctx context.Context, ministry string) ([]MinistryGroup, error) {
	// The recommendation (a large row, with its text) is read only for a
	// document with follow-up paragraphs: the owner index has the rest.
	const cols = `t.document_id, t.stage,
		CASE WHEN d.follow_up_paragraphs = '' THEN 0 ELSE (',' || d.follow_up_paragraphs || ',' LIKE
			'%,' || (SELECT r.paragraph FROM recommendations r WHERE r.id = t.id) || ',%') END AS fu, COUNT(*),
		d.symbol, d.kind, d.adopted, d.imported_at, d.follow_up_due, d.follow_up_paragraphs, d.next_report_due`
	const join = ` JOIN documents d ON d.id = t.document_id`
	q := `SELECT 'lead', ` + cols + ` FROM tasks t` + join + ` WHERE t.owner = ? GROUP BY t.document_id, t.stage, fu
		UNION ALL
		SELECT 'support', ` + cols + ` FROM task_support s JOIN tasks t ON t.id = s.task_id` + join + `
		WHERE s.ministry = ? GROUP BY t.document_id, t.stage, fu`
	db.traced(q, []any{ministry, ministry})
	rows, err := db.db.QueryContext(ctx, q, ministry, ministry)
	if err != nil {
		return nil, fmt.Errorf("count the ministry's tasks: %w", err)
	}
	defer rows.Close()
	var out []MinistryGroup
	docs := map[int64]workflow.DocFacts{}
	for rows.Next() {
		var g MinistryGroup
		var adopted, fuDue, nrDue sql.NullString
		var imported int64
		var fuParas string
		if err := rows.Scan(&g.Role, &g.Document, &g.Stage, &g.FollowUp, &g.Count,
			&g.Doc.Symbol, &g.Doc.Kind, &adopted, &imported, &fuDue, &fuParas, &nrDue); err != nil {
			return nil, fmt.Errorf("count the ministry's tasks: %w", err)
		}
		if d, ok := docs[g.Document]; ok {
			g.Doc = d
		} else {
			if err := setDocDates(&g.Doc, adopted, imported, fuDue, fuParas, nrDue, db.loc()); err != nil {
				return nil, fmt.Errorf("the tasks of %w", err)
			}
			docs[g.Document] = g.Doc
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count the ministry's tasks: %w", err)
	}
	return out, nil
}

// RankedGroup is a group of a ministry's tasks (as MinistryGroups counts
// them) with its place in the page's order: the page lists the tasks by
// Rank, then in their document's order. Groups of one rank must be of one
// document.
type RankedGroup struct {
	Document int64
	Stage    string
	FollowUp bool
	Rank     int
}

// MinistryTaskPage returns up to limit tasks (with the fields a list
// shows: listColumns) the ministry holds in role, among groups, in the
// order of their group's rank, then of their recommendation in the
// document, after the task at (afterRank, afterSeq) ((0, -1) from the
// start). Each comes with its rank and its position in document order, for
// the next page's cursor. One statement: the groups' values are written
// into it (numbers and quoted stage ids; there can be more than SQLite's
// limit of bound parameters) and it finds each group's tasks through the
// index on (owner, stage, document_id), or task_support's key.
func (db *DB) MinistryTaskPage(ctx context.Context, ministry, role string, groups []RankedGroup, afterRank int, afterSeq int64, limit int) ([]MinistryTask, []RankedPos, error) {
	if len(groups) == 0 {
		return nil, nil, nil
	}
	var k strings.Builder
	for i, g := range groups {
		if i > 0 {
			k.WriteString(",")
		}
		fu := 0
		if g.FollowUp {
			fu = 1
		}
		fmt.Fprintf(&k, "(%d,%s,%d,%d)", g.Document, sqlString(g.Stage), fu, g.Rank)
	}
	// CROSS JOIN keeps the groups outermost: SQLite 3.54 would otherwise
	// read every task of the ministry through the owner index (or
	// task_support) and sort them, 16 ms at 100,000 tasks against 1 ms.
	q := `WITH k(doc, stage, fu, rank) AS (VALUES ` + k.String() + `)
		SELECT ` + listColumns + `, t.document_id, r.seq, k.rank FROM k`
	switch role {
	case RoleLead:
		q += ` CROSS JOIN tasks t ON t.owner = ? AND t.stage = k.stage AND t.document_id = k.doc`
	case RoleSupport:
		q += ` CROSS JOIN tasks t ON t.stage = k.stage AND t.document_id = k.doc
			CROSS JOIN task_support s ON s.ministry = ? AND s.task_id = t.id`
	default:
		return nil, nil, fmt.Errorf("ministry's tasks: %w: role %q", ErrInvalid, role)
	}
	q += ` JOIN recommendations r ON r.id = t.id JOIN documents d ON d.id = t.document_id
		WHERE ` + inFollowUp + ` = k.fu AND (k.rank, r.seq) > (?, ?)
		ORDER BY k.rank, r.seq LIMIT ?`
	args := []any{ministry, afterRank, afterSeq, limit}
	db.traced(q, args)
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("list the ministry's tasks: %w", err)
	}
	defer rows.Close()
	var out []MinistryTask
	var pos []RankedPos
	for rows.Next() {
		var p RankedPos
		t, err := scanListTask(rows, &p, db.loc())
		if err != nil {
			return nil, nil, fmt.Errorf("list the ministry's tasks: %w", err)
		}
		out = append(out, MinistryTask{Task: t, Role: role})
		pos = append(pos, p)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("list the ministry's tasks: %w", err)
	}
	return out, pos, nil
}

// RankedPos is where a task of MinistryTaskPage stands: its group's rank
// and its place in document order.
type RankedPos struct {
	Rank int
	MinistryPos
}

// MinistryPos is a task's place in document order.
type MinistryPos struct {
	Document, Seq int64
}

// String writes the position for a cursor: "document.seq".
func (p MinistryPos) String() string {
	return strconv.FormatInt(p.Document, 10) + "." + strconv.FormatInt(p.Seq, 10)
}

// ParseMinistryPos reads "document.seq"; anything else is ErrInvalid.
func ParseMinistryPos(s string) (MinistryPos, error) {
	doc, seq, err := parseCursor(s)
	if err != nil || doc < 0 || seq < 0 || strings.HasPrefix(s, "+") {
		return MinistryPos{}, fmt.Errorf("page cursor %q: %w", s, ErrInvalid)
	}
	return MinistryPos{doc, seq}, nil
}

// listColumns are what a list of tasks shows: the task's stage, the
// recommendation's place, the document's dates its deadlines follow from,
// and the first 400 characters of its text (the list shows what a task is
// about; the task's own page shows the whole text).
const listColumns = `t.id, d.symbol, d.kind, d.adopted, d.imported_at, d.follow_up_due, d.follow_up_paragraphs, d.next_report_due,
	r.rec_id, r.paragraph, r.item, r.section, r.subsection, r.status, t.owner, t.support, t.stage, t.stage_since,
	substr(r.text, 1, 400)`

// scanListTask reads a row of listColumns and the page's position.
func scanListTask(rows *sqlRows, p *RankedPos, loc *time.Location) (workflow.Task, error) {
	var t workflow.Task
	var adopted, fuDue, nrDue sql.NullString
	var imported, since int64
	var fuParas, support string
	r := &t.Rec
	if err := rows.Scan(&t.ID, &t.Document.Symbol, &t.Document.Kind, &adopted, &imported, &fuDue, &fuParas, &nrDue,
		&r.ID, &r.Paragraph, &r.Item, &r.Section, &r.Subsection, &r.Status, &t.Owner, &support, &t.Stage, &since,
		&r.Text, &p.Document, &p.Seq, &p.Rank); err != nil {
		return t, err
	}
	if support != "" {
		t.Support = strings.Split(support, ",")
	}
	if err := setDocDates(&t.Document, adopted, imported, fuDue, fuParas, nrDue, loc); err != nil {
		return t, fmt.Errorf("task %s: %w", r.ID, err)
	}
	t.StageDate = civil.DateOf(time.Unix(since, 0).In(loc))
	return t, nil
}

// MinistryTask is a task as a ministry sees it: as its lead or in support.
type MinistryTask struct {
	Task workflow.Task
	Role string // RoleLead or RoleSupport
}
