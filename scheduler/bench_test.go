package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/internal/smtptest"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/store"
)

// The benchmarks run on databases made by store.Generate (followup gen):
// BENCHMARKS.md quotes them. Sizes above 10,000 tasks are skipped with
// -short, which is how CI runs them (once each, no timing checked).

// benchNow is the generation's "now" and the slot the jobs run for: a
// Tuesday at 08:00, when the reminders are due.
var benchNow = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

const benchMinistries = 30

// benchDB is a generated database and its config, made once per size and
// shared by every benchmark of the run.
type benchDB struct {
	path string
	cfg  *config.Config
}

var (
	benchMu  sync.Mutex
	benchDBs = map[int]*benchDB{}
)

// generated returns the database of n tasks, generating it on first use
// under dir.
func generated(b *testing.B, dir string, n int) *benchDB {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if d := benchDBs[n]; d != nil {
		return d
	}
	o := store.GenOptions{Tasks: n, Ministries: benchMinistries, Seed: 1, Start: benchNow}
	path := filepath.Join(dir, fmt.Sprintf("gen-%d.db", n))
	cfg, err := config.Parse(filepath.Join(dir, "followup.yaml"), store.GenConfig(o, path, filepath.Join(dir, "mail")), config.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(context.Background(), path, store.Options{Location: cfg.Location})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	began := time.Now()
	if _, err := db.Generate(context.Background(), o); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d tasks in %s", n, time.Since(began).Round(time.Millisecond))
	d := &benchDB{path: path, cfg: cfg}
	benchDBs[n] = d
	return d
}

// benchDir holds the generated databases for the whole run (a benchmark's
// TempDir goes when that benchmark ends); TestMain removes it.
var benchDir string

func sharedDir(b *testing.B) string {
	benchMu.Lock()
	defer benchMu.Unlock()
	if benchDir == "" {
		dir, err := os.MkdirTemp("", "followup-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = dir
	}
	return benchDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// runJob runs one job for the benchmark slot as a dry run: everything it
// enqueues and logs is rolled back, so each iteration sees the same state.
func runJob(b *testing.B, job string, sizes []int) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			if n > 10_000 && testing.Short() {
				b.Skip("skipping the large size in -short mode")
			}
			d := generated(b, sharedDir(b), n)
			ctx := context.Background()
			db, err := store.Open(ctx, d.path, store.Options{MustExist: true, Location: d.cfg.Location, Now: func() time.Time { return benchNow }})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			renderer, err := notify.NewRenderer(d.cfg.Mail.Templates, d.cfg.Location)
			if err != nil {
				b.Fatal(err)
			}
			p := &Planner{Config: d.cfg, Renderer: renderer, Now: func() time.Time { return benchNow }}
			var planned []Planned
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				err := db.RunSlot(ctx, job, benchNow, true, func(tx *store.SlotTx) error {
					var err error
					planned, err = p.Run(ctx, tx, job, benchNow)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			tasks, bytes := 0, 0
			for _, m := range planned {
				tasks += m.Tasks
				bytes += len(m.Text)
			}
			b.ReportMetric(float64(len(planned)), "messages")
			b.ReportMetric(float64(tasks), "tasks-listed")
			b.ReportMetric(float64(bytes)/1024, "text-KiB")
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
		})
	}
}

// BenchmarkSweep is the reminders job: what is due at the slot, rendered
// and enqueued, every reminded task logged.
func BenchmarkSweep(b *testing.B) {
	runJob(b, JobReminders, []int{10_000, 100_000, 1_000_000})
}

// BenchmarkCoordinatorDigest renders the coordinator's weekly digest.
func BenchmarkCoordinatorDigest(b *testing.B) {
	runJob(b, JobCoordinatorDigest, []int{10_000, 1_000_000})
}

// BenchmarkMinistryDigest renders every ministry's monthly digest.
func BenchmarkMinistryDigest(b *testing.B) {
	runJob(b, JobMinistryDigest, []int{10_000, 100_000, 1_000_000})
}

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
			if _, _, err := db.Enqueue(ctx, store.OutboxMessage{Key: key, Kind: KindReminder, Recipient: "m001",
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
			n, err := Deliver(ctx, db, tr, batch, retry, time.Now, logger)
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
