package plan_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/internal/loadgen"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
)

// The benchmarks run on databases made by loadgen (followup gen):
// BENCHMARKS.md quotes them. Sizes above 10,000 tasks are skipped with
// -short, which is how CI runs them (once each, no timing checked).

// benchNow is the generation's "now" and the slot the jobs run for: a
// Tuesday at 08:00, when the reminders are due.
var benchNow = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

// benchDB is a generated database and its config, made once per size and
// shared by every benchmark of the run.
type benchDB struct {
	path string
	cfg  *config.Config
}

var (
	benchMu  sync.Mutex
	benchDBs = map[int]*benchDB{}
	benchDir string // holds them for the whole run; TestMain removes it
)

// generated returns the database of n tasks, generating it on first use.
func generated(b *testing.B, n int) *benchDB {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if d := benchDBs[n]; d != nil {
		return d
	}
	if benchDir == "" {
		dir, err := os.MkdirTemp("", "followup-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = dir
	}
	o := loadgen.Options{Tasks: n, Ministries: 30, Seed: 1, Start: benchNow}
	path := filepath.Join(benchDir, fmt.Sprintf("gen-%d.db", n))
	cfg, err := config.Parse(filepath.Join(benchDir, "followup.yaml"), loadgen.ConfigYAML(o, path, filepath.Join(benchDir, "mail")), config.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	began := time.Now()
	if _, err := loadgen.Generate(context.Background(), path, o); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d tasks in %s", n, time.Since(began).Round(time.Millisecond))
	d := &benchDB{path: path, cfg: cfg}
	benchDBs[n] = d
	return d
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
			d := generated(b, n)
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
			p := &plan.Planner{Config: d.cfg, Renderer: renderer, Now: func() time.Time { return benchNow }}
			var msgs []plan.Message
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				err := db.RunSlot(ctx, job, benchNow, true, func(tx *store.SlotTx) error {
					var err error
					msgs, err = p.Run(ctx, tx, job, benchNow)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			tasks, bytes := 0, 0
			for _, m := range msgs {
				tasks += m.Tasks
				bytes += len(m.Text)
			}
			b.ReportMetric(float64(len(msgs)), "messages")
			b.ReportMetric(float64(tasks), "tasks")
			b.ReportMetric(float64(bytes)/1024, "text-KiB")
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
		})
	}
}

// BenchmarkSweep is the reminders job: what is due at the slot, counted,
// listed, rendered and enqueued.
func BenchmarkSweep(b *testing.B) {
	runJob(b, plan.JobReminders, []int{10_000, 100_000, 1_000_000})
}

// BenchmarkCoordinatorDigest renders the coordinator's weekly digest.
func BenchmarkCoordinatorDigest(b *testing.B) {
	runJob(b, plan.JobCoordinatorDigest, []int{10_000, 1_000_000})
}

// BenchmarkMinistryDigest renders every ministry's monthly digest.
func BenchmarkMinistryDigest(b *testing.B) {
	runJob(b, plan.JobMinistryDigest, []int{10_000, 100_000, 1_000_000})
}
