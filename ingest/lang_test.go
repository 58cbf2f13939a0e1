package ingest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/internal/needs"
	"github.com/followup-app/followup/workflow"
)

// A French CEDAW text as pdftotext -layout gives it: items "a)", a narrow
// no-break space before ":", typographic apostrophes, a page break with the
// job number in the footer, "1er", and a concern that names the verbs in
// the negative.
func TestFrenchFixture(t *testing.T) {
	d := mustParse(t, readFixture(t, "cedaw-fr-pdf-layout.txt"))
	if d.Symbol != "CEDAW/C/BEN/CO/6" || d.Body != "CEDAW" || d.State != "Benin" || d.Language != "fr" || d.Adopted != civil.D(2031, 7, 14) {
		t.Errorf("front matter: %q %q %q %q %v", d.Symbol, d.Body, d.State, d.Language, d.Adopted)
	}
	if d.Title != "Observations finales concernant le sixième rapport périodique du Bénin" {
		t.Errorf("title %q", d.Title)
	}
	want := []string{
		"CEDAW/C/BEN/CO/6:3a|B. Principaux sujets de préoccupation et recommandations|Cadre législatif",
		"CEDAW/C/BEN/CO/6:3b|B. Principaux sujets de préoccupation et recommandations|Cadre législatif",
		"CEDAW/C/BEN/CO/6:6|B. Principaux sujets de préoccupation et recommandations|Violence à l’égard des femmes",
		"CEDAW/C/BEN/CO/6:7a|B. Principaux sujets de préoccupation et recommandations|Violence à l’égard des femmes",
		"CEDAW/C/BEN/CO/6:7b|B. Principaux sujets de préoccupation et recommandations|Violence à l’égard des femmes",
		"CEDAW/C/BEN/CO/6:7c|B. Principaux sujets de préoccupation et recommandations|Violence à l’égard des femmes",
		"CEDAW/C/BEN/CO/6:8|C. Suivi et diffusion|",
		"CEDAW/C/BEN/CO/6:9|C. Suivi et diffusion|",
		"CEDAW/C/BEN/CO/6:10|C. Suivi et diffusion|Prochain rapport périodique",
	}
	if got := recKeys(d); !slices.Equal(got, want) {
		t.Errorf("recommendations:\n got %q\nwant %q", got, want)
	}
	byID := map[string]workflow.Recommendation{}
	for _, r := range d.Recommendations {
		byID[r.ID] = r
	}
	// Paragraph 6 runs over the page break: its text ends on the next page
	// without the footer, the footnote or the running header.
	six := byID["CEDAW/C/BEN/CO/6:6"]
	if six.Verb != "engage vivement" || !strings.HasSuffix(six.Text, "d’aide aux victimes.") || six.Concern != 5 {
		t.Errorf("6 = %+v", six)
	}
	for _, r := range d.Recommendations {
		if strings.Contains(r.Text, "GE.31") || strings.Contains(r.Text, "CEDAW/C/BEN/CO/6") {
			t.Errorf("%s keeps page furniture: %q", r.ID, r.Text)
		}
	}
	if a := byID["CEDAW/C/BEN/CO/6:3a"]; a.Text != "D’adopter une définition complète de la discrimination ;" || a.Concern != 2 {
		t.Errorf("3a = %q (concern %d)", a.Text, a.Concern)
	}
	// "dans un délai de deux ans": two years after adoption; "7 a)" is
	// paragraph 7.
	if d.FollowUp == nil || d.FollowUp.Due != civil.D(2033, 7, 14) || !slices.Equal(d.FollowUp.Paragraphs, []int{3, 7}) {
		t.Errorf("follow-up = %+v", d.FollowUp)
	}
	if d.NextReport.Due != civil.D(2035, 7, 1) {
		t.Errorf("next report due %v, want 2035-07-01 (\"le 1er juillet 2035 au plus tard\")", d.NextReport.Due)
	}
}

