package store

// Tags of recommendations (themes, affected persons, SDG targets): their
// rows in recommendation_tags, which the task lists filter through, the
// tag rules' share of them, and what the filters offer. The
// recommendation's own tag columns are written with its other fields
// (recommendations.go); each write of them calls setDocTags in the same
// transaction.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/followup-app/followup/workflow"
)

// Kinds of tag, as the tags table names them.
const (
	TagTheme  = "theme"
	TagPerson = "person"
	TagSDG    = "sdg"
)

// TagKinds are the kinds of tag, in the order lists show them.
var TagKinds = []string{TagTheme, TagPerson, TagSDG}

// Tagger gives the tags the config's tag rules give a recommendation
// (not those its document gives).
type Tagger func(symbol string, rec workflow.Recommendation) workflow.Tags

// tagsByKind lists a Tags' values with their kinds.
func tagsByKind(t workflow.Tags) [3][]string {
	return [3][]string{t.Themes, t.AffectedPersons, t.SDGs}
}

// tagCache remembers the ids of the tags a transaction wrote or read: an
// export of the whole index names a few hundred tags hundreds of
// thousands of times.
type tagCache map[string]int64

// tagID returns the id of a tag, adding it when new.
func (c tagCache) tagID(ctx context.Context, tx execer, kind, name string) (int64, error) {
	key := kind + "\x00" + strings.ToLower(name)
	if id, ok := c[key]; ok {
		return id, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO tags (kind, name) VALUES (?, ?)`, kind, name); err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM tags WHERE kind = ? AND name = ?`, kind, name).Scan(&id); err != nil {
		return 0, err
	}
	c[key] = id
	return id, nil
}

