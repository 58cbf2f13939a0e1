package plan_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// testConfig: two ministries, a report with a milestone, the default
// stages (assigned: import + 1mo, acknowledged: import + 3mo,
// in_progress: report - 9mo) and reminders (30d, 14d, 7d, 1d, the day,
// weekly overdue, escalation after 30 days).
const testConfig = `time_zone: Asia/Vientiane
coordinator:
  id: coord
  name: Coordinating body
  focal_points: [{name: Secretariat, email: coord@example.org}]
ministries:
  - id: moj
    name: Ministry of Justice
    focal_points: [{name: Justice focal point, email: justice@example.org}]
  - id: moe
    name: Ministry of Education
    focal_points: [{name: Education focal point, email: education@example.org}, {email: schools@example.org}]
reports:
  - id: next
    title: Next periodic report
    due: 2027-10-29
    milestones: [{name: Inputs, before: 3mo}]
assignment:
  rules:
    - {name: justice, ministry: moj, keywords: [law]}
    - {name: schools, ministry: moe, support: [moj], keywords: [school]}
digests: {max_listed: %d}
mail:
  from: "Follow-up <followup@example.org>"
`

const symbol = "CRC/C/TST/CO/1"

var loc, _ = time.LoadLocation("Asia/Vientiane")

// at is 08:00 in Vientiane on a day.
func at(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 8, 0, 0, 0, loc) }

// env is a real database with the test document imported on 4 January
// 2027, and a planner over it.
type env struct {
	t   *testing.T
	cfg *config.Config
	db  *store.DB
	raw *sql.DB // the same file, for what plan does not read
	now time.Time
	p   *plan.Planner
}

func newEnv(t *testing.T, maxListed int) *env {
	t.Helper()
	dir := t.TempDir()
	cfg, err := config.Parse(filepath.Join(dir, "followup.yaml"), []byte(fmt.Sprintf(testConfig, maxListed)), config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, cfg: cfg, now: time.Date(2027, 1, 4, 10, 0, 0, 0, loc)}
	path := filepath.Join(dir, "followup.db")
	if e.db, err = store.Open(context.Background(), path, store.Options{Now: func() time.Time { return e.now }, Location: loc}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.db.Close() })
	if e.raw, err = sql.Open("sqlite3", "file:"+path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.raw.Close() })
	renderer, err := notify.NewRenderer("", loc)
	if err != nil {
		t.Fatal(err)
	}
	e.p = &plan.Planner{Config: cfg, Renderer: renderer, Now: func() time.Time { return e.now }}
	return e
}

// rec is a recommendation of the test document.
func rec(paragraph int, item, text string) workflow.Recommendation {
	return workflow.Recommendation{ID: workflow.RecID(symbol, paragraph, item), Paragraph: paragraph, Item: item,
		Section: "General", Text: text}
}

// importDoc stores a document of recs, each task assigned by the config's
// rules, as of e.now.
func (e *env) importDoc(sym string, fu *workflow.FollowUp, recs ...workflow.Recommendation) {
	e.t.Helper()
	doc := &workflow.Document{Symbol: sym, Body: "CRC", Kind: workflow.ConcludingObservations, Title: "Concluding observations",
		State: "Testland", Adopted: civil.D(2026, 12, 1), FollowUp: fu}
	for _, r := range recs {
		r.ID = workflow.RecID(sym, r.Paragraph, r.Item)
		doc.Recommendations = append(doc.Recommendations, r)
	}
	if _, err := e.db.Import(context.Background(), []store.ImportItem{{Doc: doc, Source: "test"}}, workflow.NewAssigner(e.cfg.InitialStage, e.cfg.Assignment).Assign); err != nil {
		e.t.Fatal(err)
	}
}

