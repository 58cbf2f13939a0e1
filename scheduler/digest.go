package scheduler

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// comingDays is how far ahead a ministry's digest looks.
const comingDays = 90

// picked is a task chosen for a list, with the deadline it is listed under.
type picked struct {
	id int64
	d  workflow.Deadline
}

// bounded keeps the first cap items of a list in an order (by deadline,
// then id), and counts them all, without holding the whole list.
type bounded struct {
	cap     int
	byDate  bool
	items   []picked
	total   int
	trimmed bool
}

func (b *bounded) add(p picked) {
	b.total++
	if !b.byDate {
		if len(b.items) < b.cap {
			b.items = append(b.items, p)
		}
		return
	}
	b.items = append(b.items, p)
	if len(b.items) > 4*b.cap {
		b.trim()
	}
}

func (b *bounded) trim() {
	if b.byDate {
		sort.SliceStable(b.items, func(i, j int) bool {
			if b.items[i].d.Date != b.items[j].d.Date {
				return b.items[i].d.Date.Before(b.items[j].d.Date)
			}
			return b.items[i].id < b.items[j].id
		})
	}
	if len(b.items) > b.cap {
		b.items = b.items[:b.cap]
	}
}

func (b *bounded) more() int { return b.total - len(b.items) }

// ministryLists are one owner's lists in the digests.
type ministryLists struct {
	byStage    map[string]*bounded
	coming     *bounded
	overdue    *bounded
	supporting *bounded
	open       int
}

// classified is one pass over the open tasks: each task's next deadline,
// taken from its (document, stage) group, decides the lists it goes in.
// Only ids are kept (the first few of each list); the texts of the listed
// tasks are read afterwards in one query.
type classified struct {
	overdue        *bounded
	unassigned     *bounded
	overdueByOwner map[string]int
	owners         map[string]*ministryLists
	limit          int
}

func (c *classified) owner(id string) *ministryLists {
	m := c.owners[id]
	if m == nil {
		m = &ministryLists{byStage: map[string]*bounded{}, coming: &bounded{cap: c.limit, byDate: true},
			overdue: &bounded{cap: c.limit, byDate: true}, supporting: &bounded{cap: c.limit}}
		c.owners[id] = m
	}
	return m
}

type groupKey struct {
	doc   int64
	stage string
}

// groupNext is a group's next deadline, for tasks in the follow-up
// paragraphs and for the others.
type groupNext struct {
	in, out     workflow.Deadline
	inOK, outOK bool
	followUp    []int
}

