package workflow_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/workflow"
)

// keys lists the deadlines' keys (kind:ref:date), which say everything a
// test needs to compare except the label.
func keys(ds []workflow.Deadline) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Key())
	}
	return out
}

func TestStageDeadline(t *testing.T) {
	covering := func(id string, due civil.Date, docs ...string) config.Report {
		return config.Report{ID: id, Due: due, Documents: docs}
	}
	tests := []struct {
		name    string
		anchor  string // as in the config file: "adoption + 1mo"
		doc     workflow.DocFacts
		reports []config.Report
		want    civil.Date
		wantOK  bool
	}{
		// Month ends: months are added first and clamped to the month's end.
		{"adoption 2024-01-31 + 1mo (leap year)", "adoption + 1mo",
			workflow.DocFacts{Symbol: coSymbol, Adopted: date(2024, 1, 31), Imported: date(2025, 6, 1)},
			nil, date(2024, 2, 29), true},
		{"adoption 2023-01-31 + 1mo", "adoption + 1mo",
			workflow.DocFacts{Symbol: coSymbol, Adopted: date(2023, 1, 31), Imported: date(2025, 6, 1)},
			nil, date(2023, 2, 28), true},
		{"adoption 2024-03-31 - 1mo", "adoption - 1mo",
			workflow.DocFacts{Symbol: coSymbol, Adopted: date(2024, 3, 31)},
			nil, date(2024, 2, 29), true},
		{"adoption 2024-01-31 + 30d crosses February by days", "adoption + 30d",
			workflow.DocFacts{Symbol: coSymbol, Adopted: date(2024, 1, 31)},
			nil, date(2024, 3, 1), true},
		{"adoption 2024-01-31 + 1mo1d: months first, then days", "adoption + 1mo1d",
			workflow.DocFacts{Symbol: coSymbol, Adopted: date(2024, 1, 31)},
			nil, date(2024, 3, 1), true},
		{"report 2027-11-30 - 9mo", "report - 9mo",
			workflow.DocFacts{Symbol: coSymbol, Imported: date(2025, 1, 1)},
			[]config.Report{covering("crc-next", date(2027, 11, 30))}, date(2027, 2, 28), true},
		{"report 2028-05-31 - 3mo (leap year)", "report - 3mo",
			workflow.DocFacts{Symbol: coSymbol, Imported: date(2025, 1, 1)},
			[]config.Report{covering("crc-next", date(2028, 5, 31))}, date(2028, 2, 29), true},

		// 29 February.
		{"import 2024-02-29 + 1y", "import + 1y",
			workflow.DocFacts{Symbol: coSymbol, Imported: date(2024, 2, 29)},
			nil, date(2025, 2, 28), true},
		{"import 2024-02-29 + 4y", "import + 4y",
			workflow.DocFacts{Symbol: coSymbol, Imported: date(2024, 2, 29)},
			nil, date(2028, 2, 29), true},
		{"import 2024-02-29 + 12mo", "import + 12mo",
			workflow.DocFacts{Symbol: coSymbol, Imported: date(2024, 2, 29)},
			nil, date(2025, 2, 28), true},

		// Anchors.
		{"adoption wins over import", "adoption + 2mo",
			workflow.DocFacts{Symbol: coSymbol, Adopted: date(2015, 6, 5), Imported: date(2025, 1, 10)},
			nil, date(2015, 8, 5), true},
		{"no adoption date: count from the import", "adoption + 1mo",
			workflow.DocFacts{Symbol: coSymbol, Imported: date(2025, 1, 31)},
			nil, date(2025, 2, 28), true},
		{"no adoption and no import date: none", "adoption + 1mo",
			workflow.DocFacts{Symbol: coSymbol},
			nil, civil.Date{}, false},
		{"import ignores the adoption date", "import + 1mo",
			workflow.DocFacts{Symbol: coSymbol, Adopted: date(2015, 6, 5), Imported: date(2025, 1, 10)},
			nil, date(2025, 2, 10), true},
		{"import without an import date: none", "import + 1mo",
			workflow.DocFacts{Symbol: coSymbol, Adopted: date(2015, 6, 5)},
			nil, civil.Date{}, false},
		{"report: the first report covering the document", "report - 9mo",
			workflow.DocFacts{Symbol: coSymbol},
			[]config.Report{
				covering("upr", date(2026, 1, 31), uprSymbol),
				covering("crc-next", date(2027, 11, 30), "CRC/C/LAO/CO/3", coSymbol),
				covering("any", date(2029, 5, 31)),
			}, date(2027, 2, 28), true},
		{"report: a report with no documents covers every document", "report - 3mo",
			workflow.DocFacts{Symbol: coSymbol},
			[]config.Report{
				covering("upr", date(2026, 1, 31), uprSymbol),
				covering("any", date(2029, 5, 31)),
			}, date(2029, 2, 28), true},
		{"report: the anchor alone is the due date", "report",
			workflow.DocFacts{Symbol: coSymbol},
			[]config.Report{covering("crc-next", date(2027, 11, 30))}, date(2027, 11, 30), true},
		{"report: no report covers the document", "report - 9mo",
			workflow.DocFacts{Symbol: coSymbol, Adopted: date(2015, 6, 5), Imported: date(2025, 1, 10)},
			[]config.Report{covering("upr", date(2026, 1, 31), uprSymbol)}, civil.Date{}, false},
		{"report: no reports at all", "report - 9mo",
			workflow.DocFacts{Symbol: coSymbol, Imported: date(2025, 1, 10)},
			nil, civil.Date{}, false},
		{"follow_up - 1mo", "follow_up - 1mo",
			workflow.DocFacts{Symbol: coSymbol, FollowUp: &workflow.FollowUp{Due: date(2026, 6, 30), Paragraphs: []int{14}}},
			nil, date(2026, 5, 30), true},
		{"follow_up alone", "follow_up",
			workflow.DocFacts{Symbol: coSymbol, FollowUp: &workflow.FollowUp{Due: date(2026, 6, 30)}},
			nil, date(2026, 6, 30), true},
		{"follow_up: the document has no follow-up procedure", "follow_up",
			workflow.DocFacts{Symbol: coSymbol, Adopted: date(2015, 6, 5), Imported: date(2025, 1, 10)},
			nil, civil.Date{}, false},
		{"follow_up: a procedure without a date", "follow_up",
			workflow.DocFacts{Symbol: coSymbol, Imported: date(2025, 1, 10), FollowUp: &workflow.FollowUp{Paragraphs: []int{14}}},
			nil, civil.Date{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := mustParse(t, `
stages:
  - id: open
    name: Open
    deadline: "`+tc.anchor+`"
    next: [done]
  - id: done
    name: Done
    final: true
`)
			cfg.Reports = tc.reports
			got, ok := cfg.Calendar().StageDeadline(tc.doc, "open")
			if ok != tc.wantOK {
				t.Fatalf("StageDeadline ok = %v (deadline %v), want %v", ok, got, tc.wantOK)
			}
			if !ok {
				if got != (workflow.Deadline{}) {
					t.Errorf("StageDeadline = %+v with ok false, want the zero Deadline", got)
				}
				return
			}
			if got.Date != tc.want {
				t.Errorf("StageDeadline date = %v, want %v", got.Date, tc.want)
			}
			if got.Kind != workflow.KindStage || got.Ref != "open" {
				t.Errorf("StageDeadline kind, ref = %q, %q; want %q, %q", got.Kind, got.Ref, workflow.KindStage, "open")
			}
			if !strings.Contains(got.Label, "Open") {
				t.Errorf("StageDeadline label = %q, want it to name the stage (Open)", got.Label)
			}
		})
	}
}

