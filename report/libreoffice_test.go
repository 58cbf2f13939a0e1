package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/internal/needs"
	"github.com/followup-app/followup/internal/pdftest"
	"github.com/followup-app/followup/report"
	"github.com/followup-app/followup/store"
)

// soffice finds LibreOffice. CI installs it (.ci/run); elsewhere the test
// skips with a message rather than fail on a machine without it.
func soffice(t *testing.T) string {
	t.Helper()
	return needs.LibreOffice(t)
}

// conversion is one soffice run: files converted to a format.
type conversion struct {
	to    string
	files []string
}

// convert runs soffice conversions into dir, at once: each run spends most
// of its 10 to 15 s waiting, not computing. Each has a profile of its own,
// so that they neither wait for nor disturb each other.
func convert(t *testing.T, bin, dir string, cs ...conversion) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]string, len(cs))
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			profile := filepath.Join(t.TempDir(), "profile")
			args := append([]string{"-env:UserInstallation=file://" + profile, "--headless", "--norestore", "--convert-to", c.to, "--outdir", dir}, c.files...)
			start := time.Now()
			out, err := exec.Command(bin, args...).CombinedOutput()
			switch {
			case err != nil:
				errs[i] = fmt.Sprintf("soffice --convert-to %s: %v\n%s", c.to, err, out)
			case bytes.Contains(bytes.ToLower(out), []byte("error")):
				errs[i] = fmt.Sprintf("soffice --convert-to %s complained:\n%s", c.to, out)
			}
			t.Logf("soffice --convert-to %s: %v", c.to, time.Since(start).Round(time.Millisecond))
		}()
	}
	wg.Wait()
	for _, e := range errs {
		if e != "" {
			t.Fatal(e)
		}
	}
}

// squash removes all white space: LibreOffice and the PDF reader wrap lines
// where the page does.
func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// uprMatrix imports A/HRC/43/15 and its addendum and renders the matrix.
func uprMatrix(t *testing.T, format report.Format) (*report.Rendered, *config.Config) {
	t.Helper()
	dir := shared(t)
	cfg := exampleConfig(t)
	cfg.Reports = append(cfg.Reports, config.Report{ID: "upr4", Title: "Fourth cycle national report", Due: civil.D(2029, 11, 1),
		Kind: config.ReportUPRMidTerm, Documents: []string{"A/HRC/43/15"}})
	c := &clock{time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)}
	db := openDB(t, cfg, c)
	importFiles(t, db, cfg, filepath.Join(dir, "corpus", "A_HRC_43_15.txt"), filepath.Join(dir, "corpus", "A_HRC_43_15_Add.1.txt"))
	tk := tasks(t, db, "A/HRC/43/15")[0]
	if _, err := db.AddUpdate(context.Background(), store.Update{TaskID: tk.ID, Ministry: "mofa", Role: store.RoleCoordinator, Author: "X",
		Text: "The instrument of ratification was deposited."}); err != nil {
		t.Fatal(err)
	}
	r, err := report.Render(context.Background(), db, cfg, report.Request{Options: report.Options{Report: "upr4", Matrix: true, Now: c.t}, Format: format})
	if err != nil {
		t.Fatal(err)
	}
	return r, cfg
}

// expectedPositions reads the positions of A/HRC/43/15 from expected.json:
// 121.x supported in the report, 122.x as its addendum gives them.
func expectedPositions(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(shared(t), "corpus", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Positions map[string][]string `json:"positions_from_add1"`
	}
	if err := json.Unmarshal(all["A/HRC/43/15"], &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for i := 1; i <= 58; i++ {
		want[fmt.Sprintf("121.%d", i)] = "Supported"
	}
	for pos, ids := range doc.Positions {
		// "supported_already_implemented_or_in_progress" is how the
		// addendum words some supported ones: the position is supported.
		pos, _, _ = strings.Cut(pos, "_")
		for _, id := range ids {
			want[id] = strings.ToUpper(pos[:1]) + pos[1:]
		}
	}
	if len(want) != 215 {
		t.Fatalf("expected.json gives %d positions, want 215", len(want))
	}
	return want
}

// matrixRows checks rows of cells (header first) against expected.json:
// one row per recommendation, each position as expected.
func matrixRows(t *testing.T, who string, rows [][]string, want map[string]string) {
	t.Helper()
	if len(rows) != 216 {
		t.Fatalf("%s: %d rows, want a header and 215 recommendations", who, len(rows))
	}
	if !slices.Equal(rows[0], report.MatrixHeader) {
		t.Errorf("%s: header %q", who, rows[0])
	}
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		num, _, _ := strings.Cut(r[0], " ")
		if seen[num] {
			t.Errorf("%s: %s twice", who, num)
		}
		seen[num] = true
		if r[1] != want[num] {
			t.Errorf("%s: %s position %q, want %q", who, num, r[1], want[num])
		}
	}
}

