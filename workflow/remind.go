package workflow

import (
	"fmt"

	"github.com/followup-app/followup/civil"
)

// Reminder is what one deadline asks of a ministry on one day.
type Reminder struct {
	// Kind names the reminder in the log, so that it is sent once:
	// "lead:30d" (the 30-day reminder), "due" (the day itself),
	// "overdue:0", "overdue:1"… (the first overdue reminder, the one after
	// overdue_every…).
	Kind string
	// Group is how messages present it: lead, due or overdue.
	Group string
	// Escalate is set from escalate_after on: the coordinator is told too
	// (once per deadline: see EscalationKind).
	Escalate bool
}

// EscalationKind names the escalation of a deadline in the reminder log.
const EscalationKind = "escalation"

// DueReminder says which reminder a deadline calls for on day today, if
// any. Reminders are computed, not scheduled: a reminder is due when its
// date has come, so a daemon that was down sends the most recent one it
// missed (the 7-day one, say) and not the older ones (the 30- and 14-day
// ones), and a moved deadline brings its own reminders.
//
//   - Before the deadline, the lead time with the latest date on or before
//     today: with leads 30d, 14d, 7d and 1d, from 30 days before until 15
//     days before it is "lead:30d", then "lead:14d", and so on.
//   - On the day, "due" (if due_today is set; else the last lead holds).
//   - After a hard deadline: "overdue:0" the day after, "overdue:1" one
//     overdue_every later, and so on; from escalate_after on, Escalate.
//     Countdown points (milestones, the follow-up date) send nothing once
//     passed.
func DueReminder(p ReminderPolicy, d Deadline, today civil.Date) (Reminder, bool) {
	days := today.DaysUntil(d.Date)
	switch {
	case days == 0 && p.DueToday:
		return Reminder{Kind: "due", Group: "due"}, true
	case days >= 0:
		var best *civil.Span
		var bestDate civil.Date
		for i := range p.LeadTimes {
			l := p.LeadTimes[i]
			fire := d.Date.Sub(l)
			if fire.After(today) {
				continue
			}
			if best == nil || fire.After(bestDate) {
				best, bestDate = &l, fire
			}
		}
		if best == nil {
			return Reminder{}, false
		}
		group := "lead"
		if days == 0 {
			group = "due"
		}
		return Reminder{Kind: "lead:" + best.String(), Group: group}, true
	case !d.Hard():
		return Reminder{}, false
	}
	// Overdue: the series starts the day after the deadline.
	first := d.Date.AddDays(1)
	k := 0
	every := p.OverdueEvery
	if every.IsZero() {
		every = civil.Span{Days: 7}
	}
	// The k-th repeat is first + k×every, each counted from the first so
	// that month steps do not drift with month-end clamping. A step in days
	// is a division; the sweep asks this for every group of a large
	// database, many of them overdue for years.
	if every.Months == 0 && every.Days > 0 {
		k = min(first.DaysUntil(today)/every.Days, 100000)
	} else {
		for k < 100000 && !first.Add(civil.Span{Months: every.Months * (k + 1), Days: every.Days * (k + 1)}).After(today) {
			k++
		}
	}
	r := Reminder{Kind: fmt.Sprintf("overdue:%d", k), Group: "overdue"}
	if esc := d.Date.Add(p.EscalateAfter); !esc.After(today) {
		r.Escalate = true
	}
	return r, true
}
