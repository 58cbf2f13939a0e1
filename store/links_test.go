package store

import (
	"context"
	"errors"
	"testing"
)

// TestLinkGeneration: a link's generation is the sum of the global, its
// body's and its address's (in any case); each Revoke bumps one, and a
// slot's transaction reads the same sums the database does. An unknown
// scope is refused and bumps nothing.
func TestLinkGeneration(t *testing.T) {
	db, c := openTest(t)
	ctx := context.Background()
	for _, scope := range []string{ScopeAll, ScopeBody("moj"), ScopeBody("moj"), ScopeEmail("FP@moj.example.org"), ScopeBody("moe")} {
		if _, err := db.Revoke(ctx, scope, "Admin"); err != nil {
			t.Fatal(err)
		}
	}
	rows := count(t, db, "link_generations")
	if _, err := db.Revoke(ctx, "ministry:moj", "Admin"); !errors.Is(err, ErrInvalid) {
		t.Errorf("an unknown scope: %v", err)
	}
	if n := count(t, db, "link_generations"); n != rows {
		t.Errorf("the refused revoke wrote %d rows", n-rows)
	}
	cases := []struct {
		email, body string
		want        int64
	}{
		{"fp@MOJ.example.org", "moj", 1 + 2 + 1},
		{"other@moj.example.org", "moj", 1 + 2},
		{"fp@moj.example.org", "mps", 1 + 1},
		{"x@y.org", "moe", 1 + 1},
		{"x@y.org", "mps", 1},
	}
	for _, k := range cases {
		if g, err := db.LinkGeneration(ctx, k.email, k.body); err != nil || g != k.want {
			t.Errorf("LinkGeneration(%s, %s) = %d, %v; want %d", k.email, k.body, g, err, k.want)
		}
	}
	if err := db.RunSlot(ctx, "digest", c.t, true, func(s *SlotTx) error {
		for _, k := range cases {
			g, err := s.LinkGeneration(ctx, k.email, k.body)
			if err != nil {
				return err
			}
			if g != k.want {
				t.Errorf("in a slot, LinkGeneration(%s, %s) = %d; want %d", k.email, k.body, g, k.want)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
