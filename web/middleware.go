package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"

	"github.com/followup-app/followup/store"
)

// securityHeaders sets what every response carries: no script at all, no
// framing, no sniffing, no referrer (a URL must never leak to another
// site), and no caching of pages that hold a ministry's work.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		if s.Config().Web.HTTPS() {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses state-changing requests from other sites (Go's
// CrossOriginProtection: Sec-Fetch-Site, else Origin against Host), with a
// page that says why.
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.logger.Warn("cross-origin form refused", "path", r.URL.Path, "origin", r.Header.Get("Origin"), "client", s.clientAddr(r))
		s.fail(w, r, http.StatusForbidden, "This form was sent from another site and was refused. Open followup from the link in your e-mail and send it from there.")
	}))
	return cop.Handler(next)
}

// recoverer turns a handler's panic into a 500 page and a log line rather
// than a dropped connection.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.logger.Error("page failed", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.fail(w, r, http.StatusInternalServerError, "Something went wrong on the server. Nothing was saved; please try again later.")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// sessionCookie is the cookie holding the session id.
const sessionCookie = "followup_session"

// session puts the principal of a valid session cookie in the request's
// context. An unknown, expired or revoked session, or one whose focal
// point the config no longer lists, is simply no session.
func (s *Server) session(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" || len(c.Value) > 128 {
			next.ServeHTTP(w, r)
			return
		}
		hash := hashID(c.Value)
		sess, err := s.db.ActiveSession(r.Context(), hash, s.clock.Now())
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			s.dbError(w, r, err)
			return
		default:
			if _, ok := known(s.Config(), sess.Body, sess.FocalPoint); ok {
				r = r.WithContext(WithPrincipal(r.Context(), Principal{FocalPoint: sess.FocalPoint, Body: sess.Body,
					Coordinator: sess.Coordinator, SessionHash: hash}))
			}
		}
		next.ServeHTTP(w, r)
	})
}

// hashID is what the database keeps of a session id.
func hashID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// clientAddr is the client's IP address: the peer's, or, when the peer is
// a trusted reverse proxy, the last address in X-Forwarded-For that is not
// one of the proxies.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	proxies := s.Config().Web.TrustedProxies
	peer, err := netip.ParseAddr(host)
	if err != nil || len(proxies) == 0 || !trusted(proxies, peer) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return host // a malformed header: trust only what we saw
		}
		if !trusted(proxies, a.Unmap()) {
			return a.Unmap().String()
		}
	}
	return host
}

func trusted(proxies []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
