package workflow

import (
	"slices"
	"sort"
	"time"

	"github.com/followup-app/followup/civil"
)

// DeadlineKind tells where a deadline comes from.
type DeadlineKind string

const (
	// KindStage: the date by which the task should leave its stage. It
	// becomes overdue when the task is still there after it.
	KindStage DeadlineKind = "stage"
	// KindFollowUp: the follow-up procedure's date, for its paragraphs.
	KindFollowUp DeadlineKind = "follow_up"
	// KindMilestone: a step before a report's due date.
	KindMilestone DeadlineKind = "milestone"
	// KindReport: the report's due date; an open task after it is overdue.
	KindReport DeadlineKind = "report"
	// KindHorizon: the date by which the recommendations of a document
	// that goes into no report should be answered: NoReport.Horizon after
	// a special procedure's document's adoption, else the date the document
	// gives for the next report. An open task after it is overdue.
	KindHorizon DeadlineKind = "horizon"
)

// Deadline is one date a task works toward.
type Deadline struct {
	Date  civil.Date
	Kind  DeadlineKind
	Label string // for people: "leave stage Assigned", "Ministries' inputs (crc-next)"
	Ref   string // stage id, report id, or "follow_up"
}

// Key identifies a deadline for the reminder log: a moved deadline has a
// new key, so its reminders go out again and the old ones never come back.
func (d Deadline) Key() string {
	return string(d.Kind) + ":" + d.Ref + ":" + d.Date.String()
}

// Hard reports whether the deadline can be missed: stage targets and the
// report's due date become overdue; milestones and the follow-up date are
// countdown points that remind before and drop off after.
func (d Deadline) Hard() bool {
	return d.Kind == KindStage || d.Kind == KindReport || d.Kind == KindHorizon
}

// Reports returns the reports a document's recommendations report into.
func Reports(reports []Report, symbol string) []Report {
	var out []Report
	for _, r := range reports {
		if len(r.Documents) == 0 || slices.Contains(r.Documents, symbol) {
			out = append(out, r)
		}
	}
	return out
}

// StageDeadline is the date by which a task of document doc should leave
// stage, if the stage sets one and its anchor is known.
func (c *Calendar) StageDeadline(doc DocFacts, stage string) (Deadline, bool) {
	st, ok := stageOf(c.stages, stage)
	if !ok || st.Final || st.Deadline == nil {
		return Deadline{}, false
	}
	a := st.Deadline
	var base civil.Date
	switch a.From {
	case "adoption":
		base = doc.Adopted
		if base.IsZero() { // the document did not say: count from its import
			base = doc.Imported
		}
	case "import":
		base = doc.Imported
	case "follow_up":
		if doc.FollowUp != nil {
			base = doc.FollowUp.Due
		}
	case "report":
		if rs := c.reportsOf(doc); len(rs) > 0 {
			base = rs[0].Due
		} else if h, ok := c.horizon(doc); ok {
			base = h.Date
		}
	}
	if base.IsZero() {
		return Deadline{}, false
	}
	d := base.Add(a.Span)
	if a.Sign < 0 {
		d = base.Sub(a.Span)
	}
	// Say where the task should get to, not only where it is: "Assigned →
	// Acknowledged", the first of the next stages being the usual path.
	label := stageName(st)
	if len(st.Next) > 0 {
		if next, ok := stageOf(c.stages, st.Next[0]); ok {
			label += " → " + stageName(next)
		}
	}
	return Deadline{Date: d, Kind: KindStage, Label: label, Ref: st.ID}, true
}

func stageName(s Stage) string {
	if s.Name != "" {
		return s.Name
	}
	return s.ID
}

// ReportDeadlines are a report's milestones and its due date, in the
// config's order: the countdown of the coordinator's overview and the
// deadlines of every task that goes into the report.
func ReportDeadlines(r Report) []Deadline {
	var out []Deadline
	for _, m := range r.Milestones {
		out = append(out, Deadline{Date: r.Due.Sub(m.Before), Kind: KindMilestone, Label: m.Name + " (" + r.ID + ")", Ref: r.ID + "/" + m.Name})
	}
	title := r.Title
	if title == "" {
		title = r.ID
	}
	return append(out, Deadline{Date: r.Due, Kind: KindReport, Label: title + " due", Ref: r.ID})
}

