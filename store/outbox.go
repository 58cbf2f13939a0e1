package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/followup-app/followup/plan"
)

// Outbox statuses. A message moves pending → sending → sent, failed or
// uncertain; a temporary failure puts it back to pending with a later
// next attempt.
const (
	StatusPending   = "pending"
	StatusSending   = "sending"
	StatusSent      = "sent"
	StatusFailed    = "failed"
	StatusUncertain = "uncertain"
)

// OutboxMessage is one message of the outbox.
type OutboxMessage struct {
	ID          int64
	Key         string
	Kind        string
	Recipient   string
	Subject     string
	MessageID   string
	From        string
	To          []string
	Raw         []byte
	Status      string
	Attempts    int
	NextAttempt time.Time
	LastError   string
	Response    string
	CreatedAt   time.Time
	SentAt      time.Time
}

// enqueue inserts a message unless one with its key exists; it returns the
// row's id either way.
func enqueue(ctx context.Context, tx execer, m OutboxMessage, now int64) (id int64, inserted bool, err error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (key, kind, recipient, subject, message_id, env_from, env_to,
		next_attempt, created_at) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(key) DO NOTHING`,
		m.Key, m.Kind, m.Recipient, m.Subject, m.MessageID, m.From, strings.Join(m.To, ","), now, now)
	if err != nil {
		return 0, false, err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		if id, err = res.LastInsertId(); err != nil {
			return 0, false, err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO outbox_bodies (id, raw) VALUES (?, ?)`, id, m.Raw)
		return id, true, err
	}
	err = tx.QueryRowContext(ctx, `SELECT id FROM outbox WHERE key = ?`, m.Key).Scan(&id)
	return id, false, err
}

// Enqueue adds one message to the outbox in its own transaction; a message
// with the same key is never added twice.
func (db *DB) Enqueue(ctx context.Context, m OutboxMessage) (id int64, inserted bool, err error) {
	err = db.tx(ctx, func(tx *txn) error {
		id, inserted, err = enqueue(ctx, tx, m, db.now().Unix())
		return err
	})
	return id, inserted, err
}

// enqueueAll puts messages in the outbox inside an action's transaction:
// the receipt of a web action is written with the action or not at all.
func enqueueAll(ctx context.Context, tx *txn, ms []OutboxMessage, now int64) error {
	for _, m := range ms {
		if _, _, err := enqueue(ctx, tx, m, now); err != nil {
			return fmt.Errorf("enqueue %s: %w", m.Key, err)
		}
	}
	return nil
}

const outboxColumns = `id, key, kind, recipient, subject, message_id, env_from, env_to, status, attempts,
	next_attempt, last_error, response, created_at, COALESCE(sent_at, 0)`

func scanOutbox(s scanner) (OutboxMessage, error) {
	var m OutboxMessage
	var to string
	var next, created, sent int64
	err := s.Scan(&m.ID, &m.Key, &m.Kind, &m.Recipient, &m.Subject, &m.MessageID, &m.From, &to, &m.Status,
		&m.Attempts, &next, &m.LastError, &m.Response, &created, &sent)
	if to != "" {
		m.To = strings.Split(to, ",")
	}
	m.NextAttempt, m.CreatedAt = time.Unix(next, 0).UTC(), time.Unix(created, 0).UTC()
	if sent > 0 {
		m.SentAt = time.Unix(sent, 0).UTC()
	}
	return m, err
}

// ClaimBatch marks up to limit messages that are due as sending, under a
// batch token, and returns them in id order: the order they will be sent
// in, which is what Recover relies on after a crash.
func (db *DB) ClaimBatch(ctx context.Context, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	token := fmt.Sprintf("%d-%d", os.Getpid(), db.now().UnixNano())
	err := db.tx(ctx, func(tx *txn) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `UPDATE outbox SET status = 'sending', batch = ?
			WHERE id IN (SELECT id FROM outbox INDEXED BY outbox_pending WHERE status = 'pending' AND next_attempt <= ? ORDER BY id LIMIT ?)
			RETURNING `+outboxColumns, token, db.now().Unix(), limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			m, err := scanOutbox(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return loadBodies(ctx, tx, out)
	})
	// RETURNING gives no order guarantee.
	sortByID(out)
	return out, err
}

