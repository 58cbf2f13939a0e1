package plan_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/plan"
)

// A resent escalation goes to the coordinator with the ministries it is
// about in copy, at their addresses in force; a message for a body no
// longer in the config keeps its recipients.
func TestReaddress(t *testing.T) {
	e := newEnv(t, 50)
	raw, err := notify.Compose(notify.Envelope{From: "f@example.org", To: []string{"old-coord@example.org"},
		Cc: []string{"old-justice@example.org"}, Subject: "Escalation", MessageID: "m@example.org", Date: time.Unix(0, 0),
		Headers: map[string]string{"X-Followup-Ministries": "moj,moe"}}, "Text.\r\n", "")
	if err != nil {
		t.Fatal(err)
	}
	msg, rcpts, ok, err := plan.Readdress(e.cfg, plan.KindEscalation, "coord", raw)
	if err != nil || !ok {
		t.Fatalf("readdress: %v %v", ok, err)
	}
	if got := strings.Join(rcpts, " "); got != "coord@example.org justice@example.org education@example.org schools@example.org" {
		t.Errorf("recipients %q", got)
	}
	if strings.Contains(string(msg), "old-") {
		t.Errorf("an old address is left:\n%s", msg)
	}
	if _, _, ok, err := plan.Readdress(e.cfg, plan.KindReminder, "gone", raw); ok || err != nil {
		t.Errorf("a removed ministry: ok %v err %v, want the stored recipients kept", ok, err)
	}
}

// A failed reminder's tasks are planned again by the next sweep (issue
// 10, case 7); resending the failed message before that sweep puts its
// log back instead, so the tasks are not reminded twice; and a failed
// reminder whose tasks were reminded again since is not resent.
func TestFailedReminderPlannedAgainOrResent(t *testing.T) {
	e := newEnv(t, 50)
	e.standard()
	ctx := context.Background()
	e.run(plan.JobReminders, at(2027, 1, 5), false) // the 30-day reminders
	failed := func(recipient string) int64 {
		t.Helper()
		var id int64
		if err := e.raw.QueryRow(`SELECT id FROM outbox WHERE kind = 'reminder' AND recipient = ?`, recipient).Scan(&id); err != nil {
			t.Fatal(err)
		}
		e.exec(`UPDATE outbox SET status = 'failed', last_error = '550 no such user' WHERE id = ?`, id)
		return id
	}
	moe, moj := failed("moe"), failed("moj")
	// Resent before the next sweep: moj's log comes back.
	if r, err := e.db.Requeue(ctx, []int64{moj}, nil); err != nil || r.Requeued != 1 || r.Replanned != 0 {
		t.Fatalf("requeue moj: %+v %v", r, err)
	}
	// The next sweep (still the 30-day reminder's time) plans moe's
	// tasks again, and not moj's.
	wantMessages(t, "6 January", e.run(plan.JobReminders, at(2027, 1, 6), false),
		"reminder moe 2: [followup] Ministry of Education: 2 tasks due soon")
	// moe's failed reminder, resent now, would remind the same tasks a
	// second time: it is not queued.
	if r, err := e.db.Requeue(ctx, []int64{moe}, nil); err != nil || r.Requeued != 0 || r.Replanned != 1 {
		t.Errorf("requeue moe after the replan: %+v %v", r, err)
	}
	var status string
	if err := e.raw.QueryRow(`SELECT status FROM outbox WHERE id = ?`, moe).Scan(&status); err != nil || status != "failed" {
		t.Errorf("moe's failed reminder is %q (%v), want still failed", status, err)
	}
}