// FollowUpLabel names the follow-up procedure's deadline.
const FollowUpLabel = "follow-up information to the Committee"

// GroupDeadline is a deadline of the tasks of one document in one stage.
type GroupDeadline struct {
	Deadline
	// Paragraphs limits it to the tasks of these paragraphs (the follow-up
	// procedure's); nil means every task of the group.
	Paragraphs []int
}

// AppliesTo reports whether the deadline concerns the group's task whose
// recommendation is in paragraph.
func (d GroupDeadline) AppliesTo(paragraph int) bool {
	return d.Paragraphs == nil || slices.Contains(d.Paragraphs, paragraph)
}

// reportsOf returns the reports a document's recommendations report
// into: those of the config that take it, else, for a document of a
// mechanism without periodic reports, the report NoReport names.
func (c *Calendar) reportsOf(doc DocFacts) []Report {
	rs := Reports(c.reports, doc.Symbol)
	if len(rs) > 0 || doc.Kind != SpecialProcedures || c.noReport.Report == "" {
		return rs
	}
	for _, r := range c.reports {
		if r.ID == c.noReport.Report {
			return []Report{r}
		}
	}
	return nil
}

// HorizonRef is the Ref of a horizon deadline (KindHorizon).
const HorizonRef = "horizon"

// horizon is the due date of a document that goes into no report (one
// rule, whatever the document's kind, so that none is deadline-free
// where it says when it is due):
//   - a special procedure's document (its mechanism asks for no periodic
//     report): NoReport.Horizon after its adoption (its import when it
//     gives no date), when the config gives one;
//   - else the date the document itself gives for the next report (a
//     treaty body's document that no report of the config takes: another
//     State's, or a committee the config has no report for).
//
// ok is false for a document a report takes, and for one with neither.
func (c *Calendar) horizon(doc DocFacts) (Deadline, bool) {
	if len(c.reportsOf(doc)) > 0 {
		return Deadline{}, false
	}
	// The label reads as a report's does ("A/HRC/52/40 due"): the mails
	// write "… due" in each language.
	if doc.Kind == SpecialProcedures && !c.noReport.Horizon.IsZero() {
		base := doc.Adopted
		if base.IsZero() {
			base = doc.Imported
		}
		if !base.IsZero() {
			return Deadline{Date: base.Add(c.noReport.Horizon), Kind: KindHorizon, Label: doc.Symbol + " due", Ref: HorizonRef}, true
		}
	}
	if !doc.NextReport.IsZero() {
		return Deadline{Date: doc.NextReport, Kind: KindHorizon, Label: doc.Symbol + " due", Ref: HorizonRef}, true
	}
	return Deadline{}, false
}

// Covered reports whether a document's tasks have a date they all work
// toward: a report it goes into, or a horizon (horizon). The import warns
// about a document that goes into no report of the config.
func (c *Calendar) Covered(doc DocFacts) bool {
	if len(c.reportsOf(doc)) > 0 {
		return true
	}
	_, ok := c.horizon(doc)
	return ok
}

// Horizon is the date the tasks of a document that goes into no report
// work toward (see horizon); ok is false for one a report takes, and for
// one with no such date.
func (c *Calendar) Horizon(doc DocFacts) (Deadline, bool) { return c.horizon(doc) }

// InReport reports whether a report of the config takes the document
// (its own, or the one NoReport names for a special procedure's).
func (c *Calendar) InReport(doc DocFacts) bool { return len(c.reportsOf(doc)) > 0 }

// Calendar works out the deadlines of task groups under a set of stages
// and reports, remembering what groups share (the reports a document goes
// into, and their milestones): the sweep and the digests ask for every
// group of the database. It is not safe for concurrent use: make one per
// sweep or request.
type Calendar struct {
	stages   []Stage
	reports  []Report
	noReport NoReport
	byDoc    map[string][]GroupDeadline // the reports' deadlines, by document symbol
}

