package notify

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/internal/oauthtest"
	"github.com/followup-app/followup/internal/smtptest"
)

const (
	mailbox      = "followup@ncmc.example.org"
	clientID     = "8f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
	clientSecret = "Abc~s3cret-Value-0123456789"
)

// xoauth2Relay is a real SMTP server that takes XOAUTH2 only, with a
// token from a real token endpoint, both on the test's clock; cfg signs in
// to it as the mailbox with the Microsoft provider (the endpoint's address
// in token_url).
type xoauth2Relay struct {
	srv   *smtptest.Server
	ep    *oauthtest.Endpoint
	clock *clockwork.FakeClock
	cfg   config.SMTP
	log   *bytes.Buffer
}

func newXOAUTH2Relay(t *testing.T) *xoauth2Relay {
	t.Helper()
	clock := clockwork.NewFakeClockAt(time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC))
	ep := oauthtest.Start(t, clientID, clientSecret, config.MicrosoftScope, time.Hour, clock.Now)
	srv := smtptest.Start(t)
	srv.RequireXOAUTH2(ep.Valid)
	cfg := srv.Config()
	cfg.Username = mailbox
	cfg.OAuth2 = &config.OAuth2{Provider: config.ProviderMicrosoft, Tenant: "contoso.onmicrosoft.com", ClientID: clientID,
		ClientSecret: clientSecret, ClientSecretFile: "/etc/followup/client-secret", TokenURL: ep.URL, Scopes: []string{config.MicrosoftScope}}
	return &xoauth2Relay{srv: srv, ep: ep, clock: clock, cfg: cfg, log: &bytes.Buffer{}}
}

