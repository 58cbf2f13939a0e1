package ingest

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/followup-app/followup/report/docx"
)

// The project's own .docx reader reads back what the report's writer
// writes: styles become the same hints as the UN's template, automatic
// paragraph numbers are written out, footnote references are dropped, and
// Lao, French and Spanish text comes back as written.
func TestReadsWhatTheReportWriterWrites(t *testing.T) {
	d := &docx.Document{Lang: "en-GB", Body: []docx.Block{
		docx.P(docx.StyleTitle, "Combined periodic reports of the Lao People's Democratic Republic"),
		docx.P(docx.StyleHeading1, "I. Introduction"),
		docx.Paragraph{Style: docx.StyleNumbered, Runs: []docx.Run{docx.T("The present report was prepared"), docx.Note(docx.T("Decree No. 12.")), docx.T(" by the Commission.")}},
		docx.P(docx.StyleHeading2, "Training"),
		docx.Paragraph{Style: docx.StyleQuote, Lang: "fr-FR", Runs: []docx.Run{docx.T("Le Comité recommande à l’État partie…")}},
		docx.Paragraph{Style: docx.StyleNumbered, Lang: "es-ES", Runs: []docx.Run{docx.T("El Ministerio informó.")}},
		docx.P(docx.StyleNumbered, "ກະຊວງຍຸຕິທຳ reported a bell\a."),
		docx.Table{Rows: []docx.Row{{Cells: []docx.Cell{{Paras: []docx.Paragraph{docx.P("", "14 (a)")}}, {Paras: []docx.Paragraph{docx.P("", "Ministry of Justice")}}}}}},
	}}
	var buf bytes.Buffer
	if err := docx.Write(&buf, d); err != nil {
		t.Fatal(err)
	}
	lines, err := docxLines(context.Background(), buf.Bytes())
	if err != nil {
		t.Fatalf("the reader refuses the writer's .docx: %v", err)
	}
	type got struct {
		text string
		hint hint
	}
	var all []got
	for _, l := range lines {
		if !l.blank {
			all = append(all, got{l.text, l.hint})
		}
	}
	want := []got{
		{"Combined periodic reports of the Lao People's Democratic Republic", hintTitle},
		{"I. Introduction", hintSection},
		{"1. The present report was prepared by the Commission.", hintNone},
		{"Training", hintSub},
		{"Le Comité recommande à l’État partie…", hintNone}, // apostrophe as printed
		{"2. El Ministerio informó.", hintNone},
		{"3. ກະຊວງຍຸຕິທຳ reported a bell\uFFFD.", hintNone},
		{"14 (a)", hintNone},
		{"Ministry of Justice", hintNone},
	}
	if !slices.Equal(all, want) {
		t.Errorf("read back:\n got %+v\nwant %+v", all, want)
	}
}