func TestStageDeadlineDefaultStages(t *testing.T) {
	cfg := config.Default()
	cfg.Reports = []config.Report{{ID: "crc-next", Due: date(2027, 11, 30)}}
	doc := workflow.DocFacts{Symbol: coSymbol, Adopted: date(2015, 6, 5), Imported: date(2025, 1, 31)}
	tests := []struct {
		stage  string
		want   civil.Date
		wantOK bool
	}{
		{"assigned", date(2025, 2, 28), true},     // import + 1mo, clamped
		{"acknowledged", date(2025, 4, 30), true}, // import + 3mo, clamped
		{"action_planned", civil.Date{}, false},   // no deadline
		{"in_progress", date(2027, 2, 28), true},  // report - 9mo, clamped
		{"implemented", civil.Date{}, false},
		{"partially_implemented", civil.Date{}, false},
		{"reported", civil.Date{}, false},     // final
		{"not_accepted", civil.Date{}, false}, // final
		{"no-such-stage", civil.Date{}, false},
	}
	for _, tc := range tests {
		got, ok := cfg.Calendar().StageDeadline(doc, tc.stage)
		if ok != tc.wantOK || got.Date != tc.want {
			t.Errorf("StageDeadline(%q) = %v, %v; want %v, %v", tc.stage, got.Date, ok, tc.want, tc.wantOK)
		}
		if ok && got.Ref != tc.stage {
			t.Errorf("StageDeadline(%q).Ref = %q, want %q", tc.stage, got.Ref, tc.stage)
		}
	}
}

