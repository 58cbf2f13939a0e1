package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestOwnershipRequests(t *testing.T) {
	db, _, id := importedTasks(t)
	ctx := context.Background()
	by := Actor{Name: "Ms Justice", FocalPoint: "focal@moj.example", ClientAddr: "192.0.2.7"}
	receipt := OutboxMessage{Key: "receipt:not-ours:1", Kind: "receipt", Recipient: "moj", Raw: []byte("x")}

	// Refused, with nothing written: no request, no event, no receipt.
	before := [3]int{count(t, db, "ownership_requests"), count(t, db, "task_events"), count(t, db, "outbox")}
	for _, c := range []struct {
		r    OwnershipRequest
		want error
		text string
	}{
		{OwnershipRequest{TaskID: id["CRC/C/XYZ/CO/1:8"], Ministry: "moj", Proposed: "mps", Reason: "  ", By: by}, ErrInvalid, "no reason"},
		{OwnershipRequest{TaskID: id["CRC/C/XYZ/CO/1:8"], Ministry: "moj", Proposed: "mps", Reason: "Police work.", By: Actor{Name: " "}}, ErrInvalid, "no author name"},
		{OwnershipRequest{TaskID: id["CRC/C/XYZ/CO/1:8"], Ministry: "moj", Reason: "Police work.", By: by}, ErrInvalid, "no ministry"},
		{OwnershipRequest{TaskID: id["CRC/C/XYZ/CO/1:8"], Ministry: "moj", Proposed: "moj", Reason: "Police work.", By: by}, ErrInvalid, "the one asking"},
		{OwnershipRequest{TaskID: 9999, Ministry: "moj", Proposed: "mps", Reason: "Police work.", By: by}, ErrNotFound, "task 9999"},
	} {
		if _, err := db.AddOwnershipRequest(ctx, c.r, receipt); !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%+v: %v, want %v saying %q", c.r, err, c.want, c.text)
		}
	}
	if after := [3]int{count(t, db, "ownership_requests"), count(t, db, "task_events"), count(t, db, "outbox")}; after != before {
		t.Fatalf("refused requests wrote: %v -> %v", before, after)
	}

	// moj owns 8 and asks for mps; moj supports... nothing: mps asks about
	// 14a's support role after the coordinator gives it.
	if _, err := db.Assign(ctx, "CRC/C/XYZ/CO/1:14a", "moj", []string{"mps"}, Actor{Name: "Coordinator"}, ""); err != nil {
		t.Fatal(err)
	}
	r1, err := db.AddOwnershipRequest(ctx, OwnershipRequest{TaskID: id["CRC/C/XYZ/CO/1:8"], Ministry: "moj", Proposed: "mps", Reason: " Police   work. ", By: by}, receipt)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := db.AddOwnershipRequest(ctx, OwnershipRequest{TaskID: id["CRC/C/XYZ/CO/1:14a"], Ministry: "mps", Proposed: "edu", Reason: "Schools.", By: Actor{Name: "Police"}})
	if err != nil {
		t.Fatal(err)
	}
	r3, err := db.AddOwnershipRequest(ctx, OwnershipRequest{TaskID: id["CRC/C/XYZ/CO/1:14b"], Ministry: "moj", Proposed: "na", Reason: "Law.", By: by})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "outbox"); n != before[2]+1 {
		t.Errorf("the receipt was not enqueued with the request: %d messages", n)
	}
	open, err := db.OwnershipRequests(ctx, OwnershipFilter{OnlyOpen: true, Ministry: "moj"})
	if err != nil || len(open) != 2 || open[0].ID != r1 || open[0].RecID != "CRC/C/XYZ/CO/1:8" || open[0].By != by || open[0].Reason != "Police   work." {
		t.Fatalf("open requests of moj = %+v, %v", open, err)
	}

	// The coordinator's decisions: without a name, on nothing, then for real.
	if err := db.DecideOwnership(ctx, r1, true, Actor{}, ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("decide without a name: %v", err)
	}
	if err := db.DecideOwnership(ctx, 999, true, Actor{Name: "Vanh"}, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("decide an unknown request: %v", err)
	}
	coord := Actor{Name: "Vanh", FocalPoint: "sec@ncmc.example"}
	// The owner asked: the task goes to the ministry it named, by hand.
	if err := db.DecideOwnership(ctx, r1, true, coord, "agreed"); err != nil {
		t.Fatal(err)
	}
	// A supporting ministry asked: the one it named supports instead.
	if err := db.DecideOwnership(ctx, r2, true, coord, ""); err != nil {
		t.Fatal(err)
	}
	// Refused: nothing moves.
	if err := db.DecideOwnership(ctx, r3, false, coord, "it is yours"); err != nil {
		t.Fatal(err)
	}
	if err := db.DecideOwnership(ctx, r3, true, coord, ""); !errors.Is(err, ErrDecided) || !errors.Is(err, ErrConflict) {
		t.Errorf("decided twice: %v", err)
	}
	for ref, want := range map[string]string{"8": "mps [] true Vanh", "14a": "moj [edu] true Vanh", "14b": "moj [] false test rule"} {
		tk, err := db.Task(ctx, "CRC/C/XYZ/CO/1:"+ref)
		if err != nil {
			t.Fatal(err)
		}
		if got := tk.Owner + " " + strings.Join([]string{"[", strings.Join(tk.Support, ","), "]"}, "") + " " + map[bool]string{true: "true", false: "false"}[tk.Manual] + " " + tk.By; got != want {
			t.Errorf("task %s: %s, want %s", ref, got, want)
		}
	}
	h, err := db.History(ctx, id["CRC/C/XYZ/CO/1:8"])
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range h {
		got = append(got, e.Actor+" "+e.Kind+" "+e.From+">"+e.To+" "+e.Note)
	}
	want := []string{"import created >moj test rule", "Ms Justice not-ours moj>mps Police work.",
		"Vanh assign moj>mps ownership request 1 agreed", "Vanh not-ours-decided moj>agreed agreed"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("history of 8:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	all, err := db.OwnershipRequests(ctx, OwnershipFilter{TaskID: id["CRC/C/XYZ/CO/1:14b"]})
	if err != nil || len(all) != 1 || all[0].Decision != DecisionRefused || all[0].DecidedBy != "Vanh" || all[0].Note != "it is yours" || all[0].DecidedAt.IsZero() {
		t.Errorf("the refused request = %+v, %v", all, err)
	}
	if open, _ := db.OwnershipRequests(ctx, OwnershipFilter{OnlyOpen: true}); len(open) != 0 {
		t.Errorf("still open: %+v", open)
	}
}
