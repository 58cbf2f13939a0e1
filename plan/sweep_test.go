package plan_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// TestFollowUpDeadlineOnlyForItsParagraphs: the follow-up date is a
// deadline of paragraph 5's tasks only, and a countdown point: reminded
// before, not after.
func TestFollowUpDeadlineOnlyForItsParagraphs(t *testing.T) {
	e := newEnv(t, 50)
	e.standard()
	// Acknowledge everything, so that only the follow-up date and the
	// milestone remain before the report.
	e.exec(`UPDATE tasks SET stage = 'action_planned'`)
	msgs := e.run(plan.JobReminders, at(2027, 5, 2), false) // 30 days before 1 June
	wantMessages(t, "2 May", msgs,
		"reminder moj 1: [followup] Ministry of Justice: 1 task due soon",
		"reminder moe 1: [followup] Ministry of Education: 1 task due soon")
	if !strings.Contains(msgs[1].Text, "CRC/C/TST/CO/1:5b") || strings.Contains(msgs[1].Text, "CRC/C/TST/CO/1:7") ||
		!strings.Contains(msgs[1].Text, "follow-up information to the Committee") {
		t.Errorf("education:\n%s", msgs[1].Text)
	}
	wantLog(t, e,
		"5a follow_up:follow_up:2027-06-01 lead:30d → reminder:moj",
		"5b follow_up:follow_up:2027-06-01 lead:30d → reminder:moe")
	// After the date: nothing for it (the milestone is 29 July: its
	// 30-day reminder comes on 29 June).
	if msgs := e.run(plan.JobReminders, at(2027, 6, 10), false); len(msgs) != 0 {
		t.Errorf("10 June: %q", summary(msgs))
	}
	msgs = e.run(plan.JobReminders, at(2027, 6, 29), false)
	wantMessages(t, "29 June", msgs,
		"reminder coord 1: [followup] Coordinating body: 1 task due soon",
		"reminder moj 1: [followup] Ministry of Justice: 1 task due soon",
		"reminder moe 2: [followup] Ministry of Education: 2 tasks due soon")
}

// TestListingCap: a message lists max_listed tasks in deadline order and
// counts the rest, per deadline; the coordinator's message gathers
// unassigned tasks and those of an owner the config no longer has, as if
// they were one owner.
func TestListingCap(t *testing.T) {
	e := newEnv(t, 3)
	var recs []workflow.Recommendation
	for i := 1; i <= 5; i++ {
		recs = append(recs, rec(i, "", fmt.Sprintf("Consider measure %d.", i))) // no rule matches: unassigned
	}
	e.importDoc(symbol, nil, recs...)
	// A second document a week later: its stage deadline is a week later.
	e.now = e.now.AddDate(0, 0, 7)
	e.importDoc("CRC/C/TST/CO/2", nil, rec(1, "", "Consider measure 1."), rec(2, "", "Consider measure 2."),
		rec(3, "", "Consider measure 3."))
	// Two tasks of each document belong to a ministry that left the
	// config: they go to the coordinator too.
	e.exec(`UPDATE tasks SET owner = 'gone' WHERE id IN (2, 4, 7, 8)`)
	msgs := e.run(plan.JobReminders, at(2027, 2, 8), false) // 4 days after the first deadline, 3 before the second
	wantMessages(t, "8 February", msgs, "reminder coord 8: [followup] Coordinating body: 3 tasks due soon, 5 overdue")
	text := msgs[0].Text
	for _, want := range []string{
		"OVERDUE — was due 4 days ago, on 4 February 2027: Assigned → Acknowledged",
		"CRC/C/TST/CO/1:1 ", "CRC/C/TST/CO/1:2 ", "CRC/C/TST/CO/1:3 ",
		"… and 2 more",
		"… and 3 more tasks under 1 other deadline",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the message lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "CRC/C/TST/CO/1:4") || strings.Contains(text, "CRC/C/TST/CO/2:") {
		t.Errorf("the message lists more than 3 tasks:\n%s", text)
	}
	// Every task reminded is logged, listed or not, under the one message.
	if n := len(e.logged()); n != 8 {
		t.Errorf("%d log rows, want 8:\n%s", n, strings.Join(e.logged(), "\n"))
	}
}

