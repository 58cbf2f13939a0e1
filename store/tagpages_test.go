package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/followup-app/followup/internal/loadgen"
	"github.com/followup-app/followup/store"
)

// TestTagFilterPages: a tag filter's pages list the tasks whose
// recommendations have the tag, in document order, whether the page finds
// them from the tags (few matches) or walking the documents (many), page
// after page, alone and with an owner; and the count agrees.
func TestTagFilterPages(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gen.db")
	if _, err := loadgen.Generate(ctx, path, loadgen.Options{Tasks: 12000, Ministries: 8, Seed: 11,
		Start: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	db, err := store.Open(ctx, path, store.Options{MustExist: true, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// The most and the least common theme, an SDG goal (its targets).
	var common, rare, goal string
	if err := raw.QueryRow(`SELECT (SELECT g.name FROM tags g JOIN recommendation_tags rt ON rt.tag_id = g.id WHERE g.kind = 'theme'
			GROUP BY g.id ORDER BY COUNT(*) DESC, g.id LIMIT 1),
		(SELECT g.name FROM tags g JOIN recommendation_tags rt ON rt.tag_id = g.id WHERE g.kind = 'theme' GROUP BY g.id ORDER BY COUNT(*), g.id LIMIT 1),
		(SELECT substr(name, 1, instr(name, '.') - 1) FROM tags WHERE kind = 'sdg' AND name LIKE '3.%' LIMIT 1)`).Scan(&common, &rare, &goal); err != nil {
		t.Fatal(err)
	}
	want := func(kind, name, owner string) []int64 {
		t.Helper()
		cond := `g.name = ?`
		args := []any{kind, name}
		if kind == store.TagSDG {
			cond = `(g.name = ? OR g.name LIKE ? || '.%')`
			args = append(args, name)
		}
		q := `SELECT t.id FROM recommendations r JOIN tasks t ON t.id = r.id WHERE EXISTS (SELECT 1 FROM recommendation_tags rt
			JOIN tags g ON g.id = rt.tag_id WHERE rt.recommendation_id = r.id AND g.kind = ? AND ` + cond + `)`
		if owner != "" {
			q += ` AND t.owner = ?`
			args = append(args, owner)
		}
		rows, err := raw.Query(q+` ORDER BY r.document_id, r.seq`, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		return ids
	}
	for _, tc := range []struct {
		kind, name, owner string
		f                 store.TagFilter
	}{
		{store.TagTheme, common, "", store.TagFilter{Theme: common}},
		{store.TagTheme, rare, "", store.TagFilter{Theme: rare}},
		{store.TagTheme, common, "m003", store.TagFilter{Theme: common}},
		{store.TagSDG, goal, "", store.TagFilter{SDG: goal}},
	} {
		name := fmt.Sprintf("%s %q owner %q", tc.kind, tc.name, tc.owner)
		w := want(tc.kind, tc.name, tc.owner)
		var got []int64
		q := store.TaskQuery{Owner: tc.owner, Tags: tc.f, Limit: 50}
		for pages := 0; ; pages++ {
			p, err := db.TaskList(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != min(len(w), store.CountCap) {
				t.Errorf("%s: counted %d, want %d", name, p.Total, len(w))
			}
			for _, task := range p.Tasks {
				got = append(got, task.ID)
			}
			if p.Next == "" || pages > 1000 {
				break
			}
			q.After = p.Next
		}
		if !slices.Equal(got, w) {
			t.Errorf("%s: listed %d tasks, want %d (first %v, want %v)", name, len(got), len(w), got[:min(5, len(got))], w[:min(5, len(w))])
		}
		if len(w) == 0 {
			t.Errorf("%s: nothing to list: the test tests nothing", name)
		}
	}
	// Both ways of finding a page are taken: a theme above the threshold
	// and one under it.
	if n := len(want(store.TagTheme, common, "")); n < 1000 {
		t.Errorf("the most common theme has %d recommendations: the walk in document order is not tested", n)
	}
	if n := len(want(store.TagTheme, rare, "")); n >= 1000 {
		t.Errorf("the rarest theme has %d recommendations: the page from the tags is not tested", n)
	}
}
