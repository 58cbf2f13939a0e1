package ingest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/internal/needs"
	"github.com/followup-app/followup/workflow"
)

// The shapes of issue 23, seen on documents kept aside (which stay aside):
// one fixture each in testdata/shapes, written in the same shape, and
// each parse must also pass its own self-check (no warning).

func shapeDoc(t *testing.T, name string) (*workflow.Document, map[string]workflow.Recommendation) {
	t.Helper()
	d := mustParse(t, readFixture(t, filepath.Join("shapes", name)))
	if len(d.Warnings) != 0 {
		t.Errorf("%s: warnings %v", name, d.Warnings)
	}
	byID := map[string]workflow.Recommendation{}
	for _, r := range d.Recommendations {
		byID[r.ID] = r
	}
	return d, byID
}

// (a) In Word text, a page header (the job number and page, the symbol)
// and a running title cut items in two: the letters go on, each item reads
// whole, and no furniture is left in a text.
func TestShapePageHeaderInItem(t *testing.T) {
	d, by := shapeDoc(t, "page-header-in-item.txt")
	want := []string{"CCPR/C/KEN/CO/5:3a", "CCPR/C/KEN/CO/5:3b", "CCPR/C/KEN/CO/5:3c", "CCPR/C/KEN/CO/5:5a", "CCPR/C/KEN/CO/5:5b"}
	if got := ids(d); !slices.Equal(got, want) {
		t.Fatalf("ids %q, want %q", got, want)
	}
	if a := by["CCPR/C/KEN/CO/5:3a"].Text; a != "Bring its counter-terrorism law into line with the Covenant, in particular by narrowing the definition of terrorism and ensuring that no one is detained without charge beyond the time limits of the Covenant;" {
		t.Errorf("3a = %q", a)
	}
	if c := by["CCPR/C/KEN/CO/5:3c"].Text; c != "Establish an independent body to investigate complaints against the police, with the resources it needs." {
		t.Errorf("3c = %q", c)
	}
}

// (a) on the seed itself: item 14 (a) split around a page header imports
// 43 of 43, 14 (a) whole and without the header.
func TestShapeSeedWithPageHeader(t *testing.T) {
	dir := needs.Shared(t)
	seed, err := os.ReadFile(filepath.Join(dir, "seeds", "000_184c6d66c37e6cc3.txt"))
	if err != nil {
		t.Fatal(err)
	}
	base := mustParse(t, seed)
	const cut = "on the harmful effects of, all the offences"
	i := strings.Index(string(seed), cut)
	if i < 0 {
		t.Fatal("the seed no longer has the sentence of 14 (a)")
	}
	i += len(cut)
	split := string(seed[:i]) + "\nGE.15-12345\t5\nCRC/C/OPSC/LAO/CO/1\n" + string(seed[i+1:])
	d := mustParse(t, []byte(split))
	if got, want := recKeys(d), recKeys(base); len(got) != 43 || !slices.Equal(got, want) {
		t.Fatalf("%d recommendations:\n got %q\nwant %q", len(got), got, want)
	}
	for k, r := range d.Recommendations {
		if r.Text != base.Recommendations[k].Text {
			t.Errorf("%s: %q\nwant %q", r.ID, r.Text, base.Recommendations[k].Text)
		}
		if strings.Contains(r.Text, "GE.15") || strings.Contains(r.Text, "CRC/C/OPSC/LAO/CO/1") {
			t.Errorf("%s keeps the page header: %q", r.ID, r.Text)
		}
	}
	if len(d.Warnings) != 0 {
		t.Errorf("warnings: %v", d.Warnings)
	}
}

// (b) A sentence with its own subject after the last item ("The State
// party should also …" on a line of its own, "The Committee also
// encourages …" in the item's line) adds no recommendation: it stays with
// the last item.
func TestShapeSentenceAfterItems(t *testing.T) {
	d, by := shapeDoc(t, "sentence-after-items.txt")
	want := []string{"CAT/C/PER/CO/8:3a", "CAT/C/PER/CO/8:3b", "CAT/C/PER/CO/8:5a", "CAT/C/PER/CO/8:5b", "CAT/C/PER/CO/8:6"}
	if got := ids(d); !slices.Equal(got, want) {
		t.Fatalf("ids %q, want %q", got, want)
	}
	if b := by["CAT/C/PER/CO/8:3b"].Text; !strings.HasSuffix(b, "detention. The State party should also ensure that every death in custody is investigated promptly by an independent body.") {
		t.Errorf("3b = %q", b)
	}
	if b := by["CAT/C/PER/CO/8:5b"].Text; !strings.HasSuffix(b, "The Committee also encourages the State party to seek technical assistance for this purpose.") {
		t.Errorf("5b = %q", b)
	}
}

