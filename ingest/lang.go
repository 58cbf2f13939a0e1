package ingest

import (
	"strings"
	"sync"

	"github.com/followup-app/followup/internal/lazyre"
)

// The UN publishes every concluding observation in English, French and
// Spanish, and about seventy States follow them up in French or Spanish.
// The structure (numbered paragraphs, lettered items, headings) is the same
// in the three; only the wording differs, so the parser keeps one pipeline
// and each step that reads words knows the three phrasings.

// Language codes recorded on a document (BCP 47, as the config's
// `language:` uses them).
const (
	LangEnglish = "en"
	LangFrench  = "fr"
	LangSpanish = "es"
)

// Function words that are frequent in one language and rare in the other
// two: counting them over the first paragraphs tells the language without
// a model. Words shared by two languages ("la", "en", "que") are left out.
var languageWords = map[string][]string{
	LangEnglish: {"the", "and", "of", "to", "that", "with", "for", "is", "on", "its"},
	LangFrench:  {"le", "les", "des", "du", "et", "au", "aux", "est", "une", "sur", "avec", "dans", "qui"},
	LangSpanish: {"el", "los", "las", "del", "y", "con", "una", "por", "para", "sobre", "al", "su", "sus"},
}

// detectLanguage returns the language most of text is written in, English
// when there is nothing to go by.
func detectLanguage(text string) string {
	if len(text) > 20000 {
		text = text[:20000]
	}
	counts := map[string]int{}
	index := map[string]string{}
	for lang, words := range languageWords {
		for _, w := range words {
			index[w] = lang
		}
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 0x80)
	}) {
		if lang, ok := index[w]; ok {
			counts[lang]++
		}
	}
	best := LangEnglish
	for _, lang := range []string{LangFrench, LangSpanish} {
		if counts[lang] > counts[best] {
			best = lang
		}
	}
	return best
}

// Apostrophes: PDF text keeps the typographic one (’), Word text often the
// straight one.
const apos = `['’]`

// French operative phrases: "Le Comité recommande à l'État partie", "Il lui
// recommande également", "engage vivement", "prie instamment", "exhorte",
// "invite", "encourage", "demande", "réitère ses recommandations". The verb
// must follow its subject (the Committee, "il", maybe "lui"/"leur" and
// adverbs) directly, so "Le Comité ne recommande pas" and "l'État partie
// n'encourage pas" stay what they are: not requests.
const (
	frAdverbs = `(?:également|aussi|en outre|de plus|donc|par conséquent|néanmoins|à nouveau|de nouveau|encore|enfin|en particulier|tout particulièrement|vivement|instamment|fermement|fortement)`
	frVerbs   = `(?P<verb>recommande|engage|exhorte|prie|invite|encourage|demande|appelle|réitère\s+(?:sa|ses|la|les)\s+(?:\S+\s+){0,2}recommandations?)`
	esAdverbs = `(?:también|asimismo|además|encarecidamente|enérgicamente|firmemente|nuevamente|una vez más|por lo tanto|por consiguiente|igualmente|en particular)`
	esVerbs   = `(?P<verb>recomienda|insta|alienta|exhorta|solicita|pide|invita|exige|hace un llamamiento|reitera\s+(?:su|sus|la|las)\s+(?:\S+\s+){0,2}recomendaci(?:ón|ones))`
)

// operativeREs are the patterns of a language, in the order operatives
// tries them.
type operativeREs struct {
	active []*lazyre.Regexp // verb (and adverb) groups named "verb", "adv"
	// afterClause matches at the comma that closes "The Committee, recalling
	// its general comment No. 8, recommends…": subject and verb apart.
	afterClause *lazyre.Regexp
	should      *lazyre.Regexp
	passive     *lazyre.Regexp
	keys        []string // one of these (lower case) must occur for any pattern to match
}

// The patterns of each language are compiled on first use: a command that
// imports nothing (the daemon, every other subcommand) does not pay for
// them at start, and an English document not for the French ones.
var englishREs = sync.OnceValue(func() operativeREs {
	return operativeREs{
		active:      []*lazyre.Regexp{reOperative, reAndVerb},
		afterClause: lazyre.New(`^,\s*(?:\d{1,3}\s+)?(?:also\s+|further\s+)*(?P<adv>(?:strongly|urgently)\s+)?(?P<verb>recommends|urges|encourages|calls\s+(?:up)?on|requests|invites|asks)\b`),
		should:      reShould, passive: rePassive,
		keys: []string{"recommend", "urge", "encourag", "call", "request", "invite", "ask", "suggest", "should", "must"},
	}
})

