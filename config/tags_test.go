package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/civil"
)

// Tag rules and the assignment rules' criteria on affected persons and
// SDGs are read, shown, read back from what is shown, and take part in
// both rules ids (assignment matches on the tags the tag rules give).
func TestTagRules(t *testing.T) {
	path := writeConfig(t, `ministries:`+ministry+`assignment:
  rules:
    - ministry: mps
      affected_persons: [Children]
      sdgs: ["16.2", 5, 4.a]
tags:
  rules:
    - keywords: [police]
      documents: [CRC/C/LAO/CO/5-6]
      themes: [Administration of justice]
      sdgs: [16.3]
special_procedures:
  horizon: 2y
`)
	c := mustLoad(t, path, LoadOptions{})
	r := c.Assignment.Rules[0]
	if !slices.Equal(r.AffectedPersons, []string{"Children"}) || !slices.Equal(r.SDGs, []string{"16.2", "5", "4.a"}) {
		t.Fatalf("rule = %+v", r)
	}
	tr := c.Tags.Rules
	if len(tr) != 1 || !slices.Equal(tr[0].Themes, []string{"Administration of justice"}) || !slices.Equal(tr[0].SDGs, []string{"16.3"}) ||
		!slices.Equal(tr[0].Keywords, []string{"police"}) {
		t.Fatalf("tag rules = %+v", tr)
	}
	if c.SpecialProcedures.Horizon != (civil.Span{Months: 24}) || c.NoReportDeadline() != "2y after its adoption" {
		t.Fatalf("special_procedures = %+v (%q)", c.SpecialProcedures, c.NoReportDeadline())
	}
	shown := string(c.Show())
	for _, want := range []string{`affected_persons: ["Children"]`, `sdgs: ["16.2", "5", "4.a"]`, "tags:\n  rules:\n", `themes: ["Administration of justice"]`,
		"special_procedures:\n  horizon: \"2y\""} {
		if !strings.Contains(shown, want) {
			t.Errorf("show has no %q:\n%s", want, shown)
		}
	}
	c2, err := Parse(path, []byte(shown), LoadOptions{})
	if err != nil {
		t.Fatalf("Parse(Show()): %v\n%s", err, shown)
	}
	assertSame(t, c2, c)

	rules, tags := c.RulesID(), c.TagRulesID()
	c.Tags.Rules[0].Themes = []string{"Police"}
	if c.RulesID() == rules || c.TagRulesID() == tags {
		t.Error("changing a tag rule leaves an id unchanged")
	}
	rules = c.RulesID()
	c.Assignment.Rules[0].SDGs = []string{"16"}
	if c.RulesID() == rules {
		t.Error("changing a rule's SDGs leaves the rules id unchanged")
	}
}

// A config without the new sections shows as it did: no empty criteria
// on its rules, no special_procedures keys.
func TestTagKeysShownOnlyWhenSet(t *testing.T) {
	c := mustLoad(t, writeConfig(t, `ministries:`+ministry+`assignment:
  rules:
    - {ministry: mps, keywords: [police]}
`), LoadOptions{})
	shown := string(c.Show())
	for _, absent := range []string{"affected_persons", "sdgs", "horizon", "report: "} {
		if strings.Contains(shown, absent) {
			t.Errorf("show writes %q for a config without it:\n%s", absent, shown)
		}
	}
	if c.NoReportDeadline() != "" {
		t.Errorf("NoReportDeadline = %q", c.NoReportDeadline())
	}
}

// special_procedures.report names one of the config's reports.
func TestSpecialProceduresReport(t *testing.T) {
	c := mustLoad(t, writeConfig(t, `reports:
  - {id: upr-4, title: UPR, due: 2029-05-01, kind: upr}
special_procedures:
  report: upr-4
`), LoadOptions{})
	if c.SpecialProcedures.Report != "upr-4" || c.NoReportDeadline() != "the report upr-4" {
		t.Fatalf("special_procedures = %+v", c.SpecialProcedures)
	}
	if !strings.Contains(string(c.Show()), "special_procedures:\n  report: \"upr-4\"") {
		t.Errorf("show:\n%s", c.Show())
	}
}

// Mistakes in the tag keys are reported at their place in the file.
func TestTagKeyErrors(t *testing.T) {
	wantErrors(t, `ministries:`+ministry+`reports:
  - {id: upr-4, title: UPR, due: 2029-05-01}
assignment:
  rules:
    - ministry: mps
      sdgs: [18, "16.x", SDG 5]
tags:
  rules:
    - themes: [Education]
    - keywords: [school]
    - keywords: [police]
      sdgs: ["16.30"]
    - keywords: [police]
      persons: [Children]
special_procedures:
  report: upr-5
  horizon: 0d
`,
		`followup.yaml:11:14: assignment.rules[0].sdgs[0]: invalid SDG "18"; expected a goal (1 to 17) or a target such as 16.3 or 4.a, the number alone`,
		`followup.yaml:11:18: assignment.rules[0].sdgs[1]: invalid SDG "16.x"; expected a goal (1 to 17) or a target such as 16.3 or 4.a, the number alone`,
		`followup.yaml:11:26: assignment.rules[0].sdgs[2]: invalid SDG "SDG 5"; expected a goal (1 to 17) or a target such as 16.3 or 4.a, the number alone`,
		`followup.yaml:14:7: tags.rules[0]: a tag rule must set at least one of sections, keywords, regex or documents (which recommendations it tags)`,
		`followup.yaml:15:7: tags.rules[1]: a tag rule must give at least one of themes, affected_persons or sdgs`,
		`followup.yaml:17:14: tags.rules[2].sdgs[0]: invalid SDG "16.30"; expected a goal (1 to 17) or a target such as 16.3 or 4.a, the number alone`,
		`followup.yaml:18:7: tags.rules[3]: a tag rule must give at least one of themes, affected_persons or sdgs`,
		`followup.yaml:19:7: tags.rules[3]: unknown key "persons"; expected one of: sections, keywords, regex, documents, themes, affected_persons, sdgs`,
		`followup.yaml:21:11: special_procedures.report: unknown report "upr-5"; expected one of: upr-4`,
		`followup.yaml:22:12: special_procedures.horizon: must be longer than zero`,
		`followup.yaml:22:12: special_procedures.horizon: give either report or horizon, not both: the report's due date would be the deadline`)
	wantErrors(t, `special_procedures:
  report: upr-4
`, `followup.yaml:2:11: special_procedures.report: unknown report "upr-4": the config names no report (see reports:); give a horizon instead`)
}
