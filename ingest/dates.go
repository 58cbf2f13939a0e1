package ingest

import (
	"strconv"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"

	"github.com/followup-app/followup/internal/lazyre"
)

// Months in English, French and Spanish. Dates are written "5 December
// 2016", "17 septembre 2019", "1er juillet 2025" and "20 de septiembre de
// 2019".
const monthNames = `January|February|March|April|May|June|July|August|September|October|November|December|` +
	`janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|` +
	`enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre`

var reDate = lazyre.New(`(?i)\b(\d{1,2})(?:er|º|°)?\s+(?:de\s+)?(` + monthNames + `)\s+(?:de\s+|del\s+)?(\d{4})\b`)

var monthByName = map[string]time.Month{
	"january": time.January, "february": time.February, "march": time.March, "april": time.April,
	"may": time.May, "june": time.June, "july": time.July, "august": time.August,
	"september": time.September, "october": time.October, "november": time.November, "december": time.December,
	"janvier": time.January, "février": time.February, "mars": time.March, "avril": time.April,
	"mai": time.May, "juin": time.June, "juillet": time.July, "août": time.August,
	"septembre": time.September, "octobre": time.October, "novembre": time.November, "décembre": time.December,
	"enero": time.January, "febrero": time.February, "marzo": time.March, "abril": time.April,
	"mayo": time.May, "junio": time.June, "julio": time.July, "agosto": time.August,
	"septiembre": time.September, "setiembre": time.September, "octubre": time.October, "noviembre": time.November, "diciembre": time.December,
}

// dateMatch is a date written in running text ("5 December 2016").
type dateMatch struct {
	date       civil.Date
	start, end int
}

// findDates returns the valid dates written in s, in order.
func findDates(s string) []dateMatch {
	var out []dateMatch
	for _, m := range reDate.FindAllStringSubmatchIndex(s, -1) {
		day, _ := strconv.Atoi(s[m[2]:m[3]])
		year, _ := strconv.Atoi(s[m[6]:m[7]])
		d := civil.D(year, monthByName[strings.ToLower(s[m[4]:m[5]])], day)
		if _, err := civil.ParseDate(d.String()); err != nil {
			continue // "31 February": a typo, not a date
		}
		out = append(out, dateMatch{d, m[0], m[1]})
	}
	return out
}

var reMonthYear = lazyre.New(`(?i)^(` + monthNames + `)\s+(?:de\s+)?(\d{4})$`)

// dateOrMonth reads "4 January 2020", or "February 2034", which as a
// deadline means the last day of that month.
func dateOrMonth(s string) civil.Date {
	if ds := findDates(s); len(ds) > 0 {
		return ds[0].date
	}
	if m := reMonthYear.FindStringSubmatch(strings.TrimSpace(s)); m != nil {
		year, _ := strconv.Atoi(m[2])
		return civil.D(year, monthByName[strings.ToLower(m[1])], 1).AddMonths(1).AddDays(-1)
	}
	return civil.Date{}
}

// adoptionDate finds when a document was adopted from the sentence of its
// first paragraph that says so: "… and adopted the following concluding
// observations at its 2024th meeting, held on 5 June 2015" (the first date
// after "adopted") or "At its 2508th meeting, held on 5 December 2016, it
// adopted …" (the last date before it, in the same sentence).
func adoptionDate(text string) civil.Date {
	for _, sentence := range sentences(text) {
		i := adoptedAt(strings.ToLower(sentence))
		if i < 0 {
			continue
		}
		dates := findDates(sentence)
		for _, d := range dates {
			if d.start > i {
				return d.date
			}
		}
		if len(dates) > 0 {
			return dates[len(dates)-1].date
		}
	}
	return civil.Date{}
}

// sentences splits running text at a full stop followed by a capital letter
// of any script ("À sa 504e séance"), keeping abbreviations ("No. 4", "art. 5") and
// symbols ("CRC/C/SR.2004") whole.
func sentences(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text)-2; i++ {
		if text[i] != '.' || text[i+1] != ' ' {
			continue
		}
		if next := text[i+2]; next == '(' || next == '"' || !opensBlock(text[i+2:]) || isAbbreviation(text[start:i]) {
			continue
		}
		out = append(out, strings.TrimSpace(text[start:i+1]))
		start = i + 2
	}
	if rest := strings.TrimSpace(text[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

// adoptedAt returns where a lower-cased sentence says the document was
// adopted ("adopted", "a adopté", "aprobó"), or -1.
func adoptedAt(low string) int {
	at := -1
	for _, w := range []string{"adopted", "adopté", "aprobó", "aprobad", "adoptó"} {
		if i := strings.Index(low, w); i >= 0 && (at < 0 || i < at) {
			at = i
		}
	}
	return at
}

var numberWords = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "nine": 9,
	"twelve": 12, "eighteen": 18, "twenty-four": 24,
	"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "neuf": 9, "douze": 12, "dix-huit": 18, "vingt-quatre": 24,
	"uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "nueve": 9, "doce": 12, "dieciocho": 18, "veinticuatro": 24,
}

// "within one year", "dans un délai d'un an", "dans les douze mois", "en un
// plazo de 12 meses", "dentro de un plazo de un año".
var reWithin = lazyre.New(`(?i)(?:\bwithin|\bdans un délai d(?:e\s+|['’])|\bdans les|\ben un plazo de|\bdentro de(?: un plazo de)?|\ben el plazo de)\s*(\w+(?:-\w+)?)\s+(years?|months?|ans?|années?|mois|años?|meses|mes)(?:\s|$|[.,;)])`)

// withinSpan reads "within one year", "within 18 months", "within two years".
func withinSpan(s string) (civil.Span, bool) {
	m := reWithin.FindStringSubmatch(s)
	if m == nil {
		return civil.Span{}, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		var ok bool
		if n, ok = numberWords[strings.ToLower(m[1])]; !ok {
			return civil.Span{}, false
		}
	}
	if u := strings.ToLower(m[2]); strings.HasPrefix(u, "year") || strings.HasPrefix(u, "an") || strings.HasPrefix(u, "año") {
		return civil.Span{Months: 12 * n}, true
	}
	return civil.Span{Months: n}, true
}
