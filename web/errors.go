package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/followup-app/followup/store"
)

// statusOf is the one mapping from the store's error kinds to HTTP
// statuses; every handler answers a store error through storeFail, which
// uses it, rather than choosing a status of its own.
//
//	store.ErrNotFound  404 Not Found
//	store.ErrInvalid   422 Unprocessable Entity
//	store.ErrConflict  409 Conflict
//	anything else      503 Service Unavailable: the database is busy,
//	                   read-only, full or damaged, or failed otherwise;
//	                   nothing the user sent was wrong, and nothing was
//	                   written
func statusOf(err error) int {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, store.ErrInvalid):
		return http.StatusUnprocessableEntity
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict
	}
	return http.StatusServiceUnavailable
}

// The pages' words for a database that fails: reading pages say they
// cannot read it, the ministries' pages (which write) that nothing was
// saved.
const (
	msgCannotRead  = "The server cannot read its database right now. Please try again in a few minutes."
	msgNothingSent = "The server cannot reach its database right now. Nothing was saved; please try again in a few minutes."
)

// failTexts are what a page says for each kind of store error: what the
// handler looked for (notFound), why the change was refused (conflict,
// invalid), and what it says when the database fails (unavailable). Empty
// ones say the defaults.
type failTexts struct {
	notFound, conflict, invalid, unavailable string
}

// storeFail answers a request whose store call failed: the status from
// statusOf, a page in plain words, and the detail in the log when the
// database failed. A request whose client went away is not answered.
func (s *Server) storeFail(w http.ResponseWriter, r *http.Request, err error, say failTexts) {
	if errors.Is(err, context.Canceled) {
		return
	}
	status := statusOf(err)
	var msg string
	switch status {
	case http.StatusNotFound:
		msg = "There is no page at this address."
		if say.notFound != "" {
			msg = say.notFound
		}
	case http.StatusConflict:
		msg = "Nothing was saved."
		if say.conflict != "" {
			msg = say.conflict
		}
	case http.StatusUnprocessableEntity:
		msg = "The form could not be read; please send it again."
		if say.invalid != "" {
			msg = say.invalid
		}
	default:
		s.logger.Error("database", "path", r.URL.Path, "err", err)
		msg = msgCannotRead
		if say.unavailable != "" {
			msg = say.unavailable
		}
	}
	s.fail(w, r, status, msg)
}

// dbError answers a store error on a page that reads (the dashboard, the
// public pages).
func (s *Server) dbError(w http.ResponseWriter, r *http.Request, err error) {
	s.storeFail(w, r, err, failTexts{})
}

// dbFail answers a store error on a ministry's page.
func (s *Server) dbFail(w http.ResponseWriter, r *http.Request, err error) {
	s.storeFail(w, r, err, failTexts{unavailable: msgNothingSent})
}
