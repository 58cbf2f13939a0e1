package plan

import (
	"cmp"
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/workflow"
)

// comingDays is how far ahead a ministry's digest looks.
const comingDays = 90

// picked is a task chosen for a list, with the deadline it is listed
// under (ok false: it has none).
type picked struct {
	id      int64
	d       workflow.Deadline
	ok      bool
	cluster int64 // the cluster it stands for (its nearest deadline's member); 0 for a task
}

// sooner reports whether a's deadline comes before b's: a cluster is
// listed under the nearest deadline of its members.
func sooner(a, b picked) bool {
	switch {
	case a.ok != b.ok:
		return a.ok
	case a.ok && a.d.Date != b.d.Date:
		return a.d.Date.Before(b.d.Date)
	}
	return a.id < b.id
}

// bounded keeps the first cap items of a list in an order (by deadline,
// then id), and counts them all, without holding the whole list.
type bounded struct {
	cap    int
	byDate bool
	items  []picked
	total  int
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

// ministryLists are one owner's lists in the digests. Each open task is in
// one of overdue, coming and byStage (the later ones), so that the digest
// lists it once; stageCount counts them all by stage.
type ministryLists struct {
	byStage    map[string]*bounded
	stageCount map[string]int
	coming     *bounded
	overdue    *bounded
	supporting *bounded
	open       int
}

// classified is one pass over the open tasks, for the ministries'
// digests: each task's next deadline, taken from its (document, stage)
// group, decides the lists it goes in.
// Only ids are kept (the first few of each list); the texts of the listed
// tasks are read afterwards in one query.
type classified struct {
	today  civil.Date
	owners map[string]*ministryLists
	limit  int
}

func (c *classified) owner(id string) *ministryLists {
	m := c.owners[id]
	if m == nil {
		m = &ministryLists{byStage: map[string]*bounded{}, stageCount: map[string]int{}, coming: &bounded{cap: c.limit, byDate: true},
			overdue: &bounded{cap: c.limit, byDate: true}, supporting: &bounded{cap: c.limit}}
		c.owners[id] = m
	}
	return m
}

type groupKey struct {
	doc   int64
	stage string
}

// groupNext is a group's next deadline on the day, for the tasks of the
// paragraphs some deadline is limited to (the follow-up procedure's) and
// for the others.
type groupNext struct {
	in, out     workflow.Deadline
	inOK, outOK bool
	paragraphs  []int
}

// unitKey is the members of one cluster that one ministry owns (or
// supports).
type unitKey struct {
	owner   string
	cluster int64
}

// unit is such members, listed once: under the nearest deadline of any of
// them, in its member's stage.
type unit struct {
	best  picked
	stage string
}

// classify reads every open task once and files it by its next deadline
// (workflow.Next over its group's deadlines). The members of a cluster
// that one ministry owns are filed once, as one item (DESIGN.md, decision
// 16): under the nearest of their deadlines, counted once in the open
// tasks and by stage.
func (p *Planner) classify(ctx context.Context, r Reader, at time.Time) (*classified, error) {
	cfg := p.Config
	today := workflow.Today(cfg.Location, at)
	limit := cfg.Digests.MaxListed
	groups, err := r.TaskGroups(ctx, p.openStage)
	if err != nil {
		return nil, err
	}
	next := p.nextDeadlines(groups, today)
	// The open tasks are read by the stages the groups are in, not by the
	// config's open ones: a task left in a stage the admin has since
	// removed is open (workflow.Final), as the coordinator's overview
	// counts it, and its ministry's overview lists it.
	var stages []string
	for _, g := range groups {
		if !slices.Contains(stages, g.Stage) {
			stages = append(stages, g.Stage)
		}
	}
	c := &classified{today: today, owners: map[string]*ministryLists{}, limit: limit}
	units := map[unitKey]*unit{}
	supported := map[unitKey]picked{}
	file := func(owner, stage string, pk picked) {
		overdue := pk.ok && pk.d.Overdue(today)
		coming := pk.ok && !overdue && today.DaysUntil(pk.d.Date) >= 0 && today.DaysUntil(pk.d.Date) <= comingDays
		m := c.owner(owner)
		m.open++
		m.stageCount[stage]++
		switch {
		case overdue:
			m.overdue.add(pk)
		case coming:
			m.coming.add(pk)
		default:
			st := m.byStage[stage]
			if st == nil {
				st = &bounded{cap: limit}
				m.byStage[stage] = st
			}
			st.add(pk)
		}
	}
	err = r.OpenTasks(ctx, stages, func(t LightTask) error {
		d, ok := next[groupKey{t.Document, t.Stage}].of(t.Paragraph)
		pk := picked{t.ID, d, ok, t.Cluster}
		if t.Cluster != 0 {
			k := unitKey{t.Owner, t.Cluster}
			if u := units[k]; u == nil {
				units[k] = &unit{best: pk, stage: t.Stage}
			} else if sooner(pk, u.best) {
				u.best, u.stage = pk, t.Stage
			}
			if t.Support != "" {
				for _, s := range strings.Split(t.Support, ",") {
					k := unitKey{s, t.Cluster}
					if was, seen := supported[k]; !seen || sooner(pk, was) {
						supported[k] = pk
					}
				}
			}
			return nil
		}
		file(t.Owner, t.Stage, pk)
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
	// The clusters, in a fixed order: the lists without a date keep the
	// first items they are given.
	keys := make([]unitKey, 0, len(units))
	for k := range units {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b unitKey) int { return cmp.Compare(units[a].best.id, units[b].best.id) })
	for _, k := range keys {
		file(k.owner, units[k].stage, units[k].best)
	}
	keys = keys[:0]
	for k := range supported {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b unitKey) int {
		if c := cmp.Compare(supported[a].id, supported[b].id); c != 0 {
			return c
		}
		return strings.Compare(a.owner, b.owner)
	})
	for _, k := range keys {
		c.owner(k.owner).supporting.add(supported[k])
	}
	return c, nil
}

// readLists trims the lists and reads the texts of the tasks they keep,
// in one query.
func readLists(ctx context.Context, r Reader, lists ...*bounded) (map[int64]TaskRow, error) {
	var ids []int64
	for _, l := range lists {
		l.trim()
		for _, it := range l.items {
			ids = append(ids, it.id)
		}
	}
	return r.TasksByID(ctx, ids)
}

// listOf turns a trimmed list into listed tasks.
func listOf(b *bounded, rows map[int64]TaskRow) TaskList {
	out := TaskList{Total: b.total}
	for _, it := range b.items {
		if t, ok := rows[it.id]; ok {
			out.Tasks = append(out.Tasks, ListedTask{Task: t, Next: it.d, HasNext: it.ok, Cluster: it.cluster})
		}
	}
	return out
}
