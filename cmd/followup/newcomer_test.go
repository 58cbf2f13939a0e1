package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
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

// TestPreviewLaterDateNotMissed: `preview --at` a date to come said the
// ministries' overview was "missed … skipped", as if the daemon had been
// down until then; a daemon running until that date has run every slot
// before it, and only a slot at that time is due. At the present time,
// after the daemon was down, the slots it missed are still said skipped.
func TestPreviewLaterDateNotMissed(t *testing.T) {
	c, cfg := exampleWithSample(t)
	loc, err := time.LoadLocation("Asia/Vientiane")
	if err != nil {
		t.Fatal(err)
	}
	c.now = time.Date(2026, 12, 1, 7, 0, 0, 0, loc)
	c.mustRun("import", "--config", cfg, filepath.Join(c.dir, "sample-co.txt"))
	startDaemon(t, cfg, clockwork.NewFakeClockAt(c.now), nil).stop()

	// A Wednesday four months on: no overview is due that day.
	out := c.mustRun("preview", "--config", cfg, "--at", "2027-03-31 08:00")
	if strings.Contains(out, "missed") || strings.Contains(out, "skipped") {
		t.Errorf("preview of a date to come speaks of missed slots:\n%s", out)
	}
	for _, want := range []string{
		`coordinator_digest: not due ("0 8 * * 1"; last ran for 2027-03-29 08:00; next 2027-04-05 08:00)`,
		`ministry_digest: not due ("0 8 1 * *"; last ran for 2027-03-01 08:00; next 2027-04-01 08:00)`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("preview lacks %q:\n%s", want, out)
		}
	}
	// The first of that month: the ministries' overview is due, and
	// planned.
	out = c.mustRun("preview", "--config", cfg, "--at", "2027-03-01 08:00")
	if !strings.Contains(out, `ministry_digest: due (slot 2027-03-01 08:00, "0 8 1 * *")`) || !strings.Contains(out, "  ministry-digest ") {
		t.Errorf("preview of the first of the month:\n%s", out)
	}
	// Now is four months on, and the daemon has not run since: what it
	// missed is skipped when it starts, and the preview says so.
	c.now = time.Date(2027, 3, 31, 8, 0, 0, 0, loc)
	if out := c.mustRun("preview", "--config", cfg, "--job", "ministry_digest"); !strings.Contains(out, "ministry_digest: missed slots older than the grace window are skipped; next 2027-04-01 08:00") {
		t.Errorf("preview now, after the daemon was down:\n%s", out)
	}
}

// TestImportNoReport: importing a document that no report of the config
// takes (another State's concluding observations, under the Lao example's
// config) said nothing, and the date the document gives for the next
// report was never a deadline. The summary now warns, naming the
// document's body and State and what to add to the config, and its tasks
// work toward that date; a document that gives none is said to have only
// its stages' deadlines. --strict refuses both and writes nothing; the
// config's own documents have no such warning.
func TestImportNoReport(t *testing.T) {
	c, cfg := exampleWithSample(t)
	db := filepath.Join(c.dir, "followup.db")
	// Iceland's, with no gap for the self-check, and no date for the next
	// report.
	iceland := c.write("iceland.txt", []byte(strings.Replace(gapDoc, "(c) Publish", "(b) Publish", 1)))

	out := c.mustRun("import", "--config", cfg, filepath.Join(c.dir, "sample-co.txt"))
	if strings.Contains(out, "no report of the config") || !strings.Contains(out, ", no warnings\n") {
		t.Errorf("the config's own document:\n%s", out)
	}

	before := fileHash(t, db)
	for _, doc := range []string{fixtureCO, iceland} {
		_, errs, code := c.run("import", "--strict", "--config", cfg, doc)
		if code != 1 || !strings.Contains(errs, "warning: no report of the config takes this") || !strings.Contains(errs, "nothing was imported") {
			t.Errorf("--strict %s: exit %d\n%s", doc, code, errs)
		}
		if fileHash(t, db) != before {
			t.Errorf("--strict %s: the database changed", doc)
		}
	}

	out = c.mustRun("import", "--config", cfg, fixtureCO)
	want := "CRC/C/MNG/CO/5-6: imported 7 recommendations from " + fixtureCO + ", 1 warning\n" +
		"CRC/C/MNG/CO/5-6: warning: no report of the config takes this CRC document on Mongolia: its tasks work toward the date it gives " +
		"for the next report, 2033-03-31; to have them work toward a report of the config, add CRC/C/MNG/CO/5-6 to its documents (reports: in the config)\n"
	if out != want {
		t.Errorf("import of another State's document:\n%s\nwant\n%s", out, want)
	}
	if show := c.mustRun("task", "show", "CRC/C/MNG/CO/5-6:6", "--config", cfg); !strings.Contains(show, "2033-03-31  horizon    CRC/C/MNG/CO/5-6 due") {
		t.Errorf("task show: its own date is not a deadline:\n%s", show)
	}
	out = c.mustRun("import", "--config", cfg, iceland)
	if !strings.Contains(out, "CCPR/C/ISL/CO/6: imported 2 recommendations from "+iceland+", 1 warning\n") || !strings.Contains(out, "CCPR/C/ISL/CO/6: warning: no report of the config takes this CCPR document on Iceland, and it gives no date for the next report: "+
		"its tasks have only their stages' deadlines; add CCPR/C/ISL/CO/6 to a report's documents (reports: in the config)\n") {
		t.Errorf("import of a document with no date:\n%s", out)
	}
}
