package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/workflow"
)

// An import without a planner stores recommendations only; the rules then
// create their tasks, once, and say they did.
func TestRulesCreateMissingTasks(t *testing.T) {
	db, c := openTest(t)
	ctx := context.Background()
	if _, err := db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "co.txt"}}, nil); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "tasks"); n != 0 {
		t.Fatalf("%d tasks before the rules", n)
	}
	if id, err := db.RulesApplied(ctx); err != nil || id != "" {
		t.Errorf("rules applied before any = %q, %v", id, err)
	}
	n, err := db.ApplyRules(ctx, "r1", planAll("moj"))
	if err != nil || n != 3 {
		t.Fatalf("ApplyRules = %d, %v", n, err)
	}
	if id, err := db.RulesApplied(ctx); err != nil || id != "r1" {
		t.Errorf("rules applied = %q, %v", id, err)
	}
	// The same rules again: nothing to do.
	if n, err := db.ApplyRules(ctx, "r1", planAll("mps")); err != nil || n != 0 {
		t.Errorf("the same rules again changed %d, %v", n, err)
	}
	// A rule without a first stage cannot create a task: nothing is kept.
	doc := coDoc()
	doc.Symbol = "CRC/C/XYZ/CO/2"
	for i := range doc.Recommendations {
		doc.Recommendations[i].ID = workflow.RecID(doc.Symbol, doc.Recommendations[i].Paragraph, doc.Recommendations[i].Item)
	}
	if _, err := db.Import(ctx, []ImportItem{{Doc: doc, Source: "co2.txt"}}, nil); err != nil {
		t.Fatal(err)
	}
	noStage := func(string, workflow.Recommendation) workflow.Assignment { return workflow.Assignment{Owner: "moj"} }
	if _, err := db.ApplyRules(ctx, "r2", noStage); err == nil || !strings.Contains(err.Error(), "no initial stage") {
		t.Errorf("rules without a stage: %v", err)
	}
	if n := count(t, db, "tasks"); n != 3 {
		t.Errorf("%d tasks after a failed run, want 3", n)
	}

	c.t = c.t.Add(time.Hour)
	since := c.t.Add(-time.Minute)
	if n, err := db.ApplyRules(ctx, "r2", planAll("mps")); err != nil || n != 6 {
		t.Fatalf("new rules: %d changed, %v (3 created, 3 moved)", n, err)
	}
	var owners []string
	if err := db.Tasks(ctx, TaskFilter{Owner: "mps", Stage: "assigned", Document: "CRC/C/XYZ/CO/2"}, func(tk workflow.Task) error {
		owners = append(owners, tk.Rec.ID+" "+tk.Owner)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(owners) != 3 || owners[0] != "CRC/C/XYZ/CO/2:8 mps" {
		t.Errorf("tasks of CO/2 = %v", owners)
	}
	if err := db.Tasks(ctx, TaskFilter{Owner: "unassigned"}, func(tk workflow.Task) error { return fmt.Errorf("%s is unassigned", tk.Rec.ID) }); err != nil {
		t.Error(err)
	}
	stop := errors.New("stop")
	if err := db.Tasks(ctx, TaskFilter{}, func(workflow.Task) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("the callback's error: %v", err)
	}
	counts, err := db.StageCounts(ctx)
	if err != nil || counts["assigned"] != 6 || len(counts) != 1 {
		t.Errorf("stage counts = %v, %v", counts, err)
	}

	// What the overview counts (the program's events) and lists (people's).
	c.t = c.t.Add(time.Hour)
	if _, err := db.Advance(ctx, "CRC/C/XYZ/CO/2:8", "acknowledged", Actor{Name: "Ana"}, "received", nil); err != nil {
		t.Fatal(err)
	}
	err = db.Read(ctx, func(r plan.Reader) error {
		evs, total, err := r.EventsSince(ctx, since, 10)
		if err != nil || total != 1 || len(evs) != 1 || evs[0].Actor != "Ana" || evs[0].RecID != "CRC/C/XYZ/CO/2:8" || evs[0].To != "acknowledged" {
			t.Errorf("people's events = %+v %d, %v", evs, total, err)
		}
		auto, err := r.AutomaticEventsSince(ctx, since)
		if err != nil || fmt.Sprint(auto) != "[{import created 3 3} {rules assign 3 3}]" {
			t.Errorf("the program's events = %v, %v", auto, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDocumentsAndRecommendations(t *testing.T) {
	db, _, _ := importedTasks(t)
	ctx := context.Background()
	rep, add := uprDocs()
	if _, err := db.Import(ctx, []ImportItem{{Doc: rep, Source: "rep.txt"}, {Doc: add, Source: "add.txt"}}, planAll("mofa")); err != nil {
		t.Fatal(err)
	}
	docs, err := db.Documents(ctx)
	if err != nil || len(docs) != 3 {
		t.Fatalf("documents = %+v, %v", docs, err)
	}
	if d := docs[0]; d.Symbol != "CRC/C/XYZ/CO/1" || d.Recommendations != 3 || d.Source != "co.txt" || d.Adopted.String() != "2026-06-05" || d.State != "Mongolia" {
		t.Errorf("first document = %+v", d)
	}
	var got []string
	err = db.Recommendations(ctx, RecFilter{Section: "train"}, func(symbol string, r workflow.Recommendation) error {
		got = append(got, r.ID)
		return nil
	})
	if err != nil || strings.Join(got, " ") != "CRC/C/XYZ/CO/1:14a CRC/C/XYZ/CO/1:14b" {
		t.Errorf("recommendations in a subsection, any case = %v, %v", got, err)
	}
	got = nil
	if err := db.Recommendations(ctx, RecFilter{Document: rep.Symbol}, func(symbol string, r workflow.Recommendation) error {
		got = append(got, symbol+" "+r.ID+" "+r.Status)
		return nil
	}); err != nil || len(got) != len(rep.Recommendations) {
		t.Errorf("the report's recommendations = %v, %v", got, err)
	}
	r, err := db.Recommendation(ctx, rep.Recommendations[1].ID)
	if err != nil || r.Document != rep.Symbol || len(r.Changes) != 1 || r.Changes[0].Field != "status" || r.Changes[0].Source != add.Symbol {
		t.Errorf("recommendation with its history = %+v, %v", r, err)
	}
	if _, err := db.Recommendation(ctx, "A/HRC/1/1:1.1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown recommendation: %v", err)
	}
	if _, err := db.Task(ctx, "NO/SUCH:1"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "see followup tasks for the ids") {
		t.Errorf("an unknown task: %v", err)
	}
}

func TestMinistryPos(t *testing.T) {
	p := MinistryPos{Document: 2, Seq: 41}
	back, err := ParseMinistryPos(p.String())
	if err != nil || back != p {
		t.Errorf("%s read back as %+v, %v", p, back, err)
	}
	for _, bad := range []string{"", "2", "2.x", "-1.3", "2.-3", "+2.3", "2.3.4"} {
		if _, err := ParseMinistryPos(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseMinistryPos(%q) = %v, want invalid", bad, err)
		}
	}
}
