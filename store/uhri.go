package store

// The recommendations of a UHRI export, written one row at a time inside
// ImportStream's transaction: a new document's recommendations become its
// recommendations and tasks; a document already imported (from its own
// text, a matrix, or an earlier export) gets the export's tags, position
// and annotation id on the recommendations it has, never a second task.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/workflow"
)

// DocRows says what the rows of an export did to one document.
type DocRows struct {
	Symbol string
	Kind   workflow.Kind
	Body   string // the mechanism: CRC, UPR, "SR on the human rights of migrants"…
	State  string
	Source string // the export it came from first
	// New: the document was not stored before; its recommendations are
	// the export's.
	New bool
	// Added counts the recommendations stored for the first time (with
	// their tasks).
	Added int
	// Merged counts the stored recommendations the export gave tags, a
	// position or an annotation id; Unchanged those it gave nothing new.
	Merged, Unchanged int
	// Items counts the stored recommendations matched through their
	// paragraph: the UHRI annotates a treaty body's paragraph whole, and
	// the document's own import split it into items (50a, 50b…).
	Items int
	// Facts are the document's facts its deadlines follow from.
	Facts workflow.DocFacts
}

// RowWriter writes rows in ImportStream's transaction.
type RowWriter struct {
	w      *recWriter
	loc    *time.Location
	source string
	file   int // SetSource's calls: the export the rows come from
	docs   map[string]*streamDoc
	order  []*streamDoc
}

type streamDoc struct {
	id      int64
	nextSeq int // for a document stored before: after its recommendations
	file    int // the export that made a new document (RowWriter.file)
	res     *DocRows
}

// SetSource names the file the next rows come from.
func (rw *RowWriter) SetSource(path string) {
	rw.source = path
	rw.file++
}

