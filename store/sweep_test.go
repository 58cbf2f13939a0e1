package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/workflow"
)

// twoDocs imports the test document twice: CO/1 (tasks 1-3: 8, 14a, 14b)
// owned by moj, CO/2 (tasks 4-6) owned by mps, 14b of CO/2 unassigned.
func twoDocs(t *testing.T) (*DB, *clock) {
	t.Helper()
	db, c := openTest(t)
	second := coDoc()
	second.Symbol = "CRC/C/XYZ/CO/2"
	for i := range second.Recommendations {
		second.Recommendations[i].ID = workflow.RecID(second.Symbol, second.Recommendations[i].Paragraph, second.Recommendations[i].Item)
	}
	byDoc := func(symbol string, rec workflow.Recommendation) workflow.Assignment {
		a := workflow.Assignment{Owner: "moj", By: "rule", Stage: "assigned"}
		if symbol == second.Symbol {
			a.Owner = "mps"
			if rec.Item == "b" {
				a.Owner = ""
			}
		}
		return a
	}
	if _, err := db.Import(context.Background(), []ImportItem{{Doc: coDoc(), Source: "co1.txt"}, {Doc: second, Source: "co2.txt"}}, byDoc); err != nil {
		t.Fatal(err)
	}
	return db, c
}

func sweepText(res plan.SweepResult) string {
	var counts, listed []string
	for _, c := range res.Counts {
		counts = append(counts, fmt.Sprintf("%s/%v rank %d: %d", c.Owner, c.Escalation, c.Rank, c.Tasks))
	}
	slices.Sort(counts)
	for _, l := range res.Listed {
		listed = append(listed, fmt.Sprintf("%s/%v %d %v", l.Owner, l.Escalation, l.ID, l.Ranks))
	}
	return strings.Join(counts, "; ") + " | " + strings.Join(listed, "; ")
}

