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
