package loadgen

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// benchStart is the generation's "now" in the benchmarks.
var benchStart = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

// BenchmarkGenerate writes a synthetic database (followup gen).
func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			if n > 10_000 && testing.Short() {
				b.Skip("skipping the large size in -short mode")
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				path := filepath.Join(b.TempDir(), fmt.Sprintf("gen%d.db", i))
				if _, err := Generate(context.Background(), path, Options{Tasks: n, Ministries: 30, Seed: 1, Start: benchStart}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
		})
	}
}