// setTags makes a recommendation's rows of one origin (its documents', or
// the rules' when byRule) say t.
func (c tagCache) setTags(ctx context.Context, tx execer, recID int64, t workflow.Tags, byRule bool, fresh bool) error {
	rule := 0
	if byRule {
		rule = 1
	}
	if !fresh {
		if _, err := tx.ExecContext(ctx, `DELETE FROM recommendation_tags WHERE recommendation_id = ? AND by_rule = ?`, recID, rule); err != nil {
			return err
		}
	}
	// A few statements for all of them: an export of the whole index
	// writes more than a million tag rows, and a statement's own cost is
	// about what a row's is.
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, tagRowsInsert(len(args)/3), args...)
		args = args[:0]
		return err
	}
	for k, names := range tagsByKind(t) {
		for _, n := range names {
			n = strings.TrimSpace(n)
			if n == "" {
				continue
			}
			id, err := c.tagID(ctx, tx, TagKinds[k], n)
			if err != nil {
				return err
			}
			args = append(args, id, recID, rule)
			if len(args) == 3*maxTagRows {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// maxTagRows bounds the rows of one insert of tag rows: 3 values each,
// well under the 999 values an SQLite before 3.32 allows a statement.
// A recommendation has a handful of tags; the bound is for the one an
// export gives hundreds.
const maxTagRows = 100

// tagRowsInsert is the statement inserting n tag rows.
func tagRowsInsert(n int) string {
	return `INSERT OR IGNORE INTO recommendation_tags (tag_id, recommendation_id, by_rule) VALUES ` +
		strings.TrimSuffix(strings.Repeat(`(?,?,?),`, n), ",")
}

// jsonList encodes a list of tags (or of recommending States) for the
// recommendation's columns: "[]" for none.
func jsonList(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v) // a list of strings always encodes
	return string(b)
}

// TagFilter selects recommendations by their tags; empty fields select
// everything. A theme or an affected person is a tag's whole name, in any
// case; an SDG goal ("16") selects its targets too ("16.3").
type TagFilter struct {
	Theme  string
	Person string
	SDG    string
}

// Empty reports whether the filter selects everything.
func (f TagFilter) Empty() bool { return f.Theme == "" && f.Person == "" && f.SDG == "" }

// sql is the filter's condition on the recommendation whose id is col
// (" AND …", "" for none). Each tag is an EXISTS on recommendation_tags'
// primary key (tag, recommendation): a list that walks the
// recommendations in document order looks each one up, and stops when
// its page is full.
func (f TagFilter) sql(col string) (string, []any) { return f.cond(col, false) }

// sqlFromTags is the filter's condition written for SQLite to start from
// the tags' rows (recommendation_tags' primary key, tag first): the
// recommendations a tag has, looked up by id, instead of every
// recommendation looked up in the tags. For a count, and for a page of a
// few matches: walking a million recommendations in document order to
// find the few hundred that have a rare theme took seconds.
func (f TagFilter) sqlFromTags(col string) (string, []any) { return f.cond(col, true) }

func (f TagFilter) cond(col string, fromTags bool) (string, []any) {
	var b strings.Builder
	var args []any
	one := func(kind, name string) {
		if fromTags {
			b.WriteString(` AND ` + col + ` IN (SELECT rt.recommendation_id FROM recommendation_tags rt WHERE`)
		} else {
			b.WriteString(` AND EXISTS (SELECT 1 FROM recommendation_tags rt WHERE rt.recommendation_id = ` + col + ` AND`)
		}
		b.WriteString(` rt.tag_id IN (SELECT g.id FROM tags g WHERE g.kind = ? AND `)
		if kind == TagSDG && !strings.Contains(name, ".") {
			b.WriteString(`(g.name = ? OR g.name LIKE ? ESCAPE '\')))`)
			args = append(args, kind, name, likeEscape(name)+".%")
			return
		}
		b.WriteString(`g.name = ?))`)
		args = append(args, kind, name)
	}
	if f.Theme != "" {
		one(TagTheme, f.Theme)
	}
	if f.Person != "" {
		one(TagPerson, f.Person)
	}
	if f.SDG != "" {
		one(TagSDG, f.SDG)
	}
	return b.String(), args
}

// TagFacets lists the tags in use, by kind, sorted by name: what the
// filters offer. A tag no recommendation has any more (a tag rule
// removed) is left out. document, when not 0, keeps the tags of that
// document's recommendations (the public page of one document).
func (db *DB) TagFacets(ctx context.Context, document int64) (map[string][]string, error) {
	q := `SELECT g.kind, g.name FROM tags g
		WHERE EXISTS (SELECT 1 FROM recommendation_tags rt WHERE rt.tag_id = g.id) ORDER BY g.kind, g.name COLLATE NOCASE`
	var args []any
	if document != 0 {
		// A document has a few hundred recommendations, read through
		// its own index range.
		q = `SELECT DISTINCT g.kind, g.name FROM recommendations r JOIN recommendation_tags rt ON rt.recommendation_id = r.id
			JOIN tags g ON g.id = rt.tag_id WHERE r.document_id = ? ORDER BY g.kind, g.name COLLATE NOCASE`
		args = append(args, document)
	}
	db.traced(q, args)
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var kind, name string
		if err := rows.Scan(&kind, &name); err != nil {
			return nil, fmt.Errorf("list tags: %w", err)
		}
		out[kind] = append(out[kind], name)
	}
	return out, rows.Err()
}

// TagCount is a tag with the number of recommendations that have it.
type TagCount struct {
	Kind, Name      string
	Recommendations int
	// ByRule counts those that have it from the config's tag rules only.
	ByRule int
}

// TagCounts lists the tags in use with their counts, by kind then name.
// It reads every tag row: for the command line, not for a page.
func (db *DB) TagCounts(ctx context.Context) ([]TagCount, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT g.kind, g.name, COUNT(DISTINCT rt.recommendation_id),
		COUNT(DISTINCT rt.recommendation_id) - COUNT(DISTINCT CASE WHEN rt.by_rule = 0 THEN rt.recommendation_id END)
		FROM tags g JOIN recommendation_tags rt ON rt.tag_id = g.id GROUP BY g.id
		ORDER BY CASE g.kind WHEN 'theme' THEN 0 WHEN 'person' THEN 1 ELSE 2 END, g.name COLLATE NOCASE`)
	if err != nil {
		return nil, fmt.Errorf("count tags: %w", err)
	}
	defer rows.Close()
	var out []TagCount
	for rows.Next() {
		var c TagCount
		if err := rows.Scan(&c.Kind, &c.Name, &c.Recommendations, &c.ByRule); err != nil {
			return nil, fmt.Errorf("count tags: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// TagsOf reads the tags of recommendations (their documents' and the
// rules'), by the recommendation's (and its task's) id: the task lists
// and the CSV export show them beside each task, a page at a time.
func (db *DB) TagsOf(ctx context.Context, ids []int64) (map[int64]workflow.Tags, error) {
	out := map[int64]workflow.Tags{}
	for len(ids) > 0 {
		n := min(len(ids), 500) // under SQLite's limit of bound values
		part := ids[:n]
		ids = ids[n:]
		var b strings.Builder
		for i, id := range part {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatInt(id, 10))
		}
		rows, err := db.db.QueryContext(ctx, `SELECT rt.recommendation_id, g.kind, g.name FROM recommendation_tags rt
			JOIN tags g ON g.id = rt.tag_id WHERE rt.recommendation_id IN (`+b.String()+`)
			ORDER BY rt.recommendation_id, rt.by_rule, g.id`)
		if err != nil {
			return nil, fmt.Errorf("read tags: %w", err)
		}
		for rows.Next() {
			var id int64
			var kind, name string
			if err := rows.Scan(&id, &kind, &name); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read tags: %w", err)
			}
			t := out[id]
			switch kind {
			case TagTheme:
				t.Themes = workflow.MergeTags(t.Themes, []string{name})
			case TagPerson:
				t.AffectedPersons = workflow.MergeTags(t.AffectedPersons, []string{name})
			case TagSDG:
				t.SDGs = workflow.MergeTags(t.SDGs, []string{name})
			}
			out[id] = t
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read tags: %w", err)
		}
	}
	return out, nil
}

// TagRulesApplied returns the id of the tag rules last applied (see
// ApplyTagRules); "" when none were.
func (db *DB) TagRulesApplied(ctx context.Context) (string, error) {
	var id string
	err := db.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'tag_rules'`).Scan(&id)
	if err != nil && !isNoRows(err) {
		return "", err
	}
	return id, nil
}

