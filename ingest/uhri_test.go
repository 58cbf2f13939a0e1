package ingest

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/internal/uhrigen"
	"github.com/followup-app/followup/workflow"
)

// The columns of UHRI's "Export to Excel", in its order and spelling.
var uhriTestHeader = []string{
	"Text", "Countries Concerned", "Reccomending Body", "Document Symbol", "Themes", "Affected Persons", "Sdgs",
	"Document Publication Date", "UPR Reccomending States", "UPR Position", "Type", "OHCHR Annotation Id",
	"UPR Session", "Regions Concerned", "Recommending Regions", "Date of publication on UHRI",
}

// uhriTestRows is a small export with each quirk: a concern then its
// recommendation under a heading glued to the number, a UPR
// recommendation with its States and position, a special procedure, a
// paragraph annotated item by item, a row of another type. Dates are Excel
// serials (float64 so that the .xlsx stores numbers, as the export does).
func uhriTestRows() [][]any {
	return [][]any{
		{"Rural women 49.The Committee notes with concern that rural women lack access to land.", "- Iraq", "- CEDAW", "CEDAW/C/IRQ/CO/8",
			"- Equality & non-discrimination\n- Land & property rights", "- Women & girls", "- 1.4 - Equal rights to economic resources",
			46078.0, "", "", "- Concerns/Observations", "b4288060-6633-478d-9a9a-df1978d336c3", "", "- Asia-Pacific", "", 46125.4996282407},
		{"Rural women 50.The Committee recommends that the State party guarantee rural women's access to land and credit.", "- Iraq", "- CEDAW", "CEDAW/C/IRQ/CO/8",
			"- Equality & non-discrimination\n- Discrimination against women\n- Land & property rights", "- Persons living in rural areas\n- Women & girls",
			"- 1.4 - Equal rights to economic resources\n- 16.3 - Promote the rule of law",
			46078.0, "", "", "- Recommendations", "0f6a3c1e-1111-4a55-9c1d-2b3c4d5e6f70", "", "- Asia-Pacific", "", 46125.4996282407},
		{"Education 31.(b) Adopt a strategy to keep girls in secondary school;", "- Iraq", "- CEDAW", "CEDAW/C/IRQ/CO/8",
			"- Right to education", "- Girls", "- 4.1 - Free primary and secondary education",
			46078.0, "", "", "- Recommendations", "7c1b2a33-2222-4b66-8d2e-3c4d5e6f7081", "", "- Asia-Pacific", "", 46125.5},
		{"122.17 Ratify the International Convention on the Protection of the Rights of All Migrant Workers and Members of Their Families (Algeria) (Egypt)",
			"- Slovenia", "- UPR", "A/HRC/43/15", "- Migrants\n- International instruments", "- Migrants", "",
			43810.0, "- Algeria\n- Egypt", "- Noted", "- Recommendations", "5e4d3c2b-3333-4c77-9e3f-4d5e6f708192", "- 34 Session", "- Eastern European Group", "- African Group", 43900.25},
		{"121.5 Adopt a national action plan against hate speech (Germany)", "- Slovenia", "- UPR", "A/HRC/43/15", "- Racial discrimination", "", "",
			43810.0, "- Germany", "- Supported", "- Recommendations", "6f5e4d3c-4444-4d88-8f40-5e6f708192a3", "- 34 Session", "- Eastern European Group", "- WEOG", 43900.25},
		{"Recommendations to the Government 87.The Special Rapporteur recommends that the Government end immigration detention of children.",
			"- Greece", "- SR on the human rights of migrants", "A/HRC/44/42/Add.1", "- Migrants\n- Detention", "- Children\n- Migrants", "",
			43950.0, "", "", "- Recommendations", "8a7b6c5d-5555-4e99-9a51-6f708192a3b4", "", "- Western European and other States", "", 44000.0},
		{"Positive aspects 4.The Committee welcomes the adoption of the Labour Law.", "- Iraq", "- CEDAW", "CEDAW/C/IRQ/CO/8",
			"- Labour rights", "", "", 46078.0, "", "", "- Positive aspects", "9b8c7d6e-6666-4fa0-8b62-708192a3b4c5", "", "- Asia-Pacific", "", 46125.5},
	}
}

