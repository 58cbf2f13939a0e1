package report

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"strings"
	"time"

	"github.com/followup-app/followup/internal/xlsx"
	"github.com/followup-app/followup/report/docx"
)

// Format is a draft's file format.
type Format string

// Formats.
const (
	DOCX     Format = "docx"
	Markdown Format = "md"
	HTML     Format = "html"
	XLSX     Format = "xlsx" // a matrix only
)

// Formats lists them.
var Formats = []Format{DOCX, Markdown, HTML, XLSX}

// ContentType is the MIME type of a format, for a web handler.
func (f Format) ContentType() string {
	switch f {
	case DOCX:
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case HTML:
		return "text/html; charset=utf-8"
	}
	return "text/markdown; charset=utf-8"
}

// Write writes a draft in a format.
func (d *Doc) Write(w io.Writer, f Format, meta Meta) error {
	switch f {
	case DOCX:
		return docx.Write(w, d.docx(meta))
	case Markdown:
		return d.markdown(w)
	case HTML:
		return d.html(w)
	case XLSX:
		if d.Matrix == nil {
			return fmt.Errorf("a spreadsheet holds the implementation matrix only: draft the matrix, or choose docx, md or html")
		}
		return d.xlsx(w, meta)
	}
	return fmt.Errorf("unknown format %q; expected one of: docx, md, html, xlsx", f)
}

// Meta is what a file says about itself: who wrote it and when.
type Meta struct {
	Creator string
	Created time.Time
}

// --- .docx

var docxStyles = map[Kind]string{
	KTitle: docx.StyleTitle, KSubtitle: docx.StyleSubtitle, KHeading1: docx.StyleHeading1, KHeading2: docx.StyleHeading2,
	KHeading3: docx.StyleHeading3, KNumbered: docx.StyleNumbered, KText: docx.StyleBody, KRecRef: docx.StyleBody,
	KQuote: docx.StyleQuote, KNote: docx.StyleNote,
}

func docxRuns(spans []Span, highlight bool) []docx.Run {
	var out []docx.Run
	for _, s := range spans {
		if s.Footnote != nil {
			out = append(out, docx.Note(docxRuns(s.Footnote, false)...))
			continue
		}
		out = append(out, docx.Run{Text: s.Text, Bold: s.Bold, Italic: s.Italic, Link: s.Link, Highlight: highlight || s.Note})
	}
	return out
}

func (d *Doc) docx(meta Meta) *docx.Document {
	out := &docx.Document{Lang: d.Lang, Title: d.Title, Creator: meta.Creator, Created: meta.Created, Landscape: d.Landscape}
	for _, b := range d.Blocks {
		if b.Kind == KTable {
			out.Body = append(out.Body, docxTable(b.Table))
			continue
		}
		p := docx.Paragraph{Style: docxStyles[b.Kind], Runs: docxRuns(b.Spans, b.Kind == KNote), Lang: b.Lang,
			KeepNext: b.Kind == KRecRef || b.Kind == KHeading1 || b.Kind == KHeading2 || b.Kind == KHeading3}
		out.Body = append(out.Body, p)
	}
	return out
}

