package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
)

func TestLanguages(t *testing.T) {
	got := Languages()
	if !slices.Equal(got, []string{"en", "fr", "es", "lo"}) {
		t.Fatalf("Languages() = %v", got)
	}
	got[0] = "xx"
	if Languages()[0] != English {
		t.Error("Languages() hands out its own slice")
	}
	for tag, want := range map[string]string{"fr": "Français", "lo": "ລາວ", "de": "de"} {
		if got := Name(tag); got != want {
			t.Errorf("Name(%q) = %q, want %q", tag, got, want)
		}
	}
}

func TestMatch(t *testing.T) {
	for tag, want := range map[string]string{"lo": "lo", "LO": "lo", "fr-CA": "fr", "es_MX": "es", " en ": "en", "fra": "fr",
		"lo-Laoo-LA": "lo", "de": "", "": "", "frr": "", "xx": "", "not a tag": ""} {
		lang, ok := Match(tag)
		if ok != (want != "") || (ok && lang != want) || (!ok && lang != English) {
			t.Errorf("Match(%q) = %s, %v; want %q", tag, lang, ok, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { Match("fr-CA") }); n != 0 {
		t.Errorf("Match allocates %v times", n)
	}
}

func TestMatchAccept(t *testing.T) {
	for h, want := range map[string]string{
		"":                        "en",
		"lo-LA,lo;q=0.9":          "lo",
		"de-DE,fr;q=0.8":          "fr",
		"FR-ca":                   "fr",
		"de, en;q=0.5":            "en",
		"*":                       "en",
		"es-MX,es;q=0.9,en;q=0.5": "es",
		// The q values decide, not the order.
		" es ; q=0.7 , lo;q=0.9 ": "lo",
		"th":                      "en",
		"garbage;;q=x":            "en",
	} {
		if got := MatchAccept(h); got != want {
			t.Errorf("MatchAccept(%q) = %s, want %s", h, got, want)
		}
	}
}

func TestNormalizeAndFallbacks(t *testing.T) {
	for tag, want := range map[string]string{"lo_la": "lo-LA", "FR": "fr", " es-mx ": "es-MX", "": "", "xx-Yy": "xx-yy"} {
		if got := Normalize(tag); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", tag, got, want)
		}
	}
	for tag, want := range map[string][]string{"es-MX": {"es-MX", "es"}, "lo": {"lo"}, "": nil, "zh-Hant-TW": {"zh-Hant-TW", "zh-Hant", "zh"}} {
		if got := Fallbacks(tag); !slices.Equal(got, want) {
			t.Errorf("Fallbacks(%q) = %q, want %q", tag, got, want)
		}
	}
	for tag, want := range map[string]bool{"": true, "en": true, "EN-gb": true, "fr": false, "eng": true} {
		if got := IsEnglish(tag); got != want {
			t.Errorf("IsEnglish(%q) = %v", tag, got)
		}
	}
}

// TestPluralRules: the CLDR rule of each shipped language, on the counts
// the mails and pages show (negative day counts included).
func TestPluralRules(t *testing.T) {
	for _, c := range []struct {
		lang  string
		one   []int
		other []int
		forms []string
	}{
		{"en", []int{1, -1}, []int{0, 2, 5, 11, 21, 101, -2, 1_000_000}, []string{One, Other}},
		{"es", []int{1, -1}, []int{0, 2, 5, 11, 21, 101, -2}, []string{One, Other}},
		{"fr", []int{0, 1, -1}, []int{2, 5, 11, 21, 101, -2}, []string{One, Other}},
		{"lo", nil, []int{0, 1, 2, 5, 21, -1}, []string{Other}},
		// Another language, and one x/text cannot read, by their rules.
		{"de", []int{1}, []int{0, 2}, []string{One, Other}},
		{"not a tag", []int{1}, []int{0, 2}, []string{One, Other}},
	} {
		for _, n := range c.one {
			if f := PluralForm(c.lang, n); f != One {
				t.Errorf("%s: %d is %q, want one", c.lang, n, f)
			}
		}
		for _, n := range c.other {
			if f := PluralForm(c.lang, n); f != Other {
				t.Errorf("%s: %d is %q, want other", c.lang, n, f)
			}
		}
		if got := Forms(c.lang); !slices.Equal(got, c.forms) {
			t.Errorf("Forms(%s) = %v, want %v", c.lang, got, c.forms)
		}
	}
}

func TestParent(t *testing.T) {
	for tag, want := range map[string]string{"es-MX": "es", "es": "", "zh-Hant-TW": "zh-Hant", "en-x-test": "en", "x-test": ""} {
		if got := Parent(tag); got != want {
			t.Errorf("Parent(%q) = %q, want %q", tag, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() {
		for t := Normalize("fr"); t != ""; t = Parent(t) {
		}
	}); n != 0 {
		t.Errorf("walking a shipped tag allocates %v times", n)
	}
}

// TestCatalogue: the built-in files read, each plural sentence gives
// exactly the forms its language's rule has, and every language has the
// same sentences, with the English verbs.
func TestCatalogue(t *testing.T) {
	if err := Check(); err != nil {
		t.Fatal(err)
	}
	for _, d := range []Domain{Pages, Receipts, words} {
		ref, _, err := Sentences(d, "fr")
		if err != nil {
			t.Fatal(err)
		}
		if len(ref) < 10 {
			t.Fatalf("%s: %d French sentences", d, len(ref))
		}
		for _, lang := range Languages() {
			ids, msgs, _ := Sentences(d, lang)
			if lang != English && !slices.Equal(ids, ref) {
				t.Errorf("%s %s: %d sentences, French %d", d, lang, len(ids), len(ref))
			}
			for id, m := range msgs {
				if m.Forms == nil {
					if m.Text == "" {
						t.Errorf("%s %s: %q is empty", d, lang, id)
					}
					continue
				}
				var forms []string
				for f := range m.Forms {
					forms = append(forms, f)
				}
				slices.Sort(forms)
				want := slices.Sorted(slices.Values(Forms(lang)))
				if !slices.Equal(forms, want) {
					t.Errorf("%s %s: %q has the forms %v, the language %v", d, lang, id, forms, want)
				}
			}
		}
	}
}

// TestPlurals: a sentence with a count takes the form of each language's
// rule (the pages once said "1 days left").
func TestPlurals(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "1 day left"}, {"en", 0, "0 days left"}, {"en", 2, "2 days left"},
		{"fr", 0, "0 jour restant"}, {"fr", 1, "1 jour restant"}, {"fr", 2, "2 jours restants"},
		{"es", 1, "Queda 1 día"}, {"es", 0, "Quedan 0 días"}, {"es", 2, "Quedan 2 días"},
		{"lo", 1, "ເຫຼືອອີກ 1 ມື້"}, {"lo", 2, "ເຫຼືອອີກ 2 ມື້"},
		// A language the pages are not written in: English.
		{"de", 1, "1 day left"},
	} {
		if got := T(Pages, c.lang, "%d days left", c.n); got != c.want {
			t.Errorf("%s, %d: %q, want %q", c.lang, c.n, got, c.want)
		}
	}
	if got := T(Pages, "fr", "%d updates, the last %s", 1, "4 janvier 2027"); got != "1 point d’avancement, le 4 janvier 2027" {
		t.Errorf("the count is the first integer: %q", got)
	}
	if got := T(Pages, "fr", "No such sentence %d", 3); got != "No such sentence 3" {
		t.Errorf("a sentence without translation: %q", got)
	}
	if got := T(Receipts, "es", "See the task: %s", "u"); got != "Ver la tarea: u" {
		t.Errorf("a receipt's sentence: %q", got)
	}
}

func TestMessageFormat(t *testing.T) {
	for _, v := range []any{true, 3, map[string]any{"one": "x"}, map[string]any{"other": 2}} {
		if _, err := message(v); err == nil {
			t.Errorf("message(%#v): no error", v)
		}
	}
}

// TestWords: the words of each language, and the neutral forms of a
// language followup has none for.
func TestWords(t *testing.T) {
	d := civil.D(2027, time.January, 1)
	for _, c := range []struct {
		tag, date, days, late, span, more, num string
	}{
		{"", "1 January 2027", "in 3 days", "1 day overdue", "1 year, 2 months and 1 day", "… and 2 more", "1,234,567"},
		{"fr-CA", "1er janvier 2027", "dans 3 jours", "en retard de 1 jour", "1 an, 2 mois et 1 jour", "… et 2 autres", "1\u202f234\u202f567"},
		{"es", "1 de enero de 2027", "dentro de 3 días", "con 1 día de retraso", "1 año, 2 meses y 1 día", "… y 2 más", "1\u00a0234\u00a0567"},
		{"lo", "1 ມັງກອນ 2027", "ໃນອີກ 3 ມື້", "ເກີນກຳນົດ 1 ມື້", "1 ປີ, 2 ເດືອນ 1 ມື້", "… ແລະ ອີກ 2", "1,234,567"},
		{"de", "2027-01-01", "+3", "+1", "1y2mo1d", "… +2", "1234567"},
	} {
		w := WordsFor(c.tag)
		got := []string{w.Date(d), w.Days(3), w.Late(1), w.Span(civil.Span{Months: 14, Days: 1}), w.More(2), w.Number(1234567)}
		want := []string{c.date, c.days, c.late, c.span, c.more, c.num}
		if !slices.Equal(got, want) {
			t.Errorf("%q:\n got  %q\n want %q", c.tag, got, want)
		}
	}
	if got := WordsFor("es").Number(1234); got != "1234" {
		t.Errorf("Spanish leaves four digits whole: %q", got)
	}
	if got := WordsFor("fr").Span(civil.Span{}); got != "0 jours" {
		t.Errorf("an empty span: %q", got)
	}
	if !WordsFor("fr").One(0) || WordsFor("en").One(0) || WordsFor("lo").One(1) || !WordsFor("de").One(-1) {
		t.Error("One does not follow the plural rules")
	}
}

// TestWordsComplete: every word words.go asks the catalogue for is in
// every shipped language but English (whose words are their keys), and no
// language keeps a word words.go no longer asks for.
func TestWordsComplete(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "words.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	asked := map[string]bool{}
	for m := time.January; m <= time.December; m++ {
		asked[m.String()] = true
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if bl, ok := n.(*ast.BasicLit); ok && bl.Kind == token.STRING {
			if s, err := strconv.Unquote(bl.Value); err == nil {
				asked[s] = true
			}
		}
		return true
	})
	fr, _, err := Sentences(words, "fr")
	if err != nil {
		t.Fatal(err)
	}
	if len(fr) < 30 {
		t.Fatalf("%d French words", len(fr))
	}
	for _, lang := range Languages() {
		ids, _, _ := Sentences(words, lang)
		for _, id := range ids {
			if !asked[id] {
				t.Errorf("%s: %q is in the catalogue but words.go does not ask for it", lang, id)
			}
		}
		if lang != English && !slices.Contains(ids, "today") {
			t.Errorf("%s: no words", lang)
		}
	}
}

func TestLanguageList(t *testing.T) {
	if got := LanguageList(); got != "en, es, fr and lo" {
		t.Errorf("LanguageList() = %q", got)
	}
}
