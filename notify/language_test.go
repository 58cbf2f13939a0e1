package notify

import (
	"errors"
	"html"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
)

// TestTemplateCompleteness: every kind of message has its own templates in
// every built-in language (no fallback to English), defines a subject and a
// body, and renders every sample without error.
func TestTemplateCompleteness(t *testing.T) {
	r := newTestRenderer(t, "")
	for _, lang := range BuiltinLanguages() {
		for _, kind := range templateKinds {
			set := loadedSet(t, r, kind, lang)
			if set == nil {
				t.Errorf("%s %s: no templates", kind, lang)
				continue
			}
			want := lang
			if lang == "en" {
				want = ""
			}
			if set.lang != want {
				t.Errorf("%s %s: served by the %q templates", kind, lang, set.lang)
			}
			if set.html == nil {
				t.Errorf("%s %s: no HTML template", kind, lang)
			}
			for _, n := range []string{"subject", "body"} {
				if set.text.Lookup(n) == nil {
					t.Errorf("%s %s: the .txt does not define %q", kind, lang, n)
				}
			}
			for i, d := range mustSamples(t, kind, lang) {
				subject, text, err := set.execText(d)
				if err != nil || subject == "" || text == "" {
					t.Errorf("%s %s sample %d: %q, %d bytes, %v", kind, lang, i, subject, len(text), err)
				}
				if _, err := set.execHTML(d); err != nil {
					t.Errorf("%s %s sample %d: %v", kind, lang, i, err)
				}
			}
		}
	}
}

// reEnglish matches words of the English templates that have no business in
// a French, Spanish or Lao message once the data (names, recommendation
// texts, the admin's titles) is taken out.
var reEnglish = regexp.MustCompile(`(?i)(?:^|[^\pL\pN])(the|and|of|dear|task|tasks|due|overdue|stage|paragraph|deadlines?|days?|today|tomorrow|yesterday|ago|reports?|ministry|more|open|assigned|acknowledged|progress|reminder|overview|changed|delivery|please|sent|automatically|unassigned|none|passed|closed|record|answer)(?:$|[^\pL\pN])`)

// stageNames are the stage names in the samples: they must come out
// translated, so they are not taken out as data.
var stageNames = map[string]bool{"Assigned": true, "Acknowledged": true, "In progress": true, "Reported in the periodic report": true}

// TestNoEnglishLeaks renders every sample in fr, es and lo and looks for
// English words in what the templates themselves wrote.
func TestNoEnglishLeaks(t *testing.T) {
	r := newTestRenderer(t, "")
	reTag := regexp.MustCompile(`<[^>]*>`)
	for _, lang := range []string{"fr", "es", "lo"} {
		for _, kind := range templateKinds {
			set := loadedSet(t, r, kind, lang)
			for i, d := range mustSamples(t, kind, lang) {
				subject, text, err := set.execText(d)
				if err != nil {
					t.Fatal(err)
				}
				h, err := set.execHTML(d)
				if err != nil {
					t.Fatal(err)
				}
				h = html.UnescapeString(reTag.ReplaceAllString(h, " "))
				data := dataStrings(d)
				for part, out := range map[string]string{"subject": subject, "text": text, "html": h} {
					for _, s := range data {
						out = strings.ReplaceAll(out, s, " ")
					}
					if m := reEnglish.FindAllStringSubmatch(out, -1); len(m) > 0 {
						t.Errorf("%s %s sample %d, %s: English word %q in:\n%s", kind, lang, i, part, m[0][1], firstLines(out, m[0][1]))
					}
				}
			}
		}
	}
}

