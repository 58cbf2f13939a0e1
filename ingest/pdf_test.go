package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/internal/needs"
	"github.com/followup-app/followup/internal/pdftest"
)

// pdfOpts reads PDFs with the reader the package's tests share.
func pdfOpts() Options { return Options{PDF: pdftest.Reader()} }

var pdfDoc = [][]string{{
	"CCPR/C/ISL/CO/6",
	"Human Rights Committee",
	"Concluding observations on the sixth periodic report of Iceland",
	"A. Introduction",
	"1. The Committee considered the sixth periodic report of Iceland and adopted the present",
	"concluding observations at its 4000th meeting, held on 2 April 2031.",
	"B. Principal matters of concern and recommendations",
	"Domestic violence",
	"2. The Committee is concerned about the prevalence of domestic violence.",
	"3. The Committee recommends that the State party:",
	"(a) Adopt a national action plan against domestic violence;",
}, {
	"CCPR/C/ISL/CO/6",
	"(b) Train police officers and judges.",
	"4. The State party should submit its next periodic report by 2 April 2037.",
	"2",
}}

// A PDF with a text layer imports like its text.
func TestPDF(t *testing.T) {
	data := pdftest.Make(pdfDoc)
	d, err := Parse(data, pdfOpts())
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if d.Symbol != "CCPR/C/ISL/CO/6" || d.State != "Iceland" || d.Adopted.String() != "2031-04-02" || d.NextReport.Due.String() != "2037-04-02" {
		t.Errorf("front: %q %q %v %v", d.Symbol, d.State, d.Adopted, d.NextReport.Due)
	}
	want := []string{"CCPR/C/ISL/CO/6:3a", "CCPR/C/ISL/CO/6:3b", "CCPR/C/ISL/CO/6:4"}
	if got := ids(d); !slices.Equal(got, want) {
		t.Errorf("ids %q, want %q", got, want)
	}
	if b := d.Recommendations[1].Text; b != "Train police officers and judges." {
		t.Errorf("3b crosses the page break with furniture: %q", b)
	}
}

// What an admin meets: a scan, a PDF that is not one, one protected by a
// password, one that takes too long. Each is one line.
func TestPDFBadInput(t *testing.T) {
	scan := pdftest.Make([][]string{nil, nil})
	long := make([][]string, 400)
	for i := range long {
		long[i] = []string{fmt.Sprintf("%d. The Committee recommends that the State party act.", i+1)}
	}
	good := pdftest.Make(pdfDoc)
	for _, tc := range []struct {
		name string
		data []byte
		opts Options
		want error
		msg  string
	}{
		{"scan", scan, pdfOpts(), ErrNoTextLayer, "has no text layer (a scanned image?); import the Word (.docx) version"},
		{"broken", append([]byte("%PDF-1.5\n"), bytes.Repeat([]byte("garbage "), 100)...), pdfOpts(), ErrBadPDF, "not a readable PDF: damaged, or not a PDF"},
		{"truncated", good[:len(good)/3], pdfOpts(), ErrBadPDF, "not a readable PDF: damaged, or not a PDF"},
		{"password", pdftest.Encrypted(pdfDoc), pdfOpts(), ErrPDFPassword, "the PDF is protected by a password; import the Word (.docx) version, or a copy of the PDF saved without the password"},
		{"too long", pdftest.Make(long), Options{PDF: pdftest.Reader(), PDFTimeout: time.Millisecond}, ErrBadPDF, "not a readable PDF: reading it took too long (more than 1ms)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse(tc.data, tc.opts)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Parse = %v, %v; want one line with %q", d, err, tc.msg)
			}
		})
	}

	// Cancelled: the import stops, PDFium with it.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ParseContext(ctx, good, pdfOpts()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled parse = %v", err)
	}

	// Named .pdf but an HTML error page: said so, PDFium never starts.
	page := filepath.Join(t.TempDir(), "co.pdf")
	if err := os.WriteFile(page, []byte("<!DOCTYPE html><html><body>404 Not Found</body></html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(page, Options{}); !errors.Is(err, ErrNotADocument) || !strings.Contains(err.Error(), "named .pdf but is not a PDF (it looks like an HTML page") {
		t.Errorf("HTML as .pdf = %v", err)
	}
}

// Without a reader in its options, a parse starts one of its own for the
// PDF and closes it.
func TestPDFOwnReader(t *testing.T) {
	if testing.Short() || pdftest.Race {
		t.Skip("compiles PDFium without a cache: seconds, minutes under -race")
	}
	d, err := Parse(pdftest.Make(pdfDoc), Options{})
	if err != nil || len(d.Recommendations) != 3 {
		t.Fatalf("Parse = %v, %v", d, err)
	}
}

// The shared corpus's PDFs give what their text versions give.
func TestCorpusPDF(t *testing.T) {
	dir := needs.Shared(t)
	for _, name := range []string{"CRPD_C_ECU_CO_2-3", "CRPD_C_SLV_CO_2-3", "CRPD_C_MEX_CO_2-3", "A_HRC_59_15", "A_HRC_59_15_Add.1"} {
		t.Run(name, func(t *testing.T) {
			txt, err := ReadFile(filepath.Join(dir, "corpus", name+".txt"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			pdf, err := ReadFile(filepath.Join(dir, "corpus", name+".pdf"), pdfOpts())
			if err != nil {
				t.Fatal(err)
			}
			if txt.Language != pdf.Language || txt.Adopted != pdf.Adopted || txt.NextReport != pdf.NextReport ||
				len(txt.Positions) != len(pdf.Positions) || !slices.Equal(recKeys(txt), recKeys(pdf)) {
				t.Errorf("PDF and text differ: %q %v %v %d positions %q\nvs %q %v %v %d positions %q", pdf.Language, pdf.Adopted, pdf.NextReport.Due, len(pdf.Positions), recKeys(pdf),
					txt.Language, txt.Adopted, txt.NextReport.Due, len(txt.Positions), recKeys(txt))
			}
			for i := range txt.Recommendations {
				if txt.Recommendations[i].Text != pdf.Recommendations[i].Text {
					t.Errorf("%s text differs", txt.Recommendations[i].ID)
				}
			}
		})
	}
}
