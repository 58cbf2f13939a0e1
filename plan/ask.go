package plan

import (
	"net/mail"
	"strings"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/workflow"
)

// Asks of the deadlines that are not a stage's (the config sets a stage's
// in its ask:); the placeholders are those of config.Stage.Ask.
const (
	askMilestone = "Please send the {coordinator} your ministry's contribution on these recommendations {by}."
	askReport    = "Please make sure that the {coordinator} has your ministry's contribution on these recommendations {by}, when the report is due."
	askFollowUp  = "Please send the {coordinator} {by} the information the Committee asked for on these recommendations (follow-up procedure)."
	// The coordinating body's reminder is about its own tasks and those no
	// ministry owns.
	askCoordinator = "Please see that these recommendations move on {by}: give each one an owner, or record where it stands."
)

// ask is what a reminder asks of a ministry for deadline d, in one
// sentence with the date.
func (p *Planner) ask(d workflow.Deadline, today civil.Date) string {
	text := askFollowUp
	switch d.Kind {
	case workflow.KindStage:
		text = config.DefaultAsk(d.Ref)
		if st, ok := p.Config.Stage(d.Ref); ok && st.Ask != "" {
			text = st.Ask
		}
	case workflow.KindMilestone:
		text = askMilestone
	case workflow.KindReport:
		text = askReport
	}
	return notify.ExpandAsk(text, p.Config.Coordinator.Name, d.Date, today)
}

// replyTo is where answers to a message to recipient go: the coordinating
// body's first focal point, under the body's name. Mail comes from a
// robot sender (mail.from) that nobody reads; a ministry answering a
// reminder answers the coordinator. A message to the coordinator itself
// needs none.
func (p *Planner) replyTo(recipient string) string {
	c := p.Config.Coordinator
	if recipient == c.ID || len(c.FocalPoints) == 0 {
		return ""
	}
	return (&mail.Address{Name: c.Name, Address: c.FocalPoints[0].Email}).String()
}

// eventSummary names what a calendar event is about, for a calendar that
// shows one line: the ministry, what is due, and the recommendations
// ("Ministry of Justice: leave stage Assigned — CRC/C/OPSC/LAO/CO/1 14
// (a), 15 … and 8 more"); andMore writes the count of the others in the
// recipient's language.
func eventSummary(ministry, label string, tasks []notify.TaskLine, more int, andMore func(int) string) string {
	var refs []string
	symbol := ""
	for i, t := range tasks {
		if i == 3 {
			more += len(tasks) - 3
			break
		}
		ref := t.ID
		if sym, _, ok := strings.Cut(t.ID, ":"); ok && t.Paragraph != "" {
			ref = t.Paragraph
			if sym != symbol {
				ref = sym + " " + t.Paragraph
				symbol = sym
			}
		}
		refs = append(refs, ref)
	}
	s := ministry + ": " + label
	if len(refs) > 0 {
		s += " — " + strings.Join(refs, ", ")
	}
	if more > 0 {
		s += " " + andMore(more)
	}
	return s
}
