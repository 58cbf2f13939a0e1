package plan_test

import (
	"context"
	"strings"
	"testing"

	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
)

// clustered is the standard document and a second one imported the same
// day, with a cluster of three of the Ministry of Justice's
// recommendations across the two: 5a of the first, 3 and 8 of the
// second. The Ministry of Education supports the cluster.
func clustered(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, 50)
	e.standard()
	e.importDoc("CRC/C/TST/CO/2", nil, rec(3, "", "Amend the law on the sale of children without delay."),
		rec(8, "", "Enforce the law against the sale of children."))
	ctx := context.Background()
	if _, err := e.db.CreateCluster(ctx, store.ClusterSpec{Name: "Law on the sale of children",
		Members: []string{symbol + ":5a", "CRC/C/TST/CO/2:3", "CRC/C/TST/CO/2:8"}, Lead: "moj", Support: []string{"moe"}},
		store.Actor{Name: "Coordinator"}); err != nil {
		t.Fatal(err)
	}
	return e
}

const clusterHeading = "Cluster “Law on the sale of children”: 3 recommendations answered by one action"

// TestReminderListsClusterOnce: the lead ministry's reminder lists the
// cluster once, with its members named by mechanism and year, and counts
// it as one; each member's reminder is logged, so nothing is sent twice,
// for a member in the cluster or one that left it.
func TestReminderListsClusterOnce(t *testing.T) {
	e := clustered(t)
	msgs := e.run(plan.JobReminders, at(2027, 1, 5), false)
	wantMessages(t, "5 January", msgs,
		"reminder coord 1: [followup] Coordinating body: 1 task due soon",
		"reminder moj 1: [followup] Ministry of Justice: 1 task due soon",
		"reminder moe 2: [followup] Ministry of Education: 2 tasks due soon")
	moj := msgs[1].Text
	if n := strings.Count(moj, clusterHeading); n != 1 {
		t.Errorf("the cluster is listed %d times:\n%s", n, moj)
	}
	for _, want := range []string{"CRC 2026, CRC/C/TST/CO/1, 5 (a); CRC 2026, CRC/C/TST/CO/2, 3; CRC 2026, CRC/C/TST/CO/2, 8",
		"Due in 30 days — 4 February 2027: Assigned → Acknowledged", "This concerns 1 task"} {
		if !strings.Contains(moj, want) {
			t.Errorf("the reminder lacks %q:\n%s", want, moj)
		}
	}
	for _, never := range []string{"Paragraph 5 (a)", "CRC/C/TST/CO/2:3 ", "Amend the law"} {
		if strings.Contains(moj, never) {
			t.Errorf("the reminder lists a member as a task of its own (%q):\n%s", never, moj)
		}
	}
	if !strings.Contains(msgs[1].Text, clusterHeading) {
		t.Errorf("no HTML cluster line")
	}
	wantLog(t, e,
		"5a stage:assigned:2027-02-04 lead:30d → reminder:moj",
		"CRC/C/TST/CO/2:3 stage:assigned:2027-02-04 lead:30d → reminder:moj",
		"CRC/C/TST/CO/2:8 stage:assigned:2027-02-04 lead:30d → reminder:moj",
		"5b stage:assigned:2027-02-04 lead:30d → reminder:moe",
		"6 stage:assigned:2027-02-04 lead:30d → reminder:coord",
		"7 stage:assigned:2027-02-04 lead:30d → reminder:moe")
	if got := e.run(plan.JobReminders, at(2027, 1, 5).Add(3600e9), false); len(got) != 0 {
		t.Errorf("a second sweep the same day: %q", summary(got))
	}

	// 8 leaves the cluster: the same day, it is not reminded again of the
	// deadline the cluster's reminder told; at the next lead time it is a
	// task of its own beside the cluster of two.
	if _, err := e.db.RemoveFromCluster(context.Background(), "Law on the sale of children", []string{"CRC/C/TST/CO/2:8"}, store.Actor{Name: "Coordinator"}); err != nil {
		t.Fatal(err)
	}
	if got := e.run(plan.JobReminders, at(2027, 1, 5).Add(7200e9), false); len(got) != 0 {
		t.Errorf("after the member left, the same day: %q", summary(got))
	}
	msgs = e.run(plan.JobReminders, at(2027, 1, 21), false)
	if len(msgs) != 3 || msgs[1].Recipient != "moj" || msgs[1].Tasks != 2 {
		t.Fatalf("21 January: %q", summary(msgs))
	}
	moj = msgs[1].Text
	if !strings.Contains(moj, "Cluster “Law on the sale of children”: 2 recommendations") || !strings.Contains(moj, "CRC/C/TST/CO/2:8") ||
		strings.Contains(moj, "CRC/C/TST/CO/2, 8") {
		t.Errorf("21 January, after 8 left:\n%s", moj)
	}
}

// TestEscalationListsClusterOnce: a long overdue cluster is one item in
// the escalation, the coordinator's copy linking its page.
func TestEscalationListsClusterOnce(t *testing.T) {
	e := clustered(t)
	e.p.Links = fakeLinks{}
	msgs := e.run(plan.JobReminders, at(2027, 3, 6), false)
	var esc *plan.Message
	for i := range msgs {
		if msgs[i].Kind == plan.KindEscalation && strings.Contains(msgs[i].Key, "coord@example.org") {
			esc = &msgs[i]
		}
	}
	if esc == nil {
		t.Fatalf("no escalation to the coordinator: %q", summary(msgs))
	}
	if n := strings.Count(esc.Text, clusterHeading); n != 1 || !strings.Contains(esc.Text, "Ministry of Justice: 1 task") ||
		!strings.Contains(esc.Text, "to=%2Fc%2Fcluster%2F1") {
		t.Errorf("the escalation lists the cluster %d times:\n%s", n, esc.Text)
	}
}

// TestMinistryDigestListsClusterOnce: the lead ministry's overview lists
// the cluster once and counts it once; the supporting ministry's lists it
// once among what it supports, linking the cluster's page.
func TestMinistryDigestListsClusterOnce(t *testing.T) {
	e := clustered(t)
	e.p.Links = fakeLinks{}
	msgs := e.run(plan.JobMinistryDigest, at(2027, 2, 1), true)
	var moj, moe string
	for _, m := range msgs {
		switch {
		case m.Recipient == "moj":
			moj = m.Text
			if !strings.Contains(m.Subject, "1 open task") {
				t.Errorf("the justice overview counts %q", m.Subject)
			}
		case m.Recipient == "moe" && strings.Contains(m.Key, "education@"):
			moe = m.Text
		}
	}
	if n := strings.Count(moj, clusterHeading); n != 1 || !strings.Contains(moj, "Due in 3 days, on 4 February 2027") {
		t.Errorf("the justice overview lists the cluster %d times:\n%s", n, moj)
	}
	if n := strings.Count(moe, clusterHeading); n != 1 || !strings.Contains(moe, "to=%2Fm%2Fcluster%2F1") {
		t.Errorf("the education overview lists the cluster it supports %d times:\n%s", n, moe)
	}
}
