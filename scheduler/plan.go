package scheduler

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// Jobs the schedules run.
const (
	JobReminders         = "reminders"
	JobCoordinatorDigest = "coordinator_digest"
	JobMinistryDigest    = "ministry_digest"
)

// Jobs lists them in the order a tick runs them: reminders first, so a
// digest sent in the same minute already knows about them.
var Jobs = []string{JobReminders, JobCoordinatorDigest, JobMinistryDigest}

// Message kinds in the outbox.
const (
	KindReminder          = "reminder"
	KindEscalation        = "escalation"
	KindCoordinatorDigest = "coordinator-digest"
	KindMinistryDigest    = "ministry-digest"
)

// Planner turns a due slot into messages: it reads the store inside the
// slot's transaction, asks workflow what is due, renders with notify and
// enqueues, so that the messages and the slot's advance commit together.
type Planner struct {
	Config   *config.Config
	Renderer *notify.Renderer
	Now      func() time.Time
	// Only, when set, limits digests to this recipient (followup send).
	Only string
	// Force sends a digest even when there is nothing to report.
	Force bool
}

// Planned is one message a slot produced.
type Planned struct {
	Kind      string
	Recipient string
	Key       string
	To, Cc    []string
	Subject   string
	Text      string
	Tasks     int
	Inserted  bool // false when a message with its key was already enqueued
}

// Run runs one job for one slot.
func (p *Planner) Run(ctx context.Context, tx *store.SlotTx, job string, slot time.Time) ([]Planned, error) {
	switch job {
	case JobReminders:
		return p.reminders(ctx, tx, slot)
	case JobCoordinatorDigest:
		return p.coordinatorDigest(ctx, tx, slot)
	case JobMinistryDigest:
		return p.ministryDigests(ctx, tx, slot)
	}
	return nil, fmt.Errorf("unknown job %q", job)
}

// fire is one deadline that calls for a reminder, and the tasks it
// concerns.
type fire struct {
	query    store.TaskQuery
	deadline workflow.Deadline
	reminder workflow.Reminder
}

// docGroups gathers a document's task groups.
type docGroups struct {
	id     int64
	doc    workflow.DocFacts
	stages []store.TaskGroup // groups in open stages
}

func (p *Planner) openGroups(ctx context.Context, tx *store.SlotTx) ([]*docGroups, error) {
	gs, err := tx.Groups(ctx, func(stage string) bool { return !workflow.Final(p.Config, stage) })
	if err != nil {
		return nil, err
	}
	var out []*docGroups
	byID := map[int64]*docGroups{}
	for _, g := range gs {
		d := byID[g.DocumentID]
		if d == nil {
			d = &docGroups{id: g.DocumentID, doc: g.Doc}
			byID[g.DocumentID] = d
			out = append(out, d)
		}
		d.stages = append(d.stages, g)
	}
	return out, nil
}

func (d *docGroups) stageIDs() []string {
	var out []string
	for _, g := range d.stages {
		out = append(out, g.Stage)
	}
	return out
}

// deadlinesOf lists, for one document, each deadline with the tasks it
// applies to: a stage's target to the tasks in that stage, the follow-up
// date to the follow-up paragraphs, milestones and the report's due date to
// every open task.
func (p *Planner) deadlinesOf(d *docGroups) []fire {
	var out []fire
	for _, g := range d.stages {
		if dl, ok := workflow.StageDeadline(p.Config, d.doc, g.Stage); ok {
			out = append(out, fire{query: store.TaskQuery{DocumentID: d.id, Stages: []string{g.Stage}}, deadline: dl})
		}
	}
	open := d.stageIDs()
	if fu := d.doc.FollowUp; fu != nil && !fu.Due.IsZero() && len(fu.Paragraphs) > 0 {
		out = append(out, fire{
			query:    store.TaskQuery{DocumentID: d.id, Stages: open, Paragraphs: fu.Paragraphs},
			deadline: workflow.Deadline{Date: fu.Due, Kind: workflow.KindFollowUp, Label: "follow-up information to the Committee", Ref: "follow_up"},
		})
	}
	for _, r := range workflow.Reports(p.Config, d.doc.Symbol) {
		for _, m := range r.Milestones {
			out = append(out, fire{query: store.TaskQuery{DocumentID: d.id, Stages: open},
				deadline: workflow.Deadline{Date: r.Due.Sub(m.Before), Kind: workflow.KindMilestone, Label: m.Name + " (" + r.ID + ")", Ref: r.ID + "/" + m.Name}})
		}
		title := r.Title
		if title == "" {
			title = r.ID
		}
		out = append(out, fire{query: store.TaskQuery{DocumentID: d.id, Stages: open},
			deadline: workflow.Deadline{Date: r.Due, Kind: workflow.KindReport, Label: title + " due", Ref: r.ID}})
	}
	return out
}

