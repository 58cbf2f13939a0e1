package config

import (
	"slices"
	"strings"
	"testing"
)

// A rule may match on the themes of a UPR matrix alone; the config shows
// them, reads its own output back, and a rule's themes take part in the
// rules id.
func TestRuleThemes(t *testing.T) {
	path := writeConfig(t, `ministries:`+ministry+`assignment:
  rules:
    - name: Education
      ministry: mps
      themes: [Right to education, "Children: protection against exploitation"]
`)
	c := mustLoad(t, path, LoadOptions{})
	r := c.Assignment.Rules[0]
	if !slices.Equal(r.Themes, []string{"Right to education", "Children: protection against exploitation"}) {
		t.Fatalf("themes = %q", r.Themes)
	}
	shown := string(c.Show())
	if !strings.Contains(shown, `themes: ["Right to education", "Children: protection against exploitation"]`) {
		t.Errorf("show:\n%s", shown)
	}
	c2, err := Parse(path, []byte(shown), LoadOptions{})
	if err != nil || !slices.Equal(c2.Assignment.Rules[0].Themes, r.Themes) {
		t.Fatalf("Parse(Show()): %v %+v", err, c2)
	}
	before := c.RulesID()
	c.Assignment.Rules[0].Themes = []string{"Right to education"}
	if c.RulesID() == before {
		t.Error("changing a rule's themes leaves the rules id unchanged")
	}
}

func TestRuleThemesErrors(t *testing.T) {
	wantErrors(t, `ministries:`+ministry+`assignment:
  rules:
    - ministry: mps
      themes: []
    - ministry: mps
      themes: education
    - ministry: mps
      themes: [Education]
      theme: [Health]
`,
		`followup.yaml:8:7: assignment.rules[0]: a rule must set at least one of sections, keywords, regex, themes, affected_persons or sdgs`,
		`followup.yaml:11:15: assignment.rules[1].themes: expected a list`,
		`followup.yaml:14:7: assignment.rules[2]: unknown key "theme"; expected one of: name, ministry, support, sections, keywords, regex, themes, affected_persons, sdgs, documents`)
}