// standard imports the test document: 5a for justice, 5b and 7 for
// education (justice supports 5b), 6 for nobody; paragraph 5 is the
// follow-up procedure's, due 1 June 2027.
func (e *env) standard() {
	e.importDoc(symbol, &workflow.FollowUp{Due: civil.D(2027, 6, 1), Paragraphs: []int{5}},
		rec(5, "a", "Amend the law on the sale of children."),
		rec(5, "b", "Build a school in every district."),
		rec(6, "", "Consider ratifying the Convention."),
		rec(7, "", "Train school teachers."))
}

// run runs a job for the slot at (the messages dated then).
func (e *env) run(job string, slot time.Time, dry bool) []plan.Message {
	e.t.Helper()
	msgs, err := e.try(job, slot, dry)
	if err != nil {
		e.t.Fatalf("%s at %s: %v", job, slot, err)
	}
	return msgs
}

func (e *env) try(job string, slot time.Time, dry bool) ([]plan.Message, error) {
	e.now = slot
	var msgs []plan.Message
	err := e.db.RunSlot(context.Background(), job+slot.String(), slot, dry, func(tx *store.SlotTx) error {
		var err error
		msgs, err = e.p.Run(context.Background(), tx, job, slot)
		return err
	})
	return msgs, err
}

// logged lists the reminder log: "task deadline kind → outbox kind:recipient".
func (e *env) logged() []string {
	e.t.Helper()
	rows, err := e.raw.Query(`SELECT r.rec_id, l.deadline, l.kind, o.kind, o.recipient FROM reminder_log l
		JOIN recommendations r ON r.id = l.task_id JOIN outbox o ON o.id = l.outbox_id`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var task, deadline, kind, okind, recipient string
		if err := rows.Scan(&task, &deadline, &kind, &okind, &recipient); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %s %s → %s:%s", strings.TrimPrefix(task, symbol+":"), deadline, kind, okind, recipient))
	}
	sort.Strings(out)
	return out
}

func (e *env) exec(q string, args ...any) {
	e.t.Helper()
	if _, err := e.raw.Exec(q, args...); err != nil {
		e.t.Fatal(err)
	}
}

// summary writes messages as "kind recipient tasks: subject".
func summary(msgs []plan.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, fmt.Sprintf("%s %s %d: %s", m.Kind, m.Recipient, m.Tasks, m.Subject))
	}
	return out
}

