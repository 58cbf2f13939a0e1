package notify

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/i18n"
)

// layoutLines are the lines of the layouts worth finding elsewhere: those
// with markup or logic, not a bare {{end}} nor a short line.
func layoutLines(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range append(TemplateNames(), partialNames()...) {
		b, err := embeddedTemplates.ReadFile("templates/" + name)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if len(line) >= 16 && !reOnlyActions.MatchString(line) {
				out[line] = name
			}
		}
	}
	return out
}

// reOnlyActions matches a line of closing actions ({{end}}, {{- end}}…)
// that any template may have.
var reOnlyActions = regexp.MustCompile(`^(\{\{-?\s*(end|else)\s*-?\}\}\s*)+$`)

// layoutCopies lists the lines of a texts file that repeat a line of a
// layout, and the templates it defines that the layouts define too.
func layoutCopies(layout map[string]string, texts string) []string {
	var out []string
	for i, line := range strings.Split(texts, "\n") {
		if from, ok := layout[strings.TrimSpace(line)]; ok {
			out = append(out, fmt.Sprintf("line %d repeats %s: %s", i+1, from, strings.TrimSpace(line)))
		}
	}
	for _, m := range reDefine.FindAllStringSubmatch(texts, -1) {
		if slices.Contains([]string{"subject", "body", "greeting", "task", "h2", "more", "change", "none", "automatic", "cluster", "due"}, m[1]) {
			out = append(out, fmt.Sprintf("defines %q, a part of the layout", m[1]))
		}
	}
	return out
}

