package cluster

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/workflow"
)

// together returns the suggestion holding id, or nil.
func together(res Result, id string) *Suggestion {
	for i := range res.Clusters {
		if slices.Contains(res.Clusters[i].Members, id) {
			return &res.Clusters[i]
		}
	}
	return nil
}

// A small mixed set: two documents, each asking several things, two of
// them the same.
func sampleItems() []Item {
	return []Item{
		{ID: "A/HRC/43/15:122.2", Symbol: "A/HRC/43/15", Body: "UPR", Language: "en", States: []string{"Bangladesh"},
			Text: "Ratify the International Convention on the Protection of the Rights of All Migrant Workers and Members of Their Families (Bangladesh)"},
		{ID: "A/HRC/28/15:115.8", Symbol: "A/HRC/28/15", Body: "UPR", Language: "en", States: []string{"Senegal", "Peru"},
			Text: "Ratify ICRMW (Senegal, Peru)"},
		{ID: "A/HRC/28/15:115.16", Symbol: "A/HRC/28/15", Body: "UPR", Language: "en", States: []string{"Belgium"},
			Text: "Ratify the International Convention for the Protection of All Persons from Enforced Disappearance (Belgium)"},
		{ID: "A/HRC/43/15:121.1", Symbol: "A/HRC/43/15", Body: "UPR", Language: "en", States: []string{"France"},
			Text: "Ratify the International Convention for the Protection of All Persons from Enforced Disappearance (France)"},
		{ID: "A/HRC/43/15:122.73", Symbol: "A/HRC/43/15", Body: "UPR", Language: "en",
			Text: "Continue to reduce the backlog of judicial cases, by further improving the staffing and financial resources of the courts (Germany)"},
		{ID: "A/HRC/14/15:111.56", Symbol: "A/HRC/14/15", Body: "UPR", Language: "en",
			Text: "To take the steps necessary to further reduce court backlogs (Netherlands)"},
		{ID: "CRC/C/SVN/CO/3-4:31a", Symbol: "CRC/C/SVN/CO/3-4", Body: "CRC", Language: "en",
			Text: "Explicitly prohibit corporal punishment of children in all settings, including in the home;"},
		{ID: "A/HRC/28/15:115.116", Symbol: "A/HRC/28/15", Body: "UPR", Language: "en", States: []string{"Austria"},
			Text: "Explicitly prohibit in national legislation corporal punishment in all settings, including at home (Austria)"},
		{ID: "A/HRC/59/15:140.49", Symbol: "A/HRC/59/15", Body: "UPR", Language: "en",
			Text: "Continue efforts to reduce overcrowding in detention centres (North Macedonia)"},
		{ID: "A/HRC/59/15:140.63", Symbol: "A/HRC/59/15", Body: "UPR", Language: "en",
			Text: "Strengthen legal and institutional protections for journalists to promote a safe and independent media environment (Indonesia)"},
	}
}

func TestSuggestGroupsTheSameAsk(t *testing.T) {
	res := Suggest(sampleItems(), Options{})
	for _, pair := range [][2]string{
		{"A/HRC/43/15:122.2", "A/HRC/28/15:115.8"},      // ICRMW, by name and by acronym
		{"A/HRC/28/15:115.16", "A/HRC/43/15:121.1"},     // enforced disappearance
		{"CRC/C/SVN/CO/3-4:31a", "A/HRC/28/15:115.116"}, // a treaty body and the UPR
	} {
		s := together(res, pair[0])
		if s == nil || !slices.Contains(s.Members, pair[1]) {
			t.Errorf("%s and %s not suggested together: %+v", pair[0], pair[1], res.Clusters)
		}
	}
	if s := together(res, "A/HRC/43/15:122.2"); s != nil && slices.Contains(s.Members, "A/HRC/28/15:115.16") {
		t.Errorf("two different treaties to ratify in one group: %+v", s)
	}
	s := together(res, "A/HRC/28/15:115.8")
	if s == nil || !strings.Contains(s.Name, "Migrant Workers") || !strings.Contains(s.Reason, "shared treaty: Migrant Workers Convention") ||
		!strings.Contains(s.Reason, "2 recommendations from 2 documents (UPR)") || s.Score <= 0 || s.Score > 1 {
		t.Errorf("the ICRMW suggestion: %+v", s)
	}
	cp := together(res, "CRC/C/SVN/CO/3-4:31a")
	if cp == nil || !strings.Contains(cp.Reason, "(CRC, UPR)") || !strings.Contains(cp.Reason, "corporal") {
		t.Errorf("the corporal punishment suggestion: %+v", cp)
	}
	for _, id := range []string{"A/HRC/59/15:140.49", "A/HRC/59/15:140.63"} {
		if s := together(res, id); s != nil {
			t.Errorf("%s asks what nothing else asks, yet is in %+v", id, s)
		}
	}
}

