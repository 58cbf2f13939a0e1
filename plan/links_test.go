package plan_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/plan"
)

// fakeLinks signs nothing: a link names the body and the address, so a
// test can tell whose message holds whose link.
type fakeLinks struct{}

func (fakeLinks) SignedLink(body, email string, gen int64) string {
	return fmt.Sprintf("https://fu.example/l/%s/%s/%d", body, email, gen)
}

// With links, every message goes to each person alone with their own
// link; the escalation's task links open only the reader's own tasks.
func TestPersonalLinks(t *testing.T) {
	e := newEnv(t, 50)
	e.p.Links = fakeLinks{}
	e.standard()
	e.run(plan.JobReminders, at(2027, 2, 3), false)
	e.exec(`UPDATE outbox SET status = 'sent', sent_at = 1801000000 WHERE kind = 'reminder'`)
	msgs := e.run(plan.JobReminders, at(2027, 3, 6), false)

	var got []string
	for _, m := range msgs {
		if len(m.To) != 1 || m.Cc != nil {
			t.Errorf("%s %s: to %q cc %q, want one person alone", m.Kind, m.Recipient, m.To, m.Cc)
			continue
		}
		got = append(got, m.Kind+" "+m.To[0])
		own := "https://fu.example/l/"
		if !strings.Contains(m.Text, own) || strings.Count(m.Text, own) != strings.Count(m.Text, "/"+m.To[0]+"/0") {
			t.Errorf("%s to %s carries someone else's link:\n%s", m.Kind, m.To[0], m.Text)
		}
	}
	want := []string{"reminder coord@example.org", "reminder justice@example.org", "reminder education@example.org",
		"reminder schools@example.org", "escalation coord@example.org", "escalation justice@example.org",
		"escalation education@example.org", "escalation schools@example.org"}
	if !slices.Equal(got, want) {
		t.Fatalf("messages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	byTo := map[string]plan.Message{}
	for _, m := range msgs[4:] {
		byTo[m.To[0]] = m
	}
	// The coordinator opens every task; the Ministry of Justice only its
	// own (5a), not the Ministry of Education's two.
	if n := strings.Count(byTo["coord@example.org"].Text, "?to=%2Fc%2Ftask%2F"); n != 3 {
		t.Errorf("the coordinator's escalation links %d tasks, want 3:\n%s", n, byTo["coord@example.org"].Text)
	}
	if n := strings.Count(byTo["justice@example.org"].Text, "?to=%2Fm%2Ftask%2F"); n != 1 {
		t.Errorf("justice's escalation links %d tasks, want its own 1:\n%s", n, byTo["justice@example.org"].Text)
	}
	// A ministry in copy reads its own part of the escalation; the
	// coordinator reads every ministry's.
	if txt := byTo["justice@example.org"].Text; strings.Contains(txt, "Ministry of Education") || !strings.Contains(txt, "Ministry of Justice") {
		t.Errorf("justice's escalation is not its own part:\n%s", txt)
	}
	if txt := byTo["education@example.org"].Text; strings.Contains(txt, "Ministry of Justice") || !strings.Contains(txt, "2 tasks") {
		t.Errorf("education's escalation is not its own part:\n%s", txt)
	}
	if txt := byTo["coord@example.org"].Text; !strings.Contains(txt, "Ministry of Justice") || !strings.Contains(txt, "Ministry of Education") {
		t.Errorf("the coordinator's escalation lacks a ministry:\n%s", txt)
	}
	// Each person's row is in the outbox, keyed by the address.
	var rows int
	if err := e.raw.QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = 'escalation'`).Scan(&rows); err != nil || rows != 4 {
		t.Errorf("escalation rows = %d (%v), want 4", rows, err)
	}

	// The overviews: the coordinator's, and each focal point of a
	// ministry its own copy.
	digests := e.run(plan.JobMinistryDigest, at(2027, 3, 8), false)
	got = got[:0]
	for _, m := range digests {
		got = append(got, m.Recipient+" "+strings.Join(m.To, ","))
	}
	if want := []string{"moj justice@example.org", "moe education@example.org", "moe schools@example.org"}; !slices.Equal(got, want) {
		t.Errorf("ministry overviews: %q, want %q", got, want)
	}
	overview := e.run(plan.JobCoordinatorDigest, at(2027, 3, 8), false)
	if len(overview) != 1 || !strings.Contains(overview[0].Text, "https://fu.example/l/coord/coord@example.org/0") {
		t.Errorf("coordinator overview: %d messages", len(overview))
	}
}
