package store

// Report drafts written, numbered per report.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/followup-app/followup/report/source"
)

// The store answers what a report draft reads (report/source.Store).
var _ source.Store = (*DB)(nil)

// RecordDraft records a draft written, with the next number of its report.
func (db *DB) RecordDraft(ctx context.Context, d source.Draft) (source.Draft, error) {
	err := db.tx(ctx, func(tx *txn) error {
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
		if d.ID, err = res.LastInsertId(); err != nil || d.Data == nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO report_draft_files (id, data) VALUES (?, ?)`, d.ID, d.Data)
		return err
	})
	if err != nil {
		return d, fmt.Errorf("record the draft of %s: %w", d.Report, err)
	}
	return d, nil
}

// DraftFile returns draft n of a report with the bytes kept with it
// (nil when none were: a draft the command line wrote to a file);
// ErrNotFound when the report has no such draft.
func (db *DB) DraftFile(ctx context.Context, report string, n int) (source.Draft, []byte, error) {
	var d source.Draft
	var at int64
	var opts string
	err := db.db.QueryRowContext(ctx, `SELECT d.id, d.report, d.n, d.at, d.drafted_by, d.format, d.options, d.file, d.sha256,
		d.last_update_id, d.updates, d.words, f.data
		FROM report_drafts d LEFT JOIN report_draft_files f ON f.id = d.id WHERE d.report = ? AND d.n = ?`, report, n).
		Scan(&d.ID, &d.Report, &d.N, &at, &d.By, &d.Format, &opts, &d.File, &d.SHA256, &d.LastUpdateID, &d.Updates, &d.Words, &d.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil, fmt.Errorf("draft %d of %s: %w", n, report, ErrNotFound)
	}
	if err != nil {
		return d, nil, fmt.Errorf("read draft %d of %s: %w", n, report, err)
	}
	d.At = time.Unix(at, 0).UTC()
	if opts != "" {
		d.Options = strings.Split(opts, ",")
	}
	data := d.Data
	d.Data = nil
	return d, data, nil
}

// Drafts lists a report's drafts, oldest first.
func (db *DB) Drafts(ctx context.Context, report string) ([]source.Draft, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, report, n, at, drafted_by, format, options, file, sha256, last_update_id, updates, words
		FROM report_drafts WHERE report = ? ORDER BY n`, report)
	if err != nil {
		return nil, err
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
	return out, rows.Err()
}
