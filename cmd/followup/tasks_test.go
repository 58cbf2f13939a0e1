package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// exampleCLI copies the Lao PDR example config into a fresh folder.
func exampleCLI(t *testing.T) (*cli, string) {
	t.Helper()
	c := newCLI(t)
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "lao-opsc", "followup.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return c, c.write("followup.yaml", b)
}

// TestSeedAssignment: with the example config every recommendation of the
// seed gets an owner or is marked unassigned, and `tasks --json` shows each
// one's owner, supporting ministries, stage and next deadline.
func TestSeedAssignment(t *testing.T) {
	seed := seedPath(t)
	c, cfg := exampleCLI(t)
	c.mustRun("import", "--config", cfg, seed)
	var tasks []jsonTask
	if err := json.Unmarshal([]byte(c.mustRun("tasks", "--config", cfg, "--json")), &tasks); err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 43 {
		t.Fatalf("%d tasks, want the seed's 43", len(tasks))
	}
	// What a careful reader would pick, for a sample of the seed.
	want := map[string]string{
		":8": "lsb", ":14c": "moes", ":16a": "mps", ":18": "mof", ":22c": "moha", ":26b": "mtc",
		":28c": "mict", ":30a": "moj", ":32": "ospp", ":34": "mofa", ":38a": "molsw", ":41": "ncmc",
	}
	unassigned := 0
	for _, tk := range tasks {
		if tk.Stage != "assigned" || tk.NextDeadline == nil || tk.NextDeadline.Date == "" {
			t.Errorf("%s: stage %q, next deadline %+v", tk.ID, tk.Stage, tk.NextDeadline)
		}
		if tk.Unassigned {
			unassigned++
			if tk.Owner != "" || tk.AssignedBy != "no rule matched" {
				t.Errorf("%s: unassigned but owner %q by %q", tk.ID, tk.Owner, tk.AssignedBy)
			}
			continue
		}
		if tk.OwnerName == "" || tk.Support == nil {
			t.Errorf("%s: owner name %q, support %v", tk.ID, tk.OwnerName, tk.Support)
		}
		for suffix, owner := range want {
			if strings.HasSuffix(tk.ID, suffix) && tk.Owner != owner {
				t.Errorf("%s: owner %s, want %s", tk.ID, tk.Owner, owner)
			}
		}
	}
	if unassigned != 2 {
		t.Errorf("%d unassigned, want 2 (22 (a) and (b): displacement by dams; no ministry of the example fits)", unassigned)
	}
	out := c.mustRun("tasks", "--config", cfg, "--ministry", "unassigned")
	if !strings.Contains(out, ":22a") || !strings.Contains(out, ":22b") || strings.Count(out, "\n") != 3 {
		t.Errorf("tasks --ministry unassigned:\n%s", out)
	}
}

