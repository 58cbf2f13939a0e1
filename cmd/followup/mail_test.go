package main

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/internal/oauthtest"
	"github.com/followup-app/followup/internal/smtptest"
)

const (
	oauthMailbox = "followup@ncmc.example.org"
	oauthClient  = "8f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
	oauthSecret  = "Abc~s3cret-Value-0123456789"
)

// oauthSMTP is the mail.smtp section for a relay on 127.0.0.1:PORT that
// takes XOAUTH2, with a Microsoft token from TOKEN_URL.
const oauthSMTP = `  smtp:
    host: HOST
    port: PORT
    tls: TLS
    timeout: 5s
    username: followup@ncmc.example.org
    oauth2:
      provider: microsoft
      tenant: contoso.onmicrosoft.com
      client_id: 8f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b
      client_secret_file: client-secret
      token_url: TOKEN_URL
`

// oauthSetup starts a token endpoint (on the real clock: the daemon's
// transport measures expiry on it) and an SMTP server that takes its
// tokens only, and writes the client secret (0600).
func oauthSetup(t *testing.T, dir string) (*oauthtest.Endpoint, *smtptest.Server) {
	t.Helper()
	ep := oauthtest.Start(t, oauthClient, oauthSecret, config.MicrosoftScope, time.Hour, time.Now)
	srv := smtptest.Start(t)
	srv.RequireXOAUTH2(ep.Valid)
	if err := os.WriteFile(filepath.Join(dir, "client-secret"), []byte(oauthSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return ep, srv
}

func oauthSection(host string, port int, tls, tokenURL string) string {
	return strings.NewReplacer("HOST", host, "PORT", strconv.Itoa(port), "TLS", tls, "TOKEN_URL", tokenURL).Replace(oauthSMTP)
}

// TestMailTest: followup mail test sends one message, signed in with a
// token, and says so; each way it can fail is one line on stderr that
// names the class (DNS, connection, TLS, token, authentication, relay),
// exit status 1, and neither the secret nor the token shows.
func TestMailTest(t *testing.T) {
	c := newCLI(t)
	ep, srv := oauthSetup(t, c.dir)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	write := func(smtp string) string {
		return c.write("followup.yaml", []byte("mail:\n  from: Followup <followup@ncmc.example.org>\n  transport: smtp\n"+smtp))
	}

	cfg := write(oauthSection("127.0.0.1", srv.Port, "none", ep.URL))
	out := c.mustRun("mail", "test", "--config", cfg, "--to", "fp@moj.example.gov.la")
	if !strings.HasPrefix(out, "sent a test message to fp@moj.example.gov.la through 127.0.0.1:"+strconv.Itoa(srv.Port)+
		", signed in as followup@ncmc.example.org with an OAuth 2.0 token (microsoft)") {
		t.Errorf("stdout = %q", out)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].User != oauthMailbox || !ep.Valid(oauthMailbox, got[0].Token) || got[0].Subject != "followup: test message" ||
		len(got[0].To) != 1 || got[0].To[0] != "fp@moj.example.gov.la" {
		t.Fatalf("received %+v", got)
	}

	refuseRelay := false
	srv.SetHook(func(call smtptest.Call) error {
		if refuseRelay && call.Cmd == "MAIL" {
			return smtptest.Reply(550, "5.7.60 SMTP; Client does not have permissions to send as this sender")
		}
		return nil
	})
	for _, tc := range []struct {
		class string
		smtp  string
		setup func()
		want  string
	}{
		{"DNS", oauthSection("relay.nonexistent.invalid", 587, "starttls", ep.URL), nil, "relay.nonexistent.invalid"},
		{"connection", oauthSection("127.0.0.1", closedPort, "none", ep.URL), nil, "connection refused"},
		{"TLS", oauthSection("127.0.0.1", srv.Port, "tls", ep.URL), nil, `for STARTTLS (port 587) set mail.smtp.tls to "starttls"`},
		{"TLS", oauthSection("127.0.0.1", srv.Port, "starttls", ep.URL), nil, "does not offer STARTTLS"},
		{"token", oauthSection("127.0.0.1", srv.Port, "none", ep.URL), func() { ep.SetSecret("rotated") },
			"refused: invalid_client: AADSTS7000215: Invalid client secret provided."},
		{"authentication", oauthSection("127.0.0.1", srv.Port, "none", ep.URL), func() {
			ep.SetSecret(oauthSecret)
			srv.RequireXOAUTH2(func(string, string) bool { return false })
		}, "SMTP.SendAsApp"},
		{"relay", oauthSection("127.0.0.1", srv.Port, "none", ep.URL), func() {
			srv.RequireXOAUTH2(ep.Valid)
			refuseRelay = true
		}, "550"},
	} {
		if tc.setup != nil {
			tc.setup()
		}
		cfg := write(tc.smtp)
		out, errs, code := c.run("mail", "test", "--config", cfg, "--to", "fp@moj.example.gov.la")
		lines := strings.Split(strings.TrimRight(errs, "\n"), "\n")
		if code != 1 || out != "" || len(lines) != 1 || !strings.HasPrefix(errs, "followup mail: "+tc.class+": ") || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr:\n%s\nwant one line starting with %q and holding %q", tc.class, code, out, errs, "followup mail: "+tc.class+": ", tc.want)
		}
		if strings.Contains(errs, oauthSecret) || strings.Contains(errs, "access-token-") {
			t.Errorf("%s: stderr shows a secret: %s", tc.class, errs)
		}
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("the relay holds %d messages, want the first test's only", n)
	}

	// Usage mistakes.
	if _, errs, code := c.run("mail", "test", "--config", cfg); code != 2 || !strings.Contains(errs, "--to ADDR is required") {
		t.Errorf("without --to: exit %d, %s", code, errs)
	}
	if _, errs, code := c.run("mail", "test", "--config", cfg, "--to", "Focal Point <fp@x.org>"); code != 2 || !strings.Contains(errs, "expected an e-mail address") {
		t.Errorf("--to with a name: exit %d, %s", code, errs)
	}
}

// TestMailTestFileTransport: with the file transport the test message is
// written where the daemon writes mail, and the output says nothing was
// sent.
func TestMailTestFileTransport(t *testing.T) {
	c := newCLI(t)
	cfg := c.write("followup.yaml", []byte("mail:\n  transport: file\n  dir: out\n"))
	out := c.mustRun("mail", "test", "--config", cfg, "--to", "fp@moj.example.gov.la")
	if !strings.Contains(out, "(mail.transport is file: nothing is sent)") {
		t.Errorf("stdout = %q", out)
	}
	if entries, _ := os.ReadDir(filepath.Join(c.dir, "out")); len(entries) != 1 {
		t.Errorf("%d files in the mail folder, want the test message", len(entries))
	}
}

// TestDaemonOAuth2WrongSecret: the daemon with a secret the endpoint
// refuses sends nothing, says why in one log line without the secret, and
// keeps every message waiting (none sent, none failed); once the secret is
// right, they go out, signed in with a token.
func TestDaemonOAuth2WrongSecret(t *testing.T) {
	dir := t.TempDir()
	ep, srv := oauthSetup(t, dir)
	ep.SetSecret("rotated-in-entra")
	cfgPath := writeFaultConfig(t, dir, srv.Port)
	setConfig(t, cfgPath, "  smtp: {host: 127.0.0.1, port: "+strconv.Itoa(srv.Port)+", tls: none, timeout: 2s}\n",
		oauthSection("127.0.0.1", srv.Port, "none", ep.URL))
	fc := clockwork.NewFakeClockAt(faultStart())
	td := startDaemon(t, cfgPath, fc, nil)
	st := outboxStatuses(t, dir)
	if len(st) == 0 || countStatus(st, "pending") != len(st) {
		t.Fatalf("statuses after a refused token: %v, want all pending", st)
	}
	logs := td.logs.String()
	if !strings.Contains(logs, "refused: invalid_client: AADSTS7000215") || strings.Contains(logs, oauthSecret) || strings.Contains(logs, "rotated-in-entra") {
		t.Errorf("the log does not say why, or shows the secret:\n%s", logs)
	}
	if srv.Sessions() != 0 {
		t.Errorf("%d SMTP sessions without a token", srv.Sessions())
	}

	ep.SetSecret(oauthSecret)
	for i := 1; i <= 5 && countStatus(outboxStatuses(t, dir), "sent") != len(st); i++ {
		td.advanceTo(faultStart().Add(time.Duration(i) * time.Minute))
	}
	st = outboxStatuses(t, dir)
	if countStatus(st, "sent") != len(st) {
		t.Fatalf("statuses once the secret is right: %v\n%s", st, td.logs)
	}
	for _, m := range srv.Messages() {
		if m.User != oauthMailbox || m.Token == "" {
			t.Errorf("message %s not signed in with a token (%q)", m.MessageID, m.User)
		}
	}
	if strings.Contains(td.logs.String(), "access-token-") {
		t.Errorf("the log shows a token")
	}
}
