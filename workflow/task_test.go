package workflow_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/workflow"
)

const assignConfig = ministriesYAML + `
assignment:
  overrides:
    - recommendation: "CRC/C/OPSC/LAO/CO/1:26b"
      ministry: moha
      support: [moj]
  rules:
    - name: border-trafficking
      ministry: mps
      support: [mofa, moj]
      sections: [Border]
      keywords: [trafficking]
    - ministry: mps
      keywords: [border police]
    - ministry: moj
      keywords: [police]
    - name: birth-registration
      ministry: moha
      regex: '(?i)birth\s+regist'
    - name: education
      ministry: moes
      sections: [EDUCATION]
    - name: upr-treaties
      ministry: mofa
      keywords: [treaty, treaties]
      documents: [A/HRC/43/15]
`

func TestAssign(t *testing.T) {
	cfg := mustParse(t, assignConfig)
	a := workflow.NewAssigner(cfg.InitialStage, cfg.Assignment)
	rec := func(id, section, subsection, text string) workflow.Recommendation {
		return workflow.Recommendation{ID: id, Section: section, Subsection: subsection, Text: text}
	}
	tests := []struct {
		name        string
		symbol      string
		rec         workflow.Recommendation
		wantOwner   string
		wantSupport []string
		wantBy      string
	}{
		{"override wins over a matching rule", coSymbol,
			rec(coSymbol+":26b", "Border control", "", "Train the border police on trafficking."),
			"moha", []string{"moj"}, "override"},
		{"override is by exact id only", coSymbol,
			rec(coSymbol+":26", "", "", "Unrelated text."),
			"", nil, workflow.Unassigned},
		{"sections and keywords both match", coSymbol,
			rec(coSymbol+":20", "C. Prevention", "Border control", "Combat trafficking in children."),
			"mps", []string{"mofa", "moj"}, "border-trafficking"},
		{"section matches but the keyword does not: next rule", coSymbol,
			rec(coSymbol+":21", "Border control", "", "Raise awareness among parents."),
			"", nil, workflow.Unassigned},
		{"keyword matches but the section does not: next rule", coSymbol,
			rec(coSymbol+":22", "Data collection", "", "Collect data on trafficking."),
			"", nil, workflow.Unassigned},
		{"first matching rule wins", coSymbol,
			rec(coSymbol+":23", "Border areas", "", "Train the police on trafficking cases."),
			"mps", []string{"mofa", "moj"}, "border-trafficking"},
		{"section: case-insensitive substring of the section", coSymbol,
			rec(coSymbol+":30", "D. Education, leisure and cultural activities", "", "Ensure free primary schooling."),
			"moes", nil, "education"},
		{"section: substring of the subsection", coSymbol,
			rec(coSymbol+":31", "D. Rights of the child", "Right to education", "Ensure free primary schooling."),
			"moes", nil, "education"},
		{"multi-word keyword, any case", coSymbol,
			rec(coSymbol+":40", "", "", "Train Border Police officers."),
			"mps", nil, "rule 2"},
		{"multi-word keyword at the end of the text", coSymbol,
			rec(coSymbol+":41", "", "", "Cooperate with the border police"),
			"mps", nil, "rule 2"},
		{"one word keyword: unnamed rule 3", coSymbol,
			rec(coSymbol+":42", "", "", "Police should investigate every case."),
			"moj", nil, "rule 3"},
		{"keyword before punctuation", coSymbol,
			rec(coSymbol+":43", "", "", "Strengthen the capacity of the police."),
			"moj", nil, "rule 3"},
		{"keyword before a possessive", coSymbol,
			rec(coSymbol+":44", "", "", "Review the police's procedures."),
			"moj", nil, "rule 3"},
		{"whole words: police does not match policies", coSymbol,
			rec(coSymbol+":45", "", "", "Adopt policies on child protection."),
			"", nil, workflow.Unassigned},
		{"whole words: police does not match policemen", coSymbol,
			rec(coSymbol+":46", "", "", "Recruit more policemen and policewomen."),
			"", nil, workflow.Unassigned},
		{"whole words: police does not match a word ending in it", coSymbol,
			rec(coSymbol+":47", "", "", "Set up a childpolice unit."),
			"", nil, workflow.Unassigned},
		{"whole words: border police does not match border policies", coSymbol,
			rec(coSymbol+":48", "", "", "Review border policies."),
			"", nil, workflow.Unassigned},
		{"regex", coSymbol,
			rec(coSymbol+":50", "", "", "Ensure free Birth  Registration for all children."),
			"moha", nil, "birth-registration"},
		{"regex does not match", coSymbol,
			rec(coSymbol+":51", "", "", "Ensure birth certificates are free."),
			"", nil, workflow.Unassigned},
		{"documents: the rule's document", uprSymbol,
			rec(uprSymbol+":122.17", "", "", "Ratify the remaining core human rights treaties."),
			"mofa", nil, "upr-treaties"},
		{"documents: another document", coSymbol,
			rec(coSymbol+":60", "", "", "Ratify the remaining core human rights treaties."),
			"", nil, workflow.Unassigned},
		{"nothing matches", coSymbol,
			rec(coSymbol+":70", "E. Other", "", "Disseminate these concluding observations widely."),
			"", nil, workflow.Unassigned},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := a.Assign(tc.symbol, tc.rec)
			if got.Owner != tc.wantOwner || got.By != tc.wantBy || !slices.Equal(got.Support, tc.wantSupport) {
				t.Errorf("Assign = owner %q support %q by %q; want owner %q support %q by %q",
					got.Owner, got.Support, got.By, tc.wantOwner, tc.wantSupport, tc.wantBy)
			}
			if got.Stage != cfg.InitialStage {
				t.Errorf("Assign.Stage = %q, want the initial stage %q", got.Stage, cfg.InitialStage)
			}
			if got.Manual {
				t.Errorf("Assign.Manual = true, want false: rules and overrides are not manual")
			}
		})
	}
}

