package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/workflow"
)

// supportPairs reads "task:ministry" pairs from tasks.support and from
// task_support, sorted.
func supportPairs(t *testing.T, q interface {
	Query(string, ...any) (*sql.Rows, error)
}) (fromList, fromTable []string) {
	t.Helper()
	read := func(stmt string, fn func(id int64, v string)) {
		rows, err := q.Query(stmt)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var v string
			if err := rows.Scan(&id, &v); err != nil {
				t.Fatal(err)
			}
			fn(id, v)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	read(`SELECT id, support FROM tasks`, func(id int64, v string) {
		for _, m := range splitList(v) {
			fromList = append(fromList, fmt.Sprintf("%d:%s", id, m))
		}
	})
	read(`SELECT task_id, ministry FROM task_support`, func(id int64, v string) {
		fromTable = append(fromTable, fmt.Sprintf("%d:%s", id, v))
	})
	slices.Sort(fromList)
	slices.Sort(fromTable)
	return fromList, fromTable
}

func checkSupport(t *testing.T, db *DB, after string, want []string) {
	t.Helper()
	list, table := supportPairs(t, db.db.raw)
	if !slices.Equal(list, table) {
		t.Errorf("after %s: tasks.support says %v, task_support %v", after, list, table)
	}
	slices.Sort(want)
	if !slices.Equal(table, want) {
		t.Errorf("after %s: task_support = %v, want %v", after, table, want)
	}
}

// TestTaskSupportFollowsEveryWrite: every way a task's supporting
// ministries change (import, rules, reassign, the coordinator's
// assignment, an agreed "not ours", a re-import whose themes change the
// owners) leaves task_support saying what tasks.support says.
func TestTaskSupportFollowsEveryWrite(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	assign := func(owner string, support ...string) Planner {
		return func(string, workflow.Recommendation) workflow.Assignment {
			return workflow.Assignment{Owner: owner, Support: support, By: "rule 1", Stage: "assigned"}
		}
	}
	if _, err := db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "co.txt"}}, assign("moj", "mps", "na")); err != nil {
		t.Fatal(err)
	}
	id := map[string]int64{}
	for _, ref := range []string{"8", "14a", "14b"} {
		tk, err := db.Task(ctx, "CRC/C/XYZ/CO/1:"+ref)
		if err != nil {
			t.Fatal(err)
		}
		id[ref] = tk.ID
	}
	pairs := func(ref string, ms ...string) []string {
		var out []string
		for _, m := range ms {
			out = append(out, fmt.Sprintf("%d:%s", id[ref], m))
		}
		return out
	}
	checkSupport(t, db, "import", slices.Concat(pairs("8", "mps", "na"), pairs("14a", "mps", "na"), pairs("14b", "mps", "na")))

	if _, err := db.ApplyRules(ctx, "rules 2", assign("mps", "moj")); err != nil {
		t.Fatal(err)
	}
	checkSupport(t, db, "rules", slices.Concat(pairs("8", "moj"), pairs("14a", "moj"), pairs("14b", "moj")))

	if _, err := db.Assign(ctx, "CRC/C/XYZ/CO/1:8", "na", nil, Actor{Name: "admin"}, "by hand"); err != nil {
		t.Fatal(err)
	}
	checkSupport(t, db, "reassign", slices.Concat(pairs("14a", "moj"), pairs("14b", "moj")))

	if _, err := db.Assign(ctx, fmt.Sprint(id["14a"]), "moj", []string{"mps", "edu"}, Actor{Name: "Coordinator"}, ""); err != nil {
		t.Fatal(err)
	}
	checkSupport(t, db, "assign", slices.Concat(pairs("14a", "mps", "edu"), pairs("14b", "moj")))

	// mps, in support of 14a, says the health ministry should be instead.
	req, err := db.AddOwnershipRequest(ctx, OwnershipRequest{TaskID: id["14a"], Ministry: "mps", Proposed: "health", Reason: "Not ours.", By: Actor{Name: "P"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DecideOwnership(ctx, req, true, Actor{Name: "Coordinator"}, "agreed"); err != nil {
		t.Fatal(err)
	}
	checkSupport(t, db, "an agreed request", slices.Concat(pairs("14a", "edu", "health"), pairs("14b", "moj")))

	// A corrected version gives 14b themes: its rules now name new owners
	// (14a and 8 were assigned by hand, which rules never change).
	doc := coDoc()
	doc.Recommendations[2].Themes = []string{"justice"}
	if _, err := db.Import(ctx, []ImportItem{{Doc: doc, Source: "co-v2.txt"}}, assign("edu", "na", "moj")); err != nil {
		t.Fatal(err)
	}
	checkSupport(t, db, "a re-import that changes themes", slices.Concat(pairs("14a", "edu", "health"), pairs("14b", "na", "moj")))

	// The ministry's page finds them.
	gs, err := db.MinistryGroups(ctx, "health")
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 1 || gs[0].Role != RoleSupport || gs[0].Count != 1 || gs[0].Stage != "assigned" {
		t.Errorf("health's groups = %+v, want one task in support", gs)
	}
	if gs, err = db.MinistryGroups(ctx, "moj"); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, role := range []string{RoleLead, RoleSupport} {
		var ranked []RankedGroup
		for _, g := range gs {
			if g.Role == role {
				ranked = append(ranked, RankedGroup{Document: g.Document, Stage: g.Stage, FollowUp: g.FollowUp, Rank: len(ranked)})
			}
		}
		tasks, _, err := db.MinistryTaskPage(ctx, "moj", role, ranked, 0, -1, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, mt := range tasks {
			got = append(got, mt.Task.Rec.ID+" "+mt.Role)
		}
	}
	if want := []string{"CRC/C/XYZ/CO/1:14a lead", "CRC/C/XYZ/CO/1:14b support"}; !slices.Equal(got, want) {
		t.Errorf("moj's tasks = %v, want %v", got, want)
	}
}

// TestSupportMigrationBackfills: a database made before task_support gets
// it filled from tasks.support when it opens.
func TestSupportMigrationBackfills(t *testing.T) {
	db, c := openTest(t)
	ctx := context.Background()
	plan := func(_ string, rec workflow.Recommendation) workflow.Assignment {
		a := workflow.Assignment{Owner: "moj", By: "rule", Stage: "assigned"}
		switch rec.Item {
		case "a":
			a.Support = []string{"mps", "na", "edu"}
		case "b":
			a.Support = []string{"mps"}
		}
		return a
	}
	if _, err := db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "co.txt"}}, plan); err != nil {
		t.Fatal(err)
	}
	before, _ := supportPairs(t, db.db.raw)
	if len(before) != 4 {
		t.Fatalf("support pairs before = %v", before)
	}
	// Undo migration 10 (and those after it, which run again), as a
	// database of the previous version has it.
	for _, q := range append(append(undoTags, undo0013...), `DROP TABLE report_draft_files`, `DROP TABLE task_support`, `DROP INDEX tasks_by_owner`,
		`CREATE INDEX tasks_by_owner ON tasks(owner, stage)`, `DELETE FROM schema_migrations WHERE version >= 10`) {
		if _, err := db.db.raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	path := db.Path()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, path, Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list, table := supportPairs(t, db.db.raw)
	if !slices.Equal(list, before) || !slices.Equal(table, before) {
		t.Errorf("after the migration: tasks.support %v, task_support %v, want %v", list, table, before)
	}
	var idx string
	if err := db.db.raw.QueryRow(`SELECT sql FROM sqlite_master WHERE name = 'tasks_by_owner'`).Scan(&idx); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(idx, "owner, stage, document_id") {
		t.Errorf("tasks_by_owner = %s", idx)
	}
}
