package plan_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// TestOverviewOverdueAgreesWithTheRules checks the overview's overdue and
// unassigned figures, which the database works out group by group
// (Reader.LateTasks, Unassigned), against every open task classified in
// Go by its own next deadline (workflow.Next over its group's deadlines),
// on a generated State whose follow-up procedures limit deadlines to some
// paragraphs, on days before, around and after those deadlines.
func TestOverviewOverdueAgreesWithTheRules(t *testing.T) {
	e := generatedEnv(t, 3000, time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC))
	ctx := context.Background()
	e.exec(`UPDATE documents SET follow_up_due = '2026-12-10' WHERE follow_up_due IS NOT NULL AND id % 2 = 0`)
	e.exec(`UPDATE tasks SET owner = '' WHERE id % 17 = 0`)
	open := []string{}
	for _, s := range e.cfg.Stages {
		if !s.Final {
			open = append(open, s.ID)
		}
	}
	limit := e.cfg.Digests.MaxListed
	checked := 0
	for _, day := range []time.Time{time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), time.Date(2026, 12, 11, 8, 0, 0, 0, time.UTC),
		time.Date(2027, 6, 1, 8, 0, 0, 0, time.UTC), time.Date(2029, 1, 1, 8, 0, 0, 0, time.UTC)} {
		today := workflow.Today(e.cfg.Location, day)
		type task struct {
			id   int64
			date civil.Date
			ok   bool
		}
		byOwner := map[string]int{}
		var late, unassigned []task
		err := e.db.Read(ctx, func(r plan.Reader) error {
			groups, err := r.TaskGroups(ctx, func(s string) bool { return slices.Contains(open, s) })
			if err != nil {
				return err
			}
			cal := e.cfg.Calendar()
			deadlines := map[string][]workflow.GroupDeadline{}
			for _, g := range groups {
				deadlines[fmt.Sprint(g.Document, g.Stage)] = cal.Group(g.Doc, g.Stage)
			}
			return r.OpenTasks(ctx, open, func(lt plan.LightTask) error {
				d, ok := workflow.Next(deadlines[fmt.Sprint(lt.Document, lt.Stage)], lt.Paragraph, today)
				if ok && d.Overdue(today) {
					byOwner[lt.Owner]++
					late = append(late, task{lt.ID, d.Date, true})
				}
				if lt.Owner == "" {
					unassigned = append(unassigned, task{lt.ID, d.Date, ok})
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(late, func(a, b task) int {
			if c := a.date.Compare(b.date); c != 0 {
				return c
			}
			return int(a.id - b.id)
		})
		slices.SortFunc(unassigned, func(a, b task) int { return int(a.id - b.id) })

		o := e.overview(day, time.Time{})
		label := day.Format("2006-01-02")
		if o.Overdue.Total != len(late) {
			t.Errorf("%s: %d overdue, want %d", label, o.Overdue.Total, len(late))
		}
		for _, p := range o.Progress {
			if p.Overdue != byOwner[p.Owner] {
				t.Errorf("%s: %q has %d overdue, want %d", label, p.Owner, p.Overdue, byOwner[p.Owner])
			}
		}
		for name, pair := range map[string]struct {
			got  plan.TaskList
			want []task
		}{"overdue": {o.Overdue, late}, "unassigned": {o.Unassigned, unassigned}} {
			want := pair.want[:min(limit, len(pair.want))]
			var got, exp []string
			for _, lt := range pair.got.Tasks {
				got = append(got, fmt.Sprint(lt.Task.ID, " ", lt.HasNext, " ", lt.Next.Date))
			}
			for _, w := range want {
				exp = append(exp, fmt.Sprint(w.id, " ", w.ok, " ", w.date))
			}
			if !slices.Equal(got, exp) {
				t.Errorf("%s: the %s list\n%q\nwant\n%q", label, name, got, exp)
			}
		}
		if o.Unassigned.Total != len(unassigned) {
			t.Errorf("%s: %d unassigned, want %d", label, o.Unassigned.Total, len(unassigned))
		}
		// The dashboard's "overdue" filter selects the same tasks.
		var sel []store.GroupSel
		for _, g := range o.OverdueGroups {
			sel = append(sel, store.GroupSel{Document: g.Document, Stage: g.Stage, Paragraphs: g.Paragraphs, Except: g.Except})
		}
		page, err := e.db.TaskList(ctx, store.TaskQuery{InGroups: true, Groups: sel, Limit: 1})
		if err != nil || page.Total != len(late) {
			t.Errorf("%s: the overdue filter selects %d tasks (%v), want %d", label, page.Total, err, len(late))
		}
		checked += len(late)
	}
	if checked == 0 {
		t.Fatal("no overdue task on any day: the test checks nothing")
	}
}