func TestAssignUnassigned(t *testing.T) {
	cfg := config.Default() // no rules at all
	got := workflow.NewAssigner(cfg.InitialStage, cfg.Assignment).Assign(coSymbol, workflow.Recommendation{ID: coSymbol + ":1", Text: "Anything."})
	want := workflow.Assignment{Owner: "", By: workflow.Unassigned, Stage: "assigned"}
	if got.Owner != want.Owner || got.By != want.By || got.Stage != want.Stage || got.Support != nil {
		t.Errorf("Assign with no rules = %+v, want %+v", got, want)
	}
	task := workflow.Task{Owner: got.Owner}
	if !task.Unassigned() {
		t.Errorf("Task{Owner: %q}.Unassigned() = false, want true", got.Owner)
	}
}

func TestAssignSupportIsACopy(t *testing.T) {
	cfg := mustParse(t, assignConfig)
	a := workflow.NewAssigner(cfg.InitialStage, cfg.Assignment)
	for _, tc := range []struct {
		name string
		rec  workflow.Recommendation
		cfg  func() []string
	}{
		{"rule", workflow.Recommendation{ID: coSymbol + ":20", Section: "Border", Text: "trafficking"},
			func() []string { return cfg.Assignment.Rules[0].Support }},
		{"override", workflow.Recommendation{ID: coSymbol + ":26b", Text: "x"},
			func() []string { return cfg.Assignment.Overrides[0].Support }},
	} {
		before := slices.Clone(tc.cfg())
		first := a.Assign(coSymbol, tc.rec)
		if len(first.Support) == 0 {
			t.Fatalf("%s: Assign gave no support ministries; the test needs some", tc.name)
		}
		first.Support[0] = "mutated"
		_ = append(first.Support[:1], "appended")
		if got := tc.cfg(); !slices.Equal(got, before) {
			t.Errorf("%s: config support after mutating the result = %q, want %q", tc.name, got, before)
		}
		if again := a.Assign(coSymbol, tc.rec); !slices.Equal(again.Support, before) {
			t.Errorf("%s: second Assign support = %q, want %q", tc.name, again.Support, before)
		}
	}
}

