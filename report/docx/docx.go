// Package docx writes Word documents (WordprocessingML, .docx) with the
// standard library only: no Go library under a free licence writes them
// with real styles and footnotes.
//
// It writes what a UN report needs and nothing more: the styles of the
// UN's template (Title, Heading 1–3, numbered paragraphs, body text,
// quotations), real footnotes, tables with a repeated header row, page
// numbers in the footer, hyperlinks, and the language of the document and
// of each run. Text is cleaned on the way out: characters XML cannot hold
// (control characters, unpaired surrogates, U+FFFE) become U+FFFD, so a
// stray byte in a ministry's update never yields a file Word refuses.
//
// The output is deterministic: the same Document gives the same bytes, so
// a hash of them identifies a draft.
package docx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Paragraph styles. Their ids are those of Word's built-in styles where
// Word has one (so that Word's navigation pane and table of contents see
// the headings), and those of the UN's template otherwise.
const (
	StyleTitle     = "Title"
	StyleSubtitle  = "Subtitle"
	StyleHeading1  = "Heading1"
	StyleHeading2  = "Heading2"
	StyleHeading3  = "Heading3"
	StyleBody      = "SingleTxtG" // the UN's body text
	StyleNumbered  = "ParaNoG"    // the UN's numbered paragraph: "1.<tab>text"
	StyleQuote     = "Quote"
	StyleNote      = "DraftNote" // a note to the drafter, highlighted
	StyleTableText = "TableText"
	StyleTableHead = "TableHead"
)

// Document is a whole .docx.
type Document struct {
	// Lang is the document's language, a BCP 47 tag such as "en-GB": set
	// on the default run properties, so Word's spelling checker and
	// LibreOffice's hyphenation use it.
	Lang    string
	Title   string // the file's title property
	Creator string
	Created time.Time // written into the properties and the zip entries
	// Landscape turns the pages (for wide tables such as a matrix).
	Landscape bool
	Body      []Block
}

// Block is a Paragraph or a Table.
type Block interface{ block() }

// Paragraph is one paragraph of a style.
type Paragraph struct {
	Style string // one of the Style constants; "" is StyleBody
	Runs  []Run
	// Lang, when set, is the language of this paragraph's text, where it
	// differs from the document's (a quotation in French).
	Lang string
	// KeepNext keeps the paragraph on the page of the next one.
	KeepNext bool
}

// Table is a table whose first rows may repeat on each page.
type Table struct {
	// Widths are the columns' widths in twentieths of a point; nil
	// shares the text width equally.
	Widths []int
	Rows   []Row
}

// Row is one table row.
type Row struct {
	Header bool // repeated at the top of each page
	Cells  []Cell
}

// Cell is one table cell.
type Cell struct {
	Paras []Paragraph
	Span  int    // columns it spans; 0 or 1 for one
	Shade string // background colour, "RRGGBB"; "" for none
}

func (Paragraph) block() {}
func (Table) block()     {}

// Run is a piece of text with one formatting, or a footnote.
type Run struct {
	Text      string // "\n" breaks the line, "\t" is a tab
	Bold      bool
	Italic    bool
	Highlight bool   // yellow background, for notes to the drafter
	Link      string // the run is a hyperlink to this URL (http, https or mailto only)
	Lang      string // language of this run, when it differs from the paragraph's
	// Footnote, when not nil, makes this run a footnote reference whose
	// note holds these runs; Text is then ignored.
	Footnote []Run
}

// Note returns a run that is a footnote holding runs.
func Note(runs ...Run) Run {
	if runs == nil {
		runs = []Run{}
	}
	return Run{Footnote: runs}
}

// T returns a plain run.
func T(s string) Run { return Run{Text: s} }

// P returns a paragraph of a style with plain text.
func P(style, text string) Paragraph { return Paragraph{Style: style, Runs: []Run{T(text)}} }