// TestDryRunWritesNothing: preview's dry run composes the same messages
// and leaves no message and no log behind.
func TestDryRunWritesNothing(t *testing.T) {
	e := newEnv(t, 50)
	e.standard()
	dry := e.run(plan.JobReminders, at(2027, 1, 5), true)
	if len(dry) != 3 || len(e.logged()) != 0 {
		t.Fatalf("dry run: %q, log %q", summary(dry), e.logged())
	}
	var n int
	if err := e.raw.QueryRow(`SELECT COUNT(*) FROM outbox`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d outbox rows after a dry run (%v)", n, err)
	}
	kept := e.run(plan.JobReminders, at(2027, 1, 5), false)
	if strings.Join(summary(dry), "\n") != strings.Join(summary(kept), "\n") || dry[1].Text != kept[1].Text {
		t.Errorf("the dry run and the real one differ:\n%q\n%q", summary(dry), summary(kept))
	}
	for _, m := range kept {
		if !m.Inserted || m.Key != plan.Key(m.Kind, m.Recipient, at(2027, 1, 5)) {
			t.Errorf("%s: inserted %v, key %s", m.Recipient, m.Inserted, m.Key)
		}
	}
}

// TestDamagedDateIsAnError: a stored date that does not parse stops the
// sweep with an error naming the document, instead of dropping the
// deadlines and their reminders.
func TestDamagedDateIsAnError(t *testing.T) {
	e := newEnv(t, 50)
	e.standard()
	for _, c := range []struct{ column, value, want string }{
		{"adopted", "2026-02-30", "document CRC/C/TST/CO/1: stored adoption date: invalid date \"2026-02-30\""},
		{"follow_up_due", "June", "document CRC/C/TST/CO/1: stored follow-up date: invalid date \"June\""},
		{"follow_up_paragraphs", "5,x", "document CRC/C/TST/CO/1: stored follow-up paragraphs \"5,x\""},
	} {
		e.exec(`UPDATE documents SET adopted = '2026-12-01', follow_up_due = '2027-06-01', follow_up_paragraphs = '5'`)
		e.exec(`UPDATE documents SET `+c.column+` = ?`, c.value)
		for _, job := range plan.Jobs {
			_, err := e.try(job, at(2027, 1, 5), true)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s with %s = %q: %v, want an error with %q", job, c.column, c.value, err, c.want)
			}
		}
		// The task's own view names the task.
		_, err := e.db.Task(context.Background(), symbol+":5a")
		if err == nil || !strings.Contains(err.Error(), "task "+symbol+":5a: "+c.want) {
			t.Errorf("task with %s = %q: %v", c.column, c.value, err)
		}
	}
}

// TestUnknownJob is refused.
func TestUnknownJob(t *testing.T) {
	e := newEnv(t, 50)
	if _, err := e.try("weekly", at(2027, 1, 5), true); err == nil || !strings.Contains(err.Error(), `unknown job "weekly"`) {
		t.Errorf("err = %v", err)
	}
}

func TestMessageIDKeyAndJob(t *testing.T) {
	for _, tc := range []struct{ key, from, want string }{
		{"reminder:moj:1798768800", "Follow-up <followup@ncmc.example.org>", "reminder.moj.1798768800@ncmc.example.org"},
		{"coordinator-digest:ncmc:1", "bad address", "coordinator-digest.ncmc.1@followup.invalid"},
	} {
		if got := plan.MessageID(tc.key, tc.from); got != tc.want {
			t.Errorf("MessageID(%q, %q) = %q, want %q", tc.key, tc.from, got, tc.want)
		}
	}
	if k := plan.Key(plan.KindReminder, "moj", time.Unix(1798768800, 0)); k != "reminder:moj:1798768800" {
		t.Errorf("Key = %q", k)
	}
	for kind, job := range map[string]string{plan.KindReminder: plan.JobReminders, plan.KindEscalation: plan.JobReminders,
		plan.KindCoordinatorDigest: plan.JobCoordinatorDigest, plan.KindMinistryDigest: plan.JobMinistryDigest} {
		if got := plan.JobOf(kind); got != job {
			t.Errorf("JobOf(%s) = %s, want %s", kind, got, job)
		}
	}
}

