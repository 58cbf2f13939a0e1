package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/followup-app/followup/config"
)

func newTransport(t testing.TB, c config.SMTP, opts ...SMTPOption) *SMTPTransport {
	t.Helper()
	tr, err := NewSMTP(c, slog.New(slog.DiscardHandler), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func messages(t testing.TB, n int) []Message {
	msgs := make([]Message, n)
	for i := range msgs {
		msgs[i] = testMessage(t, i+1)
	}
	return msgs
}

func wantResult(t *testing.T, rep *reports, i int, outcome Outcome, code int) Result {
	t.Helper()
	r, ok := rep.get(i)
	if !ok {
		t.Fatalf("message %d: no report, want %s", i, outcome)
	}
	if r.Outcome != outcome || r.Code != code {
		t.Fatalf("message %d: got %s code %d (err %v), want %s code %d", i, r.Outcome, r.Code, r.Err, outcome, code)
	}
	if outcome != Sent && r.Err == nil {
		t.Fatalf("message %d: %s without an error", i, outcome)
	}
	return r
}

func wantUnreported(t *testing.T, rep *reports, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if r, ok := rep.get(i); ok {
			t.Errorf("message %d: reported %s (%v), want no report", i, r.Outcome, r.Err)
		}
	}
}

func TestSMTPBatchOnOneSession(t *testing.T) {
	srv := newTestServer(t, serverOpts{})
	tr := newTransport(t, srv.smtpConfig())
	msgs := messages(t, 3)
	rep := newReports()
	if err := tr.Deliver(context.Background(), msgs, rep.report); err != nil {
		t.Fatal(err)
	}
	for i := range msgs {
		r := wantResult(t, rep, i, Sent, 250)
		if !strings.Contains(r.Response, "queued") {
			t.Errorf("message %d: response %q, want the server's reply text", i, r.Response)
		}
	}
	if got := fmt.Sprint(rep.order); got != "[0 1 2]" {
		t.Errorf("report order %s", got)
	}
	if n := srv.connections(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
	got := srv.messages()
	if len(got) != 3 {
		t.Fatalf("server received %d messages, want 3", len(got))
	}
	for i, m := range got {
		if !bytes.Equal(m.Raw, msgs[i].Raw) {
			t.Errorf("message %d: received bytes differ from Raw\n got: %q\nwant: %q", i, m.Raw, msgs[i].Raw)
		}
		if m.From != "noreply@followup.example.org" || fmt.Sprint(m.To) != "[fp@mps.example.gov.la]" {
			t.Errorf("message %d: envelope %s -> %v", i, m.From, m.To)
		}
	}
}

func TestSMTPGreylistedThenSent(t *testing.T) {
	srv := newTestServer(t, serverOpts{})
	srv.set(func(s *testServer) { s.onRcpt = replyOnCall[string](1, smtpErr(451, "greylisted, try later")) })
	tr := newTransport(t, srv.smtpConfig())
	msgs := messages(t, 1)

	rep := newReports()
	if err := tr.Deliver(context.Background(), msgs, rep.report); err != nil {
		t.Fatalf("a 4xx reply must not stop the batch: %v", err)
	}
	r := wantResult(t, rep, 0, Temporary, 451)
	if !strings.Contains(r.Err.Error(), "RCPT TO:<fp@mps.example.gov.la>") {
		t.Errorf("error %q does not name the refused recipient", r.Err)
	}
	if n := len(srv.messages()); n != 0 {
		t.Fatalf("server has %d messages after a refused RCPT", n)
	}

	rep = newReports()
	if err := tr.Deliver(context.Background(), msgs, rep.report); err != nil {
		t.Fatal(err)
	}
	wantResult(t, rep, 0, Sent, 250)
	if got := srv.messages(); len(got) != 1 || !bytes.Equal(got[0].Raw, msgs[0].Raw) {
		t.Fatalf("server has %d messages, want exactly one copy", len(got))
	}
}

func TestSMTPPermanentRefusalContinuesBatch(t *testing.T) {
	srv := newTestServer(t, serverOpts{})
	srv.set(func(s *testServer) { s.onRcpt = replyOnCall[string](1, smtpErr(550, "no such user")) })
	tr := newTransport(t, srv.smtpConfig())
	msgs := messages(t, 2)
	rep := newReports()
	if err := tr.Deliver(context.Background(), msgs, rep.report); err != nil {
		t.Fatal(err)
	}
	wantResult(t, rep, 0, Permanent, 550)
	wantResult(t, rep, 1, Sent, 250)
	got := srv.messages()
	if len(got) != 1 || !bytes.Equal(got[0].Raw, msgs[1].Raw) {
		t.Fatalf("server has %d messages, want only the second", len(got))
	}
	if n := srv.connections(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// A message with several recipients where one is refused is not sent at
// all, so that a retry cannot duplicate it for the others.
// One recipient refused among three: the other two get the message, the
// result is Sent and names the refused address with its own class; the
// next message of the batch is unaffected. (Issue 10, case 6: before, the
// whole message failed and nobody got it.)
func TestSMTPOneRecipientRefused(t *testing.T) {
	for _, tc := range []struct {
		code    int
		outcome Outcome
	}{{550, Permanent}, {452, Temporary}} {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			srv := newTestServer(t, serverOpts{})
			srv.set(func(s *testServer) { s.onRcpt = replyOnCall[string](2, smtpErr(tc.code, "no such mailbox")) })
			tr := newTransport(t, srv.smtpConfig())
			m := testMessage(t, 1)
			m.To = []string{"a@example.org", "b@example.org", "c@example.org"}
			rep := newReports()
			if err := tr.Deliver(context.Background(), []Message{m, testMessage(t, 2)}, rep.report); err != nil {
				t.Fatal(err)
			}
			r := wantResult(t, rep, 0, Sent, 250)
			if len(r.Refused) != 1 || r.Refused[0].Addr != "b@example.org" || r.Refused[0].Code != tc.code ||
				r.Refused[0].Outcome != tc.outcome || r.Refused[0].Err == nil {
				t.Fatalf("refused = %+v, want b@example.org with %d (%s)", r.Refused, tc.code, tc.outcome)
			}
			r2 := wantResult(t, rep, 1, Sent, 250)
			if len(r2.Refused) != 0 {
				t.Errorf("second message: refused %+v, want none", r2.Refused)
			}
			got := srv.messages()
			if len(got) != 2 || fmt.Sprint(got[0].To) != "[a@example.org c@example.org]" || fmt.Sprint(got[1].To) != "[fp@mps.example.gov.la]" {
				t.Fatalf("received %+v, want the first message to a and c, then the second", got)
			}
		})
	}
}

// Every recipient refused: nobody gets it, and the message takes the
// class of the temporary refusal (a retry may reach that person).
func TestSMTPEveryRecipientRefused(t *testing.T) {
	srv := newTestServer(t, serverOpts{})
	srv.set(func(s *testServer) {
		s.onRcpt = func(call int, to string) error {
			if to == "b@example.org" {
				return smtpErr(452, "mailbox full")
			}
			return smtpErr(550, "no such user")
		}
	})
	tr := newTransport(t, srv.smtpConfig())
	m := testMessage(t, 1)
	m.To = []string{"a@example.org", "b@example.org"}
	rep := newReports()
	if err := tr.Deliver(context.Background(), []Message{m}, rep.report); err != nil {
		t.Fatal(err)
	}
	r := wantResult(t, rep, 0, Temporary, 452)
	if len(r.Refused) != 0 {
		t.Errorf("refused = %+v on a message nobody got, want none (the message failed as a whole)", r.Refused)
	}
	if n := len(srv.messages()); n != 0 {
		t.Fatalf("server received %d messages", n)
	}
}

// Each SMTP step, refused with a 4xx or 5xx: the class follows the code and
// the batch goes on with the next message (except 421, which closes).
func TestSMTPReplyClassification(t *testing.T) {
	tests := []struct {
		name     string
		hook     func(s *testServer)
		outcome  Outcome
		code     int
		stopped  bool // Deliver returns an error, second message unreported
		received int
	}{
		{"mail 451", func(s *testServer) { s.onMail = replyOnCall[string](1, smtpErr(451, "local error")) }, Temporary, 451, false, 1},
		{"mail 553", func(s *testServer) { s.onMail = replyOnCall[string](1, smtpErr(553, "sender rejected")) }, Permanent, 553, false, 1},
		{"mail 421", func(s *testServer) { s.onMail = replyOnCall[string](1, smtpErr(421, "too many connections")) }, Temporary, 421, true, 0},
		{"rcpt 421", func(s *testServer) { s.onRcpt = replyOnCall[string](1, smtpErr(421, "shutting down")) }, Temporary, 421, true, 0},
		{"data 451", func(s *testServer) {
			s.onData = func(call int, d *dataCall) error {
				if call == 1 {
					return smtpErr(451, "queue full")
				}
				return d.accept()
			}
		}, Temporary, 451, false, 1},
		{"data 554", func(s *testServer) {
			s.onData = func(call int, d *dataCall) error {
				if call == 1 {
					return smtpErr(554, "content rejected")
				}
				return d.accept()
			}
		}, Permanent, 554, false, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, serverOpts{})
			srv.set(tc.hook)
			tr := newTransport(t, srv.smtpConfig())
			rep := newReports()
			err := tr.Deliver(context.Background(), messages(t, 2), rep.report)
			wantResult(t, rep, 0, tc.outcome, tc.code)
			if tc.stopped {
				if err == nil {
					t.Fatal("Deliver returned nil, want an error (server closing)")
				}
				wantUnreported(t, rep, 1, 2)
			} else {
				if err != nil {
					t.Fatal(err)
				}
				wantResult(t, rep, 1, Sent, 250)
			}
			if n := len(srv.messages()); n != tc.received {
				t.Errorf("server received %d messages, want %d", n, tc.received)
			}
		})
	}
}

