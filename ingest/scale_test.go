package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/followup-app/followup/internal/needs"
)

// bigDocument writes concluding observations with n paragraphs of eight
// items each, in the Word-text style.
func bigDocument(n int) string {
	var b strings.Builder
	b.WriteString("CRC/C/ABC/CO/1\nConcluding observations on the report of Mongolia\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d.\tThe Committee recommends that the State party: \n", i)
		for _, l := range "abcdefgh" {
			fmt.Fprintf(&b, "(%c)\tTake measures on item %c of paragraph %d, with enough words to look like a real one;\n", l, l, i)
		}
	}
	return b.String()
}

// A whole document on one line (some converters lose every line break)
// reads the same as the original.
func TestWholeDocumentOnOneLine(t *testing.T) {
	doc := bigDocument(300)
	want := mustParse(t, []byte(doc))
	got := mustParse(t, []byte(strings.ReplaceAll(doc, "\n", " ")))
	if len(want.Recommendations) != 2400 || len(got.Recommendations) != len(want.Recommendations) {
		t.Fatalf("got %d recommendations, want %d (of 2400)", len(got.Recommendations), len(want.Recommendations))
	}
	for i := range want.Recommendations {
		if got.Recommendations[i].ID != want.Recommendations[i].ID || got.Recommendations[i].Text != want.Recommendations[i].Text {
			t.Fatalf("%d: got %s %q, want %s %q", i, got.Recommendations[i].ID, got.Recommendations[i].Text,
				want.Recommendations[i].ID, want.Recommendations[i].Text)
		}
	}
}

// BenchmarkParseSeed measures the parse of the project's seed document;
// BENCHMARKS.md quotes it as documents per second.
func BenchmarkParseSeed(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(needs.Shared(b), "seeds", "000_184c6d66c37e6cc3.txt"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseLarge parses a document of 400 paragraphs (3,200
// recommendations), as PDF text and as one line.
func BenchmarkParseLarge(b *testing.B) {
	doc := bigDocument(400)
	for name, data := range map[string]string{
		"wordtext": doc,
		"pdf":      pdfize(doc, "CRC/C/ABC/CO/1", 80, true),
		"oneline":  strings.ReplaceAll(doc, "\n", " "),
	} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Parse([]byte(data), Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
