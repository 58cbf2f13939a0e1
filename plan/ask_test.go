package plan_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"

	"github.com/followup-app/followup/plan"
)

// stored is a message as the outbox holds it: its header and its parts
// by content type (the calendar decoded).
type stored struct {
	header mail.Header
	parts  map[string]string
}

func (e *env) stored(key string) stored {
	e.t.Helper()
	var raw []byte
	if err := e.raw.QueryRow(`SELECT b.raw FROM outbox o JOIN outbox_bodies b ON b.id = o.id WHERE o.key = ?`, key).Scan(&raw); err != nil {
		e.t.Fatalf("outbox %s: %v", key, err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		e.t.Fatal(err)
	}
	s := stored{header: msg.Header, parts: map[string]string{}}
	var walk func(ct string, body io.Reader, enc string)
	walk = func(ct string, body io.Reader, enc string) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			e.t.Fatal(err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					e.t.Fatal(err)
				}
				// multipart decodes quoted-printable itself; base64 is ours.
				walk(p.Header.Get("Content-Type"), p, p.Header.Get("Content-Transfer-Encoding"))
			}
		}
		b, err := io.ReadAll(body)
		if err != nil {
			e.t.Fatal(err)
		}
		if strings.EqualFold(enc, "base64") {
			dec, err := io.ReadAll(base64Reader(b))
			if err != nil {
				e.t.Fatal(err)
			}
			b = dec
		}
		s.parts[mt] = string(b)
	}
	walk(msg.Header.Get("Content-Type"), msg.Body, msg.Header.Get("Content-Transfer-Encoding"))
	return s
}

// TestReminderAsBusyOfficialsNeedIt (issue 10, case 11): the reminder
// greets the unit when the focal point is a post, says in its first
// sentence what is asked and by when, sends answers to the coordinator,
// marks itself as automatic, and carries calendar events that name the
// ministry and the recommendations, with no alarm in the past; an overdue
// reminder carries no event in the past.
func TestReminderAsBusyOfficialsNeedIt(t *testing.T) {
	e := newEnv(t, 50)
	e.standard()
	// 28 January: 7 days before the first deadline (assigned, 4 February).
	msgs := e.run(plan.JobReminders, at(2027, 1, 28), false)
	var moj plan.Message
	for _, m := range msgs {
		if m.Recipient == "moj" {
			moj = m
		}
	}
	if moj.Key == "" {
		t.Fatalf("no reminder to moj: %q", summary(msgs))
	}
	want := "Dear colleagues at the Ministry of Justice,\n\nPlease confirm to the Coordinating body by 4 February 2027 that your ministry has received these recommendations.\n"
	if !strings.HasPrefix(moj.Text, want) {
		t.Errorf("the reminder does not open with the greeting and the ask:\n%s", moj.Text)
	}
	s := e.stored(moj.Key)
	if got := s.header.Get("Reply-To"); got != `"Coordinating body" <coord@example.org>` {
		t.Errorf("Reply-To = %q, want the coordinator", got)
	}
	if got := s.header.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", got)
	}
	ics := s.parts["text/calendar"]
	unfolded := strings.ReplaceAll(ics, "\r\n ", "")
	if !strings.Contains(unfolded, `SUMMARY:Ministry of Justice: `) || !strings.Contains(unfolded, `CRC/C/TST/CO/1 5 (a)`) {
		t.Errorf("the event does not name the ministry and the recommendations:\n%s", ics)
	}
	// The deadline is 7 days away: an alarm 7 days before would ring at
	// once; the one the day before is still to come.
	if strings.Contains(ics, "TRIGGER:-P7D") || !strings.Contains(ics, "TRIGGER:-P1D") {
		t.Errorf("alarms:\n%s", ics)
	}

	// 11 February: a week overdue. No event in the past, no calendar.
	msgs = e.run(plan.JobReminders, at(2027, 2, 11), false)
	n := 0
	for _, m := range msgs {
		if m.Kind != plan.KindReminder {
			continue
		}
		n++
		s := e.stored(m.Key)
		if ics, ok := s.parts["text/calendar"]; ok {
			t.Errorf("the overdue reminder to %s carries a calendar:\n%s", m.Recipient, ics)
		}
		if strings.Contains(m.Text, "calendar") {
			t.Errorf("the overdue reminder to %s speaks of a calendar:\n%s", m.Recipient, m.Text)
		}
		if !strings.Contains(m.Text, "as soon as possible (it was due on 4 February 2027)") {
			t.Errorf("the overdue reminder to %s does not ask as overdue:\n%s", m.Recipient, m.Text)
		}
		// The coordinating body's own reminder too: it says replies go to
		// its secretariat, and the sender is a robot nobody reads.
		wantReply := `"Coordinating body" <coord@example.org>`
		if got := s.header.Get("Reply-To"); got != wantReply {
			t.Errorf("Reply-To of the reminder to %s = %q, want %q", m.Recipient, got, wantReply)
		}
	}
	if n < 2 {
		t.Errorf("on 11 February: %q, want the overdue reminders", summary(msgs))
	}
}

func base64Reader(b []byte) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, bytes.NewReader(bytes.Join(bytes.Fields(b), nil)))
}

// TestReminderAskInMinistryLanguage (issue 13 with issue 10, case 11): a
// ministry writing French gets the greeting, the ask with its date, and
// the calendar event in French, before and after the deadline; nothing of
// the English sentences outside the templates reaches it.
func TestReminderAskInMinistryLanguage(t *testing.T) {
	e := newEnv(t, 50)
	for i := range e.cfg.Ministries {
		if e.cfg.Ministries[i].ID == "moj" {
			e.cfg.Ministries[i].Language = "fr"
		}
	}
	e.standard()
	find := func(msgs []plan.Message) plan.Message {
		t.Helper()
		for _, m := range msgs {
			if m.Recipient == "moj" && m.Kind == plan.KindReminder {
				return m
			}
		}
		t.Fatalf("no reminder to moj: %q", summary(msgs))
		return plan.Message{}
	}
	moj := find(e.run(plan.JobReminders, at(2027, 1, 28), false))
	want := "À l’attention de : Ministry of Justice\nMesdames, Messieurs,\n\nVeuillez confirmer à Coordinating body d’ici le 4 février 2027 que votre ministère a bien reçu ces recommandations.\n"
	if !strings.HasPrefix(moj.Text, want) {
		t.Errorf("the reminder does not open with the French greeting and ask:\n%s", moj.Text)
	}
	if strings.Contains(moj.Text, "Please") || strings.Contains(moj.Text, " by ") {
		t.Errorf("English ask in the French reminder:\n%s", moj.Text)
	}
	ics := strings.ReplaceAll(e.stored(moj.Key).parts["text/calendar"], "\r\n ", "")
	if !strings.Contains(ics, "SUMMARY:Ministry of Justice: Attribuée → Prise en charge") {
		t.Errorf("the calendar event is not in French:\n%s", ics)
	}

	moj = find(e.run(plan.JobReminders, at(2027, 2, 11), false))
	if !strings.Contains(moj.Text, "Veuillez confirmer à Coordinating body dans les meilleurs délais (l’échéance était fixée au 4 février 2027)") {
		t.Errorf("the overdue French reminder does not ask as overdue:\n%s", moj.Text)
	}
}
