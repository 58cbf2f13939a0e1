package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/followup-app/followup/config"
)

// Principal is who a session speaks for: one focal point of one body.
type Principal struct {
	FocalPoint  string // the address the link was issued to
	Body        string // ministry id, or the coordinator's
	Coordinator bool   // the coordinating body's focal point
	SessionHash string // hex SHA-256 of the session id (never the id itself)
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the request's principal; ok is false without a
// session.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// known reports whether cfg still lists the focal point in its body: an
// address the admin removed from the config loses its links and sessions
// at once.
func known(cfg *config.Config, body, email string) (config.Body, bool) {
	b, ok := cfg.Ministry(body)
	if !ok {
		return b, false
	}
	return b, slices.ContainsFunc(b.FocalPoints, func(fp config.FocalPoint) bool { return strings.EqualFold(fp.Email, email) })
}

// ministryOnly serves h to a ministry's session; anyone else gets 403 (no
// session: the page says to open the link in an e-mail).
func (s *Server) ministryOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := PrincipalFrom(r.Context())
		switch {
		case !ok:
			s.fail(w, r, http.StatusForbidden, msgNoSession)
		case p.Coordinator:
			s.fail(w, r, http.StatusForbidden, "This page is for ministries; the coordinating body's dashboard is at /c/.")
		default:
			h(w, r)
		}
	}
}

// coordinatorOnly serves h to the coordinating body's session only.
func (s *Server) coordinatorOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := PrincipalFrom(r.Context())
		switch {
		case !ok:
			s.fail(w, r, http.StatusForbidden, msgNoSession)
		case !p.Coordinator:
			s.fail(w, r, http.StatusForbidden, "This page is for the coordinating body.")
		default:
			h(w, r)
		}
	}
}

const msgNoSession = "Open the link in your latest e-mail from followup to reach this page."
