package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/report/source"
	"github.com/followup-app/followup/workflow"
)

// The store answers what a report draft reads (report/source.Store).
var _ source.Store = (*DB)(nil)

// ReportDocuments returns the stored documents with these symbols, in the
// order given (every document, in import order, when none is given).
func (db *DB) ReportDocuments(ctx context.Context, symbols []string) ([]source.Document, error) {
	q := `SELECT id, symbol, kind, body, title, state, adopted, parent, next_report_due, next_report_text,
		follow_up_due, follow_up_paragraphs, follow_up_text, language, imported_at FROM documents`
	var args []any
	if len(symbols) > 0 {
		q += ` WHERE symbol IN (` + strings.TrimSuffix(strings.Repeat("?,", len(symbols)), ",") + `)`
		for _, s := range symbols {
			args = append(args, s)
		}
	}
	q += ` ORDER BY id`
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, describe(err)
	}
	defer rows.Close()
	bySymbol := map[string]source.Document{}
	var all []source.Document
	for rows.Next() {
		var d source.Document
		var kind string
		var adopted, nrDue, fuDue sql.NullString
		var fuParas, fuText string
		var imported int64
		if err := rows.Scan(&d.ID, &d.Symbol, &kind, &d.Body, &d.Title, &d.State, &adopted, &d.Parent, &nrDue,
			&d.NextReport.Text, &fuDue, &fuParas, &fuText, &d.Language, &imported); err != nil {
			return nil, fmt.Errorf("read documents: %w", err)
		}
		d.Kind = workflow.Kind(kind)
		if d.Adopted, err = civil.ParseDate(adopted.String); adopted.Valid && err != nil {
			return nil, fmt.Errorf("document %s: stored adoption date %q: %w", d.Symbol, adopted.String, err)
		}
		if d.NextReport.Due, err = civil.ParseDate(nrDue.String); nrDue.Valid && err != nil {
			return nil, fmt.Errorf("document %s: stored report due date %q: %w", d.Symbol, nrDue.String, err)
		}
		if fuDue.Valid {
			fu := &workflow.FollowUp{Text: fuText}
			if fu.Due, err = civil.ParseDate(fuDue.String); err != nil {
				return nil, fmt.Errorf("document %s: stored follow-up date %q: %w", d.Symbol, fuDue.String, err)
			}
			for _, p := range strings.Split(fuParas, ",") {
				if n, err := strconv.Atoi(p); err == nil {
					fu.Paragraphs = append(fu.Paragraphs, n)
				}
			}
			d.FollowUp = fu
		}
		d.Document.Language = d.Language
		d.Imported = time.Unix(imported, 0).UTC()
		bySymbol[d.Symbol] = d
		all = append(all, d)
	}
	if err := rows.Err(); err != nil {
		return nil, describe(err)
	}
	if len(symbols) == 0 {
		return all, nil
	}
	var out []source.Document
	for _, s := range symbols {
		if d, ok := bySymbol[s]; ok {
			out = append(out, d)
			delete(bySymbol, s)
		}
	}
	return out, nil
}

// scanPlus scans a row of taskColumns followed by more columns.
type scanPlus struct {
	rows  *sql.Rows
	extra []any
}

func (s scanPlus) Scan(dest ...any) error { return s.rows.Scan(append(dest, s.extra...)...) }

// ReportItems streams a document's recommendations with their tasks, in
// document order, with the document that gave each UPR position.
func (db *DB) ReportItems(ctx context.Context, documentID int64, fn func(source.Item) error) error {
	rows, err := db.db.QueryContext(ctx, `SELECT `+taskColumns+`,
		COALESCE((SELECT c.source FROM recommendation_changes c WHERE c.recommendation_id = r.id AND c.field = 'status'
			ORDER BY c.id DESC LIMIT 1), '')`+taskFrom+` WHERE t.document_id = ? ORDER BY r.seq`, documentID)
	if err != nil {
		return describe(err)
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
		if err := fn(it); err != nil {
			return err
		}
	}
	return describe(rows.Err())
}

// ReportUpdates streams the progress updates on a document's tasks with an
// id above sinceID, by recommendation then as recorded.
func (db *DB) ReportUpdates(ctx context.Context, documentID, sinceID int64, fn func(source.Update) error) error {
	return db.Updates(ctx, UpdateFilter{DocumentID: documentID, SinceID: sinceID}, func(u Update) error {
		out := source.Update{ID: u.ID, TaskID: u.TaskID, RecID: u.RecID, Ministry: u.Ministry, Role: u.Role, Author: u.Author,
			At: u.At, DoneOn: u.DoneOn, Text: u.Text, Public: u.Public}
		for _, e := range u.Evidence {
			out.Evidence = append(out.Evidence, source.Evidence{ID: e.ID, Kind: e.Kind, URL: e.URL, Title: e.Title,
				ContentType: e.ContentType, Size: e.Size})
		}
		return fn(out)
	})
}

// LastReminded says when each ministry was last sent a reminder about each
// task of a document. Only messages the relay accepted count: a reminder
// still queued, failed or uncertain has not reached anyone.
func (db *DB) LastReminded(ctx context.Context, documentID int64) ([]source.Reminded, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT l.task_id, o.recipient, MAX(o.sent_at)
		FROM tasks t JOIN reminder_log l ON l.task_id = t.id JOIN outbox o ON o.id = l.outbox_id
		WHERE t.document_id = ? AND o.status = 'sent' AND o.sent_at IS NOT NULL
		GROUP BY l.task_id, o.recipient`, documentID)
	if err != nil {
		return nil, describe(err)
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
	return out, describe(rows.Err())
}

// RecordDraft records a draft written, with the next number of its report.
func (db *DB) RecordDraft(ctx context.Context, d source.Draft) (source.Draft, error) {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(n), 0) + 1 FROM report_drafts WHERE report = ?`, d.Report).Scan(&d.N); err != nil {
			return err
		}
		if d.At.IsZero() {
			d.At = db.now()
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO report_drafts (report, n, at, drafted_by, format, options, file, sha256,
			last_update_id, updates, words) VALUES (?,?,?,?,?,?,?,?,?,?,?)`, d.Report, d.N, d.At.Unix(), d.By, d.Format,
			strings.Join(d.Options, ","), d.File, d.SHA256, d.LastUpdateID, d.Updates, d.Words)
		if err != nil {
			return err
		}
		d.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return d, fmt.Errorf("record the draft of %s: %w", d.Report, describe(err))
	}
	return d, nil
}

// Drafts lists a report's drafts, oldest first.
func (db *DB) Drafts(ctx context.Context, report string) ([]source.Draft, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, report, n, at, drafted_by, format, options, file, sha256, last_update_id, updates, words
		FROM report_drafts WHERE report = ? ORDER BY n`, report)
	if err != nil {
		return nil, describe(err)
	}
	defer rows.Close()
	var out []source.Draft
	for rows.Next() {
		var d source.Draft
		var at int64
		var opts string
		if err := rows.Scan(&d.ID, &d.Report, &d.N, &at, &d.By, &d.Format, &opts, &d.File, &d.SHA256, &d.LastUpdateID, &d.Updates, &d.Words); err != nil {
			return nil, fmt.Errorf("read drafts: %w", err)
		}
		d.At = time.Unix(at, 0).UTC()
		if opts != "" {
			d.Options = strings.Split(opts, ",")
		}
		out = append(out, d)
	}
	return out, describe(rows.Err())
}
