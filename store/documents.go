package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/report/source"
	"github.com/followup-app/followup/workflow"
)

// ImportItem is one parsed document to store.
type ImportItem struct {
	Doc    *workflow.Document
	Source string // the file it came from, as the admin named it
}

// ImportResult says what an import changed.
type ImportResult struct {
	Symbol  string
	Kind    workflow.Kind
	New     bool     // the document was not stored before
	Total   int      // recommendations in this version (positions for an addendum)
	Added   []string // ids of recommendations stored for the first time
	Changed []string // ids whose text, headings or status changed
	Missing []string // stored ids this version no longer has (kept, not deleted)
	Unknown []string // addendum: ids the report does not have
}

// Unchanged reports whether the import changed nothing.
func (r ImportResult) Unchanged() bool {
	return !r.New && len(r.Added) == 0 && len(r.Changed) == 0
}

// Import stores documents in one transaction: all or nothing. Importing the
// same document again changes nothing; a corrected version updates the
// changed fields and keeps the old values in the history; an addendum
// updates the positions of its report's recommendations. plan gives each
// new recommendation's task its owner and first stage; nil creates no tasks.
func (db *DB) Import(ctx context.Context, items []ImportItem, plan Planner) ([]ImportResult, error) {
	return db.ImportTagged(ctx, items, plan, nil)
}

// ImportTagged is Import that also gives each new or changed
// recommendation the tags the config's tag rules give it (tag; nil gives
// none).
func (db *DB) ImportTagged(ctx context.Context, items []ImportItem, plan Planner, tag Tagger) ([]ImportResult, error) {
	results, _, err := db.ImportStream(ctx, items, plan, tag, nil)
	return results, err
}

