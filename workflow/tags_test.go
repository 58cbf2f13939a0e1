package workflow_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/workflow"
)

// Tag rules add their tags to a recommendation's own, every matching rule;
// assignment rules match on affected persons and SDGs (a goal covers its
// targets), and on the tags the tag rules give when the planner applies
// them first.
func TestTagRulesAndAssignmentOnTags(t *testing.T) {
	cfg := mustParse(t, ministriesYAML+`
assignment:
  rules:
    - {name: children, ministry: moes, affected_persons: [child]}
    - {name: justice, ministry: moj, sdgs: ["16"]}
    - {name: hunger, ministry: mofa, sdgs: ["2.1"]}
tags:
  rules:
    - keywords: [school]
      themes: [Right to education]
      affected_persons: [Children]
    - keywords: [court, school]
      sdgs: ["16.3"]
      themes: [right to EDUCATION, Administration of justice]
`)
	tagger := workflow.NewTagger(cfg.Tags.Rules)
	a := workflow.NewAssigner(cfg.InitialStage, cfg.Assignment)
	rec := workflow.Recommendation{ID: "X:1", Text: "Build a school near the court."}
	got := tagger.Tags("X", rec)
	if !slices.Equal(got.Themes, []string{"Right to education", "Administration of justice"}) || !slices.Equal(got.AffectedPersons, []string{"Children"}) ||
		!slices.Equal(got.SDGs, []string{"16.3"}) {
		t.Fatalf("tags = %+v", got)
	}
	tagged := tagger.Apply("X", workflow.Recommendation{ID: "X:1", Text: "Build a school.", Themes: []string{"Education"}, SDGs: []string{"4.1"}})
	if !slices.Equal(tagged.Themes, []string{"Education", "Right to education", "Administration of justice"}) || !slices.Equal(tagged.SDGs, []string{"4.1", "16.3"}) {
		t.Fatalf("applied = %+v", tagged)
	}
	if by := a.Assign("X", tagged).By; by != "children" {
		t.Errorf("tagged school: assigned by %q, want children", by)
	}
	for _, c := range []struct {
		rec  workflow.Recommendation
		want string
	}{
		{workflow.Recommendation{SDGs: []string{"16.3"}}, "justice"},        // a goal covers its targets
		{workflow.Recommendation{SDGs: []string{"16"}}, "justice"},          // and itself
		{workflow.Recommendation{SDGs: []string{"2"}}, workflow.Unassigned}, // a target does not cover its goal
		{workflow.Recommendation{SDGs: []string{"2.1"}}, "hunger"},
		{workflow.Recommendation{SDGs: []string{"1.6"}}, workflow.Unassigned}, // "16" is not a prefix of "1.6"
		{workflow.Recommendation{AffectedPersons: []string{"Children in street situations"}}, "children"},
		{workflow.Recommendation{Themes: []string{"Children"}}, workflow.Unassigned}, // persons are not themes
	} {
		if by := a.Assign("X", c.rec).By; by != c.want {
			t.Errorf("%+v: assigned by %q, want %q", c.rec, by, c.want)
		}
	}
	if (workflow.Tags{}).Empty() != true || tagger.Tags("X", workflow.Recommendation{Text: "nothing"}).Empty() != true {
		t.Error("no tag is not Empty")
	}
}

func TestMergeTagsAndSDGs(t *testing.T) {
	if got := workflow.MergeTags([]string{"Women"}, []string{"women", " Girls ", "", "Girls"}); !slices.Equal(got, []string{"Women", "Girls"}) {
		t.Errorf("MergeTags = %q", got)
	}
	for s, ok := range map[string]bool{"5": true, "17": true, "16.3": true, "4.a": true, "17.19": true, "18": false, "0": false,
		"16.": false, "16.20": false, "16.k": false, "Goal 5": false, "": false} {
		if workflow.ValidSDG(s) != ok {
			t.Errorf("ValidSDG(%q) = %v", s, !ok)
		}
	}
}

