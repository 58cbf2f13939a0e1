package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/i18n"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/workflow"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// pageTemplate is one page: the layout with that page's "title" and "main".
type pageTemplate struct{ t *template.Template }

// pageSet is the pages parsed with the functions of one language. A
// language's set is parsed when a page is first asked in it, so that a
// server whose ministries all read Lao holds the English and Lao sets only.
type pageSet struct {
	once  sync.Once
	pages map[string]*pageTemplate
	err   error
}

// funcs are the helpers every template may use, writing in lang. Times
// are shown in the config's zone, as in the e-mails; stage and ministry
// names are read from the config at render time, so that a reload shows.
func (s *Server) funcs(lang string) template.FuncMap {
	// The wording (stage names by id and by name) is made once per config,
	// not at every date or stage a page writes.
	type cached struct {
		cfg *config.Config
		w   notify.Wording
	}
	var last atomic.Pointer[cached]
	word := func() notify.Wording {
		cfg := s.Config()
		if c := last.Load(); c != nil && c.cfg == cfg {
			return c.w
		}
		c := &cached{cfg: cfg, w: notify.WordingFor(lang, cfg.Stages)}
		last.Store(c)
		return c.w
	}
	return template.FuncMap{
		"t":        func(msg string, args ...any) string { return tr(lang, msg, args...) },
		"options":  optionsHTML,
		"datetime": func(t time.Time) string { return datetimeWith(word(), t, s.Config().Location) },
		"date":     func(d civil.Date) string { return word().Date(d) },
		"stage":    func(id string) string { return word().Stage(id) },
		"ministry": func(id string) string { return dashBodyNameIn(s.Config(), id, lang) },
		"label":    func(l string) string { return word().Label(l) },
		"fromto":   func(kind, from, to string) string { return fromTo(s.Config(), word(), kind, from, to) },
		"status": func(st string) string {
			if n, ok := statusNames[st]; ok {
				return tr(lang, n)
			}
			return st
		},
		"languages": languageNames,
		"event": func(kind string) string {
			if n, ok := eventNames[kind]; ok {
				return tr(lang, n)
			}
			return kind
		},
		"note": func(n string) string {
			if m, ok := noteNames[n]; ok {
				return tr(lang, m)
			}
			return n
		},
		"role": func(r string) string {
			if n, ok := roleNames[r]; ok {
				return tr(lang, n)
			}
			return r
		},
		"join":  strings.Join,
		"size":  i18n.FileSize,
		"short": notify.Shorten,
		"due": func(d workflow.Deadline) string {
			w := word()
			date := w.Date(d.Date)
			if d.Kind == workflow.KindStage {
				return dueIn(w, d.Label, date)
			}
			return tr(lang, "%s: %s", w.Label(d.Label), date)
		},
	}
}

// loadPages parses layout.html with each other template, with the
// functions of lang: every page defines "title" and "main", and the
// layout places them.
func (s *Server) loadPages(lang string) (map[string]*pageTemplate, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	layout, err := template.New("layout.html").Funcs(s.funcs(lang)).ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*pageTemplate{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFiles, n)
		if err != nil {
			return nil, err
		}
		pages[base] = &pageTemplate{t}
	}
	return pages, nil
}

// pagesIn returns the pages of lang, parsing them on first use.
func (s *Server) pagesIn(lang string) (map[string]*pageTemplate, error) {
	set, ok := s.pageSets[lang]
	if !ok {
		set = s.pageSets["en"]
		lang = "en"
	}
	set.once.Do(func() { set.pages, set.err = s.loadPages(lang) })
	return set.pages, set.err
}

// view is what the layout sees; the page's own data is .Data.
type view struct {
	Lang     string // the page's language, for <html lang>
	Who      *Principal
	BodyName string // the principal's ministry or coordinating body
	Data     any
}

// render writes a page. It renders into a buffer first, so that a
// template error becomes a clean 500, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	b, err := s.renderPage(r, name, data)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writePage(w, status, b)
}

// renderPage renders a page into memory, in the reader's language (a
// template error becomes a clean 500, never half a page); the error is
// logged.
func (s *Server) renderPage(r *http.Request, name string, data any) ([]byte, error) {
	lang := s.pageLang(r)
	pages, err := s.pagesIn(lang)
	if err != nil {
		s.logger.Error("parse pages", "lang", lang, "err", err)
		return nil, err
	}
	p, ok := pages[name]
	if !ok {
		s.logger.Error("no such template", "template", name)
		return nil, fmt.Errorf("no template %s", name)
	}
	v := view{Lang: lang, Data: data}
	if who, ok := PrincipalFrom(r.Context()); ok {
		v.Who = &who
		if b, ok := s.Config().Ministry(who.Body); ok {
			v.BodyName = b.Name
		}
	}
	var buf bytes.Buffer
	if err := p.t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		s.logger.Error("render page", "template", name, "err", err)
		return nil, err
	}
	return buf.Bytes(), nil
}

func writePage(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b) // the client may have gone; nothing to do about it
}

// message is the data of message.html: a page that says one thing.
type message struct {
	Title string
	Text  string
	// Back, when set, is a link to go on from the message.
	Back, BackText string
}

// fail answers with status and a page saying msg in plain words, in the
// page's language: msg is an English sentence of pageText, filled in with
// args as fmt does (a sentence it does not hold is shown as it is).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string, args ...any) {
	lang := s.pageLang(r)
	s.render(w, r, status, "message.html", message{Title: statusTitle(lang, status), Text: tr(lang, msg, args...)})
}

func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(fmt.Sprintf("embedded static files: %v", err)) // unreachable: the folder is embedded above
	}
	return http.FileServerFS(sub)
}
