package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/followup-app/followup/report/source"
	"github.com/followup-app/followup/workflow"
)

// MatrixHeader is the matrix's columns: OHCHR's thematic lists of UPR
// recommendations first, in their order (recommendation and recommending
// State, position, themes, SDGs), then what followup knows of the
// implementation.
var MatrixHeader = []string{
	"Recommendation and recommending State",
	"Position of the State under review",
	"Human rights themes and groups of persons",
	"Relevant SDGs",
	"Lead ministry",
	"Supporting ministries",
	"Stage",
	"Latest update",
	"Date of latest update",
}

// positionOrder sorts a matrix as OHCHR's: supported first, then noted.
var positionOrder = []string{workflow.StatusSupported, workflow.StatusNoted, workflow.StatusPending, ""}

// matrix drafts the implementation matrix: one row per recommendation,
// grouped by position, then by theme (or by the document's own sections
// when it gives no themes).
func (b *builder) matrix() {
	var syms []string
	for _, d := range b.docs {
		syms = append(syms, d.doc.Symbol)
	}
	title := fmt.Sprintf("Implementation matrix: recommendations to %s (%s)", b.state(), strings.Join(syms, ", "))
	b.out.Landscape = true
	b.cover(title, "Report: "+b.clean("the report's title", b.rep.Title)+", due on "+longDate(b.rep.Due))
	noteAt := len(b.out.Blocks)
	t := &Table{Header: MatrixHeader, Widths: []int{3900, 1100, 1900, 900, 1500, 1700, 1200, 2900, 1200}}
	for _, d := range b.docs {
		if len(b.docs) > 1 {
			t.Rows = append(t.Rows, Row{Group: d.doc.Symbol})
		}
		for _, pos := range positionOrder {
			var items []source.Item
			for _, it := range d.items {
				if it.Task.Rec.Status == pos {
					items = append(items, it)
				}
			}
			if len(items) == 0 {
				continue
			}
			sub := &data{doc: d.doc, items: items, updates: d.updates, reminded: d.reminded}
			for _, g := range groupsOf(sub) {
				heading := g.heading
				if g.sub != "" {
					heading += ": " + g.sub
				}
				if pos != "" {
					heading = capitalize(pos) + " — " + heading
				}
				t.Rows = append(t.Rows, Row{Group: b.clean("a heading of "+d.doc.Symbol, heading)})
				for _, it := range g.items {
					t.Rows = append(t.Rows, b.matrixRow(d, it))
				}
			}
		}
	}
	b.add(Block{Kind: KTable, Table: t})
	b.out.Matrix = t
	b.insertNote(noteAt)
}

func (b *builder) matrixRow(d *data, it source.Item) Row {
	tk := it.Task
	r := tk.Rec
	b.stats.Recommendations++
	rec := shortRef(d.doc.Kind, r) + " " + b.clean("the text of "+r.ID, r.Text)
	if len(r.RecommendingStates) > 0 {
		rec += " (" + strings.Join(r.RecommendingStates, ") (") + ")"
	}
	lines := []string{rec}
	if it.PositionSource != "" {
		lines = append(lines, "Source of position: "+it.PositionSource)
	}
	var sup []string
	for _, s := range tk.Support {
		sup = append(sup, b.name(s))
	}
	lead := b.name(tk.Owner)
	if lead == "" {
		lead = "Unassigned"
	}
	latest, date := "", ""
	if u, ok := lastUpdate(d, tk.ID); ok {
		b.stats.Updates += len(d.updates[tk.ID])
		latest = b.clean(fmt.Sprintf("update %d on %s", u.ID, r.ID), u.Text)
		date = longInstant(u.At, b.loc())
	} else {
		b.stats.Gaps++
		latest = strings.Trim(b.gap(d, tk).PlainText(), "[]")
	}
	themes := slices.Clone(it.Themes)
	for i := range themes {
		themes[i] = b.clean("a theme of "+r.ID, themes[i])
	}
	return Row{RecID: r.ID, Cells: []Cell{
		{Lines: lines},
		{Lines: []string{capitalize(r.Status)}},
		{Lines: themes},
		{},
		{Lines: []string{lead}},
		{Lines: []string{strings.Join(sup, ", ")}},
		{Lines: []string{b.stageName(tk)}},
		{Lines: []string{latest}},
		{Lines: []string{date}},
	}}
}
