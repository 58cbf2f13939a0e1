package pdftext

import (
	"math"
	"slices"
	"strings"
	"unicode"
)

// glyph is one character of a page as PDFium places it: its box in PDF
// points (y grows upwards), its rotation in radians, counter-clockwise.
// PDFium also reports characters it generates itself: a space where it
// sees a gap, "\r\n" where it thinks a line ends (also before a
// superscript whose baseline differs), and U+0002 for a hyphen that ends a
// line.
type glyph struct {
	left, bottom, right, top float64
	angle                    float64
	r                        rune
}

// run is a stretch of glyphs read left to right on one baseline: a word,
// a phrase, a whole line of body text. Its body is the vertical extent of
// its tallest glyphs, so that a comma or a superscript does not widen it.
type run struct {
	left, right float64
	bottom, top float64
	text        strings.Builder
}

func (r *run) height() float64 { return r.top - r.bottom }

// line is the runs of one printed line, whatever order they were drawn in.
type line struct {
	runs        []*run
	bottom, top float64
}

// layout turns the glyphs of one page into text in the page's physical
// order, as `pdftotext -layout` does: top to bottom, left to right, one
// printed line per line, columns apart by spaces in proportion to the gap,
// and an empty line where the page leaves more than a line's height
// empty. PDFium's own order is the order of the content stream, which puts
// a UN document's header block after the first page's footnotes and a
// superscript footnote mark on a line of its own; the importer reads
// paragraphs and headings from where lines stand, so the page is rebuilt
// from the glyphs' positions instead.
func layout(glyphs []glyph) string {
	rs := runs(upright(glyphs))
	// Tall runs first, so that body text, not a superscript, sets where
	// each line stands.
	slices.SortStableFunc(rs, func(a, b *run) int { return cmpDesc(a.height(), b.height()) })
	var lines []*line
	for _, rn := range rs {
		lines = place(lines, rn)
	}
	slices.SortStableFunc(lines, func(a, b *line) int { return cmpDesc(a.top, b.top) })
	return render(lines)
}

// runs groups glyphs, in PDFium's order, into runs: a glyph continues the
// current run when it follows it closely on the right and its middle lies
// within the run's body (give or take a third of its height, which keeps
// commas, hyphens and superscripts in). Right-to-left scripts continue to
// the left.
func runs(glyphs []glyph) []*run {
	var out []*run
	var cur *run
	space, brk := false, false
	for _, g := range glyphs {
		switch {
		case g.r == '\r' || g.r == '\n' || g.r == 0:
			brk = true
			continue
		case unicode.IsSpace(g.r) || g.top-g.bottom <= 0 || g.right-g.left < 0:
			space = true
			continue
		case g.r == 2:
			g.r = '-' // PDFium's mark for a hyphen at the end of a line
		case !unicode.IsPrint(g.r):
			continue
		}
		h := g.top - g.bottom
		if cur != nil {
			m := max(h, cur.height())
			gap := g.left - cur.right
			if rtl(g.r) {
				gap = cur.left - g.right
			}
			mid := (g.top + g.bottom) / 2
			if gap <= -0.5*m || gap >= 1.5*m || mid < cur.bottom-m/3 || mid > cur.top+m/3 {
				cur = nil
			}
		}
		if cur == nil {
			cur = &run{left: g.left, right: g.right, bottom: g.bottom, top: g.top}
			cur.text.WriteRune(g.r)
			out = append(out, cur)
			space, brk = false, false
			continue
		}
		// A gap of half a line's height is a space even when PDFium
		// made none; after a line break of PDFium's (a superscript),
		// a smaller one is.
		limit := 0.5
		if brk {
			limit = 0.15
		}
		gap := g.left - cur.right
		if rtl(g.r) {
			gap = cur.left - g.right
		}
		if space || gap > limit*max(h, cur.height()) {
			cur.text.WriteByte(' ')
		}
		space, brk = false, false
		cur.text.WriteRune(g.r)
		cur.left, cur.right = min(cur.left, g.left), max(cur.right, g.right)
		if h > cur.height() {
			cur.bottom, cur.top = min(cur.bottom, g.bottom), max(cur.top, g.top)
		}
	}
	return out
}