// document returns the stored document doc names, storing it when new.
func (rw *RowWriter) document(ctx context.Context, doc *workflow.Document) (*streamDoc, error) {
	if d, ok := rw.docs[doc.Symbol]; ok {
		return d, nil
	}
	w := rw.w
	d := &streamDoc{res: &DocRows{Symbol: doc.Symbol, Kind: doc.Kind, Body: doc.Body, State: doc.State, Source: rw.source}}
	old, err := loadDocRow(ctx, w.tx, doc.Symbol)
	switch {
	case err == nil:
		// The document's own import knows it better than the export:
		// its fields stay as they are.
		d.id = old.id
		d.res.Kind, d.res.Body, d.res.State = workflow.Kind(old.kind), old.body, old.state
		if err := w.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), -1) + 1 FROM recommendations WHERE document_id = ?`, d.id).Scan(&d.nextSeq); err != nil {
			return nil, err
		}
		d.res.Facts = workflow.DocFacts{Symbol: doc.Symbol, Kind: d.res.Kind}
		if err := setDocDates(&d.res.Facts, nullString(old.adopted), old.importedAt, nullString(old.fuDue), old.fuParas, nullString(old.nrDue), rw.loc); err != nil {
			return nil, err
		}
	case errors.Is(err, ErrNotFound):
		id, _, _, err := upsertDocument(ctx, w.tx, ImportItem{Doc: doc, Source: rw.source}, w.now)
		if err != nil {
			return nil, err
		}
		d.id, d.res.New, d.file = id, true, rw.file
		d.res.Facts = workflow.DocFacts{Symbol: doc.Symbol, Kind: doc.Kind, Adopted: doc.Adopted, NextReport: doc.NextReport.Due,
			Imported: civil.DateOf(time.Unix(w.now, 0).In(rw.loc))}
	default:
		return nil, err
	}
	rw.docs[doc.Symbol] = d
	rw.order = append(rw.order, d)
	return d, nil
}

// storedRec is a stored recommendation as a row of an export merges into
// it.
type storedRec struct {
	id                                    int64
	rec                                   workflow.Recommendation
	states, themes, persons, sdgs, status string
	annotation                            string
}

const storedRecColumns = `id, rec_id, paragraph, item, section, subsection, text, recommending_states, themes, affected_persons, sdgs,
	status, annotation_id`

func scanStored(s scanner) (storedRec, error) {
	var r storedRec
	err := s.Scan(&r.id, &r.rec.ID, &r.rec.Paragraph, &r.rec.Item, &r.rec.Section, &r.rec.Subsection, &r.rec.Text,
		&r.states, &r.themes, &r.persons, &r.sdgs, &r.status, &r.annotation)
	return r, err
}

// Recommendation writes one recommendation row of doc: a new one (with
// its task), or the export's tags, position and annotation id added to
// the stored recommendations it matches: the same id, else (in a document
// stored before) the items of its paragraph, or the paragraph of its item.
// A row the export repeats (the UHRI annotated a paragraph twice) adds
// its tags to the first's: again says it does, for a row whose id came
// before since SetSource.
func (rw *RowWriter) Recommendation(ctx context.Context, doc *workflow.Document, rec workflow.Recommendation, again bool) error {
	if err := ctx.Err(); err != nil {
		return err // the statements do not watch ctx (preparedTx)
	}
	d, err := rw.document(ctx, doc)
	if err != nil {
		return fmt.Errorf("%s: %w", doc.Symbol, err)
	}
	w := rw.w
	var matches []storedRec
	if !d.res.New || again || d.file != rw.file {
		// A document this export made has only the rows it wrote: none
		// with this id unless the export repeats it, and that the
		// reader says (another export may have any of them).
		matches, err = rw.stored(ctx, d, rec)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", rec.ID, err)
	}
	if len(matches) == 0 {
		seq := d.nextSeq
		if d.res.New {
			seq = docOrder(rec.Paragraph, rec.Item)
		} else {
			d.nextSeq++
		}
		if err := w.add(ctx, d.id, doc.Symbol, seq, rec); err != nil {
			return fmt.Errorf("%s: %w", rec.ID, err)
		}
		d.res.Added++
		return nil
	}
	for _, m := range matches {
		changed, err := rw.merge(ctx, doc.Symbol, m, rec)
		if err != nil {
			return fmt.Errorf("%s: %w", m.rec.ID, err)
		}
		if m.rec.ID != rec.ID {
			d.res.Items++
		}
		if changed {
			d.res.Merged++
		} else {
			d.res.Unchanged++
		}
	}
	return nil
}

// stored finds the stored recommendations a row matches.
func (rw *RowWriter) stored(ctx context.Context, d *streamDoc, rec workflow.Recommendation) ([]storedRec, error) {
	ex := rw.w.ex
	m, err := scanStored(ex.QueryRowContext(ctx, `SELECT `+storedRecColumns+` FROM recommendations WHERE rec_id = ?`, rec.ID))
	switch {
	case err == nil:
		return []storedRec{m}, nil
	case !isNoRows(err):
		return nil, err
	case d.res.New:
		return nil, nil // the export's own document: every id is as the export gives it
	}
	upr := rec.Item != "" && rec.Item[0] >= '0' && rec.Item[0] <= '9'
	switch {
	case upr:
		// A UPR recommendation is its number: no other matches it.
		return nil, nil
	case rec.Item != "":
		// One item the UHRI annotates alone, of a paragraph the
		// document's own import kept whole.
		m, err := scanStored(ex.QueryRowContext(ctx, `SELECT `+storedRecColumns+` FROM recommendations WHERE rec_id = ?`,
			workflow.RecID(d.res.Symbol, rec.Paragraph, "")))
		if isNoRows(err) {
			return nil, nil
		}
		return []storedRec{m}, err
	}
	// The paragraph whole, which the document's own import split into
	// items.
	rows, err := ex.QueryContext(ctx, `SELECT `+storedRecColumns+` FROM recommendations WHERE document_id = ? AND paragraph = ? ORDER BY seq`,
		d.id, rec.Paragraph)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storedRec
	for rows.Next() {
		m, err := scanStored(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// merge adds what a row gives to a stored recommendation: its tags and
// recommending States (to those it has), its UPR position (when the
// stored one is pending), its annotation id (when it has none). Each
// change is kept in the recommendation's history; new tags may give the
// task another owner, unless an admin chose it by hand.
func (rw *RowWriter) merge(ctx context.Context, symbol string, m storedRec, rec workflow.Recommendation) (bool, error) {
	w := rw.w
	var have workflow.Recommendation
	if err := decodeTags(&have, m.states, m.themes, m.persons, m.sdgs); err != nil {
		return false, err
	}
	want := have
	want.RecommendingStates = workflow.MergeTags(have.RecommendingStates, rec.RecommendingStates)
	want.Themes = workflow.MergeTags(have.Themes, rec.Themes)
	want.AffectedPersons = workflow.MergeTags(have.AffectedPersons, rec.AffectedPersons)
	want.SDGs = workflow.MergeTags(have.SDGs, rec.SDGs)
	oldV := []string{m.states, m.themes, m.persons, m.sdgs}
	newV := []string{jsonList(want.RecommendingStates), jsonList(want.Themes), jsonList(want.AffectedPersons), jsonList(want.SDGs)}
	changed, tagsChanged := false, false
	for i, f := range []string{"recommending_states", "themes", "affected_persons", "sdgs"} {
		if oldV[i] == newV[i] || oldV[i] == "" && newV[i] == "[]" {
			newV[i] = oldV[i]
			continue
		}
		changed = true
		tagsChanged = tagsChanged || i > 0
		if err := recordChange(ctx, w.ex, m.id, w.now, symbol, f, oldV[i], newV[i]); err != nil {
			return false, err
		}
	}
	status := m.status
	if (rec.Status == workflow.StatusSupported || rec.Status == workflow.StatusNoted) && (m.status == "" || m.status == workflow.StatusPending) &&
		strings.Contains(m.rec.ID, ".") {
		status = rec.Status
		changed = true
		if err := recordChange(ctx, w.ex, m.id, w.now, symbol, "status", m.status, status); err != nil {
			return false, err
		}
	}
	annotation := m.annotation
	if annotation == "" {
		annotation = rec.AnnotationID
	}
	if !changed && annotation == m.annotation {
		return false, nil
	}
	if _, err := w.ex.ExecContext(ctx, `UPDATE recommendations SET recommending_states = ?, themes = ?, affected_persons = ?, sdgs = ?,
		status = ?, annotation_id = ? WHERE id = ?`, newV[0], newV[1], newV[2], newV[3], status, annotation, m.id); err != nil {
		return false, err
	}
	if !tagsChanged {
		return changed, nil
	}
	if err := w.tags.setTags(ctx, w.ex, m.id, workflow.TagsOf(want), false, false); err != nil {
		return false, err
	}
	if w.plan != nil {
		r := m.rec
		r.Themes, r.AffectedPersons, r.SDGs, r.RecommendingStates, r.Status = want.Themes, want.AffectedPersons, want.SDGs, want.RecommendingStates, status
		if err := replan(ctx, w.tx, m.id, w.planned(symbol, r), w.now); err != nil {
			return false, err
		}
	}
	return true, nil
}

// Concern gives the recommendations of paragraph of document symbol the
// concern paragraph they answer, unless they have one already (the
// document's own import found it) or it is their own paragraph. It
// returns how many it gave it to.
func (rw *RowWriter) Concern(ctx context.Context, symbol string, concern, paragraph int) (int, error) {
	d, ok := rw.docs[symbol]
	if !ok || concern == paragraph {
		return 0, nil
	}
	res, err := rw.w.ex.ExecContext(ctx, `UPDATE recommendations SET concern = ? WHERE document_id = ? AND paragraph = ? AND concern IS NULL`,
		concern, d.id, paragraph)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", symbol, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// docOrder is a recommendation's place in a document the export made:
// paragraph, then item ("" before "a", UPR numbers in number order). The
// rows of an export come in any order; the lists show a document in its
// own.
func docOrder(paragraph int, item string) int {
	n := 0
	switch {
	case item == "":
	case item[0] >= '0' && item[0] <= '9':
		n, _ = strconv.Atoi(item)
	default:
		for _, c := range item {
			n = n*26 + int(c-'a') + 1
		}
	}
	return paragraph*1000 + min(n, 999)
}

func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

// Documents says what the rows written so far did to each document.
func (rw *RowWriter) Documents() []DocRows {
	out := make([]DocRows, len(rw.order))
	for i, d := range rw.order {
		out[i] = *d.res
	}
	return out
}
