package store

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rewindToMigration11 makes db's file look as the release before
// migration 0012 left it, with one imported document, and closes it.
func rewindToMigration11(t *testing.T) (path string) {
	t.Helper()
	db, _ := openTest(t)
	ctx := context.Background()
	if _, err := db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "co.txt"}}, planAll("moj")); err != nil {
		t.Fatal(err)
	}
	// Each migration after 0011 undone, newest first.
	for _, q := range append(append(undoTags, undo0013...), `DROP TABLE report_draft_files`, `DELETE FROM schema_migrations WHERE version >= 12`) {
		if _, err := db.db.raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	path = db.Path()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// undo0013 takes migration 0013 (clusters) back out, for the tests that
// make a database of an earlier version: they run it again.
var undo0013 = []string{
	`DROP INDEX task_updates_by_cluster_update`, `ALTER TABLE update_evidence DROP COLUMN file_of`,
	`ALTER TABLE task_updates DROP COLUMN cluster_update`, `DROP TABLE cluster_updates`, `DROP TABLE cluster_events`,
	`DROP INDEX tasks_by_cluster`, `ALTER TABLE tasks DROP COLUMN cluster_id`, `DROP TABLE clusters`}

// latestSchema is the version a database has once opened.
func latestSchema(t *testing.T) int {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	return ms[len(ms)-1].version
}

func schemaVersion(t *testing.T, path string) int {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var v int
	if err := raw.QueryRow(`SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// TestCopyBeforeMigration: opening a database of the previous schema
// writes followup.db.before-0012, a whole database at schema 11 with the
// same tasks, says so in the log, and removes the oldest copies past
// KeptMigrationCopies; copies of other files are left alone.
func TestCopyBeforeMigration(t *testing.T) {
	path := rewindToMigration11(t)
	dir := filepath.Dir(path)
	// Copies from earlier upgrades, and files that only look like them.
	for _, name := range []string{"followup.db.before-0003", "followup.db.before-0007", "followup.db.before-0009",
		"other.db.before-0001", "followup.db.before-12", "followup.db.before-0004.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	db, err := Open(context.Background(), path, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	tasks := count(t, db, "tasks")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := schemaVersion(t, path), latestSchema(t); got != want {
		t.Errorf("database at schema %d after Open, want %d", got, want)
	}
	cp := MigrationCopyName(path, 12)
	if filepath.Base(cp) != "followup.db.before-0012" {
		t.Errorf("copy named %s", cp)
	}
	if got := schemaVersion(t, cp); got != 11 {
		t.Errorf("copy at schema %d, want 11", got)
	}
	st, err := os.Stat(cp)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("copy mode %v, want 0600", st.Mode().Perm())
	}
	raw, err := sql.Open("sqlite3", "file:"+cp+"?mode=ro&immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM tasks`).Scan(&n); err != nil || n != tasks || n == 0 {
		t.Errorf("copy holds %d tasks (%v), database %d", n, err, tasks)
	}
	raw.Close()
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".before-") {
			left = append(left, e.Name())
		}
	}
	want := "followup.db.before-0004.txt followup.db.before-0007 followup.db.before-0009 followup.db.before-0012 followup.db.before-12 other.db.before-0001"
	if got := strings.Join(left, " "); got != want {
		t.Errorf("copies left:\n%s\nwant\n%s", got, want)
	}
	log := logs.String()
	if !strings.Contains(log, "copied the database before migrating") || !strings.Contains(log, "copy="+cp) ||
		!strings.Contains(log, "removed an old before-migration copy") || !strings.Contains(log, "followup.db.before-0003") {
		t.Errorf("log:\n%s", log)
	}

	// Opened again: up to date, so no new copy and nothing pruned.
	logs.Reset()
	db, err = Open(context.Background(), path, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if strings.Contains(logs.String(), "before-") {
		t.Errorf("an up-to-date database was copied:\n%s", logs.String())
	}
}

// TestNoCopyOfANewDatabase: a database created now has nothing to keep.
func TestNoCopyOfANewDatabase(t *testing.T) {
	db, _ := openTest(t)
	copies, err := migrationCopies(db.Path())
	if err != nil || len(copies) != 0 {
		t.Errorf("copies of a new database: %v %v", copies, err)
	}
}

// TestNoMigrationWithoutItsCopy: when the copy cannot be written, Open
// fails saying so and the database keeps its schema, so the previous
// release still opens it.
func TestNoMigrationWithoutItsCopy(t *testing.T) {
	path := rewindToMigration11(t)
	// A folder where the copy goes: it cannot be replaced by a file.
	if err := os.Mkdir(MigrationCopyName(path, 12), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path, Options{})
	if err == nil {
		t.Fatal("Open migrated without its copy")
	}
	if msg := err.Error(); !strings.Contains(msg, "no copy of the database before migration 0012, so nothing was changed") {
		t.Errorf("error: %v", err)
	}
	if got := schemaVersion(t, path); got != 11 {
		t.Errorf("database at schema %d, want 11 (untouched)", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