// ApplyTagRules gives every recommendation the tags the config's tag
// rules now give it, when the rules changed since they were last applied
// (rulesID is a hash of them). It returns how many recommendations have a
// tag from the rules. Imports tag what they add themselves (ImportTagged).
func (db *DB) ApplyTagRules(ctx context.Context, rulesID string, tag Tagger) (int, error) {
	tagged := 0
	err := db.tx(ctx, func(tx *txn) error {
		tagged = 0
		var last string
		if err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'tag_rules'`).Scan(&last); err != nil && !isNoRows(err) {
			return err
		}
		if last == rulesID {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM recommendation_tags WHERE by_rule = 1`); err != nil {
			return err
		}
		cache := tagCache{}
		// In batches by id: a million recommendations never sit in
		// memory, and no cursor stays open while the connection writes.
		for after := int64(0); tag != nil; {
			type row struct {
				id     int64
				symbol string
				rec    workflow.Recommendation
			}
			var batch []row
			rows, err := tx.QueryContext(ctx, `SELECT r.id, d.symbol, r.rec_id, r.paragraph, r.item, r.section, r.subsection, r.text
				FROM recommendations r JOIN documents d ON d.id = r.document_id WHERE r.id > ? ORDER BY r.id LIMIT 2000`, after)
			if err != nil {
				return err
			}
			for rows.Next() {
				var b row
				if err := rows.Scan(&b.id, &b.symbol, &b.rec.ID, &b.rec.Paragraph, &b.rec.Item, &b.rec.Section, &b.rec.Subsection, &b.rec.Text); err != nil {
					rows.Close()
					return err
				}
				batch = append(batch, b)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(batch) == 0 {
				break
			}
			after = batch[len(batch)-1].id
			for _, b := range batch {
				t := tag(b.symbol, b.rec)
				if t.Empty() {
					continue
				}
				tagged++
				if err := cache.setTags(ctx, tx, b.id, t, true, true); err != nil {
					return err
				}
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('tag_rules', ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, rulesID)
		return err
	})
	return tagged, err
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
