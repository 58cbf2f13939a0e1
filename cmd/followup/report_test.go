package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// reportSetup copies the example config and imports its example document
// (CRC/C/LAO/CO/EX-1, one of the example report's documents).
func reportSetup(t *testing.T) (*cli, string) {
	t.Helper()
	c := newCLI(t)
	for _, f := range []string{"followup.yaml", "sample-co.txt"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", "lao-opsc", f))
		if err != nil {
			t.Fatal(err)
		}
		c.write(f, b)
	}
	cfg := filepath.Join(c.dir, "followup.yaml")
	c.mustRun("import", "--config", cfg, filepath.Join(c.dir, "sample-co.txt"))
	return c, cfg
}

// addUpdate records a progress update on the first task of the example
// document, as the web pages will.
func addUpdate(t *testing.T, c *cli, text string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(c.dir, "followup.db"), store.Options{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var first workflow.Task
	if err := db.Tasks(ctx, store.TaskFilter{Document: "CRC/C/LAO/CO/EX-1"}, func(tk workflow.Task) error {
		if first.ID == 0 {
			first = tk
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddUpdate(ctx, store.Update{TaskID: first.ID, Ministry: "ncmc", Role: store.RoleCoordinator, Author: "Test", Text: text}); err != nil {
		t.Fatal(err)
	}
}

// files lists a folder's entries.
func files(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestReportDraftListChanges(t *testing.T) {
	c, cfg := reportSetup(t)
	c.env["USER"] = "secretariat"
	out := c.mustRun("report", "draft", "crc-next", "--config", cfg)
	if !strings.HasPrefix(out, "wrote crc-next-draft-1.docx: draft 1 of crc-next, ") || !strings.Contains(out, "words of 21,200") {
		t.Errorf("stdout = %q", out)
	}
	// The working directory is the test's: the default name lands there.
	defer os.Remove("crc-next-draft-1.docx")
	// A draft holds what ministries reported, names and all: readable by
	// its owner only, as the database and its backups are.
	if st, err := os.Stat("crc-next-draft-1.docx"); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the draft: %v, mode %v, want 0600", err, st.Mode())
	}
	addUpdate(t, c, "The national plan of action was adopted.")
	md := filepath.Join(c.dir, "draft.md")
	c.mustRun("report", "draft", "crc-next", "--config", cfg, "--out", md, "--by", "Khamla")
	if st, err := os.Stat(md); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the Markdown draft: %v, mode %v, want 0600", err, st.Mode())
	}
	if b, _ := os.ReadFile(md); !strings.Contains(string(b), "The national plan of action was adopted.") || !strings.HasPrefix(string(b), "# ") {
		t.Errorf("the Markdown draft lacks the update")
	}
	list := c.mustRun("report", "list", "crc-next", "--config", cfg)
	lines := strings.Split(strings.TrimSpace(list), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "secretariat  docx") || !strings.Contains(lines[2], "Khamla") || !strings.HasSuffix(lines[2], md) {
		t.Errorf("report list:\n%s", list)
	}
	addUpdate(t, c, "A second update, after draft 2.")
	ch := c.mustRun("report", "changes", "crc-next", "--since-draft", "1", "--config", cfg)
	if !strings.HasPrefix(ch, "2 progress updates since draft 1 of crc-next") || !strings.Contains(ch, "A second update, after draft 2.") {
		t.Errorf("changes since 1:\n%s", ch)
	}
	ch = c.mustRun("report", "changes", "crc-next", "--since-draft", "2", "--config", cfg)
	if !strings.HasPrefix(ch, "1 progress updates since draft 2") {
		t.Errorf("changes since 2:\n%s", ch)
	}
	// To standard output.
	html := c.mustRun("report", "draft", "crc-next", "--config", cfg, "--format", "html", "--out", "-")
	if !strings.HasPrefix(html, "<!DOCTYPE html>") {
		t.Errorf("--out - did not write the draft to standard output")
	}
}

// TestReportBadInput: each mistake gets one clear line and exit status 1,
// and leaves no file and no recorded draft behind.
func TestReportBadInput(t *testing.T) {
	c, cfg := reportSetup(t)
	notADir := c.write("notes.txt", []byte("x"))
	for _, tc := range []struct {
		name string
		args []string
		want string
		code int
	}{
		{"unknown report", []string{"report", "draft", "crc-nxt"}, `followup report: unknown report "crc-nxt"; expected one of: crc-next`, 1},
		{"folder missing", []string{"report", "draft", "crc-next", "--out", filepath.Join(c.dir, "nowhere", "d.docx")},
			"followup report: --out " + filepath.Join(c.dir, "nowhere", "d.docx") + ": the folder " + filepath.Join(c.dir, "nowhere") + " does not exist", 1},
		{"not a folder", []string{"report", "draft", "crc-next", "--out", filepath.Join(notADir, "d.docx")},
			"followup report: --out " + filepath.Join(notADir, "d.docx") + ": " + notADir + " is not a folder", 1},
		{"folder not writable", []string{"report", "draft", "crc-next", "--out", "/sys/d.docx"},
			"followup report: --out /sys/d.docx: cannot write in the folder /sys (permission denied)", 1},
		{"out is a folder", []string{"report", "draft", "crc-next", "--out", c.dir},
			"followup report: --out " + c.dir + ": is a folder; give a file name", 1},
		{"unknown format", []string{"report", "draft", "crc-next", "--format", "pdf"}, `followup report: --format "pdf": expected docx, md, html or xlsx`, 2},
		{"no report id", []string{"report", "draft"}, "followup report: expected a REPORT_ID (the id of one of the config's reports)", 2},
		{"changes without --since-draft", []string{"report", "changes", "crc-next"}, "followup report: --since-draft: expected the number of a draft (1, 2, …; see followup report list crc-next)", 2},
		{"changes before any draft", []string{"report", "changes", "crc-next", "--since-draft", "1"}, "followup report: report crc-next has no drafts yet (followup report draft crc-next)", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := files(t, c.dir)
			_, errs, code := c.run(append(tc.args, "--config", cfg)...)
			if code != tc.code || strings.Split(errs, "\n")[0] != tc.want {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and:\n%s", code, errs, tc.code, tc.want)
			}
			if code == 1 && strings.Count(errs, "\n") != 1 {
				t.Errorf("more than one line: %q", errs)
			}
			if after := files(t, c.dir); !slices.Equal(before, after) {
				t.Errorf("files left behind: %v, before %v", after, before)
			}
		})
	}

	// A report none of whose documents is imported.
	b, _ := os.ReadFile(cfg)
	other := c.write("other.yaml", []byte(strings.Replace(string(b), "documents: [CRC/C/OPSC/LAO/CO/1, CRC/C/LAO/CO/EX-1]", "documents: [CRC/C/XYZ/CO/1]", 1)))
	_, errs, code := c.run("report", "draft", "crc-next", "--config", other, "--out", filepath.Join(c.dir, "d.docx"))
	if code != 1 || errs != "followup report: the report has no documents: none of the documents of report crc-next is imported (CRC/C/XYZ/CO/1); import one first (followup import FILE)\n" {
		t.Errorf("no documents: exit %d, %q", code, errs)
	}

	// Texts a Word document cannot hold, and a text of 100,000 characters.
	out := filepath.Join(c.dir, "draft.docx")
	for _, text := range []string{"Escape \x1b[31m in red", strings.Repeat("x", 100000)} {
		addUpdate(t, c, text)
		before := files(t, c.dir)
		_, errs, code := c.run("report", "draft", "crc-next", "--config", cfg, "--out", out)
		if code != 1 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "draft with --repair-text") ||
			!strings.HasPrefix(errs, "followup report: a text the draft cannot hold: update ") {
			t.Errorf("exit %d, %q", code, errs)
		}
		if after := files(t, c.dir); !slices.Equal(before, after) {
			t.Errorf("files left behind: %v", after)
		}
	}
	if list := c.mustRun("report", "list", "crc-next", "--config", cfg); !strings.HasPrefix(list, "no drafts of crc-next yet") {
		t.Errorf("a refused draft was recorded:\n%s", list)
	}
	_, errs, code = c.run("report", "draft", "crc-next", "--config", cfg, "--out", out, "--repair-text")
	if code != 0 || !strings.Contains(errs, "followup report: repaired: update ") {
		t.Errorf("--repair-text: exit %d, %q", code, errs)
	}
	if _, err := os.Stat(out); err != nil {
		t.Error(err)
	}
}