// TestMatrixXLSX: the UPR matrix for A/HRC/43/15 with its addendum opens
// with excelize, one row per recommendation, positions as expected.json.
func TestMatrixXLSX(t *testing.T) {
	r, _ := uprMatrix(t, report.XLSX)
	f, err := excelize.OpenReader(bytes.NewReader(r.Bytes))
	if err != nil {
		t.Fatalf("excelize cannot open the matrix: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows("Matrix")
	if err != nil {
		t.Fatal(err)
	}
	matrixRows(t, "excelize", rows, expectedPositions(t))
	first := rows[1]
	if !strings.HasPrefix(first[0], "121.1 ") || first[4] == "" || first[7] != "The instrument of ratification was deposited." {
		t.Errorf("first row: %q", first)
	}
	var noted []string
	for _, row := range rows[1:] {
		if row[1] == "Noted" {
			noted = append(noted, row[0])
		}
	}
	if len(noted) != 33 || !strings.Contains(noted[0], "Source of position: A/HRC/43/15/Add.1") {
		t.Errorf("%d noted rows; the first: %q", len(noted), noted[0])
	}
	// Supported first, then noted, as OHCHR's matrices.
	if last := rows[len(rows)-1]; last[1] != "Noted" {
		t.Errorf("last row %q: noted recommendations come last", last)
	}
}

// TestLibreOfficeOpensTheDrafts converts the seed's .docx draft to PDF and
// to text, and the UPR matrix to CSV, with LibreOffice: the text holds
// every recommendation, the PDF's text every footnote, the CSV one row per
// recommendation.
func TestLibreOfficeOpensTheDrafts(t *testing.T) {
	bin := soffice(t)
	f := seed(t)
	r, err := report.Render(context.Background(), f.db, f.cfg, f.request(report.DOCX))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := uprMatrix(t, report.XLSX)
	dir := t.TempDir()
	docxPath, xlsxPath := filepath.Join(dir, "draft.docx"), filepath.Join(dir, "matrix.xlsx")
	if err := os.WriteFile(docxPath, r.Bytes, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(xlsxPath, m.Bytes, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	convert(t, bin, out,
		conversion{"pdf", []string{docxPath, xlsxPath}},
		conversion{"txt:Text (encoded):UTF8", []string{docxPath}},
		conversion{"csv:Text - txt - csv (StarCalc):44,34,76,1", []string{xlsxPath}})

	txt, err := os.ReadFile(filepath.Join(out, "draft.txt"))
	if err != nil {
		t.Fatal(err)
	}
	text := squash(string(txt))
	for _, tk := range f.tasks {
		if !strings.Contains(text, squash(tk.Rec.Text)) {
			t.Errorf("LibreOffice's text lacks recommendation %s", tk.Rec.ID)
		}
	}
	for _, ups := range f.updates {
		for _, u := range ups {
			if !strings.Contains(text, squash(u)) {
				t.Errorf("LibreOffice's text lacks the update %q", u)
			}
		}
	}
	// Numbered paragraphs come out numbered.
	if !strings.Contains(string(txt), "1.\tThe present report was prepared") && !strings.Contains(string(txt), "1. The present report was prepared") {
		t.Error("the numbered paragraphs lost their numbers")
	}

	// LibreOffice's text export leaves footnotes out: the PDF has them,
	// read as followup reads a PDF.
	for _, pdf := range []string{"draft.pdf", "matrix.pdf"} {
		if st, err := os.Stat(filepath.Join(out, pdf)); err != nil || st.Size() < 1000 {
			t.Fatalf("LibreOffice made no PDF of %s: %v", pdf, err)
		}
	}
	draftPDF, err := os.ReadFile(filepath.Join(out, "draft.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	pdfText, err := pdftest.Reader().Text(context.Background(), draftPDF, 0)
	if err != nil {
		t.Fatal(err)
	}
	pt := squash(pdfText)
	for _, e := range f.evidence {
		if !strings.Contains(pt, squash(e)) {
			t.Errorf("the PDF lacks the footnote %q", e)
		}
	}
	if !strings.Contains(pt, squash("[No information received from the Ministry of Justice. Last reminded on 3 March 2027.]")) {
		t.Error("the PDF lacks the gap marker")
	}

	// FOLLOWUP_WRITE_DOCS=1 renders the draft's first page for the README.
	if os.Getenv("FOLLOWUP_WRITE_DOCS") != "" {
		png := filepath.Join("..", "docs", "report-draft-first-page")
		if err := os.MkdirAll(filepath.Dir(png), 0o755); err != nil {
			t.Fatal(err)
		}
		// Only for whoever regenerates the picture: not a need of the test.
		if _, err := exec.LookPath("pdftoppm"); err != nil {
			t.Fatal("FOLLOWUP_WRITE_DOCS: pdftoppm renders the page (apt-get install poppler-utils)")
		}
		if out, err := exec.Command("pdftoppm", "-png", "-singlefile", "-f", "1", "-l", "1", "-scale-to", "760",
			filepath.Join(out, "draft.pdf"), png).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
	}

	// The matrix, read back by LibreOffice Calc.
	cf, err := os.Open(filepath.Join(out, "matrix.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer cf.Close()
	rows, err := csv.NewReader(cf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	matrixRows(t, "LibreOffice", rows, expectedPositions(t))
}