// TestTextsHoldNoLayout: a language's texts are words, not a copy of the
// layout: a change to the layout is made once, in reminder.txt and
// reminder.html, not in each language.
func TestTextsHoldNoLayout(t *testing.T) {
	layout := layoutLines(t)
	if len(layout) < 100 {
		t.Fatalf("found %d lines in the layouts: the test no longer reads them", len(layout))
	}
	for _, lang := range BuiltinLanguages() {
		b, err := embeddedTemplates.ReadFile("templates/texts." + lang + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range layoutCopies(layout, string(b)) {
			t.Errorf("texts.%s.txt: %s", lang, c)
		}
	}
	// The check fails on a texts file that copies the layout, as the
	// translated templates used to.
	b, err := embeddedTemplates.ReadFile("templates/reminder.html")
	if err != nil {
		t.Fatal(err)
	}
	if got := layoutCopies(layout, string(b)); len(got) < 20 {
		t.Errorf("a copy of reminder.html passed for texts (%d findings)", len(got))
	}
}

// textNames are the texts a file defines.
func textNames(t *testing.T, name string) []string {
	t.Helper()
	b, err := embeddedTemplates.ReadFile("templates/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range reDefine.FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	sort.Strings(out)
	return out
}

// TestEveryLanguageHasEveryText: each built-in language defines every text
// that the layouts place (no message falls back on English words), and
// no text that nothing places.
func TestEveryLanguageHasEveryText(t *testing.T) {
	placed := map[string]bool{}
	for _, name := range append(TemplateNames(), partialNames()...) {
		b, err := embeddedTemplates.ReadFile("templates/" + name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range rePlace.FindAllStringSubmatch(string(b), -1) {
			placed[m[1]] = true
		}
	}
	english := textNames(t, "texts.en.txt")
	if len(english) < 100 {
		t.Fatalf("texts.en.txt defines %d texts", len(english))
	}
	for _, lang := range BuiltinLanguages() {
		got := textNames(t, "texts."+lang+".txt")
		for _, n := range english {
			if !slices.Contains(got, n) {
				t.Errorf("texts.%s.txt lacks %q", lang, n)
			}
		}
		for _, n := range got {
			if !slices.Contains(english, n) {
				t.Errorf("texts.%s.txt defines %q, which English does not", lang, n)
			}
			if !placed[n] {
				t.Errorf("texts.%s.txt: nothing places %q", lang, n)
			}
		}
		if len(got) != len(slices.Compact(slices.Clone(got))) {
			t.Errorf("texts.%s.txt defines a text twice", lang)
		}
	}
}

// TestRenderTextsOverrides: the admin changes a language's words with one
// file of texts, adds a language the same way, or changes the layout of
// every language with one layout that places the texts; an English
// template of the old kind (words in it, no texts) stays English.
func TestRenderTextsOverrides(t *testing.T) {
	en, err := embeddedTemplates.ReadFile("templates/texts.en.txt")
	if err != nil {
		t.Fatal(err)
	}
	german := strings.NewReplacer("Dear ", "Sehr geehrte ", "This concerns", "Es geht um").Replace(string(en))
	dir := writeTemplates(t, map[string]string{
		// One text of French: the others stay.
		"texts.fr.txt": `{{define "reminder.thank-you-your"}}Merci beaucoup.{{end}}`,
		"texts.de.txt": german,
		// An English template of the old kind.
		"ministry-digest.txt": `{{define "subject"}}Custom{{end}}{{define "body"}}Custom body{{end}}`,
		// A layout that places texts serves every language.
		"escalation.txt": `{{define "subject"}}!{{template "escalation.followup-escalation-has" .}}{{end}}{{define "body"}}{{template "common.this-message-was-x" .}}{{end}}`,
	})
	r := newTestRenderer(t, dir)

	fr := renderReminderData()
	fr.Ministry.Language = "fr"
	out, err := r.Reminder(fr)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{out.Text, out.HTML} {
		if !strings.Contains(part, "Merci beaucoup.") || strings.Contains(part, "Nous vous remercions") || !strings.Contains(part, "Cette demande porte sur") {
			t.Errorf("fr: the one text replaced, the others kept:\n%s", part)
		}
	}
	de := renderReminderData()
	de.Ministry.Language = "de-CH"
	if out, err = r.Reminder(de); err != nil || !strings.Contains(out.Text, "Es geht um") || !strings.Contains(out.HTML, "Es geht um") ||
		!strings.Contains(out.HTML, `<html lang="de-CH">`) {
		t.Errorf("de: texts.de.txt makes German mail, text and HTML: %v\n%s", err, out.HTML)
	}

	md := renderMinistryData()
	if out, err = r.MinistryDigest(md); err != nil || out.Subject != "Custom" {
		t.Errorf("en: the English template: %q %v", out.Subject, err)
	}
	md.Ministry.Language = "lo"
	if out, err = r.MinistryDigest(md); err != nil || !strings.Contains(out.Subject, "ບົດສະຫຼຸບ") {
		t.Errorf("lo: an English template of the old kind changed the Lao overview: %q %v", out.Subject, err)
	}

	esc := renderEscalationData()
	esc.Coordinator.Language = "es"
	if out, err = r.Escalation(esc); err != nil || !strings.HasPrefix(out.Subject, "![followup] ") || !strings.Contains(out.Text, "followup") {
		t.Errorf("es: the layout override: %q %v\n%s", out.Subject, err, out.Text)
	}

	// A new language lacking texts is refused, naming its file and the
	// texts it lacks, once.
	broken := strings.Replace(german, `{{define "reminder.thank-you-your"}}`, `{{define "reminder.thank-you-yours"}}`, 1)
	_, err = NewRenderer(writeTemplates(t, map[string]string{"texts.de.txt": broken}), nil)
	if err == nil || !strings.Contains(err.Error(), "texts.de.txt: no text \"reminder.thank-you-your\"") || strings.Count(err.Error(), "thank-you-your\"") != 2 {
		t.Errorf("a missing German text: %v", err)
	}
}

func mustSamples(t *testing.T, kind, lang string) []any {
	t.Helper()
	s, err := sampleData(kind, lang)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSampleData: the start-up check's data decodes, has samples of each
// kind, in the language asked, and its asks are written in it.
func TestSampleData(t *testing.T) {
	for _, kind := range templateKinds {
		if n := len(mustSamples(t, kind, "fr")); n < 3 {
			t.Errorf("%s: %d samples", kind, n)
		}
	}
	r := mustSamples(t, kindReminder, "fr")[0].(ReminderData)
	if r.Ministry.Language != "fr" || r.Coordinator.Language != "fr" || !strings.HasPrefix(r.Groups[0].Ask, "Veuillez confirmer à National Commission") {
		t.Errorf("the French sample: %q %q %q", r.Ministry.Language, r.Coordinator.Language, r.Groups[0].Ask)
	}
	// Each call gives fresh values.
	r.Groups[0].Tasks[0].ID = "changed"
	if again := mustSamples(t, kindReminder, "fr")[0].(ReminderData); again.Groups[0].Tasks[0].ID == "changed" {
		t.Error("the samples are shared between calls")
	}
	if _, err := sampleData("nope", "en"); err == nil {
		t.Error("a kind without samples: no error")
	}
}

// TestReceiptTextComplete: every sentence a receipt says has a version in
// every language followup ships, with the same verbs, and no language
// keeps a sentence the code no longer says.
func TestReceiptTextComplete(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "receipt.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	said := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "tr" && len(c.Args) > 0 {
				if bl, ok := c.Args[0].(*ast.BasicLit); ok {
					s, err := strconv.Unquote(bl.Value)
					if err == nil {
						said[s] = true
					}
				}
			}
		}
		return true
	})
	if len(said) != 11 {
		t.Fatalf("found %d sentences in receipt.go, want 11: the test no longer reads it", len(said))
	}
	reVerb := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	for _, lang := range BuiltinLanguages()[1:] {
		ids, msgs, err := i18n.Sentences(i18n.Receipts, lang)
		if err != nil {
			t.Fatal(err)
		}
		for s := range said {
			m, ok := msgs[s]
			if !ok {
				t.Errorf("%s: no version of %q", lang, s)
				continue
			}
			if got, want := reVerb.FindAllString(m.Text, -1), reVerb.FindAllString(s, -1); !slices.Equal(got, want) {
				t.Errorf("%s: %q has verbs %v, the English %v", lang, m.Text, got, want)
			}
		}
		for _, id := range ids {
			if !said[id] {
				t.Errorf("%s: %q is translated but no receipt says it", lang, id)
			}
		}
	}
}

