package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/internal/smtptest"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/store"
)

// TestDeliverStopsWhenOutcomesCannotBeRecorded (issue 10, case 2, by
// injection: the database goes away under the delivery, as a full disk
// makes it refuse writes; cmd/followup's TestDiskFullStopsDelivery does it
// with a real full file system). The message whose outcome could not be
// written is the last one sent: nothing after it is attempted, and the
// unwritten outcome is kept.
func TestDeliverStopsWhenOutcomesCannotBeRecorded(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "followup.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		raw := fmt.Sprintf("Message-ID: <m%d@example.org>\r\nSubject: %d\r\n\r\nbody\r\n", i, i)
		if _, _, err := db.Enqueue(ctx, store.OutboxMessage{Key: fmt.Sprint("k", i), Kind: "reminder", Recipient: "moj", Subject: "s",
			MessageID: fmt.Sprintf("m%d@example.org", i), From: "f@example.org", To: []string{"t@example.org"}, Raw: []byte(raw)}); err != nil {
			t.Fatal(err)
		}
	}
	batch, err := db.ClaimBatch(ctx, 10)
	if err != nil || len(batch) != 5 {
		t.Fatalf("claim: %v, %d", err, len(batch))
	}
	srv := smtptest.Start(t)
	srv.SetHook(func(c smtptest.Call) error {
		if c.Cmd == "DATA" && c.N == 2 {
			if err := c.Accept(); err != nil {
				return err
			}
			db.Close() // nothing can be written any more
			return smtptest.Handled
		}
		return nil
	})
	tr, err := notify.NewSMTP(srv.Config(), nil)
	if err != nil {
		t.Fatal(err)
	}
	sent, err := Batch(ctx, db, tr, batch, config.Retry{Initial: time.Minute, Max: time.Hour, MaxAttempts: 3}, time.Now, slog.New(slog.DiscardHandler), nil)
	var rec *RecordError
	if !errors.As(err, &rec) {
		t.Fatalf("Deliver: %v, want a RecordError", err)
	}
	if sent != 2 || len(srv.Messages()) != 2 {
		t.Errorf("sent %d, the relay holds %d; want 2 and 2: nothing after the unrecorded one", sent, len(srv.Messages()))
	}
	if err := rec.Retry(ctx); err == nil {
		t.Error("Retry succeeded on a closed database")
	}
	if len(rec.pending) != 2 { // the sent mark, and the release of the three not attempted
		t.Errorf("%d unwritten records kept, want 2", len(rec.pending))
	}
}

// TestRecipientRefusedForNowGetsItLater: the relay accepts a message for
// two of its recipients, refuses a third for now (452, a full mailbox) and
// a fourth for good (550). The message is sent; the 550 is a failure of
// its own; the 452 gets the same message again, alone, once its retry is
// due, and then only that recipient receives it.
func TestRecipientRefusedForNowGetsItLater(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "followup.db"), store.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw := "Message-ID: <m1@example.org>\r\nSubject: Reminder\r\n\r\nbody\r\n"
	if _, _, err := db.Enqueue(ctx, store.OutboxMessage{Key: "receipt:moj:1", Kind: "receipt", Recipient: "moj", Subject: "Reminder",
		MessageID: "m1@example.org", From: "f@example.org", To: []string{"a@example.org", "full@example.org", "b@example.org", "gone@example.org"},
		Raw: []byte(raw)}); err != nil {
		t.Fatal(err)
	}
	full := true
	srv := smtptest.Start(t)
	srv.SetHook(func(c smtptest.Call) error {
		switch {
		case c.Cmd == "RCPT" && c.Arg == "full@example.org" && full:
			return smtptest.Reply(452, "mailbox full")
		case c.Cmd == "RCPT" && c.Arg == "gone@example.org":
			return smtptest.Reply(550, "no such mailbox")
		}
		return nil
	})
	tr, err := notify.NewSMTP(srv.Config(), nil)
	if err != nil {
		t.Fatal(err)
	}
	retry := config.Retry{Initial: time.Minute, Max: time.Hour, MaxAttempts: 3}
	deliver := func() int {
		t.Helper()
		batch, err := db.ClaimBatch(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Batch(ctx, db, tr, batch, retry, clock, slog.New(slog.DiscardHandler), nil); err != nil {
			t.Fatal(err)
		}
		return len(batch)
	}
	if n := deliver(); n != 1 {
		t.Fatalf("first delivery claimed %d messages", n)
	}
	rows := func() map[string]store.OutboxMessage {
		t.Helper()
		out := map[string]store.OutboxMessage{}
		for _, st := range []string{store.StatusPending, store.StatusSent, store.StatusFailed} {
			ms, err := db.Outbox(ctx, st, 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				out[m.Key] = m
			}
		}
		return out
	}
	got := rows()
	first, again := got["receipt:moj:1"], got["receipt:moj:1/again:full@example.org"]
	if len(got) != 2 || first.Status != store.StatusSent || again.Status != store.StatusPending ||
		fmt.Sprint(again.To) != "[full@example.org]" || !again.NextAttempt.After(now) || again.MessageID != "m1@example.org" {
		t.Fatalf("after the first delivery the outbox holds %+v", got)
	}
	h, err := db.Health(ctx, time.Minute, now)
	if failures := h.RefusedLatest; err != nil || h.Refused != 1 || len(failures) != 1 || failures[0].Address != "gone@example.org" || failures[0].Code != 550 || failures[0].Key != first.Key {
		t.Fatalf("recipients refused %d %+v, %v: want gone@example.org alone", h.Refused, failures, err)
	}
	// The same outcome recorded again (a retried record) adds nothing.
	if err := db.MarkSentExcept(ctx, first.ID, "250 OK", []store.RecipientFailure{{Address: "full@example.org", Code: 452, Temporary: true}},
		now.Add(time.Minute)); err != nil || len(rows()) != 2 {
		t.Fatalf("recorded twice: %v, %d rows", err, len(rows()))
	}

	// Not due yet: nothing goes. Once due, the mailbox has room.
	if n := deliver(); n != 0 {
		t.Fatalf("%d messages delivered before the retry was due", n)
	}
	full = false
	now = again.NextAttempt.Add(time.Second)
	if n := deliver(); n != 1 {
		t.Fatalf("the retry claimed %d messages", n)
	}
	if st := rows()["receipt:moj:1/again:full@example.org"].Status; st != store.StatusSent {
		t.Errorf("the retry is %s, want sent", st)
	}
	msgs := srv.Messages()
	if len(msgs) != 2 || fmt.Sprint(msgs[0].To) != "[a@example.org b@example.org]" || fmt.Sprint(msgs[1].To) != "[full@example.org]" ||
		msgs[1].MessageID != msgs[0].MessageID {
		t.Fatalf("the relay received %d messages: %+v", len(msgs), msgs)
	}
}
