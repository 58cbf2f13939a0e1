package ingest

import "strings"

// paragraph is one numbered paragraph with what belongs to it.
type paragraph struct {
	num        int
	line, page int
	section    string
	subsection string
	// segments: the paragraph's own text with its lettered items, then any
	// unnumbered block inside it ("The State party should:") with its own.
	segments []segment
	upr      []uprItem
}

type segment struct {
	text       string
	items      []item
	line, page int
}

type item struct {
	label      string
	text       string
	line, page int
}

type uprItem struct {
	num        int
	text       string
	line, page int
}

// text is the paragraph's whole text without its items.
func (p *paragraph) text() string {
	var parts []string
	for _, s := range p.segments {
		parts = append(parts, s.text)
	}
	return strings.Join(parts, " ")
}

// frontLine is a line before the first paragraph, or a heading there.
type frontLine struct {
	text       string
	afterBlank bool
}

// layout is a document's structure: front matter and paragraphs.
type layout struct {
	front      []frontLine
	paragraphs []*paragraph
	strays     []stray
}

// assemble groups blocks into paragraphs and tracks the headings each
// paragraph sits under.
func assemble(blocks []block, strays []stray) layout {
	lay := layout{strays: strays}
	var section, subsection string
	var cur *paragraph
	for _, b := range blocks {
		switch b.kind {
		case bFront:
			lay.front = append(lay.front, frontLine{text: b.text, afterBlank: b.blank})
		case bSection:
			section, subsection = b.text, ""
			if cur == nil {
				lay.front = append(lay.front, frontLine{text: b.text})
			}
		case bSub:
			if section == "" {
				section = b.text
			} else {
				subsection = b.text
			}
			if cur == nil {
				lay.front = append(lay.front, frontLine{text: b.text})
			}
		case bPara:
			cur = &paragraph{num: b.num, line: b.line, page: b.page, section: section, subsection: subsection,
				segments: []segment{{text: b.text, line: b.line, page: b.page}}}
			lay.paragraphs = append(lay.paragraphs, cur)
		case bText:
			if cur == nil {
				lay.front = append(lay.front, frontLine{text: b.text})
				continue
			}
			cur.segments = append(cur.segments, segment{text: b.text, line: b.line, page: b.page})
		case bItem:
			if cur == nil {
				continue
			}
			s := &cur.segments[len(cur.segments)-1]
			s.items = append(s.items, item{label: b.label, text: b.text, line: b.line, page: b.page})
		case bUPR:
			if cur == nil {
				continue
			}
			cur.upr = append(cur.upr, uprItem{num: b.num, text: b.text, line: b.line, page: b.page})
		}
	}
	return lay
}
