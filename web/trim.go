package web

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/followup-app/followup/internal/cmem"
)

// idleTrimEvery is how long the server must have served nothing before it
// hands its memory back to the system.
const idleTrimEvery = 10 * time.Second

// idleTrimmer decides when to hand memory back: at the first quiet period
// after requests were served. A burst (fifty clients on the ministry's
// page) leaves a heap and C allocations behind that the Go runtime and
// glibc return only slowly; the dashboard trims after a large build and
// the daemon after a sweep, for the same reason.
type idleTrimmer struct {
	seen, trimmed int64 // requests served at the last tick and at the last trim
}

// tick is called every idleTrimEvery with how many requests the server
// has served; it says whether to trim now.
func (t *idleTrimmer) tick(served int64) bool {
	quiet := served == t.seen
	t.seen = served
	if quiet && served != t.trimmed {
		t.trimmed = served
		return true
	}
	return false
}

// trimWhenIdle runs until ctx ends, trimming as idleTrimmer says. Idle
// is real time, whatever the daemon's clock says (a fake clock in tests
// counts its waiters: a ticker of its own would hold the tests' clock).
func (s *Server) trimWhenIdle(ctx context.Context, trim func()) {
	tk := time.NewTicker(idleTrimEvery)
	defer tk.Stop()
	var t idleTrimmer
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
		}
		if t.tick(s.served.Load()) {
			trim()
		}
	}
}

// releaseMemory hands SQLite's page cache, and the Go heap's and the C
// heap's free memory, back to the system.
func (s *Server) releaseMemory(ctx context.Context) {
	if err := s.db.ReleaseMemory(ctx); err != nil {
		s.logger.Debug("could not release SQLite's memory", "err", err)
	}
	debug.FreeOSMemory()
	cmem.Release()
}
