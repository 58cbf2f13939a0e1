package store

import (
	"context"
	"fmt"
	"time"
)

// Health is what an admin needs to know when no mail says it, as two
// separate facts: whether the daemon is alive (it holds the database and
// records its heartbeat, also while a long delivery runs), and whether
// mail is going out (delivery is not failing, and nothing waits without a
// daemon to send it). A slow relay leaves both true; a relay that refuses
// everything makes the second false while the first stays true.
// `followup status` prints it all; /healthz answers the first; the
// coordinator's dashboard and /metrics show both.
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
	// HeldReload is a config reload the daemon holds until the admin
	// confirms it (followup config apply); nil when none.
	HeldReload *HeldReload

	// Alive: a daemon holds the database and recorded its heartbeat
	// within three beats and a minute. NotAlive says why not, in one word
	// ("stopped", "heartbeat"), for /healthz.
	Alive    bool
	NotAlive string
	// Going: mail is going out, or would if there were any: delivery is
	// neither failing nor stopped, and no message waits for a daemon that
	// does not run.
	Going bool
	// Stuck says that something needs the admin: the daemon is not alive
	// while it should be, mail is not going out, or a reload is held.
	// Problems says why, one line each.
	Stuck    bool
	Problems []string
}

// refusedShown is how many refused recipients Health names.
const refusedShown = 5

// HeartbeatLate is how old the last heartbeat may be before a daemon that
// holds the database is taken for hung: three beats missed, and a minute
// for a slow database. (The heartbeat is recorded while a delivery batch
// runs, so a slow relay does not make it late.)
func HeartbeatLate(heartbeat time.Duration) time.Duration { return 3*heartbeat + time.Minute }

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
	if h.HeldReload, err = db.HeldReload(ctx); err != nil {
		return h, err
	}

	problem := func(format string, args ...any) {
		h.Stuck = true
		h.Problems = append(h.Problems, fmt.Sprintf(format, args...))
	}
	switch {
	case !h.Running:
		h.NotAlive = "stopped"
	case h.LastHeartbeat.IsZero() || now.Sub(h.LastHeartbeat) > HeartbeatLate(heartbeat):
		h.NotAlive = "heartbeat"
		if !h.LastHeartbeat.IsZero() {
			problem("the daemon (pid %d) has not beaten since %s", h.Holder.PID, stamp(h.LastHeartbeat))
		}
	default:
		h.Alive = true
	}
	h.Going = true
	switch h.Delivery.State {
	case DeliveryFailing:
		h.Going = false
		problem("delivery failing since %s: %s", stamp(h.Delivery.Since), h.Delivery.Err)
	case DeliveryStopped:
		h.Going = false
		problem("delivery stopped since %s (outcomes cannot be recorded; is the disk full?): %s", stamp(h.Delivery.Since), h.Delivery.Err)
	}
	if !h.Running && h.Pending > 0 {
		h.Going = false
		problem("no daemon is running and %d messages wait (the oldest since %s): start followup run", h.Pending, stamp(h.OldestPending))
	}
	if r := h.HeldReload; r != nil {
		problem("a config reload is held since %s (%s): see followup config diff, then followup config apply", stamp(r.Since), r.Reasons)
	}
	return h, nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// MailState is what the coordinator's dashboard shows of Health: the two
// facts and what goes with them, read with queries that stay cheap on a
// large outbox (the dashboard is read often; `followup status` reads the
// rest).
type MailState struct {
	Alive         bool
	LastHeartbeat time.Time
	Delivery      DeliveryState
	Going         bool // delivery neither failing nor stopped
	Waiting       int  // messages pending
	HeldReload    *HeldReload
}

// MailState reads the MailState at now; heartbeat is the daemon's
// interval.
func (db *DB) MailState(ctx context.Context, heartbeat time.Duration, now time.Time) (MailState, error) {
	var m MailState
	_, running, err := db.LockHolder()
	if err != nil {
		return m, err
	}
	if m.LastHeartbeat, _, err = db.LastHeartbeat(ctx); err != nil {
		return m, err
	}
	m.Alive = running && !m.LastHeartbeat.IsZero() && now.Sub(m.LastHeartbeat) <= HeartbeatLate(heartbeat)
	if m.Delivery, err = db.Delivery(ctx); err != nil {
		return m, err
	}
	m.Going = m.Delivery.State != DeliveryFailing && m.Delivery.State != DeliveryStopped
	// The partial index of pending rows answers this; the few being sent
	// at this moment are left out.
	if err = db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE status = 'pending'`).Scan(&m.Waiting); err != nil {
		return m, err
	}
	m.HeldReload, err = db.HeldReload(ctx)
	return m, err
}
