package notify

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"
)

const laoTitle = "ກະຊວງ ປ້ອງກັນ ຄວາມສະຫງົບ"

func testEnvelope() Envelope {
	return Envelope{
		From:      "Followup <noreply@followup.example.org>",
		To:        []string{laoTitle + " <fp@mps.example.gov.la>", "second@mps.example.gov.la"},
		Cc:        []string{"NCMC Secretariat <ncmc@example.gov.la>"},
		ReplyTo:   "ncmc@example.gov.la",
		Subject:   "ເຕືອນ: 3 recommendations due in 7 days",
		MessageID: "reminder.mps.1735689600@followup.example.org",
		Date:      time.Date(2027, 1, 4, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600)),
		Headers:   map[string]string{"X-Followup-Key": "reminder:mps:2027-01-04T01:00:00Z"},
	}
}

func TestCompose(t *testing.T) {
	env := testEnvelope()
	text := "Dear focal point,\n\n" + laoTitle + "\n.\nThree tasks are due.\n"
	html := "<p>Dear focal point,</p><p>" + laoTitle + "</p>"
	ics := ICS("-//followup//EN", []Event{{UID: "t1@followup", Summary: "Task 1"}}, env.Date)
	raw, err := Compose(env, text, html, Attachment{
		Name: "deadlines.ics", ContentType: "text/calendar; charset=utf-8; method=PUBLISH", Data: ics,
	})
	if err != nil {
		t.Fatal(err)
	}
	if i := bytes.IndexByte(bytes.ReplaceAll(raw, []byte("\r\n"), nil), '\n'); i >= 0 {
		t.Fatalf("bare LF at byte %d: line endings must be CRLF", i)
	}

	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	if got := h.Get("Message-ID"); got != "<"+env.MessageID+">" {
		t.Errorf("Message-ID %q", got)
	}
	if d, err := h.Date(); err != nil || !d.Equal(env.Date) {
		t.Errorf("Date %q (%v), want %v", h.Get("Date"), err, env.Date)
	}
	rawSubject := h.Get("Subject")
	if !strings.Contains(rawSubject, "=?UTF-8?") {
		t.Errorf("Subject %q is not RFC 2047-encoded", rawSubject)
	}
	var dec mime.WordDecoder
	if got, err := dec.DecodeHeader(rawSubject); err != nil || got != env.Subject {
		t.Errorf("Subject decodes to %q (%v), want %q", got, err, env.Subject)
	}
	if got := h.Get("X-Followup-Key"); got != env.Headers["X-Followup-Key"] {
		t.Errorf("X-Followup-Key %q", got)
	}
	if got := h.Get("User-Agent"); got != "followup" {
		t.Errorf("User-Agent %q", got)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Name != laoTitle || to[0].Address != "fp@mps.example.gov.la" {
		t.Errorf("To %q: %v %v", h.Get("To"), to, err)
	}
	if cc, err := h.AddressList("Cc"); err != nil || len(cc) != 1 || cc[0].Address != "ncmc@example.gov.la" {
		t.Errorf("Cc %q: %v", h.Get("Cc"), err)
	}
	if rt, err := h.AddressList("Reply-To"); err != nil || len(rt) != 1 || rt[0].Address != "ncmc@example.gov.la" {
		t.Errorf("Reply-To %q: %v", h.Get("Reply-To"), err)
	}

	// multipart/mixed > (multipart/alternative > text, html), ics
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("Content-Type %q", h.Get("Content-Type"))
	}
	parts := readParts(t, msg.Body, params["boundary"])
	if len(parts) != 2 {
		t.Fatalf("%d parts in multipart/mixed, want 2", len(parts))
	}
	mt, params, _ = mime.ParseMediaType(parts[0].header.Get("Content-Type"))
	if mt != "multipart/alternative" {
		t.Fatalf("first part is %q, want multipart/alternative", mt)
	}
	alt := readParts(t, bytes.NewReader(parts[0].body), params["boundary"])
	if len(alt) != 2 {
		t.Fatalf("%d alternatives, want 2", len(alt))
	}
	wantPart(t, alt[0], "text/plain", text)
	wantPart(t, alt[1], "text/html", html)

	att := parts[1]
	if mt, p, _ := mime.ParseMediaType(att.header.Get("Content-Type")); mt != "text/calendar" || p["method"] != "PUBLISH" || p["charset"] != "utf-8" {
		t.Errorf("attachment Content-Type %q", att.header.Get("Content-Type"))
	}
	if d, p, _ := mime.ParseMediaType(att.header.Get("Content-Disposition")); d != "attachment" || p["filename"] != "deadlines.ics" {
		t.Errorf("attachment Content-Disposition %q", att.header.Get("Content-Disposition"))
	}
	if !bytes.Equal(att.decoded(t), ics) {
		t.Error("the .ics attachment does not decode to the calendar")
	}
}