// ImportStream is ImportTagged that then, in the same transaction, hands
// rows to fn to write one at a time (the recommendations of a UHRI
// export): items and rows are all written, or nothing is (fn returns an
// error). It returns what became of each item and of each document the
// rows named.
func (db *DB) ImportStream(ctx context.Context, items []ImportItem, plan Planner, tag Tagger, fn func(*RowWriter) error) ([]ImportResult, []DocRows, error) {
	var results []ImportResult
	var rows []DocRows
	err := db.tx(ctx, func(tx *txn) error {
		results, rows = results[:0], nil
		now := db.now().Unix()
		w := &recWriter{tx: tx, ex: newPreparedTx(tx), tags: tagCache{}, plan: plan, tag: tag, now: now}
		if err := importItems(ctx, w, items, &results); err != nil {
			return err
		}
		if fn == nil {
			return nil
		}
		rw := &RowWriter{w: w, loc: db.loc(), docs: map[string]*streamDoc{}}
		if err := fn(rw); err != nil {
			return err
		}
		for _, d := range rw.order {
			rows = append(rows, *d.res)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return results, rows, nil
}

func importItems(ctx context.Context, w *recWriter, items []ImportItem, results *[]ImportResult) error {
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return err // the statements do not watch ctx (preparedTx)
		}
		var (
			res ImportResult
			err error
		)
		if it.Doc.Kind == workflow.UPRAddendum {
			res, err = importAddendum(ctx, w.tx, it, w.now)
		} else {
			res, err = importDocument(ctx, w, it)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", it.Doc.Symbol, err)
		}
		*results = append(*results, res)
	}
	return nil
}

type docRow struct {
	id                                    int64
	kind, body, title, state, adopted     string
	parent, nrDue, nrText, fuDue, fuParas string
	fuText, source, language              string
	importedAt                            int64
}

func (r docRow) values() []any {
	return []any{r.kind, r.body, r.title, r.state, nullDate(r.adopted), r.parent, nullDate(r.nrDue), r.nrText,
		nullDate(r.fuDue), r.fuParas, r.fuText, r.source, r.language}
}

func rowOf(it ImportItem) docRow {
	d := it.Doc
	r := docRow{kind: string(d.Kind), body: d.Body, title: d.Title, state: d.State, adopted: d.Adopted.String(),
		parent: d.Parent, nrDue: d.NextReport.Due.String(), nrText: d.NextReport.Text, source: it.Source,
		language: d.Language}
	if d.FollowUp != nil {
		r.fuDue, r.fuText = d.FollowUp.Due.String(), d.FollowUp.Text
		var ps []string
		for _, p := range d.FollowUp.Paragraphs {
			ps = append(ps, strconv.Itoa(p))
		}
		r.fuParas = strings.Join(ps, ",")
	}
	return r
}

// upsertDocument stores the document's own fields; changed reports whether
// anything but the source file differs.
func upsertDocument(ctx context.Context, tx *txn, it ImportItem, now int64) (id int64, isNew, changed bool, err error) {
	want := rowOf(it)
	old, err := loadDocRow(ctx, tx, it.Doc.Symbol)
	switch {
	case errors.Is(err, ErrNotFound):
		res, err := tx.ExecContext(ctx, `INSERT INTO documents (kind, body, title, state, adopted, parent, next_report_due,
			next_report_text, follow_up_due, follow_up_paragraphs, follow_up_text, source, language, symbol, imported_at, updated_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, append(want.values(), it.Doc.Symbol, now, now)...)
		if err != nil {
			return 0, false, false, err
		}
		id, err := res.LastInsertId()
		return id, true, true, err
	case err != nil:
		return 0, false, false, err
	}
	want.id, want.importedAt = old.id, old.importedAt
	if want == old {
		return old.id, false, false, nil
	}
	// The file name alone changing (a copy of the same document) is not a
	// change worth recording.
	sameButSource := want
	sameButSource.source = old.source
	_, err = tx.ExecContext(ctx, `UPDATE documents SET kind=?, body=?, title=?, state=?, adopted=?, parent=?, next_report_due=?,
		next_report_text=?, follow_up_due=?, follow_up_paragraphs=?, follow_up_text=?, source=?, language=?, updated_at=? WHERE id=?`,
		append(want.values(), now, old.id)...)
	return old.id, false, sameButSource != old, err
}

func loadDocRow(ctx context.Context, q querier, symbol string) (docRow, error) {
	var r docRow
	var adopted, nrDue, fuDue sql.NullString
	err := q.QueryRowContext(ctx, `SELECT id, kind, body, title, state, adopted, parent, next_report_due, next_report_text,
		follow_up_due, follow_up_paragraphs, follow_up_text, source, language, imported_at FROM documents WHERE symbol = ?`, symbol).
		Scan(&r.id, &r.kind, &r.body, &r.title, &r.state, &adopted, &r.parent, &nrDue, &r.nrText, &fuDue, &r.fuParas,
			&r.fuText, &r.source, &r.language, &r.importedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	r.adopted, r.nrDue, r.fuDue = adopted.String, nrDue.String, fuDue.String
	return r, err
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sqlRow
	QueryContext(ctx context.Context, query string, args ...any) (*sqlRows, error)
}

// recWriter writes the recommendations of one import transaction.
type recWriter struct {
	tx   *txn
	ex   execer // tx, its statements prepared once
	tags tagCache
	plan Planner
	tag  Tagger
	now  int64
}

// add inserts a new recommendation of document docID with its tags and
// (when the import plans tasks) its task.
func (w *recWriter) add(ctx context.Context, docID int64, symbol string, seq int, rec workflow.Recommendation) error {
	id, err := insertRecommendation(ctx, w.ex, w.tags, docID, seq, rec, recValues(rec))
	if err != nil {
		return err
	}
	var byRule workflow.Tags
	if w.tag != nil {
		if byRule = w.tag(symbol, rec); !byRule.Empty() {
			if err := w.tags.setTags(ctx, w.ex, id, byRule, true, true); err != nil {
				return err
			}
		}
	}
	if w.plan == nil {
		return nil
	}
	// The rules match on every tag, the rules' own included.
	return createTask(ctx, w.ex, id, docID, w.plan(symbol, byRule.With(rec)), w.now)
}

// retag gives a changed recommendation the tags the rules give it now.
func (w *recWriter) retag(ctx context.Context, id int64, symbol string, rec workflow.Recommendation) error {
	if w.tag == nil {
		return nil
	}
	return w.tags.setTags(ctx, w.ex, id, w.tag(symbol, rec), true, false)
}

// planned is the assignment of a recommendation whose tags changed: the
// rules see its tags and the tag rules'.
func (w *recWriter) planned(symbol string, rec workflow.Recommendation) workflow.Assignment {
	if w.tag != nil {
		rec = w.tag(symbol, rec).With(rec)
	}
	return w.plan(symbol, rec)
}

func importDocument(ctx context.Context, w *recWriter, it ImportItem) (ImportResult, error) {
	tx, now := w.tx, w.now
	doc := it.Doc
	res := ImportResult{Symbol: doc.Symbol, Kind: doc.Kind, Total: len(doc.Recommendations)}
	docID, isNew, docChanged, err := upsertDocument(ctx, tx, it, now)
	if err != nil {
		return res, err
	}
	res.New = isNew

	type stored struct {
		id         int64
		values     []string
		status     string
		annotation string
	}
	existing := map[string]stored{}
	if !isNew {
		rows, err := tx.QueryContext(ctx, `SELECT id, rec_id, paragraph, item, section, subsection, verb, text, lead,
			COALESCE(concern, ''), recommending_states, themes, affected_persons, sdgs, status, annotation_id
			FROM recommendations WHERE document_id = ?`, docID)
		if err != nil {
			return res, err
		}
		for rows.Next() {
			var s stored
			var recID string
			v := make([]string, len(recFields))
			if err := rows.Scan(&s.id, &recID, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11],
				&s.status, &s.annotation); err != nil {
				rows.Close()
				return res, err
			}
			s.values = v
			existing[recID] = s
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return res, err
		}
	}

	seen := map[string]bool{}
	for seq, rec := range doc.Recommendations {
		if seen[rec.ID] {
			return res, fmt.Errorf("recommendation %s appears twice in the document", rec.ID)
		}
		seen[rec.ID] = true
		values := recValues(rec)
		old, ok := existing[rec.ID]
		if !ok {
			if err := w.add(ctx, docID, doc.Symbol, seq, rec); err != nil {
				return res, err
			}
			res.Added = append(res.Added, rec.ID)
			continue
		}
		// A document's own text gives no tags: a version without them
		// keeps those a UPR matrix or a UHRI export gave, kind by kind.
		for _, f := range []int{fieldThemes, fieldPersons, fieldSDGs} {
			if values[f] == "[]" {
				values[f] = old.values[f]
			}
		}
		changed, tagsChanged, textChanged := false, false, false
		for i, f := range recFields {
			if old.values[i] == values[i] {
				continue
			}
			changed = true
			tagsChanged = tagsChanged || i >= fieldThemes
			textChanged = textChanged || i < fieldThemes
			if err := recordChange(ctx, tx, old.id, now, doc.Symbol, f, old.values[i], values[i]); err != nil {
				return res, err
			}
		}
		// A report says "pending" for what its addendum later decided: a
		// report imported again must not undo the addendum.
		status := old.status
		if rec.Status != old.status && !(rec.Status == workflow.StatusPending && old.status != "") {
			changed = true
			status = rec.Status
			if err := recordChange(ctx, tx, old.id, now, doc.Symbol, "status", old.status, rec.Status); err != nil {
				return res, err
			}
		}
		annotation := old.annotation
		if rec.AnnotationID != "" {
			annotation = rec.AnnotationID
		}
		if changed || annotation != old.annotation {
			if changed {
				res.Changed = append(res.Changed, rec.ID)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE recommendations SET seq=?, paragraph=?, item=?, section=?, subsection=?, verb=?,
				text=?, lead=?, concern=?, recommending_states=?, themes=?, affected_persons=?, sdgs=?, status=?, annotation_id=? WHERE id=?`,
				seq, values[0], values[1], values[2], values[3], values[4], values[5], values[6], nullInt(values[7]), values[8],
				values[fieldThemes], values[fieldPersons], values[fieldSDGs], status, annotation, old.id); err != nil {
				return res, err
			}
		}
		if tagsChanged {
			if err := w.tags.setTags(ctx, tx, old.id, tagsOfValues(values), false, false); err != nil {
				return res, err
			}
		}
		if textChanged {
			if err := w.retag(ctx, old.id, doc.Symbol, rec); err != nil {
				return res, err
			}
		}
		// Tags decide owners: a UPR matrix imported after its report
		// gives the report's tasks the owners the theme rules say.
		if tagsChanged && w.plan != nil {
			if err := replan(ctx, tx, old.id, w.planned(doc.Symbol, withTagValues(rec, values)), now); err != nil {
				return res, err
			}
		}
	}
	for id := range existing {
		if !seen[id] {
			res.Missing = append(res.Missing, id)
		}
	}
	slices.Sort(res.Missing)
	if docChanged && !isNew && len(res.Changed) == 0 && len(res.Added) == 0 {
		// Only the document's own fields changed (e.g. a corrected
		// next-report date): still a change.
		res.Changed = append(res.Changed, doc.Symbol)
	}
	return res, nil
}