// deadlinesConfig has two reports for two documents and one for every
// document, with milestones written out of date order.
const deadlinesConfig = `
time_zone: America/New_York
reports:
  - id: crc-next
    title: Combined fifth and sixth periodic report
    due: 2027-11-30
    documents: [CRC/C/OPSC/LAO/CO/1]
    milestones:
      - name: Draft to the Commission
        before: 3mo
      - name: Ministries' inputs
        before: 9mo
  - id: upr-4
    due: 2029-01-31
    documents: [A/HRC/43/15]
    milestones:
      - name: UPR inputs
        before: 6mo
  - id: all-docs
    title: Common core document
    due: 2030-05-31
`

func coTask(paragraph int, stage string) workflow.Task {
	return workflow.Task{
		Rec: workflow.Recommendation{ID: workflow.RecID(coSymbol, paragraph, ""), Paragraph: paragraph},
		Document: workflow.DocFacts{
			Symbol:   coSymbol,
			Adopted:  date(2015, 6, 5),
			Imported: date(2025, 1, 31),
			FollowUp: &workflow.FollowUp{Due: date(2026, 6, 30), Paragraphs: []int{14, 26}},
		},
		Stage: stage,
	}
}

func TestDeadlines(t *testing.T) {
	cfg := mustParse(t, deadlinesConfig)
	crcTail := []string{
		"milestone:crc-next/Ministries' inputs:2027-02-28",
		"milestone:crc-next/Draft to the Commission:2027-08-30",
		"report:crc-next:2027-11-30",
		"report:all-docs:2030-05-31",
	}
	uprTask := workflow.Task{
		Rec:      workflow.Recommendation{ID: workflow.RecID(uprSymbol, 122, "17"), Paragraph: 122, Item: "17"},
		Document: workflow.DocFacts{Symbol: uprSymbol, Imported: date(2025, 1, 31)},
		Stage:    "in_progress",
	}
	noFollowUpDate := coTask(14, "action_planned")
	noFollowUpDate.Document.FollowUp = &workflow.FollowUp{Paragraphs: []int{14}}
	otherDoc := coTask(3, "action_planned")
	otherDoc.Document.Symbol = "CEDAW/C/LAO/CO/10"
	otherDoc.Document.FollowUp = nil

	tests := []struct {
		name string
		task workflow.Task
		want []string
	}{
		{"follow-up paragraph, stage with a deadline", coTask(14, "assigned"), append([]string{
			"stage:assigned:2025-02-28",
			"follow_up:follow_up:2026-06-30",
		}, crcTail...)},
		{"other follow-up paragraph", coTask(26, "acknowledged"), append([]string{
			"stage:acknowledged:2025-04-30",
			"follow_up:follow_up:2026-06-30",
		}, crcTail...)},
		{"paragraph outside the follow-up procedure", coTask(15, "assigned"), append([]string{
			"stage:assigned:2025-02-28",
		}, crcTail...)},
		{"stage without a deadline", coTask(14, "action_planned"), append([]string{
			"follow_up:follow_up:2026-06-30",
		}, crcTail...)},
		// report - 9mo falls on the 9-month milestone: equal dates keep
		// the order they are gathered in, the stage deadline first.
		{"stage deadline on a milestone's date", coTask(15, "in_progress"), []string{
			"stage:in_progress:2027-02-28",
			"milestone:crc-next/Ministries' inputs:2027-02-28",
			"milestone:crc-next/Draft to the Commission:2027-08-30",
			"report:crc-next:2027-11-30",
			"report:all-docs:2030-05-31",
		}},
		{"follow-up procedure without a date", noFollowUpDate, crcTail},
		{"UPR document: its own report and the one for all", uprTask, []string{
			"stage:in_progress:2028-04-30",
			"milestone:upr-4/UPR inputs:2028-07-31",
			"report:upr-4:2029-01-31",
			"report:all-docs:2030-05-31",
		}},
		{"document only the catch-all report covers", otherDoc, []string{"report:all-docs:2030-05-31"}},
		{"final stage reported: none", coTask(14, "reported"), []string{}},
		{"final stage not_accepted: none", coTask(14, "not_accepted"), []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds := cfg.Calendar().Deadlines(tc.task)
			got := keys(ds)
			want := tc.want
			if !slices.Equal(got, want) {
				t.Errorf("Deadlines keys:\n got: %q\nwant: %q", got, want)
			}
			for i, d := range ds {
				if d.Label == "" {
					t.Errorf("deadline %d (%s) has an empty label", i, d.Key())
				}
				if i > 0 && d.Date.Before(ds[i-1].Date) {
					t.Errorf("deadline %d (%s) is before deadline %d (%s): want earliest first", i, d.Key(), i-1, ds[i-1].Key())
				}
			}
		})
	}
}

