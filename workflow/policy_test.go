package workflow_test

import (
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/workflow"
)

// TestStageTexts: a stage's name and ask in a language are found by the
// exact tag, then its first part, whatever the case or separator; else
// the name (or the id) and the ask as written.
func TestStageTexts(t *testing.T) {
	st := workflow.Stage{ID: "assigned", Name: "Assigned", Ask: "Please confirm {by}.",
		Labels: map[string]string{"fr": "Attribuée", "pt-br": "Atribuída"},
		Asks:   map[string]string{"fr": "Veuillez confirmer {by}."}}
	for _, tc := range []struct{ lang, label, ask string }{
		{"fr", "Attribuée", "Veuillez confirmer {by}."},
		{" FR_ca ", "Attribuée", "Veuillez confirmer {by}."},
		{"pt-BR", "Atribuída", "Please confirm {by}."},
		{"pt", "Assigned", "Please confirm {by}."},
		{"de", "Assigned", "Please confirm {by}."},
		{"", "Assigned", "Please confirm {by}."},
	} {
		if got := st.Label(tc.lang); got != tc.label {
			t.Errorf("Label(%q) = %q, want %q", tc.lang, got, tc.label)
		}
		if got := st.AskIn(tc.lang); got != tc.ask {
			t.Errorf("AskIn(%q) = %q, want %q", tc.lang, got, tc.ask)
		}
	}
	if got := (workflow.Stage{ID: "open"}).Label("fr"); got != "open" {
		t.Errorf("a stage without a name: Label = %q, want its id", got)
	}
}

// TestTodayWithoutZone: no zone is UTC, never a panic.
func TestTodayWithoutZone(t *testing.T) {
	now := time.Date(2025, 3, 9, 23, 30, 0, 0, time.FixedZone("UTC-2", -2*3600))
	if got := workflow.Today(nil, now); got != date(2025, 3, 10) {
		t.Errorf("Today(nil) = %s, want 2025-03-10", got)
	}
}

// TestStageDeadlineLabelWithoutNames: a deadline's label names stages
// without a name by their ids.
func TestStageDeadlineLabelWithoutNames(t *testing.T) {
	stages := []workflow.Stage{
		{ID: "open", Next: []string{"closed"}, Deadline: &workflow.Anchor{From: "import", Sign: 1, Span: civil.Span{Days: 30}}},
		{ID: "closed", Final: true},
	}
	cal := workflow.NewCalendar(stages, nil)
	d, ok := cal.StageDeadline(workflow.DocFacts{Symbol: coSymbol, Imported: date(2025, 1, 1)}, "open")
	if !ok || d.Label != "open → closed" || d.Date != date(2025, 1, 31) {
		t.Errorf("StageDeadline = %+v, %v", d, ok)
	}
}
