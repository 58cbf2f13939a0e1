package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"github.com/followup-app/followup/config"
)

// dumpTasks is the tasks table as text, in id order.
func dumpTasks(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id, document_id, owner, support, assigned_by, manual, stage, stage_since, updated_at FROM tasks ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	n := 0
	for rows.Next() {
		var id, doc, manual, since, updated int64
		var owner, support, by, stage string
		if err := rows.Scan(&id, &doc, &owner, &support, &by, &manual, &stage, &since, &updated); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d|%d|%s|%s|%s|%d|%s|%d|%d\n", id, doc, owner, support, by, manual, stage, since, updated)
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("no tasks in %s", path)
	}
	return b.String()
}

func TestGenIsDeterministic(t *testing.T) {
	c := newCLI(t)
	a, b := filepath.Join(c.dir, "a.db"), filepath.Join(c.dir, "b.db")
	c.mustRun("gen", "--tasks", "1200", "--ministries", "7", "--seed", "5", "--at", "2027-01-04T08:00:00Z", "--db", a)
	c.mustRun("gen", "--tasks", "1200", "--ministries", "7", "--seed", "5", "--at", "2027-01-04T08:00:00Z", "--db", b)
	if dumpTasks(t, a) != dumpTasks(t, b) {
		t.Errorf("two runs with the same seed gave different tasks")
	}
	other := filepath.Join(c.dir, "c.db")
	c.mustRun("gen", "--tasks", "1200", "--ministries", "7", "--seed", "6", "--at", "2027-01-04T08:00:00Z", "--db", other)
	if dumpTasks(t, a) == dumpTasks(t, other) {
		t.Errorf("another seed gave the same tasks")
	}
}

func TestGenCountsAndConfig(t *testing.T) {
	c := newCLI(t)
	db, cfgPath := filepath.Join(c.dir, "load.db"), filepath.Join(c.dir, "load.yaml")
	out := c.mustRun("gen", "--tasks", "2000", "--ministries", "12", "--db", db, "--config-out", cfgPath)
	for _, want := range []string{"generated " + db, "8 documents, 2000 recommendations and tasks", "12 ministries", "by stage: assigned", "config: " + cfgPath} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	cfg, err := config.Load(cfgPath, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Database != db || len(cfg.Ministries) != 12 || cfg.Mail.Transport != "file" || cfg.Mail.Dir != filepath.Join(c.dir, "mail") {
		t.Errorf("config: database %q, %d ministries, transport %q, dir %q", cfg.Database, len(cfg.Ministries), cfg.Mail.Transport, cfg.Mail.Dir)
	}
	// The CLI reads what gen wrote: every task, owned by the generated
	// ministries, with the rules recorded as applied (nothing reassigned).
	tasks := c.mustRun("tasks", "--config", cfgPath, "--json")
	if n := strings.Count(tasks, `"id":`); n != 2000 {
		t.Errorf("followup tasks lists %d tasks, want 2000", n)
	}
	before := dumpTasks(t, db)
	c.mustRun("preview", "--config", cfgPath, "--at", "2027-01-05 08:00")
	if dumpTasks(t, db) != before {
		t.Errorf("the tasks changed when followup opened the database with the generated config")
	}

	smtpCfg := filepath.Join(c.dir, "smtp.yaml")
	c.mustRun("gen", "--tasks", "10", "--ministries", "2", "--db", filepath.Join(c.dir, "smtp.db"), "--config-out", smtpCfg, "--smtp", "127.0.0.1:2525")
	cfg, err = config.Load(smtpCfg, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Mail.Transport != "smtp" || cfg.Mail.SMTP.Host != "127.0.0.1" || cfg.Mail.SMTP.Port != 2525 || cfg.Mail.SMTP.TLS != "none" {
		t.Errorf("smtp config: %q %+v", cfg.Mail.Transport, cfg.Mail.SMTP)
	}
}

func TestGenRefusesToOverwrite(t *testing.T) {
	c := newCLI(t)
	db := filepath.Join(c.dir, "x.db")
	c.mustRun("gen", "--tasks", "50", "--ministries", "3", "--db", db)
	before := fileHash(t, db)
	_, errs, code := c.run("gen", "--tasks", "50", "--ministries", "3", "--db", db)
	if code != 1 || !strings.Contains(errs, "already exists") {
		t.Errorf("gen over an existing database: exit %d, stderr %q; want 1 and 'already exists'", code, errs)
	}
	if fileHash(t, db) != before {
		t.Errorf("the existing database changed")
	}
	cfgPath := c.write("taken.yaml", []byte("# the admin's\n"))
	_, errs, code = c.run("gen", "--tasks", "50", "--ministries", "3", "--db", filepath.Join(c.dir, "y.db"), "--config-out", cfgPath)
	if code != 1 || !strings.Contains(errs, "already exists") {
		t.Errorf("gen over an existing config: exit %d, stderr %q", code, errs)
	}
	if b, _ := os.ReadFile(cfgPath); string(b) != "# the admin's\n" {
		t.Errorf("the existing config changed")
	}
	for _, args := range [][]string{
		{"gen", "--ministries", "3", "--db", filepath.Join(c.dir, "z.db")},
		{"gen", "--tasks", "5"},
		{"gen", "--tasks", "5", "--db", filepath.Join(c.dir, "z.db"), "--smtp", "nohost"},
	} {
		if _, _, code := c.run(args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)", args, code)
		}
	}
	if _, err := os.Stat(filepath.Join(c.dir, "z.db")); !os.IsNotExist(err) {
		t.Errorf("a refused gen left a database behind")
	}
}
