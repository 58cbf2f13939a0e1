package workflow_test

import (
	"slices"
	"testing"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/i18n"
	"github.com/followup-app/followup/workflow"
)

// A task nobody owns, still in the initial stage, is shown as awaiting an
// owner; owned, or moved on, it shows its own stage.
func TestShownStage(t *testing.T) {
	tests := []struct {
		owner, stage string
		awaiting     bool
		shown        string
	}{
		{"", "assigned", true, workflow.AwaitingOwner},
		{"moj", "assigned", false, "assigned"},
		{"", "in_progress", false, "in_progress"}, // moved on before its owner left
		{"moj", "done", false, "done"},
	}
	for _, tt := range tests {
		if got := workflow.Awaiting("assigned", tt.owner, tt.stage); got != tt.awaiting {
			t.Errorf("Awaiting(%q, %q) = %v, want %v", tt.owner, tt.stage, got, tt.awaiting)
		}
		if got := workflow.ShownStage("assigned", tt.owner, tt.stage); got != tt.shown {
			t.Errorf("ShownStage(%q, %q) = %q, want %q", tt.owner, tt.stage, got, tt.shown)
		}
	}
}

// The awaiting stage is named in every language followup ships, never by
// its id, and the names differ from English where the language is not.
func TestAwaitingOwnerStageNamedInEveryLanguage(t *testing.T) {
	s := workflow.AwaitingOwnerStage()
	if s.ID != workflow.AwaitingOwner || s.Name == "" || s.Name == s.ID {
		t.Fatalf("stage %+v: want id %q and an English name", s, workflow.AwaitingOwner)
	}
	for _, lang := range i18n.Languages() {
		label := s.Labels[lang]
		if label == "" || label == s.ID {
			t.Errorf("%s: label %q", lang, label)
		}
		if lang != i18n.English && label == s.Name {
			t.Errorf("%s: label %q is the English name", lang, label)
		}
	}
}

func TestTagsOf(t *testing.T) {
	r := workflow.Recommendation{Themes: []string{"Birth registration"}, AffectedPersons: []string{"Children"}, SDGs: []string{"16.9"}}
	got := workflow.TagsOf(r)
	if !slices.Equal(got.Themes, r.Themes) || !slices.Equal(got.AffectedPersons, r.AffectedPersons) || !slices.Equal(got.SDGs, r.SDGs) {
		t.Fatalf("TagsOf = %+v", got)
	}
	if got.Empty() || !workflow.TagsOf(workflow.Recommendation{}).Empty() {
		t.Fatal("Empty: wrong for a tagged or an untagged recommendation")
	}
}

// Covered: a document has a date its tasks work toward when a report takes
// it, or, for a special procedure's, when the config names a report or a
// horizon for such documents; a treaty body's document that no report
// takes has none, whatever the horizon (the import warns about it).
func TestCovered(t *testing.T) {
	reports := []workflow.Report{
		{ID: "crc-next", Due: civil.Date{Year: 2027, Month: 11, Day: 30}, Documents: []string{"CRC/C/LAO/CO/3-6"}},
		{ID: "upr-5", Due: civil.Date{Year: 2029, Month: 1, Day: 31}, Documents: []string{"A/HRC/59/15"}},
	}
	crc := workflow.DocFacts{Symbol: "CRC/C/LAO/CO/3-6", Kind: workflow.ConcludingObservations}
	other := workflow.DocFacts{Symbol: "CCPR/C/LAO/CO/1", Kind: workflow.ConcludingObservations, Adopted: civil.Date{Year: 2018, Month: 11, Day: 23}}
	sp := workflow.DocFacts{Symbol: "A/HRC/55/60/Add.2", Kind: workflow.SpecialProcedures, Adopted: civil.Date{Year: 2024, Month: 3, Day: 1}}
	spNoDate := workflow.DocFacts{Symbol: "A/HRC/55/61/Add.1", Kind: workflow.SpecialProcedures}
	tests := []struct {
		name     string
		noReport workflow.NoReport
		doc      workflow.DocFacts
		want     bool
	}{
		{"a report takes it", workflow.NoReport{}, crc, true},
		{"no report takes a treaty body's document", workflow.NoReport{Horizon: civil.Span{Months: 24}}, other, false},
		{"special procedure, nothing configured", workflow.NoReport{}, sp, false},
		{"special procedure into a named report", workflow.NoReport{Report: "upr-5"}, sp, true},
		{"special procedure, a report that does not exist", workflow.NoReport{Report: "nowhere"}, sp, false},
		{"special procedure, a horizon", workflow.NoReport{Horizon: civil.Span{Months: 24}}, sp, true},
		{"special procedure, a horizon but no date to count from", workflow.NoReport{Horizon: civil.Span{Months: 24}}, spNoDate, false},
	}
	for _, tt := range tests {
		cal := workflow.NewCalendar(nil, reports).WithNoReport(tt.noReport)
		if got := cal.Covered(tt.doc); got != tt.want {
			t.Errorf("%s: Covered = %v, want %v", tt.name, got, tt.want)
		}
	}
}
