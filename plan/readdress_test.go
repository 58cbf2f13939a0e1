package plan_test

import (
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