// NewCalendar makes a Calendar for these stages and reports.
func NewCalendar(stages []Stage, reports []Report) *Calendar {
	return &Calendar{stages: stages, reports: reports, byDoc: map[string][]GroupDeadline{}}
}

// WithNoReport sets where the deadlines of a special procedure's document
// that goes into no report come from; it returns c.
func (c *Calendar) WithNoReport(p NoReport) *Calendar {
	c.noReport = p
	return c
}

// Group returns the deadlines of the tasks of one document in one stage,
// earliest first: the stage's own target, the follow-up date (for the
// follow-up paragraphs only), and the milestones and due date of each
// report the document goes into (or, for a document that goes into none,
// its horizon: NoReport's, or its own date). Every deadline is worked out here: a
// task's (Deadlines, NextDeadline), the reminder sweep's and the digests'
// all come from it. A final stage has none.
func (c *Calendar) Group(doc DocFacts, stage string) []GroupDeadline {
	if Final(c.stages, stage) {
		return nil
	}
	reports, ok := c.byDoc[doc.Symbol]
	if !ok {
		for _, r := range c.reportsOf(doc) {
			for _, d := range ReportDeadlines(r) {
				reports = append(reports, GroupDeadline{Deadline: d})
			}
		}
		if h, ok := c.horizon(doc); ok {
			reports = append(reports, GroupDeadline{Deadline: h})
		}
		c.byDoc[doc.Symbol] = reports
	}
	out := make([]GroupDeadline, 0, 2+len(reports))
	if d, ok := c.StageDeadline(doc, stage); ok {
		out = append(out, GroupDeadline{Deadline: d})
	}
	if fu := doc.FollowUp; fu != nil && !fu.Due.IsZero() && len(fu.Paragraphs) > 0 {
		out = append(out, GroupDeadline{Deadline: Deadline{Date: fu.Due, Kind: KindFollowUp, Label: FollowUpLabel, Ref: "follow_up"},
			Paragraphs: slices.Clone(fu.Paragraphs)})
	}
	out = append(out, reports...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

// Deadlines returns every deadline that applies to a task, earliest first:
// those of its group (Group) that concern its paragraph. A task in a final
// stage has none.
func (c *Calendar) Deadlines(t Task) []Deadline {
	var out []Deadline
	for _, d := range c.Group(t.Document, t.Stage) {
		if d.AppliesTo(t.Rec.Paragraph) {
			out = append(out, d.Deadline)
		}
	}
	return out
}

// Today is the date of now in the config's zone loc (UTC when nil).
func Today(loc *time.Location, now time.Time) civil.Date {
	if loc == nil {
		loc = time.UTC
	}
	return civil.DateOf(now.In(loc))
}

// NextDeadline is the deadline a task works toward on day today: the
// earliest hard deadline already missed, else the earliest deadline from
// today on. ok is false when none applies.
func (c *Calendar) NextDeadline(t Task, today civil.Date) (d Deadline, ok bool) {
	return Next(c.Group(t.Document, t.Stage), t.Rec.Paragraph, today)
}

// Next is the deadline the group's task of paragraph works toward on day
// today, among the group's deadlines ds (earliest first, as
// Calendar.Group gives them): the earliest hard deadline already missed,
// else the earliest from today on.
func Next(ds []GroupDeadline, paragraph int, today civil.Date) (d Deadline, ok bool) {
	for _, c := range ds {
		if !c.AppliesTo(paragraph) || (c.Date.Before(today) && !c.Hard()) {
			continue // another paragraph's, or a countdown point in the past
		}
		return c.Deadline, true
	}
	return Deadline{}, false
}

// Overdue reports whether d was missed by today: only hard deadlines can be.
func (d Deadline) Overdue(today civil.Date) bool { return d.Hard() && d.Date.Before(today) }