// recipientReminders collects one recipient's reminder (or escalation)
// while the sweep streams the due tasks: per deadline, the count, the ids
// to log, and the first ids, enough to list. Texts are read later, for the
// few tasks the message lists.
type recipientReminders struct {
	groups map[string]*groupAcc
	order  []string
}

// total counts the tasks in all groups.
func (r *recipientReminders) total() int {
	n := 0
	for _, g := range r.groups {
		n += g.count
	}
	return n
}

type groupAcc struct {
	header         notify.ReminderGroup
	deadline, kind string // the reminder log's key
	count          int
	ids            []int64 // the first ones, up to the listing cap
	all            []int64 // every one, to log (not kept in a dry run)
}

func (r *recipientReminders) group(key string, header notify.ReminderGroup, deadline, kind string) *groupAcc {
	g := r.groups[key]
	if g == nil {
		g = &groupAcc{header: header, deadline: deadline, kind: kind}
		r.groups[key] = g
		r.order = append(r.order, key)
	}
	return g
}

// sortedKeys orders a reminder's groups: overdue first, then by date. A
// reminder over a large database has thousands of groups, so each group's
// rank is looked up once rather than in every comparison.
func (r *recipientReminders) sortedKeys() []string {
	type entry struct {
		key  string
		head *notify.ReminderGroup
		rank int
	}
	rank := map[string]int{"overdue": 0, "escalation": 0, "due": 1, "lead": 2}
	es := make([]entry, len(r.order))
	for i, k := range r.order {
		g := r.groups[k]
		es[i] = entry{key: k, head: &g.header, rank: rank[g.header.Kind]}
	}
	slices.SortStableFunc(es, func(a, b entry) int {
		if a.rank != b.rank {
			return cmp.Compare(a.rank, b.rank)
		}
		if c := a.head.Deadline.Compare(b.head.Deadline); c != 0 {
			return c
		}
		return strings.Compare(a.head.Label, b.head.Label)
	})
	keys := make([]string, len(es))
	for i, e := range es {
		keys[i] = e.key
	}
	return keys
}

// shown is what a capped message shows of a recipient's groups.
type shown struct {
	groups                      []notify.ReminderGroup
	omitSoon, omitLate, omitGrp int
}

// show lists groups in order until listCap tasks are listed; the groups
// after that are only counted. Texts come from one query for all the
// listed tasks.
func (p *Planner) show(ctx context.Context, tx *store.SlotTx, r *recipientReminders, listCap int, today civil.Date) (shown, error) {
	var out shown
	var ids []int64
	listed := 0
	type part struct {
		g   *groupAcc
		ids []int64
	}
	var parts []part
	for _, k := range r.sortedKeys() {
		g := r.groups[k]
		if listed >= listCap {
			out.omitGrp++
			if g.header.DaysLeft < 0 {
				out.omitLate += g.count
			} else {
				out.omitSoon += g.count
			}
			continue
		}
		n := min(len(g.ids), listCap-listed)
		parts = append(parts, part{g, g.ids[:n]})
		ids = append(ids, g.ids[:n]...)
		listed += n
	}
	tasks, err := tx.TasksByID(ctx, ids)
	if err != nil {
		return out, err
	}
	for _, pt := range parts {
		g := pt.g.header
		d := workflow.Deadline{Date: g.Deadline, Label: g.Label}
		for _, id := range pt.ids {
			if t, ok := tasks[id]; ok {
				line := p.taskLine(t, d, today)
				line.Overdue = g.DaysLeft < 0
				g.Tasks = append(g.Tasks, line)
			}
		}
		g.More = pt.g.count - len(g.Tasks)
		out.groups = append(out.groups, g)
	}
	return out, nil
}

