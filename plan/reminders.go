package plan

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/workflow"
)

// due is one deadline that calls for a reminder or an escalation on the
// sweep's day, whatever group it fires in.
type due struct {
	deadline   workflow.Deadline
	kind       string // the reminder log's kind
	escalation bool
	header     notify.ReminderGroup // how messages present it (no tasks)
}

// sweep is a day's reminder sweep: the query for the store, and the
// deadline each rank stands for.
type sweep struct {
	query    SweepQuery
	today    civil.Date
	dues     []due                // by rank
	clusters map[int64]ClusterRow // the clusters messages list
}

// groupOrder is how a reminder orders its deadlines: overdue first, then
// those due today, then the coming ones.
var groupOrder = map[string]int{"overdue": 0, "escalation": 0, "due": 1, "lead": 2}

// sweepAt works out the fires of the reminder sweep at slot: for each
// group of open tasks, each deadline (workflow.Calendar.Group) for which
// workflow.DueReminder calls for a reminder today, and its escalation.
// Ranks follow the order messages list deadlines in.
func (p *Planner) sweepAt(ctx context.Context, r Reader, slot time.Time) (*sweep, error) {
	cfg := p.Config
	s := &sweep{today: workflow.Today(cfg.Location, slot), query: SweepQuery{List: cfg.Digests.MaxListed}}
	groups, err := r.TaskGroups(ctx, p.openStage)
	if err != nil {
		return nil, err
	}
	// Many groups share a deadline (a report's, or a stage's for the
	// documents imported the same day): each deadline's reminder is worked
	// out once.
	type dueToday struct {
		rem workflow.Reminder
		ok  bool
		at  [2]int // place in s.dues of its reminder and its escalation
	}
	byKey := map[string]*dueToday{}
	cal := cfg.Calendar()
	for _, g := range groups {
		for _, d := range cal.Group(g.Doc, g.Stage) {
			key := d.Key()
			dt := byKey[key]
			if dt == nil {
				dt = &dueToday{}
				dt.rem, dt.ok = workflow.DueReminder(cfg.Reminders, d.Deadline, s.today)
				if dt.ok {
					header := notify.ReminderGroup{Kind: dt.rem.Group, Deadline: d.Date, Label: d.Label, DaysLeft: s.today.DaysUntil(d.Date)}
					dt.at[0] = len(s.dues)
					s.dues = append(s.dues, due{deadline: d.Deadline, kind: dt.rem.Kind, header: header})
					if dt.rem.Escalate {
						header.Kind = "escalation"
						dt.at[1] = len(s.dues)
						s.dues = append(s.dues, due{deadline: d.Deadline, kind: workflow.EscalationKind, escalation: true, header: header})
					}
				}
				byKey[key] = dt
			}
			if !dt.ok {
				continue
			}
			s.query.Fires = append(s.query.Fires, Fire{Document: g.Document, Stage: g.Stage, Paragraphs: d.Paragraphs,
				Rank: dt.at[0], Deadline: key, Kind: dt.rem.Kind})
			if dt.rem.Escalate {
				s.query.Fires = append(s.query.Fires, Fire{Document: g.Document, Stage: g.Stage, Paragraphs: d.Paragraphs,
					Escalation: true, Rank: dt.at[1], Deadline: key, Kind: workflow.EscalationKind})
			}
		}
	}
	// Rank the deadlines in message order, and renumber the fires.
	order := make([]int, len(s.dues))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		x, y := &s.dues[a], &s.dues[b]
		if c := cmp.Compare(groupOrder[x.header.Kind], groupOrder[y.header.Kind]); c != 0 {
			return c
		}
		if c := x.deadline.Date.Compare(y.deadline.Date); c != 0 {
			return c
		}
		if c := strings.Compare(x.deadline.Label, y.deadline.Label); c != 0 {
			return c
		}
		if c := strings.Compare(x.deadline.Key(), y.deadline.Key()); c != 0 {
			return c
		}
		return strings.Compare(x.kind, y.kind)
	})
	rank := make([]int, len(order))
	dues := make([]due, len(order))
	for r, i := range order {
		rank[i] = r
		dues[r] = s.dues[i]
	}
	s.dues = dues
	for i := range s.query.Fires {
		s.query.Fires[i].Rank = rank[s.query.Fires[i].Rank]
	}
	return s, nil
}

