package ingest

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/followup-app/followup/internal/lazyre"
)

// Documents the importer recognises and refuses, saying what they are: a
// version in a language it does not read, and a State's follow-up reply to
// concluding observations. Both used to be refused with "no numbered
// paragraphs" or imported as if the State's answers were the Committee's
// recommendations; either sends the admin looking for a fault in the file.

var (
	// ErrOtherLanguage is a document in one of the UN's other official
	// languages (Arabic, Chinese, Russian): the same document exists in
	// English, French and Spanish.
	ErrOtherLanguage = errors.New("a language the importer does not read")
	// ErrFollowUpReply is an addendum to concluding observations: the
	// information a State sent on their follow-up, not recommendations.
	ErrFollowUpReply = errors.New("a State's follow-up reply, not concluding observations")
)

// scripts are the writing systems of the UN's official languages that the
// importer does not read, with the language each is used for in UN
// documents.
var scripts = []struct {
	table *unicode.RangeTable
	lang  string
}{
	{unicode.Arabic, "Arabic"},
	{unicode.Cyrillic, "Russian"},
	{unicode.Han, "Chinese"},
}

// otherLanguage returns the language of a text written mostly in Arabic,
// Cyrillic or Chinese script, or "". A few thousand letters decide: the
// symbol, a date or a French quotation in the header do not.
func otherLanguage(lines []line) string {
	counts := make([]int, len(scripts))
	letters := 0
	for _, l := range lines {
		for _, r := range l.text {
			if !unicode.IsLetter(r) {
				continue
			}
			letters++
			for i, s := range scripts {
				if unicode.Is(s.table, r) {
					counts[i]++
					break
				}
			}
		}
		if letters > 20000 {
			break
		}
	}
	for i, n := range counts {
		if letters > 0 && n*2 > letters {
			return scripts[i].lang
		}
	}
	return ""
}

func otherLanguageError(lang, symbol string) error {
	of := ""
	if symbol != "" {
		of = " of " + symbol
	}
	return fmt.Errorf("%w: the document is in %s; import the English, French or Spanish version%s (the UN publishes every document in its six official languages, at https://documents.un.org)",
		ErrOtherLanguage, lang, of)
}

var (
	// "Information received from Czechia on follow-up to the concluding
	// observations", "Renseignements reçus du Luxembourg au sujet de la
	// suite donnée aux observations finales", "Información recibida de
	// México sobre el seguimiento de las observaciones finales".
	reReplyTitle = lazyre.New(`(?i)\b(?:information received from|renseignements reçus d|información recibida de|comments (?:of|by) the (?:government|state party)|observations de l['’]État partie|comentarios del (?:gobierno|estado parte))`)
	reCOAddendum = lazyre.New(`^(.*/CO/[^/]+)/Add\.\d+$`)
)

// followUpReply returns ErrFollowUpReply, saying what the document is,
// when its symbol is that of an addendum to concluding observations
// (CRPD/C/CZE/CO/1/Add.1) or its front matter says it is information
// received from the State on their follow-up. front is the text before
// paragraph 1.
func followUpReply(symbol, front string) error {
	m := reCOAddendum.FindStringSubmatch(symbol)
	title := reReplyTitle.FindString(front)
	if m == nil && title == "" {
		return nil
	}
	if m == nil && !strings.Contains(strings.ToLower(front), "follow-up") && !strings.Contains(strings.ToLower(front), "suivi") &&
		!strings.Contains(strings.ToLower(front), "seguimiento") && !strings.Contains(strings.ToLower(front), "concluding observations") {
		return nil
	}
	what := "the document"
	if m != nil {
		what = fmt.Sprintf("%s is an addendum to the concluding observations %s", symbol, m[1])
	} else if symbol != "" {
		what = symbol
	}
	return fmt.Errorf("%w: %s (information received from the State on their follow-up); there are no recommendations to import from it: import the concluding observations themselves, and record what the State reports as progress on their tasks",
		ErrFollowUpReply, what)
}
