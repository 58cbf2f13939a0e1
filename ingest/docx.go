package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxXML bounds what a .docx part may decompress to: a concluding
// observations document is a few hundred kilobytes (the word/document.xml
// of a 40-page UPR list of recommendations is 1.2 MB); a zip bomb is not.
const maxXML = 16 << 20

// maxDepth bounds how deeply XML elements nest in a part. Word's deepest
// real structure (a table in a text box in a table cell) stays under 60;
// a part nesting millions of elements, which a few kilobytes of deflate
// produce, would make the decoder keep millions of open names.
const maxDepth = 512

var (
	errNotDocx = errors.New("not a Word document")
	// errDocxBounds is a .docx part that is too large or nested too deeply
	// once decompressed: a damaged or hostile file, not a document. It is
	// ErrNotADocument, told apart from the XML errors it would otherwise
	// be wrapped in.
	errDocxBounds = fmt.Errorf("%w", ErrNotADocument)
)

// docxLines reads the paragraphs of word/document.xml as lines, with the
// heading styles of the UN's Word template as hints (HChG title, H1G
// section, H23G subsection, SingleTxtG body). Footnote references, deleted
// revisions and field codes are dropped; automatic numbering, where a
// document uses it instead of literal numbers, is written out as text.
func docxLines(ctx context.Context, data []byte) ([]line, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("damaged or truncated .docx (%v)", err)
	}
	parts := map[string]*zip.File{}
	for _, f := range zr.File {
		parts[f.Name] = f
	}
	doc := parts["word/document.xml"]
	if doc == nil {
		switch {
		case parts["xl/workbook.xml"] != nil:
			return nil, fmt.Errorf("%w: a spreadsheet (.xlsx); save the document itself as .docx or text", errNotDocx)
		case parts["ppt/presentation.xml"] != nil:
			return nil, fmt.Errorf("%w: a presentation (.pptx); save the document itself as .docx or text", errNotDocx)
		case parts["content.xml"] != nil:
			return nil, fmt.Errorf("%w: an OpenDocument file; save it as .docx or text", errNotDocx)
		}
		return nil, fmt.Errorf("%w: a ZIP archive without word/document.xml", errNotDocx)
	}
	styles := map[string]string{}
	if f := parts["word/styles.xml"]; f != nil {
		if styles, err = readStyles(f); err != nil {
			return nil, err
		}
	}
	num := &numbering{}
	if f := parts["word/numbering.xml"]; f != nil {
		if num, err = readNumbering(f); err != nil {
			return nil, err
		}
	}
	rc, err := doc.Open()
	if err != nil {
		return nil, fmt.Errorf("damaged .docx: %w", err)
	}
	defer rc.Close()
	lines, err := readDocument(ctx, boundedPart(rc, doc.Name), styles, num)
	// A warning names a line: in a .docx, the paragraph (a line break
	// inside one counts as a paragraph too), as Word's navigation counts
	// them.
	for i := range lines {
		lines[i].num = i + 1
	}
	return lines, err
}

// boundedPart reads a part, failing with errDocxBounds past maxXML
// decompressed bytes (io.LimitReader would end it silently, and the XML
// error would then speak of a truncated file).
func boundedPart(r io.Reader, name string) io.Reader {
	return &partReader{r: r, name: name, left: maxXML}
}

type partReader struct {
	r    io.Reader
	name string
	left int64
}

func (p *partReader) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, fmt.Errorf("%w: %s decompresses to more than %d MB", errDocxBounds, p.name, maxXML>>20)
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	n, err := p.r.Read(b)
	p.left -= int64(n)
	return n, err
}

// depthLimit passes tokens on and fails once elements nest deeper than
// maxDepth, before the decoder below has to hold more open elements.
type depthLimit struct {
	dec   *xml.Decoder
	name  string
	depth int
}

func (d *depthLimit) Token() (xml.Token, error) {
	tok, err := d.dec.Token()
	switch tok.(type) {
	case xml.StartElement:
		d.depth++
		if d.depth > maxDepth {
			return nil, d.tooDeep()
		}
	case xml.EndElement:
		d.depth--
	}
	return tok, err
}

func (d *depthLimit) tooDeep() error {
	return fmt.Errorf("%w: %s nests elements more than %d deep", errDocxBounds, d.name, maxDepth)
}

const wordNS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

