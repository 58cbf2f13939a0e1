package store

// Recommendations as imported, with the history of their fields.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/followup-app/followup/workflow"
)

// recFields are the recommendation fields a new version may change, in the
// order the history names them.
var recFields = []string{"paragraph", "item", "section", "subsection", "verb", "text", "lead", "concern", "recommending_states", "themes",
	"affected_persons", "sdgs"}

// The places of the tag fields in recFields and recValues.
const (
	fieldThemes = 9 + iota
	fieldPersons
	fieldSDGs
)

func recValues(r workflow.Recommendation) []string {
	concern := ""
	if r.Concern > 0 {
		concern = strconv.Itoa(r.Concern)
	}
	return []string{strconv.Itoa(r.Paragraph), r.Item, r.Section, r.Subsection, r.Verb, r.Text, r.Lead, concern,
		jsonList(r.RecommendingStates), jsonList(r.Themes), jsonList(r.AffectedPersons), jsonList(r.SDGs)}
}

// insertRecommendation adds a recommendation with its document's tags
// (values are recValues(rec)); the caller gives it the rules' tags.
func insertRecommendation(ctx context.Context, tx execer, tags tagCache, docID int64, seq int, rec workflow.Recommendation, values []string) (int64, error) {
	r, err := tx.ExecContext(ctx, `INSERT INTO recommendations (rec_id, document_id, seq, paragraph, item, section, subsection,
		verb, text, lead, concern, recommending_states, themes, affected_persons, sdgs, annotation_id, status)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		rec.ID, docID, seq, rec.Paragraph, rec.Item, rec.Section, rec.Subsection, rec.Verb, rec.Text, rec.Lead,
		nullInt(values[7]), values[8], values[fieldThemes], values[fieldPersons], values[fieldSDGs], rec.AnnotationID, rec.Status)
	if err != nil {
		return 0, err
	}
	id, err := r.LastInsertId()
	if err != nil {
		return 0, err
	}
	return id, tags.setTags(ctx, tx, id, workflow.TagsOf(rec), false, true)
}

func recordChange(ctx context.Context, tx execer, recID, at int64, source, field, oldV, newV string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO recommendation_changes (recommendation_id, at, source, field, old_value, new_value)
		VALUES (?,?,?,?,?,?)`, recID, at, source, field, oldV, newV)
	return err
}

func nullInt(s string) any {
	if s == "" {
		return nil
	}
	n, _ := strconv.Atoi(s)
	return n
}

// RecFilter selects recommendations.
type RecFilter struct {
	Document string // symbol; "" for all
	Section  string // case-insensitive substring of the section or subsection
	Tags     TagFilter
}

