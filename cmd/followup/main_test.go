package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/internal/needs"
	"github.com/followup-app/followup/internal/pdftest"
)

// cli runs the command in-process, as a user would from a shell.
type cli struct {
	t   *testing.T
	dir string
	env map[string]string
	now time.Time
}

func newCLI(t *testing.T) *cli {
	// The compiled PDFium is shared with the other tests (see pdftest).
	env := map[string]string{"XDG_CACHE_HOME": pdftest.CacheDir()}
	return &cli{t: t, dir: t.TempDir(), env: env, now: time.Date(2027, 1, 4, 1, 0, 0, 0, time.UTC)}
}

// run returns stdout, stderr and the exit status.
func (c *cli) run(args ...string) (string, string, int) {
	c.t.Helper()
	var out, errb bytes.Buffer
	env := &environment{stdout: &out, stderr: &errb, getenv: func(k string) string { return c.env[k] },
		now: func() time.Time { return c.now }}
	code := run(context.Background(), args, env)
	return out.String(), errb.String(), code
}

func (c *cli) mustRun(args ...string) string {
	c.t.Helper()
	out, errs, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("followup %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func (c *cli) write(name string, data []byte) string {
	c.t.Helper()
	p := filepath.Join(c.dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		c.t.Fatal(err)
	}
	return p
}

func fileHash(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "absent"
	}
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(b)
	return string(h[:])
}

const fixtureCO = "../../ingest/testdata/crc-wordtext.txt"

func TestImportDryRunJSON(t *testing.T) {
	c := newCLI(t)
	db := filepath.Join(c.dir, "f.db")
	out := c.mustRun("import", "--dry-run", "--json", "--db", db, fixtureCO)
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("--dry-run created the database")
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"symbol", "body", "state", "adopted", "next_report", "follow_up", "recommendations"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if doc["symbol"] != "CRC/C/MNG/CO/5-6" || doc["adopted"] != "2028-05-26" {
		t.Errorf("symbol %v adopted %v", doc["symbol"], doc["adopted"])
	}
	nr := doc["next_report"].(map[string]any)
	fu := doc["follow_up"].(map[string]any)
	if nr["due"] != "2033-03-31" || fu["due"] != "2030-05-26" {
		t.Errorf("next_report %v follow_up %v", nr, fu)
	}
	recs := doc["recommendations"].([]any)
	first := recs[0].(map[string]any)
	for _, k := range []string{"id", "paragraph", "item", "section", "subsection", "verb", "text", "status", "recommending_states"} {
		if _, ok := first[k]; !ok {
			t.Errorf("recommendation lacks %q", k)
		}
	}
	if first["id"] != "CRC/C/MNG/CO/5-6:4a" || first["paragraph"] != 4.0 || first["item"] != "a" {
		t.Errorf("first = %v", first)
	}
}

func TestImportThenList(t *testing.T) {
	c := newCLI(t)
	db := filepath.Join(c.dir, "f.db")
	out := c.mustRun("import", "--db", db, fixtureCO)
	if !strings.Contains(out, "CRC/C/MNG/CO/5-6: imported 7 recommendations") {
		t.Errorf("import said %q", out)
	}
	out = c.mustRun("import", "--db", db, fixtureCO)
	if !strings.Contains(out, "unchanged (7 recommendations already imported)") {
		t.Errorf("second import said %q", out)
	}
	out = c.mustRun("recs", "list", "--db", db, "--section", "birth")
	if !strings.Contains(out, "CRC/C/MNG/CO/5-6:6") || strings.Contains(out, ":4a") {
		t.Errorf("recs list --section birth:\n%s", out)
	}
	out = c.mustRun("recs", "show", "--db", db, "CRC/C/MNG/CO/5-6:4b")
	if !strings.Contains(out, "Subsection: Legislation") || !strings.Contains(out, "Adopt regulations that") {
		t.Errorf("recs show:\n%s", out)
	}
	_, errs, code := c.run("recs", "show", "--db", db, "CRC/C/MNG/CO/5-6:99")
	if code != 1 || !strings.Contains(errs, "recommendation CRC/C/MNG/CO/5-6:99: not found") {
		t.Errorf("unknown id: exit %d, %q", code, errs)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(c.mustRun("recs", "list", "--db", db, "--json")), &list); err != nil || len(list) != 7 {
		t.Errorf("recs list --json: %d items, %v", len(list), err)
	}
}

