package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/workflow"
)

// uhriRows writes rows as ImportStream's fn, the way the importer hands
// over a scanned export: each with the document it names.
func uhriRows(docs map[string]*workflow.Document, rows ...workflow.Recommendation) func(*RowWriter) error {
	return func(w *RowWriter) error {
		w.SetSource("export.xlsx")
		ctx := context.Background()
		seen := map[string]bool{}
		for _, r := range rows {
			sym, _, _ := workflow.SplitRecID(r.ID)
			if err := w.Recommendation(ctx, docs[sym], r, seen[r.ID]); err != nil {
				return err
			}
			seen[r.ID] = true
		}
		return nil
	}
}

// exportDocs are the documents of the export's rows, as the reader gives
// them.
func exportDocs() map[string]*workflow.Document {
	return map[string]*workflow.Document{
		"CRC/C/XYZ/CO/1":    {Symbol: "CRC/C/XYZ/CO/1", Body: "CRC", Kind: workflow.ConcludingObservations, State: "Mongolia", Adopted: civil.D(2026, 6, 9)},
		"A/HRC/58/15":       {Symbol: "A/HRC/58/15", Body: "UPR", Kind: workflow.UPRReport, State: "Slovenia"},
		"A/HRC/55/60/Add.2": {Symbol: "A/HRC/55/60/Add.2", Body: "SR on the right to food", Kind: workflow.SpecialProcedures, State: "Mongolia", Adopted: civil.D(2025, 3, 10)},
	}
}

