// Package delivery hands the outbox to a mail transport: it claims what is
// due, gives each batch to the transport over one connection and records
// every message's outcome as soon as it is known, so that a crash right
// after a message left never sends it again. Courier is the daemon's side
// of it: it backs off while the relay is unreachable and records the
// state of delivery that `followup status`, /metrics and the dashboard
// read.
//
// What a message says is notify's business (it renders and speaks SMTP);
// when it is due is scheduler's. This package sits between the outbox in
// store and notify's transports, which cannot import store themselves.
package delivery

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/store"
)

// RecordError means outcomes of a delivery were known but could not be
// written (a full disk, a database gone read-only). Delivery stopped at
// once; Retry writes what is still unwritten.
type RecordError struct {
	Err     error
	pending []func(context.Context) error
}

func (e *RecordError) Error() string { return "record delivery outcomes: " + e.Err.Error() }
func (e *RecordError) Unwrap() error { return e.Err }

// Retry writes the outcomes still unwritten, in order, and stops at the
// first that fails again.
func (e *RecordError) Retry(ctx context.Context) error {
	for len(e.pending) > 0 {
		if err := e.pending[0](ctx); err != nil {
			e.Err = err
			return e
		}
		e.pending = e.pending[1:]
	}
	return nil
}

// Batch hands one claimed batch to the transport and records each
// outcome; messages the transport did not attempt go back to pending. The
// records are written even while the daemon stops: an outcome known and
// lost would mean a message sent twice. When an outcome cannot be written
// the batch stops at once and a *RecordError keeps what is unwritten.
// When no session with the relay could be had at all, every waiting
// message counts an attempt (store.RetryWaiting).
//
// observe, when not nil, is told each outcome as soon as it is recorded:
// the Courier keeps the relay's replies, and the daemon's heartbeat knows
// that delivery makes progress.
func Batch(ctx context.Context, db *store.DB, tr notify.Transport, batch []store.OutboxMessage, retry config.Retry,
	now func() time.Time, logger *slog.Logger, observe func(notify.Result)) (int, error) {
	msgs := make([]notify.Message, len(batch))
	for i, m := range batch {
		msgs[i] = notify.Message{ID: m.ID, Key: m.Key, MessageID: m.MessageID, From: m.From, To: m.To, Raw: m.Raw}
	}
	keep := context.WithoutCancel(ctx)
	// Cancelled when an outcome cannot be recorded: the transport checks
	// it before each message.
	tctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make([]bool, len(batch))
	reported := false
	sent := 0
	rec := &RecordError{}
	record := func(op func(context.Context) error) {
		if len(rec.pending) > 0 {
			rec.pending = append(rec.pending, op)
			return
		}
		if err := op(keep); err != nil {
			rec.Err = err
			rec.pending = append(rec.pending, op)
			stop()
		}
	}
	err := tr.Deliver(tctx, msgs, func(i int, r notify.Result) {
		done[i], reported = true, true
		m := batch[i]
		switch r.Outcome {
		case notify.Sent:
			sent++
			if len(r.Refused) == 0 {
				record(func(ctx context.Context) error { return db.MarkSent(ctx, m.ID, r.Response) })
				break
			}
			// Some recipients refused: the others got it. An address
			// refused for good failed alone, and is reported like a failed
			// message; one refused for now (4xx) gets the message again
			// later, in a message of its own.
			refused := make([]store.RecipientFailure, len(r.Refused))
			for i, f := range r.Refused {
				temporary := f.Outcome == notify.Temporary
				refused[i] = store.RecipientFailure{Address: f.Addr, Code: f.Code, Error: f.Err.Error(), Temporary: temporary}
				if temporary {
					logger.Warn("recipient refused for now; the others got the message, this one gets it later", "key", m.Key,
						"recipient", f.Addr, "err", f.Err)
					continue
				}
				logger.Error("recipient refused; the others got the message", "key", m.Key, "recipient", f.Addr,
					"outcome", f.Outcome.String(), "err", f.Err)
			}
			again := now().Add(notify.Backoff(1, retry, rand.Float64))
			record(func(ctx context.Context) error { return db.MarkSentExcept(ctx, m.ID, r.Response, refused, again) })
		case notify.Temporary:
			next := now().Add(notify.Backoff(m.Attempts+1, retry, rand.Float64))
			record(func(ctx context.Context) error { return db.MarkRetry(ctx, m.ID, errText(r), next, retry.MaxAttempts) })
			logger.Warn("temporary delivery failure", "key", m.Key, "attempt", m.Attempts+1, "err", errText(r), "next", next)
		case notify.Permanent:
			record(func(ctx context.Context) error { return db.MarkFailed(ctx, m.ID, errText(r)) })
			logger.Error("delivery failed", "key", m.Key, "err", errText(r))
		case notify.Uncertain:
			record(func(ctx context.Context) error { return db.MarkUncertain(ctx, m.ID, errText(r)) })
			logger.Error("delivery uncertain: the server may have the message; it is not sent again", "key", m.Key, "err", errText(r))
		}
		if observe != nil {
			observe(r)
		}
	})
	var rest []int64
	for i, ok := range done {
		if !ok {
			rest = append(rest, batch[i].ID)
		}
	}
	if err != nil && !reported && ctx.Err() == nil && len(rec.pending) == 0 {
		// No session at all: the relay refused or never answered. Every
		// waiting message was held up by it and counts an attempt, so
		// that a relay that never works ends in failed messages the
		// coordinator's overview and followup status report, not in
		// messages pending forever.
		cause := err.Error()
		failed, rerr := db.RetryWaiting(keep, rest, cause, retry.MaxAttempts, func(n int) time.Time {
			return now().Add(notify.Backoff(n, retry, rand.Float64))
		})
		if rerr != nil {
			return 0, &RecordError{Err: rerr, pending: []func(context.Context) error{func(ctx context.Context) error {
				return db.Release(ctx, rest, now())
			}}}
		}
		if failed > 0 {
			logger.Error("messages failed: the relay could not be reached in any of their attempts", "failed", failed, "err", cause)
		}
		return 0, err
	}
	next := now()
	if err != nil && len(rec.pending) == 0 {
		// The connection broke: give the relay a moment. (Stopped for want
		// of a record, the rest go as soon as the records can be written.)
		next = next.Add(retry.Initial)
	}
	record(func(ctx context.Context) error { return db.Release(ctx, rest, next) })
	if len(rec.pending) > 0 {
		return sent, rec
	}
	return sent, err
}

func errText(r notify.Result) string {
	if r.Err == nil {
		return ""
	}
	return r.Err.Error()
}
