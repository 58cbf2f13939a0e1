package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/workflow"
)

// undoTags undoes migration 0014 (tags), for the tests that open a
// database of an earlier schema: the migrations after theirs run again.
var undoTags = []string{`DROP TABLE recommendation_tags`, `DROP TABLE tags`, `ALTER TABLE recommendations DROP COLUMN affected_persons`,
	`ALTER TABLE recommendations DROP COLUMN sdgs`, `ALTER TABLE recommendations DROP COLUMN annotation_id`}

// tagRows reads recommendation_tags as "rec:kind:name" (with "+rule" for
// the rules' rows), sorted.
func tagRows(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := db.db.raw.Query(`SELECT r.rec_id, g.kind, g.name, rt.by_rule FROM recommendation_tags rt
		JOIN tags g ON g.id = rt.tag_id JOIN recommendations r ON r.id = rt.recommendation_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var rec, kind, name string
		var rule int
		if err := rows.Scan(&rec, &kind, &name, &rule); err != nil {
			t.Fatal(err)
		}
		s := rec + ":" + kind + ":" + name
		if rule == 1 {
			s += "+rule"
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func tagDoc(themes, persons, sdgs []string) *workflow.Document {
	d := &workflow.Document{Symbol: "A/HRC/58/15", Body: "UPR", Kind: workflow.UPRReport, State: "Slovenia"}
	for _, item := range []string{"1", "2"} {
		d.Recommendations = append(d.Recommendations, workflow.Recommendation{ID: "A/HRC/58/15:140." + item, Paragraph: 140, Item: item,
			Text: "Build schools for children " + item, Status: "pending"})
	}
	d.Recommendations[0].Themes, d.Recommendations[0].AffectedPersons, d.Recommendations[0].SDGs = themes, persons, sdgs
	return d
}

// byKeyword tags recommendations whose text says "schools".
func byKeyword(symbol string, rec workflow.Recommendation) workflow.Tags {
	if strings.Contains(rec.Text, "schools") {
		return workflow.Tags{Themes: []string{"Right to education"}, SDGs: []string{"4.1"}}
	}
	return workflow.Tags{}
}

// Every write of a recommendation's tags writes its rows: an import, a
// new version with other tags, a version without tags (a document's own
// text, which keeps those a matrix gave), and the tag rules.
func TestTagRowsFollowEveryWrite(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if _, err := db.ImportTagged(ctx, []ImportItem{{Doc: tagDoc([]string{"Women's rights", "women's RIGHTS"}, []string{"Girls"}, []string{"5.1"}), Source: "m.docx"}},
		planAll("moe"), byKeyword); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"A/HRC/58/15:140.1:person:Girls", "A/HRC/58/15:140.1:sdg:4.1+rule", "A/HRC/58/15:140.1:sdg:5.1",
		"A/HRC/58/15:140.1:theme:Right to education+rule", "A/HRC/58/15:140.1:theme:Women's rights",
		"A/HRC/58/15:140.2:sdg:4.1+rule", "A/HRC/58/15:140.2:theme:Right to education+rule",
	}
	if got := tagRows(t, db); !slices.Equal(got, want) {
		t.Fatalf("after the import:\n got %q\nwant %q", got, want)
	}
	// The document's own text has no tags: they stay.
	if res, err := db.ImportTagged(ctx, []ImportItem{{Doc: tagDoc(nil, nil, nil), Source: "report.txt"}}, planAll("moe"), byKeyword); err != nil || !res[0].Unchanged() {
		t.Fatalf("re-import without tags: %+v, %v", res, err)
	}
	if got := tagRows(t, db); !slices.Equal(got, want) {
		t.Fatalf("after the text without tags:\n got %q\nwant %q", got, want)
	}
	// Other affected persons: replaced, the themes and SDGs kept; the
	// history has the old persons.
	if _, err := db.ImportTagged(ctx, []ImportItem{{Doc: tagDoc(nil, []string{"Women"}, nil), Source: "uhri.xlsx"}}, planAll("moe"), byKeyword); err != nil {
		t.Fatal(err)
	}
	d, err := db.Recommendation(ctx, "A/HRC/58/15:140.1")
	if err != nil || !slices.Equal(d.Rec.AffectedPersons, []string{"Women"}) || !slices.Equal(d.Rec.SDGs, []string{"5.1"}) ||
		len(d.Changes) != 1 || d.Changes[0].Field != "affected_persons" || d.Changes[0].Old != `["Girls"]` {
		t.Fatalf("after other persons: %+v %+v, %v", d.Rec, d.Changes, err)
	}
	if got := tagRows(t, db); !slices.Contains(got, "A/HRC/58/15:140.1:person:Women") || slices.Contains(got, "A/HRC/58/15:140.1:person:Girls") {
		t.Fatalf("after other persons: %q", got)
	}
	tags, err := db.TagsOf(ctx, []int64{mustTask(t, db, "A/HRC/58/15:140.1"), mustTask(t, db, "A/HRC/58/15:140.2"), 999})
	if err != nil {
		t.Fatal(err)
	}
	if one := tags[mustTask(t, db, "A/HRC/58/15:140.1")]; !slices.Equal(one.Themes, []string{"Women's rights", "Right to education"}) ||
		!slices.Equal(one.SDGs, []string{"5.1", "4.1"}) || !slices.Equal(one.AffectedPersons, []string{"Women"}) {
		t.Errorf("TagsOf = %+v", one)
	}

	// The rules change: their rows follow, once.
	other := func(string, workflow.Recommendation) workflow.Tags {
		return workflow.Tags{AffectedPersons: []string{"Children"}}
	}
	for i, wantN := range []int{2, 0} {
		n, err := db.ApplyTagRules(ctx, "rules-2", other)
		if err != nil || n != wantN {
			t.Fatalf("ApplyTagRules #%d = %d, %v; want %d", i+1, n, err, wantN)
		}
	}
	got := tagRows(t, db)
	for _, r := range got {
		if strings.HasSuffix(r, "+rule") && !strings.Contains(r, ":person:Children") {
			t.Errorf("an old rule's tag is left: %s", r)
		}
	}
	if !slices.Contains(got, "A/HRC/58/15:140.2:person:Children+rule") {
		t.Errorf("the new rule's tag is missing: %q", got)
	}
	if id, err := db.TagRulesApplied(ctx); err != nil || id != "rules-2" {
		t.Errorf("TagRulesApplied = %q, %v", id, err)
	}
	facets, err := db.TagFacets(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The old rules' theme and SDG have no recommendation left.
	if !slices.Equal(facets[TagTheme], []string{"Women's rights"}) || !slices.Equal(facets[TagPerson], []string{"Children", "Women"}) ||
		!slices.Equal(facets[TagSDG], []string{"5.1"}) {
		t.Errorf("facets = %v", facets)
	}
	counts, err := db.TagCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var cs []string
	for _, c := range counts {
		cs = append(cs, fmt.Sprintf("%s:%s:%d:%d", c.Kind, c.Name, c.Recommendations, c.ByRule))
	}
	if strings.Join(cs, " ") != "theme:Women's rights:1:0 person:Children:2:2 person:Women:1:0 sdg:5.1:1:0" {
		t.Errorf("counts = %v", cs)
	}
}

// The tag filters of every list: a theme or person by its whole name in
// any case, an SDG goal with its targets; the others filters still apply.
func TestTagFilters(t *testing.T) {
	db := dashDB(t)
	ctx := context.Background()
	doc := bigDoc("CRC/C/T/CO/1", 6)
	doc.Recommendations[0].Themes = []string{"Right to education"}
	doc.Recommendations[1].Themes = []string{"Right to health"}
	doc.Recommendations[1].SDGs = []string{"16.3"}
	doc.Recommendations[2].SDGs = []string{"16"}
	doc.Recommendations[3].SDGs = []string{"1.6"}
	doc.Recommendations[4].AffectedPersons = []string{"Children"}
	doc.Recommendations[4].Themes = []string{"Right to education"}
	if _, err := db.Import(ctx, []ImportItem{{Doc: doc, Source: "t.txt"}}, planAll("moj")); err != nil {
		t.Fatal(err)
	}
	ids := func(f TagFilter) string {
		t.Helper()
		page, err := db.TaskList(ctx, TaskQuery{Tags: f, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var list, tasks, recs []string
		for _, x := range page.Tasks {
			list = append(list, strings.TrimPrefix(x.RecID, "CRC/C/T/CO/1:"))
		}
		if page.Total != len(list) {
			t.Errorf("%+v: total %d, listed %d", f, page.Total, len(list))
		}
		if err := db.Tasks(ctx, TaskFilter{Tags: f}, func(x workflow.Task) error {
			tasks = append(tasks, strings.TrimPrefix(x.Rec.ID, "CRC/C/T/CO/1:"))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if err := db.Recommendations(ctx, RecFilter{Tags: f}, func(_ string, r workflow.Recommendation) error {
			recs = append(recs, strings.TrimPrefix(r.ID, "CRC/C/T/CO/1:"))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(list, tasks) || !slices.Equal(list, recs) {
			t.Errorf("%+v: the lists disagree: TaskList %v, Tasks %v, Recommendations %v", f, list, tasks, recs)
		}
		return strings.Join(list, " ")
	}
	for _, c := range []struct {
		f    TagFilter
		want string
	}{
		{TagFilter{Theme: "right to EDUCATION"}, "1 5"},
		{TagFilter{Theme: "education"}, ""}, // a whole name, not a part
		{TagFilter{SDG: "16"}, "2 3"},
		{TagFilter{SDG: "16.3"}, "2"},
		{TagFilter{SDG: "1"}, "4"}, // "1" covers "1.6", not "16"
		{TagFilter{SDG: "1.6"}, "4"},
		{TagFilter{Theme: "Right to education", Person: "children"}, "5"},
		{TagFilter{Person: "Women"}, ""},
		{TagFilter{Theme: "x%"}, ""},
	} {
		if got := ids(c.f); got != c.want {
			t.Errorf("%+v: %q, want %q", c.f, got, c.want)
		}
	}
	// With the other filters.
	page, err := db.TaskList(ctx, TaskQuery{Document: "CRC/C/A/CO/1", Tags: TagFilter{Theme: "Right to education"}})
	if err != nil || len(page.Tasks) != 0 {
		t.Errorf("another document: %+v, %v", page.Tasks, err)
	}
}

// A database of the previous schema gets the themes it holds as tag rows
// when it opens.
func TestTagsMigrationBackfills(t *testing.T) {
	db, c := openTest(t)
	ctx := context.Background()
	if _, err := db.Import(ctx, []ImportItem{{Doc: tagDoc([]string{"Right to education", " "}, nil, nil), Source: "m.docx"}}, planAll("moe")); err != nil {
		t.Fatal(err)
	}
	for _, q := range append(undoTags, `DELETE FROM schema_migrations WHERE version >= 14`) {
		if _, err := db.db.raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	path := db.Path()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, path, Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := tagRows(t, db); !slices.Equal(got, []string{"A/HRC/58/15:140.1:theme:Right to education"}) {
		t.Errorf("tag rows after the migration: %q", got)
	}
	d, err := db.Recommendation(ctx, "A/HRC/58/15:140.2")
	if err != nil || d.Rec.AffectedPersons != nil || d.Rec.SDGs != nil || d.Rec.AnnotationID != "" {
		t.Errorf("a recommendation without tags: %+v, %v", d.Rec, err)
	}
}

// The list's statement with a tag filter still walks the recommendations
// in document order and looks each up in the tag rows' primary key: no
// sort, no scan of the tag rows.
func TestTagFilterPlan(t *testing.T) {
	db := dashDB(t)
	for _, f := range []TagFilter{{Theme: "Right to education"}, {SDG: "16"}, {Theme: "x", Person: "y", SDG: "4.1"}} {
		where, args := TaskQuery{Owner: "moj", Tags: f}.where(false)
		text := queryPlan(t, db, `SELECT `+dashColumns+dashFrom+where+` AND (r.document_id, r.seq) > (?, ?) ORDER BY r.document_id, r.seq LIMIT 51`,
			append(args, 1, 1)...)
		if !strings.Contains(text, "recommendations_by_document") || strings.Contains(text, "TEMP B-TREE") ||
			strings.Contains(text, "SCAN rt") || !strings.Contains(text, "SEARCH rt") {
			t.Errorf("%+v: plan:\n%s", f, text)
		}
	}
}

func queryPlan(t *testing.T, db *DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.db.raw.Query(`EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "\n")
}
