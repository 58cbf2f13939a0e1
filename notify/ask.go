package notify

import (
	"strings"
	"unicode"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
)

// ExpandAsk fills a stage's ask (config.Stage.AskIn) for one deadline,
// in the language of the message: {coordinator} becomes the coordinating
// body's name, {deadline} the date, and {by} "by 22 December 2026", or,
// for a deadline that passed before today, "as soon as possible (it was
// due on 22 December 2026)", since asking for a date already gone reads as
// a mistake. lang "" is English.
func ExpandAsk(ask, coordinator string, deadline, today civil.Date, lang string) string {
	w := wordsFor(lang)
	date := w.Date(deadline)
	by := w.By(date)
	if deadline.Before(today) {
		by = w.ASAP(date)
	}
	return strings.NewReplacer("{coordinator}", coordinator, "{deadline}", date, "{by}", by).Replace(ask)
}

// People returns the names of the focal points that name a person, for a
// greeting. A focal point's name is often a description of the post
// ("Focal point, birth registration and civil status"); greeting that
// ("Dear Focal point, birth registration…") reads as a robot's mail, so a
// template greets the people by name when every focal point names one, and
// the unit ("Dear colleagues at the Ministry of Justice") otherwise.
func People(fps []config.FocalPoint) []string {
	var out []string
	for _, f := range fps {
		if !looksLikePerson(f.Name) {
			return nil
		}
		out = append(out, strings.Join(strings.Fields(f.Name), " "))
	}
	return out
}

// notNameWords are words of posts and units, and the small words that join
// a description ("of", "and"), in the languages of the shipped templates:
// a name holding one is taken for a description.
var notNameWords = map[string]bool{
	"focal": true, "point": true, "unit": true, "department": true, "division": true, "office": true,
	"secretariat": true, "section": true, "team": true, "desk": true, "ministry": true, "commission": true,
	"committee": true, "bureau": true, "directorate": true, "service": true, "services": true,
	"registry": true, "cabinet": true, "staff": true, "contact": true, "officer": true, "director": true,
	"general": true, "national": true, "centre": true, "center": true, "reporting": true, "mailbox": true,
	"of": true, "and": true, "for": true, "the": true,
	"point focal": true, "ministère": true, "ministerio": true, "punto": true, "secrétariat": true,
	"secretaría": true, "dirección": true, "direction": true, "département": true, "departamento": true,
	"et": true, "pour": true, "des": true, "du": true, "para": true,
}

// laoPostWords begin the words of posts and units in Lao ("ຜູ້ປະສານງານ"
// focal point, "ກະຊວງ" ministry, "ກົມ" department, "ພະແນກ" division,
// "ຫ້ອງການ" office, "ຄະນະ" committee, "ສູນ" centre, "ກອງເລຂາ"
// secretariat): Lao writes no spaces between words, so a description
// shows as a phrase that starts with one of them.
var laoPostWords = []string{"ຜູ້ປະສານງານ", "ກະຊວງ", "ກົມ", "ພະແນກ", "ຫ້ອງການ", "ຄະນະ", "ສູນ", "ກອງເລຂາ", "ຂະແໜງ", "ສຳນັກງານ"}

// looksLikePerson tells a person's name ("Somsack Vongsa", "Dr. Maria
// López", a name in Lao script) from a description: one to five words, no
// punctuation but the dot, apostrophe and hyphen of names, no digits, and
// no word of a post or unit.
func looksLikePerson(name string) bool {
	words := strings.Fields(name)
	if len(words) == 0 || len(words) > 5 {
		return false
	}
	for _, r := range name {
		if unicode.IsDigit(r) || (unicode.IsPunct(r) && !strings.ContainsRune(".'’-", r)) || unicode.IsSymbol(r) {
			return false
		}
	}
	for _, w := range words {
		if notNameWords[strings.ToLower(strings.Trim(w, ".'’-"))] {
			return false
		}
		for _, p := range laoPostWords {
			if strings.HasPrefix(w, p) {
				return false
			}
		}
	}
	return true
}
