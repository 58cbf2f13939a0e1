// Package i18n holds what followup knows about languages: the languages it
// ships texts in, how a language tag (a body's language: in the config, an
// override template's name, a browser's Accept-Language) resolves to one of
// them, the plural rules, and the catalogue of sentences that the web pages,
// the e-mails' words and the receipts read.
//
// Tags are parsed and matched with golang.org/x/text/language (BCP 47,
// with its aliases: "fra" is French, "lo_LA" is "lo-LA"); plural forms
// follow the CLDR rules of golang.org/x/text/feature/plural (English and
// Spanish: "one" is 1 only; French: "one" is 0 and 1; Lao: one form).
// The sentences are in text/LANG.yaml, which a translator edits without
// reading Go (see catalogue.go).
package i18n

import (
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// English is the language of the default texts: a body without a language
// reads English, and the catalogue's sentences are keyed by their English
// text.
const English = "en"

// shipped are the languages followup ships texts in (pages, mails,
// receipts), English first, with their names in themselves and the way
// they group digits.
var shipped = []struct {
	tag, name string
	x         language.Tag
}{
	{"en", "English", language.English},
	{"fr", "Français", language.French},
	{"es", "Español", language.Spanish},
	{"lo", "ລາວ", language.Lao},
}

// Languages lists the languages followup ships texts in, English first.
// A config may name another language when the admin gives its mail
// texts (see notify); the pages are then English.
func Languages() []string {
	out := make([]string, len(shipped))
	for i, l := range shipped {
		out[i] = l.tag
	}
	return out
}

// Name is a shipped language's name in itself ("Français"), for the
// public pages' language links; the tag for another language.
func Name(lang string) string {
	for _, l := range shipped {
		if l.tag == lang {
			return l.name
		}
	}
	return lang
}

// Match returns the shipped language a tag is written in and true ("fr-CA",
// "FR", "fra" → fr), or English and false for another language or none
// ("de", ""). Its fast path allocates nothing: a CSV export asks it for
// every row.
func Match(tag string) (lang string, ok bool) {
	first := strings.TrimSpace(tag)
	if i := strings.IndexAny(first, "-_"); i >= 0 {
		first = first[:i]
	}
	for _, l := range shipped {
		if strings.EqualFold(first, l.tag) {
			return l.tag, true
		}
	}
	if len(first) <= 2 {
		return English, false // a two-letter code x/text could only confirm
	}
	// Three-letter and deprecated codes: x/text knows their aliases.
	t, err := language.Parse(strings.TrimSpace(tag))
	if err != nil {
		return English, false
	}
	base, _ := t.Base()
	for _, l := range shipped {
		if b, _ := l.x.Base(); b == base {
			return l.tag, true
		}
	}
	return English, false
}

// MatchAccept picks the shipped language an Accept-Language header asks
// for, by its q values ("de-DE,fr;q=0.8" → fr); English when it asks for
// none of them or cannot be read.
func MatchAccept(header string) string {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return English
	}
	supported := make([]language.Tag, len(shipped))
	for i, l := range shipped {
		supported[i] = l.x
	}
	_, i, conf := language.NewMatcher(supported).Match(tags...)
	if conf == language.No {
		return English
	}
	return shipped[i].tag
}

// Normalize writes a tag in one form, so that the config's "lo_LA", a
// template named reminder.lo-la.txt and a receipt's "LO-la" are the same:
// x/text's canonical form ("lo-LA", "fr", "fra" → "fr"), or for a tag it
// does not know, lower case with hyphens. "" stays "".
func Normalize(tag string) string {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return ""
	}
	for _, l := range shipped { // the common case, without allocating
		if tag == l.tag {
			return tag
		}
	}
	if t, err := language.Parse(tag); err == nil {
		return t.String()
	}
	return strings.ToLower(strings.ReplaceAll(tag, "_", "-"))
}

// Fallbacks lists the tags to look texts up under for a tag, most
// specific first, by the "lookup" of RFC 4647 (drop the last subtag):
// "es-MX" → [es-MX es], "lo" → [lo]; none for "".
func Fallbacks(tag string) []string {
	var out []string
	for t := Normalize(tag); t != ""; t = Parent(t) {
		out = append(out, t)
	}
	return out
}

// Parent is the tag to look texts up under when a normalized tag has none
// (RFC 4647 lookup): "es-MX" → "es"; "" for a tag of one subtag. A caller
// that must not allocate walks Normalize(tag), Parent… itself.
func Parent(tag string) string {
	i := strings.LastIndexByte(tag, '-')
	if i < 0 {
		return ""
	}
	// A singleton ("x" of a private use) goes with the subtag after it.
	if j := strings.LastIndexByte(tag[:i], '-'); i-j == 2 {
		return tag[:max(j, 0)]
	}
	return tag[:i]
}

// IsEnglish reports whether a tag means English, as a body without a
// language does.
func IsEnglish(tag string) bool {
	fb := Fallbacks(tag)
	return len(fb) == 0 || fb[len(fb)-1] == English
}

// LanguageList names the shipped languages in a sentence, for messages to
// the admin: "en, es, fr and lo".
func LanguageList() string {
	l := Languages()
	slices.Sort(l)
	return strings.Join(l[:len(l)-1], ", ") + " and " + l[len(l)-1]
}
