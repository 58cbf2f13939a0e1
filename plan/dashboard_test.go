package plan_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// TestOverdueGroupsSelectTheOverviewsOverdue: the dashboard's "overdue"
// filter (the groups, selected in SQL) finds exactly the tasks the
// overview lists as overdue, on several days, a stage move in between.
func TestOverdueGroupsSelectTheOverviewsOverdue(t *testing.T) {
	e := newEnv(t, 50)
	e.standard()
	e.now = time.Date(2027, 1, 20, 9, 0, 0, 0, loc)
	if _, err := e.db.Advance(context.Background(), symbol+":5a", "acknowledged", store.Actor{Name: "Justice focal point"}, "", func(workflow.Task) error { return nil }); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, day := range []time.Time{at(2027, 1, 4), at(2027, 3, 1), at(2027, 8, 1), at(2027, 12, 1)} {
		o := e.overview(day, time.Time{})
		q := store.TaskQuery{InGroups: true, Limit: 100}
		for _, g := range o.OverdueGroups {
			q.Groups = append(q.Groups, store.GroupSel{Document: g.Document, Stage: g.Stage, Paragraphs: g.Paragraphs, Except: g.Except})
		}
		page, err := e.db.TaskList(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tk := range page.Tasks {
			got = append(got, strings.TrimPrefix(tk.RecID, symbol+":"))
		}
		want := ids(o.Overdue)
		slices.Sort(got)
		slices.Sort(want)
		if strings.Join(got, ",") != strings.Join(want, ",") || page.Total != o.Overdue.Total {
			t.Errorf("%s: the filter finds %v (%d), the overview lists %v (%d)", day.Format("2006-01-02"), got, page.Total, want, o.Overdue.Total)
		}
		seen += len(want)
	}
	if seen == 0 {
		t.Fatal("no day had an overdue task: the test proves nothing")
	}
}
