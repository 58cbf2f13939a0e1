// Package ingest turns UN documents into recommendations.
//
// It reads concluding observations of the treaty bodies, in English, French
// and Spanish, and Universal Periodic Review reports (and their addenda and
// OHCHR's matrices) as users receive them: a PDF (read in-process by
// PDFium, see ingest/pdftext), the UN's Word file (.docx), text converted from Word, or text
// extracted from a PDF with or without layout. Structure is recognised from the wording and
// the numbering, not from one converter's spacing: UN documents number their
// paragraphs 1, 2, 3… throughout, items (a), (b)… inside a paragraph, and
// UPR recommendations 121.1, 121.2…, and that sequence is what the parser
// trusts.
//
// It also reads exports of OHCHR's Universal Human Rights Index (UHRI):
// many documents of every mechanism in one .xlsx, .csv or .json, already
// tagged with themes, affected persons and SDG targets. Open tells them
// from a document by content; ScanUHRI hands an importer one row at a time
// (the whole index is 270,000 rows), ReadUHRI collects the documents in
// memory. See uhri.go for how rows map to recommendations.
package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/followup-app/followup/ingest/pdftext"
	"github.com/followup-app/followup/workflow"
)

// MaxFileSize is the largest file the importer reads. Concluding
// observations are well under 2 MB as .docx and under 1 MB as text; a larger
// file is a wrong pick (a scan, an archive, a database dump).
const MaxFileSize = 20 << 20

// Errors an admin can meet, each wrapped with the detail.
var (
	ErrEmpty             = errors.New("the file is empty")
	ErrTooLarge          = fmt.Errorf("the file is larger than the %d MB limit", MaxFileSize>>20)
	ErrNotADocument      = errors.New("not a document the importer reads")
	ErrNoRecommendations = errors.New("no recommendations found")
)

// Options adjust a parse.
type Options struct {
	// Symbol overrides the document symbol found in the text (for a text
	// that does not carry it).
	Symbol string
	// PDF reads PDFs. When nil, each PDF starts a reader of its own,
	// which compiles PDFium anew (seconds): give one shared reader to
	// import several.
	PDF *pdftext.Reader
	// PDFTimeout bounds the reading of one PDF (when zero, the reader's
	// default: pdftext.DefaultTimeout, or pdftext.InterpretedTimeout).
	PDFTimeout time.Duration
}

// ReadFile reads and parses the document at path. Files over MaxFileSize
// are refused before they are read.
func ReadFile(path string, opts Options) (*workflow.Document, error) {
	return ReadFileContext(context.Background(), path, opts)
}

