package workflow_test

import (
	"slices"
	"testing"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/workflow"
)

// TestGroupDeadlines: a group's deadlines are its tasks' deadlines, the
// follow-up date limited to its paragraphs; every task of the group gets
// exactly the deadlines Deadlines gives it.
func TestGroupDeadlines(t *testing.T) {
	cfg := mustParse(t, deadlinesConfig)
	for _, stage := range []string{"assigned", "acknowledged", "in_progress", "reported"} {
		doc := coTask(14, stage).Document
		gds := cfg.Calendar().Group(doc, stage)
		if workflow.Final(cfg.Stages, stage) {
			if gds != nil {
				t.Errorf("%s: a final stage has deadlines %v", stage, gds)
			}
			continue
		}
		var followUp int
		for i, d := range gds {
			if i > 0 && d.Date.Before(gds[i-1].Date) {
				t.Errorf("%s: deadlines out of date order: %v", stage, gds)
			}
			if d.Kind == workflow.KindFollowUp {
				followUp++
				if !slices.Equal(d.Paragraphs, []int{14, 26}) || d.AppliesTo(15) || !d.AppliesTo(26) {
					t.Errorf("%s: the follow-up deadline applies to %v", stage, d.Paragraphs)
				}
			} else if d.Paragraphs != nil || !d.AppliesTo(15) {
				t.Errorf("%s: %s is limited to paragraphs %v", stage, d.Key(), d.Paragraphs)
			}
		}
		if followUp != 1 {
			t.Errorf("%s: %d follow-up deadlines, want 1", stage, followUp)
		}
		for _, para := range []int{14, 15, 26} {
			task := coTask(para, stage)
			var fromGroup []string
			for _, d := range gds {
				if d.AppliesTo(para) {
					fromGroup = append(fromGroup, d.Key())
				}
			}
			if got := keys(cfg.Calendar().Deadlines(task)); !slices.Equal(got, fromGroup) {
				t.Errorf("%s, paragraph %d: Deadlines = %q, the group's = %q", stage, para, got, fromGroup)
			}
		}
	}
}

// TestReportDeadlines: the countdown's milestones and due date, in the
// config's order, with the same keys as the tasks' deadlines.
func TestReportDeadlines(t *testing.T) {
	cfg := mustParse(t, deadlinesConfig)
	got := keys(workflow.ReportDeadlines(cfg.Reports[0]))
	want := []string{
		"milestone:crc-next/Draft to the Commission:2027-08-30",
		"milestone:crc-next/Ministries' inputs:2027-02-28",
		"report:crc-next:2027-11-30",
	}
	if !slices.Equal(got, want) {
		t.Errorf("ReportDeadlines = %q, want %q", got, want)
	}
	untitled := workflow.ReportDeadlines(config.Report{ID: "x", Due: date(2030, 1, 1)})
	if len(untitled) != 1 || untitled[0].Label != "x due" {
		t.Errorf("a report without title or milestones: %+v", untitled)
	}
}

// TestNext: the follow-up date is the next deadline of its paragraphs
// only; a passed countdown point is skipped, a passed hard deadline is
// not.
func TestNext(t *testing.T) {
	cfg := mustParse(t, deadlinesConfig)
	doc := coTask(14, "action_planned").Document // no stage deadline
	gds := cfg.Calendar().Group(doc, "action_planned")
	cases := []struct {
		paragraph int
		today     string
		want      string
	}{
		{14, "2026-01-01", "follow_up:follow_up:2026-06-30"},
		{15, "2026-01-01", "milestone:crc-next/Ministries' inputs:2027-02-28"},
		{14, "2026-07-01", "milestone:crc-next/Ministries' inputs:2027-02-28"}, // the follow-up date passed: a countdown point
		{15, "2027-12-01", "report:crc-next:2027-11-30"},                       // overdue: still the next
	}
	for _, c := range cases {
		today := mustDate(t, c.today)
		got, ok := workflow.Next(gds, c.paragraph, today)
		if !ok || got.Key() != c.want {
			t.Errorf("Next(paragraph %d, %s) = %s, %v; want %s", c.paragraph, c.today, got.Key(), ok, c.want)
		}
	}
	if _, ok := workflow.Next(nil, 14, mustDate(t, "2026-01-01")); ok {
		t.Error("Next of no deadline is ok")
	}
}

func mustDate(t *testing.T, s string) civil.Date {
	t.Helper()
	d, err := civil.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