func (r *xoauth2Relay) transport(t *testing.T) *SMTPTransport {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(r.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tr, err := NewSMTP(r.cfg, logger, WithClock(r.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// deliver sends msgs in one batch and returns what was reported.
func (r *xoauth2Relay) deliver(t *testing.T, tr *SMTPTransport, msgs []Message) (*reports, error) {
	t.Helper()
	rep := &reports{m: map[int]Result{}}
	err := tr.Deliver(context.Background(), msgs, rep.report)
	return rep, err
}

// noSecrets fails when the client secret or an access token shows in
// what the program wrote.
func noSecrets(t *testing.T, what, text string) {
	t.Helper()
	if strings.Contains(text, clientSecret) || strings.Contains(text, "access-token-") {
		t.Errorf("%s shows a secret or a token:\n%s", what, text)
	}
}

// TestXOAUTH2FreshToken: the first batch asks the endpoint for a token and
// signs in with it as the mailbox; the next batch, within the token's
// life, uses the same token without asking again.
func TestXOAUTH2FreshToken(t *testing.T) {
	r := newXOAUTH2Relay(t)
	tr := r.transport(t)
	rep, err := r.deliver(t, tr, messages(t, 2))
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, rep, 0, Sent, 250)
	wantResult(t, rep, 1, Sent, 250)
	got := r.srv.Messages()
	if len(got) != 2 || got[0].User != mailbox || got[0].Token != "access-token-1" {
		t.Fatalf("received %d messages, the first signed in as %q with %q", len(got), got[0].User, got[0].Token)
	}
	r.clock.Advance(30 * time.Minute)
	if rep, err := r.deliver(t, tr, messages(t, 1)); err != nil || rep.len() != 1 {
		t.Fatalf("second batch: %v", err)
	}
	if n := r.ep.Requests(); n != 1 {
		t.Errorf("%d token requests for two batches within the token's life, want 1", n)
	}
	noSecrets(t, "the log", r.log.String())
}

// TestXOAUTH2ExpiredTokenRefreshed: a token about to expire is replaced
// before the batch signs in, so no message fails for it.
func TestXOAUTH2ExpiredTokenRefreshed(t *testing.T) {
	r := newXOAUTH2Relay(t)
	tr := r.transport(t)
	if _, err := r.deliver(t, tr, messages(t, 1)); err != nil {
		t.Fatal(err)
	}
	// 57 minutes on, the token has 3 minutes left: too little for a batch.
	r.clock.Advance(57 * time.Minute)
	rep, err := r.deliver(t, tr, messages(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, rep, 0, Sent, 250)
	// An hour on, the first token has expired and the relay refuses it.
	r.clock.Advance(time.Hour)
	rep, err = r.deliver(t, tr, messages(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, rep, 0, Sent, 250)
	got := r.srv.Messages()
	if len(got) != 3 || got[1].Token != "access-token-2" || got[2].Token != "access-token-3" {
		t.Errorf("tokens used: %v", []string{got[0].Token, got[1].Token, got[2].Token})
	}
	if n := r.ep.Requests(); n != 3 {
		t.Errorf("%d token requests, want 3", n)
	}
}

// TestXOAUTH2WrongSecret: a secret the endpoint refuses stops the batch
// before any message is tried, with one line that says what to check and
// never shows the secret; once the secret is right, mail goes.
func TestXOAUTH2WrongSecret(t *testing.T) {
	r := newXOAUTH2Relay(t)
	r.ep.SetSecret("the-new-secret")
	tr := r.transport(t)
	rep, err := r.deliver(t, tr, messages(t, 2))
	var ce *ConnectError
	if !errors.As(err, &ce) || ce.Stage != "token" {
		t.Fatalf("err = %v, want a token ConnectError", err)
	}
	msg := err.Error()
	want := "oauth2 token from " + r.ep.URL + ": refused: invalid_client: AADSTS7000215: Invalid client secret provided."
	if !strings.HasPrefix(msg, want) || strings.ContainsAny(msg, "\r\n") || !strings.Contains(msg, "client_secret_file") {
		t.Errorf("error:\n%s\nwant one line starting with\n%s", msg, want)
	}
	wantUnreported(t, rep, 0, 2)
	if r.srv.Sessions() != 0 {
		t.Errorf("%d SMTP sessions without a token", r.srv.Sessions())
	}
	noSecrets(t, "the error", msg)
	noSecrets(t, "the log", r.log.String())

	r.ep.SetSecret(clientSecret)
	if rep, err := r.deliver(t, tr, messages(t, 1)); err != nil || rep.len() != 1 {
		t.Fatalf("with the right secret: %v", err)
	}
}

// TestXOAUTH2RelayRefusesToken: a token the relay refuses (a permission
// taken away) is an authentication failure that names what to check; the
// token is dropped, so the next batch asks for a new one.
func TestXOAUTH2RelayRefusesToken(t *testing.T) {
	r := newXOAUTH2Relay(t)
	var refuse atomic.Bool
	refuse.Store(true)
	r.srv.RequireXOAUTH2(func(user, token string) bool { return !refuse.Load() && r.ep.Valid(user, token) })
	tr := r.transport(t)
	rep, err := r.deliver(t, tr, messages(t, 1))
	var ce *ConnectError
	if !errors.As(err, &ce) || ce.Stage != "auth" || !strings.Contains(err.Error(), "535") || !strings.Contains(err.Error(), "Authentication unsuccessful") || !strings.Contains(err.Error(), "SMTP.SendAsApp") {
		t.Fatalf("err = %v, want an auth ConnectError naming SMTP.SendAsApp", err)
	}
	wantUnreported(t, rep, 0, 1)
	noSecrets(t, "the error", err.Error())
	refuse.Store(false)
	if rep, err := r.deliver(t, tr, messages(t, 1)); err != nil || rep.len() != 1 {
		t.Fatalf("after the permission came back: %v", err)
	}
	if n := r.ep.Requests(); n != 2 {
		t.Errorf("%d token requests, want 2 (the refused token dropped)", n)
	}
	noSecrets(t, "the log", r.log.String())
}

// TestXOAUTH2GoogleServiceAccount: with provider google the service
// account signs a request to act for the mailbox (domain-wide
// delegation), and the token it gets signs in as the mailbox.
func TestXOAUTH2GoogleServiceAccount(t *testing.T) {
	r := newXOAUTH2Relay(t)
	ep := oauthtest.Start(t, "", "", config.GoogleScope, time.Hour, r.clock.Now)
	key := ep.ServiceAccount(t, "followup@project.iam.gserviceaccount.com")
	r.srv.RequireXOAUTH2(ep.Valid)
	r.cfg.OAuth2 = &config.OAuth2{Provider: config.ProviderGoogle, ServiceAccountFile: "/etc/followup/sa.json",
		ServiceAccountKey: config.Secret(key), Scopes: []string{config.GoogleScope}}
	tr := r.transport(t)
	rep, err := r.deliver(t, tr, messages(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, rep, 0, Sent, 250)
	if got := r.srv.Messages(); len(got) != 1 || got[0].User != mailbox || !ep.Valid(mailbox, got[0].Token) {
		t.Errorf("received %+v", got)
	}
	if strings.Contains(r.log.String(), "PRIVATE KEY") {
		t.Errorf("the log shows the key:\n%s", r.log.String())
	}
}

// TestXOAUTH2NeverInClear: a token is not sent over an unencrypted
// connection to another machine, and needs the mailbox's address.
func TestXOAUTH2NeverInClear(t *testing.T) {
	o := &config.OAuth2{Provider: config.ProviderGeneric, ClientID: "x", ClientSecret: "y", TokenURL: "https://idp.example.org/token"}
	for _, tc := range []struct {
		c    config.SMTP
		want string
	}{
		{config.SMTP{Host: "relay.example.org", TLS: "none", Username: mailbox, OAuth2: o}, "must be encrypted"},
		{config.SMTP{Host: "relay.example.org", TLS: "opportunistic", Username: mailbox, OAuth2: o}, "must be encrypted"},
		{config.SMTP{Host: "relay.example.org", Username: "", OAuth2: o}, "needs a username"},
		{config.SMTP{Host: "relay.example.org", Username: mailbox, Password: "p", OAuth2: o}, "not both"},
		{config.SMTP{Host: "relay.example.org", Username: mailbox, OAuth2: &config.OAuth2{Provider: "google", ServiceAccountKey: "{"}}, "cannot be used"},
	} {
		if _, err := NewSMTP(tc.c, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want %q", tc.c, err, tc.want)
		}
	}
	if _, err := NewSMTP(config.SMTP{Host: "relay.example.org", Username: mailbox, OAuth2: o}, nil); err != nil {
		t.Errorf("STARTTLS: %v", err)
	}
}

// TestXOAUTH2EndpointUnreachable: a token endpoint that cannot be reached
// is a token failure that says so, once, with the address.
func TestXOAUTH2EndpointUnreachable(t *testing.T) {
	r := newXOAUTH2Relay(t)
	r.cfg.OAuth2.TokenURL = "http://127.0.0.1:1/token"
	_, err := r.deliver(t, r.transport(t), messages(t, 1))
	var ce *ConnectError
	if !errors.As(err, &ce) || ce.Class() != "token" ||
		err.Error() != "oauth2 token from http://127.0.0.1:1/token: cannot reach it: dial tcp 127.0.0.1:1: connect: connection refused" {
		t.Errorf("err = %v", err)
	}
}
