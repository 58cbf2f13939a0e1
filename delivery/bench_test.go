package delivery

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/internal/smtptest"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
)

// benchMinistries is how many ministries the messages are spread over.
const benchMinistries = 30

// BenchmarkDeliver sends 1,000 messages of about 2 KB from the outbox to an
// SMTP server on loopback (go-smtp, in process), in batches of 100 as the
// daemon does, recording each outcome in the outbox.
func BenchmarkDeliver(b *testing.B) {
	const count, size = 1000, 2048
	srv := smtptest.Start(b)
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "outbox.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tr, err := notify.NewSMTP(srv.Config(), nil)
	if err != nil {
		b.Fatal(err)
	}
	body := strings.Repeat("All tasks of the ministry that are due within 30 days are listed below.\r\n", size/72)
	retry := config.Default().Mail.Retry
	logger := slog.New(slog.DiscardHandler)
	round := 0
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		round++
		for i := 0; i < count; i++ {
			key := fmt.Sprintf("reminder:m%03d:%d-%d", i%benchMinistries, round, i)
			raw := "From: followup@example.org\r\nTo: m001@example.org\r\nSubject: [followup] Ministry 001: 3 tasks due soon\r\n" +
				"Message-ID: <" + strings.ReplaceAll(key, ":", ".") + "@example.org>\r\n\r\n" + body
			if _, _, err := db.Enqueue(ctx, store.OutboxMessage{Key: key, Kind: plan.KindReminder, Recipient: "m001",
				Subject: "reminder", MessageID: key + "@example.org", From: "followup@example.org",
				To: []string{"m001@example.org"}, Raw: []byte(raw)}); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		sent := 0
		for {
			batch, err := db.ClaimBatch(ctx, 100)
			if err != nil {
				b.Fatal(err)
			}
			if len(batch) == 0 {
				break
			}
			n, err := Batch(ctx, db, tr, batch, retry, time.Now, logger, nil)
			if err != nil {
				b.Fatal(err)
			}
			sent += n
		}
		if sent != count {
			b.Fatalf("sent %d of %d", sent, count)
		}
	}
	b.ReportMetric(float64(count)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
