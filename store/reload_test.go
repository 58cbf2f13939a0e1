package store

import (
	"context"
	"testing"
	"time"

	"github.com/followup-app/followup/workflow"
)

// TestReloadState: what the daemon records of its config (in force, held,
// confirmed) for other processes to read, and the owner changes a new
// rule set would make, worked out without writing.
func TestReloadState(t *testing.T) {
	db, c := openTest(t)
	ctx := context.Background()
	if text, _, err := db.AppliedConfig(ctx); err != nil || text != nil {
		t.Fatalf("nothing applied yet: %q, %v", text, err)
	}
	if err := db.SetApplied(ctx, []byte("a: 1\n")); err != nil {
		t.Fatal(err)
	}
	if text, since, err := db.AppliedConfig(ctx); err != nil || string(text) != "a: 1\n" || !since.Equal(c.t) {
		t.Errorf("applied: %q since %s, %v", text, since, err)
	}
	first := c.t
	if err := db.HoldReload(ctx, "h1", []string{"it drops b", "it switches mail.transport"}); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Minute)
	if err := db.HoldReload(ctx, "h1", []string{"it drops b", "it switches mail.transport"}); err != nil {
		t.Fatal(err)
	}
	h, err := db.HeldReload(ctx)
	if err != nil || h == nil || h.Hash != "h1" || h.Reasons != "it drops b; it switches mail.transport" || !h.Since.Equal(first) {
		t.Errorf("held: %+v, %v (since stays the first time)", h, err)
	}
	if err := db.ConfirmReload(ctx, "h1"); err != nil {
		t.Fatal(err)
	}
	if got, err := db.ReloadConfirmed(ctx); err != nil || got != "h1" {
		t.Errorf("confirmed %q, %v", got, err)
	}
	// Applying ends the hold and the confirmation.
	if err := db.SetApplied(ctx, []byte("a: 2\n")); err != nil {
		t.Fatal(err)
	}
	if h, _ := db.HeldReload(ctx); h != nil {
		t.Errorf("still held after apply: %+v", h)
	}
	if got, _ := db.ReloadConfirmed(ctx); got != "" {
		t.Errorf("still confirmed after apply: %q", got)
	}
	if err := db.HoldReload(ctx, "h2", []string{"x"}); err != nil {
		t.Fatal(err)
	}
	if err := db.ClearHeldReload(ctx); err != nil {
		t.Fatal(err)
	}
	if h, _ := db.HeldReload(ctx); h != nil {
		t.Errorf("held after clear: %+v", h)
	}

	if _, err := db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "co.txt"}}, planAll("moj")); err != nil {
		t.Fatal(err)
	}
	before := count(t, db, "task_events")
	moved := func(symbol string, rec workflow.Recommendation) workflow.Assignment {
		if rec.Paragraph == 14 {
			return workflow.Assignment{Owner: "moe"}
		}
		return workflow.Assignment{Owner: "moj"}
	}
	total, changed, first3, err := db.OwnerChanges(ctx, moved, 1)
	if err != nil || total != 3 || changed != 2 || len(first3) != 1 || first3[0].From != "moj" || first3[0].To != "moe" || first3[0].Symbol != "CRC/C/XYZ/CO/1" {
		t.Errorf("OwnerChanges = %d, %d, %+v, %v", total, changed, first3, err)
	}
	if count(t, db, "task_events") != before {
		t.Error("OwnerChanges wrote task events")
	}
}