type docxPara struct {
	style      string
	numID, lvl string
	text       strings.Builder
}

func readDocument(ctx context.Context, r io.Reader, styles map[string]string, num *numbering) ([]line, error) {
	dec := &depthLimit{dec: xml.NewDecoder(r), name: "word/document.xml"}
	var (
		lines []line
		stack []*docxPara // paragraphs nest inside text boxes
		path  []string    // local names of open elements
		skip  int         // depth inside an element whose text is dropped
	)
	cur := func() *docxPara {
		if len(stack) == 0 {
			return nil
		}
		return stack[len(stack)-1]
	}
	parent := func() string {
		if len(path) < 2 {
			return ""
		}
		return path[len(path)-2]
	}
	for n := 0; ; n++ {
		// A cancelled import (Ctrl-C, the daemon stopping) ends here
		// within a few thousand tokens.
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if errors.Is(err, errDocxBounds) {
			return nil, err
		}
		if err != nil {
			return nil, fmt.Errorf("damaged .docx: word/document.xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			if skip > 0 {
				skip++
				continue
			}
			if t.Name.Space != wordNS {
				continue
			}
			p := cur()
			switch t.Name.Local {
			case "p":
				stack = append(stack, &docxPara{})
			case "pStyle":
				if p != nil {
					p.style = attr(t, "val")
				}
			case "ilvl":
				if p != nil {
					p.lvl = attr(t, "val")
				}
			case "numId":
				if p != nil {
					p.numID = attr(t, "val")
				}
			case "tab":
				if p != nil && parent() == "r" {
					p.text.WriteByte('\t')
				}
			case "br", "cr":
				if p != nil && parent() == "r" {
					p.text.WriteByte('\n')
				}
			case "noBreakHyphen":
				if p != nil {
					p.text.WriteByte('-')
				}
			case "del", "delText", "instrText", "footnoteReference", "endnoteReference", "commentReference":
				skip = 1
			}
		case xml.EndElement:
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
			if skip > 0 {
				skip--
				continue
			}
			if t.Name.Space == wordNS && t.Name.Local == "p" && len(stack) > 0 {
				p := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				lines = append(lines, paraLines(p, styles, num)...)
			}
		case xml.CharData:
			if skip == 0 && len(path) > 0 && path[len(path)-1] == "t" {
				if p := cur(); p != nil {
					p.text.Write(t)
				}
			}
		}
	}
	return lines, nil
}

func paraLines(p *docxPara, styles map[string]string, num *numbering) []line {
	text := p.text.String()
	if label := num.next(p.numID, p.lvl); label != "" && strings.TrimSpace(text) != "" {
		text = label + "\t" + text
	}
	h := styleHint(p.style, styles[p.style])
	var out []line
	for _, part := range strings.Split(text, "\n") {
		out = append(out, newLine(part, h))
	}
	return out
}

// styleHint maps a paragraph style (its id and its name) to a hint.
func styleHint(id, name string) hint {
	name = strings.ToLower(name)
	switch {
	case id == "HChG" || id == "Title" || name == "title":
		return hintTitle
	case id == "H1G" || id == "Heading1" || name == "heading 1":
		return hintSection
	case id == "H23G" || id == "H4G" || id == "H56G" || strings.HasPrefix(id, "Heading") || strings.HasPrefix(name, "heading "):
		return hintSub
	case id == "SingleTxtG":
		return hintBody
	}
	return hintNone
}

func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func readPart(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("damaged .docx: %s: %w", f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(boundedPart(rc, f.Name))
	if errors.Is(err, errDocxBounds) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("damaged .docx: %s: %w", f.Name, err)
	}
	return b, nil
}

// unmarshalPart decodes a small part into v with the depth bound of
// document.xml: xml.Unmarshal skips unknown elements however deep they
// nest.
func unmarshalPart(b []byte, name string, v any) error {
	lim := &depthLimit{dec: xml.NewDecoder(bytes.NewReader(b)), name: name}
	err := xml.NewTokenDecoder(lim).Decode(v)
	switch {
	case errors.Is(err, errDocxBounds):
		return err
	case err != nil:
		return fmt.Errorf("damaged .docx: %s: %w", name, err)
	}
	return nil
}

