package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/i18n"
	"github.com/followup-app/followup/notify"
)

// The pages speak their reader's language, as the e-mails do: a Lao focal
// point who follows the link in a Lao reminder lands on a Lao page, and
// the coordinating body's dashboard is in the language of its overview.
// The sentences are kept in the i18n catalogue (i18n/text/LANG.yaml),
// keyed by their English text (as gettext does), so that the English stays
// readable in the templates and the code, and a sentence nobody translated
// yet still shows, in English. TestPageTextComplete holds every language
// to the same sentences.

// pageLanguages are the languages the pages are written in: those
// followup ships, English first.
var pageLanguages = i18n.Languages()

// pagesLanguage is the page language of a language tag (i18n.Match):
// the shipped language it is written in ("fr-CA" → fr, "LO" → lo), else
// English; ok says whether the pages are in it. Every choice of a page
// language goes through it (a body's, the browser's).
func pagesLanguage(tag string) (lang string, ok bool) { return i18n.Match(tag) }

// EnglishPagesFor names the bodies of cfg whose language the pages are not
// written in ("moj (de)"): their pages are in English. A body's language
// must have mail templates (a config error otherwise); the pages have no
// override folder, so this is said at start and by config check rather
// than refused.
func EnglishPagesFor(cfg *config.Config) []string {
	var out []string
	for _, b := range append([]config.Body{cfg.Coordinator}, cfg.Ministries...) {
		if _, ok := pagesLanguage(b.Language); !ok && strings.TrimSpace(b.Language) != "" {
			out = append(out, fmt.Sprintf("%s (%s)", b.ID, b.Language))
		}
	}
	return out
}

// tr writes msg, a sentence given in English, in lang (in the plural
// form its first integer argument takes), then fills in args as fmt does:
// the pages' part of the i18n catalogue.
func tr(lang, msg string, args ...any) string { return i18n.T(i18n.Pages, lang, msg, args...) }

// tr writes msg in the language of the request's page.
func (s *Server) tr(r *http.Request, msg string, args ...any) string {
	return tr(s.pageLang(r), msg, args...)
}

// pageLang is the language the request's pages speak (English for a
// language followup has no pages in): the one a handler set for the
// request (the public pages', a failed link's ministry's); else the
// session's body's (a ministry, or the coordinating body); else the
// browser's first language the pages are written in; else English.
func (s *Server) pageLang(r *http.Request) string {
	if l, ok := r.Context().Value(langKey{}).(string); ok {
		return l
	}
	if p, ok := PrincipalFrom(r.Context()); ok {
		return s.bodyLang(p.Body)
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

// bodyLang is the page language of a ministry or the coordinating body.
func (s *Server) bodyLang(body string) string {
	b, _ := s.Config().Ministry(body)
	lang, _ := pagesLanguage(b.Language)
	return lang
}

// coordLang is the coordinating body's page language: the dashboard's
// parts and the CSV export are written in it outside any request.
func coordLang(cfg *config.Config) string {
	lang, _ := pagesLanguage(cfg.Coordinator.Language)
	return lang
}

// languageNames name each page language in itself, for the public pages'
// language links.
func languageNames() []struct{ Tag, Name string } {
	var out []struct{ Tag, Name string }
	for _, l := range i18n.Languages() {
		out = append(out, struct{ Tag, Name string }{l, i18n.Name(l)})
	}
	return out
}

// valueNames name the other values a task's history records: an update's
// visibility, a decision on "not ours".
var valueNames = map[string]string{
	"public":  "public",
	"private": "private",
	"agreed":  "agreed",
	"refused": "refused",
}

// fromTo writes what an entry of a task's history changed, ": FROM → TO",
// in w's language: stages and ministries by name, an owner and its supporting
// ministries ("moj +mps,moes", as the store writes them) by names, other
// values translated; "" when it names nothing.
func fromTo(cfg *config.Config, w notify.Wording, kind, from, to string) string {
	if from == "" && to == "" {
		return ""
	}
	lang := w.Lang
	name := func(v string) string {
		switch kind {
		case "stage":
			return w.Stage(v)
		case "update", "not-ours", "not-ours-decided":
			if n, ok := valueNames[v]; ok {
				return tr(lang, n)
			}
			return dashBodyNameIn(cfg, v, lang)
		case "assign", "created":
			owner, support, _ := strings.Cut(v, " +")
			if owner == "unassigned" {
				owner = ""
			}
			out := dashBodyNameIn(cfg, owner, lang)
			if support != "" {
				var names []string
				for _, id := range strings.Split(support, ",") {
					names = append(names, dashBodyNameIn(cfg, id, lang))
				}
				out += " (" + tr(lang, "with %s", strings.Join(names, ", ")) + ")"
			}
			return out
		}
		if n, ok := valueNames[v]; ok {
			return tr(lang, n)
		}
		return v
	}
	switch {
	case from == "":
		return ": " + name(to)
	case to == "":
		return ": " + name(from)
	}
	return ": " + name(from) + " → " + name(to)
}

// statusNames name the states of a message in the outbox.
var statusNames = map[string]string{
	"pending":   "waiting",
	"sending":   "sending",
	"sent":      "sent",
	"failed":    "failed",
	"uncertain": "uncertain",
}

type langKey struct{}

// withLang sets the pages' language for a request without a session.
func withLang(r *http.Request, lang string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), langKey{}, lang))
}

// acceptLanguage picks the language of the pages an Accept-Language
// header asks for (i18n.MatchAccept): "fr-CA,fr;q=0.9" → fr; English when
// it asks for none they are written in.
func acceptLanguage(h string) string { return i18n.MatchAccept(h) }

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

// noteFromWebPage is the note of a stage a focal point moved on the task's
// page: the history shows it in the reader's language (noteNames).
const noteFromWebPage = "from the web page"

// noteNames name the notes followup itself writes in a task's history;
// any other note (the admin's, a focal point's reason) shows as written.
var noteNames = map[string]string{
	noteFromWebPage: "from the web page",
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
	"cluster":          "Group of the same ask", // joined (to: its name) or left (from: its name)
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