// Recommendations calls fn for each recommendation matching f, in document
// order. It streams: a million rows never sit in memory at once.
func (db *DB) Recommendations(ctx context.Context, f RecFilter, fn func(symbol string, r workflow.Recommendation) error) error {
	q := `SELECT d.symbol, r.rec_id, r.paragraph, r.item, r.section, r.subsection, r.verb, r.text, r.lead,
		COALESCE(r.concern, 0), r.status, r.recommending_states, r.themes, r.affected_persons, r.sdgs, r.annotation_id
		FROM recommendations r JOIN documents d ON d.id = r.document_id WHERE 1=1`
	var args []any
	if f.Document != "" {
		q += ` AND d.symbol = ?`
		args = append(args, f.Document)
	}
	if f.Section != "" {
		q += ` AND (instr(lower(r.section), lower(?)) > 0 OR instr(lower(r.subsection), lower(?)) > 0)`
		args = append(args, f.Section, f.Section)
	}
	tq, targs := f.Tags.sql("r.id")
	q += tq
	args = append(args, targs...)
	q += ` ORDER BY d.id, r.seq`
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var symbol, states, themes, persons, sdgs string
		var r workflow.Recommendation
		if err := rows.Scan(&symbol, &r.ID, &r.Paragraph, &r.Item, &r.Section, &r.Subsection, &r.Verb, &r.Text, &r.Lead,
			&r.Concern, &r.Status, &states, &themes, &persons, &sdgs, &r.AnnotationID); err != nil {
			return err
		}
		if err := decodeTags(&r, states, themes, persons, sdgs); err != nil {
			return err
		}
		if err := fn(symbol, r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Change is one entry of a recommendation's history.
type Change struct {
	At       time.Time
	Source   string
	Field    string
	Old, New string
}

// RecommendationDetail is one recommendation with its document and history.
type RecommendationDetail struct {
	Document string
	Rec      workflow.Recommendation
	Changes  []Change
}

// Recommendation returns one recommendation by its id.
func (db *DB) Recommendation(ctx context.Context, recID string) (RecommendationDetail, error) {
	var out RecommendationDetail
	var states, themes, persons, sdgs string
	var id int64
	r := &out.Rec
	err := db.db.QueryRowContext(ctx, `SELECT r.id, d.symbol, r.rec_id, r.paragraph, r.item, r.section, r.subsection, r.verb,
		r.text, r.lead, COALESCE(r.concern, 0), r.status, r.recommending_states, r.themes, r.affected_persons, r.sdgs, r.annotation_id
		FROM recommendations r JOIN documents d ON d.id = r.document_id WHERE r.rec_id = ?`, recID).
		Scan(&id, &out.Document, &r.ID, &r.Paragraph, &r.Item, &r.Section, &r.Subsection, &r.Verb, &r.Text, &r.Lead,
			&r.Concern, &r.Status, &states, &themes, &persons, &sdgs, &r.AnnotationID)
	if errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("recommendation %s: %w", recID, ErrNotFound)
	}
	if err != nil {
		return out, err
	}
	if err := decodeTags(r, states, themes, persons, sdgs); err != nil {
		return out, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT at, source, field, old_value, new_value FROM recommendation_changes
		WHERE recommendation_id = ? ORDER BY id`, id)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var c Change
		var at int64
		if err := rows.Scan(&at, &c.Source, &c.Field, &c.Old, &c.New); err != nil {
			return out, err
		}
		c.At = time.Unix(at, 0).UTC()
		out.Changes = append(out.Changes, c)
	}
	return out, rows.Err()
}

// Section is a heading recommendations come under, with the subsections
// under it, in the order the documents give them.
type Section struct {
	Name        string
	Subsections []string
}

// Sections lists the sections of the document symbol, or of every
// document for "", each once, with its subsections, in the order they
// first come (the documents in the order they were imported). Every
// document's reads every recommendation (2 s at a million): a caller that
// shows it on each request keeps it while RecommendationsMark stays.
func (db *DB) Sections(ctx context.Context, symbol string) ([]Section, error) {
	q := `SELECT r.section, r.subsection FROM recommendations r
		WHERE r.document_id = (SELECT id FROM documents WHERE symbol = ?) ORDER BY r.seq`
	args := []any{symbol}
	if symbol == "" {
		// Each pair once, by its first recommendation: documents and
		// their recommendations are numbered in the order they come.
		q, args = `SELECT section, subsection, MIN(id) AS first FROM recommendations
			GROUP BY section, subsection ORDER BY first`, nil
	}
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list sections: %w", err)
	}
	defer rows.Close()
	var out []Section
	at := map[string]int{}       // section -> index in out
	seen := map[[2]string]bool{} // section, subsection
	for rows.Next() {
		var sec, subsec string
		var first int64
		dest := []any{&sec, &subsec}
		if symbol == "" {
			dest = append(dest, &first)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("list sections: %w", err)
		}
		if sec == "" && subsec == "" {
			continue
		}
		i, ok := at[sec]
		if !ok {
			i = len(out)
			at[sec] = i
			out = append(out, Section{Name: sec})
		}
		if subsec != "" && !seen[[2]string{sec, subsec}] {
			seen[[2]string{sec, subsec}] = true
			out[i].Subsections = append(out[i].Subsections, subsec)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sections: %w", err)
	}
	return out, nil
}

// RecommendationsMark changes whenever an import adds a recommendation or
// changes one (its text, status, section…): what is worked out from the
// recommendations alone (Sections) holds while it stays. Both halves read
// one end of an index.
func (db *DB) RecommendationsMark(ctx context.Context) ([2]int64, error) {
	var m [2]int64
	err := db.db.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(id), 0) FROM recommendations),
		(SELECT COALESCE(MAX(id), 0) FROM recommendation_changes)`).Scan(&m[0], &m[1])
	if err != nil {
		return m, fmt.Errorf("read the recommendations' mark: %w", err)
	}
	return m, nil
}

// decodeTags reads a recommendation's recommending States and tags (JSON
// lists).
func decodeTags(r *workflow.Recommendation, states, themes, persons, sdgs string) error {
	var err error
	if r.RecommendingStates, err = decodeStates(states); err != nil {
		return fmt.Errorf("recommendation %s: %w", r.ID, err)
	}
	if r.Themes, err = decodeStates(themes); err != nil {
		return fmt.Errorf("recommendation %s themes: %w", r.ID, err)
	}
	if r.AffectedPersons, err = decodeStates(persons); err != nil {
		return fmt.Errorf("recommendation %s affected persons: %w", r.ID, err)
	}
	if r.SDGs, err = decodeStates(sdgs); err != nil {
		return fmt.Errorf("recommendation %s SDGs: %w", r.ID, err)
	}
	return nil
}