// A Spanish CAT text converted from Word: one paragraph per line, tabs,
// "El Estado parte debe:" with lettered items, a subject-less "Recomienda
// además", a passive "Se alienta", negatives that stay concerns, "1º de".
func TestSpanishFixture(t *testing.T) {
	d := mustParse(t, readFixture(t, "cat-es-wordtext.txt"))
	if d.Symbol != "CAT/C/PER/CO/8" || d.State != "Peru" || d.Language != "es" || d.Adopted != civil.D(2031, 12, 1) {
		t.Errorf("front matter: %q %q %q %v", d.Symbol, d.State, d.Language, d.Adopted)
	}
	want := []string{"CAT/C/PER/CO/8:3a", "CAT/C/PER/CO/8:3b", "CAT/C/PER/CO/8:5", "CAT/C/PER/CO/8:6", "CAT/C/PER/CO/8:7", "CAT/C/PER/CO/8:8"}
	if got := ids(d); !slices.Equal(got, want) {
		t.Errorf("ids:\n got %q\nwant %q", got, want)
	}
	five := d.Recommendations[2]
	if five.Verb != "insta" || !strings.Contains(five.Text, "Recomienda además al Estado parte") || five.Concern != 4 || five.Subsection != "Condiciones de reclusión" {
		t.Errorf("5 = %+v", five)
	}
	if d.FollowUp == nil || d.FollowUp.Due != civil.D(2032, 12, 1) || !slices.Equal(d.FollowUp.Paragraphs, []int{3, 5}) {
		t.Errorf("follow-up = %+v", d.FollowUp)
	}
	if d.NextReport.Due != civil.D(2035, 12, 1) {
		t.Errorf("next report due %v", d.NextReport.Due)
	}
}

// English phrasing of the committees first tried here: CESCR's "The
// Committee, recalling its general comment No. 20 … and targets 10.2 and
// 10.3 …, recommends", CAT's "The State party should", and the CRPD's
// closing "urgent measures" paragraph, which only points at others.
func TestEnglishCommitteesFixture(t *testing.T) {
	d := mustParse(t, readFixture(t, "cescr-en-layout.txt"))
	if d.Body != "CESCR" || d.State != "Norway" || d.Language != "en" {
		t.Errorf("front matter: %q %q %q", d.Body, d.State, d.Language)
	}
	want := []string{"E/C.12/NOR/CO/7:3a", "E/C.12/NOR/CO/7:3b", "E/C.12/NOR/CO/7:4", "E/C.12/NOR/CO/7:6", "E/C.12/NOR/CO/7:7"}
	if got := ids(d); !slices.Equal(got, want) {
		t.Errorf("ids:\n got %q\nwant %q (5 is the urgent-measures paragraph)", got, want)
	}
	if d.FollowUp == nil || d.FollowUp.Due != civil.D(2034, 3, 12) || !slices.Equal(d.FollowUp.Paragraphs, []int{3, 4}) {
		t.Errorf("follow-up = %+v", d.FollowUp)
	}
}

