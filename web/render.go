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

	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/workflow"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// pageTemplate is one page: the layout with that page's "title" and "main".
type pageTemplate struct{ t *template.Template }

// funcs are the helpers every template may use. Times are shown in the
// config's zone, as in the e-mails.
func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"datetime": func(t time.Time) string { return datetimeIn(t, s.Config().Location) },
		"join":     strings.Join,
		"size":     func(n int64) string { return humanSize(n) },
		"short":    notify.Shorten,
		"due":      dueText,
	}
}

// dueText says what a deadline asks, for a focal point: a stage's
// deadline names the stage to reach ("Next step: Acknowledged, by 23
// December 2026"), where its label is the path between stage names
// ("Assigned → Acknowledged"); others keep their label ("Next report due:
// 1 June 2028").
func dueText(d workflow.Deadline) string {
	date := d.Date.Start(time.UTC).Format("2 January 2006")
	if d.Kind == workflow.KindStage {
		if i := strings.LastIndex(d.Label, " → "); i >= 0 {
			return "Next step: " + d.Label[i+len(" → "):] + ", by " + date
		}
	}
	return d.Label + ": " + date
}

// datetimeIn writes an instant for people, in loc.
func datetimeIn(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2 January 2006, 15:04 MST")
}

// humanSize writes a file size: 812 bytes, 14 KB, 2.3 MB.
func humanSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// loadPages parses layout.html with each other template: every page
// defines "title" and "main", and the layout places them.
func (s *Server) loadPages() (map[string]*pageTemplate, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	layout, err := template.New("layout.html").Funcs(s.funcs()).ParseFS(templateFiles, "templates/layout.html")
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
	b, err := s.renderPage(r, name, data)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writePage(w, status, b)
}

// renderPage renders a page into memory (a template error becomes a clean
// 500, never half a page); the error is logged.
func (s *Server) renderPage(r *http.Request, name string, data any) ([]byte, error) {
	p, ok := s.pages[name]
	if !ok {
		s.logger.Error("no such template", "template", name)
		return nil, fmt.Errorf("no template %s", name)
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
