package report_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/ingest"
	"github.com/followup-app/followup/internal/needs"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// shared returns the team's shared folder, or skips the test when it is
// absent (a clone without it; under CI it fails).
func shared(t testing.TB) string {
	t.Helper()
	return needs.Shared(t)
}

// exampleConfig loads the Lao PDR example config.
func exampleConfig(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := config.Load(filepath.Join("..", "examples", "lao-opsc", "followup.yaml"), config.LoadOptions{Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// openDB opens a fresh database in a temporary folder, on a clock the test
// moves.
func openDB(t testing.TB, cfg *config.Config, c *clock) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "followup.db"), store.Options{Now: c.now, Location: cfg.Location})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// importFiles imports documents the way followup import does, the config's
// rules giving each task its owner.
func importFiles(t testing.TB, db *store.DB, cfg *config.Config, paths ...string) {
	t.Helper()
	var items []store.ImportItem
	for _, p := range paths {
		d, err := ingest.ReadFile(p, ingest.Options{})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		items = append(items, store.ImportItem{Doc: d, Source: p})
	}
	importDocs(t, db, cfg, items...)
}

func importDocs(t testing.TB, db *store.DB, cfg *config.Config, items ...store.ImportItem) {
	t.Helper()
	if _, err := db.Import(context.Background(), items, workflow.NewAssigner(cfg.InitialStage, cfg.Assignment).Assign); err != nil {
		t.Fatal(err)
	}
}

// tasks returns the tasks of a document in order.
func tasks(t testing.TB, db *store.DB, symbol string) []workflow.Task {
	t.Helper()
	var out []workflow.Task
	if err := db.Tasks(context.Background(), store.TaskFilter{Document: symbol}, func(tk workflow.Task) error { out = append(out, tk); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// remindSent records a reminder about a task to a ministry the way the
// daemon does (in a slot, logged, then delivered), sent at the clock's time.
func remindSent(t testing.TB, db *store.DB, c *clock, task workflow.Task, ministry string) {
	t.Helper()
	ctx := context.Background()
	key := "reminder:" + ministry + ":" + c.t.Format(time.RFC3339)
	doc := documentID(t, db, task)
	err := db.RunSlot(ctx, "reminders", c.t, false, func(s *store.SlotTx) error {
		id, _, err := s.Enqueue(ctx, plan.Outgoing{Key: key, Kind: "reminder", Recipient: ministry, Subject: "Reminder",
			MessageID: key + "@test", From: "followup@example.org", To: []string{ministry + "@example.org"}, Raw: []byte("Subject: Reminder\r\n\r\nx\r\n")})
		if err != nil {
			return err
		}
		return logReminder(ctx, s, doc, task, "stage:assigned:"+c.t.Format("2006-01-02"), "due", id)
	})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := db.ClaimBatch(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range batch {
		if err := db.MarkSent(ctx, m.ID, "250 ok"); err != nil {
			t.Fatal(err)
		}
	}
}

// documentID is the stored id of a task's document.
func documentID(t testing.TB, db *store.DB, task workflow.Task) int64 {
	t.Helper()
	docs, err := db.ReportDocuments(context.Background(), []string{task.Document.Symbol})
	if err != nil || len(docs) != 1 {
		t.Fatalf("document of %s: %v %v", task.Rec.ID, docs, err)
	}
	return docs[0].ID
}

// logReminder logs a reminder of the task's paragraph in its group (of
// document doc) under the message outboxID, as the sweep does (the tasks
// of the same paragraph and owner in that group are logged with it).
func logReminder(ctx context.Context, s *store.SlotTx, doc int64, task workflow.Task, deadline, kind string, outboxID int64) error {
	q := plan.SweepQuery{Fires: []plan.Fire{{Document: doc, Stage: task.Stage, Paragraphs: []int{task.Rec.Paragraph},
		Deadline: deadline, Kind: kind}}}
	return s.LogSweep(ctx, q, map[plan.Channel]int64{{Owner: task.Owner}: outboxID})
}