func (p *Planner) classify(ctx context.Context, tx *store.SlotTx, slot time.Time) (*classified, error) {
	cfg := p.Config
	today := workflow.Today(cfg, slot)
	limit := cfg.Digests.MaxListed
	docs, err := p.openGroups(ctx, tx)
	if err != nil {
		return nil, err
	}
	next := map[groupKey]groupNext{}
	for _, d := range docs {
		for _, g := range d.stages {
			gn := groupNext{}
			t := workflow.Task{Document: d.doc, Stage: g.Stage}
			gn.out, gn.outOK = workflow.NextDeadline(cfg, t, slot)
			if fu := d.doc.FollowUp; fu != nil && len(fu.Paragraphs) > 0 {
				gn.followUp = fu.Paragraphs
				t.Rec.Paragraph = fu.Paragraphs[0]
				gn.in, gn.inOK = workflow.NextDeadline(cfg, t, slot)
			}
			next[groupKey{d.id, g.Stage}] = gn
		}
	}
	c := &classified{overdue: &bounded{cap: limit, byDate: true}, unassigned: &bounded{cap: limit},
		overdueByOwner: map[string]int{}, owners: map[string]*ministryLists{}, limit: limit}
	err = tx.LightTasks(ctx, store.TaskQuery{Stages: p.openStageIDs()}, true, func(t store.LightTask) error {
		gn := next[groupKey{t.DocID, t.Stage}]
		d, ok := gn.out, gn.outOK
		if gn.followUp != nil && slices.Contains(gn.followUp, t.Paragraph) {
			d, ok = gn.in, gn.inOK
		}
		overdue := ok && d.Overdue(today)
		coming := ok && !overdue && today.DaysUntil(d.Date) >= 0 && today.DaysUntil(d.Date) <= comingDays
		pk := picked{t.ID, d}
		if overdue {
			c.overdueByOwner[t.Owner]++
			c.overdue.add(pk)
		}
		if t.Owner == "" {
			c.unassigned.add(pk)
		}
		m := c.owner(t.Owner)
		m.open++
		st := m.byStage[t.Stage]
		if st == nil {
			st = &bounded{cap: limit}
			m.byStage[t.Stage] = st
		}
		st.add(pk)
		switch {
		case overdue:
			m.overdue.add(pk)
		case coming:
			m.coming.add(pk)
		}
		if t.Support != "" {
			for _, s := range strings.Split(t.Support, ",") {
				c.owner(s).supporting.add(pk)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// lines turns picked tasks into lines, reading their texts in one query.
type lineReader struct {
	p     *Planner
	tx    *store.SlotTx
	today civil.Date
	tasks map[int64]store.DueTask
}

func (p *Planner) newLineReader(ctx context.Context, tx *store.SlotTx, today civil.Date, lists ...*bounded) (*lineReader, error) {
	var ids []int64
	for _, l := range lists {
		l.trim()
		for _, it := range l.items {
			ids = append(ids, it.id)
		}
	}
	tasks, err := tx.TasksByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	return &lineReader{p: p, tx: tx, today: today, tasks: tasks}, nil
}

func (r *lineReader) lines(b *bounded) []notify.TaskLine {
	var out []notify.TaskLine
	for _, it := range b.items {
		if t, ok := r.tasks[it.id]; ok {
			out = append(out, r.p.taskLine(t, it.d, r.today))
		}
	}
	return out
}

func (p *Planner) openStageIDs() []string {
	var out []string
	for _, s := range p.Config.Stages {
		if !s.Final {
			out = append(out, s.ID)
		}
	}
	return out
}

func (p *Planner) coordinatorDigest(ctx context.Context, tx *store.SlotTx, slot time.Time) ([]Planned, error) {
	cfg := p.Config
	today := workflow.Today(cfg, slot)
	coord := cfg.Coordinator
	data := notify.CoordinatorDigestData{Coordinator: coord, Date: today}
	var err error
	if data.Since, err = tx.LastSent(ctx, KindCoordinatorDigest, coord.ID); err != nil {
		return nil, err
	}
	for _, r := range cfg.Reports {
		rc := notify.ReportCountdown{ID: r.ID, Title: r.Title, Due: r.Due, DaysLeft: today.DaysUntil(r.Due)}
		for _, m := range r.Milestones {
			d := r.Due.Sub(m.Before)
			rc.Milestones = append(rc.Milestones, notify.MilestoneCountdown{Name: m.Name, Date: d, DaysLeft: today.DaysUntil(d), Passed: d.Before(today)})
		}
		data.Reports = append(data.Reports, rc)
	}
	c, err := p.classify(ctx, tx, slot)
	if err != nil {
		return nil, err
	}

	// Progress by owner and stage, in the config's order.
	stageIndex := map[string]int{}
	for i, s := range cfg.Stages {
		data.Stages = append(data.Stages, notify.StageInfo{ID: s.ID, Name: s.Name, Final: s.Final})
		stageIndex[s.ID] = i
	}
	counts, err := tx.Progress(ctx)
	if err != nil {
		return nil, err
	}
	progress := map[string]*notify.MinistryProgress{}
	for _, n := range counts {
		mp := progress[n.Owner]
		if mp == nil {
			mp = &notify.MinistryProgress{ID: n.Owner, Name: p.ownerName(n.Owner), Counts: make([]int, len(cfg.Stages))}
			progress[n.Owner] = mp
		}
		if i, ok := stageIndex[n.Stage]; ok {
			mp.Counts[i] += n.Count
		}
		mp.Total += n.Count
		data.TotalTasks += n.Count
		if workflow.Final(cfg, n.Stage) {
			mp.Closed += n.Count
		} else {
			mp.Open += n.Count
			data.OpenTasks += n.Count
		}
	}
	var rest []string // owners no longer in the config, after the others
	for id := range progress {
		if _, ok := cfg.Ministry(id); !ok && id != "" {
			rest = append(rest, id)
		}
	}
	sort.Strings(rest)
	for _, id := range append(append(p.recipientOrder(), rest...), "") {
		if mp := progress[id]; mp != nil {
			mp.Overdue = c.overdueByOwner[id]
			data.Progress = append(data.Progress, *mp)
			delete(progress, id)
		}
	}

	lr, err := p.newLineReader(ctx, tx, today, c.overdue, c.unassigned)
	if err != nil {
		return nil, err
	}
	data.Overdue, data.OverdueMore = lr.lines(c.overdue), c.overdue.more()
	data.Unassigned, data.UnassignedMore = lr.lines(c.unassigned), c.unassigned.more()

	limit := cfg.Digests.MaxListed
	since := data.Since
	if since.IsZero() {
		since = slot.AddDate(0, 0, -7) // the first digest tells the last week
	}
	events, total, err := tx.EventsSince(ctx, since, limit)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		data.Changes = append(data.Changes, notify.ChangeLine{At: e.At, TaskID: e.RecID, Actor: e.Actor, Kind: e.Kind, From: e.From, To: e.To, Note: e.Note})
	}
	data.ChangesMore = total - len(events)
	failed, totalFailed, err := tx.Unreported(ctx, limit, true)
	if err != nil {
		return nil, err
	}
	for _, m := range failed {
		data.Failed = append(data.Failed, notify.DeliveryLine{At: m.CreatedAt, Subject: m.Subject, To: strings.Join(m.To, ", "), Status: m.Status, Error: m.LastError})
	}
	data.FailedMore = totalFailed - len(failed)

	empty := len(data.Overdue) == 0 && len(data.Unassigned) == 0 && len(data.Changes) == 0 && len(data.Failed) == 0
	if empty && !cfg.Digests.SendEmpty && !p.Force {
		return nil, nil
	}
	rendered, err := p.Renderer.CoordinatorDigest(data)
	if err != nil {
		return nil, fmt.Errorf("render the coordinator digest: %w", err)
	}
	planned, _, err := p.enqueue(ctx, tx, KindCoordinatorDigest, coord.ID, slot, notify.Envelope{To: emails(coord), Subject: rendered.Subject}, rendered)
	if err != nil {
		return nil, err
	}
	planned.Tasks = data.OpenTasks
	return []Planned{planned}, nil
}

func (p *Planner) ministryDigests(ctx context.Context, tx *store.SlotTx, slot time.Time) ([]Planned, error) {
	cfg := p.Config
	today := workflow.Today(cfg, slot)
	c, err := p.classify(ctx, tx, slot)
	if err != nil {
		return nil, err
	}
	var out []Planned
	for _, id := range p.recipientOrder() {
		if p.Only != "" && id != p.Only {
			continue
		}
		body, _ := cfg.Ministry(id)
		m := c.owner(id)
		lists := []*bounded{m.coming, m.overdue, m.supporting}
		for _, b := range m.byStage {
			lists = append(lists, b)
		}
		lr, err := p.newLineReader(ctx, tx, today, lists...)
		if err != nil {
			return nil, err
		}
		data := notify.MinistryDigestData{Ministry: body, Coordinator: cfg.Coordinator, Date: today, OpenTasks: m.open}
		for _, s := range cfg.Stages {
			b := m.byStage[s.ID]
			if s.Final || b == nil {
				continue
			}
			data.ByStage = append(data.ByStage, notify.StageTasks{Stage: notify.StageInfo{ID: s.ID, Name: s.Name},
				Count: b.total, Tasks: lr.lines(b), More: b.more()})
		}
		data.Coming, data.ComingMore = lr.lines(m.coming), m.coming.more()
		data.Overdue, data.OverdueMore = lr.lines(m.overdue), m.overdue.more()
		data.Supporting, data.SupportMore = lr.lines(m.supporting), m.supporting.more()
		nothing := data.OpenTasks == 0 && len(data.Supporting) == 0
		if nothing && !p.Force && (!cfg.Digests.SendEmpty || id == cfg.Coordinator.ID) {
			continue // the coordinator has its own digest
		}
		rendered, err := p.Renderer.MinistryDigest(data)
		if err != nil {
			return nil, fmt.Errorf("render the digest of %s: %w", id, err)
		}
		planned, _, err := p.enqueue(ctx, tx, KindMinistryDigest, id, slot, notify.Envelope{To: emails(body), Subject: rendered.Subject}, rendered)
		if err != nil {
			return nil, err
		}
		planned.Tasks = data.OpenTasks
		out = append(out, planned)
	}
	return out, nil
}
