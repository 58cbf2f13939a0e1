package plan

import (
	"context"
	"slices"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/workflow"
)

// nextDeadlines gives each (document, stage) group its next deadline on
// day today: every task's next deadline is its group's (for the tasks of
// a deadline's limited paragraphs, the follow-up procedure's, the "in"
// one).
func (p *Planner) nextDeadlines(groups []Group, today civil.Date) map[groupKey]groupNext {
	next := make(map[groupKey]groupNext, len(groups))
	cal := p.Config.Calendar()
	for _, g := range groups {
		ds := cal.Group(g.Doc, g.Stage)
		var gn groupNext
		for _, d := range ds {
			if d.Paragraphs != nil {
				gn.paragraphs = d.Paragraphs
			}
		}
		gn.out, gn.outOK = workflow.Next(ds, 0, today) // paragraph 0: none of the limited ones
		if gn.paragraphs != nil {
			gn.in, gn.inOK = workflow.Next(ds, gn.paragraphs[0], today)
		}
		next[groupKey{g.Document, g.Stage}] = gn
	}
	return next
}

// of is the next deadline of a task of the group in paragraph.
func (gn groupNext) of(paragraph int) (workflow.Deadline, bool) {
	if gn.paragraphs != nil && slices.Contains(gn.paragraphs, paragraph) {
		return gn.in, gn.inOK
	}
	return gn.out, gn.outOK
}

// late is the overdue part of the open tasks, worked out by the database
// from the groups' deadlines: what the coordinator's overview (and the
// dashboard drawn from it) shows of them.
type late struct {
	groups         []OverdueGroup // whose tasks are overdue
	overdue        *bounded
	unassigned     *bounded
	overdueByOwner map[string]int
}

// lateTasks selects, group by group, the open tasks whose next deadline
// passed, and counts them by owner in SQL; only the first few of each
// list come back. The figures are those of each task's own next deadline
// (TestOverviewOverdueAgreesWithTheRules checks them task by task);
// streaming every open task through Go to work them out cost 1.7 s at 1M
// tasks, twice the database's own work.
func (p *Planner) lateTasks(ctx context.Context, r Reader, at time.Time) (*late, error) {
	cfg := p.Config
	today := workflow.Today(cfg.Location, at)
	limit := cfg.Digests.MaxListed
	open := p.openStageIDs()
	groups, err := r.TaskGroups(ctx, func(stage string) bool { return slices.Contains(open, stage) })
	if err != nil {
		return nil, err
	}
	next := p.nextDeadlines(groups, today)
	var q LateQuery
	var deadlines []workflow.Deadline // of each of q.Groups
	var overdue []OverdueGroup
	add := func(g Group, d workflow.Deadline, paragraphs, except []int) {
		og := OverdueGroup{Document: g.Document, Stage: g.Stage, Paragraphs: paragraphs, Except: except}
		q.Groups = append(q.Groups, LateGroup{OverdueGroup: og, Day: today.DaysUntil(d.Date)})
		deadlines = append(deadlines, d)
	}
	for _, g := range groups {
		gn := next[groupKey{g.Document, g.Stage}]
		outLate := gn.outOK && gn.out.Overdue(today)
		inLate := gn.paragraphs != nil && gn.inOK && gn.in.Overdue(today)
		if inLate {
			add(g, gn.in, gn.paragraphs, nil)
		}
		if outLate {
			add(g, gn.out, nil, gn.paragraphs)
		}
		// The dashboard's filter selects a group whose tasks are all
		// overdue as one whole group: parts limited to paragraphs are
		// spelt out one by one in its SQL.
		switch {
		case outLate && (gn.paragraphs == nil || inLate):
			overdue = append(overdue, OverdueGroup{Document: g.Document, Stage: g.Stage})
		case inLate:
			overdue = append(overdue, OverdueGroup{Document: g.Document, Stage: g.Stage, Paragraphs: gn.paragraphs})
		case outLate:
			overdue = append(overdue, OverdueGroup{Document: g.Document, Stage: g.Stage, Except: gn.paragraphs})
		}
	}
	l := &late{groups: overdue, overdue: &bounded{cap: limit, byDate: true}, unassigned: &bounded{cap: limit}, overdueByOwner: map[string]int{}}
	if len(q.Groups) > 0 {
		q.Limit = limit
		res, err := r.LateTasks(ctx, q)
		if err != nil {
			return nil, err
		}
		l.overdueByOwner = res.ByOwner
		for _, n := range res.ByOwner {
			l.overdue.total += n
		}
		for _, t := range res.First {
			l.overdue.items = append(l.overdue.items, picked{id: t.ID, d: deadlines[t.Group], ok: true})
		}
	}
	tasks, total, err := r.Unassigned(ctx, open, limit)
	if err != nil {
		return nil, err
	}
	l.unassigned.total = total
	for _, t := range tasks {
		d, ok := next[groupKey{t.Document, t.Stage}].of(t.Paragraph)
		l.unassigned.items = append(l.unassigned.items, picked{id: t.ID, d: d, ok: ok})
	}
	return l, nil
}
