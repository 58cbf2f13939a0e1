package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"
)

// sample uses every feature: styles, numbered paragraphs, footnotes with
// links, a table with a spanning row, Lao, French and Spanish text, and
// characters XML forbids.
func sample() *Document {
	return &Document{
		Lang: "en-GB", Title: "Draft <report> & co", Creator: "NCMC",
		Created: time.Date(2027, 3, 3, 10, 0, 0, 0, time.UTC),
		Body: []Block{
			P(StyleTitle, "Combined periodic report of the Lao People's Democratic Republic"),
			P(StyleHeading1, "I. Introduction"),
			Paragraph{Style: StyleNumbered, Runs: []Run{T("The present report was prepared"), Note(T("See "), Run{Text: "the decree", Link: "https://example.org/decree?a=1&b=2"}, T(".")), T(" by the Commission.")}},
			P(StyleHeading2, "Training"),
			P(StyleHeading3, "Paragraph 16 (a)"),
			Paragraph{Style: StyleQuote, Lang: "fr-FR", Runs: []Run{T("Le Comité recommande à l’État partie de dispenser une formation.")}},
			Paragraph{Style: StyleQuote, Lang: "es-ES", Runs: []Run{T("El Comité recomienda al Estado parte que imparta formación.")}},
			Paragraph{Style: StyleNumbered, Runs: []Run{T("ກະຊວງຍຸຕິທຳ reported on training: a bell\a, a form feed\f, a NUL\x00, U+FFFE \uFFFE, bad UTF-8 \xed\xa0\x80 end.\tTabbed\nand broken.")}},
			Paragraph{Style: StyleNote, Runs: []Run{{Text: "[No information received from the Ministry of Justice.]", Highlight: true}}},
			Paragraph{Style: StyleBody, Runs: []Run{{Text: "javascript link", Link: "javascript:alert(1)"}}},
			Table{Rows: []Row{
				{Header: true, Cells: []Cell{{Paras: []Paragraph{P("", "Recommendation")}}, {Paras: []Paragraph{P("", "Lead")}}, {Paras: []Paragraph{P("", "Stage")}}}},
				{Cells: []Cell{{Span: 3, Shade: "C6D9F1", Paras: []Paragraph{P("", "Theme: Training")}}}},
				{Cells: []Cell{{Paras: []Paragraph{P("", "16 (a)")}}, {Paras: []Paragraph{P("", "Ministry of Public Security")}}}},
			}},
		},
	}
}

func write(t *testing.T, d *Document) map[string]string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, d); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		parts[f.Name] = string(b)
	}
	return parts
}

func TestEveryPartIsWellFormedXML(t *testing.T) {
	parts := write(t, sample())
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "docProps/app.xml", "word/document.xml",
		"word/_rels/document.xml.rels", "word/styles.xml", "word/settings.xml", "word/numbering.xml", "word/footer1.xml",
		"word/footnotes.xml", "word/_rels/footnotes.xml.rels"} {
		s, ok := parts[name]
		if !ok {
			t.Errorf("part %s missing", name)
			continue
		}
		dec := xml.NewDecoder(strings.NewReader(s))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("%s is not well-formed XML: %v", name, err)
				break
			}
		}
	}
	// Every part a relationship names exists, and every content type
	// override names a part that exists.
	for _, rel := range []string{"styles.xml", "settings.xml", "numbering.xml", "footer1.xml", "footnotes.xml"} {
		if !strings.Contains(parts["word/_rels/document.xml.rels"], `Target="`+rel+`"`) {
			t.Errorf("document relationships do not name %s", rel)
		}
	}
}

