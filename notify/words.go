package notify

// The words the template functions write in each language: dates, "in 3
// days", spans, plurals and numbers, from the i18n catalogue. A language
// followup has no words for (one an admin adds through the override folder)
// gets neutral forms that read the same everywhere: ISO dates, signed day
// counts, bare numbers.

import (
	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/i18n"
)

// wordsFor returns the words of a language tag (i18n.WordsFor): the
// exact tag, then its first part ("fr" for "fr-CA"); the neutral forms for
// other languages.
func wordsFor(lang string) i18n.Words { return i18n.WordsFor(lang) }

// BuiltinLanguages lists the languages followup ships templates and words
// for, English first.
func BuiltinLanguages() []string { return i18n.Languages() }

func pick2(first bool, a, b string) string {
	if first {
		return a
	}
	return b
}

// Wording writes dates, deadline labels and stage names in one of the
// languages followup ships, as the e-mails do: for the web pages, which
// follow the reader's language too.
type Wording struct {
	// Lang is the built-in language the words are in: the tag asked for,
	// or "en" for a language followup has no words for.
	Lang  string
	w     i18n.Words
	stage func(string) string
}

// WordingFor returns the wording of lang, with the stages' names in it;
// English for a language followup does not ship.
func WordingFor(lang string, stages []config.Stage) Wording {
	w := wordsFor(lang)
	if w.Lang() == "" {
		w = i18n.WordsFor(i18n.English)
	}
	return Wording{Lang: w.Lang(), w: w, stage: stageNamer(stages, w.Lang())}
}

// Date writes a calendar date: "4 January 2027", "4 ມັງກອນ 2027"; "" for
// the zero date.
func (w Wording) Date(d civil.Date) string {
	if d.IsZero() {
		return ""
	}
	return w.w.Date(d)
}

// Label writes a deadline's label: stage names and "TITLE due" in the
// language, the admin's own milestone names as written.
func (w Wording) Label(l string) string { return deadlineLabel(l, w.w, w.stage) }

// Stage writes a stage, given by its id or its name, in the language.
func (w Wording) Stage(s string) string { return w.stage(s) }
