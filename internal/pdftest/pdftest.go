// Package pdftest writes small PDFs for tests of the PDF import (real
// files, made in the test instead of committed) and gives the tests one
// shared PDF reader.
package pdftest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/followup-app/followup/ingest/pdftext"
)

// Reader returns the PDF reader that the tests of one test binary share.
// Its compiled engine is kept in CacheDir: compiling PDFium takes seconds,
// and minutes under the race detector; loading it takes a fraction of one.
func Reader() *pdftext.Reader { return shared() }

var shared = sync.OnceValue(func() *pdftext.Reader {
	return pdftext.New(pdftext.Config{CacheDir: filepath.Join(CacheDir(), "followup")})
})

// CacheDir is where test runs keep PDFium's compiled engine, as
// XDG_CACHE_HOME for the CLI run in-process: a folder of the temporary
// directory, per user (the reader refuses one that another user could
// write to).
func CacheDir() string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("followup-test-pdfium-%d", os.Getuid()))
}

// Make writes a PDF with one page per element of pages, whose text layer
// holds the lines in Helvetica (ASCII), one text line per line, as a word
// processor lays a document out. A page with no lines carries a grey image
// instead: a scan without a text layer.
func Make(pages [][]string) []byte {
	return build(pages, "")
}

// Encrypted is Make with a user password that nobody knows: a reader
// can only refuse it.
func Encrypted(pages [][]string) []byte {
	return build(pages, " /Encrypt << /Filter /Standard /V 1 /R 2 /P -44 /O <"+strings.Repeat("3c", 32)+"> /U <"+strings.Repeat("a5", 32)+"> >>"+
		" /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]")
}

// build writes the PDF, with extra entries in its trailer.
func build(pages [][]string, trailer string) []byte {
	var objs []string
	add := func(s string) int { objs = append(objs, s); return len(objs) }
	catalog := add("") // filled in below
	pagesObj := add("")
	font := add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	image := add("<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 4 >>\nstream\n\x80\x90\xa0\xb0\nendstream")
	var kids []string
	for _, lines := range pages {
		var c strings.Builder
		if len(lines) == 0 {
			c.WriteString("q 500 0 0 700 50 50 cm /Im1 Do Q\n")
		} else {
			c.WriteString("BT /F1 10 Tf 12 TL 60 780 Td\n")
			for _, l := range lines {
				l = strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(l)
				fmt.Fprintf(&c, "(%s) Tj T*\n", l)
			}
			c.WriteString("ET\n")
		}
		content := add(fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", c.Len(), c.String()))
		page := add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> /XObject << /Im1 %d 0 R >> >> /Contents %d 0 R >>",
			pagesObj, font, image, content))
		kids = append(kids, fmt.Sprintf("%d 0 R", page))
	}
	objs[catalog-1] = fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pagesObj)
	objs[pagesObj-1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, catalog, trailer, xref)
	return b.Bytes()
}
