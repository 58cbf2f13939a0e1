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

	"github.com/followup-app/followup/workflow"
)

// setSupport keeps task_support in step with tasks.support: every
// statement that writes tasks.support calls it in the same transaction.
func setSupport(ctx context.Context, tx *sql.Tx, taskID int64, support []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM task_support WHERE task_id = ?`, taskID); err != nil {
		return err
	}
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
	const cols = `t.document_id, t.stage, ` + inFollowUp + ` AS fu, COUNT(*),
		d.symbol, d.adopted, d.imported_at, d.follow_up_due, d.follow_up_paragraphs`
	const join = ` JOIN recommendations r ON r.id = t.id JOIN documents d ON d.id = t.document_id`
	q := `SELECT 'lead', ` + cols + ` FROM tasks t` + join + ` WHERE t.owner = ? GROUP BY t.document_id, t.stage, fu
		UNION ALL
		SELECT 'support', ` + cols + ` FROM task_support s JOIN tasks t ON t.id = s.task_id` + join + `
		WHERE s.ministry = ? GROUP BY t.document_id, t.stage, fu`
	db.traced(q, []any{ministry, ministry})
	rows, err := db.db.QueryContext(ctx, q, ministry, ministry)
	if err != nil {
		return nil, fmt.Errorf("count the ministry's tasks: %w", describe(err))
	}
	defer rows.Close()
	var out []MinistryGroup
	docs := map[int64]workflow.DocFacts{}
	for rows.Next() {
		var g MinistryGroup
		var adopted, fuDue sql.NullString
		var imported int64
		var fuParas string
		if err := rows.Scan(&g.Role, &g.Document, &g.Stage, &g.FollowUp, &g.Count,
			&g.Doc.Symbol, &adopted, &imported, &fuDue, &fuParas); err != nil {
			return nil, fmt.Errorf("count the ministry's tasks: %w", err)
		}
		if d, ok := docs[g.Document]; ok {
			g.Doc = d
		} else {
			if err := setDocDates(&g.Doc, adopted, imported, fuDue, fuParas, db.loc()); err != nil {
				return nil, fmt.Errorf("the tasks of %w", err)
			}
			docs[g.Document] = g.Doc
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count the ministry's tasks: %w", describe(err))
	}
	return out, nil
}

// MinistryTaskPage returns up to limit tasks the ministry holds in role,
// among groups, after the task at (afterDoc, afterSeq) in document order
// ((0, 0) from the start), in document order. Each comes with its cursor
// position (document id and sequence).
func (db *DB) MinistryTaskPage(ctx context.Context, ministry, role string, groups []GroupSel, afterDoc, afterSeq int64, limit int) ([]MinistryTask, []MinistryPos, error) {
	q := `SELECT ` + taskColumns + `, t.document_id, r.seq` + taskFrom
	switch role {
	case RoleLead:
		q += ` WHERE t.owner = ?`
	case RoleSupport:
		q += ` WHERE t.id IN (SELECT task_id FROM task_support WHERE ministry = ?)`
	default:
		return nil, nil, fmt.Errorf("ministry's tasks: %w: role %q", ErrInvalid, role)
	}
	// The groups find the tasks through the index on (document_id, stage):
	// a tier of the page is a few groups, read whole and filtered by the
	// ministry.
	q += groupsSQL(groups, "") + ` AND (r.document_id, r.seq) > (?, ?) ORDER BY r.document_id, r.seq LIMIT ?`
	args := []any{ministry, afterDoc, afterSeq, limit}
	db.traced(q, args)
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("list the ministry's tasks: %w", describe(err))
	}
	defer rows.Close()
	var out []MinistryTask
	var pos []MinistryPos
	for rows.Next() {
		var p MinistryPos
		t, err := scanTask(extraScan{rows, []any{&p.Document, &p.Seq}}, db.loc())
		if err != nil {
			return nil, nil, fmt.Errorf("list the ministry's tasks: %w", err)
		}
		out = append(out, MinistryTask{Task: t, Role: role})
		pos = append(pos, p)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("list the ministry's tasks: %w", describe(err))
	}
	return out, pos, nil
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

// extraScan scans a row of taskColumns followed by more columns.
type extraScan struct {
	rows  *sql.Rows
	extra []any
}

func (e extraScan) Scan(dest ...any) error { return e.rows.Scan(append(dest, e.extra...)...) }