func TestDeadlinesFinalStageIsNil(t *testing.T) {
	cfg := mustParse(t, deadlinesConfig)
	for _, stage := range []string{"reported", "not_accepted"} {
		if got := cfg.Calendar().Deadlines(coTask(14, stage)); got != nil {
			t.Errorf("Deadlines in final stage %q = %q, want nil", stage, keys(got))
		}
	}
}

func TestDeadlineKey(t *testing.T) {
	base := workflow.Deadline{Date: date(2025, 2, 28), Kind: workflow.KindStage, Label: "Assigned", Ref: "assigned"}
	if got, want := base.Key(), "stage:assigned:2025-02-28"; got != want {
		t.Errorf("Key() = %q, want %q", got, want)
	}
	relabelled := base
	relabelled.Label = "something else"
	if got, want := relabelled.Key(), base.Key(); got != want {
		t.Errorf("Key() after a label change = %q, want %q (the label is for people)", got, want)
	}
	moved := base
	moved.Date = date(2025, 3, 28)
	otherKind := base
	otherKind.Kind = workflow.KindReport
	otherRef := base
	otherRef.Ref = "acknowledged"
	for _, d := range []workflow.Deadline{moved, otherKind, otherRef} {
		if d.Key() == base.Key() {
			t.Errorf("Key() of %+v = %q, the same as %+v: want a different key", d, d.Key(), base)
		}
	}
	ms := workflow.Deadline{Date: date(2027, 2, 28), Kind: workflow.KindMilestone, Ref: "crc-next/Ministries' inputs"}
	if got, want := ms.Key(), "milestone:crc-next/Ministries' inputs:2027-02-28"; got != want {
		t.Errorf("Key() = %q, want %q", got, want)
	}
}