func TestComposeTextOnly(t *testing.T) {
	raw, err := Compose(testEnvelope(), "Just text.\n", "")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if mt, _, _ := mime.ParseMediaType(msg.Header.Get("Content-Type")); mt != "text/plain" {
		t.Errorf("Content-Type %q, want text/plain", msg.Header.Get("Content-Type"))
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if strings.ReplaceAll(string(body), "\r\n", "\n") != "Just text.\n" {
		t.Errorf("body %q", body)
	}
}

func TestComposeErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(e *Envelope)
		want string
	}{
		{"no message id", func(e *Envelope) { e.MessageID = "" }, "message id is required"},
		{"brackets", func(e *Envelope) { e.MessageID = "<a@b>" }, "angle brackets"},
		{"no at", func(e *Envelope) { e.MessageID = "abc" }, "left@right"},
		{"no date", func(e *Envelope) { e.Date = time.Time{} }, "date is required"},
		{"no recipients", func(e *Envelope) { e.To, e.Cc = nil, nil }, "no recipients"},
		{"bad from", func(e *Envelope) { e.From = "not an address" }, "from"},
		{"bad to", func(e *Envelope) { e.To = []string{"x@"} }, "to"},
		{"reserved header", func(e *Envelope) { e.Headers = map[string]string{"content-type": "text/html"} }, "cannot be overridden"},
		{"header injection", func(e *Envelope) { e.Headers = map[string]string{"X-A": "1\r\nBcc: x@y"} }, "line break"},
		{"header name", func(e *Envelope) { e.Headers = map[string]string{"X A": "1"} }, "invalid header name"},
		{"subject injection", func(e *Envelope) { e.Subject = "a\r\nBcc: x@y" }, "line break"},
	}
	for _, tc := range tests {
		env := testEnvelope()
		tc.edit(&env)
		_, err := Compose(env, "text", "")
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "compose: ") {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := Compose(testEnvelope(), "", "<p>x</p>"); err == nil {
		t.Error("empty text body accepted")
	}
	if _, err := Compose(testEnvelope(), "x", "", Attachment{Name: "../x.ics"}); err == nil {
		t.Error("attachment name with a path accepted")
	}
}

func TestEnvelopeAddrs(t *testing.T) {
	env := Envelope{
		From: "Followup <noreply@followup.example.org>",
		To:   []string{"A <a@Example.org>", "b@example.org", "a@example.ORG"},
		Cc:   []string{"B again <b@example.org>", "C <c@example.org>", "A@example.org"},
	}
	from, rcpts, err := EnvelopeAddrs(env)
	if err != nil {
		t.Fatal(err)
	}
	if from != "noreply@followup.example.org" {
		t.Errorf("from %q", from)
	}
	// Domains compare case-insensitively, local parts do not.
	if got := fmt.Sprint(rcpts); got != "[a@Example.org b@example.org c@example.org A@example.org]" {
		t.Errorf("recipients %s", got)
	}
	if _, _, err := EnvelopeAddrs(Envelope{From: "a@b"}); err == nil {
		t.Error("no recipients accepted")
	}
	if _, _, err := EnvelopeAddrs(Envelope{From: "nobody", To: []string{"a@b"}}); err == nil {
		t.Error("invalid sender accepted")
	}
}

type part struct {
	header mail.Header
	body   []byte
}

func (p part) decoded(t *testing.T) []byte {
	t.Helper()
	var r io.Reader = bytes.NewReader(p.body)
	switch strings.ToLower(p.header.Get("Content-Transfer-Encoding")) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readParts reads a multipart body without mime/multipart's transparent
// decoding, so the tests see the transfer encoding go-mail chose.
func readParts(t *testing.T, r io.Reader, boundary string) []part {
	t.Helper()
	if boundary == "" {
		t.Fatal("no boundary")
	}
	mr := multipart.NewReader(r, boundary)
	var parts []part
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, part{header: mail.Header(p.Header), body: body})
	}
}

func wantPart(t *testing.T, p part, mediaType, content string) {
	t.Helper()
	mt, params, _ := mime.ParseMediaType(p.header.Get("Content-Type"))
	if mt != mediaType || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("part Content-Type %q, want %s; charset=utf-8", p.header.Get("Content-Type"), mediaType)
	}
	got := strings.ReplaceAll(string(p.decoded(t)), "\r\n", "\n")
	if strings.TrimRight(got, "\n") != strings.TrimRight(content, "\n") {
		t.Errorf("%s part: %q, want %q", mediaType, got, content)
	}
}
