package web

import (
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
)

// Failed link checks are limited per client address: a token bucket of
// failBurst failures refilled over failWindow. Someone guessing tokens
// gets 429 after the burst; a focal point who mistypes a link a few times
// never notices.
const (
	failBurst  = 20
	failWindow = time.Minute
	maxClients = 10000 // buckets kept; full ones are dropped first
)

type limiter struct {
	clock  clockwork.Clock
	burst  float64
	rate   float64 // tokens per second
	mu     sync.Mutex
	bucket map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(clock clockwork.Clock, burst int, window time.Duration) *limiter {
	return &limiter{clock: clock, burst: float64(burst), rate: float64(burst) / window.Seconds(), bucket: map[string]*bucket{}}
}

// refill brings b up to now; the caller holds mu.
func (l *limiter) refill(b *bucket, now time.Time) {
	if el := now.Sub(b.at).Seconds(); el > 0 {
		b.tokens = min(l.burst, b.tokens+el*l.rate)
	}
	b.at = now
}

// allow reports whether the client may have a link checked: it has
// failures left in its bucket.
func (l *limiter) allow(client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.bucket[client]
	if !ok {
		return true
	}
	l.refill(b, l.clock.Now())
	return b.tokens >= 1
}

// fail takes one token from the client's bucket.
func (l *limiter) fail(client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	b, ok := l.bucket[client]
	if !ok {
		if len(l.bucket) >= maxClients {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.bucket[client] = b
	}
	l.refill(b, now)
	b.tokens = max(0, b.tokens-1)
}

// prune drops the buckets that have refilled: they hold nothing a new
// bucket would not. The caller holds mu.
func (l *limiter) prune(now time.Time) {
	for k, b := range l.bucket {
		l.refill(b, now)
		if b.tokens >= l.burst {
			delete(l.bucket, k)
		}
	}
}
