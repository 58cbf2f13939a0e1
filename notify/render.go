package notify

// Rendering: data (messages.go) + templates -> subject, plain text, HTML.
//
// # Template files
//
// Each kind of message K (reminder, escalation, coordinator-digest,
// ministry-digest) has one layout in two files, for every language:
//
//	K.txt    a text/template that defines "subject" (one line) and "body"
//	         (plain text)
//	K.html   an html/template that defines "body" (a complete HTML
//	         document)
//
// The parts that several layouts share are written once, one file per
// format, parsed with every layout of that format (before it: a layout
// that defines a part again keeps its own):
//
//	partials.txt   "greeting"; "group-rows" and "group-task", the rows
//	partials.html  of a deadline's group (reminder, escalation);
//	               "cluster", a cluster's row in a list of tasks, and
//	               "due", what a row says of its deadline (nothing; the
//	               ministry's overview, whose rows name theirs, defines
//	               its own); "overdue-list", an overview's overdue
//	               tasks, each a row of the layout's "task". In HTML
//	               also "page-start" and "page-end", the document around
//	               the text (the layout defines "page-lang" and
//	               "page-title"), "group-head", a group's box and
//	               deadline, and the overviews' "h2", "more", "none"
//
// The layouts hold no words: each {{template "NAME" .}} places a text of
// the message's language, defined in that language's texts file:
//
//	texts.LANG.txt  {{define "NAME"}}the words{{end}}, one per text, for
//	                every kind: texts.en.txt, texts.fr.txt, texts.es.txt,
//	                texts.lo.txt are built in
//
// so that a change to the layout is made once, and a translator edits one
// file. The recipient's language picks the texts: a ministry's for its
// reminders and overview, the coordinator's for its overview and for
// escalations (the coordinator reads them; the ministry is in copy). Tags
// resolve as i18n says: the exact tag, then its parents ("lo" for "lo-LA";
// a texts.fr-CA.txt is read over texts.fr.txt). There is no fallback: a
// language without texts is an error of CheckLanguages (config check,
// daemon start, reload), never a message in English.
//
// The admin may put files in a folder (mail.templates in the config):
//
//	texts.LANG.txt  its texts replace those of the same name (the others
//	                stay), or add a language (texts.de.txt: every text)
//	K.txt, K.html   replace the layout of every language; a K.txt that
//	                places no text (an English template of the kind followup
//	                had before the texts) replaces the English message only
//	K.LANG.txt,     a whole template for one language, with its own words
//	K.LANG.html     (reminder.de.txt); a language with such a .txt, no
//	                texts and no .html sends text only
//	partials.txt,   their parts replace the shared ones of the same
//	partials.html   name (the others stay), for every layout and
//	                language
//
// Note that most mail programs show the HTML part: a layout changed in
// K.txt is changed in K.html too (the subject is always taken from the .txt
// file).
//
// Every template is executed with sample data when the Renderer is built,
// so a misspelled field or function is reported at start (and by `followup
// config check`), with the file and line, never when a mail is due.
//
// Both kinds of template run with Option("missingkey=error") and the same
// functions. The words they write are in the language of the texts
// (i18n.Words, from i18n/text/LANG.yaml); for a language followup has no
// words for, they write forms
// without words (ISO dates, signed day counts):
//
//	date   civil.Date -> "4 January 2027", "4 janvier 2027", "4 de enero de
//	       2027", "4 ມັງກອນ 2027" ("" for no date)
//	days   int -> "in 3 days", "tomorrow", "today", "yesterday", "3 days ago"
//	       (days from the message's date; negative is past)
//	late   int -> "3 days overdue" (a positive count)
//	span   civil.Span -> "30 days", "1 month and 2 days"
//	num    int -> the number with the language's digit grouping
//	plural n, "task", "tasks" -> the word that fits n by the language's
//	       CLDR rule (French: 0 and 1 take the singular; Lao: the plural)
//	lang   the texts' language ("en", "fr"…), for <html lang> when the
//	       body gives none
//	stage  a stage name -> its label in the language (config labels:)
//	label  a deadline's label -> with stage names and "… due" translated
//	mailchange a line of a config change to where mail goes -> with its
//	       words translated (setting names such as mail.smtp.host stay)
//	short  string, n -> the text on one line, clipped to n characters with "…"
//	bar    count, max, width -> a text bar of width cells, "█" filled in
//	       proportion to count/max, "░" for the rest
//	pct    count, total -> integer percent, rounded; never 0 for a count
//	       above 0 nor 100 for a count below total (bar widths in HTML)
//	add    a, b -> a + b
//	abs    n -> |n|
//	time   time.Time -> "2006-01-02 15:04" in the config's zone ("" for zero)
//	colour i -> the colour of stage i in progress bars ("#0072B2"…)
//	people []config.FocalPoint -> the names to greet, when every focal
//	       point names a person; none when one is a description of a post
//	       (see People): greet the unit then
//
// After rendering, the subject is put on one line (spaces collapsed, so
// newlines in names or in the template do no harm); in the text body,
// trailing spaces are removed and runs of blank lines become one blank line,
// so templates may be laid out for reading.

