package plan

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/workflow"
)

// Overview is where everything stands, as the coordinator's overview
// (digest) shows it: the countdown to each report, progress by owner and
// stage, what is overdue or unassigned, what changed, and deliveries that
// went wrong. It is data, not text: the digest renders it, and another
// view (a web page) can show the same figures.
type Overview struct {
	At    time.Time
	Today civil.Date
	// Since is when the previous overview was sent (zero: none was);
	// Changes are the task events after ChangesFrom (Since, or a week
	// before At for a first overview).
	Since, ChangesFrom time.Time

	Reports []Countdown
	// Stages are the config's, in its order, then, when a task nobody owns
	// is still in the initial stage, workflow.AwaitingOwnerStage, then the
	// stages the config no longer has that tasks are in, named by their
	// ids; every Progress.Counts follows it.
	Stages     []config.Stage
	Progress   []Progress // the coordinator, the ministries, owners no longer in the config, then unassigned
	TotalTasks int
	OpenTasks  int

	Overdue    TaskList // open tasks whose next deadline passed, earliest first
	Unassigned TaskList // open tasks nobody owns
	// OverdueGroups are the groups (or parts of groups) Overdue's tasks
	// are in: a store selects every overdue task with them.
	OverdueGroups []OverdueGroup

	Changes      []Event // the last ones people made after ChangesFrom, oldest first
	ChangesTotal int
	// Automatic counts what the program did after ChangesFrom (tasks
	// created by imports, owners given by the rules): an overview groups
	// these instead of listing a line per task.
	Automatic   []EventCount
	Failures    []Delivery // failed or uncertain messages no overview reported yet
	FailedTotal int
	MailChanges []MailChange // reloads that changed where mail goes, not reported yet
}

// Countdown is a report's due date and its milestones.
type Countdown struct {
	Report     config.Report
	Due        workflow.Deadline
	DaysLeft   int
	Milestones []MilestoneCountdown
}

// MilestoneCountdown is one milestone before a report's due date.
type MilestoneCountdown struct {
	Name     string
	Deadline workflow.Deadline
	DaysLeft int
	Passed   bool
}

// Progress counts one owner's tasks.
type Progress struct {
	Owner   string // ministry id; "" for unassigned tasks
	Name    string
	Counts  []int // per stage, in the order of Overview.Stages
	Open    int   // tasks not in a final stage
	Closed  int
	Total   int
	Overdue int // open tasks whose next deadline passed
}

// TaskList is the first tasks of a list and how many there are in all.
type TaskList struct {
	Tasks []ListedTask
	Total int
}

// ListedTask is a task in a list, with its next deadline.
type ListedTask struct {
	Task    TaskRow
	Next    workflow.Deadline
	HasNext bool
	// Cluster, in a ministry's overview, is the cluster the task stands
	// for (listed once for its members); 0 for a task on its own.
	Cluster int64
}

// overviewStages are the stages the overview counts tasks in: the
// config's, then workflow.AwaitingOwnerStage when a task awaits an owner,
// then each stage the config no longer has that a task is in, sorted, as
// config.ShownStage names it (by its id).
func overviewStages(cfg *config.Config, counts []OwnerStageCount) []config.Stage {
	out := slices.Clip(cfg.Stages)
	var awaiting bool
	var removed []string
	for _, n := range counts {
		if n.Count == 0 {
			continue
		}
		if workflow.Awaiting(cfg.InitialStage, n.Owner, n.Stage) {
			awaiting = true
		} else if _, ok := cfg.Stage(n.Stage); !ok && !slices.Contains(removed, n.Stage) {
			removed = append(removed, n.Stage)
		}
	}
	if awaiting {
		out = append(out, workflow.AwaitingOwnerStage())
	}
	slices.Sort(removed)
	for _, id := range removed {
		// Named by its id, which the stage function of the templates
		// and the dashboard's labels give back as it is.
		out = append(out, config.Stage{ID: id, Name: id})
	}
	return out
}

// Countdowns gives each report's countdown on day today.
func Countdowns(cfg *config.Config, today civil.Date) []Countdown {
	var out []Countdown
	for _, r := range cfg.Reports {
		ds := workflow.ReportDeadlines(r)
		c := Countdown{Report: r, Due: ds[len(ds)-1], DaysLeft: today.DaysUntil(r.Due)}
		for i, m := range r.Milestones {
			d := ds[i]
			c.Milestones = append(c.Milestones, MilestoneCountdown{Name: m.Name, Deadline: d,
				DaysLeft: today.DaysUntil(d.Date), Passed: d.Date.Before(today)})
		}
		out = append(out, c)
	}
	return out
}

