package store

import (
	"context"
	"testing"
	"time"
)

// TestRecommendationsMark moves when an import adds or changes a
// recommendation, and stays when an import changes nothing or a task
// moves (what is worked out from the recommendations alone holds).
func TestRecommendationsMark(t *testing.T) {
	db, c := openTest(t)
	ctx := context.Background()
	mark := func() [2]int64 {
		t.Helper()
		m, err := db.RecommendationsMark(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m := mark(); m != [2]int64{} {
		t.Errorf("an empty database: %v", m)
	}
	if _, err := db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "co.txt"}}, planAll("moj")); err != nil {
		t.Fatal(err)
	}
	added := mark()
	if added[0] == 0 || added[1] != 0 {
		t.Errorf("after an import: %v", added)
	}
	if _, err := db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "again.txt"}}, planAll("moj")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Advance(ctx, "CRC/C/XYZ/CO/1:8", "acknowledged", Actor{Name: "Admin"}, "", nil); err != nil {
		t.Fatal(err)
	}
	if m := mark(); m != added {
		t.Errorf("an identical import and a stage move moved the mark: %v, was %v", m, added)
	}
	c.t = c.t.Add(time.Hour)
	v2 := coDoc()
	v2.Recommendations[0].Text = "Collect data on every child."
	if _, err := db.Import(ctx, []ImportItem{{Doc: v2, Source: "corr.txt"}}, planAll("moj")); err != nil {
		t.Fatal(err)
	}
	changed := mark()
	if changed[0] != added[0] || changed[1] <= added[1] {
		t.Errorf("after a corrected text: %v, was %v", changed, added)
	}
	rep, _ := uprDocs()
	if _, err := db.Import(ctx, []ImportItem{{Doc: rep, Source: "rep.txt"}}, planAll("moj")); err != nil {
		t.Fatal(err)
	}
	if m := mark(); m[0] <= changed[0] || m[1] != changed[1] {
		t.Errorf("after a new document: %v, was %v", m, changed)
	}
}
