package web

import (
	"cmp"
	"net/netip"
	"slices"
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
	maxClients = 10000 // buckets kept at most; full ones are dropped first
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

// clientKey is the bucket of an address: an IPv6 client is its /64, the
// block one host or one customer line gets, so that walking through the
// addresses of one's own block is one client.
func clientKey(client string) string {
	a, err := netip.ParseAddr(client)
	if err != nil || !a.Unmap().Is6() {
		return client
	}
	p, err := a.Prefix(64)
	if err != nil {
		return client
	}
	return p.String()
}

// allow reports whether the client may have a link checked: it has
// failures left in its bucket.
func (l *limiter) allow(client string) bool {
	client = clientKey(client)
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
	client = clientKey(client)
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
// bucket would not. When failures from more than maxClients addresses
// came within a refill (someone with many addresses), that frees
// nothing: then the tenth of the buckets with the most tokens left go
// too, so that the table never grows past maxClients whatever the
// clients do, and the ones that failed most are the ones kept. The
// caller holds mu.
func (l *limiter) prune(now time.Time) {
	for k, b := range l.bucket {
		l.refill(b, now)
		if b.tokens >= l.burst {
			delete(l.bucket, k)
		}
	}
	if len(l.bucket) < maxClients {
		return
	}
	type entry struct {
		key    string
		tokens float64
	}
	all := make([]entry, 0, len(l.bucket))
	for k, b := range l.bucket {
		all = append(all, entry{k, b.tokens})
	}
	slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(b.tokens, a.tokens) })
	for _, e := range all[:len(all)-maxClients*9/10] {
		delete(l.bucket, e.key)
	}
}