func wantMessages(t *testing.T, what string, msgs []plan.Message, want ...string) {
	t.Helper()
	got := summary(msgs)
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

func wantLog(t *testing.T, e *env, want ...string) {
	t.Helper()
	sort.Strings(want)
	if got := e.logged(); !slices.Equal(got, want) {
		t.Errorf("reminder log:\n got %q\nwant %q", got, want)
	}
}

// TestRemindersLeadTimesThenOverdue: a stage deadline's reminders, each
// once: the 30-day one, the 14-day one… the day itself, then overdue
// every week; a slot run again (or a second sweep the same day) sends
// nothing new.
func TestRemindersLeadTimesThenOverdue(t *testing.T) {
	e := newEnv(t, 50)
	e.standard()
	// Assigned → Acknowledged is due 4 February 2027 (import + 1mo).
	msgs := e.run(plan.JobReminders, at(2027, 1, 5), false)
	wantMessages(t, "5 January", msgs,
		"reminder coord 1: [followup] Coordinating body: 1 task due soon",
		"reminder moj 1: [followup] Ministry of Justice: 1 task due soon",
		"reminder moe 2: [followup] Ministry of Education: 2 tasks due soon")
	if !strings.Contains(msgs[2].Text, "Due in 30 days — 4 February 2027: Assigned → Acknowledged") ||
		!strings.Contains(msgs[2].Text, "CRC/C/TST/CO/1:5b") || !strings.Contains(msgs[2].Text, "CRC/C/TST/CO/1:7") {
		t.Errorf("the education reminder:\n%s", msgs[2].Text)
	}
	if !slices.Equal(msgs[2].To, []string{`"Education focal point" <education@example.org>`, "schools@example.org"}) || msgs[2].Cc != nil {
		t.Errorf("to %q cc %q", msgs[2].To, msgs[2].Cc)
	}
	if got := e.run(plan.JobReminders, at(2027, 1, 5).Add(time.Hour), false); len(got) != 0 {
		t.Errorf("a second sweep the same day: %q", summary(got))
	}
	if got := e.run(plan.JobReminders, at(2027, 1, 6), false); len(got) != 0 {
		t.Errorf("the next day, still the 30-day reminder's time: %q", summary(got))
	}
	kinds := map[string]string{}
	for _, day := range []struct {
		d    int
		kind string
	}{{21, "lead:14d"}, {28, "lead:7d"}, {34, "lead:1d"}, {35, "due"}, {36, "overdue:0"}, {42, ""}, {43, "overdue:1"}, {50, "overdue:2"}} {
		slot := at(2027, 1, day.d) // time.Date normalises 35 January to 4 February
		msgs := e.run(plan.JobReminders, slot, false)
		if day.kind == "" {
			if len(msgs) != 0 {
				t.Errorf("%s: %q, want nothing", slot.Format("2 Jan"), summary(msgs))
			}
			continue
		}
		if len(msgs) != 3 {
			t.Errorf("%s: %q, want a reminder to each owner", slot.Format("2 Jan"), summary(msgs))
		}
		kinds[slot.Format("2006-01-02")] = day.kind
	}
	var want []string
	for _, task := range []struct{ id, owner string }{{"5a", "moj"}, {"5b", "moe"}, {"6", "coord"}, {"7", "moe"}} {
		want = append(want, task.id+" stage:assigned:2027-02-04 lead:30d → reminder:"+task.owner)
		for _, k := range kinds {
			want = append(want, task.id+" stage:assigned:2027-02-04 "+k+" → reminder:"+task.owner)
		}
	}
	wantLog(t, e, want...)
}

// TestCatchUp: the first sweep after days without one sends the reminder
// the day calls for (the 7-day one), not the ones it missed.
func TestCatchUp(t *testing.T) {
	e := newEnv(t, 50)
	e.standard()
	msgs := e.run(plan.JobReminders, at(2027, 1, 29), false)
	if len(msgs) != 3 || !strings.Contains(msgs[1].Text, "Due in 6 days — 4 February 2027") {
		t.Fatalf("29 January: %q\n%s", summary(msgs), msgs[1].Text)
	}
	wantLog(t, e,
		"5a stage:assigned:2027-02-04 lead:7d → reminder:moj",
		"5b stage:assigned:2027-02-04 lead:7d → reminder:moe",
		"6 stage:assigned:2027-02-04 lead:7d → reminder:coord",
		"7 stage:assigned:2027-02-04 lead:7d → reminder:moe")
}

// TestEscalation: from 30 days overdue the coordinator is told once per
// deadline, in one escalation per sweep listing every ministry concerned
// (in copy), never about its own tasks, and claiming only reminders that
// were delivered (issue 10, case 9: one escalation per owner, one about
// the coordinator itself, each claiming reminders that had just been
// queued).
func TestEscalation(t *testing.T) {
	e := newEnv(t, 50)
	e.standard()
	// The reminders of the day before the deadline: the Ministry of
	// Justice's is delivered, the Ministry of Education's never was.
	e.run(plan.JobReminders, at(2027, 2, 3), false)
	e.exec(`UPDATE outbox SET status = 'sent', sent_at = ? WHERE kind = 'reminder' AND recipient = 'moj'`,
		time.Date(2027, 2, 3, 1, 0, 0, 0, time.UTC).Unix())
	e.exec(`UPDATE outbox SET status = 'failed' WHERE kind = 'reminder' AND recipient = 'moe'`)
	msgs := e.run(plan.JobReminders, at(2027, 3, 6), false) // 30 days after 4 February
	wantMessages(t, "6 March", msgs,
		"reminder coord 1: [followup] Coordinating body: 1 task overdue",
		"reminder moj 1: [followup] Ministry of Justice: 1 task overdue",
		"reminder moe 2: [followup] Ministry of Education: 2 tasks overdue",
		"escalation coord 3: [followup] Escalation: 2 ministries have 3 tasks overdue for more than 30 days")
	esc := msgs[3]
	if !slices.Equal(esc.To, []string{`"Secretariat" <coord@example.org>`}) ||
		!slices.Equal(esc.Cc, []string{`"Justice focal point" <justice@example.org>`, `"Education focal point" <education@example.org>`, "schools@example.org"}) {
		t.Errorf("escalation: to %q cc %q", esc.To, esc.Cc)
	}
	for _, want := range []string{"CRC/C/TST/CO/1:5a", "CRC/C/TST/CO/1:5b", "was due 30 days ago, on 4 February 2027",
		"Ministry of Justice: 1 task\nThe ministry has received 1 reminder, the last on 2027-02-03 08:00.",
		"Ministry of Education: 2 tasks\nNo reminder has reached the ministry yet."} {
		if !strings.Contains(esc.Text, want) {
			t.Errorf("the escalation lacks %q:\n%s", want, esc.Text)
		}
	}
	// Not about the coordinator's own (unassigned) task, nor claiming
	// the reminders queued in the same sweep.
	if strings.Contains(esc.Text, "CRC/C/TST/CO/1:6") || strings.Contains(esc.Text, "Coordinating body:") {
		t.Errorf("the escalation is about the coordinator itself:\n%s", esc.Text)
	}
	// The next weekly repeat reminds again, but escalates no more.
	wantMessages(t, "13 March", e.run(plan.JobReminders, at(2027, 3, 13), false),
		"reminder coord 1: [followup] Coordinating body: 1 task overdue",
		"reminder moj 1: [followup] Ministry of Justice: 1 task overdue",
		"reminder moe 2: [followup] Ministry of Education: 2 tasks overdue")
	n := 0
	for _, l := range e.logged() {
		if strings.Contains(l, " escalation → escalation:coord") {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d escalations logged, want 3:\n%s", n, strings.Join(e.logged(), "\n"))
	}
}

// TestOneTaskOnceWithAllItsDeadlines is the doubled count: a task that
// missed both its stage deadline and the report's due date is one task in
// the reminder and in the escalation, listed once, with both deadlines.
func TestOneTaskOnceWithAllItsDeadlines(t *testing.T) {
	e := newEnv(t, 50)
	e.importDoc(symbol, nil, rec(5, "a", "Amend the law on the sale of children."))
	// On 5 December 2027 the stage deadline (4 February) is 10 months
	// past, the report (29 October) 37 days: both overdue, both escalated.
	msgs := e.run(plan.JobReminders, at(2027, 12, 5), false)
	wantMessages(t, "5 December", msgs,
		"reminder moj 1: [followup] Ministry of Justice: 1 task overdue",
		"escalation coord 1: [followup] Escalation: Ministry of Justice has 1 task overdue for more than 30 days")
	for _, m := range msgs {
		if n := strings.Count(m.Text, "CRC/C/TST/CO/1:5a"); n != 1 {
			t.Errorf("%s lists the task %d times:\n%s", m.Kind, n, m.Text)
		}
		if !strings.Contains(m.Text, "was due 304 days ago, on 4 February 2027: Assigned → Acknowledged") ||
			!strings.Contains(m.Text, "Also overdue — was due 37 days ago, on 29 October 2027: Next periodic report due") {
			t.Errorf("%s does not give both deadlines:\n%s", m.Kind, m.Text)
		}
		if !strings.Contains(m.Text, "1 task") || strings.Contains(m.Text, "2 tasks") {
			t.Errorf("%s counts the task twice:\n%s", m.Kind, m.Text)
		}
	}
	// Both deadlines are logged, for both channels, under the one message.
	wantLog(t, e,
		"5a stage:assigned:2027-02-04 overdue:43 → reminder:moj",
		"5a report:next:2027-10-29 overdue:5 → reminder:moj",
		"5a stage:assigned:2027-02-04 escalation → escalation:coord",
		"5a report:next:2027-10-29 escalation → escalation:coord")
}
