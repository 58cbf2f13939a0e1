package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// zipParts writes a .docx-shaped archive holding the given parts.
func zipParts(t testing.TB, parts map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(content); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// deepDocx is the hostile file of issue 10, case 4: a word/document.xml of
// a few million nested elements that deflate shrinks to tens of kilobytes.
func deepDocx(t testing.TB, part string) []byte {
	t.Helper()
	const n = 4 << 20
	x := make([]byte, 0, len(`<w:document xmlns:w="`+wordNS+`">`)+n*3)
	x = append(x, `<w:document xmlns:w="`+wordNS+`">`...)
	x = append(x, bytes.Repeat([]byte("<a>"), n)...)
	parts := map[string][]byte{"word/document.xml": []byte(`<w:document xmlns:w="` + wordNS + `"><w:body/></w:document>`)}
	parts[part] = x
	return zipParts(t, parts)
}

// TestDeepDocxRefused (issue 10, case 4): deeply nested XML, in the
// document or in the parts read beside it, is refused as not a document
// before the decoder holds millions of open elements. Time and memory are
// measured by BenchmarkDeepDocx.
func TestDeepDocxRefused(t *testing.T) {
	for _, part := range []string{"word/document.xml", "word/styles.xml", "word/numbering.xml"} {
		t.Run(part, func(t *testing.T) {
			data := deepDocx(t, part)
			if len(data) > 200<<10 {
				t.Fatalf("the test file is %d KB: no longer a small hostile file", len(data)>>10)
			}
			_, err := Parse(data, Options{})
			if !errors.Is(err, ErrNotADocument) {
				t.Fatalf("Parse = %v, want ErrNotADocument", err)
			}
			want := part + " nests elements more than 512 deep"
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		})
	}
}

// A part that decompresses past the bound is refused as such, not as a
// truncated file.
func TestDocxDecompressedSizeBound(t *testing.T) {
	para := []byte("<w:p><w:r><w:t>x</w:t></w:r></w:p>")
	body := bytes.Repeat(para, maxXML/len(para)+1)
	doc := append([]byte(`<w:document xmlns:w="`+wordNS+`"><w:body>`), body...)
	doc = append(doc, "</w:body></w:document>"...)
	_, err := Parse(zipParts(t, map[string][]byte{"word/document.xml": doc}), Options{})
	if !errors.Is(err, ErrNotADocument) || !strings.Contains(err.Error(), "word/document.xml decompresses to more than 16 MB") {
		t.Fatalf("Parse = %v, want the decompressed size refused", err)
	}
}

// TestReadFileRefusesFIFO (issue 10, case 4): a named pipe is refused at
// once, with what it is, instead of an open that waits for a writer.
func TestReadFileRefusesFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "co.txt")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ReadFile(fifo, Options{})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotADocument) || !strings.Contains(err.Error(), "named pipe (FIFO), not a regular file") {
			t.Fatalf("ReadFile(fifo) = %v, want a named pipe refused", err)
		}
	case <-time.After(10 * time.Second):
		// Unblock the open so that the goroutine ends with the test.
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		t.Fatal("ReadFile blocked on a named pipe")
	}
}

// A cancelled context ends the read and the parse with its error.
func TestReadFileContextCancelled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "co.docx")
	if err := os.WriteFile(path, buildDocx(t, []docxPart{{"SingleTxtG", "1.\tThe Committee recommends that the State party act."}}), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadFileContext(ctx, path, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("ReadFileContext(cancelled) = %v, want context.Canceled", err)
	}
	para := []byte("<w:p><w:r><w:t>x</w:t></w:r></w:p>")
	doc := append([]byte(`<w:document xmlns:w="`+wordNS+`"><w:body>`), bytes.Repeat(para, 100000)...)
	if _, err := docxLines(ctx, zipParts(t, map[string][]byte{"word/document.xml": doc})); !errors.Is(err, context.Canceled) {
		t.Errorf("docxLines(cancelled) = %v, want context.Canceled", err)
	}
}

// BenchmarkDeepDocx measures the refusal of the hostile .docx: before the
// bounds, 18 s and 2.6 GB for 81 KB.
func BenchmarkDeepDocx(b *testing.B) {
	data := deepDocx(b, "word/document.xml")
	b.ReportMetric(float64(len(data)>>10), "KB-file")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, Options{}); !errors.Is(err, ErrNotADocument) {
			b.Fatal(err)
		}
	}
}