func TestDeadlineOverdueAndHard(t *testing.T) {
	d := date(2025, 3, 1)
	tests := []struct {
		kind     workflow.DeadlineKind
		hard     bool
		today    civil.Date
		wantOver bool
	}{
		{workflow.KindStage, true, date(2025, 2, 28), false},
		{workflow.KindStage, true, d, false}, // the day itself is not overdue
		{workflow.KindStage, true, date(2025, 3, 2), true},
		{workflow.KindStage, true, date(2026, 1, 1), true},
		{workflow.KindReport, true, d, false},
		{workflow.KindReport, true, date(2025, 3, 2), true},
		{workflow.KindMilestone, false, date(2025, 3, 2), false}, // countdown points are never overdue
		{workflow.KindMilestone, false, date(2030, 1, 1), false},
		{workflow.KindFollowUp, false, date(2025, 3, 2), false},
	}
	for _, tc := range tests {
		dl := workflow.Deadline{Date: d, Kind: tc.kind, Ref: "x"}
		if got := dl.Hard(); got != tc.hard {
			t.Errorf("%s.Hard() = %v, want %v", tc.kind, got, tc.hard)
		}
		if got := dl.Overdue(tc.today); got != tc.wantOver {
			t.Errorf("%s deadline %v: Overdue(%v) = %v, want %v", tc.kind, d, tc.today, got, tc.wantOver)
		}
	}
}

func TestNextDeadline(t *testing.T) {
	cfg := mustParse(t, deadlinesConfig) // America/New_York
	noReports := mustParse(t, "time_zone: America/New_York\n")
	// Noon in New York.
	at := func(y int, m time.Month, d int) time.Time { return utc(y, m, d, 16, 0, 0) }
	tests := []struct {
		name        string
		cfg         *config.Config
		task        workflow.Task
		now         time.Time
		wantKey     string // "" = none
		wantOverdue bool
	}{
		{"before every deadline: the stage deadline", cfg, coTask(14, "assigned"), at(2025, 2, 1),
			"stage:assigned:2025-02-28", false},
		{"on the stage deadline's day: not yet overdue", cfg, coTask(14, "assigned"), at(2025, 2, 28),
			"stage:assigned:2025-02-28", false},
		{"stage deadline passed: still returned, overdue", cfg, coTask(14, "assigned"), at(2026, 7, 15),
			"stage:assigned:2025-02-28", true},
		{"follow-up date ahead", cfg, coTask(14, "action_planned"), at(2026, 6, 30),
			"follow_up:follow_up:2026-06-30", false},
		{"follow-up date passed: skipped", cfg, coTask(14, "action_planned"), at(2026, 7, 1),
			"milestone:crc-next/Ministries' inputs:2027-02-28", false},
		{"milestone today", cfg, coTask(14, "action_planned"), at(2027, 2, 28),
			"milestone:crc-next/Ministries' inputs:2027-02-28", false},
		{"milestone passed: skipped", cfg, coTask(14, "action_planned"), at(2027, 3, 1),
			"milestone:crc-next/Draft to the Commission:2027-08-30", false},
		{"report due date passed: returned, overdue", cfg, coTask(14, "action_planned"), at(2027, 12, 1),
			"report:crc-next:2027-11-30", true},
		{"final stage: none", cfg, coTask(14, "reported"), at(2025, 2, 1), "", false},
		{"no deadline at all: none", noReports, coTask(15, "action_planned"), at(2025, 2, 1), "", false},
		{"only a passed follow-up date: none", noReports, coTask(14, "action_planned"), at(2026, 7, 1), "", false},
		{"only a follow-up date ahead", noReports, coTask(14, "action_planned"), at(2026, 6, 1),
			"follow_up:follow_up:2026-06-30", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.cfg.Calendar().NextDeadline(tc.task, workflow.Today(tc.cfg.Location, tc.now))
			if tc.wantKey == "" {
				if ok {
					t.Fatalf("NextDeadline = %s, true; want none", got.Key())
				}
				return
			}
			if !ok {
				t.Fatalf("NextDeadline = none; want %s", tc.wantKey)
			}
			if got.Key() != tc.wantKey {
				t.Errorf("NextDeadline = %s, want %s", got.Key(), tc.wantKey)
			}
			today := workflow.Today(tc.cfg.Location, tc.now)
			if over := got.Overdue(today); over != tc.wantOverdue {
				t.Errorf("NextDeadline(%v) = %s: Overdue(%v) = %v, want %v", tc.now, got.Key(), today, over, tc.wantOverdue)
			}
		})
	}
}