// dueFire is one deadline that calls for a reminder on a day, with the
// selection of its tasks not yet reminded.
type dueFire struct {
	fire
	key       string          // the reminder group: deadline and kind
	selection store.TaskQuery // its tasks not yet reminded this way
	escalate  store.TaskQuery // when the deadline also calls for an escalation
}

// dueFires lists the deadlines that call for a reminder today.
func (p *Planner) dueFires(ctx context.Context, tx *store.SlotTx, today civil.Date) ([]dueFire, error) {
	docs, err := p.openGroups(ctx, tx)
	if err != nil {
		return nil, err
	}
	var out []dueFire
	for _, d := range docs {
		for _, f := range p.deadlinesOf(d) {
			rem, ok := workflow.DueReminder(p.Config, f.deadline, today)
			if !ok {
				continue
			}
			f.reminder = rem
			df := dueFire{fire: f, key: f.deadline.Key() + "|" + rem.Group, selection: f.query}
			df.selection.NotLoggedDeadline, df.selection.NotLoggedKind = f.deadline.Key(), rem.Kind
			if rem.Escalate {
				df.escalate = df.selection
				df.escalate.NotLoggedKind = workflow.EscalationKind
			}
			out = append(out, df)
		}
	}
	return out, nil
}

// SweepQueries lists the selections the reminder sweep runs at slot, in
// order: followup's benchmark runs the same SQL in the sqlite3 shell.
func (p *Planner) SweepQueries(ctx context.Context, tx *store.SlotTx, slot time.Time) ([]store.TaskQuery, error) {
	fires, err := p.dueFires(ctx, tx, workflow.Today(p.Config, slot))
	if err != nil {
		return nil, err
	}
	var out []store.TaskQuery
	for _, f := range fires {
		out = append(out, f.selection)
		if f.reminder.Escalate {
			out = append(out, f.escalate)
		}
	}
	return out, nil
}