// readStyles maps style ids to style names.
func readStyles(f *zip.File) (map[string]string, error) {
	b, err := readPart(f)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Styles []struct {
			ID   string `xml:"styleId,attr"`
			Name struct {
				Val string `xml:"val,attr"`
			} `xml:"name"`
		} `xml:"style"`
	}
	if err := unmarshalPart(b, "word/styles.xml", &doc); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(doc.Styles))
	for _, s := range doc.Styles {
		out[s.ID] = s.Name.Val
	}
	return out, nil
}

// numbering writes out Word's automatic paragraph numbers ("%1." decimal,
// "(%2)" lowerLetter) so that auto-numbered documents read like documents
// with literal numbers.
type numbering struct {
	abstractOf map[string]string            // numId → abstractNumId
	levels     map[string]map[string]numLvl // abstractNumId → ilvl → level
	counters   map[string][]int             // abstractNumId → counter per level
}

type numLvl struct {
	start  int
	format string
	text   string
}

func readNumbering(f *zip.File) (*numbering, error) {
	b, err := readPart(f)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Abstract []struct {
			ID  string `xml:"abstractNumId,attr"`
			Lvl []struct {
				Ilvl  string `xml:"ilvl,attr"`
				Start struct {
					Val string `xml:"val,attr"`
				} `xml:"start"`
				Fmt struct {
					Val string `xml:"val,attr"`
				} `xml:"numFmt"`
				Text struct {
					Val string `xml:"val,attr"`
				} `xml:"lvlText"`
			} `xml:"lvl"`
		} `xml:"abstractNum"`
		Num []struct {
			ID       string `xml:"numId,attr"`
			Abstract struct {
				Val string `xml:"val,attr"`
			} `xml:"abstractNumId"`
		} `xml:"num"`
	}
	if err := unmarshalPart(b, "word/numbering.xml", &doc); err != nil {
		return nil, err
	}
	n := &numbering{abstractOf: map[string]string{}, levels: map[string]map[string]numLvl{}, counters: map[string][]int{}}
	for _, a := range doc.Abstract {
		lv := map[string]numLvl{}
		for _, l := range a.Lvl {
			start, err := strconv.Atoi(l.Start.Val)
			if err != nil {
				start = 1
			}
			lv[l.Ilvl] = numLvl{start: start, format: l.Fmt.Val, text: l.Text.Val}
		}
		n.levels[a.ID] = lv
	}
	for _, m := range doc.Num {
		n.abstractOf[m.ID] = m.Abstract.Val
	}
	return n, nil
}

// next returns the label of the next paragraph numbered (numID, lvl), or "".
func (n *numbering) next(numID, lvl string) string {
	if n == nil || numID == "" || numID == "0" {
		return ""
	}
	abs, ok := n.abstractOf[numID]
	if !ok {
		return ""
	}
	if lvl == "" {
		lvl = "0"
	}
	l, ok := n.levels[abs][lvl]
	if !ok || l.format == "bullet" || l.format == "none" {
		return ""
	}
	depth, err := strconv.Atoi(lvl)
	if err != nil || depth < 0 || depth > 8 {
		return ""
	}
	c := n.counters[abs]
	if len(c) < 9 {
		c = make([]int, 9)
	}
	if c[depth] == 0 {
		c[depth] = l.start
	} else {
		c[depth]++
	}
	for d := depth + 1; d < len(c); d++ {
		c[d] = 0
	}
	n.counters[abs] = c
	label := l.text
	for d := 0; d <= depth; d++ {
		lv := n.levels[abs][strconv.Itoa(d)]
		label = strings.ReplaceAll(label, "%"+strconv.Itoa(d+1), formatNumber(c[d], lv.format))
	}
	return label
}

func formatNumber(n int, format string) string {
	switch format {
	case "lowerLetter":
		return nextLetterN(n, 'a')
	case "upperLetter":
		return nextLetterN(n, 'A')
	case "lowerRoman":
		return strings.ToLower(roman(n))
	case "upperRoman":
		return roman(n)
	}
	return strconv.Itoa(n)
}

func nextLetterN(n int, base byte) string {
	if n <= 0 {
		return ""
	}
	n--
	return strings.Repeat(string(rune(base)+rune(n%26)), n/26+1)
}

func roman(n int) string {
	if n <= 0 || n >= 4000 {
		return strconv.Itoa(n)
	}
	vals := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, v := range vals {
		for n >= v {
			b.WriteString(syms[i])
			n -= v
		}
	}
	return b.String()
}
