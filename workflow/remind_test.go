package workflow_test

import (
	"fmt"
	"testing"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/workflow"
)

// reminderRange is what DueReminder should give on every day from D+From
// to D+To (inclusive).
type reminderRange struct {
	From, To int
	Kind     string // "" = no reminder
	Group    string
	Escalate bool
}

// wantOn finds the range that holds offset.
func wantOn(t *testing.T, ranges []reminderRange, offset int) reminderRange {
	t.Helper()
	for _, r := range ranges {
		if offset >= r.From && offset <= r.To {
			return r
		}
	}
	t.Fatalf("no expectation for day D%+d", offset)
	return reminderRange{}
}

func checkDays(t *testing.T, cfg *config.Config, d workflow.Deadline, from, to int, ranges []reminderRange) {
	t.Helper()
	for off := from; off <= to; off++ {
		today := d.Date.AddDays(off)
		w := wantOn(t, ranges, off)
		got, ok := workflow.DueReminder(cfg.Reminders, d, today)
		if w.Kind == "" {
			if ok {
				t.Errorf("D%+d (%v): DueReminder = %+v, true; want none", off, today, got)
			}
			continue
		}
		want := workflow.Reminder{Kind: w.Kind, Group: w.Group, Escalate: w.Escalate}
		if !ok || got != want {
			t.Errorf("D%+d (%v): DueReminder = %+v, %v; want %+v, true", off, today, got, ok, want)
		}
	}
}

// The default policy: leads 30d, 14d, 7d, 1d; due_today; overdue every 7d;
// escalate after 30d.
var defaultHardDays = []reminderRange{
	{-31, -31, "", "", false},
	{-30, -15, "lead:30d", "lead", false},
	{-14, -8, "lead:14d", "lead", false},
	{-7, -2, "lead:7d", "lead", false},
	{-1, -1, "lead:1d", "lead", false},
	{0, 0, "due", "due", false},
	{1, 7, "overdue:0", "overdue", false},
	{8, 14, "overdue:1", "overdue", false},
	{15, 21, "overdue:2", "overdue", false},
	{22, 28, "overdue:3", "overdue", false},
	{29, 29, "overdue:4", "overdue", false},
	{30, 35, "overdue:4", "overdue", true}, // escalate_after 30d
	{36, 40, "overdue:5", "overdue", true},
}

func TestDueReminderDefaultPolicy(t *testing.T) {
	cfg := config.Default()
	// Deadlines whose neighbourhoods cross February (leap and not) and a
	// year end: the count is in calendar days.
	for _, dd := range []civil.Date{date(2025, 3, 10), date(2024, 3, 1), date(2025, 12, 31), date(2028, 2, 29)} {
		for _, kind := range []workflow.DeadlineKind{workflow.KindStage, workflow.KindReport} {
			t.Run(fmt.Sprintf("%s %v", kind, dd), func(t *testing.T) {
				checkDays(t, cfg, workflow.Deadline{Date: dd, Kind: kind, Ref: "x"}, -31, 40, defaultHardDays)
			})
		}
	}
}

func TestDueReminderCountdownPoints(t *testing.T) {
	cfg := config.Default()
	// Milestones and the follow-up date remind like the others up to the
	// day itself and send nothing once passed.
	ranges := []reminderRange{
		{-31, -31, "", "", false},
		{-30, -15, "lead:30d", "lead", false},
		{-14, -8, "lead:14d", "lead", false},
		{-7, -2, "lead:7d", "lead", false},
		{-1, -1, "lead:1d", "lead", false},
		{0, 0, "due", "due", false},
		{1, 40, "", "", false},
	}
	for _, kind := range []workflow.DeadlineKind{workflow.KindMilestone, workflow.KindFollowUp} {
		t.Run(string(kind), func(t *testing.T) {
			checkDays(t, cfg, workflow.Deadline{Date: date(2025, 3, 10), Kind: kind, Ref: "x"}, -31, 40, ranges)
		})
	}
}

