package ingest

import (
	"strings"
	"unicode"

	"github.com/followup-app/followup/internal/lazyre"
)

// hint is what a .docx paragraph style says about a line; plain text has
// none, and the structure is recognised from the wording alone.
type hint int

const (
	hintNone    hint = iota
	hintTitle        // HChG: the document title
	hintSection      // H1G: "A. Introduction"
	hintSub          // H23G, H4G…: "Statistical information"
	hintBody         // SingleTxtG and other body styles: never a heading
)

// line is one physical line of the document after cleaning.
type line struct {
	text   string // trimmed, single-spaced, tabs turned into spaces
	raw    string // as read, after cleaning, tabs kept
	hint   hint
	blank  bool // an empty line (kept: blank lines separate blocks in PDF text)
	indent int  // leading white space, tabs counted as 8
	page   int  // page of PDF text (form feeds counted from 1), else 0
	num    int  // 1-based line of the text as read (a .docx: its paragraph)
}

var (
	reFootnoteRef = lazyre.New(`\[footnoteRef:\s*\d+\]`)
	reBookmark    = lazyre.New(`\[bookmark:[^\]]*\]`)
	reFootnoteTxt = lazyre.New(`\[\d+:[ \t]`)
	reDotLeader   = lazyre.New(`(?:\.\s?){5,}|…{2,}|_{5,}`)
	reJobNumber   = lazyre.New(`^GE\.\d{2}-\d{4,6}\s*(?:\([A-Z]\))?`)
	rePageNumber  = lazyre.New(`^\d{1,3}$`)
	reBarcode     = lazyre.New(`^\*\d{5,}\*$`)
)

// cleanText turns a document converted to text into lines: Word-converter
// markers ([footnoteRef:N], [N: footnote text], [bookmark: …]) are removed,
// with the footnote texts returned apart; form feeds become line breaks;
// non-breaking spaces, curly quotes and private-use glyphs (PDF barcodes)
// are normalised.
func cleanText(s string) (lines []line, footnotes []string) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = reFootnoteRef.ReplaceAllString(s, "")
	s = reBookmark.ReplaceAllString(s, "")
	s, footnotes = cutFootnotes(s)
	// A form feed starts a page (PDF text): each line keeps its page, so
	// that a warning can name the page the admin sees, not only a line of
	// the extracted text.
	page := 0
	if strings.IndexByte(s, '\f') >= 0 {
		page = 1
	}
	for n, raw := range strings.Split(s, "\n") {
		for strings.IndexByte(raw, '\f') >= 0 {
			i := strings.IndexByte(raw, '\f')
			if before := raw[:i]; strings.TrimSpace(before) != "" {
				l := newLine(before, hintNone)
				l.num, l.page = n+1, page
				lines = append(lines, l)
			}
			page++
			raw = raw[i+1:]
		}
		l := newLine(raw, hintNone)
		l.num, l.page = n+1, page
		lines = append(lines, l)
	}
	return lines, footnotes
}

// cutFootnotes removes "[N: text]" footnote bodies (brackets may nest) and
// returns them.
func cutFootnotes(s string) (string, []string) {
	var notes []string
	var b strings.Builder
	for {
		loc := reFootnoteTxt.FindStringIndex(s)
		if loc == nil {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:loc[0]])
		depth, end := 0, -1
		for i := loc[0]; i < len(s); i++ {
			switch s[i] {
			case '[':
				depth++
			case ']':
				depth--
			}
			if depth == 0 {
				end = i
				break
			}
		}
		if end < 0 { // unbalanced: keep the rest as text
			b.WriteString(s[loc[0]:])
			break
		}
		notes = append(notes, strings.TrimSpace(s[loc[1]:end]))
		s = s[end+1:]
	}
	return b.String(), notes
}

func newLine(raw string, h hint) line {
	raw = normalizeChars(raw)
	raw = strings.TrimRightFunc(raw, unicode.IsSpace)
	indent := 0
	for _, r := range raw {
		if r == ' ' {
			indent++
		} else if r == '\t' {
			indent += 8
		} else {
			break
		}
	}
	text := collapseSpaces(raw)
	// A lone "*" ends titles that carry a footnote mark.
	return line{text: text, raw: raw, hint: h, blank: text == "", indent: indent}
}

