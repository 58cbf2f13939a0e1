package main

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rulesConfig gives justice's tasks to moj; a second rule (added later)
// gives registration to moe.
const rulesConfig = `time_zone: Asia/Vientiane
database: followup.db
coordinator:
  id: coord
  name: Coordinating body
  focal_points: [{name: Secretariat, email: coord@example.org}]
ministries:
  - id: moj
    name: Ministry of Justice
    focal_points: [{email: justice@example.org}]
  - id: moe
    name: Ministry of Education
    focal_points: [{email: education@example.org}]
assignment:
  rules:
%s    - {name: justice, ministry: moj, keywords: [law, regulations, resources, registration]}
mail: {from: "Follow-up <followup@example.org>", dir: mail}
`

const schoolsRule = "    - {name: schools, ministry: moe, keywords: [registration]}\n"

// dbFiles hashes the database and tells whether its WAL and shared-memory
// files are there.
func dbFiles(t *testing.T, dir string) string {
	t.Helper()
	db := filepath.Join(dir, "followup.db")
	return fileHash(t, db) + fileHash(t, db+"-wal") + fileHash(t, db+"-shm")
}

func owners(t *testing.T, c *cli, cfg string) map[string]string {
	t.Helper()
	var tasks []jsonTask
	if err := json.Unmarshal([]byte(c.mustRun("tasks", "--config", cfg, "--json")), &tasks); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, tk := range tasks {
		out[tk.ID] = tk.Owner
	}
	return out
}

// TestReadingCommandsWriteNothing: after the admin changes the assignment
// rules, commands that only read (preview, tasks, task show, recs, docs,
// outbox) leave the database byte for byte as it was, and preview says
// the rules will be applied again; the next command that writes applies
// them, and says so.
func TestReadingCommandsWriteNothing(t *testing.T) {
	c := newCLI(t)
	co, err := os.ReadFile(fixtureCO)
	if err != nil {
		t.Fatal(err)
	}
	c.write("co.txt", co)
	cfg := c.write("followup.yaml", []byte(strings.Replace(rulesConfig, "%s", "", 1)))
	c.mustRun("import", "--config", cfg, filepath.Join(c.dir, "co.txt"))
	id := "CRC/C/MNG/CO/5-6:6" // free and universal birth registration
	if o := owners(t, c, cfg)[id]; o != "moj" {
		t.Fatalf("%s owned by %q under the first rules", id, o)
	}
	out := c.mustRun("preview", "--config", cfg, "--at", "2027-01-05 08:00")
	if strings.Contains(out, "assignment rules changed") {
		t.Errorf("preview before any change:\n%s", out)
	}

	// The admin puts a rule first: the task would go to moe.
	c.write("followup.yaml", []byte(strings.Replace(rulesConfig, "%s", schoolsRule, 1)))
	before := dbFiles(t, c.dir)
	out = c.mustRun("preview", "--config", cfg, "--at", "2027-01-05 08:00", "--full")
	if !strings.Contains(out, "The assignment rules changed since they were last applied") {
		t.Errorf("preview does not say the rules will be applied again:\n%s", out)
	}
	var js jsonPreview
	if err := json.Unmarshal([]byte(c.mustRun("preview", "--config", cfg, "--at", "2027-01-05 08:00", "--json")), &js); err != nil || !js.RulesChanged {
		t.Errorf("preview --json: rules_changed %v (%v)", js.RulesChanged, err)
	}
	for _, args := range [][]string{
		{"tasks"}, {"tasks", "--overdue"}, {"task", "show", id}, {"recs", "list"}, {"recs", "show", id}, {"docs"},
		{"outbox"}, {"preview", "--at", "2027-03-01 08:00", "--job", "coordinator_digest"},
	} {
		c.mustRun(append(args, "--config", cfg)...)
	}
	if o := owners(t, c, cfg)[id]; o != "moj" {
		t.Errorf("a command that reads changed the owner to %q", o)
	}
	if after := dbFiles(t, c.dir); after != before {
		t.Error("a command that only reads changed the database file")
	}

	// A command that writes applies the rules first, and says so.
	_, errs, code := c.run("task", "advance", "--config", cfg, "CRC/C/MNG/CO/5-6:4a", "acknowledged", "--by", "Justice focal point")
	if code != 0 || !strings.Contains(errs, "the assignment rules changed: applied them again") || !strings.Contains(errs, "tasks_changed=") {
		t.Errorf("task advance: exit %d, stderr:\n%s", code, errs)
	}
	if o := owners(t, c, cfg)[id]; o != "moe" {
		t.Errorf("after a command that writes, %s is owned by %q, want moe", id, o)
	}
	if out := c.mustRun("preview", "--config", cfg, "--at", "2027-01-05 08:00"); strings.Contains(out, "assignment rules changed") {
		t.Errorf("preview after the rules were applied:\n%s", out)
	}
}

