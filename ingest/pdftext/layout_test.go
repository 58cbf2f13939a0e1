package pdftext

import (
	"math"
	"strings"
	"testing"
)

// word lays s out from x on the baseline y at size pt, one glyph per rune
// (half the size wide), PDFium's way: a glyph's box spans 70% of the size
// above the baseline; punctuation is shorter; spaces have no height.
func word(x, y, pt float64, s string) []glyph {
	var gs []glyph
	for _, r := range s {
		w := pt / 2
		g := glyph{left: x, right: x + w, bottom: y, top: y + 0.7*pt, r: r}
		switch r {
		case ' ':
			g.top = g.bottom
		case ',', '.':
			g.bottom, g.top = y-0.15*pt, y+0.1*pt
		}
		gs = append(gs, g)
		x += w
	}
	return gs
}

func cat(parts ...[]glyph) []glyph {
	var out []glyph
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// lines returns the text's lines with runs of spaces made one, and runs
// of empty lines one empty line.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		l = strings.Join(strings.Fields(l), " ")
		if l == "" && len(out) > 0 && out[len(out)-1] == "" {
			continue
		}
		out = append(out, l)
	}
	return out
}

func TestLayout(t *testing.T) {
	for _, tc := range []struct {
		name   string
		glyphs []glyph
		want   []string
	}{{
		// The content stream draws the page's header block last, as
		// the UN's PDFs do on their first page: it still comes first.
		name: "physical order",
		glyphs: cat(
			word(60, 700, 10, "1. The Committee considered the report."),
			word(60, 688, 10, "It thanks the State party."),
			word(60, 780, 10, "United Nations"), word(300, 780, 10, "CRC/C/LAO/CO/1"),
		),
		want: []string{"United Nations CRC/C/LAO/CO/1", "", "1. The Committee considered the report.", "It thanks the State party."},
	}, {
		// A footnote mark is drawn on a higher baseline, smaller, and
		// PDFium ends its line before it; it belongs where it stands.
		name: "superscript",
		glyphs: cat(
			word(60, 700, 10, "reports of Mexico"), []glyph{{r: '\r'}, {r: '\n'}},
			word(145, 703, 6, "1"), []glyph{{r: '\r'}, {r: '\n'}},
			word(150, 700, 10, " at its meeting,"), []glyph{{r: '\r'}, {r: '\n'}},
			word(230.5, 703, 6, "2"), []glyph{{r: '\r'}, {r: '\n'}},
			word(236, 700, 10, "held in 2022."),
		),
		want: []string{"reports of Mexico1 at its meeting,2 held in 2022."},
	}, {
		// Commas and full stops sit below the line's middle; a column
		// far to the right stays apart; U+0002 is a hyphen.
		name: "punctuation and columns",
		glyphs: cat(
			word(60, 700, 10, "Convention on the Rights"), word(400, 700, 10, "Distr.: General"),
			word(60, 688, 10, "non\x02"), word(60, 676, 10, "refoulement, for all."),
		),
		want: []string{"Convention on the Rights Distr.: General", "non-", "refoulement, for all."},
	}, {
		// A page turned a quarter: the text runs up the page.
		name: "landscape",
		glyphs: func() []glyph {
			var gs []glyph
			for i, l := range []string{"A. Table", "1. Row one"} {
				for _, g := range word(100, 300-float64(i)*12, 10, l) {
					// Turn the page a quarter counter-clockwise: (x, y)
					// becomes (-y, x).
					g.left, g.bottom, g.right, g.top = -g.top, g.left, -g.bottom, g.right
					g.angle = math.Pi / 2
					gs = append(gs, g)
				}
			}
			return gs
		}(),
		want: []string{"A. Table", "1. Row one"},
	}, {
		name:   "nothing",
		glyphs: []glyph{{r: ' '}, {r: '\r'}, {r: '\n'}, {r: 0xfffe}},
		want:   []string{""},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := lines(layout(tc.glyphs))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("layout:\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

// Column gaps become spaces in proportion, as pdftotext -layout writes
// them: "1." and its text stay apart by more than one space.
func TestLayoutColumns(t *testing.T) {
	got := layout(cat(word(60, 700, 10, "1."), word(100, 700, 10, "The Committee")))
	if !strings.HasPrefix(got, "1.    ") || !strings.Contains(got, "The Committee") {
		t.Errorf("layout = %q", got)
	}
}
