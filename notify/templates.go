package notify

// Loading the templates, in three steps: gather the files (the embedded
// ones, then the admin's folder over them), parse each kind's layout with
// each language's texts, and run every set with the sample data of the
// start-up check (checkdata.go). See render.go for what the files hold.

import (
	"bytes"
	"errors"
	"fmt"
	htemplate "html/template"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	ttemplate "text/template"
	"text/template/parse"
	"time"
	"unicode/utf8"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/i18n"
)

// textsStem starts the name of a language's texts file: texts.fr.txt.
const textsStem = "texts"

// partialsStem names the files of the parts that several layouts share
// (a cluster's row): partials.txt and partials.html. Every layout of
// their format is parsed with them, so that a part is written once.
const partialsStem = "partials"

// templateSource is one template file's content and where it came from.
type templateSource struct {
	display string // shown in errors, and the name Go's errors give: "templates/reminder.txt" or the override's path
	src     string
}

// templateSources are the files the Renderer is built from.
type templateSources struct {
	// layouts by file name: "reminder.txt", "reminder.html"; and an
	// admin's layout for one language, "reminder.de.txt".
	layouts map[string]templateSource
	// partials by file name, "partials.txt" and "partials.html": the
	// embedded file, then the admin's, whose parts replace those of the
	// same name (an admin's file written when the partials held fewer
	// parts leaves the built-in others to the layouts).
	partials map[string][]templateSource
	// texts by language tag ("en", "fr", "de-CH"): the embedded file,
	// then the admin's, whose texts replace those of the same name.
	texts map[string][]templateSource
	// unreadable are the names of override files already reported; the
	// sets that would use them are skipped.
	unreadable map[string]bool
	// builtin are the embedded layouts. An admin's layout that places no
	// text writes its own words: it is English, as such a file was before
	// the layouts had texts, and the other languages keep the built-in
	// layout.
	builtin     map[string]templateSource
	englishOnly map[string]bool
}

// templateSet is the templates one kind uses for one language.
type templateSet struct {
	lang               string // "" for the default (English) set
	textFile, htmlFile string // the layouts, as shown in errors
	text               *ttemplate.Template
	html               *htemplate.Template // nil: send text only

	// A set checked at start is let go (release) and parsed again when a
	// message needs it (use): most of the sixteen are never used by a
	// State's bodies, and those a heartbeat used are let go after it, so
	// that the idle daemon holds none.
	parse func() (*templateSet, error)
	mu    sync.Mutex // guards text, html and err once the set is shared
	err   error
}

// use runs fn with the set's templates (text, html), parsing them again
// if they were let go. The files were read at start: an admin's edit
// since needs a reload, as before.
func (s *templateSet) use(fn func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.text == nil && s.parse != nil && s.err == nil {
		set, err := s.parse()
		if err != nil {
			s.err = err
		} else {
			s.text, s.html = set.text, set.html
		}
	}
	if s.err != nil {
		return s.err
	}
	return fn()
}

// release lets the set's parsed templates go until use needs them again.
func (s *templateSet) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.parse != nil {
		s.text, s.html = nil, nil
	}
}