// The same recommendations in any order give the same suggestions, byte
// for byte.
func TestSuggestDeterministic(t *testing.T) {
	items := sampleItems()
	want, err := json.Marshal(Suggest(items, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		shuffled := slices.Clone(items)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		// A recommendation given twice counts once.
		shuffled = append(shuffled, shuffled[0])
		got, err := json.Marshal(Suggest(shuffled, Options{}))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("another order, other suggestions:\n%s\n%s", got, want)
		}
	}
}

// On the real reports too: all 729 recommendations reversed give the same
// suggestions.
func TestSuggestDeterministicSlovenia(t *testing.T) {
	items := FromDocuments(sloveniaDocs(t))
	a := Suggest(items, Options{})
	slices.Reverse(items)
	b := Suggest(items, Options{})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the reversed input gives other suggestions")
	}
	if len(a.Clusters) < 50 {
		t.Errorf("only %d suggestions over 729 recommendations", len(a.Clusters))
	}
}

// Two recommendations in French from different documents that ask the
// same thing are suggested together, and so are two in Spanish; the
// French stemming joins "traite"/"traite des êtres humains" and
// "victimes"/"victime" despite the different phrasing. A third in each
// language, on the same theme but asking another action (to prosecute,
// to train), stays out: the kind of action is read in French and Spanish
// too. (The shared corpus has one French and one Spanish document, so
// the pairs are written here.)
func TestSuggestFrenchAndSpanish(t *testing.T) {
	items := []Item{
		{ID: "CRPD/C/ECU/CO/2-3:20a", Symbol: "CRPD/C/ECU/CO/2-3", Body: "CRPD", Language: "fr",
			Text: "Renforcer la lutte contre la traite des êtres humains, en particulier l'identification précoce des victimes de la traite ;"},
		{ID: "A/HRC/WG.6/99/FRA:140.12", Symbol: "A/HRC/WG.6/99/FRA", Body: "UPR", Language: "fr", States: []string{"Sénégal"},
			Text: "Intensifier la lutte contre la traite des êtres humains par l'identification rapide de toutes les victimes (Sénégal)"},
		{ID: "A/HRC/WG.6/99/FRA:140.13", Symbol: "A/HRC/WG.6/99/FRA", Body: "UPR", Language: "fr",
			Text: "Intensifier la lutte contre la traite des êtres humains en poursuivant et en punissant les auteurs (Maroc)"},
		{ID: "CRPD/C/ECU/CO/2-3:32b", Symbol: "CRPD/C/ECU/CO/2-3", Body: "CRPD", Language: "fr",
			Text: "Garantir l'accessibilité des bureaux de vote aux personnes handicapées ;"},
		{ID: "A/HRC/WG.6/99/FRA:140.40", Symbol: "A/HRC/WG.6/99/FRA", Body: "UPR", Language: "fr",
			Text: "Réduire la surpopulation carcérale et améliorer les conditions de détention (Maroc)"},
		{ID: "CRPD/C/SLV/CO/2-3:18a", Symbol: "CRPD/C/SLV/CO/2-3", Body: "CRPD", Language: "es",
			Text: "Prohibir expresamente el castigo corporal de los niños y las niñas en todos los entornos, incluido el hogar;"},
		{ID: "A/HRC/WG.6/99/ESP:110.7", Symbol: "A/HRC/WG.6/99/ESP", Body: "UPR", Language: "es", States: []string{"Suecia"},
			Text: "Prohibir el castigo corporal de niños en todos los entornos (Suecia)"},
		{ID: "A/HRC/WG.6/99/ESP:110.8", Symbol: "A/HRC/WG.6/99/ESP", Body: "UPR", Language: "es",
			Text: "Impartir capacitación a los docentes sobre alternativas al castigo corporal de los niños (Chile)"},
		{ID: "CRPD/C/SLV/CO/2-3:40c", Symbol: "CRPD/C/SLV/CO/2-3", Body: "CRPD", Language: "es",
			Text: "Aprobar una ley de lengua de señas salvadoreña;"},
		{ID: "A/HRC/WG.6/99/ESP:110.9", Symbol: "A/HRC/WG.6/99/ESP", Body: "UPR", Language: "es",
			Text: "Reducir el hacinamiento en las cárceles (Chile)"},
	}
	res := Suggest(items, Options{})
	for _, pair := range [][2]string{
		{"CRPD/C/ECU/CO/2-3:20a", "A/HRC/WG.6/99/FRA:140.12"},
		{"CRPD/C/SLV/CO/2-3:18a", "A/HRC/WG.6/99/ESP:110.7"},
	} {
		s := together(res, pair[0])
		if s == nil || !slices.Equal(s.Members, []string{pair[0], pair[1]}) && !slices.Equal(s.Members, []string{pair[1], pair[0]}) {
			t.Errorf("%s and %s not suggested together (and alone): %+v", pair[0], pair[1], res.Clusters)
		}
	}
	if s := together(res, "CRPD/C/ECU/CO/2-3:20a"); s != nil && !strings.Contains(s.Name, "traite") {
		t.Errorf("the French group's name %q does not say what it asks", s.Name)
	}
	for _, id := range []string{"CRPD/C/ECU/CO/2-3:32b", "CRPD/C/SLV/CO/2-3:40c", "A/HRC/WG.6/99/FRA:140.13", "A/HRC/WG.6/99/ESP:110.8"} {
		if s := together(res, id); s != nil {
			t.Errorf("%s grouped: %+v", id, s)
		}
	}
}

