package notify

import (
	"bytes"
	"net/mail"
	"strings"
	"testing"
	"time"
)

func TestReaddress(t *testing.T) {
	env := Envelope{From: "Follow-up <followup@example.org>", To: []string{"Old <old@example.org>", "other@example.org"},
		Cc: []string{"cc@example.org"}, Subject: "A reminder", MessageID: "k@example.org", Date: time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)}
	raw, err := Compose(env, "Hello.\r\n", "")
	if err != nil {
		t.Fatal(err)
	}
	got, rcpts, err := Readdress(raw, []string{"Ngân Phạm <new@example.org>", "other@example.org"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rcpts, " ") != "new@example.org other@example.org" {
		t.Errorf("envelope recipients %v", rcpts)
	}
	m, err := mail.ReadMessage(bytes.NewReader(got))
	if err != nil {
		t.Fatalf("the readdressed message does not parse: %v\n%s", err, got)
	}
	to, err := m.Header.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Address != "new@example.org" || to[0].Name != "Ngân Phạm" || to[1].Address != "other@example.org" {
		t.Errorf("To = %v (%v)", to, err)
	}
	if m.Header.Get("Cc") != "" {
		t.Errorf("Cc %q kept, want none", m.Header.Get("Cc"))
	}
	if m.Header.Get("Message-Id") != "<k@example.org>" || m.Header.Get("Subject") != "A reminder" {
		t.Errorf("other headers changed: %v", m.Header)
	}
	if bytes.Contains(got, []byte("old@example.org")) {
		t.Errorf("the old address is still in the message:\n%s", got)
	}
	if !bytes.HasSuffix(got, raw[bytes.Index(raw, []byte("\r\n\r\n")):]) {
		t.Error("the body changed")
	}
	// Bad input: an address that does not parse, and no header at all.
	if _, _, err := Readdress(raw, []string{"not an address"}, nil); err == nil {
		t.Error("a bad address was accepted")
	}
	if _, _, err := Readdress([]byte("no header end"), []string{"a@example.org"}, nil); err == nil {
		t.Error("a message without a header end was accepted")
	}
}
