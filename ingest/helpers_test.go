package ingest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/followup-app/followup/workflow"
)

// docxPart is one paragraph of a test .docx: a style and its text, where
// "\t" becomes <w:tab/>, "{fn}" a footnote reference, "{del:x}" deleted
// text and "{num}" marks an automatically numbered paragraph (numId 1, the
// level given by the number of leading '>').
type docxPart struct {
	style string
	text  string
}

// buildDocx writes a minimal .docx the way Word structures one.
func buildDocx(t testing.TB, parts []docxPart) []byte {
	t.Helper()
	var body strings.Builder
	for _, p := range parts {
		body.WriteString("<w:p><w:pPr>")
		if p.style != "" {
			fmt.Fprintf(&body, `<w:pStyle w:val="%s"/>`, p.style)
		}
		// Tab stops in the paragraph properties are not text.
		body.WriteString(`<w:tabs><w:tab w:val="left" w:pos="1701"/></w:tabs>`)
		text := p.text
		if strings.HasPrefix(text, "{num}") {
			text = strings.TrimPrefix(text, "{num}")
			lvl := 0
			for strings.HasPrefix(text, ">") {
				lvl++
				text = text[1:]
			}
			fmt.Fprintf(&body, `<w:numPr><w:ilvl w:val="%d"/><w:numId w:val="1"/></w:numPr>`, lvl)
		}
		body.WriteString("</w:pPr>")
		for _, tok := range regexp.MustCompile(`\t|\{fn\}|\{del:[^}]*\}|[^\t{]+|\{`).FindAllString(text, -1) {
			switch {
			case tok == "\t":
				body.WriteString("<w:r><w:tab/></w:r>")
			case tok == "{fn}":
				body.WriteString(`<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="2"/></w:r>`)
			case strings.HasPrefix(tok, "{del:"):
				fmt.Fprintf(&body, `<w:del w:id="9" w:author="x"><w:r><w:delText>%s</w:delText></w:r></w:del>`, html.EscapeString(tok[5:len(tok)-1]))
			default:
				fmt.Fprintf(&body, `<w:r><w:t xml:space="preserve">%s</w:t></w:r>`, html.EscapeString(tok))
			}
		}
		body.WriteString("</w:p>")
	}
	doc := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`
	numbering := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%2)"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>`
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"word/document.xml":   doc,
		"word/numbering.xml":  numbering,
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// recKeys lists "id|section|subsection" for comparing parses.
func recKeys(d *workflow.Document) []string {
	var out []string
	for _, r := range d.Recommendations {
		out = append(out, r.ID+"|"+r.Section+"|"+r.Subsection)
	}
	return out
}

func ids(d *workflow.Document) []string {
	var out []string
	for _, r := range d.Recommendations {
		out = append(out, r.ID)
	}
	return out
}

// pdfize turns a document in the Word-text style into what pdftotext gives
// for the same document: footnote markers gone, lines wrapped at width with
// an indent, page headers with the symbol, page numbers, job numbers and
// form feeds. With layout=false the paragraph numbers stand alone on their
// line, as pdftotext without -layout writes them.
func pdfize(text, symbol string, width int, layout bool) string {
	text = reFootnoteRef.ReplaceAllString(text, "")
	text = reBookmark.ReplaceAllString(text, "")
	text, _ = cutFootnotes(text)
	var out []string
	indent := ""
	if layout {
		indent = "          "
	}
	page := 1
	emit := func(s string) {
		out = append(out, s)
		if len(out)%40 == 0 {
			page++
			out = append(out, "", fmt.Sprintf("%s%d", strings.Repeat(" ", 70), page-1), "\f"+symbol, "")
			if page == 2 {
				out = append(out, "GE.99-12345(E)")
			}
		}
	}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.ReplaceAll(line, "\t", " "))
		line = regexp.MustCompile(` +`).ReplaceAllString(line, " ")
		if line == "" {
			continue
		}
		if !layout {
			if m := regexp.MustCompile(`^(\d+\.|\([a-z]\)) (.*)$`).FindStringSubmatch(line); m != nil {
				emit(m[1])
				line = m[2]
			}
		}
		words := strings.Fields(line)
		cur := ""
		for _, w := range words {
			if cur != "" && len(cur)+1+len(w) > width {
				emit(indent + cur)
				cur = w
				continue
			}
			if cur == "" {
				cur = w
			} else {
				cur += " " + w
			}
		}
		if cur != "" {
			emit(indent + cur)
		}
	}
	return strings.Join(out, "\n") + "\n"
}
