package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/workflow"
)

// tableDump is every row of every table of a database (but the migrations'
// own), each row as the text of its values by column.
type tableDump map[string]struct {
	cols []string
	rows []map[string]string
}

func dumpDatabase(t *testing.T, path string) tableDump {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	names, err := raw.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for names.Next() {
		var n string
		if err := names.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	names.Close()
	out := tableDump{}
	for _, tb := range tables {
		rows, err := raw.Query(`SELECT * FROM "` + tb + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		d := out[tb]
		d.cols = cols
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := map[string]string{}
			for i, c := range cols {
				row[c] = fmt.Sprintf("%T:%v", vals[i], vals[i])
			}
			d.rows = append(d.rows, row)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		out[tb] = d
	}
	return out
}

// rowsOf renders table's rows by the columns cols, sorted: the same rows
// give the same list whatever order the table returns them in.
func (d tableDump) rowsOf(table string, cols []string) []string {
	var out []string
	for _, r := range d[table].rows {
		var b strings.Builder
		for _, c := range cols {
			b.WriteString(c + "=" + r[c] + "\x1f")
		}
		out = append(out, b.String())
	}
	slices.Sort(out)
	return out
}

func (d tableDump) count(table string) int { return len(d[table].rows) }

// TestUpgradeFromEarlierReleases opens databases written by the binaries
// of earlier commits (testdata/releases, made by make.sh there, which
// names them): every row of every table they had (tasks, task events,
// progress updates and their evidence, outbox messages and bodies…) is
// still there after the migrations, with the same values in the columns
// both schemas have; the store reads them; and the copy from before the
// migrations is the database as the release left it.
func TestUpgradeFromEarlierReleases(t *testing.T) {
	fixtures, err := filepath.Glob("testdata/releases/*/followup.db")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	schemas := map[int]bool{}
	updates := 0
	for _, fixture := range fixtures {
		t.Run(filepath.Base(filepath.Dir(fixture)), func(t *testing.T) {
			data, err := os.ReadFile(fixture)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "followup.db")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			old := schemaVersion(t, path)
			if old >= len(ms) {
				t.Fatalf("the fixture is at schema %d: nothing to migrate (this followup knows %d)", old, len(ms))
			}
			schemas[old] = true
			before := dumpDatabase(t, path)
			for _, tb := range []string{"tasks", "task_events", "outbox", "outbox_bodies"} {
				if before.count(tb) == 0 {
					t.Fatalf("the fixture has no %s rows: regenerate it (make.sh)", tb)
				}
			}
			updates += before.count("task_updates")

			db, err := Open(context.Background(), path, Options{})
			if err != nil {
				t.Fatalf("opening a database of schema %d: %v", old, err)
			}
			// The store reads what the release wrote.
			var tasks int
			if err := db.Tasks(context.Background(), TaskFilter{}, func(workflow.Task) error { tasks++; return nil }); err != nil {
				t.Fatal(err)
			}
			msgs, err := db.Outbox(context.Background(), "", 1000)
			if err != nil {
				t.Fatal(err)
			}
			var readUpdates int
			if err := db.Updates(context.Background(), UpdateFilter{}, func(Update) error { readUpdates++; return nil }); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if tasks != before.count("tasks") || len(msgs) != before.count("outbox") || readUpdates != before.count("task_updates") {
				t.Errorf("the store reads %d tasks, %d messages, %d updates; the release wrote %d, %d, %d",
					tasks, len(msgs), readUpdates, before.count("tasks"), before.count("outbox"), before.count("task_updates"))
			}
			if got := schemaVersion(t, path); got != len(ms) {
				t.Errorf("schema %d after Open, want %d", got, len(ms))
			}

			after := dumpDatabase(t, path)
			for tb, b := range before {
				a, ok := after[tb]
				if !ok {
					t.Errorf("table %s is gone", tb)
					continue
				}
				var common []string
				for _, c := range b.cols {
					if slices.Contains(a.cols, c) {
						common = append(common, c)
					}
				}
				if len(common) < len(b.cols) {
					t.Errorf("%s lost columns: had %v, has %v", tb, b.cols, a.cols)
				}
				if got, want := after.rowsOf(tb, common), before.rowsOf(tb, common); !slices.Equal(got, want) {
					t.Errorf("%s: %d rows before the migrations, %d after, or values changed", tb, len(want), len(got))
				}
			}

			// The copy is the database as the release left it.
			cp := MigrationCopyName(path, old+1)
			if got := schemaVersion(t, cp); got != old {
				t.Errorf("%s at schema %d, want %d", filepath.Base(cp), got, old)
			}
			kept := dumpDatabase(t, cp)
			for tb, b := range before {
				if got, want := kept.rowsOf(tb, b.cols), before.rowsOf(tb, b.cols); !slices.Equal(got, want) {
					t.Errorf("the copy's %s differs from the release's", tb)
				}
			}
		})
	}
	if len(schemas) < 2 {
		t.Errorf("fixtures of %d earlier schemas, want at least 2 (testdata/releases/make.sh)", len(schemas))
	}
	if updates == 0 {
		t.Error("no fixture holds a progress update")
	}
}