func TestSMTPServerNotListening(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close()
	tr := newTransport(t, config.SMTP{Host: "127.0.0.1", Port: addr.Port, TLS: "none", Timeout: 5 * time.Second})
	rep := newReports()
	err = tr.Deliver(context.Background(), messages(t, 2), rep.report)
	if err == nil {
		t.Fatal("Deliver returned nil")
	}
	if rep.len() != 0 {
		t.Errorf("%d reports after a failed dial", rep.len())
	}
	var ce *ConnectError
	if !errors.As(err, &ce) || ce.Stage != "dial" || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("error %v (%T), want a ConnectError at stage dial wrapping ECONNREFUSED", err, err)
	}
	want := fmt.Sprintf("smtp dial %s: connection refused", ce.Addr)
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestSMTPStartTLSRequiredByDefault(t *testing.T) {
	srv := newTestServer(t, serverOpts{})
	c := srv.smtpConfig()
	c.TLS = "" // the default: starttls
	tr := newTransport(t, c)
	rep := newReports()
	err := tr.Deliver(context.Background(), messages(t, 1), rep.report)
	if err == nil {
		t.Fatal("Deliver to a server without STARTTLS succeeded")
	}
	want := `smtp: server 127.0.0.1:` + fmt.Sprint(srv.port) +
		` does not offer STARTTLS; set mail.smtp.tls to "opportunistic" or "none" only if the relay is trusted`
	if err.Error() != want {
		t.Errorf("error %q\nwant %q", err, want)
	}
	if rep.len() != 0 || len(srv.messages()) != 0 {
		t.Error("a message went out without STARTTLS")
	}
	// The server's Shutdown in cleanup fails if the refused connection was
	// left open.
}