func newRenderer(overrideDir string, loc *time.Location, stages []config.Stage) (*Renderer, error) {
	if loc == nil {
		loc = time.UTC
	}
	src, err := embeddedSources()
	if err != nil {
		return nil, err
	}
	var errs []error
	if overrideDir != "" {
		errs, err = src.addOverrides(overrideDir)
		if err != nil {
			return nil, err
		}
	}
	r := &Renderer{sets: map[string]map[string]*templateSet{}, stages: stages}
	for _, kind := range templateKinds {
		r.sets[kind] = map[string]*templateSet{}
		for _, lang := range src.languages(kind) {
			funcs := templateFuncs(loc, lang, stages)
			set, err := src.parse(kind, lang, funcs)
			if err != nil || set == nil {
				// Reported (a file it needs was unreadable, or is
				// broken); present for CheckLanguages, so that the
				// language is said to be broken, not also missing.
				r.sets[kind][lang] = &templateSet{lang: lang}
				if err != nil {
					errs = append(errs, err)
				}
				continue
			}
			samples, err := sampleData(kind, lang)
			if err == nil {
				err = set.check(samples)
			}
			if err != nil {
				errs = append(errs, err)
			}
			set.parse = func() (*templateSet, error) { return src.parse(kind, lang, funcs) }
			r.sets[kind][lang] = set
		}
	}
	if len(errs) > 0 {
		// r is returned with the error for CheckLanguages only (see
		// NewRendererFor): it renders nothing.
		return r, errors.Join(distinct(errs)...)
	}
	// Checked: let the templates go until a message needs them. Their
	// parse trees were 2.5 MB of the idle daemon's heap, and the pages
	// the start-up parse left half used 6 MB more (BENCHMARKS.md).
	r.Release()
	return r, nil
}

// Release lets every parsed template go; the next message of a kind and
// language parses its set again (milliseconds). The daemon calls it after
// a heartbeat that wrote messages, so that what they needed does not stay
// in the idle daemon's heap.
func (r *Renderer) Release() {
	for _, sets := range r.sets {
		for _, set := range sets {
			set.release()
		}
	}
}

// distinct drops repeated errors: a broken layout is every language's,
// and is said once.
func distinct(errs []error) []error {
	seen := map[string]bool{}
	var out []error
	for _, err := range errs {
		for _, e := range unjoin(err) {
			if !seen[e.Error()] {
				seen[e.Error()] = true
				out = append(out, e)
			}
		}
	}
	return out
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unjoin(e)...)
		}
		return out
	}
	return []error{err}
}

