package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/notify"
)

// The ministry's pages speak the ministry's language, as its e-mails do:
// a Lao focal point who follows the link in a Lao reminder lands on a Lao
// page. The sentences are kept here, keyed by their English text (as
// gettext does), so that the English stays readable in the templates and
// the code, and a sentence nobody translated yet still shows, in English.
// TestPageTextComplete holds every language to the same sentences.
//
// The coordinating body's dashboard, its task pages and the public page
// are in English for now (localizedPages).

// localizedPages are the templates written in the reader's language; the
// others are rendered in English.
var localizedPages = map[string]bool{
	"layout.html": true, "home.html": true, "message.html": true, "ministry.html": true, "task.html": true,
}

// pageLanguages are the languages the pages are written in, English first.
var pageLanguages = []string{"en", "fr", "es", "lo"}

// tr writes msg, a sentence given in English, in lang, then fills in
// args as fmt does.
func tr(lang, msg string, args ...any) string {
	if t, ok := pageText[lang][msg]; ok {
		msg = t
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// tr writes msg in the language of the request's page.
func (s *Server) tr(r *http.Request, msg string, args ...any) string {
	return tr(s.pageLang(r), msg, args...)
}

// pageLang is the language the request's pages speak: the ministry's for
// a ministry's session (English for a language followup has no pages
// in); English for the coordinating body, whose pages are English for
// now. Without a session (a link that failed, the home page): the
// language of the link's ministry when the link could be read, else the
// browser's first language the pages are written in, else English.
func (s *Server) pageLang(r *http.Request) string {
	if p, ok := PrincipalFrom(r.Context()); ok {
		if p.Coordinator {
			return "en"
		}
		return s.bodyLang(p.Body)
	}
	if l, ok := r.Context().Value(langKey{}).(string); ok {
		return l
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

// bodyLang is the page language of a ministry.
func (s *Server) bodyLang(body string) string {
	if b, ok := s.Config().Ministry(body); ok {
		return notify.WordingFor(b.Language, nil).Lang
	}
	return "en"
}

type langKey struct{}

// withLang sets the pages' language for a request without a session.
func withLang(r *http.Request, lang string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), langKey{}, lang))
}

// acceptLanguage picks the first language of an Accept-Language header
// that the pages are written in ("fr-CA,fr;q=0.9" → fr); English when
// none is. Browsers list languages in the user's order, so the q values
// are not weighed.
func acceptLanguage(h string) string {
	for _, part := range strings.Split(h, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		for _, l := range pageLanguages {
			if primary == l {
				return l
			}
		}
	}
	return "en"
}

// statusTitle is a message page's heading for an HTTP status.
func statusTitle(lang string, status int) string {
	if t, ok := statusTitles[status]; ok {
		return tr(lang, t)
	}
	return http.StatusText(status)
}

var statusTitles = map[int]string{
	http.StatusBadRequest:            "The request could not be read",
	http.StatusForbidden:             "Not allowed",
	http.StatusNotFound:              "Not found",
	http.StatusConflict:              "Already done",
	http.StatusRequestEntityTooLarge: "Too large",
	http.StatusUnprocessableEntity:   "Please correct the form",
	http.StatusTooManyRequests:       "Too many attempts",
	http.StatusInternalServerError:   "Server error",
	http.StatusServiceUnavailable:    "Temporarily unavailable",
}

// eventNames name the kinds of a task's history.
var eventNames = map[string]string{
	"created":          "Created",
	"assign":           "Assignment",
	"stage":            "Stage",
	"update":           "Progress update",
	"public":           "Publication",
	"not-ours":         "“Not ours”",
	"not-ours-decided": "Decision on “not ours”",
}

// roleNames name who recorded an update.
var roleNames = map[string]string{
	"lead":        "lead ministry",
	"support":     "supporting ministry",
	"coordinator": "coordinating body",
}

// dueIn says what a deadline asks, in lang: a stage's deadline names the
// stage to reach ("Next step: Acknowledged, by 23 December 2026"), where
// its label is the path between stage names ("Assigned → Acknowledged");
// others keep their label ("Next report due: 1 June 2028").
func dueIn(w notify.Wording, label string, date string) string {
	if i := strings.LastIndex(label, " → "); i >= 0 {
		return tr(w.Lang, "Next step: %s, by %s", w.Stage(label[i+len(" → "):]), date)
	}
	return tr(w.Lang, "%s: %s", w.Label(label), date)
}

// datetimeWith writes an instant in loc, the date in the language.
func datetimeWith(w notify.Wording, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return w.Date(civil.DateOf(t)) + ", " + t.Format("15:04 MST")
}