func TestDueReminderWithoutDueToday(t *testing.T) {
	cfg := config.Default()
	cfg.Reminders.DueToday = false
	// On the day the last lead time holds: the same Kind as the day before
	// (so the reminder log sends nothing new), presented in the due group.
	ranges := []reminderRange{
		{-31, -31, "", "", false},
		{-30, -15, "lead:30d", "lead", false},
		{-14, -8, "lead:14d", "lead", false},
		{-7, -2, "lead:7d", "lead", false},
		{-1, -1, "lead:1d", "lead", false},
		{0, 0, "lead:1d", "due", false},
		{1, 7, "overdue:0", "overdue", false},
		{8, 10, "overdue:1", "overdue", false},
	}
	checkDays(t, cfg, workflow.Deadline{Date: date(2025, 3, 10), Kind: workflow.KindStage, Ref: "x"}, -31, 10, ranges)

	// Without due_today and without lead times, the day itself sends
	// nothing.
	cfg.Reminders.LeadTimes = nil
	if got, ok := workflow.DueReminder(cfg.Reminders, workflow.Deadline{Date: date(2025, 3, 10), Kind: workflow.KindStage}, date(2025, 3, 10)); ok {
		t.Errorf("no lead times, no due_today: DueReminder on the day = %+v, true; want none", got)
	}
}

func TestDueReminderNoLeadTimes(t *testing.T) {
	cfg := config.Default()
	cfg.Reminders.LeadTimes = nil
	ranges := []reminderRange{
		{-40, -1, "", "", false},
		{0, 0, "due", "due", false},
		{1, 7, "overdue:0", "overdue", false},
	}
	checkDays(t, cfg, workflow.Deadline{Date: date(2025, 3, 10), Kind: workflow.KindStage, Ref: "x"}, -40, 7, ranges)
}

func TestDueReminderOtherOverduePolicy(t *testing.T) {
	cfg := mustParse(t, `
reminders:
  lead_times: [2w]
  due_today: true
  overdue_every: 3d
  escalate_after: 10d
`)
	ranges := []reminderRange{
		{-15, -15, "", "", false},
		{-14, -1, "lead:14d", "lead", false},
		{0, 0, "due", "due", false},
		{1, 3, "overdue:0", "overdue", false},
		{4, 6, "overdue:1", "overdue", false},
		{7, 9, "overdue:2", "overdue", false},
		{10, 12, "overdue:3", "overdue", true},
		{13, 15, "overdue:4", "overdue", true},
	}
	checkDays(t, cfg, workflow.Deadline{Date: date(2025, 1, 1), Kind: workflow.KindReport, Ref: "r"}, -15, 15, ranges)
}