// box is one message of the sweep: a recipient's reminder, or the
// escalation about a ministry.
type box struct {
	recipient string
	counts    map[int]int // rank → tasks listed under it (their first fire)
	listed    []SweepTask
	total     int
	owners    []Channel // the store's channels it gathers
}

func (p *Planner) reminders(ctx context.Context, tx Tx, slot time.Time) ([]Message, error) {
	cfg := p.Config
	s, err := p.sweepAt(ctx, tx, slot)
	if err != nil {
		return nil, err
	}
	if len(s.query.Fires) == 0 {
		return nil, nil
	}
	res, err := tx.Sweep(ctx, s.query)
	if err != nil {
		return nil, fmt.Errorf("reminder sweep: %w", err)
	}
	// Owners become recipients: unassigned tasks, and those of owners no
	// longer in the config, go to the coordinator.
	boxes := [2]map[string]*box{{}, {}}
	boxOf := func(c Channel) *box {
		ch := 0
		if c.Escalation {
			ch = 1
		}
		rid := p.recipientOf(c.Owner)
		b := boxes[ch][rid]
		if b == nil {
			b = &box{recipient: rid, counts: map[int]int{}}
			boxes[ch][rid] = b
		}
		if !slices.Contains(b.owners, c) {
			b.owners = append(b.owners, c)
		}
		return b
	}
	for _, c := range res.Counts {
		if c.Rank < 0 || c.Rank >= len(s.dues) {
			return nil, fmt.Errorf("reminder sweep: the store answered rank %d of %d", c.Rank, len(s.dues))
		}
		b := boxOf(c.Channel)
		b.counts[c.Rank] += c.Tasks
		b.total += c.Tasks
	}
	var ids []int64
	for _, t := range res.Listed {
		if len(t.Ranks) == 0 || slices.ContainsFunc(t.Ranks, func(r int) bool { return r < 0 || r >= len(s.dues) }) {
			return nil, fmt.Errorf("reminder sweep: the store listed task %d with ranks %v of %d", t.ID, t.Ranks, len(s.dues))
		}
		b := boxOf(t.Channel)
		b.listed = append(b.listed, t)
	}
	// Each owner's first tasks in order of (first rank, id): merged, the
	// first ones are the recipient's first ones.
	for ch := range boxes {
		for _, b := range boxes[ch] {
			slices.SortFunc(b.listed, func(x, y SweepTask) int {
				if c := cmp.Compare(x.Ranks[0], y.Ranks[0]); c != 0 {
					return c
				}
				return cmp.Compare(x.ID, y.ID)
			})
			if len(b.listed) > s.query.List {
				b.listed = b.listed[:s.query.List]
			}
			for _, t := range b.listed {
				ids = append(ids, t.ID)
			}
		}
	}
	rows, err := tx.TasksByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	var cids []int64
	for _, t := range res.Listed {
		if t.Cluster != 0 {
			cids = append(cids, t.Cluster)
		}
	}
	if s.clusters, err = clustersOf(ctx, tx, cids); err != nil {
		return nil, err
	}

	var out []Message
	outbox := map[Channel]int64{}
	for _, id := range p.recipientOrder() {
		b := boxes[0][id]
		if b == nil {
			continue
		}
		body, _ := cfg.Ministry(id)
		sh := p.show(s, b, rows)
		data := notify.ReminderData{Ministry: body, Coordinator: cfg.Coordinator, Date: s.today, TaskCount: b.total,
			Groups: sh.groups, OmittedSoon: sh.omitSoon, OmittedOverdue: sh.omitLate, OmittedGroups: sh.omitGroups,
			AnyOverdue: sh.omitLate > 0}
		if id == cfg.Coordinator.ID {
			// Its own tasks, and those nobody owns: the asks meant for a
			// ministry ("confirm to the coordinator…") do not fit.
			for i := range data.Groups {
				data.Groups[i].Ask = notify.ExpandAsk(fixedAsk(askCoordinator, body.Language), cfg.Coordinator.Name, data.Groups[i].Deadline, s.today, body.Language)
			}
		}
		for _, g := range data.Groups {
			if g.Kind == "overdue" {
				data.AnyOverdue = true
			}
		}
		events := p.events(id, sh, s.today)
		data.Calendar = len(events) > 0
		var atts []notify.Attachment
		if data.Calendar {
			atts = append(atts, notify.Attachment{Name: "deadlines.ics", ContentType: "text/calendar; charset=utf-8; method=PUBLISH",
				Data: notify.ICS("-//followup//reminders//EN", events, p.Now().In(cfg.Location))})
		}
		people, err := p.people(ctx, tx, body)
		if err != nil {
			return nil, err
		}
		if people != nil {
			msgs, outboxID, err := p.enqueueEach(ctx, tx, KindReminder, id, slot, notify.Envelope{To: Addresses(body)}, people,
				func(who person) (notify.Rendered, error) {
					d := data
					d.Link, d.Groups = who.link, personalGroups(d.Groups, who)
					r, err := p.Renderer.Reminder(d)
					if err != nil {
						return r, fmt.Errorf("render the reminder to %s: %w", id, err)
					}
					return r, nil
				}, nil, atts...)
			if err != nil {
				return nil, err
			}
			for i := range msgs {
				msgs[i].Tasks = b.total
			}
			for _, c := range b.owners {
				outbox[c] = outboxID
			}
			out = append(out, msgs...)
			continue
		}
		rendered, err := p.Renderer.Reminder(data)
		if err != nil {
			return nil, fmt.Errorf("render the reminder to %s: %w", id, err)
		}
		env := notify.Envelope{To: Addresses(body), Subject: rendered.Subject}
		m, outboxID, err := p.enqueue(ctx, tx, KindReminder, id, slot, env, rendered, atts...)
		if err != nil {
			return nil, err
		}
		m.Tasks = b.total
		for _, c := range b.owners {
			outbox[c] = outboxID
		}
		out = append(out, m)
	}
	esc, err := p.escalation(ctx, tx, s, boxes[1], rows, slot, outbox)
	if err != nil {
		return nil, err
	}
	out = append(out, esc...)
	if !tx.DryRun() {
		if err := tx.LogSweep(ctx, s.query, outbox); err != nil {
			return nil, fmt.Errorf("record the reminders: %w", err)
		}
	}
	return out, nil
}