// TestNewRendererFor: the renderer a config needs refuses a body whose
// language has no mail texts, at its language: value, and names the file
// that would add it; a language followup ships is accepted with its
// region.
func TestNewRendererFor(t *testing.T) {
	cfg := config.Default()
	cfg.Path = "followup.yaml"
	cfg.Ministries = []config.Body{{ID: "moj", Name: "Ministry of Justice", Language: "fr-CA",
		FocalPoints: []config.FocalPoint{{Email: "moj@example.org"}}}}
	if _, err := NewRendererFor(cfg); err != nil {
		t.Fatalf("fr-CA: %v", err)
	}
	cfg.Ministries[0].Language = "de"
	cfg.Ministries[0].LanguageAt = config.Pos{Line: 7, Column: 15, Path: "ministries[0].language"}
	_, err := NewRendererFor(cfg)
	if err == nil || !strings.Contains(err.Error(), `followup.yaml:7:15: ministries[0].language: no mail templates for language "de"`) ||
		!strings.Contains(err.Error(), "texts.de.txt") {
		t.Errorf("de: %v", err)
	}
	// A broken template and a missing language are both said.
	cfg.Mail.Templates = writeTemplates(t, map[string]string{"reminder.txt": `{{define "subject"}}{{.Nope}}{{end}}{{define "body"}}b{{end}}`})
	_, err = NewRendererFor(cfg)
	if err == nil || !strings.Contains(err.Error(), "Nope") || !strings.Contains(err.Error(), `"de"`) {
		t.Errorf("broken and missing: %v", err)
	}
}

// TestWording: the pages' dates, labels and stages in a language, English
// for one followup does not ship.
func TestWording(t *testing.T) {
	stages := config.Default().Stages
	w := WordingFor("fr", stages)
	if w.Lang != "fr" || w.Date(civil.D(2027, time.January, 1)) != "1er janvier 2027" || w.Date(civil.Date{}) != "" ||
		w.Stage("assigned") != "Attribuée" || w.Label("Assigned → Acknowledged") != "Attribuée → Prise en charge" ||
		w.Label("Next report due") != "Next report : date limite" {
		t.Errorf("fr: %q %q %q %q", w.Lang, w.Date(civil.D(2027, time.January, 1)), w.Stage("assigned"), w.Label("Next report due"))
	}
	if w := WordingFor("de", stages); w.Lang != "en" || w.Date(civil.D(2027, time.January, 4)) != "4 January 2027" || w.Stage("assigned") != "Assigned" {
		t.Errorf("de: %q %q", w.Lang, w.Date(civil.D(2027, time.January, 4)))
	}
}