// (c) A heading wrapped over two lines, "… (art." / "15)": the next
// paragraph number is taken, its items stay its own, and the heading reads
// whole.
func TestShapeWrappedHeading(t *testing.T) {
	d, by := shapeDoc(t, "wrapped-heading.txt")
	want := []string{"CRPD/C/XYZ/CO/1:3", "CRPD/C/XYZ/CO/1:5a", "CRPD/C/XYZ/CO/1:5b"}
	if got := ids(d); !slices.Equal(got, want) {
		t.Fatalf("ids %q, want %q", got, want)
	}
	if s := by["CRPD/C/XYZ/CO/1:5a"].Subsection; s != "Freedom from torture or cruel, inhuman or degrading treatment or punishment (art. 15)" {
		t.Errorf("5a under %q", s)
	}
	if r := by["CRPD/C/XYZ/CO/1:3"]; strings.Contains(r.Text, "Freedom") || r.Subsection != "Liberty and security of the person (art. 14)" {
		t.Errorf("3 = %q under %q", r.Text, r.Subsection)
	}
}

// (d) Items inline in one sentence: "…: (a) …; (b) …; and (c) …".
func TestShapeInlineItems(t *testing.T) {
	d, by := shapeDoc(t, "inline-items.txt")
	want := []string{"CRPD/C/XYZ/CO/1:3a", "CRPD/C/XYZ/CO/1:3b", "CRPD/C/XYZ/CO/1:3c"}
	if got := ids(d); !slices.Equal(got, want) {
		t.Fatalf("ids %q, want %q", got, want)
	}
	if b := by["CRPD/C/XYZ/CO/1:3b"].Text; b != "ensure that private entities that offer public transport observe accessibility requirements;" {
		t.Errorf("3b = %q", b)
	}
	if c := by["CRPD/C/XYZ/CO/1:3c"].Text; c != "adopt regulations on digital accessibility, in accordance with international standards." {
		t.Errorf("3c = %q", c)
	}
	// The same in French: "; et c)".
	fr := "CRPD/C/XYZ/CO/1\nObservations finales concernant le rapport initial de la Mongolie\n\n" +
		"1. Le Comité a examiné le rapport initial de la Mongolie et a adopté les présentes observations finales le 12 mars 2031.\n" +
		"2. Le Comité recommande à l’État partie : a) de former les juges ; b) de réviser le code de procédure ; et c) de publier les décisions.\n"
	if got := ids(mustParse(t, []byte(fr))); !slices.Equal(got, []string{"CRPD/C/XYZ/CO/1:2a", "CRPD/C/XYZ/CO/1:2b", "CRPD/C/XYZ/CO/1:2c"}) {
		t.Errorf("French: %q", got)
	}
}

// (e) An addendum citing bare numbers and ranges ("1–3, 5", "10 –\n12"):
// its positions are read, and get their ids from the report.
func TestShapeBareNumbers(t *testing.T) {
	report, _ := shapeDoc(t, "bare-numbers-report.txt")
	add, _ := shapeDoc(t, "bare-numbers-addendum.txt")
	if len(add.Positions) != 12 {
		t.Fatalf("%d positions, want 12", len(add.Positions))
	}
	for _, p := range add.Positions {
		if p.ID != "" || p.Paragraph != 0 {
			t.Fatalf("before the report: %+v", p)
		}
	}
	ResolvePositions(add, report)
	if len(add.Warnings) != 0 {
		t.Errorf("warnings: %v", add.Warnings)
	}
	got := map[string]string{}
	for _, p := range add.Positions {
		got[p.ID] = p.Status
	}
	for _, n := range []string{"1", "2", "3", "5", "7", "8", "10", "11", "12"} {
		if got["A/HRC/99/15:2."+n] != workflow.StatusSupported {
			t.Errorf("2.%s = %q, want supported", n, got["A/HRC/99/15:2."+n])
		}
	}
	for _, n := range []string{"4", "6", "9"} {
		if got["A/HRC/99/15:2."+n] != workflow.StatusNoted {
			t.Errorf("2.%s = %q, want noted", n, got["A/HRC/99/15:2."+n])
		}
	}
}

