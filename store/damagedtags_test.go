package store

import (
	"context"
	"strings"
	"testing"
)

// TestDamagedTagsNameTheRecommendation: a recommendation whose stored
// list of recommending States or tags is not JSON (damaged behind the
// program's back) is an error that names the recommendation and the
// list, wherever it is read, never a panic or an empty list.
func TestDamagedTagsNameTheRecommendation(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if _, err := db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "co.txt"}}, planAll("moj")); err != nil {
		t.Fatal(err)
	}
	const id = "CRC/C/XYZ/CO/1:14a"
	for _, c := range []struct{ column, says string }{
		{"recommending_states", id + ": "},
		{"themes", id + " themes: "},
		{"affected_persons", id + " affected persons: "},
		{"sdgs", id + " SDGs: "},
	} {
		if _, err := db.db.raw.Exec(`UPDATE recommendations SET `+c.column+` = '["cut short' WHERE rec_id = ?`, id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Recommendation(ctx, id); err == nil || !strings.Contains(err.Error(), "recommendation "+c.says) {
			t.Errorf("%s damaged, the recommendation: %v", c.column, err)
		}
		if _, err := db.Task(ctx, id); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s damaged, the task: %v", c.column, err)
		}
		if c.column == "recommending_states" || c.column == "themes" {
			if _, err := db.ClusterItems(ctx, SuggestFilter{}); err == nil || !strings.Contains(err.Error(), c.says) {
				t.Errorf("%s damaged, the suggestions' items: %v", c.column, err)
			}
		}
		if _, err := db.db.raw.Exec(`UPDATE recommendations SET `+c.column+` = '[]' WHERE rec_id = ?`, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Recommendation(ctx, id); err != nil {
		t.Errorf("repaired: %v", err)
	}
}