func TestStylesFootnotesLanguagesAndCleaning(t *testing.T) {
	parts := write(t, sample())
	doc, styles, notes := parts["word/document.xml"], parts["word/styles.xml"], parts["word/footnotes.xml"]
	for _, id := range []string{"Title", "Heading1", "Heading2", "Heading3", "SingleTxtG", "ParaNoG", "Quote", "FootnoteText", "FootnoteReference", "Hyperlink"} {
		if !strings.Contains(styles, `w:styleId="`+id+`"`) {
			t.Errorf("style %s not defined", id)
		}
		if strings.Contains(doc, `w:val="`+id+`"`) || id == "FootnoteText" || id == "Hyperlink" {
			continue
		}
		if id != "SingleTxtG" && id != "FootnoteReference" {
			t.Errorf("style %s never used", id)
		}
	}
	for _, name := range []string{`<w:name w:val="heading 1"/>`, `<w:name w:val="Title"/>`, `<w:outlineLvl w:val="2"/>`} {
		if !strings.Contains(styles, name) {
			t.Errorf("styles.xml lacks %s: Word would not see the headings as headings", name)
		}
	}
	if !strings.Contains(styles, `<w:lang w:val="en-GB"`) || !strings.Contains(parts["docProps/core.xml"], "<dc:language>en-GB</dc:language>") {
		t.Error("the document's language is not set")
	}
	if !strings.Contains(doc, `<w:lang w:val="fr-FR"/>`) || !strings.Contains(doc, `<w:lang w:val="es-ES"/>`) {
		t.Error("French and Spanish paragraphs are not marked with their language")
	}
	if !strings.Contains(doc, `<w:cs/><w:lang w:bidi="lo-LA"/></w:rPr><w:t xml:space="preserve">ກະຊວງຍຸຕິທຳ </w:t>`) {
		t.Error("Lao text is not a complex-script run marked lo-LA")
	}
	if got := strings.Count(doc, "<w:footnoteReference "); got != 1 {
		t.Errorf("%d footnote references, want 1", got)
	}
	if !strings.Contains(notes, `<w:footnote w:id="1">`) || !strings.Contains(notes, `<w:hyperlink r:id="rIdL1">`) {
		t.Errorf("the footnote or its link is missing: %s", notes)
	}
	if !strings.Contains(parts["word/_rels/footnotes.xml.rels"], `Target="https://example.org/decree?a=1&amp;b=2" TargetMode="External"`) {
		t.Error("the footnote's link is not an external relationship with its URL escaped")
	}
	if strings.Contains(parts["word/_rels/document.xml.rels"], "javascript") || !strings.Contains(doc, "javascript link") {
		t.Error("a javascript: link must be written as text, not as a hyperlink")
	}
	// Forbidden characters are replaced, tabs and line breaks are elements.
	for _, bad := range []string{"\a", "\f", "\x00", "\uFFFE", "\xed\xa0\x80"} {
		if strings.Contains(doc, bad) {
			t.Errorf("document.xml holds %q", bad)
		}
	}
	if strings.Count(doc, "\uFFFD") != 7 {
		t.Errorf("%d replacement characters, want 7 (bell, form feed, NUL, U+FFFE, one per byte of the surrogate)", strings.Count(doc, "\uFFFD"))
	}
	if !strings.Contains(doc, `end.</w:t><w:tab/><w:t xml:space="preserve">Tabbed</w:t><w:br/>`) {
		t.Error("tab and line feed are not w:tab and w:br")
	}
	// The table: a header row repeated on each page, a row spanning the
	// three columns, a short row filled to the grid.
	if !strings.Contains(doc, "<w:tblHeader/>") || !strings.Contains(doc, `<w:gridSpan w:val="3"/>`) || strings.Count(doc, "<w:tc>") != 3+1+3 {
		t.Errorf("table rows are not as written: %d cells", strings.Count(doc, "<w:tc>"))
	}
	if !strings.HasSuffix(strings.TrimSpace(doc), `<w:p/><w:sectPr><w:footerReference w:type="default" r:id="rIdFooter"/><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1418" w:right="1134" w:bottom="1418" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr></w:body></w:document>`) {
		t.Error("the document must end with a paragraph after the table, then the section with the footer")
	}
	if !strings.Contains(parts["word/footer1.xml"], "PAGE") {
		t.Error("the footer has no page number")
	}
	if !strings.Contains(parts["docProps/core.xml"], "Draft &lt;report&gt; &amp; co") {
		t.Error("the title property is not escaped")
	}
}

func TestOutputIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := Write(&a, sample()); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, sample()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same document gave different bytes: a draft's hash would change for nothing")
	}
}

func TestNoFootnotesNoFootnotesPart(t *testing.T) {
	parts := write(t, &Document{Body: []Block{P(StyleBody, "x")}, Landscape: true})
	if _, ok := parts["word/footnotes.xml"]; ok {
		t.Error("a footnotes part without footnotes")
	}
	if strings.Contains(parts["word/_rels/document.xml.rels"], "footnotes") || strings.Contains(parts["[Content_Types].xml"], "footnotes") {
		t.Error("relationships or content types name a footnotes part that is absent")
	}
	if !strings.Contains(parts["word/document.xml"], `w:orient="landscape"`) {
		t.Error("landscape pages are not turned")
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"plain":             "plain",
		"a\r\nb\rc":         "a\nb\nc",
		"bell\a":            "bell\uFFFD",
		"\xed\xa0\x80x":     "\uFFFD\uFFFD\uFFFDx",
		"ok\uFFFDok":        "ok\uFFFDok",
		"ລາວ":               "ລາວ",
		"tab\there\nline":   "tab\there\nline",
		"\uFFFF\U0010FFFF":  "\uFFFD\U0010FFFF",
		"vertical\vtab\x1f": "vertical\uFFFDtab\uFFFD",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzWrite(f *testing.F) {
	f.Add("text", "https://example.org")
	f.Add("\x00\uFFFE\xed\xa0\x80<&>\"", "javascript:x")
	f.Fuzz(func(t *testing.T, text, link string) {
		d := &Document{Lang: text, Title: text, Body: []Block{
			Paragraph{Style: text, Runs: []Run{T(text), {Text: text, Link: link}, Note(T(text), Run{Text: text, Link: link})}},
			Table{Rows: []Row{{Cells: []Cell{{Paras: []Paragraph{P("", text)}}}}}},
		}}
		var buf bytes.Buffer
		if err := Write(&buf, d); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		for _, zf := range zr.File {
			rc, _ := zf.Open()
			dec := xml.NewDecoder(rc)
			for {
				_, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("%s not well-formed for %q: %v", zf.Name, text, err)
				}
			}
			rc.Close()
		}
	})
}

func TestWideTableFitsThePage(t *testing.T) {
	parts := write(t, &Document{Body: []Block{Table{Widths: []int{6000, 6000, 6000}, Rows: []Row{{Cells: []Cell{{}, {}, {}}}}}}})
	// Portrait A4 with 2 cm margins: 9,638 twips of text.
	if !strings.Contains(parts["word/document.xml"], `<w:gridCol w:w="3212"/><w:gridCol w:w="3212"/><w:gridCol w:w="3212"/>`) {
		t.Errorf("columns not scaled to the text width: %s", parts["word/document.xml"])
	}
}