// embeddedSources reads the templates built into the program.
func embeddedSources() (*templateSources, error) {
	src := &templateSources{layouts: map[string]templateSource{}, partials: map[string][]templateSource{}, texts: map[string][]templateSource{},
		unreadable: map[string]bool{}, builtin: map[string]templateSource{}, englishOnly: map[string]bool{}}
	entries, err := embeddedTemplates.ReadDir("templates")
	if err != nil {
		return nil, fmt.Errorf("embedded templates: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		b, err := embeddedTemplates.ReadFile("templates/" + name)
		if err != nil {
			return nil, fmt.Errorf("embedded template %s: %w", name, err)
		}
		f := templateSource{display: "templates/" + name, src: string(b)}
		if isPartials(name) {
			src.partials[name] = []templateSource{f}
			continue
		}
		switch kind, lang, texts, ok := splitTemplateName(name); {
		case !ok || (lang != "" && !texts):
			return nil, fmt.Errorf("embedded template %s: not a layout or a texts file", name)
		case texts:
			src.texts[lang] = append(src.texts[lang], f)
		default:
			src.layouts[kind+filepath.Ext(name)] = f
			src.builtin[kind+filepath.Ext(name)] = f
		}
	}
	for _, name := range append(TemplateNames(), partialNames()...) {
		_, layout := src.layouts[name]
		_, partials := src.partials[name]
		if !layout && !partials {
			return nil, fmt.Errorf("embedded template %s is missing", name)
		}
	}
	if len(src.texts[i18n.English]) == 0 {
		return nil, fmt.Errorf("embedded template %s.%s.txt is missing", textsStem, i18n.English)
	}
	return src, nil
}

// addOverrides adds the admin's files from dir: a layout replaces the
// embedded one for every language (reminder.txt), or gives one language
// its own (reminder.de.txt); a texts file adds its texts over those of the
// same language (texts.fr.txt), or adds a language (texts.de.txt). The
// errors are the files' own, one per file; err is the folder's.
func (src *templateSources) addOverrides(dir string) (errs []error, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("template folder: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		ext := filepath.Ext(name)
		if e.IsDir() || strings.HasPrefix(name, ".") || (ext != ".txt" && ext != ".html") {
			continue
		}
		display := filepath.Join(dir, name)
		if isPartials(name) {
			// The admin's parts replace the built-in ones of the same
			// name, for every layout and language.
			b, err := os.ReadFile(display)
			if err == nil {
				var s string
				if s, err = cleanSource(b); err == nil {
					src.partials[name] = append(src.partials[name], templateSource{display: display, src: s})
					continue
				}
				err = fmt.Errorf("%s: %w", display, err)
			}
			errs = append(errs, err)
			src.unreadable[name] = true
			continue
		}
		kind, lang, texts, ok := splitTemplateName(name)
		if !ok {
			errs = append(errs, fmt.Errorf("%s: not a template name followup knows: name a layout KIND%s or KIND.LANG%s "+
				"(e.g. reminder%s, reminder.lo%s), with KIND one of %s, a language's texts %s.LANG.txt (e.g. %s.lo.txt), "+
				"and the parts the layouts share %s.txt and %s.html; rename or remove this file",
				display, ext, ext, ext, ext, strings.Join(templateKinds, ", "), textsStem, textsStem, partialsStem, partialsStem))
			continue
		}
		key := kind + ext
		if lang != "" {
			key = kind + "." + lang + ext
		}
		b, err := os.ReadFile(display)
		if err == nil {
			var s string
			if s, err = cleanSource(b); err == nil {
				f := templateSource{display: display, src: s}
				switch {
				case texts:
					src.texts[lang] = append(src.texts[lang], f)
				case lang == "" && !src.placesTexts(s):
					src.layouts[key] = f
					src.englishOnly[key] = true
				default:
					src.layouts[key] = f
				}
				continue
			}
			err = fmt.Errorf("%s: %w", display, err)
		}
		errs = append(errs, err)
		src.unreadable[key] = true
	}
	return errs, nil
}

// placesTexts reports whether a layout places any of the built-in texts.
func (src *templateSources) placesTexts(layout string) bool {
	defined := map[string]bool{}
	for _, f := range src.texts[i18n.English] {
		for _, m := range reDefine.FindAllStringSubmatch(f.src, -1) {
			defined[m[1]] = true
		}
	}
	for _, m := range rePlace.FindAllStringSubmatch(layout, -1) {
		if defined[m[1]] {
			return true
		}
	}
	return false
}

var (
	reDefine = regexp.MustCompile(`\{\{-?\s*define\s+"([^"]+)"`)
	rePlace  = regexp.MustCompile(`\{\{-?\s*template\s+"([^"]+)"`)
)

// layout is the layout of a kind (name "reminder.txt") for a language.
func (src *templateSources) layout(name, lang string) (templateSource, bool) {
	if lang != "" && src.englishOnly[name] {
		f, ok := src.builtin[name]
		return f, ok
	}
	f, ok := src.layouts[name]
	return f, ok
}

// languages lists the languages a kind can be written in, sorted, ""
// (English) first: those with texts, and those with a layout of their own.
func (src *templateSources) languages(kind string) []string {
	set := map[string]bool{}
	for lang := range src.texts {
		if lang != i18n.English {
			set[lang] = true
		}
	}
	for name := range src.layouts {
		if k, lang, _, _ := splitTemplateName(name); k == kind && lang != "" {
			set[lang] = true
		}
	}
	out := []string{""}
	for l := range set {
		out = append(out, l)
	}
	sort.Strings(out[1:])
	return out
}

// textsFor are the texts files of a language, the least specific first,
// so that those of "fr-CA" are read over those of "fr".
func (src *templateSources) textsFor(lang string) []templateSource {
	if lang == "" {
		lang = i18n.English
	}
	var out []templateSource
	tags := i18n.Fallbacks(lang)
	for i := len(tags) - 1; i >= 0; i-- {
		out = append(out, src.texts[tags[i]]...)
	}
	return out
}

// parse builds the templates of one kind in one language: the language's
// own layout if the admin wrote one, else the kind's layout, with the
// language's texts. A language whose texts the admin did not give has no
// HTML layout unless it has its own: its mail is text only. nil, nil: a
// file it needs was reported unreadable.
func (src *templateSources) parse(kind, lang string, funcs map[string]any) (*templateSet, error) {
	stem := kind
	if lang != "" {
		stem = kind + "." + lang
	}
	texts := src.textsFor(lang)
	if src.unreadable[stem+".txt"] || src.unreadable[stem+".html"] || src.unreadable[kind+".txt"] || src.unreadable[kind+".html"] ||
		src.unreadable[partialsStem+".txt"] || src.unreadable[partialsStem+".html"] {
		return nil, nil
	}
	txt, ownTxt := src.layouts[stem+".txt"]
	htm, ownHTML := src.layouts[stem+".html"]
	if !ownTxt || !ownHTML {
		if len(texts) == 0 {
			if !ownTxt {
				return nil, fmt.Errorf("%s: there is no %s.txt next to it, nor %s.%s.txt: a language needs the subject and the plain-text part",
					htm.display, stem, textsStem, lang)
			}
		} else {
			if !ownTxt {
				txt, _ = src.layout(kind+".txt", lang)
			}
			if !ownHTML {
				htm, ownHTML = src.layout(kind+".html", lang)
			}
		}
	}
	set := &templateSet{lang: lang, textFile: txt.display}
	var errs []error
	var err error
	if set.text, err = parseText(src.partials[partialsStem+".txt"], txt, texts, funcs); err != nil {
		errs = append(errs, err)
	} else if err := checkDefined(txt.display, texts, set.text.Lookup, "subject", "body"); err != nil {
		errs = append(errs, err)
	}
	if ownHTML {
		set.htmlFile = htm.display
		if set.html, err = parseHTML(src.partials[partialsStem+".html"], htm, texts, funcs); err != nil {
			errs = append(errs, err)
		} else if err := checkDefined(htm.display, texts, htmlLookup(set.html), "body"); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// Each kind's templates were parsed with every text of the language,
	// those of the other kinds too: keep only what the message places.
	// The sixteen sets holding every text were 12 MB of parse trees, most
	// of the idle daemon's heap (BENCHMARKS.md).
	if set.text, err = keepText(set.text, funcs, "subject", "body"); err != nil {
		return nil, fmt.Errorf("%s: %w", txt.display, err)
	}
	if set.html != nil {
		if set.html, err = keepHTML(set.html, funcs, "body"); err != nil {
			return nil, fmt.Errorf("%s: %w", htm.display, err)
		}
	}
	return set, nil
}

// keepText returns a template holding only the templates that names
// place, directly or through others, by their names and parse trees, with
// t's functions and options: they render as in t. (Copying the trees would
// not compact the heap: a copied node still points to its first tree.)
func keepText(t *ttemplate.Template, funcs map[string]any, names ...string) (*ttemplate.Template, error) {
	out := ttemplate.New(t.Name()).Funcs(funcs).Option("missingkey=error")
	found, _ := placed(t.Lookup, names...)
	for _, n := range found {
		if _, err := out.AddParseTree(n, t.Lookup(n).Tree); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// keepHTML is keepText for an HTML template, before it is first run (and
// its trees escaped): each set escapes trees of its own.
func keepHTML(t *htemplate.Template, funcs map[string]any, names ...string) (*htemplate.Template, error) {
	out := htemplate.New(t.Name()).Funcs(funcs).Option("missingkey=error")
	lookup := htmlLookup(t)
	found, _ := placed(lookup, names...)
	for _, n := range found {
		if _, err := out.AddParseTree(n, lookup(n).Tree); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// placed lists names and the templates they place, directly or through
// others, that lookup finds; missing, those it places that lookup does not
// find (or that define nothing).
func placed(lookup func(string) *ttemplate.Template, names ...string) (found, missing []string) {
	seen := map[string]bool{}
	todo := slices.Clone(names)
	for len(todo) > 0 {
		n := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if seen[n] {
			continue
		}
		seen[n] = true
		if t := lookup(n); t != nil && t.Tree != nil {
			found = append(found, n)
			todo = append(todo, templateCalls(t.Tree.Root)...)
		} else {
			missing = append(missing, n)
		}
	}
	return found, missing
}

// check runs the set with each sample: a misspelled field or a function
// that fails is reported at start, not when a mail is due. One error per
// file.
func (s *templateSet) check(samples []any) error {
	var errs []error
	textOK, htmlOK := true, s.html != nil
	for _, data := range samples {
		if textOK {
			if _, _, err := s.execText(data); err != nil {
				errs = append(errs, err)
				textOK = false
			}
		}
		if htmlOK {
			if _, err := s.execHTML(data); err != nil {
				errs = append(errs, err)
				htmlOK = false
			}
		}
	}
	return errors.Join(errs...)
}

func (s *templateSet) execText(data any) (subject, text string, err error) {
	var b bytes.Buffer
	if err := s.text.ExecuteTemplate(&b, "subject", data); err != nil {
		return "", "", templateError(s.textFile, err)
	}
	subject = oneLine(b.String())
	if subject == "" {
		return "", "", fmt.Errorf("%s: the subject is empty", s.textFile)
	}
	b.Reset()
	if err := s.text.ExecuteTemplate(&b, "body", data); err != nil {
		return "", "", templateError(s.textFile, err)
	}
	text = tidyText(b.String())
	if text == "" {
		return "", "", fmt.Errorf("%s: the body is empty", s.textFile)
	}
	return subject, text, nil
}

func (s *templateSet) execHTML(data any) (string, error) {
	var b bytes.Buffer
	if err := s.html.ExecuteTemplate(&b, "body", data); err != nil {
		return "", templateError(s.htmlFile, err)
	}
	out := strings.TrimSpace(b.String())
	if out == "" {
		return "", fmt.Errorf("%s: the body is empty", s.htmlFile)
	}
	return out + "\n", nil
}

// parseText parses the partials, a layout and then the texts over it;
// each file's templates are named by its display name, so that Go's
// errors name it.
func parseText(partials []templateSource, layout templateSource, texts []templateSource, funcs map[string]any) (*ttemplate.Template, error) {
	return parseFiles(ttemplate.New(layout.display).Funcs(funcs).Option("missingkey=error"), partials, layout, texts)
}

func parseHTML(partials []templateSource, layout templateSource, texts []templateSource, funcs map[string]any) (*htemplate.Template, error) {
	return parseFiles(htemplate.New(layout.display).Funcs(funcs).Option("missingkey=error"), partials, layout, texts)
}

// parseFiles parses each partials file as a template of root's named by
// its file (the admin's after the built-in one, so that its parts win),
// the layout into root, then each texts file as a template of root's
// named by the file: for text and html templates alike. The partials come
// first: a part that a layout defines again is the layout's (an admin's
// layout written when each layout had its own "cluster" and page), and an
// empty default there ("due") gives way to the layout's.
func parseFiles[T interface {
	New(string) T
	Parse(string) (T, error)
}](root T, partials []templateSource, layout templateSource, texts []templateSource) (T, error) {
	for _, f := range partials {
		if _, err := root.New(f.display).Parse(f.src); err != nil {
			return root, templateError(f.display, err)
		}
	}
	t, err := root.Parse(layout.src)
	if err != nil {
		return t, templateError(layout.display, err)
	}
	for _, f := range texts {
		if _, err := t.New(f.display).Parse(f.src); err != nil {
			return t, templateError(f.display, err)
		}
	}
	return t, nil
}

func htmlLookup(t *htemplate.Template) func(string) *ttemplate.Template {
	return func(name string) *ttemplate.Template {
		if h := t.Lookup(name); h != nil && h.Tree != nil {
			return &ttemplate.Template{Tree: h.Tree}
		}
		return nil
	}
}

// checkDefined reports a layout that lacks a template the message needs
// ("subject", "body"), and a text that a template places but no file
// defines: for a language the admin adds, the texts file that lacks it.
func checkDefined(display string, texts []templateSource, lookup func(string) *ttemplate.Template, names ...string) error {
	for _, n := range names {
		if t := lookup(n); t == nil || t.Tree == nil {
			return fmt.Errorf("%s: no %q template: the file must contain {{define %q}}…{{end}}", display, n, n)
		}
	}
	// Walk what the entry points place, and what that places.
	_, missing := placed(lookup, names...)
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	where := display
	if len(texts) > 0 {
		where = texts[len(texts)-1].display
	}
	return fmt.Errorf("%s: no text %s, which %s places: copy %s from %s.%s.txt and translate %s",
		where, quoteAll(missing), display, pick2(len(missing) == 1, "it", "them"), textsStem, i18n.English, pick2(len(missing) == 1, "it", "them"))
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// templateCalls lists the templates a parse tree places with {{template}}.
func templateCalls(n parse.Node) []string {
	var out []string
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.TemplateNode:
			out = append(out, n.Name)
		case *parse.IfNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.List)
			walk(n.ElseList)
		}
	}
	walk(n)
	return out
}

// renderError is a template error as the admin reads it, naming the file
// ("templates/reminder.txt:7:14: …"); Unwrap gives Go's original error.
type renderError struct {
	msg string
	err error
}

func (e *renderError) Error() string { return e.msg }
func (e *renderError) Unwrap() error { return e.err }

// templateError drops Go's "template: " or "html/template:" before the
// file's name (templates are named by their file's display name); an
// error that names no file is given display's.
func templateError(display string, err error) error {
	msg := err.Error()
	for _, p := range []string{"template: ", "html/template: ", "html/template:"} {
		if rest, ok := strings.CutPrefix(msg, p); ok {
			msg = rest
			break
		}
	}
	if !reFileFirst.MatchString(msg) {
		msg = display + ": " + msg
	}
	return &renderError{msg: msg, err: err}
}

// reFileFirst matches an error that starts with a file name and a line.
var reFileFirst = regexp.MustCompile(`^[^\s:]+\.(txt|html):\d+`)

var reLangTag = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)

// partialNames are the files of the parts the layouts share, one per
// format.
func partialNames() []string {
	return []string{partialsStem + ".txt", partialsStem + ".html"}
}

// isPartials reports whether a file holds the parts the layouts share.
func isPartials(name string) bool {
	return slices.Contains(partialNames(), name)
}

// splitTemplateName parses "reminder.txt" (a layout), "reminder.lo.html"
// (a layout of one language, "lo") or "texts.lo.txt" (a language's texts).
func splitTemplateName(name string) (kind, lang string, texts, ok bool) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	if rest, found := strings.CutPrefix(stem, textsStem+"."); found && ext == ".txt" && reLangTag.MatchString(rest) {
		return "", i18n.Normalize(rest), true, true
	}
	for _, k := range templateKinds {
		if stem == k {
			return k, "", false, true
		}
		if rest, found := strings.CutPrefix(stem, k+"."); found && reLangTag.MatchString(rest) {
			return k, i18n.Normalize(rest), false, true
		}
	}
	return "", "", false, false
}

// cleanSource checks that an admin's file is UTF-8 and drops what Windows
// editors add: a byte order mark and CR before LF.
func cleanSource(b []byte) (string, error) {
	if !utf8.Valid(b) {
		return "", errors.New("not UTF-8 text: save the file with the UTF-8 encoding")
	}
	s := strings.TrimPrefix(string(b), "\uFEFF")
	return strings.ReplaceAll(s, "\r\n", "\n"), nil
}