func TestNextDeadlineTies(t *testing.T) {
	// A stage deadline anchored on the report falls on the report's due
	// date; the follow-up date equals the report's due date too.
	cfg := mustParse(t, `
reports:
  - id: crc-next
    due: 2027-11-30
stages:
  - id: drafting
    deadline: report
    next: [waiting]
  - id: waiting
    next: [done]
  - id: done
    final: true
`)
	task := func(stage string) workflow.Task {
		return workflow.Task{
			Rec: workflow.Recommendation{ID: coSymbol + ":14", Paragraph: 14},
			Document: workflow.DocFacts{Symbol: coSymbol, Imported: date(2025, 1, 1),
				FollowUp: &workflow.FollowUp{Due: date(2027, 11, 30), Paragraphs: []int{14}}},
			Stage: stage,
		}
	}
	tests := []struct {
		name        string
		stage       string
		now         time.Time
		wantKey     string
		wantOverdue bool
	}{
		// Equal dates keep the gathering order: stage, follow-up, report.
		{"stage and report tie, before", "drafting", utc(2027, 11, 1, 12, 0, 0), "stage:drafting:2027-11-30", false},
		{"stage and report tie, on the day", "drafting", utc(2027, 11, 30, 12, 0, 0), "stage:drafting:2027-11-30", false},
		{"stage and report tie, after: the stage, overdue", "drafting", utc(2027, 12, 1, 12, 0, 0), "stage:drafting:2027-11-30", true},
		{"follow-up and report tie, on the day: the follow-up", "waiting", utc(2027, 11, 30, 12, 0, 0), "follow_up:follow_up:2027-11-30", false},
		{"follow-up and report tie, after: the follow-up drops, the report is overdue", "waiting", utc(2027, 12, 1, 0, 0, 0), "report:crc-next:2027-11-30", true},
	}
	for _, tc := range tests {
		got, ok := cfg.Calendar().NextDeadline(task(tc.stage), workflow.Today(cfg.Location, tc.now))
		if !ok || got.Key() != tc.wantKey {
			t.Errorf("%s: NextDeadline = %s, %v; want %s, true", tc.name, got.Key(), ok, tc.wantKey)
			continue
		}
		if over := got.Overdue(workflow.Today(cfg.Location, tc.now)); over != tc.wantOverdue {
			t.Errorf("%s: Overdue = %v, want %v", tc.name, over, tc.wantOverdue)
		}
	}
}