func TestAssignmentSame(t *testing.T) {
	a := workflow.Assignment{Owner: "mps", Support: []string{"moj"}, By: "rule 1"}
	tests := []struct {
		b    workflow.Assignment
		want bool
	}{
		{workflow.Assignment{Owner: "mps", Support: []string{"moj"}, By: "override", Stage: "x"}, true},
		{workflow.Assignment{Owner: "moj", Support: []string{"moj"}}, false},
		{workflow.Assignment{Owner: "mps"}, false},
		{workflow.Assignment{Owner: "mps", Support: []string{"moj", "mofa"}}, false},
	}
	for _, tc := range tests {
		if got := a.Same(tc.b); got != tc.want {
			t.Errorf("%+v.Same(%+v) = %v, want %v", a, tc.b, got, tc.want)
		}
	}
}

func TestAllowedNext(t *testing.T) {
	cfg := config.Default()
	tests := []struct {
		from, status string
		want         []string
	}{
		{"assigned", "", []string{"acknowledged"}},
		{"assigned", workflow.StatusSupported, []string{"acknowledged"}},
		{"assigned", workflow.StatusPending, []string{"acknowledged"}},
		{"assigned", workflow.StatusNoted, []string{"acknowledged", "not_accepted"}},
		{"acknowledged", "", []string{"action_planned"}},
		{"acknowledged", workflow.StatusNoted, []string{"action_planned", "not_accepted"}},
		{"action_planned", "", []string{"in_progress"}},
		{"in_progress", "", []string{"implemented", "partially_implemented"}},
		{"implemented", "", []string{"reported"}},
		{"partially_implemented", workflow.StatusNoted, []string{"in_progress", "reported"}},
		{"reported", workflow.StatusNoted, nil},
		{"not_accepted", "", nil},
		{"no-such-stage", "", nil},
	}
	for _, tc := range tests {
		if got := workflow.AllowedNext(cfg.Stages, tc.from, tc.status); !slices.Equal(got, tc.want) {
			t.Errorf("AllowedNext(%q, %q) = %q, want %q", tc.from, tc.status, got, tc.want)
		}
	}
}

func TestFinal(t *testing.T) {
	cfg := config.Default()
	for stage, want := range map[string]bool{
		"assigned": false, "in_progress": false, "reported": true, "not_accepted": true, "no-such-stage": false,
	} {
		if got := workflow.Final(cfg.Stages, stage); got != want {
			t.Errorf("Final(%q) = %v, want %v", stage, got, want)
		}
	}
}

