package store

import (
	"context"
	"testing"
)

// TestTaskCursor: a page's Next is its last task's cursor, and any task's
// cursor continues the list right after that task.
func TestTaskCursor(t *testing.T) {
	db := dashDB(t)
	ctx := context.Background()
	p, err := db.TaskList(ctx, TaskQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Tasks) != 10 || p.Next == "" || p.Next != p.Tasks[9].Cursor() {
		t.Fatalf("next %q, last task's cursor %q", p.Next, p.Tasks[len(p.Tasks)-1].Cursor())
	}
	for i, tk := range p.Tasks[:9] {
		after, err := db.TaskList(ctx, TaskQuery{After: tk.Cursor(), Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(after.Tasks) != 1 || after.Tasks[0].RecID != p.Tasks[i+1].RecID {
			t.Errorf("after %s (cursor %q): %v, want %s", tk.RecID, tk.Cursor(), recIDs(after.Tasks), p.Tasks[i+1].RecID)
		}
	}
	last, err := db.TaskList(ctx, TaskQuery{Document: "CRC/C/B/CO/1", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	end, err := db.TaskList(ctx, TaskQuery{Document: "CRC/C/B/CO/1", After: last.Tasks[len(last.Tasks)-1].Cursor()})
	if err != nil || len(end.Tasks) != 0 || last.Next != "" {
		t.Errorf("after the last task: %v, %v (next %q)", recIDs(end.Tasks), err, last.Next)
	}
}
