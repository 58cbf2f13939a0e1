package notify

// The words the template functions write in each language: dates, "in 3
// days", spans, plurals and numbers. A language followup has no words for
// (one an admin adds through the override folder) gets neutral forms that
// read the same everywhere: ISO dates, signed day counts, bare numbers.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/i18n"
)

// words is one language's way of writing what the template functions
// return.
type words struct {
	// tag is the language the words are in ("" for the neutral forms).
	tag string
	// date writes a calendar date ("4 January 2027").
	date func(civil.Date) string
	// days writes a day count from the message's date: "in 3 days",
	// "today", "3 days ago".
	days func(n int) string
	// late writes how long a deadline has passed: "3 days overdue".
	late func(n int) string
	// span writes a calendar span: "30 days", "1 month".
	span func(civil.Span) string
	// one reports whether n takes the singular (the plural rule).
	one func(n int) bool
	// group is the thousands separator ("" for none).
	group string
	// due names a report's due date as a deadline: "Next report due".
	due func(title string) string
	// more ends a list cut short: "… and 3 more".
	more func(n int) string
	// by and asap write an ask's {by} from the written date: "by 22
	// December 2026", and for a date already passed "as soon as possible
	// (it was due on 22 December 2026)".
	by, asap func(date string) string
	// removed starts a mail change naming a recipient no longer in the
	// config, up to the address: "recipient removed: ".
	removed string
}