// loadBodies reads the messages of claimed rows, in one query.
func loadBodies(ctx context.Context, tx *txn, ms []OutboxMessage) error {
	if len(ms) == 0 {
		return nil
	}
	at := make(map[int64]int, len(ms))
	args := make([]any, len(ms))
	for i, m := range ms {
		at[m.ID] = i
		args[i] = m.ID
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, raw FROM outbox_bodies WHERE id IN (`+placeholders(len(ms))+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	found := 0
	for rows.Next() {
		var id int64
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return err
		}
		ms[at[id]].Raw = raw
		found++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if found != len(ms) {
		return fmt.Errorf("outbox: %d of %d claimed messages have no body", len(ms)-found, len(ms))
	}
	return nil
}

// ClaimKeys claims the pending messages with these keys, whatever their
// next attempt: followup send delivers what it just enqueued.
func (db *DB) ClaimKeys(ctx context.Context, keys []string) ([]OutboxMessage, error) {
	var out []OutboxMessage
	token := fmt.Sprintf("%d-%d", os.Getpid(), db.now().UnixNano())
	err := db.tx(ctx, func(tx *txn) error {
		out = out[:0]
		for _, k := range keys {
			m, err := scanOutbox(tx.QueryRowContext(ctx, `UPDATE outbox SET status = 'sending', batch = ?
				WHERE key = ? AND status = 'pending' RETURNING `+outboxColumns, token, k))
			if errors.Is(err, sql.ErrNoRows) {
				continue // the daemon took it first
			}
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return loadBodies(ctx, tx, out)
	})
	sortByID(out)
	return out, err
}

func sortByID(ms []OutboxMessage) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].ID < ms[j-1].ID; j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

// MarkSent records a delivery: nothing will send the message again. It
// runs for every message sent, so its statement is prepared once.
func (db *DB) MarkSent(ctx context.Context, id int64, response string) error {
	db.markSentOnce.Do(func() {
		db.markSent, db.markSentErr = db.db.PrepareContext(context.WithoutCancel(ctx),
			`UPDATE outbox SET status = 'sent', sent_at = ?, response = ?, last_error = '' WHERE id = ?`)
	})
	if db.markSentErr != nil {
		return db.markSentErr
	}
	res, err := db.markSent.ExecContext(ctx, db.now().Unix(), response, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("outbox row %d: %w", id, ErrNotFound)
	}
	return nil
}

// RecipientFailure is a recipient the relay refused while it accepted the
// others.
type RecipientFailure struct {
	Address string
	Code    int // the SMTP reply code
	Error   string
	// Temporary is a 4xx refusal (a full mailbox, greylisting): the
	// message is tried again for that recipient, not failed.
	Temporary bool
}

// MarkSentExcept records a delivery that reached some recipients only: the
// message is sent (nothing sends it again to those who got it). Each
// recipient refused for good is a failure of its own, which the next
// coordinator overview lists. The recipients refused for now get the
// message again: a new outbox row holds the same message for them alone,
// due at retryAt, and follows the retry policy like any message (failing,
// and reported, when its attempts run out). All in one transaction.
func (db *DB) MarkSentExcept(ctx context.Context, id int64, response string, refused []RecipientFailure, retryAt time.Time) error {
	now := db.now().Unix()
	return db.tx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'sent', sent_at = ?, response = ?, last_error = '' WHERE id = ?`,
			now, response, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("outbox row %d: %w", id, ErrNotFound)
		}
		var later []string
		for _, r := range refused {
			if r.Temporary {
				later = append(later, r.Address)
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO outbox_recipients (outbox_id, address, status, code, error, at)
				VALUES (?, ?, 'failed', ?, ?, ?)
				ON CONFLICT (outbox_id, address) DO UPDATE SET status = 'failed', code = excluded.code, error = excluded.error,
					at = excluded.at, reported_at = NULL`, id, r.Address, r.Code, r.Error, now); err != nil {
				return err
			}
		}
		if len(later) == 0 {
			return nil
		}
		return resendTo(ctx, tx, id, later, retryAt.Unix(), now)
	})
}

// resendTo puts the message of row id in the outbox again for the
// addresses to, due at next. Its key is the row's with the addresses
// after "/again:", so that the same refusal recorded twice adds it once.
func resendTo(ctx context.Context, tx *txn, id int64, to []string, next, now int64) error {
	sort.Strings(to)
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (key, kind, recipient, subject, message_id, env_from, env_to, next_attempt, created_at)
		SELECT key || '/again:' || ?, kind, recipient, subject, message_id, env_from, ?, ?, ? FROM outbox WHERE id = ?
		ON CONFLICT(key) DO NOTHING`, strings.Join(to, ","), strings.Join(to, ","), next, now, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	again, err := res.LastInsertId()
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox_bodies (id, raw) SELECT ?, raw FROM outbox_bodies WHERE id = ?`, again, id)
	return err
}

// MarkRetry records a temporary failure: the message waits until next.
// After maxAttempts attempts it is marked failed instead.
func (db *DB) MarkRetry(ctx context.Context, id int64, cause string, next time.Time, maxAttempts int) error {
	return db.exec(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ?,
		status = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE 'pending' END, next_attempt = ? WHERE id = ?`,
		cause, maxAttempts, next.Unix(), id)
}

// MarkFailed records a permanent failure.
func (db *DB) MarkFailed(ctx context.Context, id int64, cause string) error {
	return db.exec(ctx, `UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?`, cause, id)
}

// MarkUncertain records that the server may or may not have the message:
// it is not sent again blindly, and the next coordinator digest reports it.
func (db *DB) MarkUncertain(ctx context.Context, id int64, cause string) error {
	return db.exec(ctx, `UPDATE outbox SET status = 'uncertain', attempts = attempts + 1, last_error = ? WHERE id = ?`, cause, id)
}

// Release puts claimed messages that were not attempted back to pending,
// to be tried at next.
func (db *DB) Release(ctx context.Context, ids []int64, next time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	return db.tx(ctx, func(tx *txn) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'pending', next_attempt = ? WHERE id = ? AND status = 'sending'`,
				next.Unix(), id); err != nil {
				return err
			}
		}
		return nil
	})
}

// RetryWaiting records a failure to reach the relay at all (refused at
// the greeting, authentication, no STARTTLS, no answer): no message was
// attempted, but every message waiting for the relay was held up by it,
// so each one due (the claimed batch included, which goes back to
// pending) counts an attempt. After maxAttempts a message fails, as it
// would after as many refusals of its own; next gives the next attempt of
// a message that has made n attempts. It returns how many failed.
func (db *DB) RetryWaiting(ctx context.Context, batch []int64, cause string, maxAttempts int, next func(attempts int) time.Time) (failed int, err error) {
	now := db.now().Unix()
	err = db.tx(ctx, func(tx *txn) error {
		failed = 0
		for _, id := range batch {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'pending', next_attempt = ? WHERE id = ? AND status = 'sending'`,
				now, id); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT attempts FROM outbox INDEXED BY outbox_pending
			WHERE status = 'pending' AND next_attempt <= ? ORDER BY attempts DESC`, now)
		if err != nil {
			return err
		}
		var counts []int
		for rows.Next() {
			var a int
			if err := rows.Scan(&a); err != nil {
				rows.Close()
				return err
			}
			counts = append(counts, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Highest first: a row moved to attempts+1 is never counted twice,
		// even when its next attempt is now.
		for _, a := range counts {
			res, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ?,
				status = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE 'pending' END, next_attempt = ?
				WHERE status = 'pending' AND next_attempt <= ? AND attempts = ?`,
				cause, maxAttempts, next(a+1).Unix(), now, a)
			if err != nil {
				return err
			}
			if a+1 >= maxAttempts {
				n, _ := res.RowsAffected()
				failed += int(n)
			}
		}
		return nil
	})
	return failed, err
}