// Two recommendations under one theme (the child's rights, both tagged so)
// that ask different things stay apart: sharing a theme is not asking the
// same thing.
func TestSuggestSameThemeDifferentAsk(t *testing.T) {
	theme := []string{"Rights of the child"}
	items := []Item{
		{ID: "A/HRC/28/15:115.114", Symbol: "A/HRC/28/15", Body: "UPR", Themes: theme,
			Text: "Ensure that legislation is drafted and enacted to prohibit all corporal punishment of children, including in the home (Sweden)"},
		{ID: "A/HRC/28/15:115.26", Symbol: "A/HRC/28/15", Body: "UPR", Themes: theme,
			Text: "Consider the establishment of an office of the ombudsman for children's rights, devoted purely to the protection of the rights of children (Poland)"},
		{ID: "A/HRC/59/15:140.188", Symbol: "A/HRC/59/15", Body: "UPR", Themes: theme,
			Text: "Increase efforts to establish a dedicated office of a child rights ombudsman (Lithuania)"},
		{ID: "A/HRC/28/15:115.116", Symbol: "A/HRC/28/15", Body: "UPR", Themes: theme,
			Text: "Explicitly prohibit in national legislation corporal punishment in all settings, including at home (Austria)"},
		{ID: "A/HRC/59/15:140.49", Symbol: "A/HRC/59/15", Body: "UPR",
			Text: "Continue efforts to reduce overcrowding in detention centres (North Macedonia)"},
	}
	res := Suggest(items, Options{})
	cp, om := together(res, "A/HRC/28/15:115.114"), together(res, "A/HRC/28/15:115.26")
	if cp == nil || !slices.Contains(cp.Members, "A/HRC/28/15:115.116") {
		t.Errorf("corporal punishment not grouped: %+v", res.Clusters)
	}
	if om == nil || !slices.Contains(om.Members, "A/HRC/59/15:140.188") {
		t.Errorf("the children's ombudsman not grouped: %+v", res.Clusters)
	}
	if cp != nil && om != nil && cp == om {
		t.Errorf("one theme, two asks, one group: %+v", cp)
	}
	if cp != nil && !strings.Contains(cp.Reason, "shared themes: rights of the child") {
		t.Errorf("the reason does not name the shared theme: %q", cp.Reason)
	}
}