func (p *Planner) reminders(ctx context.Context, tx *store.SlotTx, slot time.Time) ([]Planned, error) {
	cfg := p.Config
	today := workflow.Today(cfg, slot)
	listCap := cfg.Digests.MaxListed
	reminders := map[string]*recipientReminders{}
	escalations := map[string]*recipientReminders{}
	keep := !tx.DryRun()
	recipients := map[string]string{} // owner → recipient, looked up once
	// collect streams one deadline's due tasks into the recipients' groups.
	collect := func(m map[string]*recipientReminders, q store.TaskQuery, key string, header notify.ReminderGroup, dkey, kind string) error {
		accs := map[string]*groupAcc{}
		return tx.SweepTasks(ctx, q, func(id int64, owner string) error {
			acc := accs[owner]
			if acc == nil {
				rid, ok := recipients[owner]
				if !ok {
					rid = p.recipientOf(owner)
					recipients[owner] = rid
				}
				r := m[rid]
				if r == nil {
					r = &recipientReminders{groups: map[string]*groupAcc{}}
					m[rid] = r
				}
				acc = r.group(key, header, dkey, kind)
				accs[owner] = acc
			}
			acc.count++
			if len(acc.ids) < listCap {
				acc.ids = append(acc.ids, id)
			}
			if keep {
				acc.all = append(acc.all, id)
			}
			return nil
		})
	}
	fires, err := p.dueFires(ctx, tx, today)
	if err != nil {
		return nil, err
	}
	for _, f := range fires {
		header := notify.ReminderGroup{Kind: f.reminder.Group, Deadline: f.deadline.Date, Label: f.deadline.Label,
			DaysLeft: today.DaysUntil(f.deadline.Date)}
		if err := collect(reminders, f.selection, f.key, header, f.deadline.Key(), f.reminder.Kind); err != nil {
			return nil, err
		}
		if f.reminder.Escalate {
			header.Kind = "escalation"
			if err := collect(escalations, f.escalate, f.key, header, f.deadline.Key(), workflow.EscalationKind); err != nil {
				return nil, err
			}
		}
	}

	var out []Planned
	for _, id := range p.recipientOrder() {
		r := reminders[id]
		if r == nil {
			continue
		}
		body, _ := cfg.Ministry(id)
		sh, err := p.show(ctx, tx, r, listCap, today)
		if err != nil {
			return nil, err
		}
		data := notify.ReminderData{Ministry: body, Coordinator: cfg.Coordinator, Date: today, TaskCount: r.total(),
			Groups: sh.groups, OmittedSoon: sh.omitSoon, OmittedOverdue: sh.omitLate, OmittedGroups: sh.omitGrp,
			AnyOverdue: sh.omitLate > 0}
		for _, g := range data.Groups {
			if g.Kind == "overdue" {
				data.AnyOverdue = true
			}
		}
		rendered, err := p.Renderer.Reminder(data)
		if err != nil {
			return nil, fmt.Errorf("render the reminder to %s: %w", id, err)
		}
		env := notify.Envelope{To: emails(body), Subject: rendered.Subject}
		ics := notify.Attachment{Name: "deadlines.ics", ContentType: "text/calendar; charset=utf-8; method=PUBLISH",
			Data: notify.ICS("-//followup//reminders//EN", p.events(id, data.Groups), p.Now())}
		planned, outboxID, err := p.enqueue(ctx, tx, KindReminder, id, slot, env, rendered, ics)
		if err != nil {
			return nil, err
		}
		planned.Tasks = r.total()
		if err := logAll(ctx, tx, r, outboxID); err != nil {
			return nil, err
		}
		out = append(out, planned)
	}
	for _, id := range p.recipientOrder() {
		r := escalations[id]
		if r == nil {
			continue
		}
		body, _ := cfg.Ministry(id)
		sh, err := p.show(ctx, tx, r, listCap, today)
		if err != nil {
			return nil, err
		}
		data := notify.EscalationData{Ministry: body, Coordinator: cfg.Coordinator, Date: today, After: cfg.Reminders.EscalateAfter,
			TaskCount: r.total(), Groups: sh.groups, OmittedTasks: sh.omitLate + sh.omitSoon, OmittedGroups: sh.omitGrp}
		rendered, err := p.Renderer.Escalation(data)
		if err != nil {
			return nil, fmt.Errorf("render the escalation about %s: %w", id, err)
		}
		env := notify.Envelope{To: emails(cfg.Coordinator), Subject: rendered.Subject}
		if id != cfg.Coordinator.ID {
			env.Cc = emails(body)
		}
		planned, outboxID, err := p.enqueue(ctx, tx, KindEscalation, id, slot, env, rendered)
		if err != nil {
			return nil, err
		}
		planned.Tasks = r.total()
		if err := logAll(ctx, tx, r, outboxID); err != nil {
			return nil, err
		}
		out = append(out, planned)
	}
	return out, nil
}

func logAll(ctx context.Context, tx *store.SlotTx, r *recipientReminders, outboxID int64) error {
	for _, k := range r.order {
		g := r.groups[k]
		if err := tx.LogReminders(ctx, g.all, g.deadline, g.kind, outboxID); err != nil {
			return err
		}
	}
	return nil
}

// recipientOf gives the body a task's mail goes to: its owner, or the
// coordinating body for unassigned tasks (and owners no longer in the
// config).
func (p *Planner) recipientOf(owner string) string {
	if owner == "" {
		return p.Config.Coordinator.ID
	}
	if _, ok := p.Config.Ministry(owner); !ok {
		return p.Config.Coordinator.ID
	}
	return owner
}

// recipientOrder is the config's order: the coordinator, then ministries.
func (p *Planner) recipientOrder() []string {
	ids := []string{p.Config.Coordinator.ID}
	for _, m := range p.Config.Ministries {
		ids = append(ids, m.ID)
	}
	return ids
}

func (p *Planner) stageName(id string) string {
	if s, ok := p.Config.Stage(id); ok && s.Name != "" {
		return s.Name
	}
	return id
}

func (p *Planner) ownerName(id string) string {
	if id == "" {
		return "Unassigned"
	}
	if b, ok := p.Config.Ministry(id); ok {
		return b.Name
	}
	return id
}

// paragraphLabel writes a recommendation's place for people: "14 (a)",
// "122.17", "8".
func paragraphLabel(paragraph int, item string) string {
	switch {
	case item == "":
		return strconv.Itoa(paragraph)
	case item[0] >= '0' && item[0] <= '9':
		return strconv.Itoa(paragraph) + "." + item
	}
	return fmt.Sprintf("%d (%s)", paragraph, item)
}

