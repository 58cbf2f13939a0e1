package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/notify"
)

const (
	mailTestUsage = "--to ADDR"
	mailUsage     = "test " + mailTestUsage
)

func cmdMail(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 {
		return usageError("expected test")
	}
	switch args[0] {
	case "test":
		return mailTest(ctx, env, args[1:])
	case "-h", "--help", "-help":
		fs, _ := newFlags(env, "mail", mailUsage)
		fs.Usage()
		return nil
	}
	return usageError("unknown subcommand %q: expected test", args[0])
}

// mailTest sends one message through the transport the config names, as
// the daemon would, and says in one line what failed: the relay's name
// (DNS), reaching it (connection), TLS, the OAuth 2.0 token, signing in
// (authentication), or the relay refusing the message. It writes nothing
// in the database: the message is the test's own.
func mailTest(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "mail test", mailTestUsage)
	to := fs.String("to", "", "the `address` to send the test message to")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *to == "" {
		return usageError("--to ADDR is required")
	}
	if a, err := mail.ParseAddress(*to); err != nil || a.Address != strings.TrimSpace(*to) {
		return usageError("--to %q: expected an e-mail address such as focal.point@ministry.gov.la", *to)
	}
	cfg, err := loadConfig(env, g)
	if err != nil {
		return err
	}
	// The transport's own log lines say again what the one line below
	// says; they are shown only when asked for.
	logger := slog.New(slog.DiscardHandler)
	if g.logLevel == "debug" || g.logLevel == "info" {
		if logger, err = newLogger(env.stderr, g.logLevel); err != nil {
			return err
		}
	}
	msg, err := testMessage(cfg, *to, env.clock()())
	if err != nil {
		return err
	}
	// The transport the daemon would build, from the same settings.
	tr, err := notify.TransportFor(cfg, logger)
	if err != nil {
		return err
	}
	via := "the folder " + cfg.Mail.Dir + " (mail.transport is file: nothing is sent)"
	if s := cfg.Mail.SMTP; cfg.Mail.Transport == "smtp" {
		via = fmt.Sprintf("%s:%d", s.Host, s.Port)
		if s.Username != "" {
			how := "a password"
			if s.OAuth2 != nil {
				how = "an OAuth 2.0 token (" + s.OAuth2.Provider + ")"
			}
			via += fmt.Sprintf(", signed in as %s with %s", s.Username, how)
		}
	}
	var res notify.Result
	reported := false
	err = tr.Deliver(ctx, []notify.Message{msg}, func(_ int, r notify.Result) { res, reported = r, true })
	if !reported {
		if err == nil {
			err = errors.New("the transport tried nothing")
		}
		var ce *notify.ConnectError
		if errors.As(err, &ce) {
			return &exitError{1, fmt.Errorf("%s: %w%s", ce.Class(), err, classHint(ce.Class()))}
		}
		return &exitError{1, err}
	}
	switch {
	case res.Outcome == notify.Sent && len(res.Refused) > 0:
		return &exitError{1, fmt.Errorf("relay: refused the recipient: %w", res.Refused[0].Err)}
	case res.Outcome == notify.Sent:
		fmt.Fprintf(env.stdout, "sent a test message to %s through %s", *to, via)
		if res.Response != "" {
			fmt.Fprintf(env.stdout, " (the relay said: %s)", oneLine(res.Response))
		}
		fmt.Fprintln(env.stdout)
		return nil
	case res.Outcome == notify.Uncertain:
		return &exitError{1, fmt.Errorf("connection: lost after the message was sent; it may arrive: %w", res.Err)}
	}
	return &exitError{1, fmt.Errorf("relay: refused the message (%s): %w", res.Outcome, res.Err)}
}

// classHint says what to check for a failure of a class whose error does
// not say it already.
func classHint(class string) string {
	switch class {
	case "DNS":
		return " (check mail.smtp.host, and that this server can look names up)"
	case "connection":
		return " (check mail.smtp.host and port, and that the firewall lets this server reach the relay)"
	}
	return ""
}

// testMessage is the message mail test sends, from mail.from, with a
// Message-ID of its own (the time makes it unique).
func testMessage(cfg *config.Config, to string, now time.Time) (notify.Message, error) {
	from, rcpts, err := notify.EnvelopeAddrs(notify.Envelope{From: cfg.Mail.From, To: []string{to}})
	if err != nil {
		return notify.Message{}, fmt.Errorf("mail.from: %w", err)
	}
	key := fmt.Sprintf("mail-test-%d", now.UnixNano())
	env := notify.Envelope{
		From: cfg.Mail.From, To: []string{to}, Subject: "followup: test message",
		MessageID: key + "@" + from[strings.LastIndexByte(from, '@')+1:], Date: now.In(cfg.Location),
	}
	text := "This is a test message from followup (followup mail test), sent to check that\n" +
		"its mail reaches the ministries. There is nothing to do.\n"
	raw, err := notify.Compose(env, text, "")
	if err != nil {
		return notify.Message{}, err
	}
	return notify.Message{Key: key, MessageID: env.MessageID, From: from, To: rcpts, Raw: raw}, nil
}
