package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/workflow"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func openTest(t *testing.T) (*DB, *clock) {
	t.Helper()
	c := &clock{time.Date(2027, 1, 4, 1, 0, 0, 0, time.UTC)}
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "followup.db"), Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, c
}

func coDoc() *workflow.Document {
	d := &workflow.Document{Symbol: "CRC/C/XYZ/CO/1", Body: "CRC", Kind: workflow.ConcludingObservations, Title: "Concluding observations",
		State: "Mongolia", Adopted: civil.D(2026, 6, 5)}
	for _, r := range []workflow.Recommendation{
		{Paragraph: 8, Section: "III. Data", Verb: "recommends", Text: "Collect data."},
		{Paragraph: 14, Item: "a", Section: "IV. General", Subsection: "Training", Verb: "urges", Text: "Train border police.", Concern: 13},
		{Paragraph: 14, Item: "b", Section: "IV. General", Subsection: "Training", Verb: "urges", Text: "Train judges."},
	} {
		r.ID = workflow.RecID(d.Symbol, r.Paragraph, r.Item)
		d.Recommendations = append(d.Recommendations, r)
	}
	return d
}

func planAll(owner string) Planner {
	return func(symbol string, rec workflow.Recommendation) workflow.Assignment {
		return workflow.Assignment{Owner: owner, By: "test rule", Stage: "assigned"}
	}
}

func count(t *testing.T, db *DB, table string) int {
	t.Helper()
	var n int
	if err := db.db.raw.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportIsIdempotent(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	res, err := db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "co.txt"}}, planAll("moj"))
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].New || len(res[0].Added) != 3 {
		t.Fatalf("first import = %+v", res[0])
	}
	res, err = db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "copy-of-co.txt"}}, planAll("moj"))
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Unchanged() {
		t.Errorf("second import changed something: %+v", res[0])
	}
	if n := count(t, db, "recommendation_changes"); n != 0 {
		t.Errorf("%d history rows after an identical import", n)
	}
	if n := count(t, db, "task_events"); n != 3 {
		t.Errorf("%d task events, want 3 (one 'created' per task)", n)
	}
}