func TestDetectLanguage(t *testing.T) {
	for text, want := range map[string]string{
		"The Committee recommends that the State party adopt a law on the rights of the child.": "en",
		"Le Comité recommande à l’État partie d’adopter une loi sur les droits de l’enfant.":    "fr",
		"El Comité recomienda al Estado parte que adopte una ley sobre los derechos del niño.":  "es",
		"": "en",
	} {
		if got := detectLanguage(text); got != want {
			t.Errorf("detectLanguage(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestFrenchAndSpanishDates(t *testing.T) {
	for s, want := range map[string]civil.Date{
		"le 17 septembre 2019":        civil.D(2019, 9, 17),
		"le 1er juillet 2025":         civil.D(2025, 7, 1),
		"le 20 de septiembre de 2019": civil.D(2019, 9, 20),
		"el 1º de diciembre de 2031":  civil.D(2031, 12, 1),
		"on 5 December 2016":          civil.D(2016, 12, 5),
		"le 31 février 2020":          {},
		"au 3 août 2021, à 10 heures": civil.D(2021, 8, 3),
	} {
		var got civil.Date
		if ds := findDates(s); len(ds) > 0 {
			got = ds[0].date
		}
		if got != want {
			t.Errorf("findDates(%q) = %v, want %v", s, got, want)
		}
	}
	if got := dateOrMonth("février 2034"); got != civil.D(2034, 2, 28) {
		t.Errorf("février 2034 = %v", got)
	}
	for s, months := range map[string]int{"dans un délai d’un an": 12, "dans un délai de douze mois": 12, "en un plazo de 18 meses": 18, "dentro de un plazo de dos años": 24} {
		if sp, ok := withinSpan(s); !ok || sp.Months != months {
			t.Errorf("withinSpan(%q) = %+v %v, want %d months", s, sp, ok, months)
		}
	}
}

// The three CRPD documents of the shared corpus, in French, Spanish and
// English, as pdftotext -layout gives them.
func TestCorpusCRPDLanguages(t *testing.T) {
	dir := needs.Shared(t)
	exp := loadExpected(t, dir)
	for _, tc := range []struct{ symbol, file, lang string }{
		{"CRPD/C/ECU/CO/2-3", "CRPD_C_ECU_CO_2-3.txt", "fr"},
		{"CRPD/C/SLV/CO/2-3", "CRPD_C_SLV_CO_2-3.txt", "es"},
		{"CRPD/C/MEX/CO/2-3", "CRPD_C_MEX_CO_2-3.txt", "en"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			var e struct {
				expectedCO
				NextReport struct {
					Due string `json:"due"`
				} `json:"next_report"`
			}
			if err := json.Unmarshal(exp[tc.symbol], &e); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(dir, "corpus", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			d := mustParse(t, data)
			checkCRPD(t, d, tc.symbol, tc.lang, e.expectedCO, e.NextReport.Due)
		})
	}
}

func checkCRPD(t *testing.T, d *workflow.Document, symbol, lang string, e expectedCO, nextDue string) {
	t.Helper()
	if d.Symbol != symbol || d.State != e.State || d.Language != lang || d.Adopted.String() != e.Adopted || d.NextReport.Due.String() != nextDue || d.FollowUp != nil {
		t.Errorf("front: %q %q %q adopted %v next %v follow-up %+v; want %q %q %q %s %s none",
			d.Symbol, d.State, d.Language, d.Adopted, d.NextReport.Due, d.FollowUp, symbol, e.State, lang, e.Adopted, nextDue)
	}
	var want []string
	heading := map[int]string{}
	for _, r := range e.Recommendations {
		parts := strings.Split(r.Heading, " / ")
		heading[r.Paragraph] = parts[len(parts)-1]
		items := r.Items
		if len(items) == 0 {
			items = []string{""}
		}
		for _, it := range items {
			want = append(want, workflow.RecID(symbol, r.Paragraph, it))
		}
	}
	if got := ids(d); !slices.Equal(got, want) {
		t.Fatalf("ids:\n got %q\nwant %q", got, want)
	}
	// Headings as printed: the deepest one, article references and
	// typographic apostrophes kept.
	for _, r := range d.Recommendations {
		h := heading[r.Paragraph]
		if r.Subsection != h && !(r.Subsection == "" && r.Section == h) {
			t.Errorf("%s: heading %q / %q, want %q", r.ID, r.Section, r.Subsection, h)
		}
	}
}

// The operative phrases of each language, and their negatives, which are
// not requests.
func TestOperativesByLanguage(t *testing.T) {
	for _, tc := range []struct {
		lang, text, verb string // verb "" = not a request
	}{
		{"fr", "Le Comité recommande à l’État partie d’adopter une loi.", "recommande"},
		{"fr", "Le Comité rappelle ses observations finales antérieures et lui recommande de ratifier le Protocole.", "recommande"},
		{"fr", "Le Comité engage vivement l’État partie à agir.", "engage vivement"},
		{"fr", "Le Comité prie instamment l’État partie de réviser le Code.", "prie instamment"},
		{"fr", "Le Comité réitère ses précédentes recommandations.", "réitère ses précédentes recommandations"},
		{"fr", "L’État partie est invité à ratifier la Convention.", "is invité"},
		{"fr", "Le Comité ne recommande pas de nouvelles mesures.", ""},
		{"fr", "Le Comité regrette que l’État partie n’encourage pas la participation.", ""},
		{"fr", "Le Comité note que la demande de l’État partie a été reçue.", ""},
		{"es", "El Comité recomienda al Estado parte que adopte una ley.", "recomienda"},
		{"es", "El Comité recuerda su recomendación anterior y le recomienda que ratifique el Protocolo.", "recomienda"},
		{"es", "El Comité alienta encarecidamente al Estado parte a que actúe.", "alienta encarecidamente"},
		{"es", "Preocupa al Comité la situación. Insta al Estado parte a que actúe.", "insta"},
		{"es", "Se recomienda al Estado parte que revise el Código.", "is recomienda"},
		{"es", "El Comité no recomienda cambios.", ""},
		{"es", "Preocupa al Comité que el Estado parte no aliente la participación.", ""},
		{"en", "The Committee, in line with its general comment No. 6 (2018) and targets 10.2 and 10.3 of the Goals, recommends that the State party act.", "recommends"},
		{"en", "The Committee, recalling its concern. It notes the law, which recommends nothing.", ""},
		{"en", "The Committee regrets that its previous recommendations have not been implemented.", ""},
	} {
		ops := operatives(tc.text, tc.lang)
		got := ""
		if len(ops) > 0 {
			got = ops[0].verb
		}
		if got != tc.verb {
			t.Errorf("%s %q: verb %q, want %q", tc.lang, tc.text, got, tc.verb)
		}
	}
}

// A French UPR report's lists and a Spanish addendum's positions.
func TestUPRFrenchSpanish(t *testing.T) {
	for lead, want := range map[string]string{
		"Les recommandations ci-après ont été examinées par le Bénin et ont recueilli son adhésion :":        "supported",
		"Les recommandations ci-après ont été examinées par le Bénin et ont recueilli l’adhésion du Bénin :": "supported",
		"Les recommandations ci-après seront examinées par le Bénin, qui y répondra en temps voulu :":        "pending",
		"Les recommandations ci-après n’ont pas recueilli l’adhésion du Bénin, qui en a pris note :":         "noted",
		"Las recomendaciones que figuran a continuación cuentan con el apoyo del Perú:":                      "supported",
		"El Perú ha tomado nota de las recomendaciones que figuran a continuación:":                          "noted",
		"Las recomendaciones formuladas serán examinadas por el Perú, que responderá a su debido tiempo:":    "pending",
	} {
		if got := uprStatus(lead); got != want {
			t.Errorf("uprStatus(%q) = %q, want %q", lead, got, want)
		}
	}
	add := []byte("A/HRC/50/8/Add.1\nInforme del Grupo de Trabajo sobre el Examen Periódico Universal\nAddendum\n" +
		"1. El Perú acepta las recomendaciones 120.1, 120.2 y 120.4-6.\n" +
		"2. El Perú toma nota de las recomendaciones 120.3 y 120.7.\n")
	d := mustParse(t, add)
	got := map[string]string{}
	for _, p := range d.Positions {
		got[p.Item] = p.Status
	}
	want := map[string]string{"1": "supported", "2": "supported", "4": "supported", "5": "supported", "6": "supported", "3": "noted", "7": "noted"}
	if len(got) != len(want) {
		t.Fatalf("positions %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("120.%s = %q, want %q", k, got[k], v)
		}
	}
}