// Recover handles messages a crashed process left in sending. Batches are
// sent in id order, one message at a time, and each outcome is recorded
// as soon as it is known: so of the rows still in sending only the first
// can have been in flight. It becomes uncertain (the server may have it)
// unless resend is set (a transport that cannot duplicate, like the file
// transport); the rows after it were never attempted and go back to
// pending. It returns how many rows became uncertain and pending.
func (db *DB) Recover(ctx context.Context, resend bool) (uncertain, pending int, err error) {
	err = db.tx(ctx, func(tx *txn) error {
		uncertain, pending = 0, 0
		if !resend {
			// The first message of each interrupted batch was in flight.
			res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'uncertain', attempts = attempts + 1,
				last_error = 'the process stopped while this message was being sent: the server may have it'
				WHERE id IN (SELECT MIN(id) FROM outbox WHERE status = 'sending' GROUP BY batch)`)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			uncertain = int(n)
		}
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'pending' WHERE status = 'sending'`)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		pending = int(n)
		return nil
	})
	return uncertain, pending, err
}

// Readdresser gives a message's recipients and content for a resend, from
// the config in force; ok false keeps the stored ones.
type Readdresser func(m OutboxMessage) (raw []byte, to []string, ok bool, err error)

// RequeueResult says what Requeue did.
type RequeueResult struct {
	Requeued    int
	Readdressed int // of those, sent to other addresses than before
	// Replanned counts failed reminders not requeued: the sweep had
	// already planned every one of their tasks again in a later reminder.
	Replanned int
}

