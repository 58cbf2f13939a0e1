package workflow

import (
	"regexp"
	"strings"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/i18n"
)

// The policy the workflow applies: stages, reports, assignment rules and
// the reminder rhythm. The admin writes them in the config file; package
// config reads and checks them into these types, and the functions of this
// package take the ones they need, never the whole config.

// Stage is a follow-up stage a task can be in.
type Stage struct {
	ID   string
	Name string
	Next []string // ids of the stages a task may move to from here
	// Final stages close the task: no deadlines, no reminders.
	Final bool
	// OnlyStatus, when set, lets a task enter this stage only if its
	// recommendation has one of these UPR statuses (e.g. noted → not accepted).
	OnlyStatus []string
	// Deadline, when set, is the date by which a task should leave this stage.
	Deadline *Anchor
	// Labels are the stage's name in other languages, by language tag
	// ("fr", "es", "lo"): e-mails in that language show it. The stages of
	// the built-in workflow have labels in every language followup ships.
	Labels map[string]string
	// Ask is what a reminder about this stage's deadline asks the ministry
	// to do, in one sentence: "Please confirm to the {coordinator} {by}
	// that your ministry has received these recommendations." {coordinator}
	// is the coordinating body's name, {deadline} the date, and {by} "by
	// 22 December 2026" (or, once it passed, "as soon as possible (it was
	// due on …)"). Never empty in a loaded config: config.DefaultAsk fills it.
	Ask string
	// Asks are the ask in other languages, by language tag, for the
	// reminders in those languages (see AskIn). A stage whose ask is the
	// built-in one (not given, or given as the default English sentence)
	// has the built-in asks in every language followup ships.
	Asks map[string]string
}

// Label returns the stage's name in a language: the label for the exact
// tag, then for its first part ("fr" for "fr-CA"), else Name (or the id).
func (s Stage) Label(lang string) string {
	if l := byTag(s.Labels, lang); l != "" {
		return l
	}
	if s.Name != "" {
		return s.Name
	}
	return s.ID
}

// AskIn returns the stage's ask in a language: the ask for the exact tag,
// then for its first part, else Ask (the English one, or the admin's own
// words when the config gives an ask without that language).
func (s Stage) AskIn(lang string) string {
	if a := byTag(s.Asks, lang); a != "" {
		return a
	}
	return s.Ask
}

// byTag finds a language's entry in a map keyed by the tags the config
// writes: the exact tag, then its parents ("fr" for "fr-CA"), as i18n
// resolves tags everywhere. It allocates nothing for the shipped
// languages, which a CSV export asks for every row.
func byTag(m map[string]string, lang string) string {
	for tag := i18n.Normalize(lang); tag != ""; tag = i18n.Parent(tag) {
		if v := m[tag]; v != "" {
			return v
		}
		if v := m[strings.ToLower(tag)]; v != "" {
			return v
		}
	}
	return ""
}

// stageOf returns the stage with the given id.
func stageOf(stages []Stage, id string) (Stage, bool) {
	for _, s := range stages {
		if s.ID == id {
			return s, true
		}
	}
	return Stage{}, false
}

// Anchor is a date relative to something the document or config knows:
// "adoption + 3mo", "report - 9mo", "follow_up", "import + 30d".
type Anchor struct {
	From string     // "adoption", "report", "follow_up" or "import"
	Sign int        // +1 or -1
	Span civil.Span // zero for the anchor itself
	Text string     // as written, for messages
}

// Report is a periodic report the State prepares.
type Report struct {
	ID    string
	Title string
	Due   civil.Date
	// Documents lists the symbols whose recommendations report into this
	// report. Empty means every document.
	Documents  []string
	Milestones []Milestone
	// Kind is the kind of report (config.ReportPeriodic…): what its draft
	// looks like and its default word limit.
	Kind string
	// WordLimit is the most words the report may have (the UN's limits:
	// config.DefaultWordLimit); 0 means none. The draft counts against it.
	WordLimit int
}

// Milestone is a step before a report's due date.
type Milestone struct {
	Name   string
	Before civil.Span // how long before the report's due date
}

// AssignmentRules are the rules that give each recommendation an owner.
type AssignmentRules struct {
	Rules     []Rule
	Overrides []Override
}

// Rule assigns the recommendations it matches. A rule matches when every
// criterion it sets matches: any of Sections (case-insensitive substring of
// the section or subsection heading), any of Keywords (case-insensitive,
// whole words), Regex (on the text), any of Themes (case-insensitive
// substring of one of the recommendation's themes: from an OHCHR UPR
// matrix, the UHRI or the config's tag rules), any of AffectedPersons
// (the same, on its affected persons) and any of SDGs (a goal "16" matches
// its targets "16.3"; a target only itself). The first matching rule wins.
type Rule struct {
	Name            string // optional; shown as the reason of an assignment
	Ministry        string
	Support         []string
	Sections        []string
	Keywords        []string
	Regex           *regexp.Regexp
	Themes          []string
	AffectedPersons []string
	SDGs            []string
	// Documents restricts the rule to these symbols; empty means all.
	Documents []string
}

// TagRule gives tags to the recommendations it matches, on top of those
// their document gives: every matching rule adds its Themes,
// AffectedPersons and SDGs. It matches as an assignment rule does, on
// Sections, Keywords, Regex and Documents (every criterion set must
// match; at least one is set).
type TagRule struct {
	Sections  []string
	Keywords  []string
	Regex     *regexp.Regexp
	Documents []string

	Themes          []string
	AffectedPersons []string
	SDGs            []string
}

// NoReport says where the deadlines of a document come from when it goes
// into no report of the config and its mechanism asks for no periodic
// report (Kind SpecialProcedures): the report named Report, or else a due
// date Horizon after its adoption (its import when it gives no date).
// Both empty: such a document's tasks have only their stages' deadlines,
// and the import says so.
type NoReport struct {
	Report  string
	Horizon civil.Span
}

// Override assigns one recommendation by its id, whatever the rules say.
type Override struct {
	Recommendation string
	Ministry       string
	Support        []string
}

// ReminderPolicy is when ministries are reminded of a deadline.
type ReminderPolicy struct {
	LeadTimes     []civil.Span // e.g. 30d, 14d, 7d, 1d: sorted longest first
	DueToday      bool         // remind on the deadline's own day
	OverdueEvery  civil.Span   // repeat overdue reminders at most this often
	EscalateAfter civil.Span   // after this long overdue, write to the coordinator
}