// Bad input, as an admin who picked the wrong file meets it: one line
// naming the file and the reason, exit status 1, and nothing written.
func TestImportBadInput(t *testing.T) {
	c := newCLI(t)
	db := filepath.Join(c.dir, "f.db")
	c.mustRun("import", "--db", db, fixtureCO) // a database with content, to check it does not change

	var xlsx bytes.Buffer
	zw := zip.NewWriter(&xlsx)
	w, _ := zw.Create("xl/workbook.xml")
	w.Write([]byte("<workbook/>"))
	zw.Close()
	var docx bytes.Buffer
	zw = zip.NewWriter(&docx)
	w, _ = zw.Create("word/document.xml")
	w.Write(bytes.Repeat([]byte("<w:p>text</w:p>"), 200))
	zw.Close()

	big := filepath.Join(c.dir, "huge.txt")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(100 << 20) // 100 MB, sparse
	f.Close()

	for _, tc := range []struct {
		name string
		file string
		want string
	}{
		{"empty", c.write("empty.txt", nil), "empty.txt: the file is empty"},
		{"image", c.write("scan.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")), "scan.png: not a document the importer reads: an image (PNG)"},
		{"binary", c.write("prog.bin", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00")), "prog.bin: not a document the importer reads: a binary file, not text"},
		{"spreadsheet", c.write("recs.xlsx", xlsx.Bytes()), "recs.xlsx: a spreadsheet (.xlsx) that cannot be read as a UHRI export (reading the spreadsheet: damaged: the workbook lists no sheet); a document itself is read as .docx, PDF or text"},
		{"no recommendations", c.write("minutes.txt", []byte("CRC/C/ABC/CO/1\n1.\tThe Committee notes the report.\n")), "minutes.txt: no recommendations found in CRC/C/ABC/CO/1"},
		{"too large", big, "huge.txt: the file is larger than the 20 MB limit (it is 100 MB)"},
		{"truncated docx", c.write("co.docx", docx.Bytes()[:docx.Len()/2]), "co.docx: damaged or truncated .docx"},
		{"invalid UTF-8", c.write("latin1.txt", []byte("1.\tThe Committee recommends caf\xe9.\n")), "latin1.txt: not a document the importer reads: not valid UTF-8 text (first bad byte at line 1, offset 31); save the text as UTF-8"},
		{"missing", filepath.Join(c.dir, "nowhere.txt"), "nowhere.txt: no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := fileHash(t, db)
			out, errs, code := c.run("import", "--db", db, tc.file)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if strings.Count(strings.TrimRight(errs, "\n"), "\n") != 0 {
				t.Errorf("more than one line:\n%s", errs)
			}
			if !strings.HasPrefix(errs, "followup import: ") || !strings.Contains(errs, tc.want) {
				t.Errorf("stderr = %q, want it to contain %q", errs, tc.want)
			}
			if out != "" {
				t.Errorf("stdout = %q", out)
			}
			if fileHash(t, db) != before {
				t.Error("the database changed")
			}
		})
	}
	// A bad file among good ones: nothing is imported.
	before := fileHash(t, db)
	_, errs, code := c.run("import", "--db", db, "../../ingest/testdata/upr-report.txt", filepath.Join(c.dir, "empty.txt"))
	if code != 1 || fileHash(t, db) != before || !strings.Contains(errs, "empty.txt") {
		t.Errorf("good and bad together: exit %d, %q", code, errs)
	}
	// A fresh database is not even created by a bad file.
	fresh := filepath.Join(c.dir, "fresh.db")
	if _, _, code := c.run("import", "--db", fresh, filepath.Join(c.dir, "empty.txt")); code != 1 {
		t.Errorf("exit %d", code)
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Error("a bad import created a database")
	}
}