// tagsOfValues decodes the tag columns of recValues.
func tagsOfValues(values []string) workflow.Tags {
	var t workflow.Tags
	_ = json.Unmarshal([]byte(values[fieldThemes]), &t.Themes) // written by jsonList or read from the column: a JSON list
	_ = json.Unmarshal([]byte(values[fieldPersons]), &t.AffectedPersons)
	_ = json.Unmarshal([]byte(values[fieldSDGs]), &t.SDGs)
	return t
}

// withTagValues is rec with the tags of values (its own, or the stored
// ones it keeps).
func withTagValues(rec workflow.Recommendation, values []string) workflow.Recommendation {
	t := tagsOfValues(values)
	rec.Themes, rec.AffectedPersons, rec.SDGs = t.Themes, t.AffectedPersons, t.SDGs
	return rec
}

func importAddendum(ctx context.Context, tx *txn, it ImportItem, now int64) (ImportResult, error) {
	doc := it.Doc
	res := ImportResult{Symbol: doc.Symbol, Kind: doc.Kind, Total: len(doc.Positions)}
	if _, err := loadDocRow(ctx, tx, doc.Parent); errors.Is(err, ErrNotFound) {
		return res, fmt.Errorf("%w: import %s before %s", ErrParentMissing, doc.Parent, doc.Symbol)
	} else if err != nil {
		return res, err
	}
	_, isNew, _, err := upsertDocument(ctx, tx, it, now)
	if err != nil {
		return res, err
	}
	res.New = isNew
	for _, p := range doc.Positions {
		var id int64
		var status string
		err := tx.QueryRowContext(ctx, `SELECT id, status FROM recommendations WHERE rec_id = ?`, p.ID).Scan(&id, &status)
		if errors.Is(err, sql.ErrNoRows) {
			res.Unknown = append(res.Unknown, p.ID)
			continue
		}
		if err != nil {
			return res, err
		}
		if status == p.Status {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE recommendations SET status = ? WHERE id = ?`, p.Status, id); err != nil {
			return res, err
		}
		if err := recordChange(ctx, tx, id, now, doc.Symbol, "status", status, p.Status); err != nil {
			return res, err
		}
		res.Changed = append(res.Changed, p.ID)
	}
	return res, nil
}

// Document is a stored document with its counts.
type Document struct {
	workflow.Document
	Source          string
	ImportedAt      time.Time
	UpdatedAt       time.Time
	Recommendations int
}

// Documents lists the stored documents, oldest first.
func (db *DB) Documents(ctx context.Context) ([]Document, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT d.symbol, d.kind, d.body, d.title, d.state, d.adopted, d.parent,
		d.next_report_due, d.next_report_text, d.follow_up_due, d.follow_up_paragraphs, d.follow_up_text, d.source,
		d.imported_at, d.updated_at, (SELECT COUNT(*) FROM recommendations r WHERE r.document_id = d.id)
		FROM documents d ORDER BY d.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Document
	for rows.Next() {
		var d Document
		var kind string
		var adopted, nrDue, fuDue sql.NullString
		var fuParas, fuText string
		var imported, updated int64
		if err := rows.Scan(&d.Symbol, &kind, &d.Body, &d.Title, &d.State, &adopted, &d.Parent, &nrDue, &d.NextReport.Text,
			&fuDue, &fuParas, &fuText, &d.Source, &imported, &updated, &d.Recommendations); err != nil {
			return nil, err
		}
		d.Kind = workflow.Kind(kind)
		facts := workflow.DocFacts{Symbol: d.Symbol}
		if err := setDocDates(&facts, adopted, imported, fuDue, fuParas, nrDue, time.UTC); err != nil {
			return nil, err
		}
		d.Adopted = facts.Adopted
		if d.NextReport.Due, err = parseStoredDate(d.Symbol, "next report's due date", nrDue); err != nil {
			return nil, err
		}
		if facts.FollowUp != nil {
			d.FollowUp = &workflow.FollowUp{Due: facts.FollowUp.Due, Paragraphs: facts.FollowUp.Paragraphs, Text: fuText}
		}
		d.ImportedAt, d.UpdatedAt = time.Unix(imported, 0).UTC(), time.Unix(updated, 0).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// Facets are what the list's filters offer: the documents, in import
// order.
type Facets struct {
	Documents []DocFacet
}

// DocFacet is a document in the filters.
type DocFacet struct {
	ID     int64
	Symbol string
	Title  string
}

// Facets lists the documents (their sections are read one document at a
// time, by Sections, when a document is chosen: a document has at most a
// few hundred recommendations, read through its own index range).
func (db *DB) Facets(ctx context.Context) (Facets, error) {
	var f Facets
	rows, err := db.db.QueryContext(ctx, `SELECT id, symbol, title FROM documents ORDER BY id`)
	if err != nil {
		return f, fmt.Errorf("list documents: %w", err)
	}
	for rows.Next() {
		var d DocFacet
		if err := rows.Scan(&d.ID, &d.Symbol, &d.Title); err != nil {
			rows.Close()
			return f, fmt.Errorf("list documents: %w", err)
		}
		f.Documents = append(f.Documents, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, fmt.Errorf("list documents: %w", err)
	}
	return f, nil
}

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
		return nil, err
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
		return nil, err
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