// (f) A .docx made from a PDF's text, one Word paragraph per printed line,
// reads like the text it was made from.
func TestShapeDocxFromPDFLines(t *testing.T) {
	text := string(readFixture(t, "crc-wordtext.txt"))
	want := mustParse(t, []byte(text))
	var parts []docxPart
	for _, l := range strings.Split(pdfize(text, want.Symbol, 90, true), "\n") {
		parts = append(parts, docxPart{"", strings.ReplaceAll(l, "\f", "")})
	}
	d, err := Parse(buildDocx(t, parts), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := recKeys(d); !slices.Equal(got, recKeys(want)) {
		t.Errorf("recommendations:\n got %q\nwant %q", got, recKeys(want))
	}
	for i, r := range d.Recommendations {
		if i < len(want.Recommendations) && r.Text != want.Recommendations[i].Text {
			t.Errorf("%s: %q\nwant %q", r.ID, r.Text, want.Recommendations[i].Text)
		}
	}
	if len(d.Warnings) != 0 {
		t.Errorf("warnings: %v", d.Warnings)
	}
}

// (g) "appelle l'attention" draws attention; only "appelle l'État partie
// à" calls upon it.
func TestShapeDrawsAttention(t *testing.T) {
	d, by := shapeDoc(t, "appelle-attention.txt")
	if got := ids(d); !slices.Equal(got, []string{"CRPD/C/XYZ/CO/1:3"}) {
		t.Fatalf("ids %q, want paragraph 3 only", got)
	}
	if v := by["CRPD/C/XYZ/CO/1:3"].Verb; v != "appelle" {
		t.Errorf("verb %q", v)
	}
}

// Other languages and other documents, said plainly.
func TestRefusedLanguages(t *testing.T) {
	for _, tc := range []struct{ lang, text string }{
		{"Arabic", "إن اللجنة توصي الدولة الطرف بأن تعتمد تشريعات شاملة لمكافحة التمييز وأن تكفل حقوق الأشخاص ذوي الإعاقة في جميع المجالات."},
		{"Russian", "Комитет рекомендует государству-участнику принять всеобъемлющее антидискриминационное законодательство и обеспечить права инвалидов во всех областях."},
		{"Chinese", "委员会建议缔约国通过全面的反歧视立法，并确保残疾人在所有领域的权利得到保障。委员会还建议缔约国加强监测机制。"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			doc := "CRPD/C/ALB/CO/1\nDistr.: General\n\n1. " + strings.Repeat(tc.text+"\n", 5) + "2. " + tc.text + "\n"
			_, err := Parse([]byte(doc), Options{})
			if !errors.Is(err, ErrOtherLanguage) || !strings.Contains(err.Error(), "the document is in "+tc.lang+"; import the English, French or Spanish version of CRPD/C/ALB/CO/1") {
				t.Errorf("err = %v", err)
			}
		})
	}
	// A French quotation or a Russian name in an English document does not
	// make it Russian.
	en := coText("1. The Committee considered the report.", "2. The Committee recommends that the State party consult the Общество инвалидов.")
	if _, err := Parse([]byte(en), Options{}); err != nil {
		t.Errorf("English with a Russian name: %v", err)
	}
}

func TestRefusedFollowUpReply(t *testing.T) {
	for _, text := range []string{
		// The symbol says it: an addendum to concluding observations.
		"CRPD/C/CZE/CO/1/Add.1\nCommittee on the Rights of Persons with Disabilities\nConcluding observations on the initial report of Czechia\nAddendum\n" +
			"Information received from Czechia on follow-up to the concluding observations\n\n" +
			"1. On 10 April 2015 the Committee adopted its concluding observations and requested the Czech Republic to submit information.\n" +
			"2. The Czech Republic recommends that the Committee take note of the measures taken.\n",
		// The title says it, the symbol given by hand.
		"Information received from Montenegro on follow-up to the concluding observations\n\n" +
			"1. The Government does not mention any legislative amendments made to ensure that all persons with disabilities are protected.\n",
	} {
		_, err := Parse([]byte(text), Options{Symbol: map[bool]string{true: "", false: "CRPD/C/MNE/CO/1/Add.2"}[strings.HasPrefix(text, "CRPD")]})
		if !errors.Is(err, ErrFollowUpReply) || !strings.Contains(err.Error(), "is an addendum to the concluding observations CRPD/C/") ||
			!strings.Contains(err.Error(), "there are no recommendations to import from it") {
			t.Errorf("err = %v", err)
		}
	}
}