func TestCheckTransition(t *testing.T) {
	cfg := config.Default()
	const id = coSymbol + ":14a"
	task := func(stage, status string) workflow.Task {
		return workflow.Task{Rec: workflow.Recommendation{ID: id, Status: status}, Stage: stage}
	}
	tests := []struct {
		name        string
		task        workflow.Task
		to          string
		wantErr     string // "" = allowed
		wantAllowed []string
	}{
		{"allowed", task("assigned", ""), "acknowledged", "", nil},
		{"allowed, second choice", task("in_progress", ""), "partially_implemented", "", nil},
		{"allowed back", task("partially_implemented", ""), "in_progress", "", nil},
		{"not_accepted for a noted recommendation", task("assigned", workflow.StatusNoted), "not_accepted", "", nil},
		{"not_accepted from acknowledged, noted", task("acknowledged", workflow.StatusNoted), "not_accepted", "", nil},
		{"illegal move", task("assigned", workflow.StatusNoted), "implemented",
			`cannot move CRC/C/OPSC/LAO/CO/1:14a from "assigned" to "implemented"; allowed from "assigned": acknowledged, not_accepted`,
			[]string{"acknowledged", "not_accepted"}},
		{"illegal move, no status", task("assigned", ""), "implemented",
			`cannot move CRC/C/OPSC/LAO/CO/1:14a from "assigned" to "implemented"; allowed from "assigned": acknowledged`,
			[]string{"acknowledged"}},
		{"to the same stage", task("in_progress", ""), "in_progress",
			`cannot move CRC/C/OPSC/LAO/CO/1:14a from "in_progress" to "in_progress"; allowed from "in_progress": implemented, partially_implemented`,
			[]string{"implemented", "partially_implemented"}},
		{"unknown target stage", task("assigned", ""), "done",
			`cannot move CRC/C/OPSC/LAO/CO/1:14a from "assigned" to "done": there is no stage "done"; allowed from "assigned": acknowledged`,
			[]string{"acknowledged"}},
		{"only_status refuses supported", task("assigned", workflow.StatusSupported), "not_accepted",
			`cannot move CRC/C/OPSC/LAO/CO/1:14a from "assigned" to "not_accepted": "not_accepted" is only for recommendations with status noted (this one: supported); allowed from "assigned": acknowledged`,
			[]string{"acknowledged"}},
		{"only_status refuses no status", task("acknowledged", ""), "not_accepted",
			`cannot move CRC/C/OPSC/LAO/CO/1:14a from "acknowledged" to "not_accepted": "not_accepted" is only for recommendations with status noted (this one: none); allowed from "acknowledged": action_planned`,
			[]string{"action_planned"}},
		{"only_status stage not among the next ones: no status reason", task("action_planned", workflow.StatusSupported), "not_accepted",
			`cannot move CRC/C/OPSC/LAO/CO/1:14a from "action_planned" to "not_accepted"; allowed from "action_planned": in_progress`,
			[]string{"in_progress"}},
		{"from a final stage", task("reported", ""), "in_progress",
			`cannot move CRC/C/OPSC/LAO/CO/1:14a from "reported" to "in_progress"; allowed from "reported": none: it is a final stage`,
			nil},
		{"from the other final stage", task("not_accepted", workflow.StatusNoted), "assigned",
			`cannot move CRC/C/OPSC/LAO/CO/1:14a from "not_accepted" to "assigned"; allowed from "not_accepted": none: it is a final stage`,
			nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := workflow.CheckTransition(cfg.Stages, tc.task, tc.to)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckTransition(%q -> %q) = %v, want nil", tc.task.Stage, tc.to, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckTransition(%q -> %q) = nil, want an error", tc.task.Stage, tc.to)
			}
			if got := err.Error(); got != tc.wantErr {
				t.Errorf("error:\n got: %s\nwant: %s", got, tc.wantErr)
			}
			var te *workflow.TransitionError
			if !errors.As(err, &te) {
				t.Fatalf("error is %T, want *workflow.TransitionError", err)
			}
			if te.Task != id || te.From != tc.task.Stage || te.To != tc.to || !slices.Equal(te.Allowed, tc.wantAllowed) {
				t.Errorf("TransitionError = %+v; want Task %q From %q To %q Allowed %q", te, id, tc.task.Stage, tc.to, tc.wantAllowed)
			}
		})
	}
}

// TestCheckTransitionCustomStages: a UPR workflow where a stage admits only
// supported recommendations and another only noted ones.
func TestCheckTransitionCustomStages(t *testing.T) {
	cfg := mustParse(t, `
stages:
  - id: received
    next: [accepted, noted]
  - id: accepted
    only_status: [supported]
    next: [done]
  - id: noted
    name: Noted
    only_status: [noted, pending]
    final: true
  - id: done
    final: true
`)
	tests := []struct {
		status, to string
		wantErr    string
	}{
		{"supported", "accepted", ""},
		{"noted", "noted", ""},
		{"pending", "noted", ""},
		{"noted", "accepted",
			`cannot move A/HRC/43/15:122.17 from "received" to "accepted": "accepted" is only for recommendations with status supported (this one: noted); allowed from "received": noted`},
		{"supported", "noted",
			`cannot move A/HRC/43/15:122.17 from "received" to "noted": "noted" is only for recommendations with status noted or pending (this one: supported); allowed from "received": accepted`},
	}
	for _, tc := range tests {
		task := workflow.Task{Rec: workflow.Recommendation{ID: uprSymbol + ":122.17", Status: tc.status}, Stage: "received"}
		err := workflow.CheckTransition(cfg.Stages, task, tc.to)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s -> %s: CheckTransition = %v, want nil", tc.status, tc.to, err)
		case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr):
			t.Errorf("%s -> %s: CheckTransition error:\n got: %v\nwant: %s", tc.status, tc.to, err, tc.wantErr)
		}
	}
}