// Write writes d as a .docx to w.
func Write(w io.Writer, d *Document) error {
	b := &builder{doc: d}
	body := b.document()
	parts := []struct {
		name string
		data []byte
	}{
		{"[Content_Types].xml", contentTypes(len(b.notes) > 0)},
		{"_rels/.rels", []byte(rootRels)},
		{"docProps/core.xml", b.core()},
		{"docProps/app.xml", []byte(appXML)},
		{"word/document.xml", body},
		{"word/_rels/document.xml.rels", b.docRels.xml(true, len(b.notes) > 0)},
		{"word/styles.xml", styles(d.Lang)},
		{"word/settings.xml", settings(d.Lang)},
		{"word/numbering.xml", []byte(numberingXML)},
		{"word/footer1.xml", []byte(footerXML)},
	}
	if len(b.notes) > 0 {
		parts = append(parts,
			struct {
				name string
				data []byte
			}{"word/footnotes.xml", b.footnotes()},
			struct {
				name string
				data []byte
			}{"word/_rels/footnotes.xml.rels", b.noteRels.xml(false, false)})
	}
	zw := zip.NewWriter(w)
	mod := d.Created
	if mod.IsZero() || mod.Year() < 1980 {
		mod = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	for _, p := range parts {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: mod.UTC()})
		if err != nil {
			return fmt.Errorf("write .docx part %s: %w", p.name, err)
		}
		if _, err := f.Write(p.data); err != nil {
			return fmt.Errorf("write .docx part %s: %w", p.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write .docx: %w", err)
	}
	return nil
}

// builder writes document.xml and collects footnotes and hyperlinks.
type builder struct {
	doc      *Document
	notes    [][]byte // footnote paragraphs' XML, id = index+1
	docRels  rels
	noteRels rels
}

// rels are the relationships of one part: hyperlinks, and for the
// document the fixed parts it refers to.
type rels struct {
	links []string
}

func (r *rels) add(url string) string {
	r.links = append(r.links, url)
	return fmt.Sprintf("rIdL%d", len(r.links))
}

// xml writes the part's relationships; the document's also name the
// parts every document has, and the footnotes when there are some.
func (r *rels) xml(document, notes bool) []byte {
	var b bytes.Buffer
	b.WriteString(xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	if document {
		const t = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
		fmt.Fprintf(&b, `<Relationship Id="rIdStyles" Type="%sstyles" Target="styles.xml"/>`, t)
		fmt.Fprintf(&b, `<Relationship Id="rIdSettings" Type="%ssettings" Target="settings.xml"/>`, t)
		fmt.Fprintf(&b, `<Relationship Id="rIdNumbering" Type="%snumbering" Target="numbering.xml"/>`, t)
		fmt.Fprintf(&b, `<Relationship Id="rIdFooter" Type="%sfooter" Target="footer1.xml"/>`, t)
		if notes {
			fmt.Fprintf(&b, `<Relationship Id="rIdFootnotes" Type="%sfootnotes" Target="footnotes.xml"/>`, t)
		}
	}
	for i, u := range r.links {
		fmt.Fprintf(&b, `<Relationship Id="rIdL%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="%s" TargetMode="External"/>`, i+1, attrEscape(u))
	}
	b.WriteString(`</Relationships>`)
	return b.Bytes()
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

const nsW = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`

func (b *builder) document() []byte {
	var x bytes.Buffer
	x.WriteString(xmlHeader + `<w:document ` + nsW + `><w:body>`)
	for _, bl := range b.doc.Body {
		switch v := bl.(type) {
		case Paragraph:
			b.para(&x, v, &b.docRels)
		case *Paragraph:
			b.para(&x, *v, &b.docRels)
		case Table:
			b.table(&x, v)
		case *Table:
			b.table(&x, *v)
		}
	}
	// Word wants a paragraph after a table that ends the document.
	if n := len(b.doc.Body); n > 0 {
		switch b.doc.Body[n-1].(type) {
		case Table, *Table:
			x.WriteString(`<w:p/>`)
		}
	}
	w, h, orient := 11906, 16838, ""
	if b.doc.Landscape {
		w, h, orient = h, w, ` w:orient="landscape"`
	}
	fmt.Fprintf(&x, `<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter"/><w:pgSz w:w="%d" w:h="%d"%s/>`+
		`<w:pgMar w:top="1418" w:right="1134" w:bottom="1418" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr>`,
		w, h, orient)
	x.WriteString(`</w:body></w:document>`)
	return x.Bytes()
}

func (b *builder) para(x *bytes.Buffer, p Paragraph, rl *rels) {
	style := p.Style
	if style == "" {
		style = StyleBody
	}
	fmt.Fprintf(x, `<w:p><w:pPr><w:pStyle w:val="%s"/>`, attrEscape(style))
	if p.KeepNext {
		x.WriteString(`<w:keepNext/>`)
	}
	if style == StyleNumbered {
		// The style carries the numbering too; saying it on the paragraph
		// as well is what Word writes when numbering is applied by hand,
		// and what readers that ignore style numbering understand.
		x.WriteString(`<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>`)
	}
	if p.Lang != "" {
		fmt.Fprintf(x, `<w:rPr><w:lang w:val="%s"/></w:rPr>`, attrEscape(p.Lang))
	}
	x.WriteString(`</w:pPr>`)
	for _, r := range p.Runs {
		if r.Footnote != nil {
			id := b.footnote(r.Footnote, p.Lang)
			fmt.Fprintf(x, `<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="%d"/></w:r>`, id)
			continue
		}
		lang := r.Lang
		if lang == "" {
			lang = p.Lang
		}
		if u := safeURL(r.Link); u != "" {
			fmt.Fprintf(x, `<w:hyperlink r:id="%s">`, rl.add(u))
			runs(x, r, lang, true)
			x.WriteString(`</w:hyperlink>`)
			continue
		}
		runs(x, r, lang, false)
	}
	x.WriteString(`</w:p>`)
}

// footnote records a note and returns its id.
func (b *builder) footnote(content []Run, lang string) int {
	var x bytes.Buffer
	id := len(b.notes) + 1
	x.WriteString(`<w:p><w:pPr><w:pStyle w:val="FootnoteText"/>`)
	if lang != "" {
		fmt.Fprintf(&x, `<w:rPr><w:lang w:val="%s"/></w:rPr>`, attrEscape(lang))
	}
	// As the UN's template: the number right-aligned at a tab stop, the
	// text at the hanging indent.
	x.WriteString(`</w:pPr><w:r><w:tab/></w:r><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r><w:r><w:tab/></w:r>`)
	for _, r := range content {
		if r.Footnote != nil {
			continue // a note inside a note: Word has none
		}
		l := r.Lang
		if l == "" {
			l = lang
		}
		if u := safeURL(r.Link); u != "" {
			fmt.Fprintf(&x, `<w:hyperlink r:id="%s">`, b.noteRels.add(u))
			runs(&x, r, l, true)
			x.WriteString(`</w:hyperlink>`)
			continue
		}
		runs(&x, r, l, false)
	}
	x.WriteString(`</w:p>`)
	b.notes = append(b.notes, x.Bytes())
	return id
}

func (b *builder) footnotes() []byte {
	var x bytes.Buffer
	x.WriteString(xmlHeader + `<w:footnotes ` + nsW + `>`)
	x.WriteString(`<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>`)
	x.WriteString(`<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>`)
	for i, n := range b.notes {
		fmt.Fprintf(&x, `<w:footnote w:id="%d">`, i+1)
		x.Write(n)
		x.WriteString(`</w:footnote>`)
	}
	x.WriteString(`</w:footnotes>`)
	return x.Bytes()
}

func (b *builder) table(x *bytes.Buffer, t Table) {
	cols := 0
	for _, r := range t.Rows {
		n := 0
		for _, c := range r.Cells {
			n += max(c.Span, 1)
		}
		cols = max(cols, n)
	}
	if cols == 0 {
		return
	}
	width := 11906 - 2*1134
	if b.doc.Landscape {
		width = 16838 - 2*1134
	}
	widths := t.Widths
	if len(widths) != cols {
		widths = make([]int, cols)
		for i := range widths {
			widths[i] = width / cols
		}
	}
	// A table wider than the text is scaled to fit: Word and LibreOffice
	// would let it run off the page.
	if sum := sumInts(widths); sum > width {
		scaled := make([]int, len(widths))
		for i, w := range widths {
			scaled[i] = w * width / sum
		}
		widths = scaled
	}
	x.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="ReportTable"/><w:tblW w:w="0" w:type="auto"/><w:tblLayout w:type="fixed"/><w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>`)
	for _, w := range widths {
		fmt.Fprintf(x, `<w:gridCol w:w="%d"/>`, w)
	}
	x.WriteString(`</w:tblGrid>`)
	for _, r := range t.Rows {
		x.WriteString(`<w:tr><w:trPr><w:cantSplit/>`)
		if r.Header {
			x.WriteString(`<w:tblHeader/>`)
		}
		x.WriteString(`</w:trPr>`)
		col := 0
		for _, c := range r.Cells {
			span := max(c.Span, 1)
			w := 0
			for i := col; i < col+span && i < len(widths); i++ {
				w += widths[i]
			}
			col += span
			fmt.Fprintf(x, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/>`, w)
			if span > 1 {
				fmt.Fprintf(x, `<w:gridSpan w:val="%d"/>`, span)
			}
			if c.Shade != "" {
				fmt.Fprintf(x, `<w:shd w:val="clear" w:color="auto" w:fill="%s"/>`, attrEscape(c.Shade))
			}
			x.WriteString(`</w:tcPr>`)
			if len(c.Paras) == 0 {
				x.WriteString(`<w:p><w:pPr><w:pStyle w:val="TableText"/></w:pPr></w:p>`)
			}
			for _, p := range c.Paras {
				if p.Style == "" {
					p.Style = StyleTableText
					if r.Header {
						p.Style = StyleTableHead
					}
				}
				b.para(x, p, &b.docRels)
			}
			x.WriteString(`</w:tc>`)
		}
		// A row must fill the grid: Word repairs a short one.
		for ; col < cols; col++ {
			fmt.Fprintf(x, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr><w:p/></w:tc>`, widths[col])
		}
		x.WriteString(`</w:tr>`)
	}
	x.WriteString(`</w:tbl>`)
}

func sumInts(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// runs writes a run's text as one or more w:r: tabs and line breaks are
// elements, and Lao script is marked as complex script (Word lays out Lao
// with the complex-script font and language).
func runs(x *bytes.Buffer, r Run, lang string, link bool) {
	text := Clean(r.Text)
	for _, seg := range splitScript(text) {
		x.WriteString(`<w:r>`)
		var props strings.Builder
		if link {
			props.WriteString(`<w:rStyle w:val="Hyperlink"/>`)
		}
		if seg.lao {
			props.WriteString(`<w:rFonts w:cs="Phetsarath OT"/>`)
		}
		if r.Bold {
			props.WriteString(`<w:b/><w:bCs/>`)
		}
		if r.Italic {
			props.WriteString(`<w:i/><w:iCs/>`)
		}
		if r.Highlight {
			props.WriteString(`<w:highlight w:val="yellow"/>`)
		}
		if seg.lao {
			props.WriteString(`<w:cs/>`)
		}
		switch {
		case seg.lao:
			props.WriteString(`<w:lang w:bidi="lo-LA"/>`)
		case lang != "":
			fmt.Fprintf(&props, `<w:lang w:val="%s"/>`, attrEscape(lang))
		}
		if props.Len() > 0 {
			x.WriteString(`<w:rPr>` + props.String() + `</w:rPr>`)
		}
		start := 0
		flush := func(end int) {
			if end > start {
				x.WriteString(`<w:t xml:space="preserve">`)
				textEscape(x, seg.text[start:end])
				x.WriteString(`</w:t>`)
			}
		}
		for i := 0; i < len(seg.text); i++ {
			switch seg.text[i] {
			case '\t':
				flush(i)
				x.WriteString(`<w:tab/>`)
				start = i + 1
			case '\n':
				flush(i)
				x.WriteString(`<w:br/>`)
				start = i + 1
			}
		}
		flush(len(seg.text))
		x.WriteString(`</w:r>`)
	}
}

type segment struct {
	text string
	lao  bool
}

// splitScript cuts text where it changes between Lao script and the rest.
// Spaces and punctuation stay with the text around them.
func splitScript(s string) []segment {
	var out []segment
	start, cur := 0, false
	first := true
	for i, r := range s {
		if !isLao(r) && !isLatinLetter(r) {
			continue // neutral: stays with the current segment
		}
		l := isLao(r)
		if first {
			cur, first = l, false
			continue
		}
		if l != cur {
			out = append(out, segment{s[start:i], cur})
			start, cur = i, l
		}
	}
	return append(out, segment{s[start:], cur})
}

func isLao(r rune) bool { return r >= 0x0E80 && r <= 0x0EFF }

func isLatinLetter(r rune) bool {
	return (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || (r >= 0xC0 && r <= 0x24F)
}

// Clean returns s with every character XML 1.0 forbids replaced by U+FFFD
// (control characters other than tab and line feed, U+FFFE, U+FFFF, and
// bytes that are not UTF-8, such as an unpaired surrogate written as
// CESU-8), and "\r\n" and "\r" turned into "\n".
func Clean(s string) string {
	if cleanAlready(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\r':
			b.WriteByte('\n')
			if i+1 < len(s) && s[i+1] == '\n' {
				n = 2
			}
		case r == utf8.RuneError && n <= 1:
			b.WriteRune('\uFFFD')
		case !Allowed(r):
			b.WriteRune('\uFFFD')
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func cleanAlready(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' && c != '\n' || c >= 0x80 {
			return false
		}
	}
	return true
}

// Allowed reports whether XML 1.0 admits r in text (tab, line feed and
// carriage return count as allowed).
func Allowed(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20:
		return false
	case r >= 0xD800 && r <= 0xDFFF:
		return false
	case r == 0xFFFE || r == 0xFFFF:
		return false
	case r > 0x10FFFF:
		return false
	}
	return true
}

func textEscape(x *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			x.WriteString("&amp;")
		case '<':
			x.WriteString("&lt;")
		case '>':
			x.WriteString("&gt;")
		default:
			x.WriteByte(c)
		}
	}
}

func attrEscape(s string) string {
	s = Clean(s)
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", "&#10;", "\t", "&#9;")
	return r.Replace(s)
}

// safeURL returns u when it is a web or mail address, else "": a link
// from a ministry's form must not become a script or a local file in the
// coordinator's Word.
func safeURL(u string) string {
	u = strings.TrimSpace(u)
	l := strings.ToLower(u)
	if strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "mailto:") {
		return u
	}
	return ""
}

// SafeURL reports whether Write makes u a hyperlink (http, https and
// mailto only); other links are written as text.
func SafeURL(u string) bool { return safeURL(u) != "" }

func (b *builder) core() []byte {
	d := b.doc
	created := d.Created
	if created.IsZero() {
		created = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	var x bytes.Buffer
	x.WriteString(xmlHeader + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
	x.WriteString(`<dc:title>`)
	textEscape(&x, Clean(d.Title))
	x.WriteString(`</dc:title><dc:creator>`)
	textEscape(&x, Clean(d.Creator))
	x.WriteString(`</dc:creator>`)
	if d.Lang != "" {
		x.WriteString(`<dc:language>`)
		textEscape(&x, Clean(d.Lang))
		x.WriteString(`</dc:language>`)
	}
	ts := created.UTC().Format("2006-01-02T15:04:05Z")
	fmt.Fprintf(&x, `<dcterms:created xsi:type="dcterms:W3CDTF">%s</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">%s</dcterms:modified>`, ts, ts)
	x.WriteString(`</cp:coreProperties>`)
	return x.Bytes()
}

func contentTypes(notes bool) []byte {
	var x bytes.Buffer
	x.WriteString(xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`)
	x.WriteString(`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>`)
	x.WriteString(`<Default Extension="xml" ContentType="application/xml"/>`)
	x.WriteString(`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>`)
	x.WriteString(`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>`)
	x.WriteString(`<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>`)
	x.WriteString(`<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>`)
	x.WriteString(`<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>`)
	if notes {
		x.WriteString(`<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>`)
	}
	x.WriteString(`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>`)
	x.WriteString(`<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>`)
	x.WriteString(`</Types>`)
	return x.Bytes()
}