// Text in raw reading order, as an in-process PDF extractor gives it: no
// layout, superscripts on lines of their own (the "e" of "2101e", a
// footnote number after a full stop or inside an item). The same
// recommendations, with no warning.
func TestRawReadingOrderSuperscripts(t *testing.T) {
	for _, name := range []string{"cedaw-fr-pdf-layout.txt", "ccpr-pdf-layout.txt", "cescr-en-layout.txt"} {
		t.Run(name, func(t *testing.T) {
			layout := string(readFixture(t, name))
			want := mustParse(t, []byte(layout))
			var raw []string
			n := 0
			for _, l := range strings.Split(layout, "\n") {
				l = strings.TrimSpace(l)
				var words []string
				for _, w := range strings.Fields(l) {
					// "2101e", "1er": the ordinal's letters are raised.
					if i := strings.IndexFunc(w, func(r rune) bool { return r < '0' || r > '9' }); i > 0 && (w[i:] == "e" || w[i:] == "er") {
						raw = append(raw, strings.Join(words, " "), w)
						words = nil
						continue
					}
					words = append(words, w)
				}
				raw = append(raw, strings.Join(words, " "))
				if n++; strings.HasSuffix(l, ".") || strings.HasSuffix(l, ";") {
					raw = append(raw, fmt.Sprint(n%9+1)) // a footnote mark
				}
			}
			d := mustParse(t, []byte(strings.Join(raw, "\n")))
			if got := recKeys(d); !slices.Equal(got, recKeys(want)) {
				t.Errorf("recommendations:\n got %q\nwant %q", got, recKeys(want))
			}
			if len(d.Warnings) != 0 {
				t.Errorf("warnings: %v", d.Warnings)
			}
		})
	}
}

// Footnotes printed at the foot of a page, between "the Committee" and
// "recommends" on the next page, are not read into the sentence (which
// lost the whole paragraph), nor into the last item.
func TestFootnotesAtPageFoot(t *testing.T) {
	d, by := shapeDoc(t, "footnote-at-page-foot.txt")
	if got := ids(d); !slices.Equal(got, []string{"CRPD/C/XYZ/CO/2-3:3a", "CRPD/C/XYZ/CO/2-3:3b"}) {
		t.Fatalf("ids %q", got)
	}
	if b := by["CRPD/C/XYZ/CO/2-3:3b"]; b.Text != "Provide redress to the women who were sterilized." || strings.Contains(b.Lead, "Available") {
		t.Errorf("3b = %q, lead %q", b.Text, b.Lead)
	}
}

// The ways a Committee asks that the patterns did not know, found on the
// CRPD collection: a footnote number after the clause's comma ("…,5
// recommends", "…, 5 recommends"), a clause of 480 bytes, "and recommends
// that, in line with …, the State party", "and recommends that the
// European Union", "and encourages it to", "it specifically urges", "asks",
// "suggests".
func TestOperativeFamilies(t *testing.T) {
	for _, tc := range []struct{ text, verb string }{
		{"The Committee, recalling its jurisprudence,5 recommends that the State party protect persons with albinism.", "recommends"},
		{"The Committee, recalling the recommendations of the Committee on the Rights of the Child, 5 recommends that the State party protect children.", "recommends"},
		{"The Committee, recalling that all European Union member States are members of the Council of Europe and parties to the Convention and also recalling its guidelines on the right to liberty and security of persons with disabilities, its guidelines on deinstitutionalization, including in emergencies, its open letters on the draft additional protocol to the Convention on Human Rights and Biomedicine, released in 2021 and 2025, and its 2018 statement in which it called upon States Parties to oppose the draft additional protocol, recommends that the European Union oppose the protocol.", "recommends"},
		{"The Committee reiterates its previous recommendation4 and recommends that, in line with its general comment No. 1 (2014), the State party repeal guardianship.", "recommends"},
		{"The Committee recalls its previous recommendation20 and recommends that the European Union appoint disability focal points.", "recommends"},
		{"The Committee commends the State party for opposing the protocol, and encourages it to raise its concerns in the regional discussions.", "encourages"},
		{"Considering the proportion of persons with disabilities who live in rural areas, it specifically urges the State party to ensure accessibility there.", "urges"},
		{"The Committee asks the State party to submit its next periodic report by 3 October 2038.", "asks"},
		{"The Committee suggests that the State party allocate resources to legal aid centres.", "suggests"},
	} {
		d := mustParse(t, []byte(coText("1. The Committee considered the report.", "2. The Committee is concerned about the situation.", "3. "+tc.text)))
		if len(d.Recommendations) != 1 || d.Recommendations[0].Paragraph != 3 || d.Recommendations[0].Verb != tc.verb {
			t.Errorf("%.60q…: %+v", tc.text, d.Recommendations)
		}
		if len(d.Warnings) != 0 {
			t.Errorf("%.60q…: warnings %v", tc.text, d.Warnings)
		}
	}
}