func TestSMTPConnectionClosedMidData(t *testing.T) {
	srv := newTestServer(t, serverOpts{})
	srv.set(func(s *testServer) { s.onData = closeMidData(2, 100) })
	tr := newTransport(t, srv.smtpConfig())
	rep := newReports()
	err := tr.Deliver(context.Background(), messages(t, 4), rep.report)
	if err == nil {
		t.Fatal("Deliver returned nil after the connection was lost")
	}
	wantResult(t, rep, 0, Sent, 250)
	r, ok := rep.get(1)
	if !ok {
		t.Fatal("message 1: no report")
	}
	// A small message fits in the socket buffers: whether the final dot
	// was written before the reset is a race, so the client can only say
	// Temporary (it knows the dot never left) or Uncertain. Never Sent.
	if r.Outcome != Temporary && r.Outcome != Uncertain {
		t.Errorf("message 1: %s, want temporary or uncertain", r.Outcome)
	}
	wantUnreported(t, rep, 2, 4)
	if n := len(srv.messages()); n != 1 {
		t.Errorf("server has %d messages, want 1", n)
	}
}

// A message larger than the socket buffers cannot be written completely
// once the server has dropped the connection: the client knows the final
// dot never left, so the message is Temporary, not Uncertain.
func TestSMTPConnectionClosedMidDataLarge(t *testing.T) {
	srv := newTestServer(t, serverOpts{})
	srv.set(func(s *testServer) { s.onData = closeMidData(1, 1000) })
	tr := newTransport(t, srv.smtpConfig())
	m := testMessage(t, 1)
	// 40 MB: more than the client's send buffer plus the server's receive
	// buffer can hold (Linux caps them at 4 MB and 32 MB by default).
	line := strings.Repeat("x", 998) + "\r\n"
	var raw bytes.Buffer
	raw.WriteString("Subject: big\r\n\r\n")
	for raw.Len() < 40<<20 {
		raw.WriteString(line)
	}
	m.Raw = raw.Bytes()
	rep := newReports()
	err := tr.Deliver(context.Background(), []Message{m, testMessage(t, 2)}, rep.report)
	if err == nil {
		t.Fatal("Deliver returned nil after the connection was lost")
	}
	wantResult(t, rep, 0, Temporary, 0)
	wantUnreported(t, rep, 1, 2)
}