// NewOverview works out the coordinator's overview at instant at, from r;
// since is when the previous overview was sent (zero for none). Lists hold
// at most the config's digests.max_listed tasks.
func NewOverview(ctx context.Context, cfg *config.Config, r Reader, at, since time.Time) (*Overview, error) {
	p := &Planner{Config: cfg}
	today := workflow.Today(cfg.Location, at)
	limit := cfg.Digests.MaxListed
	o := &Overview{At: at, Today: today, Since: since, ChangesFrom: since, Reports: Countdowns(cfg, today)}
	if since.IsZero() {
		o.ChangesFrom = at.AddDate(0, 0, -7) // the first overview tells the last week
	}
	c, err := p.lateTasks(ctx, r, at)
	if err != nil {
		return nil, err
	}

	// Progress by owner and stage, in the config's order; tasks nobody
	// owns that are still in the initial stage under a stage of their own
	// (workflow.AwaitingOwner), when there are any; then the stages the
	// config no longer has that tasks are still in (an admin removed
	// "archived"), by their ids as everywhere else (config.ShownStage):
	// such a task is open (workflow.Final), and each owner's counts add up
	// to its tasks.
	counts, err := r.Progress(ctx)
	if err != nil {
		return nil, err
	}
	o.Stages = overviewStages(cfg, counts)
	stageIndex := map[string]int{}
	for i, s := range o.Stages {
		stageIndex[s.ID] = i
	}
	// The config's stages win over the shown ones of the same id.
	for i, s := range cfg.Stages {
		stageIndex[s.ID] = i
	}
	awaiting := len(cfg.Stages) // only when o.Stages has it
	progress := map[string]*Progress{}
	for _, n := range counts {
		mp := progress[n.Owner]
		if mp == nil {
			mp = &Progress{Owner: n.Owner, Name: p.ownerName(n.Owner), Counts: make([]int, len(o.Stages))}
			progress[n.Owner] = mp
		}
		if workflow.Awaiting(cfg.InitialStage, n.Owner, n.Stage) {
			mp.Counts[awaiting] += n.Count
		} else {
			mp.Counts[stageIndex[n.Stage]] += n.Count
		}
		mp.Total += n.Count
		o.TotalTasks += n.Count
		if workflow.Final(cfg.Stages, n.Stage) {
			mp.Closed += n.Count
		} else {
			mp.Open += n.Count
			o.OpenTasks += n.Count
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
			o.Progress = append(o.Progress, *mp)
			delete(progress, id)
		}
	}

	rows, err := readLists(ctx, r, c.overdue, c.unassigned)
	if err != nil {
		return nil, err
	}
	o.Overdue, o.Unassigned, o.OverdueGroups = listOf(c.overdue, rows), listOf(c.unassigned, rows), c.groups
	if o.Changes, o.ChangesTotal, err = r.EventsSince(ctx, o.ChangesFrom, limit); err != nil {
		return nil, err
	}
	if o.Automatic, err = r.AutomaticEventsSince(ctx, o.ChangesFrom); err != nil {
		return nil, err
	}
	if o.Failures, o.FailedTotal, err = r.Failures(ctx, limit); err != nil {
		return nil, err
	}
	if o.MailChanges, err = r.MailChanges(ctx); err != nil {
		return nil, err
	}
	return o, nil
}

// assignmentText names the owners of an assignment as the audit trail
// writes it ("mps +moj,na", "unassigned"): "Ministry of Public Security,
// supported by Ministry of Justice and National Assembly".
func (p *Planner) assignmentText(s string) string {
	if s == "" || s == "unassigned" {
		return p.ownerName("")
	}
	owner, support, _ := strings.Cut(s, " +")
	out := p.ownerName(owner)
	if owner == "unassigned" {
		out = p.ownerName("")
	}
	if support != "" {
		var names []string
		for _, id := range strings.Split(support, ",") {
			names = append(names, p.ownerName(id))
		}
		out += ", supported by " + strings.Join(names, ", ")
	}
	return out
}

// lines turns listed tasks into the lines of a message.
func (p *Planner) lines(l TaskList, today civil.Date) (lines []notify.TaskLine, more int) {
	for _, t := range l.Tasks {
		lines = append(lines, p.taskLine(t.Task, t.Next, today))
	}
	return lines, l.Total - len(l.Tasks)
}

