package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// exampleWithSample is the example config and its sample document, in a
// fresh folder.
func exampleWithSample(t *testing.T) (*cli, string) {
	t.Helper()
	c := newCLI(t)
	var cfg string
	for _, f := range []string{"followup.yaml", "sample-co.txt"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", "lao-opsc", f))
		if err != nil {
			t.Fatal(err)
		}
		if p := c.write(f, b); f == "followup.yaml" {
			cfg = p
		}
	}
	return c, cfg
}

// TestUnassignedTaskListedNotYetAssigned: `tasks --ministry unassigned`
// listed a task nobody owns in stage "assigned"; it is "unassigned" until
// the coordinating body gives it an owner, and `task show` says it is not
// yet assigned, with the stage `task advance` moves it from. The JSON keeps
// the stored stage, for scripts.
func TestUnassignedTaskListedNotYetAssigned(t *testing.T) {
	c, cfg := exampleWithSample(t)
	c.mustRun("import", "--config", cfg, filepath.Join(c.dir, "sample-co.txt"))
	out := c.mustRun("tasks", "--config", cfg, "--ministry", "unassigned")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "STAGE") {
		t.Fatalf("tasks --ministry unassigned:\n%s", out)
	}
	id := strings.Fields(lines[1])[0]
	if f := strings.Fields(lines[1]); f[1] != "unassigned" || f[2] != "unassigned" {
		t.Errorf("owner %q, stage %q, want unassigned and unassigned:\n%s", f[1], f[2], out)
	}
	if out := c.mustRun("task", "show", id, "--config", cfg); !strings.Contains(out, "Stage:      Not yet assigned (assigned) since") {
		t.Errorf("task show:\n%s", out)
	}
	if out := c.mustRun("tasks", "--config", cfg, "--ministry", "unassigned", "--json"); !strings.Contains(out, `"stage":"assigned"`) {
		t.Errorf("tasks --json:\n%s", out)
	}
	// Given an owner, it shows its stage.
	c.mustRun("task", "assign", id, "molsw", "--config", cfg, "--by", "NCMC secretariat")
	if out := c.mustRun("tasks", "--config", cfg, "--ministry", "molsw"); !strings.Contains(out, "molsw  assigned") {
		t.Errorf("once assigned:\n%s", out)
	}
}