// shown is what a message shows of its deadlines: the groups with listed
// tasks, and the others only counted.
type shown struct {
	groups                         []notify.ReminderGroup
	omitSoon, omitLate, omitGroups int
}

// show lists a message's deadlines in rank order, each task under its
// first one with the others beside it; the deadlines after the listing
// cap are counted.
func (p *Planner) show(s *sweep, b *box, rows map[int64]TaskRow) shown {
	var sh shown
	byRank := map[int][]SweepTask{}
	for _, t := range b.listed {
		byRank[t.Ranks[0]] = append(byRank[t.Ranks[0]], t)
	}
	ranks := make([]int, 0, len(b.counts))
	for r := range b.counts {
		ranks = append(ranks, r)
	}
	slices.Sort(ranks)
	for _, r := range ranks {
		d := s.dues[r]
		n := b.counts[r]
		listed := byRank[r]
		if len(listed) == 0 {
			sh.omitGroups++
			if d.header.DaysLeft < 0 {
				sh.omitLate += n
			} else {
				sh.omitSoon += n
			}
			continue
		}
		g := d.header
		// The ask is in the recipient's language, like the message.
		body, _ := p.Config.Ministry(b.recipient)
		g.Ask = p.ask(d.deadline, s.today, body.Language)
		for _, t := range listed {
			row, ok := rows[t.ID]
			if !ok {
				continue
			}
			line := p.taskLine(row, d.deadline, s.today)
			if c, ok := s.clusters[t.Cluster]; ok && t.Cluster != 0 {
				line = p.clusterLine(c, row, t.Owner, d.deadline, s.today)
			}
			line.Overdue = g.DaysLeft < 0
			for _, o := range t.Ranks[1:] {
				od := s.dues[o]
				line.Also = append(line.Also, notify.DeadlineLine{Kind: od.header.Kind, Date: od.deadline.Date,
					Label: od.deadline.Label, DaysLeft: od.header.DaysLeft})
			}
			g.Tasks = append(g.Tasks, line)
		}
		g.More = n - len(g.Tasks)
		sh.groups = append(sh.groups, g)
	}
	return sh
}