// unitLines is lines for a ministry's overview, where a cluster's
// members are listed once (ListedTask.Cluster).
func (p *Planner) unitLines(l TaskList, today civil.Date, owner string, clusters map[int64]ClusterRow) (lines []notify.TaskLine, more int) {
	for _, t := range l.Tasks {
		if c, ok := clusters[t.Cluster]; ok && t.Cluster != 0 {
			lines = append(lines, p.clusterLine(c, t.Task, owner, t.Next, today))
			continue
		}
		lines = append(lines, p.taskLine(t.Task, t.Next, today))
	}
	return lines, l.Total - len(l.Tasks)
}

func (p *Planner) coordinatorDigest(ctx context.Context, tx Tx, slot time.Time) ([]Message, error) {
	cfg := p.Config
	coord := cfg.Coordinator
	since, err := tx.LastSent(ctx, KindCoordinatorDigest, coord.ID)
	if err != nil {
		return nil, err
	}
	o, err := NewOverview(ctx, cfg, tx, slot, since)
	if err != nil {
		return nil, err
	}
	data := notify.CoordinatorDigestData{Coordinator: coord, Date: o.Today, Since: o.Since,
		TotalTasks: o.TotalTasks, OpenTasks: o.OpenTasks}
	for _, c := range o.Reports {
		rc := notify.ReportCountdown{ID: c.Report.ID, Title: c.Report.Title, Due: c.Due.Date, DaysLeft: c.DaysLeft}
		for _, m := range c.Milestones {
			rc.Milestones = append(rc.Milestones, notify.MilestoneCountdown{Name: m.Name, Date: m.Deadline.Date, DaysLeft: m.DaysLeft, Passed: m.Passed})
		}
		data.Reports = append(data.Reports, rc)
	}
	for _, s := range o.Stages {
		data.Stages = append(data.Stages, notify.StageInfo{ID: s.ID, Name: s.Name, Final: s.Final})
	}
	for _, mp := range o.Progress {
		data.Progress = append(data.Progress, notify.MinistryProgress{ID: mp.Owner, Name: mp.Name, Counts: mp.Counts,
			Open: mp.Open, Closed: mp.Closed, Total: mp.Total, Overdue: mp.Overdue})
	}
	data.Overdue, data.OverdueMore = p.lines(o.Overdue, o.Today)
	data.Unassigned, data.UnassignedMore = p.lines(o.Unassigned, o.Today)
	for _, e := range o.Changes {
		from, to := e.From, e.To
		switch e.Kind {
		case "stage":
			from, to = p.stageName(from), p.stageName(to)
		case "assign":
			// "assigned to X" rather than "reassigned from Unassigned".
			if from == "unassigned" {
				from = ""
			} else {
				from = p.assignmentText(from)
			}
			to = p.assignmentText(to)
		}
		data.Changes = append(data.Changes, notify.ChangeLine{At: e.At, TaskID: e.RecID, Actor: e.Actor, Kind: e.Kind, From: from, To: to, Note: e.Note})
	}
	data.ChangesMore = o.ChangesTotal - len(o.Changes)
	for _, c := range o.Automatic {
		data.Automatic = append(data.Automatic, notify.AutomaticLine{Actor: c.Actor, Kind: c.Kind, Tasks: c.Tasks})
	}
	for _, m := range o.Failures {
		data.Failed = append(data.Failed, notify.DeliveryLine{At: m.CreatedAt, Subject: m.Subject, To: strings.Join(m.To, ", "), Status: m.Status, Error: m.Error})
	}
	data.FailedMore = o.FailedTotal - len(o.Failures)
	for _, c := range o.MailChanges {
		data.MailChanges = append(data.MailChanges, notify.MailChangeLine{At: c.At, Changes: c.Changes})
	}

	empty := len(data.Overdue) == 0 && len(data.Unassigned) == 0 && len(data.Changes) == 0 && len(data.Failed) == 0 &&
		len(data.MailChanges) == 0 && len(data.Automatic) == 0
	if empty && !cfg.Digests.SendEmpty && !p.Force {
		return nil, nil
	}
	people, err := p.people(ctx, tx, coord)
	if err != nil {
		return nil, err
	}
	var msgs []Message
	var ids []int64
	if people != nil {
		msgs, _, err = p.enqueueEach(ctx, tx, KindCoordinatorDigest, coord.ID, slot, notify.Envelope{To: Addresses(coord)}, people,
			func(who person) (notify.Rendered, error) {
				d := data
				d.Link = who.link
				d.Overdue, d.Unassigned = personalLines(d.Overdue, who), personalLines(d.Unassigned, who)
				r, err := p.Renderer.CoordinatorDigest(d)
				if err != nil {
					return r, fmt.Errorf("render the coordinator digest: %w", err)
				}
				return r, nil
			}, &ids)
		if err != nil {
			return nil, err
		}
	} else {
		rendered, err := p.Renderer.CoordinatorDigest(data)
		if err != nil {
			return nil, fmt.Errorf("render the coordinator digest: %w", err)
		}
		m, id, err := p.enqueue(ctx, tx, KindCoordinatorDigest, coord.ID, slot, notify.Envelope{To: Addresses(coord), Subject: rendered.Subject}, rendered)
		if err != nil {
			return nil, err
		}
		msgs, ids = []Message{m}, []int64{id}
	}
	// The failures and mail changes it lists are reported once it is
	// delivered (to any of the coordinator's focal points); until then the
	// next overview lists them again.
	for _, id := range ids {
		if err := tx.ListInOverview(ctx, id); err != nil {
			return nil, err
		}
	}
	for i := range msgs {
		msgs[i].Tasks = data.OpenTasks
	}
	return msgs, nil
}

