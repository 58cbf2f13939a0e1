package store

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/followup-app/followup/workflow"
)

// TestRowWriterDocuments: while the rows are written, Documents says what
// they did so far to each document, in the order the rows named them
// (followup import --strict reads it to refuse the import); what it says
// at the end is what ImportStream returns. A refusal then writes nothing.
func TestRowWriterDocuments(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if _, err := db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "co.txt"}}, planAll("moj")); err != nil {
		t.Fatal(err)
	}
	docs := exportDocs()
	rows := []workflow.Recommendation{
		{ID: "A/HRC/55/60/Add.2:87", Paragraph: 87, Text: "End the detention of children.", Themes: []string{"Migrants"}},
		{ID: "CRC/C/XYZ/CO/1:14", Paragraph: 14, Text: "The Committee urges…", Themes: []string{"Administration of justice"}},
		{ID: "A/HRC/55/60/Add.2:88", Paragraph: 88, Text: "Register every birth."},
	}
	var seen []DocRows
	_, got, err := db.ImportStream(ctx, nil, planAll("moj"), nil, func(w *RowWriter) error {
		if d := w.Documents(); len(d) != 0 {
			t.Errorf("before any row: %+v", d)
		}
		if err := uhriRows(docs, rows[:1]...)(w); err != nil {
			return err
		}
		if d := w.Documents(); len(d) != 1 || d[0].Symbol != "A/HRC/55/60/Add.2" || !d[0].New || d[0].Added != 1 || d[0].Source != "export.xlsx" {
			t.Errorf("after one row: %+v", d)
		}
		if err := uhriRows(docs, rows[1:]...)(w); err != nil {
			return err
		}
		seen = w.Documents()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0].Symbol != "A/HRC/55/60/Add.2" || seen[0].Added != 2 || seen[1].Symbol != "CRC/C/XYZ/CO/1" || seen[1].New ||
		seen[1].Merged != 2 || seen[1].Items != 2 {
		t.Errorf("at the end: %+v", seen)
	}
	if !reflect.DeepEqual(seen, got) {
		t.Errorf("Documents said\n%+v\nImportStream returned\n%+v", seen, got)
	}

	tables := []string{"documents", "recommendations", "tasks", "task_events", "recommendation_tags", "recommendation_changes"}
	before := map[string]int{}
	for _, tb := range tables {
		before[tb] = count(t, db, tb)
	}
	strict := errors.New("2 recommendations of a document not in the config")
	_, _, err = db.ImportStream(ctx, nil, planAll("moj"), nil, func(w *RowWriter) error {
		more := []workflow.Recommendation{{ID: "A/HRC/58/15:140.1", Paragraph: 140, Item: "1", Text: "x"}, {ID: "A/HRC/58/15:140.2", Paragraph: 140, Item: "2", Text: "y"}}
		if err := uhriRows(docs, more...)(w); err != nil {
			return err
		}
		if d := w.Documents(); len(d) != 1 || d[0].Added != 2 || d[0].State != "Slovenia" {
			t.Errorf("the refused rows: %+v", d)
		}
		return strict
	})
	if !errors.Is(err, strict) {
		t.Fatalf("refused: %v", err)
	}
	for _, tb := range tables {
		if n := count(t, db, tb); n != before[tb] {
			t.Errorf("%s: %d rows, %d before the refused import", tb, n, before[tb])
		}
	}
}
