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
	"time"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// pageTemplate is one page: the layout with that page's "title" and "main".
type pageTemplate struct{ t *template.Template }

// funcs are the helpers every template may use.
var funcs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("2 January 2006")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("2 January 2006, 15:04 MST")
	},
	"join": strings.Join,
}

// loadPages parses layout.html with each other template: every page
// defines "title" and "main", and the layout places them.
func loadPages() (map[string]*pageTemplate, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html")
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

// view is what the layout sees; the page's own data is .Data.
type view struct {
	Who      *Principal
	BodyName string // the principal's ministry or coordinating body
	Data     any
}

// render writes a page. It renders into a buffer first, so that a
// template error becomes a clean 500, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	p, ok := s.pages[name]
	if !ok {
		s.logger.Error("no such template", "template", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	v := view{Data: data}
	if who, ok := PrincipalFrom(r.Context()); ok {
		v.Who = &who
		if b, ok := s.Config().Ministry(who.Body); ok {
			v.BodyName = b.Name
		}
	}
	var buf bytes.Buffer
	if err := p.t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		s.logger.Error("render page", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // the client may have gone; nothing to do about it
}

// message is the data of message.html: a page that says one thing.
type message struct {
	Title string
	Text  string
	// Back, when set, is a link to go on from the message.
	Back, BackText string
}

// fail answers with status and a page saying msg in plain words.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "message.html", message{Title: http.StatusText(status), Text: msg})
}

func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(fmt.Sprintf("embedded static files: %v", err)) // unreachable: the folder is embedded above
	}
	return http.FileServerFS(sub)
}