func (p *Planner) ministryDigests(ctx context.Context, tx Tx, slot time.Time) ([]Message, error) {
	cfg := p.Config
	c, err := p.classify(ctx, tx, slot)
	if err != nil {
		return nil, err
	}
	var out []Message
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
		rows, err := readLists(ctx, tx, lists...)
		if err != nil {
			return nil, err
		}
		var cids []int64
		for _, l := range lists {
			for _, it := range l.items {
				if it.cluster != 0 {
					cids = append(cids, it.cluster)
				}
			}
		}
		clusters, err := clustersOf(ctx, tx, cids)
		if err != nil {
			return nil, err
		}
		lines := func(l TaskList) ([]notify.TaskLine, int) { return p.unitLines(l, c.today, id, clusters) }
		data := notify.MinistryDigestData{Ministry: body, Coordinator: cfg.Coordinator, Date: c.today, OpenTasks: m.open}
		// Its open tasks by stage, as the coordinator's overview shows its
		// bar (overviewStages): the config's stages, then those the config
		// no longer has that its tasks are in, by their ids.
		var counts []OwnerStageCount
		for stage, n := range m.stageCount {
			counts = append(counts, OwnerStageCount{Owner: id, Stage: stage, Count: n})
		}
		for _, s := range overviewStages(cfg, counts) {
			n := m.stageCount[s.ID]
			if s.Final || n == 0 {
				continue
			}
			st := notify.StageTasks{Stage: notify.StageInfo{ID: s.ID, Name: s.Name}, Count: n}
			if b := m.byStage[s.ID]; b != nil {
				st.Tasks, st.More = lines(listOf(b, rows))
				st.Later = b.total
			}
			data.ByStage = append(data.ByStage, st)
		}
		data.Coming, data.ComingMore = lines(listOf(m.coming, rows))
		data.Overdue, data.OverdueMore = lines(listOf(m.overdue, rows))
		data.Supporting, data.SupportMore = lines(listOf(m.supporting, rows))
		nothing := data.OpenTasks == 0 && len(data.Supporting) == 0
		if nothing && !p.Force && (!cfg.Digests.SendEmpty || id == cfg.Coordinator.ID) {
			continue // the coordinator has its own digest
		}
		people, err := p.people(ctx, tx, body)
		if err != nil {
			return nil, err
		}
		if people != nil {
			msgs, _, err := p.enqueueEach(ctx, tx, KindMinistryDigest, id, slot, notify.Envelope{To: Addresses(body)}, people,
				func(who person) (notify.Rendered, error) {
					d := data
					d.Link = who.link
					d.Coming, d.Overdue, d.Supporting = personalLines(d.Coming, who), personalLines(d.Overdue, who), personalLines(d.Supporting, who)
					d.ByStage = make([]notify.StageTasks, len(data.ByStage))
					for i, st := range data.ByStage {
						st.Tasks = personalLines(st.Tasks, who)
						d.ByStage[i] = st
					}
					r, err := p.Renderer.MinistryDigest(d)
					if err != nil {
						return r, fmt.Errorf("render the digest of %s: %w", id, err)
					}
					return r, nil
				}, nil)
			if err != nil {
				return nil, err
			}
			for i := range msgs {
				msgs[i].Tasks = data.OpenTasks
			}
			out = append(out, msgs...)
			continue
		}
		rendered, err := p.Renderer.MinistryDigest(data)
		if err != nil {
			return nil, fmt.Errorf("render the digest of %s: %w", id, err)
		}
		msg, _, err := p.enqueue(ctx, tx, KindMinistryDigest, id, slot, notify.Envelope{To: Addresses(body), Subject: rendered.Subject}, rendered)
		if err != nil {
			return nil, err
		}
		msg.Tasks = data.OpenTasks
		out = append(out, msg)
	}
	return out, nil
}