func TestSMTPNoReplyAfterFinalDotIsUncertain(t *testing.T) {
	srv := newTestServer(t, serverOpts{})
	srv.set(func(s *testServer) { s.onData = stallAfterDot(2) })
	c := srv.smtpConfig()
	c.Timeout = 300 * time.Millisecond
	tr := newTransport(t, c)
	rep := newReports()
	err := tr.Deliver(context.Background(), messages(t, 3), rep.report)
	if err == nil {
		t.Fatal("Deliver returned nil after a timeout")
	}
	wantResult(t, rep, 0, Sent, 250)
	r := wantResult(t, rep, 1, Uncertain, 0)
	var ne net.Error
	if !errors.As(r.Err, &ne) || !ne.Timeout() {
		t.Errorf("error %v, want a timeout", r.Err)
	}
	wantUnreported(t, rep, 2, 3)
	// The server did get it: this is why an uncertain message is never
	// resent blindly.
	if n := len(srv.messages()); n != 2 {
		t.Errorf("server has %d messages, want 2", n)
	}
}

func TestSMTPContextCancelledBetweenMessages(t *testing.T) {
	srv := newTestServer(t, serverOpts{})
	tr := newTransport(t, srv.smtpConfig())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rep := newReports()
	err := tr.Deliver(ctx, messages(t, 3), func(i int, r Result) {
		rep.report(i, r)
		if i == 0 {
			cancel() // e.g. SIGTERM while the first message was being recorded
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Deliver: %v, want context.Canceled", err)
	}
	wantResult(t, rep, 0, Sent, 250)
	wantUnreported(t, rep, 1, 3)
	if n := len(srv.messages()); n != 1 {
		t.Errorf("server has %d messages, want 1", n)
	}

	// Cancelled before the start: no connection at all.
	before := srv.connections()
	if err := tr.Deliver(ctx, messages(t, 1), rep.report); !errors.Is(err, context.Canceled) {
		t.Fatalf("Deliver: %v, want context.Canceled", err)
	}
	if srv.connections() != before {
		t.Error("Deliver connected with a cancelled context")
	}
}

func TestSMTPAuthPlain(t *testing.T) {
	srv := newTestServer(t, serverOpts{user: "followup", pass: "s3cret"})
	c := srv.smtpConfig()
	c.Username, c.Password = "followup", "s3cret"
	tr := newTransport(t, c)
	rep := newReports()
	if err := tr.Deliver(context.Background(), messages(t, 2), rep.report); err != nil {
		t.Fatal(err)
	}
	wantResult(t, rep, 0, Sent, 250)
	wantResult(t, rep, 1, Sent, 250)
	for _, m := range srv.messages() {
		if m.User != "followup" {
			t.Errorf("message accepted for user %q", m.User)
		}
	}

	c.Password = "wrong"
	tr = newTransport(t, c)
	rep = newReports()
	err := tr.Deliver(context.Background(), messages(t, 1), rep.report)
	var ce *ConnectError
	if !errors.As(err, &ce) || ce.Stage != "auth" {
		t.Fatalf("error %v, want a ConnectError at stage auth", err)
	}
	if !strings.Contains(err.Error(), `smtp auth as "followup"`) || !strings.Contains(err.Error(), "535") {
		t.Errorf("error %q does not say who failed and how", err)
	}
	if rep.len() != 0 {
		t.Errorf("%d reports after a failed AUTH", rep.len())
	}
}

func TestSMTPStartTLSWithAuth(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	srv := newTestServer(t, serverOpts{tlsConfig: serverTLS, user: "followup", pass: "s3cret"})
	c := srv.smtpConfig()
	c.TLS = "starttls"
	c.Username, c.Password = "followup", "s3cret"
	tr := newTransport(t, c, WithTLSConfig(clientTLS))
	rep := newReports()
	if err := tr.Deliver(context.Background(), messages(t, 1), rep.report); err != nil {
		t.Fatal(err)
	}
	wantResult(t, rep, 0, Sent, 250)
	got := srv.messages()
	if len(got) != 1 || !got[0].TLS || got[0].User != "followup" {
		t.Fatalf("received %+v, want one message over TLS from user followup", got)
	}

	// Without trusting the certificate, the session fails at TLS.
	tr = newTransport(t, c)
	err := tr.Deliver(context.Background(), messages(t, 1), newReports().report)
	var ce *ConnectError
	if !errors.As(err, &ce) || ce.Stage != "tls" {
		t.Fatalf("error %v, want a ConnectError at stage tls", err)
	}
}

func TestSMTPImplicitTLSWithAuth(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	srv := newTestServer(t, serverOpts{tlsConfig: serverTLS, implicitTLS: true, user: "followup", pass: "s3cret"})
	c := srv.smtpConfig()
	c.TLS = "tls"
	c.Username, c.Password = "followup", "s3cret"
	tr := newTransport(t, c, WithTLSConfig(clientTLS))
	rep := newReports()
	if err := tr.Deliver(context.Background(), messages(t, 2), rep.report); err != nil {
		t.Fatal(err)
	}
	wantResult(t, rep, 0, Sent, 250)
	wantResult(t, rep, 1, Sent, 250)
	got := srv.messages()
	if len(got) != 2 || !got[0].TLS || got[0].User != "followup" {
		t.Fatalf("received %+v, want messages over TLS from user followup", got)
	}
}

func TestSMTPInvalidMessageIsPermanent(t *testing.T) {
	srv := newTestServer(t, serverOpts{})
	tr := newTransport(t, srv.smtpConfig())
	bad := testMessage(t, 1)
	bad.To = []string{"x@example.org>\r\nRCPT TO:<evil@example.org"}
	rep := newReports()
	if err := tr.Deliver(context.Background(), []Message{bad, testMessage(t, 2)}, rep.report); err != nil {
		t.Fatal(err)
	}
	wantResult(t, rep, 0, Permanent, 0)
	wantResult(t, rep, 1, Sent, 250)
	if got := srv.messages(); len(got) != 1 || fmt.Sprint(got[0].To) != "[fp@mps.example.gov.la]" {
		t.Fatalf("received %+v", got)
	}
}

func TestNewSMTPConfig(t *testing.T) {
	bad := []struct {
		c    config.SMTP
		want string
	}{
		{config.SMTP{Port: 25}, "host is required"},
		{config.SMTP{Host: "relay.example.org", TLS: "ssl"}, `unknown tls mode "ssl"`},
		{config.SMTP{Host: "relay.example.org", Username: "u"}, "password is empty"},
		{config.SMTP{Host: "relay.example.org", Password: "p"}, "no username"},
		{config.SMTP{Host: "relay.example.org", Port: 70000}, "invalid port"},
	}
	for _, tc := range bad {
		_, err := NewSMTP(tc.c, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewSMTP(%+v): %v, want %q", tc.c, err, tc.want)
		}
	}
	for tlsMode, port := range map[string]int{"": 587, "starttls": 587, "tls": 465, "none": 25, "opportunistic": 25} {
		tr, err := NewSMTP(config.SMTP{Host: "relay.example.org", TLS: tlsMode}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("smtp relay.example.org:%d", port); tr.Name() != want {
			t.Errorf("tls %q: %s, want %s", tlsMode, tr.Name(), want)
		}
	}
}

func BenchmarkSMTPDeliver(b *testing.B) {
	srv := newTestServer(b, serverOpts{})
	tr := newTransport(b, srv.smtpConfig())
	const n = 1000
	msgs := make([]Message, n)
	base := testMessage(b, 1)
	for i := range msgs {
		msgs[i] = base
		msgs[i].Key = fmt.Sprintf("bench:%d", i)
	}
	if l := len(base.Raw); l < 1500 || l > 3000 {
		b.Fatalf("message is %d bytes, want about 2 KB", l)
	}
	// Keep the server from holding 1000 messages per iteration in memory.
	srv.set(func(s *testServer) {
		s.onData = func(_ int, d *dataCall) error {
			_, err := io.Copy(io.Discard, d.r)
			return err
		}
	})
	b.ReportAllocs()
	for b.Loop() {
		sent := 0
		err := tr.Deliver(context.Background(), msgs, func(_ int, r Result) {
			if r.Outcome == Sent {
				sent++
			}
		})
		if err != nil || sent != n {
			b.Fatalf("sent %d of %d: %v", sent, n, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// go-mail sends a PLAIN password in clear text only to localhost. A relay
// elsewhere that offers only PLAIN over an unencrypted connection gets no
// password, and the error says why. 127.0.0.2 is loopback on Linux but not
// "localhost" to go-mail.
func TestSMTPNoPlaintextPasswordToRemoteHost(t *testing.T) {
	if ln, err := net.Listen("tcp", "127.0.0.2:0"); err != nil {
		t.Skipf("127.0.0.2 is not a loopback address here: %v", err)
	} else {
		ln.Close()
	}
	srv := newTestServer(t, serverOpts{user: "followup", pass: "s3cret", listen: "127.0.0.2"})
	for _, mode := range []string{"none", "opportunistic"} {
		c := srv.smtpConfig()
		c.TLS = mode
		c.Username, c.Password = "followup", "s3cret"
		tr := newTransport(t, c)
		err := tr.Deliver(context.Background(), messages(t, 1), newReports().report)
		var ce *ConnectError
		if !errors.As(err, &ce) || ce.Stage != "auth" || !strings.Contains(err.Error(), "not encrypted") {
			t.Errorf("tls %s: %v, want an auth error about the unencrypted connection", mode, err)
		}
	}
	if len(srv.messages()) != 0 {
		t.Error("a message went out")
	}
}

func TestSMTPConcurrentBatches(t *testing.T) {
	srv := newTestServer(t, serverOpts{})
	tr := newTransport(t, srv.smtpConfig())
	errs := make(chan error, 2)
	msgs := messages(t, 3)
	for range 2 {
		go func() {
			sent := 0
			err := tr.Deliver(context.Background(), msgs, func(_ int, r Result) {
				if r.Outcome == Sent {
					sent++
				}
			})
			if err == nil && sent != 3 {
				err = fmt.Errorf("sent %d of 3", sent)
			}
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := len(srv.messages()); n != 6 {
		t.Errorf("server received %d messages, want 6", n)
	}
	if n := srv.connections(); n != 2 {
		t.Errorf("%d connections, want one per batch", n)
	}
}

// The message data goes through SMTP's dot-stuffing by hand for CRLF
// messages (see session.data): every shape of dotted line must arrive as
// it was sent, whichever path it takes.
func TestSMTPDotStuffing(t *testing.T) {
	header := "From: a@example.org\r\nTo: b@example.org\r\nSubject: dots\r\n\r\n"
	cases := []struct {
		name, raw, want string
	}{
		{"lone dot line", header + "one\r\n.\r\ntwo\r\n", ""},
		{"dotted lines", header + "..\r\n.x\r\n...y\r\n.\r\n", ""},
		{"last line a dot", header + "end\r\n.", header + "end\r\n.\r\n"},
		{"no final line break", header + "end", header + "end\r\n"},
		{"starts with a dot", ".X-Odd: 1\r\n" + header + "body\r\n", ""},
		{"dot then CRLF dot", header + "a\r\n.\r\n.\r\n", ""},
		{"bare line feeds", "From: a@example.org\nSubject: lf\n\n.\n..\nend\n",
			"From: a@example.org\r\nSubject: lf\r\n\r\n.\r\n..\r\nend\r\n"},
	}
	srv := newTestServer(t, serverOpts{})
	tr := newTransport(t, srv.smtpConfig())
	msgs := make([]Message, len(cases))
	for i, c := range cases {
		msgs[i] = Message{ID: int64(i + 1), Key: c.name, From: "a@example.org", To: []string{"b@example.org"}, Raw: []byte(c.raw)}
	}
	rep := newReports()
	if err := tr.Deliver(context.Background(), msgs, rep.report); err != nil {
		t.Fatal(err)
	}
	got := srv.messages()
	if len(got) != len(cases) {
		t.Fatalf("server received %d messages, want %d", len(got), len(cases))
	}
	for i, c := range cases {
		wantResult(t, rep, i, Sent, 250)
		want := c.want
		if want == "" {
			want = c.raw
		}
		if string(got[i].Raw) != want {
			t.Errorf("%s: received %q, want %q", c.name, got[i].Raw, want)
		}
	}
}