// Requeue puts failed or uncertain messages back to pending, at the admin's
// request (followup outbox resend). With readdress set, each goes to the
// addresses readdress gives (the config in force), not to the stored
// ones. A failed reminder's log rows (moved aside when it failed) come
// back, so the next sweep does not plan its tasks again; when the sweep
// already did, for all of them, the message is not sent again.
func (db *DB) Requeue(ctx context.Context, ids []int64, readdress Readdresser) (RequeueResult, error) {
	var res RequeueResult
	err := db.tx(ctx, func(tx *txn) error {
		res = RequeueResult{}
		for _, id := range ids {
			m, err := scanOutbox(tx.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ? AND status IN ('failed', 'uncertain')`, id))
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			var parked, restored int64
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM reminder_log_failed WHERE outbox_id = ?`, id).Scan(&parked); err != nil {
				return err
			}
			if parked > 0 {
				r, err := tx.ExecContext(ctx, `INSERT INTO reminder_log (task_id, deadline, kind, outbox_id, at)
					SELECT task_id, deadline, kind, outbox_id, at FROM reminder_log_failed WHERE outbox_id = ? ON CONFLICT DO NOTHING`, id)
				if err != nil {
					return err
				}
				restored, _ = r.RowsAffected()
				if _, err := tx.ExecContext(ctx, `DELETE FROM reminder_log_failed WHERE outbox_id = ?`, id); err != nil {
					return err
				}
				if restored == 0 {
					res.Replanned++
					continue
				}
			}
			if readdress != nil {
				ms := []OutboxMessage{m}
				if err := loadBodies(ctx, tx, ms); err != nil {
					return err
				}
				raw, to, ok, err := readdress(ms[0])
				if err != nil {
					return fmt.Errorf("outbox row %d: %w", id, err)
				}
				if ok {
					if strings.Join(to, ",") != strings.Join(m.To, ",") {
						res.Readdressed++
					}
					if _, err := tx.ExecContext(ctx, `UPDATE outbox SET env_to = ? WHERE id = ?`, strings.Join(to, ","), id); err != nil {
						return err
					}
					if _, err := tx.ExecContext(ctx, `UPDATE outbox_bodies SET raw = ? WHERE id = ?`, raw, id); err != nil {
						return err
					}
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'pending', next_attempt = ?, attempts = 0, reported_at = NULL
				WHERE id = ?`, db.now().Unix(), id); err != nil {
				return err
			}
			res.Requeued++
		}
		return nil
	})
	return res, err
}

// Outbox lists messages, newest first; status "" lists all.
func (db *DB) Outbox(ctx context.Context, status string, limit int) ([]OutboxMessage, error) {
	q := `SELECT ` + outboxColumns + ` FROM outbox`
	var args []any
	if status != "" {
		q += ` WHERE status = ?`
		args = append(args, status)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// OutboxCounts counts messages by status.
func (db *DB) OutboxCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// RefusedRecipient is an address the relay refused for good while it
// accepted the message for its other recipients.
type RefusedRecipient struct {
	Address string
	Code    int
	Error   string
	Key     string // the message's
	At      time.Time
}

// refusedRecipients counts the recipients refused for good and returns the
// latest of them, up to limit.
func (db *DB) refusedRecipients(ctx context.Context, limit int) (int, []RefusedRecipient, error) {
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox_recipients WHERE status = 'failed'`).Scan(&n); err != nil {
		return 0, nil, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT r.address, r.code, r.error, o.key, r.at FROM outbox_recipients r
		JOIN outbox o ON o.id = r.outbox_id WHERE r.status = 'failed' ORDER BY r.at DESC, r.id DESC LIMIT ?`, limit)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	var out []RefusedRecipient
	for rows.Next() {
		var r RefusedRecipient
		var at int64
		if err := rows.Scan(&r.Address, &r.Code, &r.Error, &r.Key, &at); err != nil {
			return 0, nil, err
		}
		r.At = time.Unix(at, 0).UTC()
		out = append(out, r)
	}
	return n, out, rows.Err()
}

func (db *DB) exec(ctx context.Context, q string, args ...any) error {
	res, err := db.db.ExecContext(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("outbox row: %w", ErrNotFound)
	}
	return nil
}

// MessageCount is how many outbox messages of a kind are in a status.
type MessageCount struct {
	Kind, Status string
	Count        int
}

// MessageCounts counts the outbox's messages by kind and status.
func (db *DB) MessageCounts(ctx context.Context) ([]MessageCount, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT kind, status, COUNT(*) FROM outbox GROUP BY kind, status ORDER BY kind, status`)
	if err != nil {
		return nil, fmt.Errorf("count messages: %w", err)
	}
	defer rows.Close()
	var out []MessageCount
	for rows.Next() {
		var c MessageCount
		if err := rows.Scan(&c.Kind, &c.Status, &c.Count); err != nil {
			return nil, fmt.Errorf("count messages: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// pendingSummary counts the messages waiting to be sent and gives the
// creation time of the oldest (zero when none).
func (db *DB) pendingSummary(ctx context.Context) (n int, oldest time.Time, err error) {
	var min sql.NullInt64
	err = db.db.QueryRowContext(ctx, `SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status IN ('pending', 'sending')`).Scan(&n, &min)
	if err != nil {
		return 0, time.Time{}, err
	}
	if min.Valid {
		oldest = time.Unix(min.Int64, 0).UTC()
	}
	return n, oldest, nil
}

// LastSent returns when the last message of a kind to a recipient was
// enqueued, among those delivered; zero if none.
func (s *SlotTx) LastSent(ctx context.Context, kind, recipient string) (time.Time, error) {
	var at sql.NullInt64
	err := s.q.QueryRowContext(ctx, `SELECT MAX(created_at) FROM outbox WHERE kind = ? AND recipient = ? AND status = 'sent'`,
		kind, recipient).Scan(&at)
	if err != nil || !at.Valid {
		return time.Time{}, err
	}
	return time.Unix(at.Int64, 0).UTC(), nil
}

// DeliveredReminders counts, per recipient, the reminders that were
// delivered, and gives when the last one was sent.
func (s *SlotTx) DeliveredReminders(ctx context.Context, recipients []string) (map[string]plan.Delivered, error) {
	out := map[string]plan.Delivered{}
	for _, r := range recipients {
		var n int
		var last sql.NullInt64
		if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*), MAX(sent_at) FROM outbox INDEXED BY outbox_by_kind
			WHERE kind = 'reminder' AND recipient = ? AND status = 'sent'`, r).Scan(&n, &last); err != nil {
			return nil, err
		}
		if n > 0 {
			out[r] = plan.Delivered{Count: n, Last: time.Unix(last.Int64, 0).UTC()}
		}
	}
	return out, nil
}

// unreportedFailures selects every failure no delivered overview has
// reported: failed or uncertain messages, and recipients refused while
// others got the message. Columns: what, ref, created_at, subject, to,
// status, error.
const unreportedFailures = `SELECT 'message' AS what, id AS ref, created_at, subject, env_to AS rcpt, status, last_error AS error
		FROM outbox WHERE status IN ('failed','uncertain') AND reported_at IS NULL
	UNION ALL
	SELECT 'recipient', r.id, o.created_at, o.subject, r.address, r.status, r.error
		FROM outbox_recipients r JOIN outbox o ON o.id = r.outbox_id WHERE r.reported_at IS NULL`

// Failures returns up to limit failures (failed or uncertain messages,
// refused recipients) no delivered overview reported yet, oldest first,
// and how many there are.
func (s *SlotTx) Failures(ctx context.Context, limit int) ([]plan.Delivery, int, error) {
	var total int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+unreportedFailures+`)`).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.q.QueryContext(ctx, `SELECT created_at, subject, rcpt, status, error FROM (`+unreportedFailures+`)
		ORDER BY created_at, what, ref LIMIT ?`, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []plan.Delivery
	for rows.Next() {
		var d plan.Delivery
		var at int64
		var to string
		if err := rows.Scan(&at, &d.Subject, &to, &d.Status, &d.Error); err != nil {
			return nil, 0, err
		}
		d.CreatedAt = time.Unix(at, 0).UTC()
		if to != "" {
			d.To = strings.Split(to, ",")
		}
		out = append(out, d)
	}
	return out, total, rows.Err()
}

// ListInOverview records that the overview in outbox row digest lists
// every failure Failures counts and every change MailChanges returns:
// they are marked reported when that overview is delivered (a trigger of
// migration 0009), so an overview that never left takes nothing with it
// and the next one lists them again.
func (s *SlotTx) ListInOverview(ctx context.Context, digest int64) error {
	if s.dryRun {
		return nil
	}
	if _, err := s.q.ExecContext(ctx, `INSERT INTO overview_lists (digest_id, what, ref)
		SELECT ?, what, ref FROM (`+unreportedFailures+`) WHERE true ON CONFLICT DO NOTHING`, digest); err != nil {
		return err
	}
	_, err := s.q.ExecContext(ctx, `INSERT INTO overview_lists (digest_id, what, ref)
		SELECT ?, 'mail_change', id FROM mail_changes WHERE reported_at IS NULL ON CONFLICT DO NOTHING`, digest)
	return err
}