// dataStrings returns every string in v (names, texts, labels; not asks), longest
// first so that a name is taken out before a shorter one inside it, with
// the pieces of deadline labels; stage names stay.
func dataStrings(v any) []string {
	seen := map[string]bool{}
	var walk func(x reflect.Value)
	walk = func(x reflect.Value) {
		switch x.Kind() {
		case reflect.String:
			s := x.String()
			for _, p := range append([]string{s, strings.TrimSuffix(s, " due")}, strings.Split(s, " → ")...) {
				// Short strings ("a", "8") would take letters out of the
				// template's own words.
				if len([]rune(p)) >= 4 && !stageNames[p] {
					seen[p] = true
				}
			}
		case reflect.Struct:
			if x.Type() == reflect.TypeOf(civil.Date{}) || x.Type() == reflect.TypeOf(time.Time{}) {
				return
			}
			for i := 0; i < x.NumField(); i++ {
				// A group's ask is the program's sentence (from the
				// config's asks and ExpandAsk's words), not the admin's
				// data: it must be in the message's language too.
				if f := x.Type().Field(i); f.IsExported() && f.Name != "Ask" {
					walk(x.Field(i))
				}
			}
		case reflect.Slice:
			for i := 0; i < x.Len(); i++ {
				walk(x.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(v))
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

func firstLines(s, word string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(strings.ToLower(l), strings.ToLower(word)) {
			return l
		}
	}
	return ""
}

func TestWordsPerLanguage(t *testing.T) {
	d := civil.D(2026, time.December, 22)
	first := civil.D(2027, time.January, 1)
	tests := []struct {
		lang                    string
		date, first             string
		in3, ago3, today, late1 string
		span                    string
		one0, one1, one2        bool
		n1234, n12345, n1234567 string
	}{
		{"en", "22 December 2026", "1 January 2027", "in 3 days", "3 days ago", "today", "1 day overdue", "1 month and 2 days",
			false, true, false, "1,234", "12,345", "1,234,567"},
		{"fr", "22 décembre 2026", "1er janvier 2027", "dans 3 jours", "il y a 3 jours", "aujourd’hui", "en retard de 1 jour", "1 mois et 2 jours",
			true, true, false, "1\u202f234", "12\u202f345", "1\u202f234\u202f567"},
		{"es", "22 de diciembre de 2026", "1 de enero de 2027", "dentro de 3 días", "hace 3 días", "hoy", "con 1 día de retraso", "1 mes y 2 días",
			false, true, false, "1234", "12\u00a0345", "1\u00a0234\u00a0567"},
		{"lo", "22 ທັນວາ 2026", "1 ມັງກອນ 2027", "ໃນອີກ 3 ມື້", "3 ມື້ກ່ອນ", "ມື້ນີ້", "ເກີນກຳນົດ 1 ມື້", "1 ເດືອນ 2 ມື້",
			false, false, false, "1,234", "12,345", "1,234,567"},
		// A language followup has no words for: forms without words.
		{"de", "2026-12-22", "2027-01-01", "+3", "-3", "+0", "+1", "1mo2d",
			false, true, false, "1234", "12345", "1234567"},
	}
	for _, tc := range tests {
		f := templateFuncs(time.UTC, tc.lang, config.Default().Stages)
		call := func(name string, args ...any) any {
			fn := reflect.ValueOf(f[name])
			in := make([]reflect.Value, len(args))
			for i, a := range args {
				in[i] = reflect.ValueOf(a)
			}
			return fn.Call(in)[0].Interface()
		}
		got := []any{call("date", d), call("date", first), call("days", 3), call("days", -3), call("days", 0), call("late", 1),
			call("span", civil.Span{Months: 1, Days: 2}),
			call("plural", 0, "s", "p") == "s", call("plural", 1, "s", "p") == "s", call("plural", 2, "s", "p") == "s",
			call("num", 1234), call("num", 12345), call("num", 1234567)}
		want := []any{tc.date, tc.first, tc.in3, tc.ago3, tc.today, tc.late1, tc.span, tc.one0, tc.one1, tc.one2, tc.n1234, tc.n12345, tc.n1234567}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.lang, got, want)
		}
	}
	// Stage names and deadline labels in each language.
	for lang, want := range map[string][2]string{
		"en": {"Assigned", "Assigned → Acknowledged"},
		"fr": {"Attribuée", "Attribuée → Prise en charge"},
		"es": {"Asignada", "Asignada → Aceptada"},
		"lo": {"ມອບໝາຍແລ້ວ", "ມອບໝາຍແລ້ວ → ຮັບຊາບແລ້ວ"},
	} {
		f := templateFuncs(time.UTC, lang, config.Default().Stages)
		if got := f["stage"].(func(string) string)("Assigned"); got != want[0] {
			t.Errorf("%s: stage Assigned = %q, want %q", lang, got, want[0])
		}
		if got := f["label"].(func(string) string)("Assigned → Acknowledged"); got != want[1] {
			t.Errorf("%s: label = %q, want %q", lang, got, want[1])
		}
		// A stage the config does not know, and a milestone: as written.
		if got := f["label"].(func(string) string)("Workshop (crc-next)"); got != "Workshop (crc-next)" {
			t.Errorf("%s: milestone label = %q", lang, got)
		}
	}
}

// TestCheckLanguages: a body whose language has no templates is a config
// error at its language: value; an override folder can add a language.
func TestCheckLanguages(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "followup.yaml")
	write := func(coord, m1, m2 string) *config.Config {
		t.Helper()
		yaml := "coordinator:\n  id: ncmc\n  name: NCMC\n  language: " + coord + "\n  focal_points:\n    - email: a@example.org\n" +
			"ministries:\n" +
			"  - id: moj\n    name: Justice\n    language: " + m1 + "\n    focal_points:\n      - email: b@example.org\n" +
			"  - id: mps\n    name: Security\n    language: " + m2 + "\n    focal_points:\n      - email: c@example.org\n"
		if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(path, config.LoadOptions{Getenv: func(string) string { return "" }})
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	r := newTestRenderer(t, "")
	if err := r.CheckLanguages(write("lo", "fr-CA", "es")); err != nil {
		t.Errorf("lo, fr-CA, es: %v", err)
	}
	err := r.CheckLanguages(write("en", "de", "fr"))
	var errs config.Errors
	if !errors.As(err, &errs) || len(errs) != 1 {
		t.Fatalf("de: want one config error, got %v", err)
	}
	if e := errs[0]; e.File != path || e.Line != 10 || e.Column != 15 || !strings.HasPrefix(e.Msg, `ministries[0].language: no mail templates for language "de"`) {
		t.Errorf("de: got %s", e)
	}

	// German through the override folder: what a ministry receives is
	// enough for a ministry; the coordinator needs all four kinds.
	files := map[string]string{}
	for _, k := range []string{"reminder", "ministry-digest"} {
		files[k+".de.txt"] = "{{define \"subject\"}}s{{end}}{{define \"body\"}}b{{end}}"
	}
	rd := newTestRenderer(t, writeTemplates(t, files))
	if err := rd.CheckLanguages(write("en", "de", "fr")); err != nil {
		t.Errorf("de with overrides: %v", err)
	}
	err = rd.CheckLanguages(write("de", "en", "en"))
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Line != 4 ||
		!strings.Contains(errs[0].Msg, "coordinator.language: no escalation, coordinator-digest templates") ||
		!strings.Contains(errs[0].Msg, "escalation.de.txt, escalation.de.html, coordinator-digest.de.txt") {
		t.Errorf("coordinator in de: got %v", err)
	}
}

// TestCalendarWords: the calendar attached to a reminder names deadlines
// and cut lists in the recipient's language.
func TestCalendarWords(t *testing.T) {
	r := newTestRenderer(t, "")
	for _, tc := range []struct{ lang, label, more string }{
		{"en", "Assigned → Acknowledged", "… and 3 more"},
		{"fr", "Attribuée → Prise en charge", "… et 3 autres"},
		{"es", "Asignada → Aceptada", "… y 3 más"},
		{"lo", "ມອບໝາຍແລ້ວ → ຮັບຊາບແລ້ວ", "… ແລະ ອີກ 3"},
	} {
		if got := r.Label(tc.lang, "Assigned → Acknowledged"); got != tc.label {
			t.Errorf("%s: label %q, want %q", tc.lang, got, tc.label)
		}
		if got := r.AndMore(tc.lang, 3); got != tc.more {
			t.Errorf("%s: %q, want %q", tc.lang, got, tc.more)
		}
	}
}

// TestAsksPerLanguage: the ask that opens a reminder, for every built-in
// stage and for a stage of the admin's own, is written in each language
// followup ships, with the date in that language, both before and after
// the deadline; and the greeting names no focal point that is the
// description of a post.
func TestAsksPerLanguage(t *testing.T) {
	today := civil.D(2027, time.January, 4)
	ids := []string{"assigned", "acknowledged", "action_planned", "in_progress", "implemented", "partially_implemented", "review"}
	for _, lang := range []string{"fr", "es", "lo"} {
		for _, id := range ids {
			ask := config.DefaultAsk(id, lang)
			if ask == config.DefaultAsk(id, "en") {
				t.Errorf("%s %s: the ask is the English one", lang, id)
			}
			for _, days := range []int{10, -10} {
				got := ExpandAsk(ask, "NCMC", today.AddDays(days), today, lang)
				if strings.ContainsAny(got, "{}") || !strings.Contains(got, "NCMC") || !strings.Contains(got, wordsFor(lang).Date(today.AddDays(days))) {
					t.Errorf("%s %s %+d: %q", lang, id, days, got)
				}
				if m := reEnglish.FindStringSubmatch(strings.ReplaceAll(got, "NCMC", " ")); m != nil {
					t.Errorf("%s %s %+d: English word %q in %q", lang, id, days, m[1], got)
				}
			}
		}
		// A ministry whose focal point is a post: the greeting names the
		// unit, in the language of the message.
		r := newTestRenderer(t, "")
		d := renderReminderDataIn(lang)
		d.Ministry.Language = lang
		d.Ministry.FocalPoints = []config.FocalPoint{{Name: "Focal point, birth registration and civil status", Email: "civil@moha.example.org"}}
		out, err := r.Reminder(d)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.Text, "Focal point") || strings.Contains(out.HTML, "Focal point") {
			t.Errorf("%s: the reminder greets the focal point's description:\n%s", lang, out.Text)
		}
		if first := strings.SplitN(out.Text, "\n", 2)[0]; !strings.Contains(first, d.Ministry.Name) {
			t.Errorf("%s: the greeting does not name the unit: %q", lang, first)
		}
		if !strings.Contains(out.Text, d.Groups[0].Ask) {
			t.Errorf("%s: the reminder does not say what is asked", lang)
		}
	}
}