var frenchREs = sync.OnceValue(func() operativeREs {
	return operativeREs{
		active: []*lazyre.Regexp{
			lazyre.New(`(?i)(?:\bcomité|\bil)\s+(?:(?:lui|leur)\s+)?(?:` + frAdverbs + `\s+)*` + frVerbs + `(?P<adv>\s+` + frAdverbs + `)?(?:\s|$|[,.;:])`),
			// "… et recommande à l'État partie": "et" is a subject only
			// when the State party follows.
			lazyre.New(`(?i)\bet\s+(?:(?:lui|leur)\s+)?(?:` + frAdverbs + `\s+)*` + frVerbs + `(?P<adv>\s+` + frAdverbs + `)?\s+(?:à\s+)?(?:l` + apos + `état partie|l` + apos + `union européenne)`),
			// "… et lui recommande de…": "lui" is the State party.
			lazyre.New(`(?i)\bet\s+(?:lui|leur)\s+(?:` + frAdverbs + `\s+)*` + frVerbs + `(?P<adv>\s+` + frAdverbs + `)?(?:\s|$|[,.;:])`),
		},
		afterClause: lazyre.New(`(?i)^,\s*(?:\d{1,3}\s+)?(?:(?:lui|leur)\s+)?(?:` + frAdverbs + `\s+)*` + frVerbs + `(?P<adv>\s+` + frAdverbs + `)?(?:\s|$|[,.;:])`),
		should:      lazyre.New(`(?i)\bl` + apos + `état partie (?:devrait|doit)(?:\s|$|[:,])`),
		passive:     lazyre.New(`(?i)\bl` + apos + `état partie est\s+(?:(?:également|aussi|vivement|instamment|de nouveau)\s+)*(?P<verb>encouragé|invité|prié|engagé|exhorté|appelé)\s+(?:à|de|d` + apos + `)`),
		keys:        []string{"recommand", "engag", "exhort", "prie", "invit", "encourag", "demand", "appel", "réitère", "devrait", "doit"},
	}
})

var spanishREs = sync.OnceValue(func() operativeREs {
	return operativeREs{
		active: []*lazyre.Regexp{
			// Spanish drops the subject: "Recomienda además al Estado
			// parte que…", "También le recomienda que…". A sentence start
			// counts as a subject.
			lazyre.New(`(?i)(?:(?:\bcomité|\btambién|\basimismo|\bademás)\s+|(?:^|[.;:])\s*)(?:(?:le|les)\s+)?(?:` + esAdverbs + `\s+)*` + esVerbs + `(?P<adv>\s+` + esAdverbs + `)?(?:\s|$|[,.;:])`),
			lazyre.New(`(?i)\by\s+(?:(?:le|les)\s+)?(?:` + esAdverbs + `\s+)*` + esVerbs + `(?P<adv>\s+` + esAdverbs + `)?\s+(?:al estado parte|a la unión europea)\b`),
			// "… y le recomienda que…": "le" is the State party.
			lazyre.New(`(?i)\by\s+(?:le|les)\s+(?:` + esAdverbs + `\s+)*` + esVerbs + `(?P<adv>\s+` + esAdverbs + `)?(?:\s|$|[,.;:])`),
		},
		afterClause: lazyre.New(`(?i)^,\s*(?:\d{1,3}\s+)?(?:(?:le|les)\s+)?(?:` + esAdverbs + `\s+)*` + esVerbs + `(?P<adv>\s+` + esAdverbs + `)?(?:\s|$|[,.;:])`),
		should:      lazyre.New(`(?i)\bel estado parte (?:debería|debe)(?:\s|$|[:,])`),
		passive:     lazyre.New(`(?i)\bse\s+(?:(?:también|asimismo)\s+)?(?P<verb>recomienda|insta|alienta|exhorta|solicita|pide|invita)\s+al estado parte\b`),
		keys:        []string{"recomiend", "insta", "alient", "exhort", "solicit", "pide", "invit", "exige", "llamamiento", "reitera", "deb"},
	}
})

// languageREs returns the patterns of lang, English for any other.
func languageREs(lang string) operativeREs {
	switch lang {
	case LangFrench:
		return frenchREs()
	case LangSpanish:
		return spanishREs()
	}
	return englishREs()
}

// Concerns in French and Spanish: "préoccupé", "s'inquiète", "regrette",
// "déplore", "constate avec"; "preocupa", "lamenta", "deplora", "observa
// con".
var reConcernFRES = lazyre.New(`(?i)(préoccup|inquiét|s` + apos + `inquièt|regrett|regrette|déplor|constate avec|relève avec|note avec|preocupa|lamenta|deplora|observa con|alarma)`)

// clauseHits finds "The Committee, <clause>, recommends": the clause may
// hold abbreviations and numbers ("general comment No. 6", "targets 10.2
// and 10.3") but not the end of a sentence, and is at most 1,000 bytes
// (CRPD/C/EU/CO/2-3 recalls four texts in one, 480 bytes).
func clauseHits(text string, after *lazyre.Regexp) [][]int {
	low := strings.ToLower(text)
	var hits [][]int
	for _, subject := range []string{"committee,", "comité,"} {
		for from := 0; ; {
			i := strings.Index(low[from:], subject)
			if i < 0 {
				break
			}
			i += from
			from = i + len(subject)
			for k := i + len(subject); k < len(text) && k < i+1000; k++ {
				c := text[k]
				if c == ';' || c == ':' || c == '.' && k+2 < len(text) && text[k+1] == ' ' && opensBlock(text[k+2:]) && !isAbbreviation(text[:k]) {
					break
				}
				if c != ',' {
					continue
				}
				if m := after.FindStringSubmatchIndex(text[k:]); m != nil {
					for j := range m {
						if m[j] >= 0 {
							m[j] += k
						}
					}
					hits = append(hits, append([]int{i}, m...))
					break
				}
			}
		}
	}
	return hits
}

// isConcern reports whether text states a concern: in English, or in
// French or Spanish (documents quote English words too).
func isConcern(text, lang string) bool {
	if lang == LangEnglish {
		return reConcern.MatchString(text)
	}
	return reConcern.MatchString(text) || reConcernFRES.MatchString(text)
}

func concernIndex(text, lang string) []int {
	a := reConcern.FindStringIndex(text)
	if lang == LangEnglish {
		return a
	}
	b := reConcernFRES.FindStringIndex(text)
	switch {
	case a == nil:
		return b
	case b == nil || a[0] < b[0]:
		return a
	}
	return b
}
