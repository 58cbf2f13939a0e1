package plan_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// overview reads the coordinator's overview at instant at.
func (e *env) overview(at, since time.Time) *plan.Overview {
	e.t.Helper()
	var o *plan.Overview
	err := e.db.Read(context.Background(), func(r plan.Reader) error {
		var err error
		o, err = plan.NewOverview(context.Background(), e.cfg, r, at, since)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

func ids(l plan.TaskList) []string {
	var out []string
	for _, t := range l.Tasks {
		out = append(out, strings.TrimPrefix(t.Task.RecID, symbol+":"))
	}
	return out
}

// TestOverview: the figures of the coordinator's overview, as data.
func TestOverview(t *testing.T) {
	e := newEnv(t, 50)
	e.standard()
	e.now = time.Date(2027, 1, 20, 9, 0, 0, 0, loc)
	if _, err := e.db.Advance(context.Background(), symbol+":5a", "acknowledged", store.Actor{Name: "Justice focal point"}, "received", func(workflow.Task) error { return nil }); err != nil {
		t.Fatal(err)
	}
	o := e.overview(at(2027, 3, 1), time.Time{})
	if o.Today != civil.D(2027, 3, 1) || len(o.Reports) != 1 {
		t.Fatalf("today %s, reports %+v", o.Today, o.Reports)
	}
	r := o.Reports[0]
	if r.Due.Date != civil.D(2027, 10, 29) || r.DaysLeft != 242 || len(r.Milestones) != 1 ||
		r.Milestones[0].Name != "Inputs" || r.Milestones[0].Deadline.Date != civil.D(2027, 7, 29) || r.Milestones[0].Passed {
		t.Errorf("countdown %+v", r)
	}
	if o.TotalTasks != 4 || o.OpenTasks != 4 {
		t.Errorf("tasks %d, open %d", o.TotalTasks, o.OpenTasks)
	}
	// Progress: the config's order (the coordinator, then the ministries),
	// unassigned last; counts per stage in the config's order.
	var owners []string
	for _, p := range o.Progress {
		owners = append(owners, p.Owner)
	}
	if strings.Join(owners, ",") != "moj,moe," {
		t.Errorf("progress owners %q", owners)
	}
	moe := o.Progress[1]
	if moe.Name != "Ministry of Education" || moe.Counts[0] != 2 || moe.Open != 2 || moe.Total != 2 || moe.Overdue != 2 {
		t.Errorf("moe progress %+v", moe)
	}
	if moj := o.Progress[0]; moj.Counts[1] != 1 || moj.Overdue != 0 {
		t.Errorf("moj progress %+v (acknowledged: its next deadline is 4 April)", moj)
	}
	// Overdue: each task once, under its next deadline; unassigned.
	if got := strings.Join(ids(o.Overdue), ","); got != "5b,6,7" || o.Overdue.Total != 3 {
		t.Errorf("overdue %q of %d", got, o.Overdue.Total)
	}
	if d := o.Overdue.Tasks[0].Next; !o.Overdue.Tasks[0].HasNext || d.Date != civil.D(2027, 2, 4) || d.Kind != workflow.KindStage {
		t.Errorf("overdue under %+v", d)
	}
	if got := strings.Join(ids(o.Unassigned), ","); got != "6" {
		t.Errorf("unassigned %q", got)
	}
	// A first overview tells the last week's changes: the stage move.
	if o.ChangesFrom != at(2027, 2, 22) || o.ChangesTotal != 0 {
		t.Errorf("changes from %s: %d", o.ChangesFrom, o.ChangesTotal)
	}
	o = e.overview(at(2027, 1, 21), time.Time{})
	if o.ChangesTotal != 1 || len(o.Changes) != 1 || o.Changes[0].Kind != "stage" || o.Changes[0].RecID != symbol+":5a" ||
		o.Changes[0].Actor != "Justice focal point" || o.Changes[0].To != "acknowledged" {
		t.Errorf("changes %+v", o.Changes)
	}
	// The database holds what it holds: at 8 January the overview sees the
	// import's events, counted as what the program did, and the move a
	// person recorded since, listed (issue 10, case 10).
	o = e.overview(at(2027, 1, 8), time.Time{})
	if o.ChangesTotal != 1 || o.Changes[0].Kind != "stage" {
		t.Errorf("people's changes: %+v", o.Changes)
	}
	if len(o.Automatic) != 1 || o.Automatic[0] != (plan.EventCount{Actor: "import", Kind: "created", Events: 4, Tasks: 4}) {
		t.Errorf("the import's changes: %+v", o.Automatic)
	}
	o = e.overview(at(2027, 1, 21), time.Date(2027, 1, 10, 0, 0, 0, 0, loc))
	if o.ChangesTotal != 1 || o.Since.IsZero() {
		t.Errorf("changes since 10 January: %d", o.ChangesTotal)
	}
}

// TestCoordinatorDigest: the overview is sent when there is something to
// report; it lists failed deliveries until an overview listing them was
// delivered (issue 10, case 3: they were marked reported when the overview
// was written, so an overview that never left took them with it).
func TestCoordinatorDigest(t *testing.T) {
	e := newEnv(t, 50)
	e.standard()
	msgs := e.run(plan.JobCoordinatorDigest, at(2027, 1, 4), false)
	wantMessages(t, "first overview", msgs,
		"coordinator-digest coord 4: [followup] Overview of 4 January 2027: next report due in 298 days, no tasks overdue")
	text := msgs[0].Text
	for _, want := range []string{"This is the first overview.", "Inputs", "CRC/C/TST/CO/1:6", "Ministry of Education"} {
		if !strings.Contains(text, want) {
			t.Errorf("the overview lacks %q:\n%s", want, text)
		}
	}
	// A failed delivery: listed in the next overview.
	e.exec(`UPDATE outbox SET status = 'sent'`)
	e.exec(`INSERT INTO outbox (key, kind, recipient, subject, message_id, env_from, env_to, status, next_attempt, last_error, created_at)
		VALUES ('reminder:moe:1', 'reminder', 'moe', 'A reminder', 'x@example.org', 'f@example.org', 'education@example.org', 'failed', 0, '550 no such user', 1)`)
	msgs = e.run(plan.JobCoordinatorDigest, at(2027, 1, 11), false)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "550 no such user") || !strings.Contains(msgs[0].Text, "The previous overview was sent on") {
		t.Fatalf("second overview: %q\n%s", summary(msgs), msgs[0].Text)
	}
	// That overview itself fails: what it listed was never told, so the
	// next overview lists it again, with the failed overview.
	e.exec(`UPDATE outbox SET status = 'failed', last_error = '554 relay down' WHERE key = ?`, msgs[0].Key)
	msgs = e.run(plan.JobCoordinatorDigest, at(2027, 1, 18), false)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "550 no such user") || !strings.Contains(msgs[0].Text, "554 relay down") {
		t.Fatalf("third overview, after the second failed, does not list both failures:\n%s", msgs[0].Text)
	}
	// Delivered: both are reported, and the next overview is quiet.
	e.exec(`UPDATE outbox SET status = 'sent', sent_at = 1 WHERE key = ?`, msgs[0].Key)
	msgs = e.run(plan.JobCoordinatorDigest, at(2027, 1, 25), false)
	if len(msgs) != 1 || strings.Contains(msgs[0].Text, "550 no such user") || strings.Contains(msgs[0].Text, "554 relay down") {
		t.Errorf("the overview after a delivered one lists its failures again:\n%s", msgs[0].Text)
	}
	// A dry run marks nothing.
	e.exec(`UPDATE outbox SET reported_at = NULL`)
	e.run(plan.JobCoordinatorDigest, at(2027, 2, 1), true)
	var n int
	if err := e.raw.QueryRow(`SELECT COUNT(*) FROM outbox WHERE reported_at IS NULL AND status = 'failed'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("after a dry run, %d failures unreported (%v), want 2", n, err)
	}
}

// TestCoordinatorDigestEmpty: nothing to report sends nothing, unless the
// config says send_empty or the admin asks (followup send).
func TestCoordinatorDigestEmpty(t *testing.T) {
	e := newEnv(t, 50)
	e.importDoc(symbol, nil, rec(5, "a", "Amend the law."))
	e.exec(`UPDATE tasks SET stage = 'action_planned'`) // no deadline before the milestone
	slot := at(2027, 2, 15)
	if msgs := e.run(plan.JobCoordinatorDigest, slot, true); len(msgs) != 0 {
		t.Errorf("nothing to report: %q", summary(msgs))
	}
	e.p.Force = true
	if msgs := e.run(plan.JobCoordinatorDigest, slot, true); len(msgs) != 1 {
		t.Errorf("forced: %q", summary(msgs))
	}
	e.p.Force = false
	e.cfg.Digests.SendEmpty = true
	if msgs := e.run(plan.JobCoordinatorDigest, slot, true); len(msgs) != 1 {
		t.Errorf("send_empty: %q", summary(msgs))
	}
}

// TestMinistryDigests: each ministry's own tasks by stage, what is coming
// and overdue, and what it supports; the coordinator has its own digest.
func TestMinistryDigests(t *testing.T) {
	e := newEnv(t, 50)
	e.standard()
	msgs := e.run(plan.JobMinistryDigest, at(2027, 2, 1), true)
	wantMessages(t, "1 February", msgs,
		"ministry-digest moj 1: [followup] Ministry of Justice: overview of 1 February 2027, 1 open task",
		"ministry-digest moe 2: [followup] Ministry of Education: overview of 1 February 2027, 2 open tasks")
	moj := msgs[0].Text
	for _, want := range []string{"CRC/C/TST/CO/1:5a", "CRC/C/TST/CO/1:5b", "Assigned"} {
		if !strings.Contains(moj, want) {
			t.Errorf("the justice digest lacks %q (5b: it supports it):\n%s", want, moj)
		}
	}
	msgs = e.run(plan.JobMinistryDigest, at(2027, 3, 1), true)
	if len(msgs) != 2 || !strings.Contains(msgs[1].Subject, "2 overdue") {
		t.Errorf("1 March: %q", summary(msgs))
	}
	// followup send digest --to moe.
	e.p.Only, e.p.Force = "moe", true
	msgs = e.run(plan.JobMinistryDigest, at(2027, 3, 1), true)
	wantMessages(t, "only moe", msgs, "ministry-digest moe 2: [followup] Ministry of Education: overview of 1 March 2027, 2 open tasks, 2 overdue")
	// A ministry without tasks gets a digest only when forced.
	e.p.Only = "coord"
	if msgs := e.run(plan.JobMinistryDigest, at(2027, 3, 1), true); len(msgs) != 1 {
		t.Errorf("forced for the coordinator: %q", summary(msgs))
	}
}

// TestOverviewCountsStagesNoLongerInTheConfig: a task in a stage the
// config no longer has (an admin removed "archived") is open, as
// workflow.Final says, and its owner's bars show it in a stage of its own
// named by its id, after the config's stages and "not yet assigned": each
// owner's counts add up to its tasks, and the overview says where the
// task stands.
func TestOverviewCountsStagesNoLongerInTheConfig(t *testing.T) {
	e := newEnv(t, 50)
	e.standard()
	ctx := context.Background()
	admin := store.Actor{Name: "admin"}
	e.now = time.Date(2027, 1, 6, 9, 0, 0, 0, loc)
	for _, id := range []string{":7", ":5b"} {
		if _, err := e.db.Advance(ctx, symbol+id, "archived", admin, "", func(workflow.Task) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	o := e.overview(at(2027, 1, 8), time.Time{})
	var stages []string
	for _, s := range o.Stages {
		stages = append(stages, s.ID+"="+s.Name)
	}
	n := len(e.cfg.Stages)
	if len(o.Stages) != n+2 || o.Stages[n].ID != workflow.AwaitingOwner || o.Stages[n+1].ID != "archived" || o.Stages[n+1].Name != "archived" {
		t.Fatalf("stages %q: want the config's, then %s, then archived=archived", stages, workflow.AwaitingOwner)
	}
	open := 0
	for _, p := range o.Progress {
		sum := 0
		for _, c := range p.Counts {
			sum += c
		}
		if len(p.Counts) != len(o.Stages) || sum != p.Total || p.Open+p.Closed != p.Total {
			t.Errorf("%q: counts %v (%d stages) add up to %d, of %d tasks (%d open, %d closed)", p.Owner, p.Counts, len(o.Stages), sum, p.Total, p.Open, p.Closed)
		}
		open += p.Open
	}
	if open != o.OpenTasks || o.OpenTasks != 4 || o.TotalTasks != 4 {
		t.Errorf("open %d of %d, owners' open %d: a task in a stage the config lost is still open", o.OpenTasks, o.TotalTasks, open)
	}
	archived := map[string]int{}
	for _, p := range o.Progress {
		if c := p.Counts[n+1]; c > 0 {
			archived[p.Owner] = c
		}
	}
	if len(archived) != 1 || archived["moe"] != 2 {
		t.Errorf("archived by owner %v, want moe's two tasks", archived)
	}

	// The coordinator's digest shows the same bars, the stage by its id.
	msgs := e.run(plan.JobCoordinatorDigest, at(2027, 1, 8), false)
	if len(msgs) != 1 {
		t.Fatalf("coordinator digest: %q", summary(msgs))
	}
	if want := "Ministry of Education: 2 tasks, 2 open\n  ████████████████████ 2 archived\n"; !strings.Contains(msgs[0].Text, want) {
		t.Errorf("the digest's bars do not show the archived tasks:\n%s", msgs[0].Text)
	}
}

// TestMinistryDigestListsStagesNoLongerInTheConfig: the ministry's own
// overview counts a task left in a stage the config no longer has (an
// admin removed "archived") among its open tasks, as the coordinator's
// overview does, and lists it under that stage, named by its id, after
// the config's stages: in the "by stage" line and under "other open
// tasks", in the text and the HTML.
func TestMinistryDigestListsStagesNoLongerInTheConfig(t *testing.T) {
	e := newEnv(t, 50)
	e.standard()
	e.now = time.Date(2027, 1, 6, 9, 0, 0, 0, loc)
	if _, err := e.db.Advance(context.Background(), symbol+":7", "archived", store.Actor{Name: "admin"}, "", func(workflow.Task) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if o := e.overview(at(2027, 1, 8), time.Time{}); o.Progress[1].Owner != "moe" || o.Progress[1].Open != 2 {
		t.Fatalf("the coordinator's overview: moe %+v, want 2 open", o.Progress[1])
	}
	msgs := e.run(plan.JobMinistryDigest, at(2027, 1, 8), false)
	wantMessages(t, "8 January", msgs,
		"ministry-digest moj 1: [followup] Ministry of Justice: overview of 8 January 2027, 1 open task",
		"ministry-digest moe 2: [followup] Ministry of Education: overview of 8 January 2027, 2 open tasks")
	text := msgs[1].Text
	for _, want := range []string{
		"2 open tasks, 1 due in the next 90 days",
		"By stage: Assigned 1, archived 1.",
		"OTHER OPEN TASKS, BY STAGE\n==========================\n\narchived: 1 task\n  - Paragraph 7, CRC/C/TST/CO/1:7 (stage: archived)\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the text lacks %q:\n%s", want, text)
		}
	}
	html := e.stored(msgs[1].Key).parts["text/html"]
	for _, want := range []string{
		"By stage: Assigned <strong>1</strong>, archived <strong>1</strong>.",
		">archived: 1 task</h3>",
		"CRC/C/TST/CO/1:7</span> · stage: archived<br>",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML lacks %q:\n%s", want, html)
		}
	}
}