// events turns a message's coming deadlines into calendar events, one per
// deadline it shows (as a group, or only beside tasks), with a UID stable
// across reminders so that calendars update the event instead of adding
// another. The summary names the ministry, what is due and the first
// recommendations; the description lists them all. A deadline that has
// passed gets no event (a calendar entry in the past helps nobody), and an
// alarm is set only when it is still to come: a week before, else the day
// before, else none.
func (p *Planner) events(recipient string, sh shown, today civil.Date) []notify.Event {
	// The events are in the recipient's language, like the message.
	body, _ := p.Config.Ministry(recipient)
	lang := body.Language
	type ev struct {
		date  civil.Date
		label string
		tasks []notify.TaskLine
		more  int
	}
	var evs []ev
	for _, g := range sh.groups {
		evs = append(evs, ev{date: g.Deadline, label: g.Label, more: g.More, tasks: g.Tasks})
	}
	var extra []ev
	for _, g := range sh.groups {
		for _, t := range g.Tasks {
			for _, a := range t.Also {
				i := slices.IndexFunc(extra, func(e ev) bool { return e.date == a.Date && e.label == a.Label })
				if i < 0 {
					extra = append(extra, ev{date: a.Date, label: a.Label})
					i = len(extra) - 1
				}
				extra[i].tasks = append(extra[i].tasks, t)
			}
		}
	}
	evs = append(evs, extra...)
	name := recipient
	if b, ok := p.Config.Ministry(recipient); ok {
		name = b.Name
	}
	seen := map[string]int{}
	var out []notify.Event
	for _, e := range evs {
		if e.date.Before(today) {
			continue
		}
		uid := hashID(recipient+"|"+e.date.String()+"|"+e.label) + "@followup"
		if i, ok := seen[uid]; ok {
			// A deadline already shown as a group: the tasks beside which
			// it also appears belong in the same event.
			for _, t := range e.tasks {
				out[i].Description += "\n" + t.ID
			}
			continue
		}
		seen[uid] = len(out)
		var lines []string
		for i, t := range e.tasks {
			if i == 20 {
				lines = append(lines, p.Renderer.AndMore(lang, len(e.tasks)-20+e.more))
				break
			}
			lines = append(lines, t.ID)
		}
		if len(e.tasks) <= 20 && e.more > 0 {
			lines = append(lines, p.Renderer.AndMore(lang, e.more))
		}
		alarm := 0
		switch days := today.DaysUntil(e.date); {
		case days > 7:
			alarm = 7
		case days > 1:
			alarm = 1
		}
		out = append(out, notify.Event{UID: uid, Date: e.date, Summary: eventSummary(name, p.Renderer.Label(lang, e.label), e.tasks, e.more, func(n int) string { return p.Renderer.AndMore(lang, n) }),
			Description: strings.Join(lines, "\n"), AlarmDaysBefore: alarm})
	}
	return out
}

