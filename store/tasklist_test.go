package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/workflow"
)

// bigDoc is a document of n recommendations in two sections, paragraph
// numbers 1..n, one in ten about "border" police, with a Lao one.
func bigDoc(symbol string, n int) *workflow.Document {
	d := &workflow.Document{Symbol: symbol, Body: "CRC", Kind: workflow.ConcludingObservations, Title: "Concluding observations " + symbol,
		State: "Lao PDR", Adopted: civil.D(2026, 6, 5)}
	for i := 1; i <= n; i++ {
		sec, text := "I. General", fmt.Sprintf("Recommendation number %d.", i)
		if i > n/2 {
			sec = "II. Justice"
		}
		if i%10 == 0 {
			text = fmt.Sprintf("Train border police, 100%% of them (%d).", i)
		}
		if i == 7 {
			text = "ຝຶກອົບຮົມຕຳຫຼວດ ຊາຍແດນ"
		}
		r := workflow.Recommendation{Paragraph: i, Section: sec, Verb: "recommends", Text: text}
		r.ID = workflow.RecID(d.Symbol, r.Paragraph, r.Item)
		d.Recommendations = append(d.Recommendations, r)
	}
	return d
}

func dashDB(t *testing.T) *DB {
	t.Helper()
	db, _ := openTest(t)
	ctx := context.Background()
	// Owners alternate: mps, moj, unassigned (every third).
	plan := func(symbol string, rec workflow.Recommendation) workflow.Assignment {
		owner := []string{"mps", "moj", ""}[rec.Paragraph%3]
		a := workflow.Assignment{Owner: owner, By: "test rule", Stage: "assigned"}
		if rec.Paragraph%4 == 0 {
			a.Support = []string{"moe"}
		}
		return a
	}
	if _, err := db.Import(ctx, []ImportItem{{Doc: bigDoc("CRC/C/A/CO/1", 60), Source: "a.txt"}, {Doc: bigDoc("CRC/C/B/CO/1", 40), Source: "b.txt"}}, plan); err != nil {
		t.Fatal(err)
	}
	return db
}

func recIDs(ts []DashTask) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.RecID)
	}
	return out
}