// An export's rows add their tags to the documents imported before (a
// paragraph whole to each of its items, an item to its paragraph, a UPR
// recommendation its position), never a second task; a paragraph the
// document's own import did not have, and a document not stored, become
// recommendations with tasks. A second import of the same rows changes
// nothing.
func TestImportStreamMergesIntoStoredDocuments(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if _, err := db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "co.txt"}, {Doc: tagDoc(nil, nil, nil), Source: "report.txt"}}, planAll("moj")); err != nil {
		t.Fatal(err)
	}
	tasks, events := count(t, db, "tasks"), count(t, db, "task_events")
	docs := exportDocs()
	rows := []workflow.Recommendation{
		// Paragraph 14 whole: its items 14a and 14b.
		{ID: "CRC/C/XYZ/CO/1:14", Paragraph: 14, Text: "The Committee urges…", Themes: []string{"Administration of justice"},
			AffectedPersons: []string{"Children"}, SDGs: []string{"16.3"}, AnnotationID: "ann-14"},
		// Paragraph 8 exactly, and again (the UHRI annotated it twice).
		{ID: "CRC/C/XYZ/CO/1:8", Paragraph: 8, Text: "Collect data.", Themes: []string{"Statistics"}, AnnotationID: "ann-8"},
		{ID: "CRC/C/XYZ/CO/1:8", Paragraph: 8, Text: "Collect data.", SDGs: []string{"17.18"}, AnnotationID: "ann-8b"},
		// An item annotated alone, of paragraph 8, which the document
		// kept whole.
		{ID: "CRC/C/XYZ/CO/1:8a", Paragraph: 8, Item: "a", Text: "Collect data on children.", Themes: []string{"Children's rights"}},
		// A paragraph the document's own import did not have.
		{ID: "CRC/C/XYZ/CO/1:20", Paragraph: 20, Subsection: "Birth registration", Text: "Register every birth.", Themes: []string{"Birth registration"}},
		// A UPR recommendation: its position and recommending States.
		{ID: "A/HRC/58/15:140.1", Paragraph: 140, Item: "1", Text: "Build schools for children 1", Status: "noted",
			RecommendingStates: []string{"Chile"}, Themes: []string{"Right to education"}},
		// A special procedure's document, not stored.
		{ID: "A/HRC/55/60/Add.2:87", Paragraph: 87, Text: "End the detention of children.", Themes: []string{"Migrants"}, AnnotationID: "ann-87"},
		{ID: "A/HRC/55/60/Add.2:12", Paragraph: 12, Item: "", Text: "Adopt a right to food law."},
		// Its paragraph 87 annotated twice: one recommendation.
		{ID: "A/HRC/55/60/Add.2:87", Paragraph: 87, Text: "End the detention of children.", AffectedPersons: []string{"Children"}},
	}
	_, got, err := db.ImportStream(ctx, nil, planAll("moj"), byKeyword, uhriRows(docs, rows...))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, d := range got {
		lines = append(lines, fmt.Sprintf("%s new=%v added=%d merged=%d unchanged=%d items=%d", d.Symbol, d.New, d.Added, d.Merged, d.Unchanged, d.Items))
	}
	want := []string{
		"CRC/C/XYZ/CO/1 new=false added=1 merged=5 unchanged=0 items=3",
		"A/HRC/58/15 new=false added=0 merged=1 unchanged=0 items=0",
		"A/HRC/55/60/Add.2 new=true added=2 merged=1 unchanged=0 items=0",
	}
	if !slices.Equal(lines, want) {
		t.Fatalf("results:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if n := count(t, db, "tasks"); n != tasks+3 {
		t.Errorf("%d tasks, want %d (one for paragraph 20, two for the special procedure)", n, tasks+3)
	}
	for id, want := range map[string]string{
		"CRC/C/XYZ/CO/1:14a":   "[Administration of justice] [Children] [16.3] ann-14",
		"CRC/C/XYZ/CO/1:14b":   "[Administration of justice] [Children] [16.3] ann-14",
		"CRC/C/XYZ/CO/1:8":     "[Statistics Children's rights] [] [17.18] ann-8",
		"CRC/C/XYZ/CO/1:20":    "[Birth registration] [] [] ",
		"A/HRC/58/15:140.1":    "[Right to education] [] [] ",
		"A/HRC/55/60/Add.2:87": "[Migrants] [Children] [] ann-87",
	} {
		d, err := db.Recommendation(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		r := d.Rec
		if got := fmt.Sprintf("%v %v %v %s", r.Themes, r.AffectedPersons, r.SDGs, r.AnnotationID); strings.ReplaceAll(got, "[]", "[]") != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
	// The merged ones keep their text and their one task, with the
	// export's additions in their history.
	d, _ := db.Recommendation(ctx, "CRC/C/XYZ/CO/1:14a")
	if d.Rec.Text != "Train border police." || d.Rec.Concern != 13 || len(d.Changes) != 3 {
		t.Errorf("14a = %+v, history %+v", d.Rec, d.Changes)
	}
	upr, _ := db.Recommendation(ctx, "A/HRC/58/15:140.1")
	if upr.Rec.Status != "noted" || !slices.Equal(upr.Rec.RecommendingStates, []string{"Chile"}) {
		t.Errorf("140.1 = %+v", upr.Rec)
	}
	// The documents imported before keep their own fields.
	docsNow, err := db.Documents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docsNow {
		switch d.Symbol {
		case "CRC/C/XYZ/CO/1":
			if d.Title != "Concluding observations" || d.Source != "co.txt" || d.Adopted != civil.D(2026, 6, 5) {
				t.Errorf("the stored document changed: %+v", d)
			}
		case "A/HRC/55/60/Add.2":
			if d.Kind != workflow.SpecialProcedures || d.Source != "export.xlsx" || d.Body != "SR on the right to food" || d.Recommendations != 2 {
				t.Errorf("the new document: %+v", d)
			}
		}
	}
	// The special procedure's recommendations in paragraph order, with
	// the tag rules' tags and their tasks.
	var order []string
	if err := db.Tasks(ctx, TaskFilter{Document: "A/HRC/55/60/Add.2"}, func(tk workflow.Task) error {
		order = append(order, tk.Rec.ID+" "+tk.Owner+" "+string(tk.Document.Kind))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, ", ") != "A/HRC/55/60/Add.2:12 moj special-procedures, A/HRC/55/60/Add.2:87 moj special-procedures" {
		t.Errorf("tasks = %v", order)
	}

	// Again: nothing changes.
	before := count(t, db, "recommendation_changes")
	_, again, err := db.ImportStream(ctx, nil, planAll("moj"), byKeyword, uhriRows(exportDocs(), rows...))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range again {
		if d.New || d.Added != 0 || d.Merged != 0 {
			t.Errorf("again: %+v", d)
		}
	}
	if n := count(t, db, "recommendation_changes"); n != before {
		t.Errorf("again: %d changes recorded", n-before)
	}
	if n := count(t, db, "task_events"); n != events+3 {
		t.Errorf("%d task events, want the 3 new tasks' only", n-events)
	}
}

// A concern gives its paragraph to the recommendations of the paragraph
// after it, unless they have one; rows, then an error: nothing is
// written.
func TestImportStreamConcernsAndAllOrNothing(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	docs := exportDocs()
	rec := workflow.Recommendation{ID: "A/HRC/55/60/Add.2:87", Paragraph: 87, Text: "End the detention of children."}
	_, _, err := db.ImportStream(ctx, nil, planAll("moj"), nil, func(w *RowWriter) error {
		if err := uhriRows(docs, rec)(w); err != nil {
			return err
		}
		for _, c := range []struct{ concern, para, want int }{{86, 87, 1}, {85, 87, 0}, {87, 87, 0}, {3, 4, 0}} {
			if n, err := w.Concern(ctx, "A/HRC/55/60/Add.2", c.concern, c.para); err != nil || n != c.want {
				t.Errorf("Concern(%d, %d) = %d, %v; want %d", c.concern, c.para, n, err, c.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := db.Recommendation(ctx, rec.ID); err != nil || d.Rec.Concern != 86 {
		t.Errorf("concern = %d, %v", d.Rec.Concern, err)
	}
	tables := []string{"documents", "recommendations", "tasks", "task_events", "recommendation_tags", "tags", "recommendation_changes"}
	counts := map[string]int{}
	for _, tb := range tables {
		counts[tb] = count(t, db, tb)
	}
	bad := errors.New("row 7 cannot be read")
	_, _, err = db.ImportStream(ctx, []ImportItem{{Doc: coDoc(), Source: "co.txt"}}, planAll("moj"), byKeyword, func(w *RowWriter) error {
		more := []workflow.Recommendation{rec, {ID: "CRC/C/XYZ/CO/1:14", Paragraph: 14, Themes: []string{"New theme"}},
			{ID: "A/HRC/58/15:140.1", Paragraph: 140, Item: "1", Text: "x", Themes: []string{"Other"}}}
		if err := uhriRows(docs, more...)(w); err != nil {
			return err
		}
		return bad
	})
	if !errors.Is(err, bad) {
		t.Fatalf("err = %v", err)
	}
	for _, tb := range tables {
		if n := count(t, db, tb); n != counts[tb] {
			t.Errorf("%s: %d rows, %d before the refused import", tb, n, counts[tb])
		}
	}
}

// The rows of a document the import makes are written without looking
// for stored ones, except a row its export repeats or a row of another
// export: those add their tags to the first (its columns and its tag
// rows), never a second recommendation or task.
func TestImportStreamRepeatsInNewDocument(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	docs := exportDocs()
	first := workflow.Recommendation{ID: "A/HRC/55/60/Add.2:87", Paragraph: 87, Text: "End the detention of children.", Themes: []string{"Migrants"}}
	again := first
	again.Themes, again.AffectedPersons = nil, []string{"Children"}
	other := first
	other.Themes, other.SDGs = nil, []string{"16.2"}
	_, got, err := db.ImportStream(ctx, nil, planAll("moj"), nil, func(w *RowWriter) error {
		if err := uhriRows(docs, first, again)(w); err != nil {
			return err
		}
		// A second export with the same paragraph, which its reader
		// sees for the first time.
		return uhriRows(docs, other)(w)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].New || got[0].Added != 1 || got[0].Merged != 2 {
		t.Errorf("results: %+v", got)
	}
	if n, tasks := count(t, db, "recommendations"), count(t, db, "tasks"); n != 1 || tasks != 1 {
		t.Errorf("%d recommendations and %d tasks, want one of each", n, tasks)
	}
	want := []string{"A/HRC/55/60/Add.2:87:person:Children", "A/HRC/55/60/Add.2:87:sdg:16.2", "A/HRC/55/60/Add.2:87:theme:Migrants"}
	if rows := tagRows(t, db); !slices.Equal(rows, want) {
		t.Errorf("tag rows %q, want %q", rows, want)
	}
	d, err := db.Recommendation(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := d.Rec; fmt.Sprint(r.Themes, r.AffectedPersons, r.SDGs) != "[Migrants] [Children] [16.2]" {
		t.Errorf("tags %v %v %v", r.Themes, r.AffectedPersons, r.SDGs)
	}
}

// A row with more tags than one statement inserts has every one of them
// stored, and its repeat adds to them.
func TestImportStreamManyTags(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	themes := make([]string, 2*maxTagRows+17)
	var want []string
	for i := range themes {
		themes[i] = fmt.Sprintf("Theme %03d", i)
		want = append(want, "A/HRC/55/60/Add.2:87:theme:"+themes[i])
	}
	rec := workflow.Recommendation{ID: "A/HRC/55/60/Add.2:87", Paragraph: 87, Text: "End the detention of children.", Themes: themes}
	again := rec
	again.Themes = []string{"Theme 999"}
	want = append(want, "A/HRC/55/60/Add.2:87:theme:Theme 999")
	if _, _, err := db.ImportStream(ctx, nil, planAll("moj"), nil, uhriRows(exportDocs(), rec, again)); err != nil {
		t.Fatal(err)
	}
	if rows := tagRows(t, db); !slices.Equal(rows, want) {
		t.Errorf("%d tag rows, want %d: %q", len(rows), len(want), rows)
	}
}

// The rows' statements do not watch the context (preparedTx): a context
// ended between rows still ends the import, and nothing is written.
func TestImportStreamCanceled(t *testing.T) {
	db, _ := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	docs := exportDocs()
	rows := []workflow.Recommendation{
		{ID: "A/HRC/55/60/Add.2:87", Paragraph: 87, Text: "End the detention of children.", Themes: []string{"Migrants"}},
		{ID: "A/HRC/55/60/Add.2:12", Paragraph: 12, Text: "Adopt a right to food law."},
	}
	_, _, err := db.ImportStream(ctx, []ImportItem{{Doc: coDoc(), Source: "co.txt"}}, planAll("moj"), nil, func(w *RowWriter) error {
		w.SetSource("export.xlsx")
		if err := w.Recommendation(ctx, docs["A/HRC/55/60/Add.2"], rows[0], false); err != nil {
			return err
		}
		cancel() // the admin's Ctrl-C, as the next row is read
		return w.Recommendation(ctx, docs["A/HRC/55/60/Add.2"], rows[1], false)
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	for _, tb := range []string{"documents", "recommendations", "tasks", "recommendation_tags"} {
		if n := count(t, db, tb); n != 0 {
			t.Errorf("%s: %d rows after a canceled import", tb, n)
		}
	}
}

func TestDocOrder(t *testing.T) {
	var got []int
	for _, c := range []struct {
		p    int
		item string
	}{{49, ""}, {49, "a"}, {49, "z"}, {49, "aa"}, {122, "2"}, {122, "17"}, {122, "300"}} {
		got = append(got, docOrder(c.p, c.item))
	}
	if !slices.IsSorted(got) || got[0] != 49000 || got[3] != 49027 || got[6] != 122300 {
		t.Errorf("docOrder = %v", got)
	}
}