import (
	"embed"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/i18n"
	"github.com/followup-app/followup/workflow"
)

//go:embed templates/*
var embeddedTemplates embed.FS

// The kinds of message, which are also the template file names' stems.
const (
	kindReminder          = "reminder"
	kindEscalation        = "escalation"
	kindCoordinatorDigest = "coordinator-digest"
	kindMinistryDigest    = "ministry-digest"
)

var templateKinds = []string{kindReminder, kindEscalation, kindCoordinatorDigest, kindMinistryDigest}

// TemplateNames lists the template files the messages use, two per kind
// (K.txt, K.html), for the docs and `followup config check`. An override
// folder may hold any of them, and language versions such as reminder.lo.txt.
func TemplateNames() []string {
	var out []string
	for _, k := range templateKinds {
		out = append(out, k+".txt", k+".html")
	}
	return out
}

// Renderer turns message data into subjects and bodies. It is safe for
// concurrent use after construction.
type Renderer struct {
	sets   map[string]map[string]*templateSet // kind -> language ("" for the default) -> templates
	stages []config.Stage                     // for stage names in each language
}

// NewRenderer parses the embedded templates and, when overrideDir is not
// "", the admin's overrides from that folder, which replace embedded files
// of the same name. It then executes every template with sample data, so a
// template that refers to a missing field or fails at run time is reported
// here. Errors name the file and line ("templates/reminder.txt:7:14: ..."),
// one per broken file, joined with newlines. loc is the zone times are shown
// in (nil means UTC).
//
// Stage names are shown in each language with the labels of the built-in
// workflow; NewRendererFor uses the config's own stages.
func NewRenderer(overrideDir string, loc *time.Location) (*Renderer, error) {
	r, err := newRenderer(overrideDir, loc, config.Default().Stages)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// NewRendererFor builds the Renderer a config needs: its template folder,
// its zone, its stages' names in each language; and it checks that every
// body's language has templates (CheckLanguages).
//
// Both checks run whatever the other finds, so that `config check` reports
// a broken template file and a language without templates in one run: the
// error is then both joined (errors.Join), the language errors as
// config.Errors.
func NewRendererFor(cfg *config.Config) (*Renderer, error) {
	r, err := newRenderer(cfg.Mail.Templates, cfg.Location, cfg.Stages)
	if r == nil {
		return nil, err
	}
	if lerr := r.CheckLanguages(cfg); lerr != nil {
		if err == nil {
			return nil, lerr
		}
		return nil, errors.Join(err, lerr)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Reminder renders a ministry's reminder, in the ministry's language.
func (r *Renderer) Reminder(d ReminderData) (Rendered, error) {
	return r.render(kindReminder, d.Ministry.Language, d)
}

// Escalation renders an escalation to the coordinator, in the
// coordinator's language: it is the reader (the ministries concerned are
// in copy, and there may be several).
func (r *Renderer) Escalation(d EscalationData) (Rendered, error) {
	return r.render(kindEscalation, d.Coordinator.Language, d)
}

// CoordinatorDigest renders the coordinating body's overview, in its
// language.
func (r *Renderer) CoordinatorDigest(d CoordinatorDigestData) (Rendered, error) {
	return r.render(kindCoordinatorDigest, d.Coordinator.Language, d)
}

// MinistryDigest renders a ministry's overview of its tasks, in its
// language.
func (r *Renderer) MinistryDigest(d MinistryDigestData) (Rendered, error) {
	return r.render(kindMinistryDigest, d.Ministry.Language, d)
}

func (r *Renderer) render(kind, lang string, data any) (Rendered, error) {
	set := r.pick(kind, lang)
	if set == nil {
		return Rendered{}, fmt.Errorf("no %s templates for language %q", kind, lang)
	}
	out := Rendered{Language: contentLanguage(lang, set.lang)}
	err := set.use(func() (err error) {
		if out.Subject, out.Text, err = set.execText(data); err != nil {
			return err
		}
		if set.html != nil {
			out.HTML, err = set.execHTML(data)
		}
		return err
	})
	if err != nil {
		return Rendered{}, err
	}
	return out, nil
}

// pick returns the templates for a language tag: the exact tag, then its
// first part ("lo" for "lo-LA"); the default (English) set serves "en" and
// a body without a language. Another language without templates gets nil,
// never the English set: CheckLanguages refuses such a config.
func (r *Renderer) pick(kind, lang string) *templateSet {
	sets := r.sets[kind]
	if sets == nil {
		return nil
	}
	tags := i18n.Fallbacks(lang)
	if len(tags) == 0 {
		return sets[""]
	}
	for _, tag := range tags {
		if s := sets[tag]; s != nil {
			return s
		}
		if tag == i18n.English {
			return sets[""]
		}
	}
	return nil
}

// contentLanguage is the tag a message declares in Content-Language: the
// recipient's tag when it is well-formed, else the set's own.
func contentLanguage(lang, setLang string) string {
	if tag := strings.TrimSpace(lang); tag != "" && reLangTag.MatchString(tag) {
		return strings.ReplaceAll(tag, "_", "-")
	}
	if setLang == "" {
		return "en"
	}
	return setLang
}

// Languages lists the languages a message of every kind can be written in:
// "en" (the default set) and each language with templates for all four
// kinds, sorted.
func (r *Renderer) Languages() []string {
	count := map[string]int{}
	for _, k := range templateKinds {
		for l := range r.sets[k] {
			if l != "" {
				count[l]++
			}
		}
	}
	out := []string{"en"}
	for l, n := range count {
		if n == len(templateKinds) && l != "en" {
			out = append(out, l)
		}
	}
	sort.Strings(out[1:])
	return out
}

// CheckLanguages reports, as config errors at each body's language value,
// the bodies whose language has no templates for a message they receive:
// a ministry gets reminders and overviews; the coordinating body also
// escalations and its own overview. Mail is never sent in another language
// than the one the config promises.
func (r *Renderer) CheckLanguages(cfg *config.Config) error {
	var errs config.Errors
	check := func(b config.Body, path string, kinds ...string) {
		var missing []string
		for _, k := range kinds {
			if r.pick(k, b.Language) == nil {
				missing = append(missing, k)
			}
		}
		if len(missing) == 0 {
			return
		}
		at := b.LanguageAt
		if at.Path == "" {
			at.Path = path
		}
		what := "no mail templates"
		if len(missing) < len(kinds) {
			what = "no " + strings.Join(missing, ", ") + " templates"
		}
		tag := i18n.Normalize(b.Language)
		write := fmt.Sprintf("%s.%s.txt (the texts of every message: copy %s.en.txt and translate it)", textsStem, tag, textsStem)
		if len(missing) < len(kinds) {
			// The admin wrote whole templates for some kinds: say which
			// are missing too.
			var files []string
			for _, k := range missing {
				files = append(files, k+"."+tag+".txt", k+"."+tag+".html")
			}
			write += ", or " + strings.Join(files, ", ")
		}
		errs = append(errs, at.Error(cfg.Path, fmt.Sprintf("%s for language %q; followup has templates for %s: "+
			"use one of them, or write %s in the folder that mail.templates names (see docs/languages.md)",
			what, b.Language, strings.Join(r.Languages(), ", "), write)))
	}
	check(cfg.Coordinator, "coordinator.language", templateKinds...)
	for i, m := range cfg.Ministries {
		check(m, fmt.Sprintf("ministries[%d].language", i), kindReminder, kindMinistryDigest)
	}
	errs = append(errs, askLanguages(cfg)...)
	if len(errs) == 0 {
		return nil
	}
	sort.SliceStable(errs, func(i, j int) bool {
		if errs[i].Line != errs[j].Line {
			return errs[i].Line < errs[j].Line
		}
		return errs[i].Column < errs[j].Column
	})
	return errs
}

// askLanguages reports each stage whose ask is the admin's own sentence
// and has no version (asks:) in the language of a body that gets
// reminders: that body's reminders would open with a sentence in another
// language, the silent fallback the templates refuse too.
func askLanguages(cfg *config.Config) config.Errors {
	var errs config.Errors
	bodies := append([]config.Body{cfg.Coordinator}, cfg.Ministries...)
	for _, st := range cfg.Stages {
		if cfg.AskAt(st.ID).Line == 0 || st.Final || st.Deadline == nil {
			continue
		}
		var langs, who []string
		for _, b := range bodies {
			tag := i18n.Normalize(b.Language)
			if i18n.IsEnglish(tag) || st.AskIn(tag) != st.Ask {
				continue
			}
			if !slices.Contains(langs, tag) {
				langs = append(langs, tag)
			}
			who = append(who, b.ID)
		}
		if len(langs) == 0 {
			continue
		}
		errs = append(errs, cfg.AskAt(st.ID).Error(cfg.Path, fmt.Sprintf("this ask has no version in %s, the language of %s; "+
			"give it under asks: (e.g. asks: {%s: …}), or their reminders open with it as written",
			strings.Join(langs, ", "), strings.Join(who, ", "), langs[0])))
	}
	return errs
}

// oneLine collapses all whitespace and control characters into single
// spaces.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// tidyText removes trailing spaces, blank lines at the start and end, and
// repeated blank lines; it ends the text with one newline ("" stays "").
func tidyText(s string) string {
	var b strings.Builder
	blank := false
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if line == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteByte('\n')
			blank = false
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// stagePalette is the Okabe-Ito palette, which stays distinguishable with
// the common colour-vision deficiencies; grey last.
var stagePalette = []string{"#0072B2", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#D55E00", "#CC79A7", "#999999"}

// templateFuncs are the functions every template may call (see the
// package comment above). The words they write are those of lang, the
// language of the templates they serve ("" is English); stages give the
// stages' names in that language.
func templateFuncs(loc *time.Location, lang string, stages []config.Stage) map[string]any {
	w := wordsFor(lang)
	stage := stageNamer(stages, lang)
	return map[string]any{
		"date": func(d civil.Date) string {
			if d.IsZero() {
				return ""
			}
			return w.Date(d)
		},
		"days":  w.Days,
		"late":  w.Late,
		"span":  w.Span,
		"num":   w.Number,
		"short": Shorten,
		"plural": func(n int, singular, plural string) string {
			return pick2(w.One(n), singular, plural)
		},
		"stage": stage,
		"label": func(l string) string { return deadlineLabel(l, w, stage) },
		"mailchange": func(l string) string {
			if rest, ok := strings.CutPrefix(l, RecipientRemoved+": "); ok && w.Removed() != "" {
				return w.Removed() + rest
			}
			return l
		},
		// lang is the texts' language, for <html lang> when the body's
		// language is not given.
		"lang":   func() string { return pick2(lang == "", i18n.English, lang) },
		"bar":    textBar,
		"pct":    percent,
		"add":    func(a, b int) int { return a + b },
		"people": People,
		"abs": func(n int) int {
			if n < 0 {
				return -n
			}
			return n
		},
		"time": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format("2006-01-02 15:04")
		},
		"colour": func(i int) string {
			if i < 0 {
				i = -i
			}
			return stagePalette[i%len(stagePalette)]
		},
	}
}

// RecipientRemoved starts the line of a mail change that names a focal
// point no longer in the config ("recipient removed: ADDRESS (BODY)"):
// the templates' mailchange function translates it.
const RecipientRemoved = "recipient removed"

// stageNamer returns a function that writes a stage, given by its name (as
// the planner writes it) or its id, in a language.
func stageNamer(stages []config.Stage, lang string) func(string) string {
	byName := map[string]config.Stage{}
	// Where a task nobody owns stands, named in every language, unless
	// the config has a stage of that id or name (they come after it).
	stages = append([]config.Stage{workflow.AwaitingOwnerStage()}, stages...)
	for _, s := range stages {
		byName[s.ID] = s
	}
	for _, s := range stages { // names win over ids
		if s.Name != "" {
			byName[s.Name] = s
		}
	}
	return func(name string) string {
		if s, ok := byName[name]; ok {
			return s.Label(lang)
		}
		return name
	}
}

// Label writes a deadline's label in a language, as the templates' label
// function does: for the calendar events attached to a reminder.
func (r *Renderer) Label(lang, label string) string {
	return deadlineLabel(label, wordsFor(lang), stageNamer(r.stages, lang))
}

// AndMore writes "… and N more" in a language, for lists cut short outside
// the templates (the calendar events' descriptions).
func (r *Renderer) AndMore(lang string, n int) string {
	return wordsFor(lang).More(n)
}

// deadlineLabel writes a deadline's label in the templates' language. The
// planner writes them from the config: a stage's path "Assigned →
// Acknowledged" (stage names), a report's due date "TITLE due", or a
// milestone's name and report id, which are the admin's own text.
func deadlineLabel(l string, w i18n.Words, stage func(string) string) string {
	if title, ok := strings.CutSuffix(l, " due"); ok {
		return w.Due(title)
	}
	parts := strings.Split(l, " → ")
	for i, p := range parts {
		parts[i] = stage(p)
	}
	return strings.Join(parts, " → ")
}

// Shorten puts s on one line and clips it to n runes, "…" included,
// preferring to cut between words and never before a combining mark (Lao
// vowels and tone marks are combining marks). The web pages and the CLI
// clip texts with it too, so a Lao text is never cut inside a syllable.
func Shorten(s string, n int) string {
	s = oneLine(s)
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n < 1 {
		return "…"
	}
	cut := n - 1
	for cut > 0 && unicode.Is(unicode.Mn, r[cut]) {
		cut--
	}
	for i := cut; i > 0 && i >= cut*2/3; i-- {
		if r[i] == ' ' {
			cut = i
			break
		}
	}
	return strings.TrimRightFunc(string(r[:cut]), func(c rune) bool {
		return unicode.IsSpace(c) || strings.ContainsRune(",;:", c)
	}) + "…"
}

// maxBarWidth bounds bar so that a template typo cannot make megabytes.
const maxBarWidth = 200

func textBar(count, limit, width int) string {
	width = min(max0(width), maxBarWidth)
	if width == 0 {
		return ""
	}
	filled := 0
	if limit > 0 && count > 0 {
		filled = (count*width + limit/2) / limit
		filled = min(width, max0(filled))
		if filled == 0 {
			filled = 1
		}
	}
	return strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
}

func percent(count, total int) int {
	if total <= 0 || count <= 0 {
		return 0
	}
	if count >= total {
		return 100
	}
	p := (count*100 + total/2) / total
	return min(99, max(1, p))
}

func max0(n int) int { return max(0, n) }
