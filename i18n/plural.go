package i18n

import (
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// The plural forms a sentence may have, by their CLDR names, as the
// catalogue's files write them.
const (
	Zero  = "zero"
	One   = "one"
	Two   = "two"
	Few   = "few"
	Many  = "many"
	Other = "other"
)

var formNames = map[plural.Form]string{
	plural.Zero: Zero, plural.One: One, plural.Two: Two, plural.Few: Few, plural.Many: Many, plural.Other: Other,
}

// PluralForm is the CLDR plural form of the count n in a language: "one"
// or "other" in English and Spanish (one is 1), in French (one is 0 and 1);
// always "other" in Lao. A negative count takes the form of its absolute
// value ("1 day ago" as "in 1 day"). A tag x/text cannot read gets the
// English rule.
func PluralForm(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	return formNames[plural.Cardinal.MatchPlural(xtag(lang), n%10_000_000, 0, 0, 0, 0)]
}

// Forms lists the plural forms a language uses, "other" last: what a
// sentence with a count must give in that language.
func Forms(lang string) []string {
	seen := map[string]bool{}
	var out []string
	// CLDR's forms show on small numbers and on round ones (French
	// "many" is a million).
	for _, n := range []int{0, 1, 2, 3, 4, 5, 6, 11, 21, 101, 1_000_000} {
		f := PluralForm(lang, n)
		if !seen[f] && f != Other {
			seen[f] = true
			out = append(out, f)
		}
	}
	return append(out, Other)
}

// xtag is the x/text tag of a language, English for one it cannot read.
func xtag(lang string) language.Tag {
	for _, l := range shipped {
		if l.tag == lang {
			return l.x
		}
	}
	t, err := language.Parse(lang)
	if err != nil {
		return language.English
	}
	return t
}
