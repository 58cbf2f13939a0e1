package i18n

import (
	"slices"
	"testing"
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
