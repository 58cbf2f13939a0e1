package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
)

// Words is the part of the catalogue that writes dates, day counts,
// spans and numbers: what the e-mails' template functions, the receipts
// and the pages show. Those of a language followup ships are in its
// text/LANG.yaml (words:); a language followup has no words for (one an
// admin adds mail texts for) gets neutral forms that read the same
// everywhere: ISO dates, signed day counts, bare numbers.
const words Domain = "words"

// Words writes in one language; the zero Words writes the neutral forms.
type Words struct {
	lang string // a shipped language, "" for the neutral forms
}

// WordsFor returns the words of a tag: a shipped language's ("fr-CA" →
// fr), English for no tag, the neutral forms for another language.
func WordsFor(tag string) Words {
	if strings.TrimSpace(tag) == "" {
		return Words{lang: English}
	}
	lang, ok := Match(tag)
	if !ok {
		if IsEnglish(tag) {
			return Words{lang: English}
		}
		return Words{}
	}
	return Words{lang: lang}
}

// Lang is the shipped language the words are in, "" for the neutral forms.
func (w Words) Lang() string { return w.lang }

func (w Words) t(msg string, args ...any) string { return T(words, w.lang, msg, args...) }

// Date writes a calendar date: "4 January 2027", "1er janvier 2027", "4 de
// enero de 2027", "4 ມັງກອນ 2027"; 2027-01-04 in the neutral forms.
func (w Words) Date(d civil.Date) string {
	if w.lang == "" {
		return d.String()
	}
	day := strconv.Itoa(d.Day)
	if d.Day == 1 {
		day = w.t("1st")
	}
	return w.t("%s %s %d", day, w.t(time.Month(d.Month).String()), d.Year)
}

// Days writes a day count from the message's date: "in 3 days", "today",
// "3 days ago"; +3, -3 in the neutral forms.
func (w Words) Days(n int) string {
	switch {
	case w.lang == "":
		return fmt.Sprintf("%+d", n)
	case n == 0:
		return w.t("today")
	case n == 1:
		return w.t("tomorrow")
	case n == -1:
		return w.t("yesterday")
	case n > 1:
		return w.t("in %d days", n)
	}
	return w.t("%d days ago", -n)
}

// Late writes how long a deadline has passed: "3 days overdue"; +3 in the
// neutral forms.
func (w Words) Late(n int) string {
	if w.lang == "" {
		return fmt.Sprintf("+%d", n)
	}
	return w.t("%d days overdue", n)
}

// Span writes a calendar span: "30 days", "1 year, 2 months and 3 days";
// 30d in the neutral forms.
func (w Words) Span(s civil.Span) string {
	if w.lang == "" {
		return s.String()
	}
	var out []string
	for i, n := range []int{s.Months / 12, s.Months % 12, s.Days} {
		if n != 0 {
			out = append(out, w.t([]string{"%d years", "%d months", "%d days"}[i], n))
		}
	}
	switch len(out) {
	case 0:
		return w.t("0 days")
	case 1:
		return out[0]
	}
	return strings.Join(out[:len(out)-1], ", ") + w.t(" and ") + out[len(out)-1]
}

// One reports whether n takes the singular, by the language's plural rule
// (the templates' plural function): 1 in English, 0 and 1 in French, never
// in Lao; English's for the neutral forms.
func (w Words) One(n int) bool {
	lang := w.lang
	if lang == "" {
		lang = English
	}
	return PluralForm(lang, n) == One
}

// Number writes an integer with the language's digit grouping: 12,345;
// 12 345 (French, a narrow no-break space); Spanish leaves four digits
// whole (RAE). The neutral forms do not group.
func (w Words) Number(n int) string {
	group := map[string]string{English: ",", "fr": "\u202f", "es": "\u00a0", "lo": ","}[w.lang]
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if group == "" || len(s) <= 3 || (w.lang == "es" && len(s) == 4) {
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
			b.WriteString(group)
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// Due names a report's due date as a deadline: "Next report due"; the
// title alone in the neutral forms.
func (w Words) Due(title string) string {
	if w.lang == "" {
		return title
	}
	return w.t("%s due", title)
}

// More ends a list cut short: "… and 3 more"; "… +3" in the neutral forms.
func (w Words) More(n int) string {
	if w.lang == "" {
		return fmt.Sprintf("… +%d", n)
	}
	return w.t("… and %d more", n)
}

// By writes an ask's {by} from the written date: "by 22 December 2026";
// the date alone in the neutral forms.
func (w Words) By(date string) string {
	if w.lang == "" {
		return date
	}
	return w.t("by %s", date)
}

// ASAP writes an ask's {by} for a date already passed: "as soon as
// possible (it was due on 22 December 2026)".
func (w Words) ASAP(date string) string {
	if w.lang == "" {
		return date
	}
	return w.t("as soon as possible (it was due on %s)", date)
}

// Removed starts a mail change naming a recipient no longer in the config,
// up to the address: "recipient removed: "; "" in the neutral forms (the
// line stays as written).
func (w Words) Removed() string {
	if w.lang == "" {
		return ""
	}
	return w.t("recipient removed: ")
}

// FileSize writes a file's size for people: "812 bytes", "10 KB" (to the
// nearest kilobyte), "2.3 MB". The pages and the report's drafts both
// write sizes with it, so that a file is the same size everywhere; the
// units read the same in every language.
func FileSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20-1<<9: // would round to 1024 KB
		return fmt.Sprintf("%d KB", (n+1<<9)>>10)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// NotYetAssigned names where a task nobody owns stands while it is still
// in the initial stage (workflow.AwaitingOwner): "Not yet assigned".
func (w Words) NotYetAssigned() string { return w.t("Not yet assigned") }
