package store

import (
	"context"
	"slices"
	"testing"

	"github.com/followup-app/followup/report/source"
	"github.com/followup-app/followup/workflow"
)

// A document's language and its recommendations' themes are stored, read
// back by the report queries, and a new version that changes the themes
// keeps the old ones in the history.
func TestLanguageAndThemes(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	doc := &workflow.Document{Symbol: "A/HRC/58/15", Body: "UPR", Kind: workflow.UPRReport, State: "Slovenia", Language: "fr",
		Recommendations: []workflow.Recommendation{
			{ID: "A/HRC/58/15:140.1", Paragraph: 140, Item: "1", Text: "Ratifier", Status: "supported", Themes: []string{"Droits de l’enfant", "Éducation"}},
			{ID: "A/HRC/58/15:140.2", Paragraph: 140, Item: "2", Text: "Adopter", Status: "noted"},
		}}
	if _, err := db.Import(ctx, []ImportItem{{Doc: doc, Source: "m.docx"}}, planAll("moe")); err != nil {
		t.Fatal(err)
	}
	docs, err := db.ReportDocuments(ctx, nil)
	if err != nil || len(docs) != 1 || docs[0].Language != "fr" || docs[0].Document.Language != "fr" {
		t.Fatalf("documents = %+v, %v; want language fr", docs, err)
	}
	var got [][]string
	if err := db.ReportItems(ctx, docs[0].ID, func(it source.Item) error { got = append(got, it.Themes); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !slices.Equal(got[0], []string{"Droits de l’enfant", "Éducation"}) || len(got[1]) != 0 {
		t.Fatalf("themes = %q", got)
	}

	doc.Recommendations[0].Themes = []string{"Éducation"}
	res, err := db.Import(ctx, []ImportItem{{Doc: doc, Source: "m.docx"}}, planAll("moe"))
	if err != nil || !slices.Equal(res[0].Changed, []string{"A/HRC/58/15:140.1"}) {
		t.Fatalf("re-import: %+v, %v", res, err)
	}
	d, err := db.Recommendation(ctx, "A/HRC/58/15:140.1")
	if err != nil || !slices.Equal(d.Rec.Themes, []string{"Éducation"}) || len(d.Changes) != 1 || d.Changes[0].Field != "themes" ||
		d.Changes[0].Old != `["Droits de l’enfant","Éducation"]` {
		t.Fatalf("after re-import: %+v %+v, %v", d.Rec, d.Changes, err)
	}
}

// Themes decide owners: when a new version brings themes, tasks the rules
// assigned follow the rules; a task an admin assigned by hand stays.
func TestThemesReassign(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	byTheme := func(symbol string, rec workflow.Recommendation) workflow.Assignment {
		if len(rec.Themes) > 0 && rec.Themes[0] == "Right to education" {
			return workflow.Assignment{Owner: "moe", By: "education rule", Stage: "assigned"}
		}
		return workflow.Assignment{By: workflow.Unassigned, Stage: "assigned"}
	}
	doc := func(themes []string) *workflow.Document {
		d := &workflow.Document{Symbol: "A/HRC/58/15", Body: "UPR", Kind: workflow.UPRReport, State: "Slovenia"}
		for _, item := range []string{"1", "2"} {
			d.Recommendations = append(d.Recommendations, workflow.Recommendation{ID: "A/HRC/58/15:140." + item, Paragraph: 140, Item: item,
				Text: "Build schools " + item, Status: "pending", Themes: themes})
		}
		return d
	}
	if _, err := db.Import(ctx, []ImportItem{{Doc: doc(nil), Source: "report.txt"}}, byTheme); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Assign(ctx, "A/HRC/58/15:140.2", "mof", nil, Actor{Name: "admin"}, "by hand"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Import(ctx, []ImportItem{{Doc: doc([]string{"Right to education"}), Source: "matrix.docx"}}, byTheme); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{"A/HRC/58/15:140.1": "moe", "A/HRC/58/15:140.2": "mof"} {
		tk, err := db.Task(ctx, id)
		if err != nil || tk.Owner != want || !slices.Equal(tk.Rec.Themes, []string{"Right to education"}) {
			t.Errorf("%s: owner %q themes %q (%v), want %q", id, tk.Owner, tk.Rec.Themes, err, want)
		}
	}
}
