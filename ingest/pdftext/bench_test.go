package pdftext_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/followup-app/followup/ingest/pdftext"
	"github.com/followup-app/followup/internal/pdftest"
)

// corpusPDF reads a PDF of the shared corpus, or skips without it.
func corpusPDF(b *testing.B, name string) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "corpus", name))
	if err != nil {
		if os.Getenv("CI") != "" {
			b.Fatal(err)
		}
		b.Skipf("the shared corpus is missing (../shared/corpus/%s): %v", name, err)
	}
	return data
}

// The read of a 13-page PDF with the engine started: what an import
// spends in PDFium and the layout.
func BenchmarkText(b *testing.B) {
	data := corpusPDF(b, "CRPD_C_ECU_CO_2-3.pdf")
	r := pdftest.Reader()
	if _, err := r.Text(context.Background(), data, 0); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := r.Text(context.Background(), data, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// The same read in a fresh Reader each time, as in a cold process: the
// engine loaded from the cache folder, then the read.
func BenchmarkTextCold(b *testing.B) {
	data := corpusPDF(b, "CRPD_C_ECU_CO_2-3.pdf")
	dir := filepath.Join(pdftest.CacheDir(), "followup")
	warm := pdftext.New(pdftext.Config{CacheDir: dir})
	if _, err := warm.Text(context.Background(), data, 0); err != nil {
		b.Fatal(err)
	}
	_ = warm.Close()
	b.ResetTimer()
	for b.Loop() {
		r := pdftext.New(pdftext.Config{CacheDir: dir})
		if _, err := r.Text(context.Background(), data, 0); err != nil {
			b.Fatal(err)
		}
		if err := r.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// The start alone: the engine loaded from the cache folder, a fresh
// instance, a one-line PDF.
func BenchmarkStart(b *testing.B) {
	data := pdftest.Make([][]string{{"x"}})
	dir := filepath.Join(pdftest.CacheDir(), "followup")
	for b.Loop() {
		r := pdftext.New(pdftext.Config{CacheDir: dir})
		if _, err := r.Text(context.Background(), data, 0); err != nil {
			b.Fatal(err)
		}
		if err := r.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
