package plan_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/plan"
)

// storedMessage is a message as the outbox holds it, to old addresses.
func storedMessage(t *testing.T, headers map[string]string) []byte {
	t.Helper()
	raw, err := notify.Compose(notify.Envelope{From: "f@example.org", To: []string{"old@example.org"}, Cc: []string{"old-cc@example.org"},
		Subject: "Stored", MessageID: "m@example.org", Date: time.Unix(0, 0), Headers: headers}, "Text.\r\n", "")
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestReaddressKinds: reminders and digests go to their body's focal
// points; an escalation without the header of its ministries is about its
// recipient, and the coordinator or a ministry no longer in the config
// named there adds nobody in copy; a kind not readdressed, a coordinator
// without focal points and a message without an end of header keep the
// stored message (the last one refused as an error).
func TestReaddressKinds(t *testing.T) {
	e := newEnv(t, 50)
	plain := storedMessage(t, nil)
	for _, c := range []struct {
		kind, recipient string
		raw             []byte
		want            string
	}{
		{plan.KindReminder, "moe", plain, "education@example.org schools@example.org"},
		{plan.KindMinistryDigest, "moj", plain, "justice@example.org"},
		{plan.KindCoordinatorDigest, "coord", plain, "coord@example.org"},
		{plan.KindEscalation, "moj", plain, "coord@example.org justice@example.org"},
		{plan.KindEscalation, "moe", storedMessage(t, map[string]string{"X-Followup-Ministries": " coord , gone,moj"}),
			"coord@example.org justice@example.org"},
	} {
		msg, rcpts, ok, err := plan.Readdress(e.cfg, c.kind, c.recipient, c.raw)
		if err != nil || !ok || strings.Join(rcpts, " ") != c.want {
			t.Errorf("%s to %s: %q, %v, %v; want %q", c.kind, c.recipient, rcpts, ok, err, c.want)
			continue
		}
		if bytes.Contains(msg, []byte("old")) || !bytes.Contains(msg, []byte("\r\n\r\nText.")) {
			t.Errorf("%s to %s:\n%s", c.kind, c.recipient, msg)
		}
	}

	if msg, rcpts, ok, err := plan.Readdress(e.cfg, "receipt", "moj", plain); ok || err != nil || rcpts != nil || !bytes.Equal(msg, plain) {
		t.Errorf("a receipt: %q, %v, %v", rcpts, ok, err)
	}
	noFocal := *e.cfg
	noFocal.Coordinator.FocalPoints = nil
	if msg, _, ok, err := plan.Readdress(&noFocal, plan.KindEscalation, "moj", plain); ok || err != nil || !bytes.Equal(msg, plain) {
		t.Errorf("an escalation when the coordinator has no focal point: %v, %v", ok, err)
	}
	_, _, ok, err := plan.Readdress(e.cfg, plan.KindReminder, "moj", []byte("To: old@example.org\r\nSubject: cut short"))
	if err == nil || ok || !strings.Contains(err.Error(), "readdress the reminder to moj") {
		t.Errorf("a message without an end of header: %v, %v", ok, err)
	}
}

// TestHeaderReplyTo: replies go to the coordinating body's first focal
// point; with none, the message has no Reply-To.
func TestHeaderReplyTo(t *testing.T) {
	e := newEnv(t, 50)
	now := time.Date(2027, 1, 4, 10, 0, 0, 0, time.UTC)
	env := plan.Header(e.cfg, notify.Envelope{To: []string{"justice@example.org"}}, "reminder:moj:1", "en", now)
	if env.ReplyTo != `"Coordinating body" <coord@example.org>` || env.From != e.cfg.Mail.From || env.MessageID == "" {
		t.Errorf("header = %+v", env)
	}
	noFocal := *e.cfg
	noFocal.Coordinator.FocalPoints = nil
	if env := plan.Header(&noFocal, notify.Envelope{}, "reminder:moj:1", "en", now); env.ReplyTo != "" {
		t.Errorf("Reply-To without a focal point: %q", env.ReplyTo)
	}
}

// TestParagraphLabel: a place as people cite it.
func TestParagraphLabel(t *testing.T) {
	for _, c := range []struct {
		p    int
		item string
		want string
	}{{14, "a", "14 (a)"}, {122, "17", "122.17"}, {8, "", "8"}} {
		if got := plan.ParagraphLabel(c.p, c.item); got != c.want {
			t.Errorf("ParagraphLabel(%d, %q) = %q, want %q", c.p, c.item, got, c.want)
		}
	}
}