func (p *Planner) taskLine(t store.DueTask, d workflow.Deadline, today civil.Date) notify.TaskLine {
	return notify.TaskLine{
		ID: t.RecID, Paragraph: paragraphLabel(t.Paragraph, t.Item), Text: t.Text, Stage: p.stageName(t.Stage),
		Owner: p.ownerName(t.Owner), OwnerID: t.Owner, Deadline: d.Date, DeadlineLabel: d.Label,
		DaysLeft: today.DaysUntil(d.Date), Overdue: d.Overdue(today),
	}
}

// events turns a reminder's deadlines into calendar events, one per
// deadline, with a UID stable across reminders so calendars update the
// event instead of adding another.
func (p *Planner) events(recipient string, groups []notify.ReminderGroup) []notify.Event {
	seen := map[string]bool{}
	var out []notify.Event
	for _, g := range groups {
		uid := hashID(recipient+"|"+g.Deadline.String()+"|"+g.Label) + "@followup"
		if seen[uid] {
			continue
		}
		seen[uid] = true
		var ids []string
		for i, t := range g.Tasks {
			if i == 20 {
				ids = append(ids, fmt.Sprintf("… and %d more", len(g.Tasks)-20+g.More))
				break
			}
			ids = append(ids, t.ID)
		}
		n := len(g.Tasks) + g.More
		out = append(out, notify.Event{UID: uid, Date: g.Deadline,
			Summary:     fmt.Sprintf("%s (%d %s)", g.Label, n, plural(n, "task", "tasks")),
			Description: strings.Join(ids, "\n"), AlarmDaysBefore: 7})
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func hashID(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

func emails(b config.Body) []string {
	var out []string
	for _, f := range b.FocalPoints {
		if f.Name != "" {
			out = append(out, (&mail.Address{Name: f.Name, Address: f.Email}).String())
		} else {
			out = append(out, f.Email)
		}
	}
	return out
}

var reKeyChars = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// messageID derives a stable Message-ID from an outbox key: a retry, or a
// second daemon, sends the same id.
func messageID(key, from string) string {
	domain := "followup.invalid"
	if a, err := mail.ParseAddress(from); err == nil {
		if i := strings.LastIndexByte(a.Address, '@'); i >= 0 {
			domain = a.Address[i+1:]
		}
	}
	return strings.Trim(reKeyChars.ReplaceAllString(key, "."), ".") + "@" + domain
}

// Key is the outbox key of a job's message to a recipient for a slot.
func Key(kind, recipient string, slot time.Time) string {
	return fmt.Sprintf("%s:%s:%d", kind, recipient, slot.Unix())
}

func (p *Planner) enqueue(ctx context.Context, tx *store.SlotTx, kind, recipient string, slot time.Time,
	env notify.Envelope, r notify.Rendered, atts ...notify.Attachment) (Planned, int64, error) {
	key := Key(kind, recipient, slot)
	env.From = p.Config.Mail.From
	env.MessageID = messageID(key, env.From)
	env.Date = p.Now().In(p.Config.Location)
	env.Headers = map[string]string{"X-Followup-Key": key}
	raw, err := notify.Compose(env, r.Text, r.HTML, atts...)
	if err != nil {
		return Planned{}, 0, fmt.Errorf("compose %s to %s: %w", kind, recipient, err)
	}
	from, rcpts, err := notify.EnvelopeAddrs(env)
	if err != nil {
		return Planned{}, 0, fmt.Errorf("compose %s to %s: %w", kind, recipient, err)
	}
	id, inserted, err := tx.Enqueue(ctx, store.OutboxMessage{Key: key, Kind: kind, Recipient: recipient, Subject: r.Subject,
		MessageID: env.MessageID, From: from, To: rcpts, Raw: raw})
	if err != nil {
		return Planned{}, 0, fmt.Errorf("enqueue %s: %w", key, err)
	}
	return Planned{Kind: kind, Recipient: recipient, Key: key, To: env.To, Cc: env.Cc, Subject: r.Subject,
		Text: r.Text, Inserted: inserted}, id, nil
}
