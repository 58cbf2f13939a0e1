package store

import (
	"context"
	"fmt"
	"time"
)

// Health is what an admin needs to know when no mail says it: whether the
// daemon runs, whether delivery works, and what waits. `followup status`
// prints it; a web health endpoint serves the same.
type Health struct {
	Running       bool      // a daemon holds the database's lock
	Holder        Holder    // who, when Running
	LastHeartbeat time.Time // zero when no daemon ever ran on this database
	Delivery      DeliveryState
	Pending       int       // messages waiting to be sent (pending or being sent)
	OldestPending time.Time // when the oldest of them was queued
	Failed        int
	Uncertain     int
	// Refused counts the recipients refused for good while the others got
	// the message; RefusedLatest are the latest few.
	Refused       int
	RefusedLatest []RefusedRecipient
	// Stuck says that mail is not going out and will not by itself;
	// Problems says why, one line each.
	Stuck    bool
	Problems []string
}

// refusedShown is how many refused recipients Health names.
const refusedShown = 5

// Health reads the Health of the database at now; heartbeat is the
// daemon's interval, to tell a daemon that hangs from one between beats.
// It only reads: `followup status` and the web server's /healthz call it
// beside a running daemon.
func (db *DB) Health(ctx context.Context, heartbeat time.Duration, now time.Time) (Health, error) {
	var h Health
	var err error
	if h.Holder, h.Running, err = db.LockHolder(); err != nil {
		return h, err
	}
	if h.LastHeartbeat, _, err = db.LastHeartbeat(ctx); err != nil {
		return h, err
	}
	if h.Delivery, err = db.Delivery(ctx); err != nil {
		return h, err
	}
	if h.Pending, h.OldestPending, err = db.pendingSummary(ctx); err != nil {
		return h, err
	}
	counts, err := db.OutboxCounts(ctx)
	if err != nil {
		return h, err
	}
	h.Failed, h.Uncertain = counts[StatusFailed], counts[StatusUncertain]
	if h.Refused, h.RefusedLatest, err = db.refusedRecipients(ctx, refusedShown); err != nil {
		return h, err
	}

	problem := func(format string, args ...any) {
		h.Stuck = true
		h.Problems = append(h.Problems, fmt.Sprintf(format, args...))
	}
	switch h.Delivery.State {
	case DeliveryFailing:
		problem("delivery failing since %s: %s", stamp(h.Delivery.Since), h.Delivery.Err)
	case DeliveryStopped:
		problem("delivery stopped since %s (outcomes cannot be recorded; is the disk full?): %s", stamp(h.Delivery.Since), h.Delivery.Err)
	}
	if !h.Running && h.Pending > 0 {
		problem("no daemon is running and %d messages wait (the oldest since %s): start followup run", h.Pending, stamp(h.OldestPending))
	}
	// Three beats missed, and a minute for a slow sweep: the daemon holds
	// the lock but does nothing.
	if late := 3*heartbeat + time.Minute; h.Running && !h.LastHeartbeat.IsZero() && now.Sub(h.LastHeartbeat) > late {
		problem("the daemon (pid %d) has not beaten since %s", h.Holder.PID, stamp(h.LastHeartbeat))
	}
	return h, nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}