// escalation composes the sweep's one escalation: to the coordinator,
// about every ministry with tasks long overdue, those ministries in copy.
// The coordinator's own tasks (and those of owners no longer in the
// config, which are its to sort out) are not escalated to it: its
// reminder already lists them. It claims only reminders that were
// delivered. Nil when no ministry is concerned.
func (p *Planner) escalation(ctx context.Context, tx Tx, s *sweep, boxes map[string]*box, rows map[int64]TaskRow,
	slot time.Time, outbox map[Channel]int64) ([]Message, error) {
	cfg := p.Config
	var concerned []*box
	var ids []string
	for _, id := range p.recipientOrder() {
		if b := boxes[id]; b != nil && id != cfg.Coordinator.ID {
			concerned = append(concerned, b)
			ids = append(ids, id)
		}
	}
	if len(concerned) == 0 {
		return nil, nil
	}
	delivered, err := tx.DeliveredReminders(ctx, ids)
	if err != nil {
		return nil, err
	}
	data := notify.EscalationData{Coordinator: cfg.Coordinator, Date: s.today, After: cfg.Reminders.EscalateAfter}
	var cc []string
	total := 0
	for _, b := range concerned {
		body, _ := cfg.Ministry(b.recipient)
		sh := p.show(s, b, rows)
		d := delivered[b.recipient]
		data.Ministries = append(data.Ministries, notify.EscalatedMinistry{Ministry: body, TaskCount: b.total, Groups: sh.groups,
			OmittedTasks: sh.omitLate + sh.omitSoon, OmittedGroups: sh.omitGroups,
			RemindersDelivered: d.Count, LastReminder: d.Last})
		cc = append(cc, Addresses(body)...)
		total += b.total
	}
	data.TaskCount = total
	first := data.Ministries[0]
	data.Ministry, data.Groups, data.OmittedTasks, data.OmittedGroups = first.Ministry, first.Groups, first.OmittedTasks, first.OmittedGroups
	env := notify.Envelope{To: Addresses(cfg.Coordinator), Cc: cc,
		Headers: map[string]string{headerMinistries: strings.Join(ids, ",")}}
	bodies := []config.Body{cfg.Coordinator}
	for _, m := range data.Ministries {
		bodies = append(bodies, m.Ministry)
	}
	people, err := p.people(ctx, tx, bodies...)
	if err != nil {
		return nil, err
	}
	var msgs []Message
	var outboxID int64
	if people != nil {
		// The coordinator gets the whole escalation, with task links; a
		// ministry's focal point gets its own ministry's part only: the
		// rest is not its to act on, and 30 ministries each receiving
		// every ministry's overdue list made the sweep's mail several
		// times larger than the escalation itself.
		msgs, outboxID, err = p.enqueueEach(ctx, tx, KindEscalation, cfg.Coordinator.ID, slot, env, people,
			func(who person) (notify.Rendered, error) {
				d := data
				d.Link = who.link
				d.Ministries = make([]notify.EscalatedMinistry, 0, len(data.Ministries))
				for _, m := range data.Ministries {
					if who.area == "c" {
						m.Groups = personalGroups(m.Groups, who)
					} else if m.Ministry.ID == who.body.ID {
						m.Groups = personalGroups(m.Groups, who)
						d.TaskCount = m.TaskCount
					} else {
						continue
					}
					d.Ministries = append(d.Ministries, m)
				}
				if len(d.Ministries) == 0 {
					return notify.Rendered{}, fmt.Errorf("render the escalation: %s is in none of its parts", who.email)
				}
				first := d.Ministries[0]
				d.Ministry, d.Groups, d.OmittedTasks, d.OmittedGroups = first.Ministry, first.Groups, first.OmittedTasks, first.OmittedGroups
				r, err := p.Renderer.Escalation(d)
				if err != nil {
					return r, fmt.Errorf("render the escalation: %w", err)
				}
				return r, nil
			}, nil)
		if err != nil {
			return nil, err
		}
	} else {
		rendered, err := p.Renderer.Escalation(data)
		if err != nil {
			return nil, fmt.Errorf("render the escalation: %w", err)
		}
		env.Subject = rendered.Subject
		m, id, err := p.enqueue(ctx, tx, KindEscalation, cfg.Coordinator.ID, slot, env, rendered)
		if err != nil {
			return nil, err
		}
		msgs, outboxID = []Message{m}, id
	}
	for i := range msgs {
		msgs[i].Tasks = total
	}
	for _, b := range concerned {
		for _, c := range b.owners {
			outbox[c] = outboxID
		}
	}
	return msgs, nil
}
