package store

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestClaimKeysAndRelease: messages claimed by key come back in the order
// they were queued, whatever the order of the keys; released, the ones
// not attempted are pending again from the time given, and one whose
// outcome was recorded meanwhile keeps it.
func TestClaimKeysAndRelease(t *testing.T) {
	db, c := openTest(t)
	ctx := context.Background()
	for _, key := range []string{"a", "b", "c"} {
		if _, _, err := db.Enqueue(ctx, OutboxMessage{Key: key, Kind: "digest", Recipient: "ncmc", Subject: key, MessageID: key + "@x",
			From: "f@x.org", To: []string{"a@x.org"}, Raw: []byte("body")}); err != nil {
			t.Fatal(err)
		}
	}
	claimed, err := db.ClaimKeys(ctx, []string{"c", "a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range claimed {
		keys = append(keys, m.Key)
	}
	if !slices.Equal(keys, []string{"a", "b", "c"}) || !slices.IsSortedFunc(claimed, func(x, y OutboxMessage) int { return int(x.ID - y.ID) }) {
		t.Fatalf("claimed %q", keys)
	}
	if err := db.MarkSent(ctx, claimed[1].ID, "250 ok"); err != nil {
		t.Fatal(err)
	}
	if err := db.Release(ctx, nil, c.t); err != nil {
		t.Errorf("releasing nothing: %v", err)
	}
	next := c.t.Add(5 * time.Minute)
	if err := db.Release(ctx, []int64{claimed[0].ID, claimed[1].ID, claimed[2].ID}, next); err != nil {
		t.Fatal(err)
	}
	all, err := db.Outbox(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range all {
		got[m.Key] = m.Status
		if m.Status == StatusPending && !m.NextAttempt.Equal(next) {
			t.Errorf("%s released to %s, want %s", m.Key, m.NextAttempt, next)
		}
	}
	if got["a"] != StatusPending || got["b"] != StatusSent || got["c"] != StatusPending {
		t.Errorf("after release: %v", got)
	}
	// Released to later, they are not claimed before then.
	if batch, err := db.ClaimBatch(ctx, 5); err != nil || len(batch) != 0 {
		t.Errorf("claimed before their time: %+v, %v", batch, err)
	}
	c.t = next
	if batch, err := db.ClaimBatch(ctx, 5); err != nil || len(batch) != 2 {
		t.Errorf("claimed at their time: %+v, %v", batch, err)
	}
}