// TestSweepAgreesWithTheRules checks the store's SQL against the rules
// worked out task by task in Go (workflow.Deadlines and DueReminder, and
// the reminder log as stored), on a generated State over three weeks of
// daily sweeps: each message counts exactly the tasks the rules remind,
// once each (a cluster's members of one owner once, as the message lists
// them), and the log gets exactly their (task, deadline, kind).
func TestSweepAgreesWithTheRules(t *testing.T) {
	e := generatedEnv(t, 2500, time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC))
	ctx := context.Background()
	// Half the follow-up procedures fall due in the weeks swept, so that
	// deadlines limited to some paragraphs fire too.
	e.exec(`UPDATE documents SET follow_up_due = '2026-12-10' WHERE follow_up_due IS NOT NULL AND id % 2 = 0`)
	for day := 0; day < 21; day += 3 {
		slot := time.Date(2026, 11, 24+day, 8, 0, 0, 0, time.UTC)
		today := workflow.Today(e.cfg.Location, slot)
		logged := map[string]bool{}
		rows, err := e.raw.Query(`SELECT task_id, deadline, kind FROM reminder_log`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var d, k string
			if err := rows.Scan(&id, &d, &k); err != nil {
				t.Fatal(err)
			}
			logged[fmt.Sprint(id, d, k)] = true
		}
		rows.Close()
		clusterOf := map[int64]int64{}
		rows, err = e.raw.Query(`SELECT id, cluster_id FROM tasks WHERE cluster_id IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, c int64
			if err := rows.Scan(&id, &c); err != nil {
				t.Fatal(err)
			}
			clusterOf[id] = c
		}
		rows.Close()
		if day == 0 && len(clusterOf) == 0 {
			t.Error("the generated State has no clusters: their counting is not tested")
		}
		want := map[string]int{}     // kind:recipient → tasks
		counted := map[string]bool{} // kind:recipient:owner:cluster counted
		count := func(key, owner string, id int64) {
			if c, ok := clusterOf[id]; ok {
				unit := fmt.Sprint(key, ":", owner, ":", c)
				if counted[unit] {
					return
				}
				counted[unit] = true
			}
			want[key]++
		}
		wantRows := 0
		err = e.db.Tasks(ctx, store.TaskFilter{}, func(task workflow.Task) error {
			var rem, esc bool
			recipient := task.Owner
			if _, ok := e.cfg.Ministry(recipient); !ok {
				recipient = e.cfg.Coordinator.ID
			}
			// The coordinator's own tasks are never escalated to it: not
			// counted, not logged.
			mine := recipient == e.cfg.Coordinator.ID
			for _, d := range e.cfg.Calendar().Deadlines(task) {
				r, ok := workflow.DueReminder(e.cfg.Reminders, d, today)
				if !ok {
					continue
				}
				if !logged[fmt.Sprint(task.ID, d.Key(), r.Kind)] {
					rem = true
					wantRows++
				}
				if r.Escalate && !mine && !logged[fmt.Sprint(task.ID, d.Key(), workflow.EscalationKind)] {
					esc = true
					wantRows++
				}
			}
			if rem {
				count(plan.KindReminder+":"+recipient, task.Owner, task.ID)
			}
			if esc { // one escalation, to the coordinator, about every ministry
				count(plan.KindEscalation+":"+e.cfg.Coordinator.ID, task.Owner, task.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		before := len(logged)
		msgs := e.run(plan.JobReminders, slot, false)
		got := map[string]int{}
		for _, m := range msgs {
			got[m.Kind+":"+m.Recipient] = m.Tasks
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: messages count %v\nthe rules give %v", today, got, want)
		}
		var after int
		if err := e.raw.QueryRow(`SELECT COUNT(*) FROM reminder_log`).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if after-before != wantRows {
			t.Errorf("%s: %d log rows written, the rules give %d", today, after-before, wantRows)
		}
		if day == 0 && (len(msgs) < 10 || wantRows < 500) {
			t.Errorf("the first day reminds only %d messages, %d rows: the State is too thin to test", len(msgs), wantRows)
		}
		// Advance some tasks between sweeps, so that deadlines move.
		e.exec(`UPDATE tasks SET stage = 'acknowledged', stage_since = ? WHERE stage = 'assigned' AND id % 7 = ?`, slot.Unix(), day%7)
	}
}
