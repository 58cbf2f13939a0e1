package ingest

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/internal/needs"
	"github.com/followup-app/followup/workflow"
)

func mustParse(t *testing.T, data []byte) *workflow.Document {
	t.Helper()
	d, err := Parse(data, Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return d
}

func TestWordTextFixture(t *testing.T) {
	d := mustParse(t, readFixture(t, "crc-wordtext.txt"))
	if d.Symbol != "CRC/C/MNG/CO/5-6" || d.Body != "CRC" || d.State != "Mongolia" || d.Kind != workflow.ConcludingObservations {
		t.Errorf("front matter: symbol %q body %q state %q kind %q", d.Symbol, d.Body, d.State, d.Kind)
	}
	if d.Adopted != civil.D(2028, 5, 26) {
		t.Errorf("adopted = %v, want 2028-05-26", d.Adopted)
	}
	if d.NextReport.Due != civil.D(2033, 3, 31) || !strings.Contains(d.NextReport.Text, "seventh and eighth") {
		t.Errorf("next report = %+v", d.NextReport)
	}
	if d.FollowUp == nil || d.FollowUp.Due != civil.D(2030, 5, 26) || !slices.Equal(d.FollowUp.Paragraphs, []int{4, 6}) {
		t.Errorf("follow-up = %+v, want paragraphs [4 6] due 2030-05-26 (two years after adoption)", d.FollowUp)
	}
	want := []string{
		"CRC/C/MNG/CO/5-6:4a|II. Main areas of concern and recommendations|Legislation",
		"CRC/C/MNG/CO/5-6:4b|II. Main areas of concern and recommendations|Legislation",
		"CRC/C/MNG/CO/5-6:4c|II. Main areas of concern and recommendations|Legislation",
		"CRC/C/MNG/CO/5-6:6|II. Main areas of concern and recommendations|Birth registration",
		"CRC/C/MNG/CO/5-6:7|II. Main areas of concern and recommendations|Positive aspects",
		"CRC/C/MNG/CO/5-6:9|III. Follow-up and next report|",
		"CRC/C/MNG/CO/5-6:10|III. Follow-up and next report|",
	}
	if got := recKeys(d); !slices.Equal(got, want) {
		t.Errorf("recommendations:\n got %q\nwant %q", got, want)
	}
	byID := map[string]workflow.Recommendation{}
	for _, r := range d.Recommendations {
		byID[r.ID] = r
	}
	// Nested (i), (ii) stay inside item (b); markers and odd characters are
	// cleaned.
	b := byID["CRC/C/MNG/CO/5-6:4b"]
	if !strings.Contains(b.Text, "(i) Define the duties") || !strings.Contains(b.Text, "(ii) Set minimum standards") {
		t.Errorf("4b text = %q, want the nested items inside it", b.Text)
	}
	if b.Lead != "The Committee recommends that the State party:" || b.Verb != "recommends" || b.Concern != 3 {
		t.Errorf("4b lead %q verb %q concern %d", b.Lead, b.Verb, b.Concern)
	}
	six := byID["CRC/C/MNG/CO/5-6:6"]
	if six.Verb != "urges" || six.Concern != 5 || !strings.Contains(six.Text, "the “one-stop” civil") {
		t.Errorf("6 = %+v", six)
	}
	for _, r := range d.Recommendations {
		for _, bad := range []string{"[", "\u00a0", "\t", "footnoteRef", "bookmark"} {
			if strings.Contains(r.Text, bad) || strings.Contains(r.Lead, bad) {
				t.Errorf("%s: text keeps %q: %q", r.ID, bad, r.Text)
			}
		}
	}
	if byID["CRC/C/MNG/CO/5-6:7"].Verb != "encourages" {
		t.Error("a recommendation inside a paragraph that welcomes must be taken")
	}
}

func TestPDFLayoutFixture(t *testing.T) {
	d := mustParse(t, readFixture(t, "ccpr-pdf-layout.txt"))
	if d.Symbol != "CCPR/C/KEN/CO/5" || d.Body != "CCPR" || d.State != "Kenya" || d.Adopted != civil.D(2031, 3, 26) {
		t.Errorf("front matter: %q %q %q %v", d.Symbol, d.Body, d.State, d.Adopted)
	}
	want := []string{
		"CCPR/C/KEN/CO/5:5|C. Principal matters of concern and recommendations|Counter-terrorism",
		"CCPR/C/KEN/CO/5:6a|C. Principal matters of concern and recommendations|Freedom of expression",
		"CCPR/C/KEN/CO/5:6b|C. Principal matters of concern and recommendations|Freedom of expression",
		"CCPR/C/KEN/CO/5:8|C. Principal matters of concern and recommendations|Right to life",
		"CCPR/C/KEN/CO/5:9|C. Principal matters of concern and recommendations|Juvenile justice",
		"CCPR/C/KEN/CO/5:10|D. Dissemination and follow-up|",
		"CCPR/C/KEN/CO/5:11|D. Dissemination and follow-up|",
	}
	if got := recKeys(d); !slices.Equal(got, want) {
		t.Errorf("recommendations:\n got %q\nwant %q", got, want)
	}
	// The HRC's unnumbered "The State party should" block is the
	// recommendation; the concern before it in the same paragraph is not.
	nine := d.Recommendations[4]
	if !strings.HasPrefix(nine.Text, "The State party should raise") || nine.Verb != "should" || nine.Concern != 9 {
		t.Errorf("9 = %q (verb %q, concern %d)", nine.Text, nine.Verb, nine.Concern)
	}
	// Paragraph 8 shared a line with paragraph 7: its text must not carry 7's.
	if eight := d.Recommendations[3]; !strings.HasPrefix(eight.Text, "The Committee urges") {
		t.Errorf("8 = %q", eight.Text)
	}
	if d.FollowUp == nil || !slices.Equal(d.FollowUp.Paragraphs, []int{5, 8}) || d.FollowUp.Due != civil.D(2034, 3, 26) {
		t.Errorf("follow-up = %+v, want [5 8] by 2034-03-26 (not the rule's 'paragraph 1')", d.FollowUp)
	}
	if d.NextReport.Due != civil.D(2037, 3, 26) {
		t.Errorf("next report = %v", d.NextReport.Due)
	}
	for _, r := range d.Recommendations {
		if strings.Contains(r.Text, "CCPR/C/KEN/CO/5") || strings.Contains(r.Text, "GE.31") {
			t.Errorf("%s keeps page furniture: %q", r.ID, r.Text)
		}
	}
}

func TestPDFRawFixture(t *testing.T) {
	d := mustParse(t, readFixture(t, "cedaw-pdf-raw.txt"))
	want := []string{
		"CEDAW/C/GHA/CO/9:4a|B. Principal areas of concern and recommendations|Gender-based violence against women",
		"CEDAW/C/GHA/CO/9:4b|B. Principal areas of concern and recommendations|Gender-based violence against women",
		"CEDAW/C/GHA/CO/9:6|B. Principal areas of concern and recommendations|Education",
		"CEDAW/C/GHA/CO/9:7|B. Principal areas of concern and recommendations|Education",
		"CEDAW/C/GHA/CO/9:8|B. Principal areas of concern and recommendations|Follow-up to the present concluding observations",
		"CEDAW/C/GHA/CO/9:9|B. Principal areas of concern and recommendations|Preparation of the next report",
	}
	if got := recKeys(d); !slices.Equal(got, want) {
		t.Errorf("recommendations:\n got %q\nwant %q", got, want)
	}
	if d.Adopted != civil.D(2030, 2, 26) || d.State != "Ghana" {
		t.Errorf("adopted %v state %q", d.Adopted, d.State)
	}
	// "by February 2034": the last day of that month.
	if d.NextReport.Due != civil.D(2034, 2, 28) {
		t.Errorf("next report due = %v, want 2034-02-28", d.NextReport.Due)
	}
	if d.FollowUp == nil || d.FollowUp.Due != civil.D(2032, 2, 26) || !slices.Equal(d.FollowUp.Paragraphs, []int{4, 6}) {
		t.Errorf("follow-up = %+v", d.FollowUp)
	}
	if six := d.Recommendations[2].Text; strings.Contains(six, "welcomes") {
		t.Errorf("6 took in paragraph 7: %q", six)
	}
}

func TestUPRReportFixture(t *testing.T) {
	d := mustParse(t, readFixture(t, "upr-report.txt"))
	if d.Kind != workflow.UPRReport || d.Body != "UPR" || d.State != "Mongolia" || d.Adopted != civil.D(2025, 11, 7) {
		t.Errorf("front matter: %q %q %q %v", d.Kind, d.Body, d.State, d.Adopted)
	}
	type rec struct {
		id, status string
		states     []string
	}
	want := []rec{
		{"A/HRC/61/9:4.1", "supported", []string{"France", "Chile"}},
		{"A/HRC/61/9:4.2", "supported", []string{"Iran (Islamic Republic of)", "Lebanon"}},
		{"A/HRC/61/9:4.3", "supported", []string{"Philippines"}},
		{"A/HRC/61/9:5.1", "pending", []string{"Portugal"}},
		{"A/HRC/61/9:5.2", "pending", []string{"Spain"}},
		{"A/HRC/61/9:5.3", "pending", []string{"Brazil"}},
		{"A/HRC/61/9:5.4", "pending", []string{"Canada"}},
	}
	if len(d.Recommendations) != len(want) {
		t.Fatalf("got %d recommendations %q, want %d (dialogue paragraphs are not recommendations)", len(d.Recommendations), ids(d), len(want))
	}
	for i, w := range want {
		r := d.Recommendations[i]
		if r.ID != w.id || r.Status != w.status || !slices.Equal(r.RecommendingStates, w.states) {
			t.Errorf("%d: got %s %s %q, want %s %s %q", i, r.ID, r.Status, r.RecommendingStates, w.id, w.status, w.states)
		}
	}
	if last := d.Recommendations[6].Text; strings.Contains(last, "All conclusions") || strings.Contains(last, "delegation") {
		t.Errorf("5.4 took in what follows: %q", last)
	}
}

func TestUPRAddendumFixture(t *testing.T) {
	d := mustParse(t, readFixture(t, "upr-addendum.txt"))
	if d.Kind != workflow.UPRAddendum || d.Parent != "A/HRC/61/9" {
		t.Fatalf("kind %q parent %q", d.Kind, d.Parent)
	}
	got := map[string]string{}
	for _, p := range d.Positions {
		got[p.ID] = p.Status
	}
	want := map[string]string{
		"A/HRC/61/9:5.1": "supported", "A/HRC/61/9:5.3": "supported", "A/HRC/61/9:5.4": "supported",
		"A/HRC/61/9:5.9": "supported", "A/HRC/61/9:5.2": "noted",
	}
	if len(got) != len(want) {
		t.Errorf("positions = %v, want %v", got, want)
	}
	for id, s := range want {
		if got[id] != s {
			t.Errorf("%s = %q, want %q (explanations citing other ids must not count)", id, got[id], s)
		}
	}
}

func TestUPRFirstCycleFixture(t *testing.T) {
	d := mustParse(t, readFixture(t, "upr-first-cycle.txt"))
	want := []string{"A/HRC/13/9:3.1", "A/HRC/13/9:3.2", "A/HRC/13/9:3.3", "A/HRC/13/9:3.4", "A/HRC/13/9:3.5"}
	if got := ids(d); !slices.Equal(got, want) {
		t.Fatalf("ids = %q, want %q (items numbered 1..N inside paragraph 3, even where they collide with paragraph numbers)", got, want)
	}
	if s := d.Recommendations[0].RecommendingStates; !slices.Equal(s, []string{"Spain", "Argentina"}) {
		t.Errorf("3.1 states = %q", s)
	}
	for _, r := range d.Recommendations {
		if r.Status != workflow.StatusPending {
			t.Errorf("%s status %q, want pending", r.ID, r.Status)
		}
	}
}

func TestDocx(t *testing.T) {
	parts := []docxPart{
		{"", "CAT/C/NPL/CO/3"},
		{"", "Committee against Torture"},
		{"HChG", "\t\tConcluding observations on the third periodic report of Nepal{fn}*"},
		{"SingleTxtG", "1.\tThe Committee considered the third periodic report of Nepal at its 2100th meeting, held on 2 May 2029, and adopted the present concluding observations at its 2110th meeting, held on 9 May 2029."},
		{"H1G", "\tA.\tPrincipal subjects of concern and recommendations"},
		{"H23G", "\t\tDefinition of torture"},
		{"SingleTxtG", "2.\tThe Committee regrets that torture is not a distinct crime{fn}."},
		{"SingleTxtG", "3.\tThe Committee urges the State party to:"},
		{"SingleTxtG", "\t(a)\tDefine torture{del: and ill-treatment} in line with article 1 of the Convention;"},
		{"SingleTxtG", "\t(b)\tEnsure penalties commensurate with the gravity of the crime."},
		{"H23G", "\t\tFollow-up procedure"},
		{"SingleTxtG", "4.\tThe Committee requests the State party to provide, by 13 May 2030, information on follow-up to the recommendations in paragraph 3 (a) above."},
	}
	d := mustParse(t, buildDocx(t, parts))
	want := []string{
		"CAT/C/NPL/CO/3:3a|A. Principal subjects of concern and recommendations|Definition of torture",
		"CAT/C/NPL/CO/3:3b|A. Principal subjects of concern and recommendations|Definition of torture",
		"CAT/C/NPL/CO/3:4|A. Principal subjects of concern and recommendations|Follow-up procedure",
	}
	if got := recKeys(d); !slices.Equal(got, want) {
		t.Errorf("recommendations:\n got %q\nwant %q", got, want)
	}
	if d.State != "Nepal" || d.Body != "CAT" || d.Adopted != civil.D(2029, 5, 9) {
		t.Errorf("front: %q %q %v", d.State, d.Body, d.Adopted)
	}
	if a := d.Recommendations[0].Text; a != "Define torture in line with article 1 of the Convention;" {
		t.Errorf("3a = %q (deleted revisions must not be read)", a)
	}
	if d.FollowUp == nil || d.FollowUp.Due != civil.D(2030, 5, 13) || !slices.Equal(d.FollowUp.Paragraphs, []int{3}) {
		t.Errorf("follow-up = %+v", d.FollowUp)
	}

	// The same document with Word's automatic numbering instead of literal
	// numbers gives the same recommendations.
	var auto []docxPart
	for _, p := range parts {
		text := p.text
		if m := reParaStart.FindString(text); m != "" && p.style == "SingleTxtG" {
			text = "{num}" + strings.TrimPrefix(strings.TrimPrefix(text, m), "\t")
		} else if strings.HasPrefix(text, "\t(") {
			text = "{num}>" + text[strings.Index(text, ")")+2:]
		}
		auto = append(auto, docxPart{p.style, text})
	}
	if got := recKeys(mustParse(t, buildDocx(t, auto))); !slices.Equal(got, want) {
		t.Errorf("auto-numbered:\n got %q\nwant %q", got, want)
	}
}

// TestConvertersAgree reads one document as Word text, as PDF text with and
// without layout and as .docx, and expects the same recommendations.
func TestConvertersAgree(t *testing.T) {
	word := readFixture(t, "crc-wordtext.txt")
	base := mustParse(t, word)
	for _, layout := range []bool{true, false} {
		for _, width := range []int{60, 85} {
			pdf := pdfize(string(word), base.Symbol, width, layout)
			d := mustParse(t, []byte(pdf))
			if got, want := recKeys(d), recKeys(base); !slices.Equal(got, want) {
				t.Errorf("layout=%v width=%d:\n got %q\nwant %q", layout, width, got, want)
			}
		}
	}
}

func TestUTF16Text(t *testing.T) {
	word := string(readFixture(t, "crc-wordtext.txt"))
	u := utf16.Encode([]rune(word))
	b := []byte{0xff, 0xfe}
	for _, c := range u {
		b = append(b, byte(c), byte(c>>8))
	}
	if got, want := recKeys(mustParse(t, b)), recKeys(mustParse(t, []byte(word))); !slices.Equal(got, want) {
		t.Errorf("UTF-16 export: got %q, want %q", got, want)
	}
}

func TestBadInput(t *testing.T) {
	xlsx := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("xl/workbook.xml")
		w.Write([]byte("<workbook/>"))
		zw.Close()
		return buf.Bytes()
	}()
	docx := buildDocx(t, []docxPart{{"SingleTxtG", "1.\tThe Committee recommends that the State party act."}})
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "the file is empty"},
		{"blank", []byte(" \n\t\n"), "the file is empty"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "an image (PNG)"},
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"), "an image (JPEG)"},
		{"truncated pdf", []byte("%PDF-1.7\n%\xe2\xe3"), "not a readable PDF: damaged, or not a PDF"},
		{"xlsx", xlsx, "a spreadsheet (.xlsx)"},
		{"old office", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"), "an old Office file (.doc or .xls); save it as .docx"},
		{"truncated docx", docx[:len(docx)/2], "damaged or truncated .docx"},
		{"binary", []byte("abc\x00\x01\x02def"), "a binary file, not text"},
		{"latin-1", []byte("1.\tThe Committee recommends caf\xe9 rights."), "not valid UTF-8 text (first bad byte at line 1, offset 31)"},
		{"no paragraphs", []byte("Minutes of the meeting\nNothing was decided.\n"), "no recommendations found: the text has no numbered paragraphs"},
		{"no recommendations", []byte("CRC/C/ABC/CO/1\n1.\tThe Committee notes the report.\n2.\tThe Committee is concerned about child labour.\n"), "no recommendations found in CRC/C/ABC/CO/1"},
		{"spreadsheet as csv", []byte("id,text,owner\n1,train police,mps\n2,register births,moha\n"), "no recommendations found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse(tc.data, pdfOpts())
			if err == nil {
				t.Fatalf("Parse accepted it: %d recommendations", len(d.Recommendations))
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %q, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestReadFileLimits(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.txt")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil { // sparse: no real disk use
		t.Fatal(err)
	}
	f.Close()
	if _, err := ReadFile(big, Options{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadFile(big) = %v, want ErrTooLarge", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.txt"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadFile(missing) = %v, want not exist", err)
	}
	if _, err := ReadFile(dir, Options{}); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("ReadFile(dir) = %v, want a folder error", err)
	}
}

func TestSymbolOption(t *testing.T) {
	text := "1.\tThe Committee recommends that the State party ratify the Convention.\n"
	if _, err := Parse([]byte(text), Options{}); err == nil || !strings.Contains(err.Error(), "--symbol") {
		t.Errorf("without a symbol: %v", err)
	}
	d, err := Parse([]byte(text), Options{Symbol: "CRC/C/XYZ/CO/1"})
	if err != nil || len(d.Recommendations) != 1 || d.Recommendations[0].ID != "CRC/C/XYZ/CO/1:1" {
		t.Errorf("with --symbol: %v %v", d, err)
	}
}

// The shared corpus: real UN documents with a hand-checked expected import.

type expectedCO struct {
	Symbol          string `json:"symbol"`
	State           string `json:"state"`
	Adopted         string `json:"adopted"`
	Recommendations []struct {
		Paragraph  int      `json:"paragraph"`
		Items      []string `json:"items"`
		Section    string   `json:"section"`
		Subsection string   `json:"subsection"`
		Heading    string   `json:"heading"`
	} `json:"recommendations"`
}

func loadExpected(t *testing.T, dir string) map[string]json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "corpus", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCorpusConcludingObservations(t *testing.T) {
	dir := needs.Shared(t)
	exp := loadExpected(t, dir)
	for _, tc := range []struct {
		symbol, file string
	}{
		{"CRC/C/OPSC/LAO/CO/1", "seeds/000_184c6d66c37e6cc3.txt"},
		{"CERD/C/URY/CO/21-23", "corpus/CERD_C_URY_CO_21-23.txt"},
		{"CERD/C/URY/CO/21-23", "corpus/CERD_C_URY_CO_21-23.docx"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var e expectedCO
			if err := json.Unmarshal(exp[tc.symbol], &e); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			d := mustParse(t, data)
			if d.Symbol != tc.symbol || d.State != e.State || d.Adopted.String() != e.Adopted {
				t.Errorf("front: %q %q %v; want %q %q %s", d.Symbol, d.State, d.Adopted, tc.symbol, e.State, e.Adopted)
			}
			var want []string
			for _, r := range e.Recommendations {
				items := r.Items
				if len(items) == 0 {
					items = []string{""}
				}
				for _, it := range items {
					want = append(want, workflow.RecID(tc.symbol, r.Paragraph, it))
				}
			}
			if got := ids(d); !slices.Equal(got, want) {
				t.Fatalf("ids:\n got %q\nwant %q", got, want)
			}
			for i, r := range d.Recommendations {
				er := e.Recommendations[0]
				for _, x := range e.Recommendations {
					if x.Paragraph == r.Paragraph {
						er = x
					}
				}
				if er.Heading != "" { // "C / Legislative measures": the subsection after the slash
					parts := strings.Split(er.Heading, " / ")
					wantSub := parts[len(parts)-1]
					if len(parts) == 1 {
						wantSub = ""
					}
					if r.Subsection != wantSub && !(wantSub == "" && strings.HasPrefix(er.Heading, r.Section)) {
						t.Errorf("%d %s: subsection %q, want %q", i, r.ID, r.Subsection, wantSub)
					}
					continue
				}
				if r.Section != er.Section || r.Subsection != er.Subsection {
					t.Errorf("%s: %q / %q, want %q / %q", r.ID, r.Section, r.Subsection, er.Section, er.Subsection)
				}
			}
		})
	}
	// The Word file and its text conversion give the same recommendations,
	// texts included.
	txt, _ := os.ReadFile(filepath.Join(dir, "corpus", "CERD_C_URY_CO_21-23.txt"))
	docx, _ := os.ReadFile(filepath.Join(dir, "corpus", "CERD_C_URY_CO_21-23.docx"))
	a, b := mustParse(t, txt), mustParse(t, docx)
	if len(a.Recommendations) != len(b.Recommendations) {
		t.Fatalf("txt %d vs docx %d recommendations", len(a.Recommendations), len(b.Recommendations))
	}
	for i := range a.Recommendations {
		if a.Recommendations[i].Text != b.Recommendations[i].Text {
			t.Errorf("%s: txt %q\ndocx %q", a.Recommendations[i].ID, a.Recommendations[i].Text, b.Recommendations[i].Text)
		}
	}
	for _, d := range []*workflow.Document{a, b} {
		if d.FollowUp == nil || !slices.Equal(d.FollowUp.Paragraphs, []int{19, 21}) || d.FollowUp.Due != civil.D(2017, 12, 5) {
			t.Errorf("follow-up = %+v, want paragraphs 19 and 21 due 2017-12-05", d.FollowUp)
		}
		if d.NextReport.Due != civil.D(2020, 1, 4) {
			t.Errorf("next report due = %v, want 2020-01-04", d.NextReport.Due)
		}
	}
}

func TestCorpusUPR(t *testing.T) {
	dir := needs.Shared(t)
	read := func(name string) *workflow.Document {
		b, err := os.ReadFile(filepath.Join(dir, "corpus", name))
		if err != nil {
			t.Fatal(err)
		}
		return mustParse(t, b)
	}
	report := read("A_HRC_43_15.txt")
	counts := map[string]int{}
	for i, r := range report.Recommendations {
		counts[r.Status]++
		want := "121." + itoa(i+1)
		if i >= 58 {
			want = "122." + itoa(i-57)
		}
		if r.ID != "A/HRC/43/15:"+want {
			t.Fatalf("recommendation %d is %s, want %s", i, r.ID, want)
		}
		if len(r.RecommendingStates) == 0 {
			t.Errorf("%s: no recommending State", r.ID)
		}
	}
	if len(report.Recommendations) != 215 || counts["supported"] != 58 || counts["pending"] != 157 {
		t.Errorf("got %d recommendations %v, want 58 supported + 157 pending", len(report.Recommendations), counts)
	}
	if report.State != "Slovenia" || report.Adopted != civil.D(2019, 11, 14) {
		t.Errorf("front: %q %v", report.State, report.Adopted)
	}

	add := read("A_HRC_43_15_Add.1.txt")
	var exp struct {
		Positions map[string][]string `json:"positions_from_add1"`
	}
	if err := json.Unmarshal(loadExpected(t, dir)["A/HRC/43/15"], &exp); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for class, list := range exp.Positions {
		status := "supported"
		if class == "noted" {
			status = "noted"
		}
		for _, id := range list {
			want["A/HRC/43/15:"+id] = status
		}
	}
	got := map[string]string{}
	for _, p := range add.Positions {
		got[p.ID] = p.Status
	}
	if len(got) != 157 || len(want) != 157 {
		t.Errorf("got %d positions, want 157", len(got))
	}
	for id, s := range want {
		if got[id] != s {
			t.Errorf("%s = %q, want %q", id, got[id], s)
		}
	}

	first := read("A_HRC_14_15.txt")
	if len(first.Recommendations) != 97 {
		t.Fatalf("A/HRC/14/15: %d recommendations, want 111.1-111.97", len(first.Recommendations))
	}
	for i, r := range first.Recommendations {
		if r.ID != "A/HRC/14/15:111."+itoa(i+1) || r.Status != "pending" {
			t.Errorf("%d: %s %s", i, r.ID, r.Status)
		}
	}
}

// TestCorpusConverters re-renders the real seed the way PDF converters
// would and expects the same recommendations and headings.
func TestCorpusConverters(t *testing.T) {
	dir := needs.Shared(t)
	seed, err := os.ReadFile(filepath.Join(dir, "seeds", "000_184c6d66c37e6cc3.txt"))
	if err != nil {
		t.Fatal(err)
	}
	base := mustParse(t, seed)
	for _, layout := range []bool{true, false} {
		pdf := pdfize(string(seed), "", 90, layout)
		d, err := Parse([]byte(pdf), Options{Symbol: base.Symbol})
		if err != nil {
			t.Fatalf("layout=%v: %v", layout, err)
		}
		if got, want := recKeys(d), recKeys(base); !slices.Equal(got, want) {
			t.Errorf("layout=%v:\n got %q\nwant %q", layout, got, want)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func FuzzParse(f *testing.F) {
	for _, name := range []string{"crc-wordtext.txt", "ccpr-pdf-layout.txt", "cedaw-pdf-raw.txt", "upr-report.txt", "upr-addendum.txt", "upr-first-cycle.txt",
		"cedaw-fr-pdf-layout.txt", "cat-es-wordtext.txt", "cescr-en-layout.txt", "noise/item-after-next-paragraph.txt", "noise/sentence-after-items.txt",
		"shapes/page-header-in-item.txt", "shapes/wrapped-heading.txt", "shapes/inline-items.txt", "shapes/bare-numbers-addendum.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(buildDocx(f, []docxPart{{"SingleTxtG", "1.\tThe Committee recommends that the State party act."}}))
	f.Add([]byte("1. (a) (b) 1.1 1.2 ; 2. \n(i)\n\tI.\tX"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data, pdfOpts())
		if err != nil {
			return
		}
		for _, r := range d.Recommendations {
			if r.ID == "" || r.Paragraph <= 0 {
				t.Fatalf("recommendation without id or paragraph: %+v", r)
			}
		}
		if len(d.Warnings) > maxWarnings+1 {
			t.Fatalf("%d warnings: the self-check must stay bounded", len(d.Warnings))
		}
	})
}