func TestUsageErrors(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{{"import"}, {"frobnicate"}, {"tasks", "--due-within", "soon"}, {"import", "--json", fixtureCO}} {
		_, errs, code := c.run(args...)
		if code != 2 || errs == "" {
			t.Errorf("%q: exit %d, stderr %q", args, code, errs)
		}
	}
	out, _, code := c.run("--help")
	if code != 0 || !strings.Contains(out, "import") || !strings.Contains(out, "run") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
	_, errs, code := c.run("recs", "list", "--db", filepath.Join(c.dir, "none.db"))
	if code != 1 || !strings.Contains(errs, "import a document first") {
		t.Errorf("no database: exit %d %q", code, errs)
	}
}

// TestUPRReportThenAddendum imports the real Slovenia report and its
// addendum through the CLI: 58 supported and 157 pending, then 124 of the
// 122.x supported and 33 noted.
func TestUPRReportThenAddendum(t *testing.T) {
	corpus := filepath.Join(needs.Shared(t), "corpus")
	c := newCLI(t)
	db := filepath.Join(c.dir, "f.db")
	count := func() map[string]int {
		var recs []map[string]any
		if err := json.Unmarshal([]byte(c.mustRun("recs", "list", "--db", db, "--doc", "A/HRC/43/15", "--json")), &recs); err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, r := range recs {
			n[fmt.Sprint(r["paragraph"], " ", r["status"])]++
		}
		return n
	}
	c.mustRun("import", "--db", db, filepath.Join(corpus, "A_HRC_43_15.txt"))
	if got := count(); got["121 supported"] != 58 || got["122 pending"] != 157 || len(got) != 2 {
		t.Errorf("after the report: %v", got)
	}
	out := c.mustRun("import", "--db", db, filepath.Join(corpus, "A_HRC_43_15_Add.1.txt"))
	if !strings.Contains(out, "positions recorded for 157 recommendations of A/HRC/43/15 (124 supported, 33 noted)") {
		t.Errorf("addendum import said %q", out)
	}
	if got := count(); got["121 supported"] != 58 || got["122 supported"] != 124 || got["122 noted"] != 33 || len(got) != 3 {
		t.Errorf("after the addendum: %v", got)
	}
	// The report again does not undo the addendum.
	c.mustRun("import", "--db", db, filepath.Join(corpus, "A_HRC_43_15.txt"))
	if got := count(); got["122 supported"] != 124 || got["122 noted"] != 33 {
		t.Errorf("after importing the report again: %v", got)
	}
}