func TestDueReminderMonthLeadTimes(t *testing.T) {
	oneMonth := mustParse(t, "reminders:\n  lead_times: [1mo]\n")
	monthAndWeek := mustParse(t, "reminders:\n  lead_times: [7d, 1mo]\n") // sorted longest first by Parse
	tests := []struct {
		name     string
		cfg      *config.Config
		deadline civil.Date
		today    civil.Date
		want     string // "" = none
	}{
		{"2025-03-31 - 1mo: not on 02-27", oneMonth, date(2025, 3, 31), date(2025, 2, 27), ""},
		{"2025-03-31 - 1mo: fires on 02-28", oneMonth, date(2025, 3, 31), date(2025, 2, 28), "lead:1mo"},
		{"2025-03-31 - 1mo: holds on 03-01", oneMonth, date(2025, 3, 31), date(2025, 3, 1), "lead:1mo"},
		{"2025-03-31 - 1mo: holds on 03-30", oneMonth, date(2025, 3, 31), date(2025, 3, 30), "lead:1mo"},
		{"2024-03-31 - 1mo: not on 02-28", oneMonth, date(2024, 3, 31), date(2024, 2, 28), ""},
		{"2024-03-31 - 1mo: fires on 02-29", oneMonth, date(2024, 3, 31), date(2024, 2, 29), "lead:1mo"},
		{"2025-03-28 - 1mo: fires on 02-28 too", oneMonth, date(2025, 3, 28), date(2025, 2, 28), "lead:1mo"},
		{"2025-03-28 - 1mo: not on 02-27", oneMonth, date(2025, 3, 28), date(2025, 2, 27), ""},
		{"2025-05-31 - 1mo: fires on 04-30", oneMonth, date(2025, 5, 31), date(2025, 4, 30), "lead:1mo"},
		{"2025-05-31 - 1mo: not on 04-29", oneMonth, date(2025, 5, 31), date(2025, 4, 29), ""},
		{"2025-01-31 - 1mo: fires on 2024-12-31 (year end)", oneMonth, date(2025, 1, 31), date(2024, 12, 31), "lead:1mo"},
		{"1mo and 7d: 1mo until the week", monthAndWeek, date(2025, 3, 31), date(2025, 3, 23), "lead:1mo"},
		{"1mo and 7d: 7d from the week", monthAndWeek, date(2025, 3, 31), date(2025, 3, 24), "lead:7d"},
	}
	for _, tc := range tests {
		d := workflow.Deadline{Date: tc.deadline, Kind: workflow.KindStage, Ref: "x"}
		got, ok := workflow.DueReminder(tc.cfg.Reminders, d, tc.today)
		switch {
		case tc.want == "" && ok:
			t.Errorf("%s: DueReminder = %+v, true; want none", tc.name, got)
		case tc.want != "" && (!ok || got.Kind != tc.want || got.Group != "lead"):
			t.Errorf("%s: DueReminder = %+v, %v; want Kind %q Group lead", tc.name, got, ok, tc.want)
		}
	}
}

// TestDueReminderKeysAreStable: the Kind, together with the deadline's
// Key, is what the reminder log stores (decision 2); every day of one
// window gives the same pair, so a reminder is sent once, and a moved
// deadline gives new pairs.
func TestDueReminderKeysAreStable(t *testing.T) {
	cfg := config.Default()
	d := workflow.Deadline{Date: date(2025, 3, 10), Kind: workflow.KindStage, Ref: "assigned"}
	moved := d
	moved.Date = date(2025, 3, 17)
	sent := map[string]bool{}
	for off := -40; off <= 40; off++ {
		r, ok := workflow.DueReminder(cfg.Reminders, d, d.Date.AddDays(off))
		if ok {
			sent[d.Key()+"|"+r.Kind] = true
		}
	}
	// 4 leads + due + overdue:0..5 (D+1 .. D+40).
	if got, want := len(sent), 4+1+6; got != want {
		t.Errorf("distinct reminders over D-40..D+40 = %d, want %d: %v", got, want, sent)
	}
	r, ok := workflow.DueReminder(cfg.Reminders, moved, date(2025, 3, 3))
	if !ok || sent[moved.Key()+"|"+r.Kind] {
		t.Errorf("moved deadline: DueReminder = %+v, %v with key %s; want a reminder not sent before", r, ok, moved.Key())
	}
}

// Years overdue: the k-th repeat falls exactly k×overdue_every after the
// day after the deadline, and not a day before.
func TestDueReminderLongOverdue(t *testing.T) {
	for _, every := range []int{1, 7, 10} {
		cfg := mustParse(t, fmt.Sprintf("reminders:\n  lead_times: [7d]\n  overdue_every: %dd\n", every))
		d := workflow.Deadline{Date: date(2022, 2, 28), Kind: workflow.KindReport, Ref: "r"}
		first := d.Date.AddDays(1)
		for k := 1; k*every < 5*366; k++ {
			on := first.AddDays(k * every)
			for day, want := range map[civil.Date]string{on.AddDays(-1): fmt.Sprintf("overdue:%d", k-1), on: fmt.Sprintf("overdue:%d", k)} {
				r, ok := workflow.DueReminder(cfg.Reminders, d, day)
				if !ok || r.Kind != want {
					t.Fatalf("every %dd, on %s: %q, %v; want %q", every, day, r.Kind, ok, want)
				}
			}
		}
	}
}
