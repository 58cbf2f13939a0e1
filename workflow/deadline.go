package workflow

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
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
	return fmt.Sprintf("%s:%s:%s", d.Kind, d.Ref, d.Date)
}

// Hard reports whether the deadline can be missed: stage targets and the
// report's due date become overdue; milestones and the follow-up date are
// countdown points that remind before and drop off after.
func (d Deadline) Hard() bool { return d.Kind == KindStage || d.Kind == KindReport }

// Reports returns the reports a document's recommendations report into.
func Reports(cfg *config.Config, symbol string) []config.Report {
	var out []config.Report
	for _, r := range cfg.Reports {
		if len(r.Documents) == 0 || slices.Contains(r.Documents, symbol) {
			out = append(out, r)
		}
	}
	return out
}

// StageDeadline is the date by which a task of document doc should leave
// stage, if the stage sets one and its anchor is known.
func StageDeadline(cfg *config.Config, doc DocFacts, stage string) (Deadline, bool) {
	st, ok := cfg.Stage(stage)
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
		if rs := Reports(cfg, doc.Symbol); len(rs) > 0 {
			base = rs[0].Due
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
		if next, ok := cfg.Stage(st.Next[0]); ok {
			label += " → " + stageName(next)
		}
	}
	return Deadline{Date: d, Kind: KindStage, Label: label, Ref: st.ID}, true
}

func stageName(s config.Stage) string {
	if s.Name != "" {
		return s.Name
	}
	return s.ID
}

// Deadlines returns every deadline that applies to a task, earliest first.
// A task in a final stage has none.
func Deadlines(cfg *config.Config, t Task) []Deadline {
	if Final(cfg, t.Stage) {
		return nil
	}
	var out []Deadline
	if d, ok := StageDeadline(cfg, t.Document, t.Stage); ok {
		out = append(out, d)
	}
	if fu := t.Document.FollowUp; fu != nil && !fu.Due.IsZero() && slices.Contains(fu.Paragraphs, t.Rec.Paragraph) {
		out = append(out, Deadline{Date: fu.Due, Kind: KindFollowUp, Label: "follow-up information to the Committee", Ref: "follow_up"})
	}
	for _, r := range Reports(cfg, t.Document.Symbol) {
		for _, m := range r.Milestones {
			out = append(out, Deadline{Date: r.Due.Sub(m.Before), Kind: KindMilestone, Label: m.Name + " (" + r.ID + ")", Ref: r.ID + "/" + m.Name})
		}
		title := r.Title
		if title == "" {
			title = r.ID
		}
		out = append(out, Deadline{Date: r.Due, Kind: KindReport, Label: title + " due", Ref: r.ID})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

// Today is the date of now in the config's zone.
func Today(cfg *config.Config, now time.Time) civil.Date {
	return civil.DateOf(now.In(cfg.Location))
}

// NextDeadline is the deadline a task works toward at time now: the
// earliest hard deadline already missed, else the earliest deadline from
// today on. ok is false when none applies.
func NextDeadline(cfg *config.Config, t Task, now time.Time) (d Deadline, ok bool) {
	today := Today(cfg, now)
	for _, c := range Deadlines(cfg, t) {
		if c.Date.Before(today) && !c.Hard() {
			continue // a countdown point in the past
		}
		return c, true
	}
	return Deadline{}, false
}

// Overdue reports whether d was missed by today: only hard deadlines can be.
func (d Deadline) Overdue(today civil.Date) bool { return d.Hard() && d.Date.Before(today) }
