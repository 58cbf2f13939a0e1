package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// PDF text comes from poppler's pdftotext in its -layout mode. Measured on
// the shared corpus (CRPD/C/ECU, SLV and MEX/CO/2-3, A/HRC/59/15 and its
// addendum), -layout gives byte for byte the text the parser is tested on
// and the same recommendations and headings; the raw mode gives the same
// recommendations but loses 5 of 81 headings of CRPD/C/MEX/CO/2-3, where
// it breaks a two-line heading away from its paragraph. go-pdfium (WASM)
// would keep the build free of an external program but adds a PDF engine
// of several megabytes to every binary; pdftotext is one apt-get away on
// the Debian servers the README targets, and .ci/run installs it.

// Errors of the PDF path.
var (
	ErrNoTextLayer = errors.New("the PDF has no text layer (a scanned image?); import the Word (.docx) version from the UN's document system, or run the PDF through OCR first")
	ErrNoPDFToText = errors.New("reading a PDF needs pdftotext, which is not installed: install the Debian package poppler-utils (apt-get install poppler-utils), or import the Word (.docx) version")
	ErrBadPDF      = errors.New("not a readable PDF")
)

// PDFTimeout bounds one pdftotext run: a UN document converts in well under
// a second; a PDF that takes longer is broken or hostile.
const PDFTimeout = 30 * time.Second

// pdfText extracts the text of a PDF with pdftotext. The program reads the
// PDF from stdin and writes the text to stdout, bounded in time and size.
func pdfText(ctx context.Context, data []byte, opts Options) (string, error) {
	bin := opts.PDFToText
	if bin == "" {
		bin = "pdftotext"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return "", ErrNoPDFToText
	}
	timeout := opts.PDFTimeout
	if timeout <= 0 {
		timeout = PDFTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(data)
	out := &limitedBuffer{max: MaxFileSize}
	var stderr limitedBuffer
	stderr.max = 64 << 10
	cmd.Stdout, cmd.Stderr = out, &stderr
	cmd.WaitDelay = time.Second // a child that keeps the pipes open must not hang the import
	err = cmd.Run()
	switch {
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "", fmt.Errorf("%w: pdftotext did not finish within %s", ErrBadPDF, timeout)
	case ctx.Err() != nil:
		return "", ctx.Err()
	case out.overflow:
		return "", fmt.Errorf("%w: its text is larger than the %d MB limit", ErrTooLarge, MaxFileSize>>20)
	case err != nil:
		return "", fmt.Errorf("%w: pdftotext: %s", ErrBadPDF, firstErrorLine(stderr.String(), err))
	}
	text := out.String()
	if strings.TrimSpace(strings.ReplaceAll(text, "\f", "")) == "" {
		return "", ErrNoTextLayer
	}
	return text, nil
}

// firstErrorLine picks the line of pdftotext's messages that says what is
// wrong ("Couldn't read xref table"), not its warnings.
func firstErrorLine(stderr string, err error) string {
	var first string
	for _, l := range strings.Split(stderr, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if first == "" {
			first = l
		}
		if strings.Contains(l, "Error") {
			return strings.TrimPrefix(strings.TrimPrefix(l, "Syntax Error: "), "Command Line Error: ")
		}
	}
	if first != "" {
		return first
	}
	return err.Error()
}

// limitedBuffer keeps at most max bytes and remembers that more came.
type limitedBuffer struct {
	bytes.Buffer
	max      int
	overflow bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); len(p) > room {
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		b.overflow = true
		return 0, errors.New("output too large")
	}
	return b.Buffer.Write(p)
}
