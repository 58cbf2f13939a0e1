package workflow

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/i18n"
)

// Task is the follow-up of one recommendation: who owns it and where it
// stands.
type Task struct {
	ID        int64
	Rec       Recommendation
	Document  DocFacts
	Owner     string   // ministry id; "" = unassigned, held by the coordinating body
	Support   []string // supporting ministries
	By        string   // how the owner was set: a rule's name, "override", or who assigned it by hand
	Manual    bool     // assigned by hand: rules never change it
	Stage     string
	StageDate civil.Date // when it entered the stage, in the config's zone
}

// DocFacts are the facts of a task's document that its deadlines depend on.
type DocFacts struct {
	Symbol string
	// Kind decides where the deadlines of a document that goes into no
	// report come from (NoReport).
	Kind     Kind
	Adopted  civil.Date
	Imported civil.Date // first import, in the config's zone
	FollowUp *FollowUp
	// NextReport is the date the document gives for the State's next
	// report (zero when it gives none): the tasks of a document that goes
	// into no report of the config work toward it (Calendar.Group).
	NextReport civil.Date
}

// Unassigned reports whether no ministry owns the task.
func (t Task) Unassigned() bool { return t.Owner == "" }

// Assignment says who owns a recommendation's task and why.
type Assignment struct {
	Owner   string
	Support []string
	By      string
	Manual  bool
	Stage   string // the first stage, for a new task
}

// Same reports whether a and b give the same owner and support.
func (a Assignment) Same(b Assignment) bool {
	return a.Owner == b.Owner && slices.Equal(a.Support, b.Support)
}

// Unassigned is the By of a task no rule matched.
const Unassigned = "no rule matched"

// Assigner applies overrides and rules to recommendations. Build it once
// per set of rules: it compiles every keyword.
type Assigner struct {
	initial   string // the stage new tasks start in
	rules     []Rule
	overrides map[string]Override
	match     []matcher // per rule
}

// NewAssigner compiles the assignment rules; new tasks start in stage
// initial.
func NewAssigner(initial string, rules AssignmentRules) *Assigner {
	a := &Assigner{initial: initial, rules: rules.Rules, overrides: map[string]Override{}}
	for _, o := range rules.Overrides {
		a.overrides[o.Recommendation] = o
	}
	for _, r := range rules.Rules {
		a.match = append(a.match, newMatcher(r.Documents, r.Sections, r.Keywords, r.Regex, r.Themes, r.AffectedPersons, r.SDGs))
	}
	return a
}

// Assign gives a recommendation its owner: an override for its id wins,
// then the first rule that matches. A recommendation nothing matches is
// unassigned and the coordinating body holds it.
func (a *Assigner) Assign(symbol string, rec Recommendation) Assignment {
	out := Assignment{Stage: a.initial}
	if o, ok := a.overrides[rec.ID]; ok {
		out.Owner, out.Support, out.By = o.Ministry, slices.Clone(o.Support), "override"
		return out
	}
	for i, r := range a.rules {
		if !a.match[i].match(symbol, rec) {
			continue
		}
		out.Owner, out.Support = r.Ministry, slices.Clone(r.Support)
		out.By = r.Name
		if out.By == "" {
			out.By = fmt.Sprintf("rule %d", i+1)
		}
		return out
	}
	out.By = Unassigned
	return out
}

// TransitionError is a refused stage change; its message lists the stages
// the task may move to.
type TransitionError struct {
	Task, From, To string
	Allowed        []string
	Reason         string

	fromFinal, fromMissing bool
}

func (e *TransitionError) Error() string {
	var allowed string
	switch {
	case len(e.Allowed) > 0:
		allowed = strings.Join(e.Allowed, ", ")
	case e.fromFinal:
		allowed = "none: it is a final stage"
	case e.fromMissing:
		allowed = "none: the config has no such stage any more; give the task a stage the config has"
	default:
		allowed = "none for this recommendation's status"
	}
	msg := fmt.Sprintf("cannot move %s from %q to %q", e.Task, e.From, e.To)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg + fmt.Sprintf("; allowed from %q: %s", e.From, allowed)
}

// AllowedNext lists the stages a task in stage from may move to, given its
// recommendation's status (a stage may admit only, say, noted ones).
func AllowedNext(stages []Stage, from, status string) []string {
	st, ok := stageOf(stages, from)
	if !ok {
		return nil
	}
	var out []string
	for _, n := range st.Next {
		if next, ok := stageOf(stages, n); ok && admits(next, status) {
			out = append(out, n)
		}
	}
	return out
}

func admits(s Stage, status string) bool {
	return len(s.OnlyStatus) == 0 || slices.Contains(s.OnlyStatus, status)
}

// CheckTransition says whether task t may move to stage to.
func CheckTransition(stages []Stage, t Task, to string) error {
	allowed := AllowedNext(stages, t.Stage, t.Rec.Status)
	from, known := stageOf(stages, t.Stage)
	e := &TransitionError{Task: t.Rec.ID, From: t.Stage, To: to, Allowed: allowed, fromFinal: known && from.Final, fromMissing: !known}
	target, ok := stageOf(stages, to)
	switch {
	case !ok:
		e.Reason = fmt.Sprintf("there is no stage %q", to)
		return e
	case slices.Contains(allowed, to):
		return nil
	case !admits(target, t.Rec.Status) && slices.Contains(from.Next, to):
		status := t.Rec.Status
		if status == "" {
			status = "none"
		}
		e.Reason = fmt.Sprintf("%q is only for recommendations with status %s (this one: %s)", to, strings.Join(target.OnlyStatus, " or "), status)
		return e
	}
	return e
}

// Final reports whether the stage closes a task.
func Final(stages []Stage, stage string) bool {
	s, ok := stageOf(stages, stage)
	return ok && s.Final
}

// anyTheme reports whether one of the rule's themes (or affected persons)
// is a case-insensitive substring of one of the recommendation's:
// "education" matches "Right to education". A recommendation without any
// matches none.
func anyTheme(want, have []string) bool {
	for _, h := range have {
		h = strings.ToLower(h)
		for _, w := range want {
			if strings.Contains(h, strings.ToLower(w)) {
				return true
			}
		}
	}
	return false
}

// AwaitingOwner is the id of the stage a task nobody owns is shown in
// while it is still in the initial stage: the initial stage's name
// ("Assigned" in the built-in workflow) would say the opposite of the
// truth. It is shown, never stored: the task keeps its stage and its
// deadlines, and once the coordinating body gives it an owner it shows its
// stage again.
const AwaitingOwner = "unassigned"

// Awaiting reports whether a task of owner in stage awaits an owner:
// nobody owns it and it is still in initial, the new tasks' stage.
func Awaiting(initial, owner, stage string) bool { return owner == "" && stage == initial }

// ShownStage is the id of the stage a task of owner in stage is shown in:
// AwaitingOwner for one that awaits an owner, else its own.
func ShownStage(initial, owner, stage string) string {
	if Awaiting(initial, owner, stage) {
		return AwaitingOwner
	}
	return stage
}

// AwaitingOwnerStage is AwaitingOwner as a stage, for the places that
// name stages: named in every language followup ships (i18n). It is not
// a stage of the workflow: no task moves to or from it.
var AwaitingOwnerStage = sync.OnceValue(func() Stage {
	s := Stage{ID: AwaitingOwner, Name: i18n.WordsFor(i18n.English).NotYetAssigned(), Labels: map[string]string{}}
	for _, lang := range i18n.Languages() {
		s.Labels[lang] = i18n.WordsFor(lang).NotYetAssigned()
	}
	return s
})
