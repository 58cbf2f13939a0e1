package scheduler

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
	sent, err := Deliver(ctx, db, tr, batch, config.Retry{Initial: time.Minute, Max: time.Hour, MaxAttempts: 3}, time.Now, slog.New(slog.DiscardHandler))
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
