package config

import (
	"strings"
	"testing"
)

// TestStageAsk (issue 10, case 11): each stage says what a reminder asks;
// the default stages have their sentence, a stage may set its own, and a
// misspelt placeholder or a second line is refused where it is written.
func TestStageAsk(t *testing.T) {
	def := Default()
	st, _ := def.Stage("assigned")
	if want := "Please confirm to the {coordinator} {by} that your ministry has received these recommendations."; st.Ask != want {
		t.Errorf("default ask of assigned = %q, want %q", st.Ask, want)
	}
	for _, s := range def.Stages {
		if s.Ask == "" {
			t.Errorf("default stage %s has no ask", s.ID)
		}
	}

	path := writeConfig(t, `stages:
  - id: open
    next: [done]
    deadline: adoption + 2mo
    ask: "Please send the {coordinator} {by} the name of the official in charge."
  - id: review
    next: [done]
  - id: done
    final: true
`)
	c, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	open, _ := c.Stage("open")
	if open.Ask != "Please send the {coordinator} {by} the name of the official in charge." {
		t.Errorf("ask of open = %q", open.Ask)
	}
	review, _ := c.Stage("review")
	if review.Ask != DefaultAsk("review") || !strings.Contains(review.Ask, "{by}") {
		t.Errorf("a stage without ask got %q, want the generic default", review.Ask)
	}
	show := string(c.Show())
	if !strings.Contains(show, `ask: "Please send the {coordinator} {by} the name of the official in charge."`) {
		t.Errorf("config show does not show the ask:\n%s", show)
	}
	// What config show prints loads again to the same asks.
	again, err := Load(writeConfig(t, show), LoadOptions{})
	if err != nil {
		t.Fatalf("config show does not load again: %v", err)
	}
	if s, _ := again.Stage("review"); s.Ask != review.Ask {
		t.Errorf("after show and load: %q, want %q", s.Ask, review.Ask)
	}

	wantErrors(t, `stages:
  - id: open
    next: [done]
    ask: "Please confirm to {coordinater} {by} that you received them."
  - id: done
    final: true
    ask: ""
  - id: other
    final: true
    ask: |
      Please confirm.
      Thank you.
`,
		`followup.yaml:4:10: stages[0].ask: unknown placeholder {coordinater}; expected {coordinator}, {deadline}, {by}`,
		`followup.yaml:7:10: stages[1].ask: must not be empty: say in one sentence what a reminder asks the ministry to do`,
		`followup.yaml:10:10: stages[2].ask: must be one sentence on one line`)
}