// The sweep in SQL: each task counted under its lowest-ranked fire not yet
// logged, the first tasks of each channel listed with all their fires,
// then logged under each owner's message so that the next sweep finds
// nothing; a dry run logs nothing.
func TestSweepThenLog(t *testing.T) {
	db, c := twoDocs(t)
	ctx := context.Background()
	q := plan.SweepQuery{List: 2, Fires: []plan.Fire{
		{Document: 1, Stage: "assigned", Rank: 0, Deadline: "2027-02-01 stage", Kind: "due"},
		{Document: 1, Stage: "assigned", Rank: 1, Paragraphs: []int{14}, Deadline: "2027-01-20 follow-up", Kind: "lead:7d"},
		{Document: 2, Stage: "assigned", Rank: 0, Escalation: true, Deadline: "2027-01-01 stage", Kind: "escalation"},
		{Document: 2, Stage: "reported", Rank: 0, Deadline: "none", Kind: "due"}, // no task there
	}}
	var traced []string
	db.TraceSQL(func(query string, args []any) { traced = append(traced, query) })
	defer db.TraceSQL(nil)

	run := func(slot time.Time, dry bool, log bool) (got string) {
		t.Helper()
		err := db.RunSlot(ctx, "reminders", slot, dry, func(s *SlotTx) error {
			res, err := s.Sweep(ctx, q)
			if err != nil {
				return err
			}
			got = sweepText(res)
			if !log {
				return nil
			}
			if s.DryRun() != dry {
				t.Errorf("DryRun() = %v", s.DryRun())
			}
			out := map[plan.Channel]int64{}
			for i, ch := range []plan.Channel{{Owner: "moj"}, {Owner: "mps", Escalation: true}, {Owner: "", Escalation: true}} {
				id, _, err := s.Enqueue(ctx, plan.Outgoing{Key: fmt.Sprintf("reminder:%s:%d", ch.Owner, i), Kind: "reminder", Recipient: ch.Owner, Raw: []byte("x")})
				if err != nil {
					return err
				}
				out[ch] = id
			}
			return s.LogSweep(ctx, q, out)
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := "/true rank 0: 1; moj/false rank 0: 3; mps/true rank 0: 2 | moj/false 1 [0]; moj/false 2 [0 1]; /true 6 [0]; mps/true 4 [0]; mps/true 5 [0]"
	if got := run(c.t, true, true); got != want {
		t.Errorf("sweep:\n got %s\nwant %s", got, want)
	}
	if n := count(t, db, "reminder_log"); n != 0 {
		t.Errorf("a dry run logged %d reminders", n)
	}
	if len(traced) == 0 {
		t.Error("TraceSQL saw no statement")
	}
	if got := run(c.t, false, true); got != want {
		t.Errorf("sweep:\n got %s\nwant %s", got, want)
	}
	// Every task once per fire of its group: 3 + 2 (paragraph 14) in CO/1,
	// 3 escalations in CO/2.
	if n := count(t, db, "reminder_log"); n != 8 {
		t.Errorf("%d reminders logged, want 8", n)
	}
	if got := run(c.t.Add(time.Hour), false, false); got != " | " {
		t.Errorf("after logging, the sweep still finds %s", got)
	}
	// No fire, no statement.
	if err := db.Read(ctx, func(r plan.Reader) error {
		res, err := r.Sweep(ctx, plan.SweepQuery{})
		if err != nil || len(res.Counts) != 0 {
			t.Errorf("empty sweep = %+v, %v", res, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// What the overviews read besides the sweep: open tasks, tasks by id,
// progress, the unassigned, the late ones.
func TestOverviewReads(t *testing.T) {
	db, _ := twoDocs(t)
	ctx := context.Background()
	if _, err := db.Advance(ctx, "CRC/C/XYZ/CO/1:8", "reported", Actor{Name: "Ana"}, "", nil); err != nil {
		t.Fatal(err)
	}
	err := db.Read(ctx, func(r plan.Reader) error {
		var open []string
		if err := r.OpenTasks(ctx, []string{"assigned"}, func(lt plan.LightTask) error {
			open = append(open, fmt.Sprintf("%d:%d:%d:%s", lt.ID, lt.Document, lt.Paragraph, lt.Owner))
			return nil
		}); err != nil {
			return err
		}
		slices.Sort(open)
		if got := strings.Join(open, " "); got != "2:1:14:moj 3:1:14:moj 4:2:8:mps 5:2:14:mps 6:2:14:" {
			t.Errorf("open tasks = %s", got)
		}
		if err := r.OpenTasks(ctx, nil, func(plan.LightTask) error { return fmt.Errorf("called") }); err != nil {
			t.Errorf("no stage: %v", err)
		}
		rows, err := r.TasksByID(ctx, []int64{1, 5, 99})
		if err != nil {
			return err
		}
		if len(rows) != 2 || rows[1].RecID != "CRC/C/XYZ/CO/1:8" || rows[1].Stage != "reported" || rows[5].Item != "a" || rows[5].Text != "Train border police." {
			t.Errorf("tasks by id = %+v", rows)
		}
		prog, err := r.Progress(ctx)
		if err != nil {
			return err
		}
		if got := fmt.Sprint(prog); got != "[{ assigned 1} {moj assigned 2} {moj reported 1} {mps assigned 2}]" {
			t.Errorf("progress = %s", got)
		}
		un, total, err := r.Unassigned(ctx, []string{"assigned", "reported"}, 5)
		if err != nil || total != 1 || len(un) != 1 || un[0].ID != 6 || un[0].Paragraph != 14 {
			t.Errorf("unassigned = %+v, %d, %v", un, total, err)
		}
		if un, total, err := r.Unassigned(ctx, []string{"assigned"}, 0); err != nil || total != 1 || un != nil {
			t.Errorf("unassigned counted only = %+v, %d, %v", un, total, err)
		}
		if un, total, err := r.Unassigned(ctx, nil, 5); err != nil || total != 0 || un != nil {
			t.Errorf("unassigned in no stage = %+v, %d, %v", un, total, err)
		}
		late, err := r.LateTasks(ctx, plan.LateQuery{Limit: 3, Groups: []plan.LateGroup{
			{OverdueGroup: plan.OverdueGroup{Document: 2, Stage: "assigned", Except: []int{8}}, Day: 10},
			{OverdueGroup: plan.OverdueGroup{Document: 1, Stage: "assigned", Paragraphs: []int{14}}, Day: 20},
			{OverdueGroup: plan.OverdueGroup{Document: 1, Stage: "reported"}, Day: 5},
		}})
		if err != nil {
			return err
		}
		if got := fmt.Sprint(late.ByOwner, late.First); got != "map[:1 moj:3 mps:1] [{1 2} {5 0} {6 0}]" {
			t.Errorf("late = %s", got)
		}
		if late, err := r.LateTasks(ctx, plan.LateQuery{Limit: 3}); err != nil || len(late.ByOwner) != 0 || late.First != nil {
			t.Errorf("no late group = %+v, %v", late, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Read writes nothing: the temporary tables are gone, the data as it was.
	if n := count(t, db, "tasks"); n != 6 {
		t.Errorf("%d tasks", n)
	}
}