// PDFs as an admin picks them: a real one imports like its text, with no
// program but followup; a scan, a file named .pdf that is not one, a
// truncated one and one protected by a password each give one line, exit
// 1, and nothing written.
func TestImportPDF(t *testing.T) {
	c := newCLI(t)
	t.Setenv("PATH", t.TempDir()) // an empty one: no external program helps
	db := filepath.Join(c.dir, "f.db")
	c.mustRun("import", "--db", db, fixtureCO)
	good := pdftest.Make([][]string{{
		"CCPR/C/ISL/CO/6", "Concluding observations on the sixth periodic report of Iceland",
		"1. The Committee adopted the present concluding observations on 2 April 2031.",
		"2. The Committee recommends that the State party train judges.",
	}})
	out := c.mustRun("import", "--dry-run", "--json", c.write("iceland.pdf", good))
	if !strings.Contains(out, `"id": "CCPR/C/ISL/CO/6:2"`) || !strings.Contains(out, `"language": "en"`) {
		t.Errorf("PDF import:\n%s", out)
	}

	for _, tc := range []struct {
		name, file, want string
	}{
		{"scan", c.write("scan.pdf", pdftest.Make([][]string{nil})), "scan.pdf: the PDF has no text layer (a scanned image?); import the Word (.docx) version"},
		{"html", c.write("co.pdf", []byte("<!DOCTYPE html>\n<html><body>Not found</body></html>\n")), "co.pdf: not a document the importer reads: the file is named .pdf but is not a PDF (it looks like an HTML page; a failed download?)"},
		{"truncated", c.write("half.pdf", good[:len(good)/3]), "half.pdf: not a readable PDF: damaged, or not a PDF"},
		{"empty", c.write("empty.pdf", nil), "empty.pdf: the file is empty"},
		{"password", c.write("locked.pdf", pdftest.Encrypted([][]string{{"CCPR/C/ISL/CO/6"}})), "locked.pdf: the PDF is protected by a password; import the Word (.docx) version, or a copy of the PDF saved without the password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := fileHash(t, db)
			out, errs, code := c.run("import", "--db", db, tc.file)
			if code != 1 || out != "" || strings.Count(strings.TrimRight(errs, "\n"), "\n") != 0 ||
				!strings.HasPrefix(errs, "followup import: ") || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want one line with %q", code, out, errs, tc.want)
			}
			if fileHash(t, db) != before {
				t.Error("the database changed")
			}
		})
	}
}

// TestUPRMatrixAfterReport: Slovenia's fourth review from the PDFs of the
// report and its addendum (217 supported, 37 noted), then OHCHR's matrix,
// which adds the themes; a rule on themes gives those tasks their owner.
func TestUPRMatrixAfterReport(t *testing.T) {
	corpus := filepath.Join(needs.Shared(t), "corpus")
	c := newCLI(t)
	cfg := c.write("followup.yaml", []byte(`database: `+filepath.Join(c.dir, "f.db")+`
ministries:
  - id: moe
    name: Ministry of Education
    focal_points: [{name: A, email: a@moe.example.org}]
assignment:
  rules:
    - name: Education
      ministry: moe
      themes: [Right to education]
`))
	out := c.mustRun("import", "--config", cfg, filepath.Join(corpus, "A_HRC_59_15.pdf"), filepath.Join(corpus, "A_HRC_59_15_Add.1.pdf"))
	if !strings.Contains(out, "A/HRC/59/15: imported 254 recommendations") || !strings.Contains(out, "positions recorded for 254 recommendations of A/HRC/59/15 (217 supported, 37 noted)") {
		t.Errorf("report and addendum from PDF:\n%s", out)
	}
	owners := func() map[string]int {
		var tasks []map[string]any
		if err := json.Unmarshal([]byte(c.mustRun("tasks", "--config", cfg, "--json")), &tasks); err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, tk := range tasks {
			n[fmt.Sprint(tk["owner"])]++
		}
		return n
	}
	if got := owners(); got["moe"] != 0 {
		t.Errorf("before the matrix, owners %v", got)
	}
	out = c.mustRun("import", "--config", cfg, filepath.Join(corpus, "UPR48_SVN_thematic_list_of_recommendations.docx"))
	if !strings.Contains(out, "A/HRC/59/15: 254 changed") {
		t.Errorf("matrix import said %q", out)
	}
	got := owners()
	if got["moe"] < 10 || got["moe"]+got[""] != 254 {
		t.Errorf("after the matrix, owners %v: want the education recommendations with moe", got)
	}
	show := c.mustRun("recs", "show", "--config", cfg, "A/HRC/59/15:140.7")
	if !strings.Contains(show, "Themes:     Ratification of & accession to international instruments; Economic, social & cultural rights - general measures of implementation") ||
		!strings.Contains(show, "Recommended by: Maldives, Portugal") {
		t.Errorf("recs show:\n%s", show)
	}
}