// TestCheckAskLanguages: a stage's ask of the admin's own, without a
// version in the language of a ministry, is a config error at the ask
// (file:line:column), like a language without templates; the built-in
// ask, or an asks: entry for that language, is not.
func TestCheckAskLanguages(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "followup.yaml")
	write := func(ask, asks string) *config.Config {
		t.Helper()
		yaml := "coordinator:\n  id: ncmc\n  name: NCMC\n  focal_points:\n    - email: a@example.org\n" +
			"ministries:\n" +
			"  - id: moj\n    name: Justice\n    language: lo\n    focal_points:\n      - email: b@example.org\n" +
			"  - id: mps\n    name: Security\n    language: en\n    focal_points:\n      - email: c@example.org\n" +
			"stages:\n  - id: open\n    next: [done]\n    deadline: import + 1mo\n    ask: " + ask + "\n" + asks +
			"  - id: done\n    final: true\n"
		if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(path, config.LoadOptions{Getenv: func(string) string { return "" }})
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	r := newTestRenderer(t, "")
	err := r.CheckLanguages(write(`"Please reply {by}."`, ""))
	var errs config.Errors
	if !errors.As(err, &errs) || len(errs) != 1 {
		t.Fatalf("want one config error, got %v", err)
	}
	if e := errs[0]; e.File != path || e.Line != 21 || e.Column != 10 ||
		!strings.HasPrefix(e.Msg, "stages[0].ask: this ask has no version in lo, the language of moj; give it under asks:") {
		t.Errorf("got %s", e)
	}
	if err := r.CheckLanguages(write(`"Please reply {by}."`, "    asks: {lo: \"ກະລຸນາຕອບ {by}.\"}\n")); err != nil {
		t.Errorf("with asks.lo: %v", err)
	}
	if err := r.CheckLanguages(write(`"Please tell the {coordinator} {by} where your ministry stands on these recommendations."`, "")); err != nil {
		t.Errorf("the built-in sentence: %v", err)
	}
}