// ReadFileContext is ReadFile that gives up when ctx is done (the admin
// pressed Ctrl-C, the daemon is stopping).
func ReadFileContext(ctx context.Context, path string, opts Options) (*workflow.Document, error) {
	f, st, err := openRegular(ctx, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("%w (it is %d MB)", ErrTooLarge, st.Size()>>20)
	}
	data, err := io.ReadAll(io.LimitReader(ctxReader{ctx, f}, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, ErrTooLarge
	}
	// A download that failed often saves the server's error page under the
	// PDF's name.
	if strings.EqualFold(filepath.Ext(path), ".pdf") && len(bytes.TrimSpace(data)) > 0 && sniff(data) != "pdf" {
		return nil, fmt.Errorf("%w: the file is named .pdf but is not a PDF (it looks like %s; a failed download?)", ErrNotADocument, looksLike(data))
	}
	return ParseContext(ctx, data, opts)
}

// openRegular opens the file at path for reading, the one way this package
// opens a file it is given. Only regular files are read: a named pipe, a
// device or a socket would block the open or the read forever, so the
// path is checked before it is opened, and the open itself cannot block
// (O_NONBLOCK) in case the path was swapped in between.
func openRegular(ctx context.Context, path string) (*os.File, os.FileInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if err := regular(st); err != nil {
		return nil, nil, err
	}
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, nil, err
	}
	if st, err = f.Stat(); err == nil {
		err = regular(st)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// regular refuses anything but a regular file, saying what it is.
func regular(st os.FileInfo) error {
	m := st.Mode()
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return fmt.Errorf("%w: it is a folder", ErrNotADocument)
	case m&os.ModeNamedPipe != 0:
		return fmt.Errorf("%w: it is a named pipe (FIFO), not a regular file", ErrNotADocument)
	case m&os.ModeSocket != 0:
		return fmt.Errorf("%w: it is a socket, not a regular file", ErrNotADocument)
	case m&os.ModeDevice != 0:
		return fmt.Errorf("%w: it is a device, not a regular file", ErrNotADocument)
	}
	return fmt.Errorf("%w: not a regular file", ErrNotADocument)
}

// ctxReader stops a read between two chunks once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Parse parses one document held in memory. It never panics on any input:
// what it cannot read it reports as an error saying what the file seems to
// be.
func Parse(data []byte, opts Options) (*workflow.Document, error) {
	return ParseContext(context.Background(), data, opts)
}

// ParseContext is Parse that gives up when ctx is done: the PDF text
// extraction and the .docx reader check it as they go.
func ParseContext(ctx context.Context, data []byte, opts Options) (*workflow.Document, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, ErrEmpty
	}
	if len(data) > MaxFileSize {
		return nil, ErrTooLarge
	}
	var (
		lines       []line
		footnotes   []string
		paraPerLine bool
	)
	switch kind := sniff(data); kind {
	case "zip":
		switch doc, err := uprMatrix(data, opts); {
		case err == nil:
			return doc, nil
		case !errors.Is(err, errNotMatrix):
			return nil, err
		}
		l, err := docxLines(ctx, data)
		if err != nil {
			return nil, err
		}
		// A .docx holds one paragraph per Word paragraph, unless it was
		// made from a PDF's text, one Word paragraph per printed line.
		lines, paraPerLine = l, !wrapped(l)
	case "pdf":
		text, err := pdfText(ctx, data, opts)
		if err != nil {
			return nil, err
		}
		lines, footnotes = cleanText(text)
	case "text", "utf16le", "utf16be":
		text, err := decodeText(data, kind)
		if err != nil {
			return nil, err
		}
		lines, footnotes = cleanText(text)
		paraPerLine = longestLine(lines) > 250 && !wrapped(lines)
	default:
		return nil, fmt.Errorf("%w: %s", ErrNotADocument, kind)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	doc, err := parseLines(lines, footnotes, paraPerLine, opts)
	if cerr := ctx.Err(); cerr != nil {
		// Stopped while the text was parsed: the caller must not go on
		// to write what it would have imported.
		return nil, cerr
	}
	return doc, err
}

func parseLines(lines []line, footnotes []string, paraPerLine bool, opts Options) (*workflow.Document, error) {
	doc := &workflow.Document{Symbol: opts.Symbol}
	// A first pass over the front matter (what comes before paragraph 1)
	// finds the symbol, so that the page headers repeating it can be
	// recognised as furniture. Later paragraphs cite other documents.
	var top []string
	for i := 0; i < len(lines) && i < 80; i++ {
		if m := reParaStart.FindStringSubmatch(lines[i].text); m != nil && m[1] == "1" {
			break
		}
		top = append(top, lines[i].text)
	}
	if doc.Symbol == "" {
		for _, m := range reSymbol.FindAllString(strings.Join(top, "\n"), -1) {
			if strings.Contains(m, "/CO/") || strings.HasPrefix(m, "A/HRC/") {
				doc.Symbol = m
				break
			}
		}
	}
	if doc.Symbol == "" {
		doc.Symbol = runningSymbol(lines)
	}
	// Documents that are not concluding observations in a language the
	// importer reads are told for what they are before anything else.
	if lang := otherLanguage(lines); lang != "" {
		return nil, otherLanguageError(lang, doc.Symbol)
	}
	front := strings.Join(top, "\n")
	if len(front) > 4000 { // a title page, not a document lost on one line
		front = front[:4000]
	}
	if err := followUpReply(doc.Symbol, front); err != nil {
		return nil, err
	}
	lay := assemble(tokenize(lines, doc.Symbol, paraPerLine))
	if len(lay.paragraphs) == 0 {
		return nil, fmt.Errorf("%w: the text has no numbered paragraphs (\"1. The Committee considered…\")", ErrNoRecommendations)
	}
	doc.Language = layoutLanguage(lay)
	frontMatter(doc, lay, footnotes, paraPerLine)
	if doc.Symbol == "" {
		return nil, errors.New("no document symbol found (such as CRC/C/OPSC/LAO/CO/1 or A/HRC/43/15); give it with --symbol")
	}
	switch doc.Kind {
	case workflow.UPRAddendum:
		if doc.Parent == "" {
			return nil, fmt.Errorf("addendum %s: cannot tell which report it answers", doc.Symbol)
		}
		c := &checker{}
		checkLayout(c, lay, doc.Kind)
		addendum(doc, lay, c)
		if len(doc.Positions) == 0 {
			return nil, fmt.Errorf("%w: addendum %s gives no positions (\"accepts the following recommendations 122.1, …\")", ErrNoRecommendations, doc.Symbol)
		}
		doc.Warnings = c.done()
		return doc, nil
	case workflow.UPRReport:
		uprReport(doc, lay)
	default:
		concludingObservations(doc, lay)
	}
	if len(doc.Recommendations) == 0 {
		return nil, fmt.Errorf("%w in %s: no paragraph recommends, urges, encourages or requests anything", ErrNoRecommendations, doc.Symbol)
	}
	c := &checker{}
	checkLayout(c, lay, doc.Kind)
	if doc.Kind == workflow.ConcludingObservations {
		checkUnasked(c, doc, lay)
	}
	doc.Warnings = c.done()
	return doc, nil
}

// runningSymbol returns the symbol the page headers repeat, for text in
// which the masthead does not come first (a PDF's text in reading order
// may put it after the first page's paragraphs): the symbol of concluding
// observations or of a UPR document that most lines consist of, or "".
func runningSymbol(lines []line) string {
	counts := map[string]int{}
	best := ""
	for _, l := range lines {
		if len(l.text) > 80 {
			continue
		}
		m := reSymbol.FindString(l.text)
		if m == "" || !strings.Contains(m, "/CO/") && !strings.HasPrefix(m, "A/HRC/") {
			continue
		}
		if rest := strings.TrimSpace(strings.Replace(l.text, m, "", 1)); rest != "" && !isDigits(rest) && rest != "United Nations" && rest != "Nations Unies" && rest != "Naciones Unidas" {
			continue
		}
		counts[m]++
		if counts[m] > counts[best] {
			best = m
		}
	}
	return best
}

// sniff tells what the bytes are: "zip", "text", "utf16le", "utf16be", or a
// description of a file the importer does not read.
func sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("PK\x03\x04")), bytes.HasPrefix(b, []byte("PK\x05\x06")):
		return "zip"
	case bytes.Contains(b[:min(len(b), 1024)], []byte("%PDF-")):
		return "pdf" // the header may follow a few bytes of junk
	case bytes.HasPrefix(b, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return "an old Office file (.doc or .xls); save it as .docx"
	case bytes.HasPrefix(b, []byte("\x89PNG")):
		return "an image (PNG)"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "an image (JPEG)"
	case bytes.HasPrefix(b, []byte("GIF8")):
		return "an image (GIF)"
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return "an image (TIFF)"
	case bytes.HasPrefix(b, []byte("{\\rtf")):
		return "an RTF file; save it as .docx or text"
	case bytes.HasPrefix(b, []byte("\x1f\x8b")):
		return "a gzip archive"
	case bytes.HasPrefix(b, []byte("SQLite format 3\x00")):
		return "an SQLite database"
	case bytes.HasPrefix(b, []byte("\xff\xfe")):
		return "utf16le"
	case bytes.HasPrefix(b, []byte("\xfe\xff")):
		return "utf16be"
	}
	head := b
	if len(head) > 8192 {
		head = head[:8192]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return "a binary file, not text"
	}
	return "text"
}

