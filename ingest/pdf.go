package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/followup-app/followup/ingest/pdftext"
)

// PDF text comes from PDFium, in-process and sandboxed (ingest/pdftext),
// laid out in the pages' physical order as `pdftotext -layout` does. On
// the shared corpus (14 PDFs) and the 143 CRPD concluding observations of
// the collection in BENCHMARKS.md, it gives the same recommendations, ids
// and headings as pdftotext -layout did; texts differ only in the space
// before a few footnote marks.

// Errors of the PDF path.
var (
	ErrNoTextLayer = errors.New("the PDF has no text layer (a scanned image?); import the Word (.docx) version from the UN's document system, or run the PDF through OCR first")
	ErrPDFPassword = errors.New("the PDF is protected by a password; import the Word (.docx) version, or a copy of the PDF saved without the password")
	ErrBadPDF      = errors.New("not a readable PDF")
)

// pdfText extracts the text of a PDF with opts.PDF, or with a reader of its
// own (started and closed for this one document) when there is none.
func pdfText(ctx context.Context, data []byte, opts Options) (string, error) {
	r := opts.PDF
	if r == nil {
		r = pdftext.New(pdftext.Config{MaxText: MaxFileSize})
		defer r.Close()
	}
	text, err := r.Text(ctx, data, opts.PDFTimeout)
	switch {
	case ctx.Err() != nil:
		return "", ctx.Err()
	case errors.Is(err, pdftext.ErrPassword):
		return "", ErrPDFPassword
	case errors.Is(err, pdftext.ErrTooLarge):
		return "", fmt.Errorf("%w: its text is larger than the %d MB limit", ErrTooLarge, MaxFileSize>>20)
	case errors.Is(err, pdftext.ErrStart):
		return "", err
	case err != nil:
		return "", fmt.Errorf("%w: %v", ErrBadPDF, err)
	}
	if strings.TrimSpace(strings.ReplaceAll(text, "\f", "")) == "" {
		return "", ErrNoTextLayer
	}
	return text, nil
}