// TestConfigCheckTemplates: config check loads the mail templates the
// config names and test-renders them: a broken one is reported with its
// file and line.
func TestConfigCheckTemplates(t *testing.T) {
	c := newCLI(t)
	dir := filepath.Join(c.dir, "templates")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c.write("templates/reminder.txt", []byte("{{define \"subject\"}}Reminder{{end}}\n{{define \"body\"}}\nDear {{.Ministry.Name}},\n{{.Ministry.Nmae}}\n{{end}}\n"))
	cfg := c.write("followup.yaml", []byte("mail:\n  templates: templates\n"))
	out, errs, code := c.run("config", "check", cfg)
	if code != 1 || !strings.Contains(out, "FAILED") {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	want := filepath.Join(dir, "reminder.txt") + ":4:"
	if !strings.Contains(errs, want) || !strings.Contains(errs, "Nmae") {
		t.Errorf("stderr does not name %s and the field:\n%s", want, errs)
	}
	// A syntax error, too.
	c.write("templates/reminder.txt", []byte("{{define \"subject\"}}Reminder{{end}}\n{{define \"body\"}}\n{{if .Date}}\n{{end}}\n"))
	_, errs, code = c.run("config", "check", cfg)
	if code != 1 || !strings.Contains(errs, filepath.Join(dir, "reminder.txt")+":") {
		t.Errorf("syntax error: exit %d, stderr:\n%s", code, errs)
	}
	// Fixed: OK.
	os.Remove(filepath.Join(dir, "reminder.txt"))
	if out := c.mustRun("config", "check", cfg); !strings.Contains(out, "OK") {
		t.Errorf("without the broken file: %q", out)
	}
}

// TestDamagedDateNamesTheTask: a stored date that does not parse is an
// error naming the task, in the task list and view, and naming the
// document in the sweep, where it would otherwise silently drop the
// task's deadlines and their reminders.
func TestDamagedDateNamesTheTask(t *testing.T) {
	c := newCLI(t)
	co, err := os.ReadFile(fixtureCO)
	if err != nil {
		t.Fatal(err)
	}
	c.write("co.txt", co)
	cfg := c.write("followup.yaml", []byte(strings.Replace(rulesConfig, "%s", "", 1)))
	c.mustRun("import", "--config", cfg, filepath.Join(c.dir, "co.txt"))
	c.mustRun("preview", "--config", cfg, "--at", "2027-01-05 08:00")
	db := openRaw(t, filepath.Join(c.dir, "followup.db"))
	if _, err := db.Exec(`UPDATE documents SET follow_up_due = '2028-02-31'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, args := range [][]string{{"tasks"}, {"task", "show", "CRC/C/MNG/CO/5-6:6"}} {
		_, errs, code := c.run(append(args, "--config", cfg)...)
		if code != 1 || !strings.Contains(errs, "task CRC/C/MNG/CO/5-6:") || !strings.Contains(errs, `stored follow-up date: invalid date "2028-02-31"`) {
			t.Errorf("%s: exit %d, stderr %q", args, code, errs)
		}
	}
	_, errs, code := c.run("preview", "--config", cfg, "--at", "2027-01-05 08:00")
	if code != 1 || !strings.Contains(errs, "document CRC/C/MNG/CO/5-6: stored follow-up date") {
		t.Errorf("preview: exit %d, stderr %q", code, errs)
	}
}

func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}