func TestToday(t *testing.T) {
	// Today must use the config's zone, never time.Local.
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	saved := time.Local
	time.Local = tokyo
	t.Cleanup(func() { time.Local = saved })

	tests := []struct {
		zone string
		now  time.Time
		want civil.Date
	}{
		// New York, spring forward on 2025-03-09 at 02:00 EST -> 03:00 EDT.
		{"America/New_York", utc(2025, 3, 9, 4, 59, 59), date(2025, 3, 8)},
		{"America/New_York", utc(2025, 3, 9, 5, 0, 0), date(2025, 3, 9)},
		{"America/New_York", utc(2025, 3, 9, 6, 59, 59), date(2025, 3, 9)}, // 01:59:59 EST
		{"America/New_York", utc(2025, 3, 9, 7, 0, 0), date(2025, 3, 9)},   // 03:00 EDT
		{"America/New_York", utc(2025, 3, 10, 3, 59, 59), date(2025, 3, 9)},
		{"America/New_York", utc(2025, 3, 10, 4, 0, 0), date(2025, 3, 10)},
		// New York, fall back on 2025-11-02 at 02:00 EDT -> 01:00 EST.
		{"America/New_York", utc(2025, 11, 2, 3, 59, 59), date(2025, 11, 1)},
		{"America/New_York", utc(2025, 11, 2, 4, 0, 0), date(2025, 11, 2)},
		{"America/New_York", utc(2025, 11, 2, 5, 30, 0), date(2025, 11, 2)}, // 01:30 EDT
		{"America/New_York", utc(2025, 11, 2, 6, 30, 0), date(2025, 11, 2)}, // 01:30 EST
		{"America/New_York", utc(2025, 11, 3, 4, 59, 59), date(2025, 11, 2)},
		{"America/New_York", utc(2025, 11, 3, 5, 0, 0), date(2025, 11, 3)},
		// Berlin, spring forward on 2025-03-30 at 02:00 CET -> 03:00 CEST.
		{"Europe/Berlin", utc(2025, 3, 29, 22, 59, 59), date(2025, 3, 29)},
		{"Europe/Berlin", utc(2025, 3, 29, 23, 0, 0), date(2025, 3, 30)},
		{"Europe/Berlin", utc(2025, 3, 30, 21, 59, 59), date(2025, 3, 30)},
		{"Europe/Berlin", utc(2025, 3, 30, 22, 0, 0), date(2025, 3, 31)},
		// Berlin, fall back on 2025-10-26 at 03:00 CEST -> 02:00 CET.
		{"Europe/Berlin", utc(2025, 10, 25, 21, 59, 59), date(2025, 10, 25)},
		{"Europe/Berlin", utc(2025, 10, 25, 22, 0, 0), date(2025, 10, 26)},
		{"Europe/Berlin", utc(2025, 10, 26, 22, 59, 59), date(2025, 10, 26)},
		{"Europe/Berlin", utc(2025, 10, 26, 23, 0, 0), date(2025, 10, 27)},
		// Vientiane, UTC+7 all year.
		{"Asia/Vientiane", utc(2025, 3, 8, 16, 59, 59), date(2025, 3, 8)},
		{"Asia/Vientiane", utc(2025, 3, 8, 17, 0, 0), date(2025, 3, 9)},
		{"Asia/Vientiane", utc(2025, 11, 2, 16, 59, 59), date(2025, 11, 2)},
		{"Asia/Vientiane", utc(2025, 11, 2, 17, 0, 0), date(2025, 11, 3)},
		{"Asia/Vientiane", utc(2024, 12, 31, 17, 0, 0), date(2025, 1, 1)},
		// UTC, the default.
		{"UTC", utc(2025, 3, 9, 23, 59, 59), date(2025, 3, 9)},
		{"UTC", utc(2025, 3, 10, 0, 0, 0), date(2025, 3, 10)},
		// The instant's own location does not matter: 01:00 in Tokyo on
		// 03-10 is 12:00 EDT on 03-09.
		{"America/New_York", time.Date(2025, 3, 10, 1, 0, 0, 0, tokyo), date(2025, 3, 9)},
		{"Asia/Vientiane", time.Date(2025, 3, 10, 1, 0, 0, 0, tokyo), date(2025, 3, 9)},
	}
	cfgs := map[string]*config.Config{}
	for _, tc := range tests {
		cfg := cfgs[tc.zone]
		if cfg == nil {
			cfg = mustParse(t, "time_zone: "+tc.zone+"\n")
			cfgs[tc.zone] = cfg
		}
		if got := workflow.Today(cfg.Location, tc.now); got != tc.want {
			t.Errorf("Today(%s, %s) = %v, want %v", tc.zone, tc.now.UTC().Format(time.RFC3339), got, tc.want)
		}
	}
}