func TestAssignKeywordWholeWordsBeyondASCII(t *testing.T) {
	cfg := mustParse(t, ministriesYAML+`
assignment:
  rules:
    - name: education-fr
      ministry: moes
      keywords: [éducation]
    - name: police-lo
      ministry: mps
      keywords: [ຕຳຫຼວດ]
    - name: un
      ministry: mofa
      keywords: [U.N.]
`)
	a := workflow.NewAssigner(cfg.InitialStage, cfg.Assignment)
	tests := []struct{ text, wantBy string }{
		{"Garantir le droit à l'éducation des enfants.", "education-fr"},
		{"L'accès à l'éducation primaire.", "education-fr"},
		{"ຝຶກອົບຮົມ ຕຳຫຼວດ ຊາຍແດນ", "police-lo"},
		{"Cooperate with U.N. agencies.", "un"},
		{"La rééducation des enfants.", workflow.Unassigned}, // still whole words
	}
	for _, tc := range tests {
		got := a.Assign(coSymbol, workflow.Recommendation{ID: coSymbol + ":1", Text: tc.text})
		if got.By != tc.wantBy {
			t.Errorf("Assign(%q).By = %q, want %q", tc.text, got.By, tc.wantBy)
		}
	}
}

func TestTransitionErrorFinalOnlyForFinalStages(t *testing.T) {
	cfg := mustParse(t, `
stages:
  - id: received
    next: [review]
  - id: review
    next: [rejected]
  - id: rejected
    only_status: [noted]
    final: true
`)
	for stage, want := range map[string]string{
		"review":                        "none for this recommendation's status",
		"old_stage_removed_from_config": "the config has no such stage any more",
	} {
		task := workflow.Task{Rec: workflow.Recommendation{ID: uprSymbol + ":122.17", Status: "supported"}, Stage: stage}
		err := workflow.CheckTransition(cfg.Stages, task, "received")
		if err == nil {
			t.Fatalf("CheckTransition from %q = nil, want an error", stage)
		}
		if strings.Contains(err.Error(), "final stage") || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckTransition from %q: %v\nwant %q and no claim that it is a final stage", stage, err, want)
		}
	}
}

// A rule on themes matches a UPR matrix's themes (any of them, as a
// case-insensitive substring) and never a recommendation without themes.
func TestAssignThemes(t *testing.T) {
	cfg := mustParse(t, `ministries:
  - id: moe
    name: Education
    focal_points: [{name: A, email: a@moe.example.org}]
  - id: mol
    name: Labour
    focal_points: [{name: B, email: b@mol.example.org}]
assignment:
  rules:
    - ministry: moe
      themes: [education]
    - ministry: mol
      themes: [Just & favourable conditions of work]
      keywords: [wage]
`)
	a := workflow.NewAssigner(cfg.InitialStage, cfg.Assignment)
	for _, tc := range []struct {
		themes []string
		text   string
		want   string
	}{
		{[]string{"Children: definition; general principles; protection", "Right to education - general"}, "Build schools.", "moe"},
		{[]string{"Just & favourable conditions of work"}, "Raise the minimum wage.", "mol"},
		{[]string{"Just & favourable conditions of work"}, "Inspect workplaces.", ""}, // themes match, keyword does not
		{nil, "Improve education for all.", ""},                                       // no themes: a treaty body's recommendation
	} {
		got := a.Assign("A/HRC/59/15", workflow.Recommendation{ID: "A/HRC/59/15:140.1", Text: tc.text, Themes: tc.themes})
		if got.Owner != tc.want {
			t.Errorf("themes %q, text %q: owner %q, want %q", tc.themes, tc.text, got.Owner, tc.want)
		}
	}
}