// collapseSpaces trims s and turns each run of spaces and tabs into one
// space.
func collapseSpaces(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(c)
	}
	return b.String()
}

// normalizeChars maps characters that vary between converters to one form.
func normalizeChars(s string) string {
	if isASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\u00a0' || r == '\u2007' || r == '\u202f' || r == '\u2002' || r == '\u2003' || r == '\u2009':
			b.WriteByte(' ')
		case r == '\u00ad' || r == '\u200b' || r == '\ufeff':
			// soft hyphen, zero-width space, byte-order mark: invisible
		case r == '\u200e' || r == '\u200f' || r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069':
			// bidirectional marks around the Latin symbol of an Arabic
			// document: invisible too
		case r >= '\ue000' && r <= '\uf8ff':
			// private use: barcode glyphs of UN PDFs
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// normalizeQuotes maps typographic quotes and apostrophes to ASCII, for
// matching names ("Côte d’Ivoire"); texts and headings keep them as printed.
func normalizeQuotes(s string) string {
	return quoteReplacer.Replace(normalizeChars(s))
}

var quoteReplacer = strings.NewReplacer("\u2018", "'", "\u2019", "'", "\u02bc", "'", "\u201c", `"`, "\u201d", `"`)

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// isFurniture reports whether a line is page furniture of a PDF: a page
// number, the job number, a page header with the document symbol, a
// table-of-contents line with dot leaders.
func isFurniture(l line, symbol string) bool {
	t := l.text
	switch {
	case t == "" || len(t) > 200: // furniture is short; paragraphs are not
		return false
	case rePageNumber.MatchString(t):
		return true
	case reJobNumber.MatchString(t), reBarcode.MatchString(t):
		return true
	case isDigits(firstWord(t)) && reJobNumber.MatchString(strings.TrimPrefix(t, firstWord(t)+" ")),
		isDigits(lastWord(t)) && reJobNumber.MatchString(t):
		return true // a page footer: "12 GE.19-16835", "GE.19-16835 13"
	case t == "Please recycle", runningHeaders[strings.ToLower(t)]:
		return true
	case reDotLeader.MatchString(t):
		return true
	}
	if m := reSymbol.FindString(t); m != "" && m == t {
		return true // a page header: the symbol alone on its line
	}
	if symbol != "" {
		// "A/HRC/43/15", "2 A/HRC/43/15", "A/HRC/43/15 3"
		rest := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(t, firstWord(t)+" "), " "+lastWord(t)))
		if t == symbol || rest == symbol && (isDigits(firstWord(t)) || isDigits(lastWord(t))) {
			return true
		}
	}
	return false
}

func firstWord(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

func lastWord(s string) string {
	if i := strings.LastIndexByte(s, ' '); i >= 0 {
		return s[i+1:]
	}
	return s
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// joinWrapped appends a wrapped line to text: a line that ends with a hyphen
// after a letter or digit continues the same word ("non-" + "refoulement",
// "122.62-" + "66"); otherwise a space separates them.
func joinWrapped(text, next string) string {
	if text == "" {
		return next
	}
	if next == "" {
		return text
	}
	n := len(text)
	if n >= 2 && (text[n-1] == '-' || strings.HasSuffix(text, "–")) {
		prev, _ := lastRune(strings.TrimSuffix(strings.TrimSuffix(text, "-"), "–"))
		first := []rune(next)[0]
		if (unicode.IsLetter(prev) && unicode.IsLower(first)) || (unicode.IsDigit(prev) && unicode.IsDigit(first)) {
			return text + next
		}
	}
	return text + " " + next
}

func lastRune(s string) (rune, bool) {
	r := []rune(s)
	if len(r) == 0 {
		return 0, false
	}
	return r[len(r)-1], true
}

// runningHeaders are lines the UN prints at the top of every page of some
// documents, in the three languages.
var runningHeaders = map[string]bool{
	"advance unedited version": true, "advance edited version": true, "unedited version": true,
	"version non éditée": true, "version préliminaire non éditée": true, "version avancée non éditée": true,
	"versión avanzada sin editar": true, "versión no editada": true,
}