func docxTable(t *Table) docx.Table {
	out := docx.Table{Widths: t.Widths}
	head := docx.Row{Header: true}
	for _, h := range t.Header {
		head.Cells = append(head.Cells, docx.Cell{Paras: []docx.Paragraph{docx.P("", h)}, Shade: "D9D9D9"})
	}
	out.Rows = append(out.Rows, head)
	for _, r := range t.Rows {
		if r.Group != "" {
			out.Rows = append(out.Rows, docx.Row{Cells: []docx.Cell{{Span: len(t.Header), Shade: "C6D9F1",
				Paras: []docx.Paragraph{{Style: docx.StyleTableHead, Runs: []docx.Run{{Text: r.Group, Bold: true}}}}}}})
			continue
		}
		row := docx.Row{}
		for _, c := range r.Cells {
			cell := docx.Cell{}
			for _, l := range c.Lines {
				cell.Paras = append(cell.Paras, docx.Paragraph{Style: docx.StyleTableText, Runs: []docx.Run{{Text: l, Bold: c.Bold}}})
			}
			row.Cells = append(row.Cells, cell)
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// --- Markdown

// mdEscape keeps text literal in Markdown: characters that would start
// emphasis, links, HTML or tables are escaped.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", `&lt;`, ">", `&gt;`, "|", `\|`, "#", `\#`)

func mdText(s string) string {
	s = docx.Clean(s)
	s = mdEscaper.Replace(s)
	// A line that starts like a list item or a numbered paragraph would
	// become one.
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		t := strings.TrimLeft(l, " ")
		if strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "+ ") || strings.HasPrefix(t, "=") || startsWithNumberDot(t) {
			lines[i] = `\` + t
		}
	}
	return strings.Join(lines, "  \n")
}

func startsWithNumberDot(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')')
}

func mdLink(u string) string {
	return "<" + strings.NewReplacer("<", "%3C", ">", "%3E", " ", "%20").Replace(docx.Clean(u)) + ">"
}

type mdWriter struct {
	w     *bufio.Writer
	notes []string
}

func (m *mdWriter) spans(spans []Span) string {
	var b strings.Builder
	for _, s := range spans {
		switch {
		case s.Footnote != nil:
			m.notes = append(m.notes, m.spans(s.Footnote))
			fmt.Fprintf(&b, "[^%d]", len(m.notes))
		case s.Link != "" && docx.SafeURL(s.Link) && s.Text == s.Link:
			b.WriteString(mdLink(s.Link))
		case s.Link != "" && docx.SafeURL(s.Link):
			fmt.Fprintf(&b, "[%s](%s)", mdText(s.Text), mdLink(s.Link))
		default:
			t := mdText(s.Text)
			lead, trail := len(t)-len(strings.TrimLeft(t, " ")), len(t)-len(strings.TrimRight(t, " "))
			core := strings.TrimSpace(t)
			if core != "" && (s.Bold || s.Italic) {
				mark := "*"
				if s.Bold {
					mark = "**"
				}
				t = t[:lead] + mark + core + mark + t[len(t)-trail:]
			}
			b.WriteString(t)
		}
	}
	return b.String()
}

func (d *Doc) markdown(w io.Writer) error {
	m := &mdWriter{w: bufio.NewWriter(w)}
	n := 0
	prev := KTitle
	for _, b := range d.Blocks {
		// The cover lines are one paragraph with line breaks: end it.
		if prev == KSubtitle && b.Kind != KSubtitle {
			m.w.WriteString("\n")
		}
		prev = b.Kind
		if b.RecID != "" && b.Kind == KRecRef {
			fmt.Fprintf(m.w, "<a id=\"%s\"></a>\n\n", anchor(b.RecID))
		}
		switch b.Kind {
		case KTitle:
			fmt.Fprintf(m.w, "# %s\n\n", m.spans(b.Spans))
		case KSubtitle:
			fmt.Fprintf(m.w, "%s  \n", m.spans(b.Spans))
		case KHeading1:
			fmt.Fprintf(m.w, "\n## %s\n\n", m.spans(b.Spans))
		case KHeading2:
			fmt.Fprintf(m.w, "### %s\n\n", m.spans(b.Spans))
		case KHeading3:
			fmt.Fprintf(m.w, "#### %s\n\n", m.spans(b.Spans))
		case KNumbered:
			n++
			fmt.Fprintf(m.w, "%d.\t%s\n\n", n, m.spans(b.Spans))
		case KQuote:
			fmt.Fprintf(m.w, "> %s\n\n", strings.ReplaceAll(m.spans(b.Spans), "\n", "\n> "))
		case KNote:
			fmt.Fprintf(m.w, "**%s**\n\n", m.spans(b.Spans))
		case KTable:
			m.table(b.Table)
		default:
			fmt.Fprintf(m.w, "%s\n\n", m.spans(b.Spans))
		}
	}
	if len(m.notes) > 0 {
		m.w.WriteString("\n")
		for i, n := range m.notes {
			fmt.Fprintf(m.w, "[^%d]: %s\n", i+1, n)
		}
	}
	return m.w.Flush()
}

func (m *mdWriter) table(t *Table) {
	cell := func(lines []string) string {
		var parts []string
		for _, l := range lines {
			parts = append(parts, strings.ReplaceAll(mdText(l), "  \n", "<br>"))
		}
		return strings.Join(parts, "<br>")
	}
	m.w.WriteString("\n| " + strings.Join(mapStrings(t.Header, mdText), " | ") + " |\n|")
	for range t.Header {
		m.w.WriteString(" --- |")
	}
	m.w.WriteString("\n")
	for _, r := range t.Rows {
		if r.Group != "" {
			fmt.Fprintf(m.w, "| **%s** |%s\n", mdText(r.Group), strings.Repeat(" |", len(t.Header)-1))
			continue
		}
		cells := make([]string, len(t.Header))
		for i, c := range r.Cells {
			if i < len(cells) {
				cells[i] = cell(c.Lines)
			}
		}
		m.w.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	m.w.WriteString("\n")
}

func mapStrings(in []string, f func(string) string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}

// anchor turns a recommendation id into an HTML id.
func anchor(id string) string {
	var b strings.Builder
	b.WriteString("rec-")
	for _, r := range id {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// --- HTML

const css = `body{font-family:"Times New Roman",Times,serif;font-size:11pt;max-width:46em;margin:2em auto;padding:0 1em;line-height:1.35;color:#111}
h1{font-size:14pt}h2{font-size:12pt;margin-top:2em}h3{font-size:11pt}h4{font-size:11pt;font-style:italic;font-weight:normal}
p.cover{margin:.2em 0}p.num{margin-left:2.5em;text-indent:-2.5em;text-align:justify}p.num .n{display:inline-block;width:2.5em;text-indent:0}
blockquote{font-style:italic;margin:.5em 3em}p.note{font-weight:bold;color:#9c0006}mark{background:#ffeb9c}
table{border-collapse:collapse;font-size:9pt;width:100%}th,td{border:1px solid #444;padding:.25em .4em;vertical-align:top;text-align:left}
th{background:#d9d9d9}tr.group td{background:#c6d9f1;font-weight:bold}section.footnotes{font-size:9pt;border-top:1px solid #444;margin-top:2em}
@media print{body{max-width:none}}`

type htmlWriter struct {
	notes []string
}

func (h *htmlWriter) spans(spans []Span) string {
	var b strings.Builder
	for _, s := range spans {
		if s.Footnote != nil {
			h.notes = append(h.notes, h.spans(s.Footnote))
			n := len(h.notes)
			fmt.Fprintf(&b, `<sup id="fnref-%d"><a href="#fn-%d">%d</a></sup>`, n, n, n)
			continue
		}
		t := html.EscapeString(docx.Clean(s.Text))
		t = strings.ReplaceAll(t, "\n", "<br>")
		if s.Link != "" && docx.SafeURL(s.Link) {
			t = fmt.Sprintf(`<a href="%s">%s</a>`, html.EscapeString(docx.Clean(s.Link)), t)
		}
		if s.Bold {
			t = "<strong>" + t + "</strong>"
		}
		if s.Italic {
			t = "<em>" + t + "</em>"
		}
		if s.Note {
			t = "<mark>" + t + "</mark>"
		}
		b.WriteString(t)
	}
	return b.String()
}

func langAttr(l string) string {
	if l == "" {
		return ""
	}
	return fmt.Sprintf(` lang="%s"`, html.EscapeString(docx.Clean(l)))
}

func (d *Doc) html(w io.Writer) error {
	bw := bufio.NewWriter(w)
	h := &htmlWriter{}
	fmt.Fprintf(bw, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>%s</title>\n<style>\n%s\n</style>\n</head>\n<body>\n",
		html.EscapeString(d.Lang), html.EscapeString(docx.Clean(d.Title)), css)
	n := 0
	for _, b := range d.Blocks {
		id := ""
		if b.RecID != "" && b.Kind == KRecRef {
			id = fmt.Sprintf(` id="%s"`, anchor(b.RecID))
		}
		lang := langAttr(b.Lang)
		switch b.Kind {
		case KTitle:
			fmt.Fprintf(bw, "<h1%s>%s</h1>\n", lang, h.spans(b.Spans))
		case KSubtitle:
			fmt.Fprintf(bw, "<p class=\"cover\"%s>%s</p>\n", lang, h.spans(b.Spans))
		case KHeading1:
			fmt.Fprintf(bw, "<h2%s>%s</h2>\n", lang, h.spans(b.Spans))
		case KHeading2:
			fmt.Fprintf(bw, "<h3%s>%s</h3>\n", lang, h.spans(b.Spans))
		case KHeading3:
			fmt.Fprintf(bw, "<h4%s>%s</h4>\n", lang, h.spans(b.Spans))
		case KNumbered:
			n++
			fmt.Fprintf(bw, "<p class=\"num\"%s><span class=\"n\">%d.</span>%s</p>\n", lang, n, h.spans(b.Spans))
		case KQuote:
			fmt.Fprintf(bw, "<blockquote%s><p>%s</p></blockquote>\n", lang, h.spans(b.Spans))
		case KNote:
			fmt.Fprintf(bw, "<p class=\"note\"%s><mark>%s</mark></p>\n", lang, h.spans(b.Spans))
		case KTable:
			h.table(bw, b.Table)
		default:
			fmt.Fprintf(bw, "<p%s%s>%s</p>\n", id, lang, h.spans(b.Spans))
		}
	}
	if len(h.notes) > 0 {
		bw.WriteString("<section class=\"footnotes\">\n<ol>\n")
		for i, note := range h.notes {
			fmt.Fprintf(bw, "<li id=\"fn-%d\">%s <a href=\"#fnref-%d\">↩</a></li>\n", i+1, note, i+1)
		}
		bw.WriteString("</ol>\n</section>\n")
	}
	bw.WriteString("</body>\n</html>\n")
	return bw.Flush()
}

func (h *htmlWriter) table(w *bufio.Writer, t *Table) {
	w.WriteString("<table>\n<thead><tr>")
	for _, c := range t.Header {
		fmt.Fprintf(w, "<th>%s</th>", html.EscapeString(c))
	}
	w.WriteString("</tr></thead>\n<tbody>\n")
	for _, r := range t.Rows {
		if r.Group != "" {
			fmt.Fprintf(w, "<tr class=\"group\"><td colspan=\"%d\">%s</td></tr>\n", len(t.Header), html.EscapeString(docx.Clean(r.Group)))
			continue
		}
		w.WriteString("<tr>")
		for _, c := range r.Cells {
			var lines []string
			for _, l := range c.Lines {
				lines = append(lines, strings.ReplaceAll(html.EscapeString(docx.Clean(l)), "\n", "<br>"))
			}
			fmt.Fprintf(w, "<td>%s</td>", strings.Join(lines, "<br>"))
		}
		w.WriteString("</tr>\n")
	}
	w.WriteString("</tbody>\n</table>\n")
}

// --- .xlsx

// xlsx writes the matrix as a spreadsheet: the header row frozen and
// filtered, one row per recommendation (no group rows: a spreadsheet is
// sorted and filtered, and the position and themes columns say the group).
func (d *Doc) xlsx(w io.Writer, meta Meta) error {
	t := d.Matrix
	wb := &xlsx.Workbook{
		Title: docx.Clean(d.Title), Creator: docx.Clean(meta.Creator), Language: d.Lang, Created: meta.Created,
		Sheet: "Matrix", Widths: []float64{60, 14, 30, 12, 24, 28, 18, 60, 14}, Header: t.Header,
	}
	for _, r := range t.Rows {
		if r.Group != "" {
			continue
		}
		vals := make([]string, len(t.Header))
		for i, c := range r.Cells {
			if i < len(vals) {
				vals[i] = xlsxText(strings.Join(c.Lines, "\n"))
			}
		}
		wb.Rows = append(wb.Rows, vals)
	}
	return wb.Write(w)
}

// xlsxText keeps a cell within what a spreadsheet holds: characters XML
// forbids replaced, and at most 32,767 characters (Excel's limit).
func xlsxText(s string) string {
	s = docx.Clean(s)
	if r := []rune(s); len(r) > 32767 {
		s = string(r[:32760]) + " […]"
	}
	return s
}