// The JSON is what `cluster suggest --json` prints.
func TestResultJSON(t *testing.T) {
	b, err := json.Marshal(Suggest(sampleItems(), Options{}))
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Clusters []struct {
			Name    *string  `json:"name"`
			Score   *float64 `json:"score"`
			Members []string `json:"members"`
			Reason  *string  `json:"reason"`
		} `json:"clusters"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Clusters) == 0 {
		t.Fatalf("no clusters in %s", b)
	}
	for _, c := range back.Clusters {
		if c.Name == nil || *c.Name == "" || c.Score == nil || c.Reason == nil || len(c.Members) < 2 || !slices.IsSorted(c.Members) {
			t.Errorf("cluster %s", b)
		}
	}
	empty, _ := json.Marshal(Suggest(nil, Options{}))
	if string(empty) != `{"clusters":[]}` {
		t.Errorf("no recommendations: %s", empty)
	}
}

func TestFromDocuments(t *testing.T) {
	docs := []*workflow.Document{{Symbol: "A/HRC/43/15", Body: "UPR", Language: "en", Recommendations: []workflow.Recommendation{
		{ID: "A/HRC/43/15:122.2", Text: "Ratify ICRMW (Egypt)", RecommendingStates: []string{"Egypt"}, Themes: []string{"Migrants"}},
	}}}
	got := FromDocuments(docs)
	want := []Item{{ID: "A/HRC/43/15:122.2", Symbol: "A/HRC/43/15", Body: "UPR", Language: "en", Text: "Ratify ICRMW (Egypt)",
		States: []string{"Egypt"}, Themes: []string{"Migrants"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FromDocuments = %+v", got)
	}
}

func TestStem(t *testing.T) {
	for _, c := range []struct{ lang, a, b string }{
		{"en", "ratify", "ratification"}, {"en", "ratifying", "ratify"}, {"en", "trafficking", "traffickers"},
		{"en", "victims", "victim"}, {"fr", "victimes", "victime"}, {"fr", "ratification", "ratifications"},
		{"es", "niños", "niño"}, {"es", "recomendaciones", "recomendación"},
	} {
		if x, y := stem(fold(c.a), c.lang), stem(fold(c.b), c.lang); x != y {
			t.Errorf("%s: %q→%q but %q→%q", c.lang, c.a, x, c.b, y)
		}
	}
	if stem("prison", "en") == stem("prisoner", "en") && stem("court", "en") == stem("courtesy", "en") {
		t.Error("the stemmer joins unrelated words")
	}
}

func TestStripStates(t *testing.T) {
	got := stripStates("Ratify ICRMW (ICRMW) (Iran (Islamic Republic of)) and ILO Convention (No. 189) (Senegal, Peru)", []string{"Iran (Islamic Republic of)"})
	for _, gone := range []string{"Iran", "Senegal", "Peru"} {
		if strings.Contains(got, gone) {
			t.Errorf("%q left in %q", gone, got)
		}
	}
	for _, kept := range []string{"(ICRMW)", "(No. 189)"} {
		if !strings.Contains(got, kept) {
			t.Errorf("%q removed from %q", kept, got)
		}
	}
}

// The kind of action is the first specific measure named, in the
// recommendation's language; a French verb does not match English words.
func TestKindOf(t *testing.T) {
	for _, c := range []struct{ lang, text, want string }{
		{"en", "Consider ratifying the Convention on Enforced Disappearance (Spain)", "ratify"},
		{"en", "Continue efforts to combat trafficking in persons (Italy)", ""},
		{"en", "Step up efforts to combat trafficking, in particular by strengthening the early identification of victims", "identify"},
		{"en", "Provide training for investigators, prosecutors and judges in applying the trafficking statute", "train"},
		{"en", "Investigate, prosecute and punish all cases of trafficking in persons", "justice"},
		{"en", "Revise the definition of rape in the Criminal Code so that it is based on the absence of consent", "law"},
		{"en", "Adopt a national strategy on combating domestic violence", "strategy"},
		{"en", "Restore permanent residency status to the citizens of the former Yugoslavia", ""},
		{"fr", "Former les policiers à l'identification des victimes de la traite", "train"},
		{"fr", "Ratifier la Convention internationale sur la protection des droits de tous les travailleurs migrants", "ratify"},
		{"fr", "Adopter une stratégie nationale de lutte contre la violence domestique", "strategy"},
		{"es", "Tipificar como delito la violación sobre la base de la falta de consentimiento", "law"},
		{"es", "Investigar y castigar a los autores de actos de trata", "justice"},
		{"es", "Realizar campañas de sensibilización contra el discurso de odio", "awareness"},
	} {
		if got := kindOf(fold(c.text), c.lang); got != c.want {
			t.Errorf("kindOf(%q, %s) = %q, want %q", c.text, c.lang, got, c.want)
		}
	}
}