// builtinWords are the languages followup writes dates and counts in; the
// embedded templates cover the same languages.
var builtinWords = map[string]*words{
	"en": {
		tag: "en",
		date: func(d civil.Date) string {
			return fmt.Sprintf("%d %s %d", d.Day, d.Month, d.Year)
		},
		days: func(n int) string {
			switch {
			case n == 0:
				return "today"
			case n == 1:
				return "tomorrow"
			case n == -1:
				return "yesterday"
			case n > 1:
				return fmt.Sprintf("in %d days", n)
			}
			return fmt.Sprintf("%d days ago", -n)
		},
		late: func(n int) string {
			return fmt.Sprintf("%d %s overdue", n, pick2(n == 1, "day", "days"))
		},
		span: func(s civil.Span) string {
			return spanWords(s, [3][2]string{{"year", "years"}, {"month", "months"}, {"day", "days"}}, " and ", func(n int) bool { return n == 1 })
		},
		one:     func(n int) bool { return n == 1 || n == -1 },
		group:   ",",
		due:     func(t string) string { return t + " due" },
		more:    func(n int) string { return fmt.Sprintf("… and %d more", n) },
		by:      func(d string) string { return "by " + d },
		asap:    func(d string) string { return "as soon as possible (it was due on " + d + ")" },
		removed: "recipient removed: ",
	},
	// French: "1er janvier 2027" (the ordinal for the first day is the
	// usage of French official texts); the singular covers 0 and 1.
	"fr": {
		tag: "fr",
		date: func(d civil.Date) string {
			day := strconv.Itoa(d.Day)
			if d.Day == 1 {
				day = "1er"
			}
			return fmt.Sprintf("%s %s %d", day, frMonths[d.Month-1], d.Year)
		},
		days: func(n int) string {
			switch {
			case n == 0:
				return "aujourd’hui"
			case n == 1:
				return "demain"
			case n == -1:
				return "hier"
			case n > 1:
				return fmt.Sprintf("dans %d jours", n)
			}
			return fmt.Sprintf("il y a %d jours", -n)
		},
		late: func(n int) string {
			return fmt.Sprintf("en retard de %d %s", n, pick2(n <= 1, "jour", "jours"))
		},
		span: func(s civil.Span) string {
			return spanWords(s, [3][2]string{{"an", "ans"}, {"mois", "mois"}, {"jour", "jours"}}, " et ", func(n int) bool { return n <= 1 })
		},
		one: func(n int) bool { return n >= -1 && n <= 1 },
		// French groups digits with a narrow no-break space.
		group:   "\u202f",
		due:     func(t string) string { return t + " : date limite" },
		more:    func(n int) string { return fmt.Sprintf("… et %d %s", n, pick2(n <= 1, "autre", "autres")) },
		by:      func(d string) string { return "d’ici le " + d },
		asap:    func(d string) string { return "dans les meilleurs délais (l’échéance était fixée au " + d + ")" },
		removed: "destinataire retiré : ",
	},
	// Spanish: "4 de enero de 2027"; numbers of four digits are not
	// grouped (RAE), longer ones with a space.
	"es": {
		tag: "es",
		date: func(d civil.Date) string {
			return fmt.Sprintf("%d de %s de %d", d.Day, esMonths[d.Month-1], d.Year)
		},
		days: func(n int) string {
			switch {
			case n == 0:
				return "hoy"
			case n == 1:
				return "mañana"
			case n == -1:
				return "ayer"
			case n > 1:
				return fmt.Sprintf("dentro de %d días", n)
			}
			return fmt.Sprintf("hace %d días", -n)
		},
		late: func(n int) string {
			return fmt.Sprintf("con %d %s de retraso", n, pick2(n == 1, "día", "días"))
		},
		span: func(s civil.Span) string {
			return spanWords(s, [3][2]string{{"año", "años"}, {"mes", "meses"}, {"día", "días"}}, " y ", func(n int) bool { return n == 1 })
		},
		one:     func(n int) bool { return n == 1 || n == -1 },
		group:   "\u00a0",
		due:     func(t string) string { return t + ": fecha límite" },
		more:    func(n int) string { return fmt.Sprintf("… y %d más", n) },
		by:      func(d string) string { return "a más tardar el " + d },
		asap:    func(d string) string { return "a la mayor brevedad (el plazo venció el " + d + ")" },
		removed: "destinatario eliminado: ",
	},
	// Lao: Lao month names with Western digits, as Lao official letters
	// write dates ("4 ມັງກອນ 2027"); Lao nouns have no plural.
	"lo": {
		tag: "lo",
		date: func(d civil.Date) string {
			return fmt.Sprintf("%d %s %d", d.Day, loMonths[d.Month-1], d.Year)
		},
		days: func(n int) string {
			switch {
			case n == 0:
				return "ມື້ນີ້"
			case n == 1:
				return "ມື້ອື່ນ"
			case n == -1:
				return "ມື້ວານນີ້"
			case n > 1:
				return fmt.Sprintf("ໃນອີກ %d ມື້", n)
			}
			return fmt.Sprintf("%d ມື້ກ່ອນ", -n)
		},
		late: func(n int) string {
			return fmt.Sprintf("ເກີນກຳນົດ %d ມື້", n)
		},
		span: func(s civil.Span) string {
			return spanWords(s, [3][2]string{{"ປີ", "ປີ"}, {"ເດືອນ", "ເດືອນ"}, {"ມື້", "ມື້"}}, " ", func(int) bool { return true })
		},
		one:   func(int) bool { return false },
		group: ",",
		due:   func(t string) string { return t + ": ກຳນົດສົ່ງ" },
		more:  func(n int) string { return fmt.Sprintf("… ແລະ ອີກ %d", n) },
		by:    func(d string) string { return "ພາຍໃນວັນທີ " + d },
		asap: func(d string) string {
			return "ໂດຍໄວທີ່ສຸດ (ກຳນົດເດີມແມ່ນວັນທີ " + d + ")"
		},
		removed: "ຜູ້ຮັບທີ່ຖືກລຶບອອກ: ",
	},
}

