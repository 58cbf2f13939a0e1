package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/followup-app/followup/internal/needs"
)

// The import's self-check as an admin meets it (issue 23): the one-line
// summary says "N recommendations, no warnings" or how many, each warning
// names its line, --dry-run shows them, and --strict refuses the import
// and writes nothing (a real SQLite file, hashed before and after).

// gapDoc lacks item (b) of paragraph 2: the self-check's "item-gap".
const gapDoc = `CCPR/C/ISL/CO/6
Concluding observations on the sixth periodic report of Iceland

1. The Committee adopted the present concluding observations on 2 April 2031.
2. The State party should:
(a) Train judges on the Covenant;
(c) Publish the decisions of its courts.
`

const gapWarning = "line 7: item (c) of paragraph 2 follows (a): no item (b) was found"

// inReport is a config whose one report takes every document: the
// self-check's warnings come alone (a document no report takes has one
// of its own: TestImportNoReport).
const inReport = "database: f.db\nreports: [{id: next, title: Next periodic report, due: 2030-01-01}]\n"

func TestImportWarnings(t *testing.T) {
	c := newCLI(t)
	cfg := c.write("followup.yaml", []byte(inReport))
	doc := c.write("iceland.txt", []byte(gapDoc))

	out := c.mustRun("import", "--config", cfg, fixtureCO)
	if !strings.Contains(out, "CRC/C/MNG/CO/5-6: imported 7 recommendations from "+fixtureCO+", no warnings\n") {
		t.Errorf("a clean document: %q", out)
	}

	// --dry-run shows them under the summary.
	out = c.mustRun("import", "--dry-run", doc)
	if !strings.Contains(out, "  adopted 2031-04-02; 2 recommendations, 1 warning\n") || !strings.Contains(out, "  warning: "+gapWarning+"\n") {
		t.Errorf("--dry-run:\n%s", out)
	}
	// The JSON has them too, with their code.
	var parsed struct {
		Warnings []struct {
			Code string `json:"code"`
			Line int    `json:"line"`
			Text string `json:"text"`
		} `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(c.mustRun("import", "--dry-run", "--json", doc)), &parsed); err != nil {
		t.Fatal(err)
	}
	if len(parsed.Warnings) != 1 || parsed.Warnings[0].Code != "item-gap" || parsed.Warnings[0].Line != 7 {
		t.Errorf("JSON warnings = %+v", parsed.Warnings)
	}

	// Without --strict the import goes on and says how many.
	out = c.mustRun("import", "--config", cfg, doc)
	if !strings.Contains(out, "CCPR/C/ISL/CO/6: imported 2 recommendations from "+doc+", 1 warning\n") ||
		!strings.Contains(out, "CCPR/C/ISL/CO/6: warning: "+gapWarning+"\n") {
		t.Errorf("import:\n%s", out)
	}
	out = c.mustRun("import", "--config", cfg, doc)
	if !strings.Contains(out, "unchanged (2 recommendations already imported), 1 warning") {
		t.Errorf("import again:\n%s", out)
	}
}

// --strict: every warning on standard error, one error line, exit 1, and
// the database untouched: neither an existing one nor a new one written.
func TestImportStrict(t *testing.T) {
	c := newCLI(t)
	cfg := c.write("followup.yaml", []byte(inReport))
	db := filepath.Join(c.dir, "f.db")
	c.mustRun("import", "--config", cfg, fixtureCO)
	doc := c.write("iceland.txt", []byte(gapDoc))

	for _, args := range [][]string{
		{"import", "--strict", "--config", cfg, doc},
		{"import", "--strict", "--config", cfg, fixtureCO, doc}, // a clean file with it: nothing either
	} {
		before := fileHash(t, db)
		out, errs, code := c.run(args...)
		if code != 1 || out != "" {
			t.Errorf("%q: exit %d, stdout %q", args, code, out)
		}
		wantErr := "followup import: " + doc + ": warning: " + gapWarning + "\n" +
			"followup import: --strict: 1 warning in 1 of " + map[bool]string{true: "1", false: "2"}[len(args) == 5] + " files: nothing was imported\n"
		if errs != wantErr {
			t.Errorf("%q: stderr\n%q\nwant\n%q", args, errs, wantErr)
		}
		if fileHash(t, db) != before {
			t.Errorf("%q: the database changed", args)
		}
	}
	fresh := filepath.Join(c.dir, "fresh.db")
	if _, _, code := c.run("import", "--strict", "--config", cfg, "--db", fresh, doc); code != 1 {
		t.Errorf("fresh database: exit %d", code)
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Error("a refused --strict import created the database")
	}
	// --dry-run --strict shows the parse and fails the same way.
	out, errs, code := c.run("import", "--dry-run", "--strict", doc)
	if code != 1 || !strings.Contains(out, "1 warning") || !strings.Contains(errs, "--strict: 1 warning in 1 of 1 files: the import would be refused") {
		t.Errorf("--dry-run --strict: exit %d\n%s\n%s", code, out, errs)
	}
	// A clean document passes --strict.
	out = c.mustRun("import", "--strict", "--config", cfg, "--db", filepath.Join(c.dir, "clean.db"), fixtureCO)
	if !strings.Contains(out, "imported 7 recommendations") {
		t.Errorf("clean --strict: %q", out)
	}
}

// --strict on what only the stored report shows: an addendum that leaves
// a recommendation of its report without a position.
func TestImportStrictAddendumAgainstStoredReport(t *testing.T) {
	c := newCLI(t)
	db := filepath.Join(c.dir, "f.db")
	c.mustRun("import", "--db", db, "../../ingest/testdata/shapes/bare-numbers-report.txt")
	// It says it accepts 8 and notes 3, and does: only the report shows
	// that 2.12 has no position.
	add := c.write("add.txt", []byte(strings.NewReplacer("accepts 9 recommendations", "accepts 8 recommendations",
		"10 –\n          12.", "10 and 11.").Replace(string(mustRead(t, "../../ingest/testdata/shapes/bare-numbers-addendum.txt")))))
	if out := c.mustRun("import", "--dry-run", add); !strings.Contains(out, "positions on A/HRC/99/15: 11 (8 supported, 3 noted), no warnings") {
		t.Fatalf("the addendum alone should pass its own check:\n%s", out)
	}
	before := fileHash(t, db)
	_, errs, code := c.run("import", "--strict", "--db", db, add)
	if code != 1 || !strings.Contains(errs, "warning: no position for 1 recommendation of A/HRC/99/15: 2.12\n") || fileHash(t, db) != before {
		t.Errorf("exit %d, stderr %q, database changed: %v", code, errs, fileHash(t, db) != before)
	}
	// Without --strict: the positions it gives are recorded, and it says so.
	out := c.mustRun("import", "--db", db, add)
	if !strings.Contains(out, "positions recorded for 11 recommendations of A/HRC/99/15 (8 supported, 3 noted), 1 warning") {
		t.Errorf("import:\n%s", out)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The second cycle's addendum cites bare numbers ("1–5, 14–16",
// "150 – 152"): with its report, before it or in the same command, it sets
// all 163 positions, 142 supported and 21 noted, as it says itself.
func TestUPRSecondCycleAddendum(t *testing.T) {
	corpus := filepath.Join(needs.Shared(t), "corpus")
	c := newCLI(t)
	cfg := c.write("followup.yaml", []byte(inReport))
	db := filepath.Join(c.dir, "f.db")
	c.mustRun("import", "--strict", "--config", cfg, filepath.Join(corpus, "A_HRC_28_15.txt"))
	out := c.mustRun("import", "--strict", "--config", cfg, filepath.Join(corpus, "A_HRC_28_15_Add.1.txt"))
	if !strings.Contains(out, "A/HRC/28/15/Add.1: positions recorded for 163 recommendations of A/HRC/28/15 (142 supported, 21 noted), no warnings") {
		t.Errorf("addendum after its report:\n%s", out)
	}
	var recs []map[string]any
	if err := json.Unmarshal([]byte(c.mustRun("recs", "list", "--db", db, "--doc", "A/HRC/28/15", "--json")), &recs); err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, r := range recs {
		n[r["status"].(string)]++
	}
	if len(recs) != 163 || n["supported"] != 142 || n["noted"] != 21 {
		t.Errorf("stored: %d recommendations %v", len(recs), n)
	}
	// Both in one command, from the PDFs.
	out = c.mustRun("import", "--dry-run", filepath.Join(corpus, "A_HRC_28_15.pdf"), filepath.Join(corpus, "A_HRC_28_15_Add.1.pdf"))
	if !strings.Contains(out, "positions on A/HRC/28/15: 163 (142 supported, 21 noted), no warnings") {
		t.Errorf("PDFs in one command:\n%s", out)
	}
	// Alone, the addendum says it needs the report.
	out = c.mustRun("import", "--dry-run", filepath.Join(corpus, "A_HRC_28_15_Add.1.txt"))
	if !strings.Contains(out, "163 cited by number alone: matched with A/HRC/28/15's recommendations when it is imported with or before this addendum") {
		t.Errorf("addendum alone:\n%s", out)
	}
}
