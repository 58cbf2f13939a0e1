package plan_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// commandLine is a followup command as the mails used to spell them out
// ("see followup tasks --overdue"): the reader is not at the server.
var commandLine = regexp.MustCompile(`followup (tasks|task|outbox|run|import|send|preview|report|status|config|recs|docs)\b`)

// TestOverviewsForPeople (issue 10, case 10): the ministry's overview
// lists each task once; the coordinator's leads with what needs a
// decision, then what people did (stage and ministry names, not ids),
// then the automatic events grouped, then the reports; no mail carries a
// command line.
func TestOverviewsForPeople(t *testing.T) {
	e := newEnv(t, 50)
	e.standard()
	ctx := context.Background()
	e.now = time.Date(2027, 1, 6, 9, 0, 0, 0, loc)
	if _, err := e.db.Advance(ctx, symbol+":5a", "acknowledged", store.Actor{Name: "Justice focal point"}, "received", func(workflow.Task) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Assign(ctx, symbol+":6", "moj", nil, store.Actor{Name: "admin"}, "law reform"); err != nil {
		t.Fatal(err)
	}
	e.exec(`INSERT INTO outbox (key, kind, recipient, subject, message_id, env_from, env_to, status, next_attempt, last_error, created_at)
		VALUES ('reminder:moe:1', 'reminder', 'moe', 'A reminder', 'x@example.org', 'f@example.org', 'education@example.org', 'failed', 0, '550 no such user', 1)`)

	// 1 March: 5b and 7 (education) and 6 (justice, still assigned) are
	// overdue; 5a is acknowledged, due to leave that stage on 4 April.
	var all []plan.Message
	digests := e.run(plan.JobMinistryDigest, at(2027, 3, 1), false)
	all = append(all, digests...)
	if len(digests) < 2 {
		t.Fatalf("ministry digests: %q", summary(digests))
	}
	for _, m := range digests {
		for _, id := range []string{"5a", "5b", "6", "7"} {
			if n := strings.Count(m.Text, symbol+":"+id+" "); n > 1 {
				t.Errorf("the digest to %s lists %s %d times:\n%s", m.Recipient, id, n, m.Text)
			}
		}
	}
	moj := digests[0]
	for _, m := range digests {
		if m.Recipient == "moj" {
			moj = m
		}
	}
	if strings.Count(moj.Text, symbol+":5a ") != 1 || strings.Count(moj.Text, symbol+":6 ") != 1 {
		t.Errorf("the digest to moj does not list 5a and 6 once each:\n%s", moj.Text)
	}

	// The first overview, on 8 January, tells the week: the import of 4
	// January and the two changes people made on the 6th.
	msgs := e.run(plan.JobCoordinatorDigest, at(2027, 1, 8), false)
	all = append(all, msgs...)
	if len(msgs) != 1 {
		t.Fatalf("coordinator digest: %q", summary(msgs))
	}
	text := msgs[0].Text
	last := -1
	for _, section := range []string{"Needs a decision:", "DELIVERY PROBLEMS", "OVERDUE TASKS", "UNASSIGNED TASKS", "WHAT PEOPLE DID",
		"DONE AUTOMATICALLY", "REPORTS", "PROGRESS BY MINISTRY"} {
		i := strings.Index(text, section)
		if i < 0 || i < last {
			t.Errorf("section %q missing or out of order (at %d, after %d):\n%s", section, i, last, text)
		}
		last = i
	}
	for _, want := range []string{
		"moved from Assigned to Acknowledged, by Justice focal point",
		"assigned to Ministry of Justice, by admin",
		"4 tasks created by import",
		"550 no such user",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the overview lacks %q:\n%s", want, text)
		}
	}
	for _, bad := range []string{"task created", "from assigned", "to acknowledged", "to moj"} {
		if strings.Contains(text, bad) {
			t.Errorf("the overview says %q:\n%s", bad, text)
		}
	}
	all = append(all, e.run(plan.JobReminders, at(2027, 3, 1), false)...)
	for _, m := range all {
		if c := commandLine.FindString(m.Text); c != "" {
			t.Errorf("the %s to %s tells the reader to run %q:\n%s", m.Kind, m.Recipient, c, m.Text)
		}
	}
}
