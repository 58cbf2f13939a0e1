package delivery

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/store"
)

// batchSize is how many messages one connection to the relay carries.
const batchSize = 100

// refusalsFailing is how many messages in a row the relay must refuse,
// none accepted between them, for delivery to be failing: one refused
// address is that address's problem; three in a row are the relay's.
const refusalsFailing = 3

// Courier is the daemon's delivery: at each heartbeat it sends what the
// outbox holds, backs off while the relay cannot be reached, stops while
// outcomes cannot be recorded, and records the state of delivery. One
// goroutine calls it (the heartbeat's); it is not safe for more.
type Courier struct {
	db     *store.DB
	now    func() time.Time
	logger *slog.Logger
	// Progress, when set, is called at each outcome recorded: delivery is
	// making progress, however long its batch takes.
	Progress func()

	failStreak int       // consecutive failed delivery batches, for backoff
	retryAt    time.Time // no delivery attempt before this (transport down)
	state      string    // delivery state last logged (store.Delivery*)
	stateErr   string    // and its error
	unrecorded *RecordError
	refused    int    // messages the relay refused in a row, none accepted since
	lastReply  string // the relay's reply to the last message it refused
}

// NewCourier makes the daemon's courier for db; now is the daemon's clock.
func NewCourier(db *store.DB, now func() time.Time, logger *slog.Logger) *Courier {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Courier{db: db, now: now, logger: logger.With("component", "delivery")}
}

// Deliver sends what the outbox holds through tr, a batch per connection,
// and records each message's outcome as soon as it is known. It returns
// how many messages were sent.
func (c *Courier) Deliver(ctx context.Context, tr notify.Transport, retry config.Retry) (int, error) {
	if c.unrecorded != nil {
		// Outcomes known but not yet written come first: until they are,
		// nothing more is sent (a message sent and not recorded as sent
		// would be sent again).
		if err := c.unrecorded.Retry(context.WithoutCancel(ctx)); err != nil {
			c.setState(ctx, store.DeliveryStopped, err.Error())
			return 0, err
		}
		c.unrecorded = nil
		c.logger.Info("delivery outcomes recorded at last; delivery resumes")
	}
	if c.now().Before(c.retryAt) {
		return 0, nil
	}
	observe := func(r notify.Result) {
		switch r.Outcome {
		case notify.Sent:
			c.refused = 0
		case notify.Temporary, notify.Permanent:
			// A reply refusing the whole message (a relay that cannot be
			// reached ends the session instead: Batch's error).
			c.refused++
			c.lastReply = errText(r)
		}
		if c.Progress != nil {
			c.Progress()
		}
	}
	sent := 0
	for ctx.Err() == nil {
		batch, err := c.db.ClaimBatch(ctx, batchSize)
		if err != nil {
			return sent, err
		}
		if len(batch) == 0 {
			// Nothing to send says nothing about the relay: the state
			// recorded stays as it is.
			return sent, nil
		}
		n, err := Batch(ctx, c.db, tr, batch, retry, c.now, c.logger, observe)
		sent += n
		var rec *RecordError
		switch {
		case errors.As(err, &rec):
			c.unrecorded = rec
			c.setState(ctx, store.DeliveryStopped, err.Error())
			return sent, err
		case err != nil && ctx.Err() == nil:
			c.failStreak++
			wait := notify.Backoff(c.failStreak, retry, rand.Float64)
			c.retryAt = c.now().Add(wait)
			c.setState(ctx, store.DeliveryFailing, err.Error())
			c.logger.Warn("delivery interrupted; will try again", "err", err, "retry_in", wait.String())
			return sent, err
		case err != nil:
			return sent, err
		}
		c.failStreak, c.retryAt = 0, time.Time{}
		if c.refused >= refusalsFailing {
			// The relay answers but takes nothing: mail is not going out,
			// however long each message waits for its next attempt.
			c.setState(ctx, store.DeliveryFailing, "the relay refuses every message; its last reply: "+c.lastReply)
			continue
		}
		c.setState(ctx, store.DeliveryOK, "")
	}
	return sent, nil
}

// setState records the state of delivery, and logs a change of state once:
// an ERROR when delivery stops working, an INFO when it works again, never
// a line per heartbeat.
func (c *Courier) setState(ctx context.Context, state, errText string) {
	if state == c.state && errText == c.stateErr {
		return
	}
	switch {
	case state == c.state:
	case state == store.DeliveryFailing:
		c.logger.Error("delivery failing: messages wait and count attempts until the relay accepts them", "err", errText)
	case state == store.DeliveryStopped:
		c.logger.Error("delivery stopped: outcomes cannot be recorded, so nothing more is sent until they can (is the disk full?)", "err", errText)
	case c.state != "":
		c.logger.Info("delivery works again", "was", c.state)
	}
	c.state, c.stateErr = state, errText
	if err := c.db.SetDeliveryState(context.WithoutCancel(ctx), state, errText); err != nil && state != store.DeliveryStopped {
		c.logger.Warn("could not record the state of delivery", "err", err)
	}
}