// TestSetsKeepOnlyWhatTheyPlace: each kind's templates keep the texts its
// message places and drop the other kinds' (they held most of the idle
// daemon's heap): every text template a set holds is reached from its
// entry points, and no set holds another kind's texts.
func TestSetsKeepOnlyWhatTheyPlace(t *testing.T) {
	r := newTestRenderer(t, "")
	defined := len(reDefine.FindAllStringSubmatch(mustReadEmbedded(t, "templates/texts.en.txt"), -1))
	for _, lang := range BuiltinLanguages() {
		for _, kind := range templateKinds {
			set := loadedSet(t, r, kind, lang)
			reached := map[string]bool{}
			found, _ := placed(set.text.Lookup, "subject", "body")
			for _, n := range found {
				reached[n] = true
			}
			for _, tt := range set.text.Templates() {
				if tt.Tree != nil && !reached[tt.Name()] {
					t.Errorf("%s %s: the text templates hold %q, which the message does not place", kind, lang, tt.Name())
				}
			}
			if len(reached) >= defined {
				t.Errorf("%s %s: %d text templates kept, the texts file defines %d", kind, lang, len(reached), defined)
			}
			var names []string
			for _, tt := range set.text.Templates() {
				names = append(names, tt.Name())
			}
			for _, ht := range set.html.Templates() {
				names = append(names, ht.Name())
			}
			for _, other := range templateKinds {
				for _, n := range names {
					if other != kind && strings.HasPrefix(n, other+".") {
						t.Errorf("%s %s: holds %q, a text of the %s", kind, lang, n, other)
					}
				}
			}
		}
	}
}

func mustReadEmbedded(t *testing.T, name string) string {
	t.Helper()
	b, err := embeddedTemplates.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// loadedSet is r's set for a kind and a language, parsed again if it was
// let go after the start-up check.
func loadedSet(t *testing.T, r *Renderer, kind, lang string) *templateSet {
	t.Helper()
	set := r.pick(kind, lang)
	if set == nil {
		t.Fatalf("%s %s: no templates", kind, lang)
	}
	if err := set.use(func() error { return nil }); err != nil {
		t.Fatalf("%s %s: %v", kind, lang, err)
	}
	return set
}

// TestSetsParsedWhenFirstUsed: once checked at start, a set holds no
// templates until a message needs it; then it renders as a set kept from
// the start does, from many goroutines at once.
func TestSetsParsedWhenFirstUsed(t *testing.T) {
	r := newTestRenderer(t, "")
	for _, kind := range templateKinds {
		for _, lang := range BuiltinLanguages() {
			if set := r.pick(kind, lang); set.text != nil || set.html != nil {
				t.Errorf("%s %s: parsed templates held before any message", kind, lang)
			}
		}
	}
	src, err := embeddedSources()
	if err != nil {
		t.Fatal(err)
	}
	want, err := src.parse(kindReminder, "fr", templateFuncs(time.UTC, "fr", config.Default().Stages))
	if err != nil {
		t.Fatal(err)
	}
	data := mustSamples(t, kindReminder, "fr")[0]
	wantSubject, wantText, err := want.execText(data)
	if err != nil {
		t.Fatal(err)
	}
	wantHTML, err := want.execHTML(data)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([]Rendered, 8)
	errs := make([]error, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = r.render(kindReminder, "fr", data)
		}()
	}
	wg.Wait()
	for i, g := range got {
		if errs[i] != nil || g.Subject != wantSubject || g.Text != wantText || g.HTML != wantHTML {
			t.Errorf("render %d: %q, %d and %d bytes (%v); want %q, %d and %d bytes", i, g.Subject, len(g.Text), len(g.HTML), errs[i],
				wantSubject, len(wantText), len(wantHTML))
		}
	}
	if set := r.pick(kindReminder, "fr"); set.text == nil || set.html == nil {
		t.Error("the French reminder's set was not kept once parsed")
	}
	if set := r.pick(kindEscalation, "fr"); set.text != nil {
		t.Error("the French escalation's set was parsed though no escalation was rendered")
	}
}