// decodeText returns the text as UTF-8. Word's "Unicode text" export is
// UTF-16 with a byte-order mark; anything else must be valid UTF-8.
func decodeText(b []byte, kind string) (string, error) {
	if kind == "utf16le" || kind == "utf16be" {
		b = b[2:]
		u := make([]uint16, len(b)/2)
		for i := range u {
			if kind == "utf16le" {
				u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
			} else {
				u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
			}
		}
		return string(utf16.Decode(u)), nil
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		off := 0
		for off < len(b) {
			r, size := utf8.DecodeRune(b[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		line := bytes.Count(b[:off], []byte("\n")) + 1
		return "", fmt.Errorf("%w: not valid UTF-8 text (first bad byte at line %d, offset %d); save the text as UTF-8", ErrNotADocument, line, off)
	}
	return string(b), nil
}

// wrapped reports whether lines are a page's printed lines rather than
// paragraphs: many stop in mid-sentence and go on in lower case on the
// next line. In a Word document almost none do (a heading does not end a
// sentence, but the line after it opens with a capital or a number).
func wrapped(lines []line) bool {
	long, cut := 0, 0
	for i, l := range lines {
		if l.blank || len(l.text) < 40 {
			continue
		}
		long++
		if endsSentence(l.text) {
			continue
		}
		for j := i + 1; j < len(lines) && j < i+4; j++ {
			if !lines[j].blank {
				if startsLower(lines[j].text) {
					cut++
				}
				break
			}
		}
	}
	return cut >= 5 && cut*5 >= long
}

func longestLine(lines []line) int {
	n := 0
	for _, l := range lines {
		if len(l.text) > n {
			n = len(l.text)
		}
	}
	return n
}

// layoutLanguage tells the language of a document from its first
// paragraphs.
func layoutLanguage(lay layout) string {
	var b strings.Builder
	for _, p := range lay.paragraphs {
		if b.Len() > 8000 {
			break
		}
		b.WriteString(p.text())
		b.WriteByte(' ')
	}
	return detectLanguage(b.String())
}

// looksLike describes what a file that should have been a PDF is.
func looksLike(data []byte) string {
	head := strings.ToLower(string(bytes.TrimSpace(data[:min(len(data), 512)])))
	switch k := sniff(data); {
	case strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html"):
		return "an HTML page"
	case k == "text" || k == "utf16le" || k == "utf16be":
		return "text"
	case k == "zip":
		return "a Word file or a zip archive"
	default:
		return k
	}
}