// TestTaskLifecycle: advancing and assigning a task through the CLI, with
// an illegal move refused (listing the allowed ones) and changing nothing,
// and `task show` listing every change in order.
func TestTaskLifecycle(t *testing.T) {
	c, cfg := exampleCLI(t)
	c.mustRun("import", "--config", cfg, fixtureCO)
	id := "CRC/C/MNG/CO/5-6:6"
	db := filepath.Join(c.dir, "followup.db")

	before := fileHash(t, db)
	_, errs, code := c.run("task", "advance", "--config", cfg, id, "implemented", "--by", "Ana")
	want := `followup task: cannot move CRC/C/MNG/CO/5-6:6 from "assigned" to "implemented"; allowed from "assigned": acknowledged`
	if code != 1 || strings.TrimSpace(errs) != want {
		t.Errorf("illegal move: exit %d\n got %q\nwant %q", code, strings.TrimSpace(errs), want)
	}
	if fileHash(t, db) != before {
		t.Error("a refused move changed the database")
	}
	_, errs, code = c.run("task", "advance", "--config", cfg, id, "not_accepted", "--by", "Ana")
	if code != 1 || !strings.Contains(errs, `"not_accepted" is only for recommendations with status noted (this one: none)`) {
		t.Errorf("only_status: exit %d %q", code, errs)
	}
	if _, errs, code = c.run("task", "advance", "--config", cfg, id, "acknowledged"); code != 2 || !strings.Contains(errs, "--by NAME is required") {
		t.Errorf("without --by: exit %d %q", code, errs)
	}

	c.now = c.now.Add(time.Hour)
	c.mustRun("task", "advance", "--config", cfg, id, "acknowledged", "--by", "Ana (MoHA)", "--note", "received the letter")
	c.now = c.now.Add(time.Hour)
	c.mustRun("task", "assign", "--config", cfg, id, "molsw", "--support", "moha,ncmc", "--by", "NCMC secretariat", "--note", "social welfare leads")
	c.now = c.now.Add(time.Hour)
	c.mustRun("task", "advance", "--config", cfg, id, "action_planned", "--by", "Bounmy (MoLSW)")
	_, errs, code = c.run("task", "assign", "--config", cfg, id, "mjo", "--by", "x")
	if code != 1 || !strings.Contains(errs, `unknown ministry "mjo"; expected one of: ncmc, mps, moj`) {
		t.Errorf("unknown ministry: exit %d %q", code, errs)
	}
	// The same assignment by hand again changes nothing: no line in the
	// history.
	c.mustRun("task", "assign", "--config", cfg, id, "molsw", "--support", "moha,ncmc", "--by", "NCMC secretariat")
	if _, errs, code = c.run("task", "assign", "--config", cfg, "CRC/C/MNG/CO/5-6:99z", "molsw", "--by", "x"); code != 1 ||
		!strings.Contains(errs, "task CRC/C/MNG/CO/5-6:99z: not found (see followup tasks for the ids)") {
		t.Errorf("unknown task: exit %d %q", code, errs)
	}

	out := c.mustRun("task", "show", "--config", cfg, id)
	var lines []string
	inHistory := false
	for _, l := range strings.Split(out, "\n") {
		if l == "History:" {
			inHistory = true
			continue
		}
		if inHistory && strings.TrimSpace(l) != "" {
			lines = append(lines, strings.Join(strings.Fields(l), " "))
		}
	}
	wantHistory := []string{
		"2027-01-04 08:00 import created moha Birth registration",
		"2027-01-04 09:00 Ana (MoHA) stage assigned → acknowledged received the letter",
		"2027-01-04 10:00 NCMC secretariat assign moha → molsw +moha,ncmc social welfare leads",
		"2027-01-04 11:00 Bounmy (MoLSW) stage acknowledged → action_planned",
	}
	if strings.Join(lines, "\n") != strings.Join(wantHistory, "\n") {
		t.Errorf("history:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(wantHistory, "\n"))
	}
	if !strings.Contains(out, "Owner:      Ministry of Labour and Social Welfare (assigned by hand by NCMC secretariat)") {
		t.Errorf("task show:\n%s", out)
	}
	// Rules never take back a task assigned by hand, even when they change.
	b, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(b), "keywords: [birth registration,", "keywords: [registration, birth registration,", 1)), 0o644)
	var shown jsonTask
	json.Unmarshal([]byte(c.mustRun("task", "show", "--config", cfg, id, "--json")), &shown)
	if shown.Owner != "molsw" || !shown.Manual {
		t.Errorf("after a rules change: owner %q manual %v", shown.Owner, shown.Manual)
	}
}

func TestConfigCheckCLI(t *testing.T) {
	c := newCLI(t)
	good := c.write("good.yaml", []byte("time_zone: Asia/Vientiane\n"))
	bad := c.write("bad.yaml", []byte("time_zone: Asia/Vientian\nministries:\n  - id: moj\n    name: Justice\n    emial: x\n    focal_points: [{name: A, email: a@example.org}]\n"))
	out := c.mustRun("config", "check", good)
	if !strings.Contains(out, "good.yaml: OK") {
		t.Errorf("check good: %q", out)
	}
	out, errs, code := c.run("config", "check", bad)
	if code != 1 || !strings.Contains(out, "FAILED: 2 error(s)") {
		t.Errorf("check bad: exit %d, %q", code, out)
	}
	wantLines := []string{
		bad + `:1:12: time_zone: unknown time zone "Asia/Vientian"; expected an IANA name such as Asia/Vientiane`,
		bad + `:5:5: ministries[0]: unknown key "emial"; expected one of: id, name, language, focal_points`,
	}
	if got := strings.TrimSpace(errs); got != strings.Join(wantLines, "\n") {
		t.Errorf("stderr:\n%s\nwant:\n%s", got, strings.Join(wantLines, "\n"))
	}
	// config show never prints the SMTP password.
	secret := c.write("secret", []byte("hunter2-very-secret\n"))
	if err := os.Chmod(secret, 0o600); err != nil { // readable by others, it would be refused
		t.Fatal(err)
	}
	smtp := c.write("smtp.yaml", []byte("mail:\n  transport: smtp\n  smtp:\n    host: smtp.example.org\n    username: u\n    password_file: "+secret+"\n"))
	out = c.mustRun("config", "show", "--config", smtp)
	if strings.Contains(out, "hunter2") || !strings.Contains(out, "password_file") {
		t.Errorf("config show:\n%s", out)
	}
}