func uhriXLSX(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	header := make([]any, len(uhriTestHeader))
	for i, h := range uhriTestHeader {
		header[i] = h
	}
	if err := f.SetSheetRow("Sheet1", "A1", &header); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func uhriCSV(t testing.TB, rows [][]any, comma rune, bom bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if bom {
		buf.WriteString("\xef\xbb\xbf")
	}
	w := csv.NewWriter(&buf)
	w.Comma = comma
	if err := w.Write(uhriTestHeader); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		rec := make([]string, len(r))
		for i, v := range r {
			switch v := v.(type) {
			case string:
				rec[i] = v
			case float64:
				rec[i] = strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	return buf.Bytes()
}

func parseUHRI(t *testing.T, data []byte) *UHRI {
	t.Helper()
	u, err := ParseUHRI(context.Background(), data)
	if err != nil {
		t.Fatalf("ParseUHRI: %v", err)
	}
	return u
}

func docBySymbol(u *UHRI, symbol string) *workflow.Document {
	for _, d := range u.Documents {
		if d.Symbol == symbol {
			return d
		}
	}
	return nil
}

func recByID(d *workflow.Document, id string) *workflow.Recommendation {
	if d == nil {
		return nil
	}
	for i := range d.Recommendations {
		if d.Recommendations[i].ID == id {
			return &d.Recommendations[i]
		}
	}
	return nil
}

// checkUHRIExport asserts what the test export holds, whichever format it
// came in.
func checkUHRIExport(t *testing.T, u *UHRI) {
	t.Helper()
	if err := u.Err(); err != nil {
		t.Fatalf("rows not read: %v", err)
	}
	if u.Rows != 7 {
		t.Errorf("Rows = %d, want 7", u.Rows)
	}
	var symbols []string
	for _, d := range u.Documents {
		symbols = append(symbols, d.Symbol)
	}
	if want := []string{"CEDAW/C/IRQ/CO/8", "A/HRC/43/15", "A/HRC/44/42/Add.1"}; !slices.Equal(symbols, want) {
		t.Fatalf("documents %q, want %q", symbols, want)
	}

	cedaw := docBySymbol(u, "CEDAW/C/IRQ/CO/8")
	if cedaw.Body != "CEDAW" || cedaw.Kind != workflow.ConcludingObservations || cedaw.State != "Iraq" ||
		cedaw.Adopted != civil.D(2026, 2, 25) || cedaw.Language != "en" {
		t.Errorf("CEDAW document: body %q kind %q state %q adopted %s language %q", cedaw.Body, cedaw.Kind, cedaw.State, cedaw.Adopted, cedaw.Language)
	}
	if got := ids(cedaw); !slices.Equal(got, []string{"CEDAW/C/IRQ/CO/8:31b", "CEDAW/C/IRQ/CO/8:50"}) {
		t.Errorf("CEDAW recommendations %q (document order, the concern and positive aspect left out)", got)
	}
	r := recByID(cedaw, "CEDAW/C/IRQ/CO/8:50")
	if r == nil {
		t.Fatal("no recommendation 50")
	}
	if r.Paragraph != 50 || r.Item != "" || r.Subsection != "Rural women" || !strings.HasPrefix(r.Text, "The Committee recommends that the State party guarantee") {
		t.Errorf("50: paragraph %d item %q heading %q text %q", r.Paragraph, r.Item, r.Subsection, r.Text)
	}
	if !slices.Equal(r.Themes, []string{"Equality & non-discrimination", "Discrimination against women", "Land & property rights"}) ||
		!slices.Equal(r.AffectedPersons, []string{"Persons living in rural areas", "Women & girls"}) ||
		!slices.Equal(r.SDGs, []string{"1.4", "16.3"}) || r.AnnotationID != "0f6a3c1e-1111-4a55-9c1d-2b3c4d5e6f70" {
		t.Errorf("50's tags: themes %q persons %q SDGs %q annotation %q", r.Themes, r.AffectedPersons, r.SDGs, r.AnnotationID)
	}
	if r.Concern != 49 {
		t.Errorf("50 answers the concern of paragraph %d, want 49", r.Concern)
	}
	if r.Status != "" || len(r.RecommendingStates) != 0 {
		t.Errorf("a treaty body's recommendation has status %q and States %q", r.Status, r.RecommendingStates)
	}
	if b := recByID(cedaw, "CEDAW/C/IRQ/CO/8:31b"); b == nil || b.Paragraph != 31 || b.Item != "b" || b.Subsection != "Education" ||
		b.Text != "Adopt a strategy to keep girls in secondary school;" {
		t.Errorf("item annotated alone: %+v", b)
	}

	upr := docBySymbol(u, "A/HRC/43/15")
	if upr.Body != "UPR" || upr.Kind != workflow.UPRReport || upr.State != "Slovenia" || upr.Adopted != civil.D(2019, 12, 11) {
		t.Errorf("UPR document: body %q kind %q state %q adopted %s", upr.Body, upr.Kind, upr.State, upr.Adopted)
	}
	if got := ids(upr); !slices.Equal(got, []string{"A/HRC/43/15:121.5", "A/HRC/43/15:122.17"}) {
		t.Errorf("UPR recommendations %q", got)
	}
	mw := recByID(upr, "A/HRC/43/15:122.17")
	if mw.Paragraph != 122 || mw.Item != "17" || mw.Status != workflow.StatusNoted ||
		!slices.Equal(mw.RecommendingStates, []string{"Algeria", "Egypt"}) || !strings.HasPrefix(mw.Text, "Ratify the International Convention") {
		t.Errorf("122.17: paragraph %d item %q status %q States %q text %q", mw.Paragraph, mw.Item, mw.Status, mw.RecommendingStates, mw.Text)
	}
	if hs := recByID(upr, "A/HRC/43/15:121.5"); hs.Status != workflow.StatusSupported {
		t.Errorf("121.5 status %q, want supported", hs.Status)
	}

	sp := docBySymbol(u, "A/HRC/44/42/Add.1")
	if sp.Kind != workflow.SpecialProcedures || sp.Body != "SR on the human rights of migrants" || sp.State != "Greece" {
		t.Errorf("special procedure: kind %q body %q state %q", sp.Kind, sp.Body, sp.State)
	}
	if got := ids(sp); !slices.Equal(got, []string{"A/HRC/44/42/Add.1:87"}) {
		t.Errorf("special procedure's recommendations %q", got)
	}

	if len(u.Concerns) != 1 {
		t.Fatalf("concerns %+v, want one", u.Concerns)
	}
	if c := u.Concerns[0]; c.Row != 2 && c.Row != 1 || c.Paragraph != 49 || c.Heading != "Rural women" || !slices.Equal(c.Context, []string{"CEDAW/C/IRQ/CO/8:50"}) ||
		!strings.HasPrefix(c.Text, "The Committee notes with concern") {
		t.Errorf("concern %+v", c)
	}
	if u.Other["Positive aspects"] != 1 || len(u.Other) != 1 {
		t.Errorf("other types %v, want one positive aspect", u.Other)
	}
	sum := u.Summary()
	for _, want := range []string{
		"5 recommendations in 3 documents (1 concluding-observations, 1 upr-report, 1 special-procedures)",
		"1 concern " + map[bool]string{true: "record", false: "row"}[u.Format == "json"] + ": 1 kept as context of the recommendation that follows them, 0 counted and skipped",
		"of other types skipped (Positive aspects: 1)",
	} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
}

func TestUHRIExcel(t *testing.T) {
	u := parseUHRI(t, uhriXLSX(t, uhriTestRows()))
	if u.Format != "xlsx" {
		t.Errorf("format %q", u.Format)
	}
	checkUHRIExport(t, u)
	if u.Concerns[0].Row != 2 {
		t.Errorf("the concern is row %d of the sheet, want 2", u.Concerns[0].Row)
	}
}

func TestUHRICSV(t *testing.T) {
	for _, tc := range []struct {
		name  string
		comma rune
		bom   bool
	}{{"comma", ',', false}, {"semicolon with BOM", ';', true}, {"tab", '\t', false}} {
		t.Run(tc.name, func(t *testing.T) {
			u := parseUHRI(t, uhriCSV(t, uhriTestRows(), tc.comma, tc.bom))
			if u.Format != "csv" {
				t.Errorf("format %q", u.Format)
			}
			checkUHRIExport(t, u)
		})
	}
}

// The JSON of the UHRI site's search: the same records, lists as arrays
// without "- ", the text as HTML paragraphs, ISO dates.
const uhriTestJSON = `[
 {"AnnotationId": "b4288060-6633-478d-9a9a-df1978d336c3", "Symbol": "CEDAW/C/IRQ/CO/8",
  "Text": "<p>Rural women</p><p>49.&nbsp;The Committee notes with concern that rural women lack access to land.</p>",
  "PublicationDate": "2026-02-25T00:00:00", "AnnotationType": "Concerns/Observations", "Body": "CEDAW",
  "Countries": ["Iraq"], "Themes": ["Equality & non-discrimination", "Land & property rights"], "Sdgs": ["1.4 - Equal rights to economic resources"],
  "AffectedPersons": ["Women & girls"], "Regions": ["Asia-Pacific"], "UprCycle": null, "UprRecommendingCountry": []},
 {"AnnotationId": "0f6a3c1e-1111-4a55-9c1d-2b3c4d5e6f70", "Symbol": "CEDAW/C/IRQ/CO/8",
  "Text": "<p>Rural women</p>\n<p>50. The Committee recommends that the State party guarantee rural women&#39;s access to land and credit.</p>",
  "PublicationDate": "2026-02-25", "AnnotationType": "Recommendations", "Body": "CEDAW", "Countries": ["Iraq"],
  "Themes": ["Equality & non-discrimination", "Discrimination against women", "Land & property rights"],
  "Sdgs": ["1.4 - Equal rights to economic resources", "16.3 - Promote the rule of law"],
  "AffectedPersons": ["Persons living in rural areas", "Women & girls"], "Regions": ["Asia-Pacific"], "UprCycle": null, "UprRecommendingCountry": []},
 {"AnnotationId": "7c1b2a33-2222-4b66-8d2e-3c4d5e6f7081", "Symbol": "CEDAW/C/IRQ/CO/8",
  "Text": "<p>Education</p><p>31.(b) Adopt a strategy to keep girls in secondary school;</p>",
  "PublicationDate": "2026-02-25", "AnnotationType": "Recommendations", "Body": "CEDAW", "Countries": ["Iraq"],
  "Themes": ["Right to education"], "Sdgs": ["4.1 - Free primary and secondary education"], "AffectedPersons": ["Girls"], "Regions": ["Asia-Pacific"]},
 {"AnnotationId": "5e4d3c2b-3333-4c77-9e3f-4d5e6f708192", "Symbol": "A/HRC/43/15",
  "Text": "<p>122.17 Ratify the International Convention on the Protection of the Rights of All Migrant Workers and Members of Their Families (Algeria) (Egypt)</p>",
  "PublicationDate": "2019-12-11", "AnnotationType": "Recommendations", "Body": "UPR", "Countries": ["Slovenia"],
  "Themes": ["Migrants", "International instruments"], "Sdgs": [], "AffectedPersons": ["Migrants"], "Regions": ["Eastern European Group"],
  "UprCycle": 3, "UprRecommendingCountry": ["Algeria", "Egypt"], "UprPosition": "Noted"},
 {"AnnotationId": "6f5e4d3c-4444-4d88-8f40-5e6f708192a3", "Symbol": "A/HRC/43/15",
  "Text": "<p>121.5 Adopt a national action plan against hate speech (Germany)</p>",
  "PublicationDate": "2019-12-11", "AnnotationType": "Recommendations", "Body": "UPR", "Countries": ["Slovenia"],
  "Themes": ["Racial discrimination"], "UprCycle": 3, "UprRecommendingCountry": ["Germany"], "UprPosition": "Supported"},
 {"AnnotationId": "8a7b6c5d-5555-4e99-9a51-6f708192a3b4", "Symbol": "A/HRC/44/42/Add.1",
  "Text": "<p>Recommendations to the Government</p><p>87. The Special Rapporteur recommends that the Government end immigration detention of children.</p>",
  "PublicationDate": "2020-04-29", "AnnotationType": "Recommendations", "Body": "SR on the human rights of migrants", "Countries": ["Greece"],
  "Themes": ["Migrants", "Detention"], "AffectedPersons": ["Children", "Migrants"]},
 {"AnnotationId": "9b8c7d6e-6666-4fa0-8b62-708192a3b4c5", "Symbol": "CEDAW/C/IRQ/CO/8",
  "Text": "<p>Positive aspects</p><p>4. The Committee welcomes the adoption of the Labour Law.</p>",
  "PublicationDate": "2026-02-25", "AnnotationType": "Positive aspects", "Body": "CEDAW", "Countries": ["Iraq"], "Themes": ["Labour rights"]}
]`

func TestUHRIJSON(t *testing.T) {
	u := parseUHRI(t, []byte(uhriTestJSON))
	if u.Format != "json" {
		t.Errorf("format %q", u.Format)
	}
	checkUHRIExport(t, u)
	if r := recByID(docBySymbol(u, "CEDAW/C/IRQ/CO/8"), "CEDAW/C/IRQ/CO/8:50"); r == nil || !strings.Contains(r.Text, "rural women's access") {
		t.Errorf("HTML entities not decoded: %+v", r)
	}

	// The same records inside the site's envelope.
	env := `{"total": 7, "facets": {"Body": [{"Name": "CEDAW", "Count": 4}]}, "records": ` + uhriTestJSON + `}`
	checkUHRIExport(t, parseUHRI(t, []byte(env)))
}

// Every row that cannot be read is reported with its row number, the
// others are still read, and Err refuses the whole.
func TestUHRIBadRows(t *testing.T) {
	rows := uhriTestRows()
	bad := [][]any{
		{"Rural women The Committee recommends without a number.", "- Iraq", "- CEDAW", "CEDAW/C/IRQ/CO/8", "", "", "", 46078.0, "", "", "- Recommendations", "a1", "", "", "", ""},
		{"Rural women 51.The Committee recommends land titles.", "- Iraq", "- CEDAW", "", "", "", "", 46078.0, "", "", "- Recommendations", "a2", "", "", "", ""},
		{"Rural women 52.The Committee recommends credit.", "- Iraq", "- CEDAW", "CEDAW/C/IRQ/CO/8", "", "", "", "yesterday", "", "", "- Recommendations", "a3", "", "", "", ""},
		{"122.18 Ratify ILO Convention No. 189 (Philippines)", "- Slovenia", "- UPR", "A/HRC/43/15", "", "", "", 43810.0, "- Philippines", "- Perhaps", "- Recommendations", "a4", "", "", "", ""},
		{"Rural women 50.The Committee recommends something else entirely.", "- Iraq", "- CEDAW", "CEDAW/C/IRQ/CO/8", "", "", "", 46078.0, "", "", "- Recommendations", "a5", "", "", "", ""},
		{"Rural women 53.The Committee recommends.", "- Iraq", "- CEDAW", "CEDAW/C/IRQ/CO/8", "", "", "", 46078.0, "", "", "", "a6", "", "", "", ""},
	}
	rows = append(rows, bad...)
	for name, data := range map[string][]byte{"xlsx": uhriXLSX(t, rows), "csv": uhriCSV(t, rows, ',', false)} {
		t.Run(name, func(t *testing.T) {
			u := parseUHRI(t, data)
			var got []int
			for _, e := range u.Bad {
				got = append(got, e.Row)
			}
			// The header is row 1: the bad rows are rows 9 to 14.
			if !slices.Equal(got, []int{9, 10, 11, 12, 13, 14}) {
				t.Fatalf("bad rows %v, want 9 to 14: %v", got, u.Bad)
			}
			err := u.Err()
			if err == nil {
				t.Fatal("Err() is nil with bad rows")
			}
			for _, want := range []string{
				"6 of the 13 rows cannot be read",
				"row 9: Text does not start with a paragraph number",
				"row 10: no Document Symbol",
				`row 11: Document Publication Date: "yesterday" is neither an Excel serial nor a date`,
				`row 12: UPR Position "- Perhaps" is neither Supported nor Noted`,
				"row 13: CEDAW/C/IRQ/CO/8 paragraph 50 is also row 3, with another text",
				"row 14: no Type",
			} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Err() lacks %q:\n%v", want, err)
				}
			}
			// The readable rows are all there, and no bad row left a trace.
			if n := u.Recommendations(); n != 5 {
				t.Errorf("%d recommendations read, want the 5 good ones", n)
			}
			if r := recByID(docBySymbol(u, "CEDAW/C/IRQ/CO/8"), "CEDAW/C/IRQ/CO/8:50"); r == nil || strings.Contains(r.Text, "something else") {
				t.Errorf("the duplicate with another text replaced the first: %+v", r)
			}
			if !strings.Contains(u.Summary(), "6 rows cannot be read") {
				t.Errorf("summary: %s", u.Summary())
			}
		})
	}
}

// The same paragraph annotated twice with the same text is one
// recommendation with the tags of both.
func TestUHRIDuplicateMergesTags(t *testing.T) {
	rows := uhriTestRows()[:2]
	again := slices.Clone(rows[1])
	again[4] = "- Right to food"
	again[6] = "- 2.3 - Double agricultural productivity"
	again[11] = "another-annotation"
	rows = append(rows, again)
	u := parseUHRI(t, uhriXLSX(t, rows))
	if err := u.Err(); err != nil {
		t.Fatal(err)
	}
	r := recByID(docBySymbol(u, "CEDAW/C/IRQ/CO/8"), "CEDAW/C/IRQ/CO/8:50")
	if u.Recommendations() != 1 || r == nil {
		t.Fatalf("%d recommendations, want 1", u.Recommendations())
	}
	if !slices.Contains(r.Themes, "Right to food") || !slices.Contains(r.Themes, "Land & property rights") || !slices.Equal(r.SDGs, []string{"1.4", "16.3", "2.3"}) {
		t.Errorf("tags not merged: themes %q SDGs %q", r.Themes, r.SDGs)
	}
}

func TestUHRITextQuirks(t *testing.T) {
	for _, tc := range []struct {
		raw            string
		html           bool
		heading        string
		para           int
		item, textHead string
	}{
		{"Rural women 49.The Committee notes", false, "Rural women", 49, "", "The Committee"},
		{"Rural women\n49. The Committee notes", false, "Rural women", 49, "", "The Committee"},
		{"Follow-up to the 2015 recommendations 12.The Committee", false, "Follow-up to the 2015 recommendations", 12, "", "The Committee"},
		{"122.17 Ratify the Convention (Chile)", false, "", 122, "17", "Ratify"},
		{"122.17. Ratify the Convention (Chile)", false, "", 122, "17", "Ratify"},
		{"Femmes rurales 23.Le Comité recommande", false, "Femmes rurales", 23, "", "Le Comité"},
		{"Mujeres rurales 23.El Comité recomienda", false, "Mujeres rurales", 23, "", "El Comité"},
		{"<p>Rural women</p><p>7. The Committee&#8230;</p>", true, "Rural women", 7, "", "The Committee…"},
		{"<p>Education</p><p>31.(b) Adopt a strategy;</p>", true, "Education", 31, "b", "Adopt"},
	} {
		h, p, item, text, ok := uhriText(tc.raw, tc.html)
		if !ok || h != tc.heading || p != tc.para || item != tc.item || !strings.HasPrefix(text, tc.textHead) {
			t.Errorf("uhriText(%q) = %q %d %q %q %v", tc.raw, h, p, item, text, ok)
		}
	}
	for _, raw := range []string{"The Committee recommends", "", "Heading only"} {
		if _, _, _, _, ok := uhriText(raw, false); ok {
			t.Errorf("uhriText(%q) found a paragraph number", raw)
		}
	}
}

// Open tells a UHRI export from a document by content, whatever the name.
func TestOpenTellsUHRIFromDocuments(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ctx := context.Background()
	for name, data := range map[string][]byte{
		"export.xlsx": uhriXLSX(t, uhriTestRows()),
		"export.csv":  uhriCSV(t, uhriTestRows(), ',', true),
		"export.json": []byte(uhriTestJSON),
		"renamed.txt": uhriCSV(t, uhriTestRows(), ';', false),
	} {
		f, err := Open(ctx, write(name, data), Options{})
		if err != nil || f.UHRI == nil || f.Document != nil {
			t.Fatalf("%s: %+v, %v", name, f, err)
		}
		if n := f.UHRI.Recommendations(); n != 5 {
			t.Errorf("%s: %d recommendations", name, n)
		}
	}

	doc := "CRC/C/OPSC/LAO/CO/1\nConcluding observations\n1.\tThe Committee considered the report.\n" +
		"2.\tThe Committee recommends that the State party adopt a law.\n"
	f, err := Open(ctx, write("co.txt", []byte(doc)), Options{})
	if err != nil || f.Document == nil || f.UHRI != nil {
		t.Fatalf("a document: %+v, %v", f, err)
	}
	if f.Document.Symbol != "CRC/C/OPSC/LAO/CO/1" || len(f.Document.Recommendations) != 1 {
		t.Errorf("document %s with %d recommendations", f.Document.Symbol, len(f.Document.Recommendations))
	}

	// A spreadsheet that is not a UHRI export says so.
	x := excelize.NewFile()
	if err := x.SetSheetRow("Sheet1", "A1", &[]any{"Name", "Budget"}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, write("budget.xlsx", buf.Bytes()), Options{})
	if !errors.Is(err, ErrNotADocument) || !strings.Contains(err.Error(), "not a UHRI export's header") {
		t.Errorf("a budget spreadsheet: %v", err)
	}

	// A UHRI export that lacks a column it needs.
	hdr := strings.Join(slices.DeleteFunc(slices.Clone(uhriTestHeader), func(s string) bool { return s == "Type" }), ",")
	_, err = Open(ctx, write("notype.csv", []byte(hdr+"\n")), Options{})
	if err == nil || !strings.Contains(err.Error(), "no Type column") {
		t.Errorf("export without Type: %v", err)
	}
}

func TestUHRIDates(t *testing.T) {
	for in, want := range map[string]civil.Date{
		"46078": civil.D(2026, 2, 25), "46125.4996282407": civil.D(2026, 4, 13), "- 43810": civil.D(2019, 12, 11),
		"2019-11-13": civil.D(2019, 11, 13), "2019-11-13T00:00:00": civil.D(2019, 11, 13), "": {},
	} {
		if got, err := uhriDate(in); err != nil || got != want {
			t.Errorf("uhriDate(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"12", "NaN", "2019-13-01", "13/11/2019", "1e9"} {
		if _, err := uhriDate(in); err == nil {
			t.Errorf("uhriDate(%q) accepted", in)
		}
	}
}

func FuzzUHRI(f *testing.F) {
	f.Add([]byte(uhriTestJSON))
	f.Add(uhriCSV(f, uhriTestRows(), ',', false))
	f.Add([]byte(`{"x": [1, {"AnnotationId": 3, "Symbol": ["a"], "Text": {"Name": "1.A"}, "AnnotationType": "Recommendations"}]}`))
	f.Add([]byte("Document Symbol,Reccomending Body,Text,Type\nX,UPR,1.1 A,Recommendations\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		u, err := ParseUHRI(context.Background(), data)
		if err != nil {
			return
		}
		_ = u.Summary()
		_ = u.Err()
		for _, d := range u.Documents {
			for _, r := range d.Recommendations {
				if r.Paragraph <= 0 || r.Text == "" || r.ID != workflow.RecID(d.Symbol, r.Paragraph, r.Item) {
					t.Fatalf("bad recommendation %+v", r)
				}
			}
		}
	})
}

// ScanUHRI hands over what ReadUHRI collects, row by row.
func TestScanUHRIMatchesRead(t *testing.T) {
	rows := uhriTestRows()
	again := slices.Clone(rows[1])
	again[4] = "- Right to food"
	rows = append(rows, again)
	data := uhriXLSX(t, rows)
	ctx := context.Background()
	read, err := ParseUHRI(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var againRows []int
	docs := map[*workflow.Document]bool{}
	scanned, err := ScanUHRI(ctx, bytes.NewReader(data), int64(len(data)), func(it UHRIItem) error {
		docs[it.Document] = true
		if len(it.Document.Recommendations) != 0 {
			t.Errorf("row %d: the document carries recommendations", it.Row)
		}
		switch {
		case it.Recommendation != nil && it.Again:
			againRows = append(againRows, it.Row)
		case it.Recommendation != nil:
			got = append(got, it.Recommendation.ID+" "+strings.Join(it.Recommendation.Themes, "|"))
		case it.Concern != nil:
			got = append(got, "concern "+it.Concern.Symbol+" "+strconv.Itoa(it.Concern.Paragraph)+" "+it.Concern.Text[:15])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"concern CEDAW/C/IRQ/CO/8 49 The Committee n",
		"CEDAW/C/IRQ/CO/8:50 Equality & non-discrimination|Discrimination against women|Land & property rights",
		"CEDAW/C/IRQ/CO/8:31b Right to education",
		"A/HRC/43/15:122.17 Migrants|International instruments",
		"A/HRC/43/15:121.5 Racial discrimination",
		"A/HRC/44/42/Add.1:87 Migrants|Detention",
	}
	if !slices.Equal(got, want) {
		t.Errorf("scanned, in file order:\n%q\nwant\n%q", got, want)
	}
	if !slices.Equal(againRows, []int{9}) {
		t.Errorf("rows given again %v, want [9]", againRows)
	}
	if len(docs) != 3 || len(scanned.Documents) != 3 || scanned.Recs != read.Recs || scanned.Rows != read.Rows {
		t.Errorf("scan: %d documents handed, %d listed, %d recommendations, %d rows; read: %d, %d", len(docs), len(scanned.Documents), scanned.Recs, scanned.Rows, read.Recs, read.Rows)
	}
	if len(scanned.Concerns) != 1 || scanned.Concerns[0].Text != "" || !slices.Equal(scanned.Concerns[0].Context, read.Concerns[0].Context) {
		t.Errorf("scan's concerns %+v, read's %+v", scanned.Concerns, read.Concerns)
	}
	if scanned.Summary() != read.Summary() {
		t.Errorf("summaries differ:\n%s\n%s", scanned.Summary(), read.Summary())
	}

	// The callback's error stops the reading.
	stop := errors.New("disk full")
	n := 0
	_, err = ScanUHRI(ctx, bytes.NewReader(data), int64(len(data)), func(UHRIItem) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("after the callback failed: %d calls, %v", n, err)
	}
}

// The benchmark's generated exports read without a bad row, in each
// format, to the same recommendations.
func TestUHRIGenerated(t *testing.T) {
	var first *UHRI
	for _, format := range []string{"xlsx", "csv", "json"} {
		var buf bytes.Buffer
		if err := uhrigen.Write(&buf, format, 3000, 7); err != nil {
			t.Fatal(err)
		}
		u := parseUHRI(t, buf.Bytes())
		if err := u.Err(); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if u.Format != format || u.Rows != 3000 || u.Recs+len(u.Concerns) != 3000 {
			t.Errorf("%s: format %q, %d rows, %d recommendations and %d concerns", format, u.Format, u.Rows, u.Recs, len(u.Concerns))
		}
		linked := 0
		for _, c := range u.Concerns {
			if len(c.Context) > 0 {
				linked++
			}
		}
		if linked != len(u.Concerns) {
			t.Errorf("%s: %d of %d concerns linked; the generator writes each before its recommendation", format, linked, len(u.Concerns))
		}
		if first == nil {
			first = u
			continue
		}
		if u.Recs != first.Recs || len(u.Concerns) != len(first.Concerns) || len(u.Documents) != len(first.Documents) {
			t.Fatalf("%s reads otherwise than xlsx:\n%s\n%s", format, u.Summary(), first.Summary())
		}
		for i, d := range u.Documents {
			if !slices.Equal(ids(d), ids(first.Documents[i])) {
				t.Fatalf("%s: %s has other recommendations than in the xlsx", format, d.Symbol)
			}
		}
	}
}

// BenchmarkScanUHRI reads a generated export of the whole index's size
// (270,000 rows; 3,000 with -short, as CI runs it) as an importer does.
// Peak memory needs a process of its own: bench/uhri.sh.
func BenchmarkScanUHRI(b *testing.B) {
	rows := 270000
	if testing.Short() {
		rows = 3000
	}
	path := filepath.Join(b.TempDir(), "export.xlsx")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := uhrigen.Write(f, "xlsx", rows, 1); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		u, err := ScanUHRIFile(context.Background(), path, func(UHRIItem) error { return nil })
		if err != nil || u.Rows != rows || u.Err() != nil {
			b.Fatalf("%v: %d rows", err, u.Rows)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// IsUHRIFile tells an export (CSV, JSON, any workbook) from a document
// by its start.
func TestIsUHRIFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	csvExport := write("e.csv", []byte("Text,Document Symbol,OHCHR Annotation Id,Type\n\"1. Adopt\",X/1,a,- Recommendations\n"))
	jsonExport := write("e.json", []byte(`[{"AnnotationId": "a", "Symbol": "X/1"}]`))
	text := write("co.txt", []byte("CRC/C/LAO/CO/1\n1. The Committee recommends that the State party adopt a law.\n"))
	empty := write("empty", nil)
	xlsx := write("e.xlsx", uhriXLSX(t, uhriTestRows()))
	docx := write("co.docx", buildMatrix(t, "", [][][]string{{{"Name"}, {"Address"}}, {{"A"}, {"B"}}}))
	for p, want := range map[string]bool{csvExport: true, jsonExport: true, xlsx: true, text: false, empty: false, docx: false} {
		if got, err := IsUHRIFile(p); err != nil || got != want {
			t.Errorf("%s: %v, %v; want %v", filepath.Base(p), got, err, want)
		}
	}
	if _, err := IsUHRIFile(dir); err == nil || !errors.Is(err, ErrNotADocument) {
		t.Errorf("a folder: %v", err)
	}
}