// TestMailChangesTranslated: a mail change naming a removed recipient is
// written in the overview's language; setting names and addresses stay.
func TestMailChangesTranslated(t *testing.T) {
	r := newTestRenderer(t, "")
	for lang, want := range map[string]string{"en": "recipient removed: legislation@moj.example.org (moj)",
		"fr": "destinataire retiré : legislation@moj.example.org (moj)", "es": "destinatario eliminado: legislation@moj.example.org (moj)",
		"lo": "ຜູ້ຮັບທີ່ຖືກລຶບອອກ: legislation@moj.example.org (moj)"} {
		set := loadedSet(t, r, "coordinator-digest", lang)
		_, text, err := set.execText(renderCoordinatorData())
		if err != nil {
			t.Fatal(err)
		}
		h, err := set.execHTML(renderCoordinatorData())
		if err != nil {
			t.Fatal(err)
		}
		for part, out := range map[string]string{"text": text, "html": h} {
			if !strings.Contains(out, want) || !strings.Contains(out, `mail.transport: `) {
				t.Errorf("%s %s: the mail changes are not %q:\n%s", lang, part, want, firstLines(out, "mail.transport"))
			}
			if lang != "en" && strings.Contains(out, "recipient removed") {
				t.Errorf("%s %s: English left in the mail changes", lang, part)
			}
		}
	}
}