func TestTaskListFiltersAndPages(t *testing.T) {
	db := dashDB(t)
	ctx := context.Background()
	if _, err := db.Advance(ctx, "CRC/C/B/CO/1:5", "in_progress", Actor{Name: "Coordinator"}, "", func(workflow.Task) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddUpdate(ctx, Update{TaskID: mustTask(t, db, "CRC/C/B/CO/1:5"), Ministry: "mps", Role: RoleLead, Author: "Khamla", Text: "Done a part."}); err != nil {
		t.Fatal(err)
	}

	// All tasks, a page of 30 at a time, in document order, every task once.
	var all []string
	q := TaskQuery{Limit: 30}
	pages := 0
	for {
		p, err := db.TaskList(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 100 || p.TotalCapped {
			t.Fatalf("total = %d capped %v, want 100", p.Total, p.TotalCapped)
		}
		all = append(all, recIDs(p.Tasks)...)
		pages++
		if p.Next == "" {
			break
		}
		q.After = p.Next
	}
	if pages != 4 || len(all) != 100 || all[0] != "CRC/C/A/CO/1:1" || all[59] != "CRC/C/A/CO/1:60" || all[60] != "CRC/C/B/CO/1:1" || all[99] != "CRC/C/B/CO/1:40" {
		t.Fatalf("pages %d, %d tasks: %v … %v", pages, len(all), all[:2], all[len(all)-2:])
	}

	cases := []struct {
		name  string
		q     TaskQuery
		want  int
		first string
	}{
		{"owner", TaskQuery{Owner: "moj"}, 20 + 14, "CRC/C/A/CO/1:1"},
		{"unassigned", TaskQuery{Owner: "unassigned"}, 20 + 13, "CRC/C/A/CO/1:2"},
		{"stage", TaskQuery{Stage: "in_progress"}, 1, "CRC/C/B/CO/1:5"},
		{"document", TaskQuery{Document: "CRC/C/B/CO/1"}, 40, "CRC/C/B/CO/1:1"},
		{"section", TaskQuery{Document: "CRC/C/A/CO/1", Section: "II. Justice"}, 30, "CRC/C/A/CO/1:31"},
		{"text, two words", TaskQuery{Text: "BORDER police"}, 6 + 4, "CRC/C/A/CO/1:10"},
		{"text, Lao", TaskQuery{Text: "ຊາຍແດນ"}, 2, "CRC/C/A/CO/1:7"},
		{"text, id", TaskQuery{Text: "B/CO/1:40"}, 1, "CRC/C/B/CO/1:40"},
		// % is a character searched for, not a wildcard.
		{"text, percent", TaskQuery{Text: "100%"}, 10, "CRC/C/A/CO/1:10"},
		{"text, underscore", TaskQuery{Text: "_"}, 0, ""},
		{"no such document", TaskQuery{Document: "CRC/C/NONE"}, 0, ""},
		{"groups", TaskQuery{InGroups: true, Groups: []GroupSel{{Document: 2, Stage: "assigned", Paragraphs: []int{1, 2, 5}}, {Document: 1, Stage: "assigned", Except: listTo(59)}}}, 3, "CRC/C/A/CO/1:60"},
		{"no groups", TaskQuery{InGroups: true}, 0, ""},
		// Thousands of groups limited to some paragraphs (a million
		// tasks make them) stay within SQLite's expression depth.
		{"many limited groups", TaskQuery{InGroups: true, Groups: manyLimited(3000)}, 3, "CRC/C/B/CO/1:1"},
		{"owner and text", TaskQuery{Owner: "mps", Text: "border"}, 3, "CRC/C/A/CO/1:30"},
	}
	for _, c := range cases {
		p, err := db.TaskList(ctx, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		ids := recIDs(p.Tasks)
		if p.Total != c.want || len(ids) != min(c.want, 50) {
			t.Errorf("%s: total %d, listed %d, want %d: %v", c.name, p.Total, len(ids), c.want, ids)
			continue
		}
		if c.want > 0 && ids[0] != c.first {
			t.Errorf("%s: first %s, want %s", c.name, ids[0], c.first)
		}
	}

	// The task with an update says so; support is split.
	p, err := db.TaskList(ctx, TaskQuery{Stage: "in_progress"})
	if err != nil {
		t.Fatal(err)
	}
	if tk := p.Tasks[0]; tk.Updates != 1 || tk.LastUpdate.IsZero() || tk.Owner != "" || tk.Stage != "in_progress" {
		t.Errorf("task with an update: %+v", tk)
	}
	p, err = db.TaskList(ctx, TaskQuery{Text: "B/CO/1:40"})
	if err != nil {
		t.Fatal(err)
	}
	if tk := p.Tasks[0]; len(tk.Support) != 1 || tk.Support[0] != "moe" || tk.Section != "II. Justice" || tk.Updates != 0 || !tk.LastUpdate.IsZero() {
		t.Errorf("task 40: %+v", tk)
	}
}

func listTo(n int) []int {
	var out []int
	for i := 1; i <= n; i++ {
		out = append(out, i)
	}
	return out
}

func mustTask(t *testing.T, db *DB, ref string) int64 {
	t.Helper()
	tk, err := db.Task(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return tk.ID
}

func TestTaskListBadCursor(t *testing.T) {
	db := dashDB(t)
	for _, c := range []string{"x", "1.", ".2", "1.2.3", "9999999999999999999999.1", "1;DROP TABLE tasks"} {
		_, err := db.TaskList(context.Background(), TaskQuery{After: c})
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("cursor %q: err = %v, want ErrInvalid", c, err)
		}
	}
	if n := count(t, db, "tasks"); n != 100 {
		t.Errorf("tasks = %d", n)
	}
}

func TestTaskListCountIsCapped(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if _, err := db.Import(ctx, []ImportItem{{Doc: bigDoc("CRC/C/BIG/CO/1", CountCap+5), Source: "big.txt"}}, planAll("moj")); err != nil {
		t.Fatal(err)
	}
	p, err := db.TaskList(ctx, TaskQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != CountCap || !p.TotalCapped || len(p.Tasks) != 10 || p.Next == "" {
		t.Errorf("total %d capped %v listed %d next %q", p.Total, p.TotalCapped, len(p.Tasks), p.Next)
	}
	var n int
	if err := db.EachTask(ctx, TaskQuery{}, func(DashTask) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != CountCap+5 {
		t.Errorf("EachTask streamed %d tasks, want %d", n, CountCap+5)
	}
}

func TestRecentUpdatesFacetsAndChangeMark(t *testing.T) {
	db := dashDB(t)
	ctx := context.Background()
	mark0, err := db.ChangeMark(ctx)
	if err != nil || mark0 == 0 {
		t.Fatalf("mark %d, %v", mark0, err)
	}
	for i, ref := range []string{"CRC/C/A/CO/1:1", "CRC/C/B/CO/1:2", "CRC/C/A/CO/1:3"} {
		u := Update{TaskID: mustTask(t, db, ref), Ministry: "moj", Role: RoleLead, Author: "A", Text: fmt.Sprintf("update %d", i)}
		if i == 1 {
			u.Evidence = []Evidence{{Kind: EvidenceLink, URL: "https://example.org", Title: "x"}}
		}
		if _, err := db.AddUpdate(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	mark1, err := db.ChangeMark(ctx)
	if err != nil || mark1 <= mark0 {
		t.Fatalf("mark after updates %d (before %d), %v", mark1, mark0, err)
	}
	us, err := db.RecentUpdates(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(us) != 2 || us[0].Text != "update 2" || us[0].RecID != "CRC/C/A/CO/1:3" || us[1].Text != "update 1" || len(us[1].Evidence) != 1 {
		t.Fatalf("recent = %+v", us)
	}
	tu, err := db.TaskUpdates(ctx, mustTask(t, db, "CRC/C/B/CO/1:2"))
	if err != nil || len(tu) != 1 || tu[0].Evidence[0].URL != "https://example.org" {
		t.Fatalf("task updates = %+v, %v", tu, err)
	}
	f, err := db.Facets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Documents) != 2 || f.Documents[0].Symbol != "CRC/C/A/CO/1" || f.Documents[1].Symbol != "CRC/C/B/CO/1" {
		t.Errorf("facets = %+v", f)
	}
	secs, err := db.Sections(ctx, "CRC/C/B/CO/1")
	if err != nil || len(secs) != 2 || secs[0].Name != "I. General" || secs[1].Name != "II. Justice" {
		t.Errorf("sections = %v, %v", secs, err)
	}
}

// The list's statement walks the recommendations' index in document
// order, and each task's updates through their index: a page reads about
// the rows it shows.
func TestTaskListPlanUsesIndexes(t *testing.T) {
	db := dashDB(t)
	where, args := TaskQuery{Owner: "moj"}.where(false)
	rows, err := db.db.raw.Query(`EXPLAIN QUERY PLAN SELECT `+dashColumns+dashFrom+where+` AND (r.document_id, r.seq) > (?, ?) ORDER BY r.document_id, r.seq LIMIT 51`,
		append(args, 1, 1)...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	text := strings.Join(plan, "\n")
	for _, want := range []string{"recommendations_by_document", "task_updates_by_task"} {
		if !strings.Contains(text, want) {
			t.Errorf("plan does not use %s:\n%s", want, text)
		}
	}
	if strings.Contains(text, "TEMP B-TREE") {
		t.Errorf("plan sorts:\n%s", text)
	}
}

func TestAssignAndPublishRecordWhoAndRefuseWithoutName(t *testing.T) {
	db := dashDB(t)
	ctx := context.Background()
	id := mustTask(t, db, "CRC/C/A/CO/1:1")
	uid, err := db.AddUpdate(ctx, Update{TaskID: id, Ministry: "moj", Role: RoleLead, Author: "A", Text: "done"})
	if err != nil {
		t.Fatal(err)
	}
	events := count(t, db, "task_events")
	if _, err := db.Assign(ctx, fmt.Sprint(id), "mps", nil, Actor{Name: "  "}, ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("assign without a name: %v", err)
	}
	if _, err := db.SetUpdatePublic(ctx, uid, true, Actor{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("publish without a name: %v", err)
	}
	if _, err := db.SetUpdatePublic(ctx, 999, true, Actor{Name: "Vanh"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("publish an unknown update: %v", err)
	}
	if _, err := db.Assign(ctx, fmt.Sprint(99999), "mps", nil, Actor{Name: "Vanh"}, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("assign an unknown task: %v", err)
	}
	if n := count(t, db, "task_events"); n != events {
		t.Fatalf("refused changes wrote %d events", n-events)
	}
	// The rules gave moj: moj by hand is a change (the rules no longer
	// move the task), recorded once; the same form sent again writes
	// nothing.
	for range 2 {
		if _, err := db.Assign(ctx, fmt.Sprint(id), "moj", nil, Actor{Name: "Vanh"}, "confirmed"); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, db, "task_events"); n != events+1 {
		t.Fatalf("the same assignment by hand, twice, wrote %d events, want 1", n-events)
	}
	if tk, err := db.Task(ctx, fmt.Sprint(id)); err != nil || !tk.Manual || tk.Owner != "moj" || tk.By != "Vanh" {
		t.Fatalf("after the assignment by hand: %+v, %v", tk, err)
	}
	if h, err := db.History(ctx, id); err != nil || h[len(h)-1].Kind != "assign" || h[len(h)-1].From != "moj" || h[len(h)-1].To != "moj" || h[len(h)-1].Note != "confirmed" {
		t.Fatalf("history = %+v, %v", h, err)
	}
	events++
	by := Actor{Name: "Vanh", FocalPoint: "secretariat@ncmc.example", ClientAddr: "192.0.2.1"}
	if _, err := db.Assign(ctx, fmt.Sprint(id), "mps", []string{"moe"}, by, "courts"); err != nil {
		t.Fatal(err)
	}
	if tid, err := db.SetUpdatePublic(ctx, uid, true, by); err != nil || tid != id {
		t.Fatalf("publish: task %d, %v", tid, err)
	}
	if _, err := db.SetUpdatePublic(ctx, uid, true, by); err != nil { // already public: nothing
		t.Fatal(err)
	}
	h, err := db.History(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range h[len(h)-2:] {
		if e.Actor != "Vanh" || e.FocalPoint != by.FocalPoint || e.ClientAddr != by.ClientAddr {
			t.Errorf("event %+v", e)
		}
		got = append(got, e.Kind+":"+e.From+">"+e.To)
	}
	if strings.Join(got, " ") != "assign:moj>mps +moe public:private>public" {
		t.Errorf("events = %v", got)
	}
	if n := count(t, db, "task_events"); n != events+2 {
		t.Errorf("%d events written, want 2", n-events)
	}
	tk, err := db.Task(ctx, fmt.Sprint(id))
	if err != nil || tk.Owner != "mps" || !tk.Manual || tk.By != "Vanh" {
		t.Errorf("task = %+v, %v", tk, err)
	}
}

// manyLimited is n groups limited to some paragraphs, of which only the
// last names tasks that exist (paragraphs 1 to 3 of document 2).
func manyLimited(n int) []GroupSel {
	out := make([]GroupSel, n)
	for i := range out {
		out[i] = GroupSel{Document: int64(1000 + i), Stage: "assigned", Paragraphs: []int{1, 2}}
	}
	out[n-1] = GroupSel{Document: 2, Stage: "assigned", Paragraphs: []int{1, 2, 3}}
	return out
}
