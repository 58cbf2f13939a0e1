// Package notify composes reminders and digests and delivers them.
//
// A message is rendered once (Compose), stored as raw RFC 5322 bytes in the
// outbox, and later handed to a Transport in batches. Transports send the
// stored bytes unchanged, so a retry carries the same Message-ID, Date and
// MIME boundaries, and they classify every attempt precisely: a message is
// resent only when it certainly did not arrive.
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/followup-app/followup/config"
)

// Message is one stored message to deliver.
type Message struct {
	ID        int64  // outbox row id; opaque to the transport
	Key       string // idempotency key, unique per message, e.g. "reminder:mps:2027-01-04T01:00:00Z"
	MessageID string // without angle brackets
	From      string // envelope sender, bare address
	To        []string
	Raw       []byte // the message as Compose produced it
}

// Outcome classifies one delivery attempt.
type Outcome int

const (
	// Sent: the server accepted the message (250 after the final dot).
	Sent Outcome = iota + 1
	// Temporary: the message was certainly not accepted and may be retried
	// later (4xx reply, or the connection failed before the final dot).
	Temporary
	// Permanent: the server refused the message (5xx) or the message is
	// invalid; retrying will not help.
	Permanent
	// Uncertain: the whole message was sent but no reply came. The server
	// may have queued it, so resending risks a duplicate: do not retry
	// without a human decision.
	Uncertain
)

// String returns "sent", "temporary", "permanent" or "uncertain".
func (o Outcome) String() string {
	switch o {
	case Sent:
		return "sent"
	case Temporary:
		return "temporary"
	case Permanent:
		return "permanent"
	case Uncertain:
		return "uncertain"
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

// Result is the outcome of one message.
type Result struct {
	Outcome  Outcome
	Code     int    // SMTP reply code, or 0 when there was none
	Response string // the server's reply text on success, e.g. "2.0.0 OK: queued as 4Xb3"
	Err      error  // why, when not Sent
	// Refused lists the recipients the server refused while it accepted
	// others: the message went to those (Outcome Sent), and each refused
	// address failed on its own. Empty when every recipient was accepted,
	// and when none was (then the whole message takes the refusal's
	// outcome).
	Refused []Refusal
}

// Refusal is one recipient the server refused.
type Refusal struct {
	Addr    string
	Outcome Outcome // Temporary (4xx) or Permanent (5xx)
	Code    int
	Err     error
}

// Transport delivers stored messages.
type Transport interface {
	// Deliver sends msgs in order over ONE connection and calls
	// report(i, r) for each message as soon as its outcome is known (so the
	// caller can record it immediately: a crash right after must not resend
	// a delivered message). It checks ctx between messages, never in the
	// middle of one: messages it did not attempt get no report. A returned
	// error means the batch stopped early (e.g. dial failure or connection
	// lost); every message not yet reported is then to be treated by the
	// caller as not attempted.
	Deliver(ctx context.Context, msgs []Message, report func(i int, r Result)) error
	// Name identifies the transport in logs, e.g. "smtp mail.example.org:587".
	Name() string
}

// TransportFor builds the transport the config names: SMTP to the relay,
// or .eml files in mail.dir.
func TransportFor(cfg *config.Config, logger *slog.Logger) (Transport, error) {
	if cfg.Mail.Transport == "smtp" {
		return NewSMTP(cfg.Mail.SMTP, logger)
	}
	return NewFile(cfg.Mail.Dir)
}

// jitter is the relative spread of Backoff: ±20%.
const jitter = 0.2

// Backoff is how long to wait before retry number attempt (1 for the first
// retry) after a temporary failure: r.Initial doubled for each further
// attempt, capped at r.Max, spread by ±20% with rand01 (a number in [0,1),
// injected so tests are deterministic; nil means no jitter). The spread keeps
// messages that failed together from retrying in lockstep against a relay
// that is rate-limiting us. The result never exceeds r.Max.
func Backoff(attempt int, r config.Retry, rand01 func() float64) time.Duration {
	if r.Initial <= 0 {
		return 0
	}
	if attempt < 1 {
		attempt = 1
	}
	limit := r.Max
	if limit <= 0 {
		limit = time.Duration(math.MaxInt64)
	}
	// Float arithmetic cannot overflow the way Initial<<attempt would.
	d := float64(r.Initial) * math.Pow(2, float64(attempt-1))
	if d > float64(limit) {
		d = float64(limit)
	}
	if rand01 != nil {
		d *= 1 - jitter + 2*jitter*rand01()
	}
	if d >= float64(limit) {
		return limit
	}
	return time.Duration(d)
}