// TestReceiptsPerLanguage: a receipt of each kind in French, Spanish and
// Lao holds no English word of its own; an unknown language gets English.
func TestReceiptsPerLanguage(t *testing.T) {
	d := ReceiptData{Ministry: "Ministère X", TaskID: "CRC/C/XYZ/CO/1:8", Document: "CRC/C/XYZ/CO/1", Actor: "Somsack",
		From: "Étape A", To: "Étape B", Other: "Ministère Y", Text: "Texte libre.", At: time.Date(2027, 1, 4, 1, 0, 0, 0, time.UTC),
		Client: "192.0.2.7", FocalPoint: "focal@x.example", URL: "https://fu.example/m/task/8", Coordinator: "Commission Z"}
	data := []string{d.Ministry, d.TaskID, d.Document, d.Actor, d.From, d.To, d.Other, d.Text, d.Client, d.FocalPoint, d.URL, d.Coordinator}
	for _, lang := range []string{"fr", "es", "lo"} {
		for _, kind := range []string{ReceiptUpdate, ReceiptStage, ReceiptNotOurs} {
			d.Kind = kind
			r := Receipt(lang, time.UTC, d)
			subject, text := r.Subject, r.Text
			out := subject + "\n" + text
			for _, s := range data {
				out = strings.ReplaceAll(out, s, " ")
			}
			if m := reEnglish.FindAllStringSubmatch(out, -1); len(m) > 0 || strings.Contains(out, "Recorded") {
				t.Errorf("%s %s: English in:\n%s", lang, kind, out)
			}
		}
	}
	d.Kind = ReceiptStage
	if r := Receipt("de", time.UTC, d); r.Language != "en" || !strings.Contains(r.Subject, "Recorded") || !strings.Contains(r.Text, "Somsack moved the task from “Étape A” to “Étape B”.") ||
		!strings.Contains(r.Text, "4 January 2027, 01:00 UTC") {
		t.Errorf("a language without words, in %q:\n%s\n%s", r.Language, r.Subject, r.Text)
	}
	if r := Receipt("fr-CA", time.UTC, d); r.Language != "fr-CA" || !strings.Contains(r.Subject, "Enregistré") {
		t.Errorf("fr-CA: in %q: %s", r.Language, r.Subject)
	}
}