func TestCorrectedVersionKeepsHistory(t *testing.T) {
	db, c := openTest(t)
	ctx := context.Background()
	if _, err := db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "co.txt"}}, planAll("moj")); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(24 * time.Hour)
	v2 := coDoc()
	v2.Recommendations[1].Text = "Train border police and customs officers."
	v2.Recommendations = v2.Recommendations[:2] // 14b dropped in the corrected version
	v2.Recommendations = append(v2.Recommendations, workflow.Recommendation{ID: "CRC/C/XYZ/CO/1:20", Paragraph: 20, Text: "Ratify."})
	res, err := db.Import(ctx, []ImportItem{{Doc: v2, Source: "co-corr1.txt"}}, planAll("moj"))
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if !slices.Equal(r.Changed, []string{"CRC/C/XYZ/CO/1:14a"}) || !slices.Equal(r.Added, []string{"CRC/C/XYZ/CO/1:20"}) ||
		!slices.Equal(r.Missing, []string{"CRC/C/XYZ/CO/1:14b"}) {
		t.Errorf("result = %+v", r)
	}
	d, err := db.Recommendation(ctx, "CRC/C/XYZ/CO/1:14a")
	if err != nil {
		t.Fatal(err)
	}
	if d.Rec.Text != "Train border police and customs officers." || len(d.Changes) != 1 ||
		d.Changes[0].Old != "Train border police." || d.Changes[0].Field != "text" || !d.Changes[0].At.Equal(c.t) {
		t.Errorf("detail = %+v", d)
	}
	// The dropped recommendation is kept, not deleted: its task may have a history.
	if _, err := db.Recommendation(ctx, "CRC/C/XYZ/CO/1:14b"); err != nil {
		t.Errorf("14b was deleted: %v", err)
	}
	// The history cannot be edited in place.
	if _, err := db.db.raw.Exec(`UPDATE recommendation_changes SET old_value = 'x'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("history update: %v", err)
	}
}

func uprDocs() (*workflow.Document, *workflow.Document) {
	rep := &workflow.Document{Symbol: "A/HRC/61/9", Body: "UPR", Kind: workflow.UPRReport, State: "Mongolia"}
	for i, st := range []string{"supported", "pending", "pending"} {
		item := string(rune('1' + i))
		rep.Recommendations = append(rep.Recommendations, workflow.Recommendation{ID: "A/HRC/61/9:5." + item, Paragraph: 5, Item: item, Text: "Do " + item, Status: st})
	}
	add := &workflow.Document{Symbol: "A/HRC/61/9/Add.1", Body: "UPR", Kind: workflow.UPRAddendum, Parent: "A/HRC/61/9", Positions: []workflow.Position{
		{ID: "A/HRC/61/9:5.2", Status: "supported"}, {ID: "A/HRC/61/9:5.3", Status: "noted"}, {ID: "A/HRC/61/9:5.9", Status: "noted"},
	}}
	return rep, add
}

func TestAddendum(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	rep, add := uprDocs()
	before := count(t, db, "documents")
	if _, err := db.Import(ctx, []ImportItem{{Doc: add, Source: "add.txt"}}, nil); !errors.Is(err, ErrParentMissing) {
		t.Fatalf("addendum before its report: %v", err)
	}
	if count(t, db, "documents") != before {
		t.Fatal("a failed import left a document behind")
	}
	res, err := db.Import(ctx, []ImportItem{{Doc: rep, Source: "rep.txt"}, {Doc: add, Source: "add.txt"}}, planAll(""))
	if err != nil {
		t.Fatal(err)
	}
	if a := res[1]; !slices.Equal(a.Changed, []string{"A/HRC/61/9:5.2", "A/HRC/61/9:5.3"}) || !slices.Equal(a.Unknown, []string{"A/HRC/61/9:5.9"}) {
		t.Errorf("addendum result = %+v", a)
	}
	// Importing the report again must not undo the positions.
	rep2, _ := uprDocs()
	if res, err = db.Import(ctx, []ImportItem{{Doc: rep2, Source: "rep.txt"}}, planAll("")); err != nil || !res[0].Unchanged() {
		t.Fatalf("re-import of the report: %+v %v", res, err)
	}
	for id, want := range map[string]string{"A/HRC/61/9:5.1": "supported", "A/HRC/61/9:5.2": "supported", "A/HRC/61/9:5.3": "noted"} {
		d, err := db.Recommendation(ctx, id)
		if err != nil || d.Rec.Status != want {
			t.Errorf("%s status = %q (%v), want %q", id, d.Rec.Status, err, want)
		}
	}
}

func TestImportIsAllOrNothing(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	bad := coDoc()
	bad.Symbol = "CRC/C/BAD/CO/1"
	for i := range bad.Recommendations {
		r := &bad.Recommendations[i]
		r.ID = workflow.RecID(bad.Symbol, r.Paragraph, r.Item)
	}
	bad.Recommendations = append(bad.Recommendations, bad.Recommendations[0]) // a duplicate id
	_, err := db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "ok.txt"}, {Doc: bad, Source: "bad.txt"}}, planAll("moj"))
	if err == nil || !strings.Contains(err.Error(), "appears twice") {
		t.Fatalf("err = %v", err)
	}
	for _, table := range []string{"documents", "recommendations", "tasks", "task_events"} {
		if n := count(t, db, table); n != 0 {
			t.Errorf("%s has %d rows after a failed import", table, n)
		}
	}
}

func TestSchemaTooNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.db")
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.db.raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(context.Background(), path, Options{})
	if !errors.Is(err, ErrSchemaTooNew) || !strings.Contains(err.Error(), "schema version 99") {
		t.Errorf("Open = %v", err)
	}
	if _, err := Open(context.Background(), filepath.Join(t.TempDir(), "none.db"), Options{MustExist: true}); !errors.Is(err, ErrNoDatabase) {
		t.Errorf("MustExist: %v", err)
	}
}

func TestPragmasOnEveryConnection(t *testing.T) {
	db, _ := openTest(t)
	var mode string
	var fk, busy int
	if err := db.db.raw.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q %v", mode, err)
	}
	if err := db.db.raw.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d %v", fk, err)
	}
	if err := db.db.raw.QueryRow(`PRAGMA busy_timeout`).Scan(&busy); err != nil || busy != 10000 {
		t.Errorf("busy_timeout = %d %v", busy, err)
	}
}

func TestTasksAdvanceAssignAndRules(t *testing.T) {
	db, c := openTest(t)
	ctx := context.Background()
	if _, err := db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "co.txt"}}, planAll("moj")); err != nil {
		t.Fatal(err)
	}
	refuse := errors.New("refused")
	if _, err := db.Advance(ctx, "CRC/C/XYZ/CO/1:8", "implemented", Actor{Name: "ana"}, "", func(workflow.Task) error { return refuse }); !errors.Is(err, refuse) {
		t.Fatalf("refused advance: %v", err)
	}
	c.t = c.t.Add(time.Hour)
	tk, err := db.Advance(ctx, "CRC/C/XYZ/CO/1:8", "acknowledged", Actor{Name: "ana"}, "received", func(workflow.Task) error { return nil })
	if err != nil || tk.Stage != "acknowledged" {
		t.Fatalf("advance: %+v %v", tk, err)
	}
	if _, err := db.Assign(ctx, "1", "lsb", []string{"ncmc"}, Actor{Name: "ana"}, "statistics"); err != nil {
		t.Fatal(err)
	}
	// The rules change: every task but the one assigned by hand follows.
	n, err := db.ApplyRules(ctx, "v2", planAll("mps"))
	if err != nil || n != 2 {
		t.Fatalf("ApplyRules changed %d (%v), want 2", n, err)
	}
	if n, _ := db.ApplyRules(ctx, "v2", planAll("xxx")); n != 0 {
		t.Errorf("same rules id applied again: %d changes", n)
	}
	tk, _ = db.Task(ctx, "CRC/C/XYZ/CO/1:8")
	if tk.Owner != "lsb" || !tk.Manual || !slices.Equal(tk.Support, []string{"ncmc"}) {
		t.Errorf("hand-assigned task = %+v", tk)
	}
	events, err := db.History(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, e.Kind+":"+e.From+">"+e.To+":"+e.Actor)
	}
	want := []string{"created:>moj:import", "stage:assigned>acknowledged:ana", "assign:moj>lsb +ncmc:ana"}
	if !slices.Equal(got, want) {
		t.Errorf("history = %q, want %q", got, want)
	}
	if _, err := db.db.raw.Exec(`DELETE FROM task_events`); err == nil {
		t.Error("the audit trail could be deleted")
	}
	if _, err := db.Task(ctx, "CRC/C/XYZ/CO/1:99"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown task: %v", err)
	}
}

func enqueueN(t *testing.T, db *DB, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, ok, err := db.Enqueue(context.Background(), OutboxMessage{Key: "k" + string(rune('a'+i)), Kind: "reminder", Recipient: "moj",
			Subject: "s", MessageID: "m", From: "f@x.org", To: []string{"t@x.org"}, Raw: []byte("x")}); err != nil || !ok {
			t.Fatal(err, ok)
		}
	}
}

func TestOutboxLifecycle(t *testing.T) {
	db, c := openTest(t)
	ctx := context.Background()
	enqueueN(t, db, 4)
	if _, ok, _ := db.Enqueue(ctx, OutboxMessage{Key: "ka", Raw: []byte("again")}); ok {
		t.Error("a key was enqueued twice")
	}
	batch, err := db.ClaimBatch(ctx, 10)
	if err != nil || len(batch) != 4 || batch[0].Key != "ka" || batch[3].Key != "kd" {
		t.Fatalf("claim = %d %v", len(batch), err)
	}
	if again, _ := db.ClaimBatch(ctx, 10); len(again) != 0 {
		t.Errorf("claimed twice: %d", len(again))
	}
	if err := db.MarkSent(ctx, batch[0].ID, "250 ok"); err != nil {
		t.Fatal(err)
	}
	next := c.t.Add(time.Minute)
	if err := db.MarkRetry(ctx, batch[1].ID, "451 later", next, 2); err != nil {
		t.Fatal(err)
	}
	// The process dies with batch[2] in flight and batch[3] not tried.
	unc, pend, err := db.Recover(ctx, false)
	if err != nil || unc != 1 || pend != 1 {
		t.Fatalf("Recover = %d uncertain, %d pending, %v", unc, pend, err)
	}
	counts, _ := db.OutboxCounts(ctx)
	if counts["sent"] != 1 || counts["pending"] != 2 || counts["uncertain"] != 1 {
		t.Errorf("counts = %v", counts)
	}
	// Not due yet: the retried one waits a minute.
	batch, _ = db.ClaimBatch(ctx, 10)
	if len(batch) != 1 || batch[0].Key != "kd" {
		t.Fatalf("claim before the retry time = %+v", batch)
	}
	db.Release(ctx, []int64{batch[0].ID}, c.t)
	c.t = next
	batch, _ = db.ClaimBatch(ctx, 10)
	if len(batch) != 2 {
		t.Fatalf("claim after = %d", len(batch))
	}
	// A second temporary failure reaches max_attempts: failed.
	if err := db.MarkRetry(ctx, batch[0].ID, "451 later", next, 2); err != nil {
		t.Fatal(err)
	}
	counts, _ = db.OutboxCounts(ctx)
	if counts["failed"] != 1 {
		t.Errorf("after max attempts: %v", counts)
	}
	if r, err := db.Requeue(ctx, []int64{batch[0].ID}, nil); err != nil || r.Requeued != 1 {
		t.Errorf("requeue = %+v %v", r, err)
	}
}

func TestRunSlot(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	slot := time.Date(2027, 1, 4, 1, 0, 0, 0, time.UTC)
	run := func(dry bool) error {
		return db.RunSlot(ctx, "reminders", slot, dry, func(tx *SlotTx) error {
			_, _, err := tx.Enqueue(ctx, plan.Outgoing{Key: "reminder:moj:1", Raw: []byte("x")})
			return err
		})
	}
	if err := run(true); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "outbox"); n != 0 {
		t.Errorf("a dry run left %d messages", n)
	}
	if _, ran, _ := db.LastSlot(ctx, "reminders"); ran {
		t.Error("a dry run recorded the slot")
	}
	if err := run(false); err != nil {
		t.Fatal(err)
	}
	if err := run(false); !errors.Is(err, ErrSlotDone) {
		t.Errorf("second run of the slot: %v", err)
	}
	if n := count(t, db, "outbox"); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
	// A failing slot leaves nothing behind and does not advance.
	later := slot.Add(time.Hour)
	err := db.RunSlot(ctx, "reminders", later, false, func(tx *SlotTx) error {
		tx.Enqueue(ctx, plan.Outgoing{Key: "reminder:moj:2", Raw: []byte("x")}) //nolint:errcheck // the slot fails anyway
		return sql.ErrConnDone
	})
	if !errors.Is(err, sql.ErrConnDone) || count(t, db, "outbox") != 1 {
		t.Errorf("failed slot: %v, %d messages", err, count(t, db, "outbox"))
	}
	if last, _, _ := db.LastSlot(ctx, "reminders"); !last.Equal(slot) {
		t.Errorf("last slot = %v, want %v", last, slot)
	}
}

// groups lists the task groups through a plan.Reader.
func groups(t *testing.T, db *DB, keep func(string) bool) []plan.Group {
	t.Helper()
	if keep == nil {
		keep = func(string) bool { return true }
	}
	var gs []plan.Group
	err := db.Read(context.Background(), func(r plan.Reader) error {
		var err error
		gs, err = r.TaskGroups(context.Background(), keep)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return gs
}

// TaskGroups finds each document's stages by probing the index rather than
// grouping every task: it must still see every (document, stage) pair,
// whoever owns the tasks, including a stage no config knows any more, and
// leave out the stages the caller does not keep.
func TestGroups(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if gs := groups(t, db, nil); len(gs) != 0 {
		t.Fatalf("empty database: %v", gs)
	}
	second := coDoc()
	second.Symbol = "CRC/C/XYZ/CO/2"
	for i := range second.Recommendations {
		second.Recommendations[i].ID = workflow.RecID(second.Symbol, second.Recommendations[i].Paragraph, second.Recommendations[i].Item)
	}
	second.FollowUp = &workflow.FollowUp{Due: civil.D(2027, 6, 5), Paragraphs: []int{14}}
	if _, err := db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "co1.txt"}, {Doc: second, Source: "co2.txt"}}, planAll("moj")); err != nil {
		t.Fatal(err)
	}
	// Owners and stages spread out; one task sits in a stage the config
	// has since lost.
	for _, q := range []string{
		`UPDATE tasks SET owner = '' WHERE id = 2`,
		`UPDATE tasks SET owner = 'mps', stage = 'reported' WHERE id = 3`,
		`UPDATE tasks SET owner = 'zz', stage = 'old_stage' WHERE id = 5`,
	} {
		if _, err := db.db.raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	list := func(keep func(string) bool) string {
		t.Helper()
		gs := groups(t, db, keep)
		var parts []string
		for _, g := range gs {
			fu := ""
			if g.Doc.FollowUp != nil {
				fu = fmt.Sprintf(" fu %s %v", g.Doc.FollowUp.Due, g.Doc.FollowUp.Paragraphs)
			}
			parts = append(parts, fmt.Sprintf("%d %s %s adopted %s%s", g.Document, g.Doc.Symbol, g.Stage, g.Doc.Adopted, fu))
		}
		return strings.Join(parts, "\n")
	}
	want := `1 CRC/C/XYZ/CO/1 assigned adopted 2026-06-05
1 CRC/C/XYZ/CO/1 reported adopted 2026-06-05
2 CRC/C/XYZ/CO/2 assigned adopted 2026-06-05 fu 2027-06-05 [14]
2 CRC/C/XYZ/CO/2 old_stage adopted 2026-06-05 fu 2027-06-05 [14]`
	if got := list(nil); got != want {
		t.Errorf("all groups:\n%s\nwant:\n%s", got, want)
	}
	open := func(stage string) bool { return stage != "reported" }
	want = `1 CRC/C/XYZ/CO/1 assigned adopted 2026-06-05
2 CRC/C/XYZ/CO/2 assigned adopted 2026-06-05 fu 2027-06-05 [14]
2 CRC/C/XYZ/CO/2 old_stage adopted 2026-06-05 fu 2027-06-05 [14]`
	if got := list(open); got != want {
		t.Errorf("open groups:\n%s\nwant:\n%s", got, want)
	}
	if got := list(func(string) bool { return false }); got != "" {
		t.Errorf("no stage kept: %q", got)
	}
}
