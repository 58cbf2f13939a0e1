package pdftext_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/ingest/pdftext"
	"github.com/followup-app/followup/internal/pdftest"
)

// A PDF's pages come out in order, each ended by a form feed, one printed
// line per line.
func TestText(t *testing.T) {
	data := pdftest.Make([][]string{
		{"CCPR/C/ISL/CO/6", "1. The Committee considered the report (para. 2)."},
		{"(b) Train police officers and judges."},
	})
	got, err := pdftest.Reader().Text(context.Background(), data, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := "CCPR/C/ISL/CO/6\n1. The Committee considered the report (para. 2).\n\f(b) Train police officers and judges.\n\f"
	if got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}

// What a bad PDF gives: one line, a reason the caller can tell apart.
func TestTextRefuses(t *testing.T) {
	good := pdftest.Make([][]string{{"1. The Committee recommends that the State party act."}})
	for _, tc := range []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"garbage", append([]byte("%PDF-1.5\n"), bytes.Repeat([]byte("garbage "), 100)...), pdftext.ErrDamaged, "damaged, or not a PDF"},
		{"header only", []byte("%PDF-1.7\n%\xe2\xe3"), pdftext.ErrDamaged, "damaged, or not a PDF"},
		{"truncated", good[:len(good)/3], pdftext.ErrDamaged, "damaged, or not a PDF"},
		{"password", pdftest.Encrypted([][]string{{"1. Secret."}}), pdftext.ErrPassword, "protected by a password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pdftest.Reader().Text(context.Background(), tc.data, 0)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Text = %q, %v; want one line with %q", got, err, tc.msg)
			}
		})
	}
}

// A read that takes too long is stopped where PDFium is, and the reader
// goes on with the next document; so does a cancelled one.
func TestTextTimeoutAndCancel(t *testing.T) {
	r := pdftest.Reader()
	long := make([][]string, 400)
	for i := range long {
		long[i] = []string{fmt.Sprintf("%d. The Committee recommends that the State party act on page %d.", i+1, i+1)}
	}
	data := pdftest.Make(long)
	if _, err := r.Text(context.Background(), data, time.Millisecond); !errors.Is(err, pdftext.ErrTimeout) || !strings.Contains(err.Error(), "more than 1ms") {
		t.Errorf("400 pages in 1ms: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Text(ctx, data, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	got, err := r.Text(context.Background(), data, 0)
	if err != nil || !strings.Contains(got, "400. The Committee recommends that the State party act on page 400.") {
		t.Errorf("the next read: %v\n%.200q", err, got)
	}
}

// A PDF that needs more memory than the cap (a content stream that
// inflates to 64 MB) is refused, and the next one reads.
func TestTextMemoryLimit(t *testing.T) {
	r := pdftext.New(pdftext.Config{CacheDir: filepath.Join(pdftest.CacheDir(), "followup"), MemoryLimit: 24 << 20})
	t.Cleanup(func() { _ = r.Close() })
	_, err := r.Text(context.Background(), bomb(t, 64<<20), 0)
	if !errors.Is(err, pdftext.ErrStopped) || !strings.Contains(err.Error(), "PDFium stopped on page 1 (damaged, or it needs more than 24 MB of memory)") {
		t.Errorf("bomb: %v", err)
	}
	if got, err := r.Text(context.Background(), pdftest.Make([][]string{{"Hello."}}), 0); err != nil || got != "Hello.\n\f" {
		t.Errorf("the next read: %q, %v", got, err)
	}
}

// Text beyond MaxText is refused.
func TestTextMaxText(t *testing.T) {
	r := pdftext.New(pdftext.Config{CacheDir: filepath.Join(pdftest.CacheDir(), "followup"), MaxText: 100})
	t.Cleanup(func() { _ = r.Close() })
	_, err := r.Text(context.Background(), pdftest.Make([][]string{{strings.Repeat("word ", 30)}}), 0)
	if !errors.Is(err, pdftext.ErrTooLarge) {
		t.Errorf("150 bytes with MaxText 100: %v", err)
	}
}

// A closed reader refuses; closing one that never started costs nothing.
func TestClose(t *testing.T) {
	r := pdftext.New(pdftext.Config{})
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Text(context.Background(), pdftest.Make([][]string{{"x"}}), 0); !errors.Is(err, pdftext.ErrStart) {
		t.Errorf("after Close: %v", err)
	}
}

// bomb is a one-page PDF whose content stream inflates to n bytes of
// text operators.
func bomb(t *testing.T, n int) []byte {
	t.Helper()
	var z bytes.Buffer
	w, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("(A) Tj "), 1<<16)
	_, _ = w.Write([]byte("BT /F1 10 Tf 60 780 Td "))
	for range n / len(chunk) {
		_, _ = w.Write(chunk)
	}
	_, _ = w.Write([]byte("ET\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	var offsets []int
	obj := func(dict string, stream []byte) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\n", len(offsets), dict)
		if stream != nil {
			b.WriteString("stream\n")
			b.Write(stream)
			b.WriteString("\nendstream\n")
		}
		b.WriteString("endobj\n")
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", nil)
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>", nil)
	obj(fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>", z.Len()), z.Bytes())
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", nil)
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}
