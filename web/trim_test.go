package web

import "testing"

// TestIdleTrimmer: memory is handed back once at the first quiet tick
// after requests, not while requests come, and not again while idle.
func TestIdleTrimmer(t *testing.T) {
	var tr idleTrimmer
	for i, c := range []struct {
		served int64
		trim   bool
	}{
		{0, false},  // nothing served yet
		{0, false},  // still nothing
		{50, false}, // busy
		{900, false},
		{900, true},  // quiet after a burst
		{900, false}, // trimmed already
		{901, false}, // one request
		{901, true},  // quiet again
		{901, false},
	} {
		if got := tr.tick(c.served); got != c.trim {
			t.Errorf("tick %d (%d served): trim = %v, want %v", i, c.served, got, c.trim)
		}
	}
}