// place puts a run on the line whose body it overlaps by more than half
// of the smaller height, or on a new line.
func place(lines []*line, rn *run) []*line {
	var best *line
	bestOverlap := 0.5
	for _, l := range lines {
		d := min(l.top-l.bottom, rn.height())
		if d <= 0 {
			continue
		}
		if f := (min(l.top, rn.top) - max(l.bottom, rn.bottom)) / d; f > bestOverlap {
			best, bestOverlap = l, f
		}
	}
	if best == nil {
		return append(lines, &line{runs: []*run{rn}, bottom: rn.bottom, top: rn.top})
	}
	best.runs = append(best.runs, rn)
	if rn.height() > best.top-best.bottom {
		best.bottom, best.top = min(best.bottom, rn.bottom), max(best.top, rn.top)
	}
	return lines
}

// render writes the lines, indented by their distance from the page's
// leftmost text in units of about the width of a character.
func render(lines []*line) string {
	left := math.Inf(1)
	for _, l := range lines {
		for _, rn := range l.runs {
			left = min(left, rn.left)
		}
	}
	pitch := linePitch(lines)
	var b strings.Builder
	var prev *line
	for _, l := range lines {
		slices.SortStableFunc(l.runs, func(a, b *run) int { return cmpAsc(a.left, b.left) })
		h := l.top - l.bottom
		// An empty line per line left empty, in the page's usual
		// distance between lines, as pdftotext -layout writes them: none
		// between paragraphs (their spacing is under a line), one or
		// more around headings and blocks.
		if prev != nil && pitch > 0 {
			n := int((prev.top - l.top - 0.9*pitch) / pitch)
			b.WriteString(strings.Repeat("\n", min(max(n, 0), 10)))
		}
		charWidth := max(h*0.55, 1)
		var lb strings.Builder
		for i, rn := range l.runs {
			var n int
			if i == 0 {
				n = int(math.Round((rn.left - left) / charWidth))
			} else {
				// Between runs, the gap itself says: touching (a word
				// drawn in two pieces, a footnote mark), a word space,
				// or a column apart.
				switch gap := rn.left - l.runs[i-1].right; {
				case gap < 0.15*h:
					n = 0
				case gap < 1.5*h:
					n = 1
				default:
					n = max(2, int(math.Round(gap/charWidth)))
				}
			}
			lb.WriteString(strings.Repeat(" ", min(n, 200)))
			lb.WriteString(rn.text.String())
		}
		b.WriteString(strings.TrimRight(lb.String(), " "))
		b.WriteByte('\n')
		prev = l
	}
	return b.String()
}

// linePitch is the most common distance between the tops of two lines
// that follow each other on the page (the median), or 0 when the page has
// fewer than two lines.
func linePitch(lines []*line) float64 {
	var d []float64
	for i := 1; i < len(lines); i++ {
		if v := lines[i-1].top - lines[i].top; v > 0 {
			d = append(d, v)
		}
	}
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[(len(d)-1)/2]
}

// upright turns a page whose text runs mostly up, down or upside down (a
// landscape table on a portrait page) so that it reads left to right.
func upright(glyphs []glyph) []glyph {
	var quarters [4]int
	for _, g := range glyphs {
		if !unicode.IsSpace(g.r) && g.r > ' ' {
			quarters[quarter(g.angle)]++
		}
	}
	q := 0
	for i := range quarters {
		if quarters[i] > quarters[q] {
			q = i
		}
	}
	if q == 0 {
		return glyphs
	}
	out := make([]glyph, len(glyphs))
	for i, g := range glyphs {
		l, b, r, t := g.left, g.bottom, g.right, g.top
		switch q {
		case 1: // text running up: turn the page a quarter clockwise
			g.left, g.right, g.bottom, g.top = b, t, -r, -l
		case 2:
			g.left, g.right, g.bottom, g.top = -r, -l, -t, -b
		case 3: // text running down
			g.left, g.right, g.bottom, g.top = -t, -b, l, r
		}
		out[i] = g
	}
	return out
}

// quarter rounds an angle in radians to the nearest quarter turn, 0 to 3.
func quarter(a float64) int {
	q := int(math.Round(a/(math.Pi/2))) % 4
	if q < 0 {
		q += 4
	}
	return q
}

func rtl(r rune) bool {
	return unicode.In(r, unicode.Arabic, unicode.Hebrew, unicode.Syriac, unicode.Thaana)
}

func cmpDesc(a, b float64) int { return cmpAsc(b, a) }

func cmpAsc(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