var (
	frMonths = [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	esMonths = [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}
	loMonths = [12]string{"ມັງກອນ", "ກຸມພາ", "ມີນາ", "ເມສາ", "ພຶດສະພາ", "ມິຖຸນາ", "ກໍລະກົດ", "ສິງຫາ", "ກັນຍາ", "ຕຸລາ", "ພະຈິກ", "ທັນວາ"}
)

// neutralWords are for a language followup has no words for: forms that
// need no translation, so that an admin's German templates do not show
// English words in the middle of German sentences.
var neutralWords = &words{
	date: func(d civil.Date) string { return d.String() },
	days: func(n int) string { return fmt.Sprintf("%+d", n) },
	late: func(n int) string { return fmt.Sprintf("+%d", n) },
	span: func(s civil.Span) string { return s.String() },
	one:  func(n int) bool { return n == 1 || n == -1 },
	due:  func(t string) string { return t },
	more: func(n int) string { return fmt.Sprintf("… +%d", n) },
	by:   func(d string) string { return d },
	asap: func(d string) string { return d },
}

// wordsFor returns the words of a language tag: the exact tag, then its
// first part ("fr" for "fr-CA"); the neutral forms for other languages.
func wordsFor(lang string) *words {
	tags := i18n.Fallbacks(lang)
	if len(tags) == 0 {
		return builtinWords[i18n.English]
	}
	for _, tag := range tags {
		if w := builtinWords[tag]; w != nil {
			return w
		}
	}
	return neutralWords
}

// BuiltinLanguages lists the languages followup ships templates and words
// for, English first.
func BuiltinLanguages() []string { return i18n.Languages() }

func pick2(first bool, a, b string) string {
	if first {
		return a
	}
	return b
}

// spanWords writes years, months and days with their units; one is the
// language's singular rule.
func spanWords(s civil.Span, units [3][2]string, and string, one func(int) bool) string {
	parts := []int{s.Months / 12, s.Months % 12, s.Days}
	var out []string
	for i, n := range parts {
		if n != 0 {
			out = append(out, fmt.Sprintf("%d %s", n, pick2(one(n), units[i][0], units[i][1])))
		}
	}
	if len(out) == 0 {
		return fmt.Sprintf("0 %s", units[2][1])
	}
	if len(out) == 1 {
		return out[0]
	}
	return strings.Join(out[:len(out)-1], ", ") + and + out[len(out)-1]
}

// number writes an integer with the language's thousands separator.
func (w *words) number(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	// Spanish leaves four-digit numbers whole.
	if w.group == "" || len(s) <= 3 || (w.tag == "es" && len(s) == 4) {
		if neg {
			return "-" + s
		}
		return s
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	first := len(s) % 3
	if first > 0 {
		b.WriteString(s[:first])
	}
	for i := first; i < len(s); i += 3 {
		if b.Len() > 0 && !(neg && b.Len() == 1) {
			b.WriteString(w.group)
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// Wording writes dates, deadline labels and stage names in one of the
// languages followup ships, as the e-mails do: for the web pages, which
// follow the reader's language too.
type Wording struct {
	// Lang is the built-in language the words are in: the tag asked for,
	// or "en" for a language followup has no words for.
	Lang  string
	w     *words
	stage func(string) string
}

// WordingFor returns the wording of lang, with the stages' names in it;
// English for a language followup does not ship.
func WordingFor(lang string, stages []config.Stage) Wording {
	w := wordsFor(lang)
	if w.tag == "" {
		w = builtinWords["en"]
	}
	return Wording{Lang: w.tag, w: w, stage: stageNamer(stages, w.tag)}
}

// Date writes a calendar date: "4 January 2027", "4 ມັງກອນ 2027"; "" for
// the zero date.
func (w Wording) Date(d civil.Date) string {
	if d.IsZero() {
		return ""
	}
	return w.w.date(d)
}

// Label writes a deadline's label: stage names and "TITLE due" in the
// language, the admin's own milestone names as written.
func (w Wording) Label(l string) string { return deadlineLabel(l, w.w, w.stage) }

// Stage writes a stage, given by its id or its name, in the language.
func (w Wording) Stage(s string) string { return w.stage(s) }
