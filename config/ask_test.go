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
	if review.Ask != DefaultAsk("review", "en") || !strings.Contains(review.Ask, "{by}") {
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

// TestStageAsksPerLanguage: a stage's ask in other languages. The built-in
// stages have theirs in French, Spanish and Lao; a stage may give its own
// with asks:, checked like ask:; a stage with an ask of the admin's own and
// no asks: keeps that ask in every language rather than a built-in
// sentence that may ask something else; the default English sentence
// written out keeps the translations.
func TestStageAsksPerLanguage(t *testing.T) {
	def := Default()
	st, _ := def.Stage("assigned")
	for _, lang := range []string{"fr", "es", "lo", "fr-CA", "LO"} {
		if got := st.AskIn(lang); got == st.Ask || got != DefaultAsk("assigned", lang) {
			t.Errorf("AskIn(%q) = %q", lang, got)
		}
	}
	if got := st.AskIn("de"); got != st.Ask {
		t.Errorf("AskIn(de) = %q, want the English ask", got)
	}
	if !strings.HasPrefix(st.AskIn("fr"), "Veuillez confirmer à {coordinator} {by}") {
		t.Errorf("French ask: %q", st.AskIn("fr"))
	}

	path := writeConfig(t, `stages:
  - id: open
    next: [done]
    ask: "Please send the {coordinator} {by} the name of the official in charge."
    asks:
      fr: "Veuillez communiquer à {coordinator} {by} le nom du responsable."
  - id: assigned
    name: Assigned
    next: [done]
    ask: "Please confirm to the {coordinator} {by} that your ministry has received these recommendations."
  - id: own
    next: [done]
    ask: "Please reply {by}."
  - id: done
    final: true
`)
	c, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	open, _ := c.Stage("open")
	if got := open.AskIn("fr"); got != "Veuillez communiquer à {coordinator} {by} le nom du responsable." {
		t.Errorf("open in fr: %q", got)
	}
	if got := open.AskIn("lo"); got != open.Ask {
		t.Errorf("open in lo: %q, want the admin's ask", got)
	}
	assigned, _ := c.Stage("assigned")
	if got := assigned.AskIn("lo"); got != DefaultAsk("assigned", "lo") {
		t.Errorf("the default sentence written out lost its Lao ask: %q", got)
	}
	own, _ := c.Stage("own")
	if got := own.AskIn("es"); got != "Please reply {by}." {
		t.Errorf("own in es: %q", got)
	}
	again, err := Load(writeConfig(t, string(c.Show())), LoadOptions{})
	if err != nil {
		t.Fatalf("config show does not load again: %v", err)
	}
	for _, id := range []string{"open", "assigned", "own"} {
		a, _ := c.Stage(id)
		b, _ := again.Stage(id)
		for _, lang := range []string{"en", "fr", "es", "lo"} {
			if a.AskIn(lang) != b.AskIn(lang) {
				t.Errorf("%s in %s after show and load: %q, want %q", id, lang, b.AskIn(lang), a.AskIn(lang))
			}
		}
	}

	wantErrors(t, `stages:
  - id: open
    next: [done]
    asks:
      fr: "Veuillez confirmer à {coordinateur} {by}."
      "f r": "x {by}"
      es: ""
  - id: done
    final: true
    asks: "Veuillez confirmer."
`,
		`followup.yaml:5:11: stages[0].asks.fr: unknown placeholder {coordinateur}; expected {coordinator}, {deadline}, {by}`,
		`followup.yaml:6:7: stages[0].asks.f r: invalid language tag "f r"; expected a code such as fr, es or lo`,
		`followup.yaml:7:11: stages[0].asks.es: must not be empty: say in one sentence what a reminder asks the ministry to do`,
		`followup.yaml:10:11: stages[1].asks: expected a mapping of language to ask, e.g. asks: {fr: "Veuillez confirmer à {coordinator} {by} …"}; found "Veuillez confirmer."`)
}