// TestOverdueFromLocalMidnight: a date-only deadline D holds until the end
// of D in the config's zone; it is overdue from the first instant of D+1
// there (DESIGN.md, decision 6), including on daylight-saving days.
func TestOverdueFromLocalMidnight(t *testing.T) {
	tests := []struct {
		zone         string
		deadline     civil.Date
		firstOverdue time.Time // the first instant of deadline+1 day in zone
	}{
		{"America/New_York", date(2025, 11, 2), utc(2025, 11, 3, 5, 0, 0)}, // fall-back day: 25 hours
		{"America/New_York", date(2025, 11, 1), utc(2025, 11, 2, 4, 0, 0)}, // the day before: still EDT
		{"America/New_York", date(2025, 3, 9), utc(2025, 3, 10, 4, 0, 0)},  // spring-forward day: 23 hours
		{"America/New_York", date(2025, 3, 8), utc(2025, 3, 9, 5, 0, 0)},   // the day before: still EST
		{"Europe/Berlin", date(2025, 3, 30), utc(2025, 3, 30, 22, 0, 0)},
		{"Europe/Berlin", date(2025, 3, 29), utc(2025, 3, 29, 23, 0, 0)},
		{"Europe/Berlin", date(2025, 10, 26), utc(2025, 10, 26, 23, 0, 0)},
		{"Europe/Berlin", date(2025, 10, 25), utc(2025, 10, 25, 22, 0, 0)},
		{"Asia/Vientiane", date(2025, 3, 9), utc(2025, 3, 9, 17, 0, 0)},
		{"UTC", date(2025, 3, 9), utc(2025, 3, 10, 0, 0, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.zone+" "+tc.deadline.String(), func(t *testing.T) {
			cfg := mustParse(t, "time_zone: "+tc.zone+"\n")
			if got := tc.deadline.End(cfg.Location); !got.Equal(tc.firstOverdue) {
				t.Errorf("%v.End(%s) = %s, want %s", tc.deadline, tc.zone, got.UTC(), tc.firstOverdue)
			}
			stage := workflow.Deadline{Date: tc.deadline, Kind: workflow.KindStage, Ref: "assigned"}
			for _, c := range []struct {
				now  time.Time
				want bool
			}{
				{tc.firstOverdue.Add(-time.Minute), false},
				{tc.firstOverdue.Add(-time.Nanosecond), false},
				{tc.firstOverdue, true},
				{tc.firstOverdue.Add(time.Minute), true},
			} {
				today := workflow.Today(cfg.Location, c.now)
				if got := stage.Overdue(today); got != c.want {
					t.Errorf("at %s (today %v) Overdue = %v, want %v", c.now.UTC().Format(time.RFC3339Nano), today, got, c.want)
				}
			}
		})
	}

	// The same through NextDeadline: a stage deadline on 2025-11-02 in New
	// York, and a milestone that drops off at the same instant.
	cfg := mustParse(t, `
time_zone: America/New_York
reports:
  - id: r
    due: 2025-12-02
    milestones:
      - name: inputs
        before: 1mo
stages:
  - id: open
    deadline: import + 1mo
    next: [later]
  - id: later
    next: [done]
  - id: done
    final: true
`)
	task := func(stage string) workflow.Task {
		return workflow.Task{Rec: workflow.Recommendation{ID: coSymbol + ":1", Paragraph: 1},
			Document: workflow.DocFacts{Symbol: coSymbol, Imported: date(2025, 10, 2)}, Stage: stage}
	}
	for _, c := range []struct {
		stage, when string
		now         time.Time
		wantKey     string
		wantOverdue bool
	}{
		{"open", "23:59 EST on 11-02", utc(2025, 11, 3, 4, 59, 0), "stage:open:2025-11-02", false},
		{"open", "00:00 EST on 11-03", utc(2025, 11, 3, 5, 0, 0), "stage:open:2025-11-02", true},
		{"later", "23:59 EST on 11-02", utc(2025, 11, 3, 4, 59, 0), "milestone:r/inputs:2025-11-02", false},
		{"later", "00:00 EST on 11-03", utc(2025, 11, 3, 5, 0, 0), "report:r:2025-12-02", false},
	} {
		got, ok := cfg.Calendar().NextDeadline(task(c.stage), workflow.Today(cfg.Location, c.now))
		if !ok || got.Key() != c.wantKey {
			t.Errorf("%s at %s: NextDeadline = %s, %v; want %s", c.stage, c.when, got.Key(), ok, c.wantKey)
			continue
		}
		if over := got.Overdue(workflow.Today(cfg.Location, c.now)); over != c.wantOverdue {
			t.Errorf("%s at %s: %s Overdue = %v, want %v", c.stage, c.when, got.Key(), over, c.wantOverdue)
		}
	}
}
