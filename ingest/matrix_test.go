package ingest

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/internal/needs"
	"github.com/followup-app/followup/workflow"
)

// buildMatrix writes a .docx holding one table, as OHCHR lays out a UPR
// matrix: each row a list of cells, each cell its paragraphs; a row of one
// cell is a theme heading.
func buildMatrix(t testing.TB, header string, rows [][][]string) []byte {
	t.Helper()
	var body strings.Builder
	body.WriteString("<w:tbl>")
	for _, row := range rows {
		body.WriteString("<w:tr>")
		for _, cell := range row {
			body.WriteString("<w:tc>")
			for _, p := range cell {
				// Word splits a paragraph into runs; so does this.
				mid := len(p) / 2
				for mid < len(p) && p[mid]&0xc0 == 0x80 {
					mid++
				}
				body.WriteString(`<w:p><w:r><w:t xml:space="preserve">` + html.EscapeString(p[:mid]) + `</w:t></w:r><w:r><w:t xml:space="preserve">` + html.EscapeString(p[mid:]) + `</w:t></w:r></w:p>`)
			}
			body.WriteString("</w:tc>")
		}
		body.WriteString("</w:tr>")
	}
	body.WriteString("</w:tbl>")
	ns := `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"word/document.xml":   `<?xml version="1.0"?><w:document ` + ns + `><w:body>` + body.String() + `</w:body></w:document>`,
		"word/header1.xml":    `<?xml version="1.0"?><w:hdr ` + ns + `><w:p><w:r><w:t>` + html.EscapeString(header) + `</w:t></w:r></w:p><w:p><w:r><w:t>Page 1 of 2</w:t></w:r></w:p></w:hdr>`,
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

var matrixHeader = [][]string{{"Recommendation and recommending State"}, {"Position of the State under review"}, {"Human rights themes and groups of persons"}, {"Relevant SDGs"}}

func TestUPRMatrix(t *testing.T) {
	data := buildMatrix(t, "UPR of Benin (4th Cycle - 42nd Session) Thematic list of recommendations*", [][][]string{
		matrixHeader,
		{{"Theme: Right to education"}},
		{{"31.12 Ensure free primary education for all children (Togo) (Viet Nam);", "Source of Position: A/HRC/53/10/Add.1 - Para.3"},
			{"Supported"}, {"- Right to education - general", "- Children: definition; general principles", "Groups of Persons:", "- Children"}, {"- 4 - QUALITY EDUCATION"}},
		{{"31.2 Adopt a national strategy on inclusive education (Iran (Islamic Republic of));", "Source of Position: A/HRC/53/10/Add.1 - Para.5"},
			{"Noted"}, {"- Right to education - general", "Groups of Persons:", "- Persons with disabilities"}, {}},
		{{"Theme: Children"}},
		// The same recommendation under a second theme.
		{{"31.12 Ensure free primary education for all children (Togo) (Viet Nam);", "Source of Position: A/HRC/53/10/Add.1 - Para.3"},
			{"Supported"}, {"- Children: protection against exploitation", "Groups of Persons:", "- Children"}, {}},
		{{"A note without a number"}, {""}, {""}, {""}},
	})
	d, err := Parse(data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Symbol != "A/HRC/53/10" || d.Kind != workflow.UPRReport || d.State != "Benin" || d.Language != "en" ||
		d.Title != "UPR of Benin (4th Cycle - 42nd Session) Thematic list of recommendations" {
		t.Errorf("front: %q %q %q %q %q", d.Symbol, d.Kind, d.State, d.Language, d.Title)
	}
	if got := ids(d); !slices.Equal(got, []string{"A/HRC/53/10:31.2", "A/HRC/53/10:31.12"}) {
		t.Fatalf("ids %q (in number order, the repeated one once)", got)
	}
	two, twelve := d.Recommendations[0], d.Recommendations[1]
	if two.Status != "noted" || two.Text != "Adopt a national strategy on inclusive education (Iran (Islamic Republic of))" ||
		!slices.Equal(two.RecommendingStates, []string{"Iran (Islamic Republic of)"}) || !slices.Equal(two.Themes, []string{"Right to education - general"}) ||
		two.Section != "Right to education" {
		t.Errorf("31.2 = %+v", two)
	}
	if twelve.Status != "supported" || !slices.Equal(twelve.RecommendingStates, []string{"Togo", "Viet Nam"}) ||
		!slices.Equal(twelve.Themes, []string{"Right to education - general", "Children: definition; general principles", "Children: protection against exploitation"}) {
		t.Errorf("31.12 = %+v", twelve)
	}
	// The groups of persons after "Groups of Persons:", the SDGs as their
	// numbers, each once over the two rows.
	if !slices.Equal(twelve.AffectedPersons, []string{"Children"}) || !slices.Equal(twelve.SDGs, []string{"4"}) ||
		!slices.Equal(two.AffectedPersons, []string{"Persons with disabilities"}) || two.SDGs != nil {
		t.Errorf("tags: 31.12 %q %q, 31.2 %q %q", twelve.AffectedPersons, twelve.SDGs, two.AffectedPersons, two.SDGs)
	}

	// --symbol names the report when the matrix does not.
	noSource := buildMatrix(t, "", [][][]string{matrixHeader, {{"5.1 Ratify the Convention (Chile);"}, {"Supported"}, {"- Ratification"}, {}}})
	if _, err := Parse(noSource, Options{}); err == nil || !strings.Contains(err.Error(), "give the report's symbol with --symbol") {
		t.Errorf("matrix without source: %v", err)
	}
	if d, err := Parse(noSource, Options{Symbol: "A/HRC/20/5"}); err != nil || ids(d)[0] != "A/HRC/20/5:5.1" {
		t.Errorf("with --symbol: %v %v", d, err)
	}
	// A table that is not a matrix: the .docx reads as a document.
	other := buildMatrix(t, "", [][][]string{{{"Name"}, {"Address"}}, {{"A"}, {"B"}}})
	if _, err := Parse(other, Options{}); err == nil || strings.Contains(err.Error(), "matrix") {
		t.Errorf("other table: %v", err)
	}
}

// OHCHR's matrix of Slovenia's fourth review: 254 recommendations, their
// positions (217 supported, 37 noted) and recommending States as the
// report and its addendum give them, and themes for every one.
func TestCorpusUPRMatrix(t *testing.T) {
	dir := needs.Shared(t)
	data, err := os.ReadFile(filepath.Join(dir, "corpus", "UPR48_SVN_thematic_list_of_recommendations.docx"))
	if err != nil {
		t.Fatal(err)
	}
	d := mustParse(t, data)
	var e struct {
		Positions map[string]string   `json:"positions_by_id"`
		States    map[string][]string `json:"recommending_states"`
	}
	if err := json.Unmarshal(loadExpected(t, dir)["A/HRC/59/15"], &e); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, r := range d.Recommendations {
		counts[r.Status]++
		key := r.ID[len("A/HRC/59/15:"):]
		want := "noted"
		if strings.Contains(e.Positions[key], "support") {
			want = "supported"
		}
		if r.Status != want || !slices.Equal(r.RecommendingStates, e.States[key]) || len(r.Themes) == 0 || len(r.SDGs) == 0 ||
			slices.ContainsFunc(r.SDGs, func(s string) bool { return !workflow.ValidSDG(s) }) {
			t.Errorf("%s: %s %q %q; want %s %q", r.ID, r.Status, r.RecommendingStates, r.Themes, e.Positions[key], e.States[key])
		}
	}
	if d.Symbol != "A/HRC/59/15" || d.State != "Slovenia" || len(d.Recommendations) != 254 || counts["supported"] != 217 || counts["noted"] != 37 {
		t.Errorf("%s %s: %d recommendations %v, want 254 (217 supported, 37 noted)", d.Symbol, d.State, len(d.Recommendations), counts)
	}
}
