package scheduler

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// comingDays is how far ahead a ministry's digest looks.
const comingDays = 90

// dueSet is a deadline with the tasks it applies to.
type dueSet struct {
	query    store.TaskQuery
	deadline workflow.Deadline
}

// overdueSets lists the hard deadlines missed by today.
func (p *Planner) overdueSets(docs []*docGroups, today civil.Date) []dueSet {
	var out []dueSet
	for _, d := range docs {
		for _, f := range p.deadlinesOf(d) {
			if f.deadline.Overdue(today) {
				out = append(out, dueSet{f.query, f.deadline})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].deadline.Date.Before(out[j].deadline.Date) })
	return out
}

// listTasks fills lines from the sets, up to limit, and counts the rest.
// A task in several sets is listed (and counted) once.
func (p *Planner) listTasks(ctx context.Context, tx *store.SlotTx, sets []dueSet, owner *string, limit int, today civil.Date) ([]notify.TaskLine, int, error) {
	var lines []notify.TaskLine
	seen := map[int64]bool{}
	more := 0
	for _, s := range sets {
		q := s.query
		q.Owner = owner
		err := tx.Tasks(ctx, q, func(t store.DueTask) error {
			if seen[t.ID] {
				return nil
			}
			seen[t.ID] = true
			if len(lines) < limit {
				lines = append(lines, p.taskLine(t, s.deadline, today))
			} else {
				more++
			}
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
	}
	return lines, more, nil
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
	docs, err := p.openGroups(ctx, tx)
	if err != nil {
		return nil, err
	}
	overdue := p.overdueSets(docs, today)
	overdueByOwner := map[string]int{}
	for _, s := range overdue {
		c, err := tx.CountByOwner(ctx, s.query)
		if err != nil {
			return nil, err
		}
		for o, n := range c {
			overdueByOwner[o] += n
		}
	}
	progress := map[string]*notify.MinistryProgress{}
	for _, c := range counts {
		mp := progress[c.Owner]
		if mp == nil {
			mp = &notify.MinistryProgress{ID: c.Owner, Name: p.ownerName(c.Owner), Counts: make([]int, len(cfg.Stages))}
			progress[c.Owner] = mp
		}
		if i, ok := stageIndex[c.Stage]; ok {
			mp.Counts[i] += c.Count
		}
		mp.Total += c.Count
		data.TotalTasks += c.Count
		if workflow.Final(cfg, c.Stage) {
			mp.Closed += c.Count
		} else {
			mp.Open += c.Count
			data.OpenTasks += c.Count
		}
	}
	for _, id := range append(p.recipientOrder(), "") {
		if mp := progress[id]; mp != nil {
			mp.Overdue = overdueByOwner[id]
			data.Progress = append(data.Progress, *mp)
			delete(progress, id)
		}
	}
	var rest []string // owners no longer in the config
	for id := range progress {
		rest = append(rest, id)
	}
	sort.Strings(rest)
	for _, id := range rest {
		progress[id].Overdue = overdueByOwner[id]
		data.Progress = append(data.Progress, *progress[id])
	}

	limit := cfg.Digests.MaxListed
	if data.Overdue, data.OverdueMore, err = p.listTasks(ctx, tx, overdue, nil, limit, today); err != nil {
		return nil, err
	}
	unassigned := ""
	q := store.TaskQuery{Owner: &unassigned, Stages: p.openStageIDs(), Limit: limit}
	err = tx.Tasks(ctx, q, func(t store.DueTask) error {
		data.Unassigned = append(data.Unassigned, p.taskLine(t, workflow.Deadline{}, today))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if n, err := tx.CountTasks(ctx, q); err != nil {
		return nil, err
	} else if n > len(data.Unassigned) {
		data.UnassignedMore = n - len(data.Unassigned)
	}
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
		data.Failed = append(data.Failed, notify.DeliveryLine{At: m.CreatedAt, Subject: m.Subject, To: joinTo(m.To), Status: m.Status, Error: m.LastError})
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

func joinTo(to []string) string {
	s := ""
	for i, t := range to {
		if i > 0 {
			s += ", "
		}
		s += t
	}
	return s
}

func (p *Planner) ministryDigests(ctx context.Context, tx *store.SlotTx, slot time.Time) ([]Planned, error) {
	cfg := p.Config
	today := workflow.Today(cfg, slot)
	docs, err := p.openGroups(ctx, tx)
	if err != nil {
		return nil, err
	}
	overdue := p.overdueSets(docs, today)
	var coming []dueSet
	for _, d := range docs {
		for _, f := range p.deadlinesOf(d) {
			if days := today.DaysUntil(f.deadline.Date); days >= 0 && days <= comingDays {
				coming = append(coming, dueSet{f.query, f.deadline})
			}
		}
	}
	sort.SliceStable(coming, func(i, j int) bool { return coming[i].deadline.Date.Before(coming[j].deadline.Date) })
	limit := cfg.Digests.MaxListed

	var out []Planned
	for _, id := range p.recipientOrder() {
		if p.Only != "" && id != p.Only {
			continue
		}
		body, _ := cfg.Ministry(id)
		owner := id
		data := notify.MinistryDigestData{Ministry: body, Coordinator: cfg.Coordinator, Date: today}
		for _, s := range cfg.Stages {
			if s.Final {
				continue
			}
			q := store.TaskQuery{Owner: &owner, Stages: []string{s.ID}, Limit: limit}
			n, err := tx.CountTasks(ctx, q)
			if err != nil {
				return nil, err
			}
			if n == 0 {
				continue
			}
			st := notify.StageTasks{Stage: notify.StageInfo{ID: s.ID, Name: s.Name}, Count: n}
			err = tx.Tasks(ctx, q, func(t store.DueTask) error {
				st.Tasks = append(st.Tasks, p.taskLine(t, workflow.Deadline{}, today))
				return nil
			})
			if err != nil {
				return nil, err
			}
			st.More = n - len(st.Tasks)
			data.ByStage = append(data.ByStage, st)
			data.OpenTasks += n
		}
		if data.Coming, data.ComingMore, err = p.listTasks(ctx, tx, coming, &owner, limit, today); err != nil {
			return nil, err
		}
		if data.Overdue, data.OverdueMore, err = p.listTasks(ctx, tx, overdue, &owner, limit, today); err != nil {
			return nil, err
		}
		sq := store.TaskQuery{Supporter: id, Stages: p.openStageIDs(), Limit: limit}
		err = tx.Tasks(ctx, sq, func(t store.DueTask) error {
			data.Supporting = append(data.Supporting, p.taskLine(t, workflow.Deadline{}, today))
			return nil
		})
		if err != nil {
			return nil, err
		}
		if n, err := tx.CountTasks(ctx, sq); err != nil {
			return nil, err
		} else {
			data.SupportMore = n - len(data.Supporting)
		}
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