// A special procedure's document that goes into no report takes the
// report special_procedures names, or a horizon after its adoption; a
// report of the config that names it comes first; other kinds of document
// are not touched.
func TestSpecialProceduresDeadlines(t *testing.T) {
	const reports = `
reports:
  - {id: upr-4, title: UPR, due: 2029-05-01, documents: [A/HRC/43/15]}
  - {id: sr-visit, title: Visit, due: 2027-03-01, documents: [A/HRC/52/40/Add.1]}
`
	sp := workflow.DocFacts{Symbol: "A/HRC/55/60/Add.2", Kind: workflow.SpecialProcedures, Adopted: date(2025, 3, 10), Imported: date(2026, 1, 5)}
	keys := func(cfgText string, doc workflow.DocFacts, stage string) string {
		cfg := mustParse(t, cfgText)
		var out []string
		for _, d := range cfg.Calendar().Group(doc, stage) {
			out = append(out, d.Key())
		}
		return strings.Join(out, " ")
	}
	if got := keys(reports, sp, "in_progress"); got != "" {
		t.Errorf("no special_procedures: %q, want no deadline", got)
	}
	if cfg := mustParse(t, reports); cfg.Calendar().Covered(sp) {
		t.Error("Covered without special_procedures")
	}
	if got := keys(reports+"special_procedures: {report: upr-4}\n", sp, "in_progress"); got != "stage:in_progress:2028-08-01 report:upr-4:2029-05-01" {
		t.Errorf("special_procedures.report: %q", got)
	}
	h := reports + "special_procedures: {horizon: 2y}\n"
	if got := keys(h, sp, "in_progress"); got != "stage:in_progress:2026-06-10 horizon:horizon:2027-03-10" {
		t.Errorf("special_procedures.horizon: %q", got)
	}
	cfg := mustParse(t, h)
	if !cfg.Calendar().Covered(sp) {
		t.Error("not Covered with a horizon")
	}
	d, ok := cfg.Calendar().NextDeadline(workflow.Task{Document: sp, Stage: "action_planned"}, date(2027, 3, 11))
	if !ok || d.Kind != workflow.KindHorizon || !d.Overdue(date(2027, 3, 11)) || d.Label != "A/HRC/55/60/Add.2 due" {
		t.Errorf("after the horizon: %+v %v, want it overdue", d, ok)
	}
	noDate := sp
	noDate.Adopted = date(0, 0, 0)
	if got := keys(h, noDate, "in_progress"); !strings.HasSuffix(got, "horizon:horizon:2028-01-05") {
		t.Errorf("horizon without an adoption date: %q, want two years after the import", got)
	}
	named := sp
	named.Symbol = "A/HRC/52/40/Add.1"
	if got := keys(h, named, "in_progress"); got != "stage:in_progress:2026-06-01 report:sr-visit:2027-03-01" {
		t.Errorf("a special procedure a report names: %q", got)
	}
	co := sp
	co.Kind = workflow.ConcludingObservations
	if got := keys(h, co, "in_progress"); got != "" {
		t.Errorf("concluding observations took the special procedures' horizon: %q", got)
	}
}

// A document that no report of the config takes (another State's, or a
// committee the config has no report for) works toward the date it gives
// for the next report: it was deadline-free. A report of the config that
// takes it comes first, and a special procedure's document keeps the
// config's horizon.
func TestOwnDateWhereNoReport(t *testing.T) {
	const reports = `
reports:
  - {id: crc-next, title: CRC, due: 2028-01-31, documents: [CRC/C/LAO/CO/5-6]}
`
	other := workflow.DocFacts{Symbol: "CRC/C/THA/CO/5-6", Kind: workflow.ConcludingObservations, Adopted: date(2026, 2, 6),
		Imported: date(2026, 3, 1), NextReport: date(2031, 4, 30)}
	keys := func(cfgText string, doc workflow.DocFacts, stage string) string {
		cfg := mustParse(t, cfgText)
		var out []string
		for _, d := range cfg.Calendar().Group(doc, stage) {
			out = append(out, d.Key())
		}
		return strings.Join(out, " ")
	}
	// in_progress's deadline counts from the report: here, its own date.
	if got := keys(reports, other, "in_progress"); got != "stage:in_progress:2030-07-30 horizon:horizon:2031-04-30" {
		t.Errorf("another State's document: %q", got)
	}
	cal := mustParse(t, reports).Calendar()
	if !cal.Covered(other) || cal.InReport(other) {
		t.Errorf("Covered %v, InReport %v: want covered by its own date, in no report", cal.Covered(other), cal.InReport(other))
	}
	d, ok := cal.NextDeadline(workflow.Task{Document: other, Stage: "action_planned"}, date(2031, 5, 1))
	if !ok || d.Kind != workflow.KindHorizon || d.Label != "CRC/C/THA/CO/5-6 due" || !d.Overdue(date(2031, 5, 1)) {
		t.Errorf("after its own date: %+v %v, want it overdue", d, ok)
	}
	// Without a date of its own: the stages' deadlines alone (the import
	// warns).
	noDate := other
	noDate.NextReport = date(0, 0, 0)
	if got := keys(reports, noDate, "in_progress"); got != "" {
		t.Errorf("no date of its own: %q, want none", got)
	}
	if cal.Covered(noDate) {
		t.Error("Covered without a date")
	}
	// A report that takes it: the report's dates, not its own.
	taken := other
	taken.Symbol = "CRC/C/LAO/CO/5-6"
	if got := keys(reports, taken, "in_progress"); got != "stage:in_progress:2027-04-30 report:crc-next:2028-01-31" {
		t.Errorf("a document a report takes: %q", got)
	}
	// A special procedure's document: the config's horizon first.
	sp := other
	sp.Kind = workflow.SpecialProcedures
	if got := keys(reports+"special_procedures: {horizon: 2y}\n", sp, "in_progress"); got != "stage:in_progress:2027-05-06 horizon:horizon:2028-02-06" {
		t.Errorf("a special procedure's document with a horizon: %q", got)
	}
}
