package web

import (
	"fmt"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// TestLimiterTableBounded fails link checks from three times maxClients
// addresses within one refill (IPv4, and IPv6 from many /64s): the table
// keeps at most maxClients buckets, and the address that used up its
// failures before the flood is still refused after it.
func TestLimiterTableBounded(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Date(2027, 1, 4, 1, 0, 0, 0, time.UTC))
	l := newLimiter(clock, failBurst, failWindow)
	const guesser = "203.0.113.7"
	for range failBurst {
		l.fail(guesser)
	}
	if l.allow(guesser) {
		t.Fatal("the guesser is allowed after its burst")
	}
	most := 0
	for i := range 3 * maxClients {
		addr := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		if i%2 == 1 {
			addr = fmt.Sprintf("2001:db8:%x:%x::1", i>>16, i&0xffff)
		}
		l.fail(addr)
		most = max(most, len(l.bucket))
	}
	if most > maxClients {
		t.Errorf("the table held %d buckets, more than %d", most, maxClients)
	}
	if l.allow(guesser) {
		t.Error("the guesser was let in again by a flood from other addresses")
	}
	// The addresses of one IPv6 /64 are one client.
	for i := range failBurst {
		l.fail(fmt.Sprintf("2001:db8:ffff:1:%x::2", i+1))
	}
	if l.allow("2001:db8:ffff:1::99") {
		t.Error("a /64 walking through its addresses is not refused")
	}
	if !l.allow("2001:db8:ffff:2::1") {
		t.Error("the next /64 is refused")
	}
}
