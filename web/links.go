package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/followup-app/followup/store"
)

// A link token binds a focal point's address, its body (a ministry or the
// coordinator), an expiry and a generation, signed with HMAC-SHA256 under
// the key in web.secret_file:
//
//	base64url( version | expiry (uvarint, unix s) | generation (uvarint) |
//	           len(body) (uvarint) | body | address | mac[:16] )
//
// 16 bytes of MAC (128 bits) keep the link short enough to survive mail
// clients that wrap long lines. The generation is the sum of the global,
// body and address generations in the database when the link was made;
// revoking bumps one of them, so every older link stops working.

const (
	tokenVersion = 1
	macSize      = 16
	maxToken     = 512 // longer is not a token we made
)

// Claims is what a link says.
type Claims struct {
	FocalPoint string
	Body       string
	Expires    time.Time
	Generation int64
}

// Why a link is refused. All are 403 to the client; the page says which,
// after the signature proved the link was ours.
var (
	errBadToken = errors.New("this link is not valid: it may be cut short or mistyped")
	errExpired  = errors.New("this link has expired")
	errRevoked  = errors.New("this link was revoked")
)

func (s *Server) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("followup link\x00")) // domain separation from any other use of the key
	m.Write(payload)
	return m.Sum(nil)[:macSize]
}

// Sign makes a token for c.
func (s *Server) Sign(c Claims) string {
	var b []byte
	b = append(b, tokenVersion)
	b = binary.AppendUvarint(b, uint64(c.Expires.Unix()))
	b = binary.AppendUvarint(b, uint64(c.Generation))
	b = binary.AppendUvarint(b, uint64(len(c.Body)))
	b = append(b, c.Body...)
	b = append(b, strings.ToLower(c.FocalPoint)...)
	b = append(b, s.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// parse checks a token's signature (in constant time) and decodes it. It
// does not look at the expiry or the generation.
func (s *Server) parse(token string) (Claims, error) {
	var c Claims
	if len(token) > maxToken {
		return c, errBadToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < 1+macSize {
		return c, errBadToken
	}
	payload, sum := raw[:len(raw)-macSize], raw[len(raw)-macSize:]
	if !hmac.Equal(sum, s.mac(payload)) {
		return c, errBadToken
	}
	if payload[0] != tokenVersion {
		return c, errBadToken
	}
	p := payload[1:]
	next := func() (uint64, bool) {
		v, n := binary.Uvarint(p)
		if n <= 0 {
			return 0, false
		}
		p = p[n:]
		return v, true
	}
	exp, ok1 := next()
	gen, ok2 := next()
	blen, ok3 := next()
	if !ok1 || !ok2 || !ok3 || blen > uint64(len(p)) || exp > 1<<40 || gen > 1<<40 {
		return c, errBadToken
	}
	c.Expires = time.Unix(int64(exp), 0).UTC()
	c.Generation = int64(gen)
	c.Body, c.FocalPoint = string(p[:blen]), string(p[blen:])
	return c, nil
}

// Verify checks a token completely: signature, expiry, generation, and
// that the config still lists the focal point in its body.
func (s *Server) Verify(ctx context.Context, token string) (Claims, error) {
	c, err := s.parse(token)
	if err != nil {
		return c, err
	}
	if !s.clock.Now().Before(c.Expires) {
		return c, errExpired
	}
	if _, ok := known(s.Config(), c.Body, c.FocalPoint); !ok {
		return c, errRevoked
	}
	gen, err := s.db.LinkGeneration(ctx, c.FocalPoint, c.Body)
	if err != nil {
		return c, err
	}
	if gen != c.Generation {
		return c, errRevoked
	}
	return c, nil
}

// Link makes a fresh link for a focal point of a body (a ministry or the
// coordinator), valid for web.link_valid, at the current generation:
// what `followup link` prints. Messages get theirs from SignedLink.
func (s *Server) Link(ctx context.Context, body, email string) (string, error) {
	cfg := s.Config()
	if _, ok := cfg.Ministry(body); !ok {
		return "", fmt.Errorf("unknown ministry %q", body)
	}
	if _, ok := known(cfg, body, email); !ok {
		return "", fmt.Errorf("%s is not a focal point of %s", email, body)
	}
	gen, err := s.db.LinkGeneration(ctx, email, body)
	if err != nil {
		return "", err
	}
	return s.SignedLink(body, email, gen), nil
}

// SignedLink is the link for email of body at generation gen, valid for
// web.link_valid from now: what a message carries (package plan reads the
// generation in its own transaction and calls this).
func (s *Server) SignedLink(body, email string, gen int64) string {
	cfg := s.Config()
	exp := s.clock.Now().AddDate(0, cfg.Web.LinkValid.Months, cfg.Web.LinkValid.Days)
	return cfg.Web.BaseURL + "/l/" + s.Sign(Claims{FocalPoint: email, Body: body, Expires: exp, Generation: gen})
}

// SessionKeep is how long a session that ended stays listed (`followup
// link sessions`) before the daemon's heartbeat deletes it: over years,
// every link opened (and every mail scanner that follows links) adds one.
const SessionKeep = 90 * 24 * time.Hour

// sessionMax bounds a session however long its link lives: a browser
// left open on a shared computer should not stay signed in for weeks.
const sessionMax = 14 * 24 * time.Hour

// A link opened is a page with one button: GET and HEAD write nothing (a
// mail scanner that fetches every link of a message, a browser's
// prefetch), and the button's POST starts the session. A browser that
// holds a session of the link's own focal point already goes straight
// on.

// handleLink answers a link opened (GET or HEAD): the refusal of a link
// that is not valid, else the page whose button opens the session.
func (s *Server) handleLink(w http.ResponseWriter, r *http.Request) {
	c, ok := s.checkLink(w, r)
	if !ok {
		return
	}
	cfg := s.Config()
	coordinator := c.Body == cfg.Coordinator.ID
	to := landing(r.URL.Query().Get("to"), coordinator)
	if s.sessionOf(r, c) {
		http.Redirect(w, r, to, http.StatusSeeOther)
		return
	}
	b, _ := known(cfg, c.Body, c.FocalPoint)
	name := c.FocalPoint
	for _, fp := range b.FocalPoints {
		if strings.EqualFold(fp.Email, c.FocalPoint) && strings.TrimSpace(fp.Name) != "" {
			name = fp.Name
		}
	}
	p := linkPage{Action: "/l/" + r.PathValue("token"), Name: name, BodyName: b.Name, Coordinator: coordinator}
	if to != landing("", coordinator) {
		p.To = to
	}
	s.render(w, withLang(r, s.bodyLang(c.Body)), http.StatusOK, "link.html", p)
}

// linkPage is the data of link.html.
type linkPage struct {
	Action      string // where the button posts: the link itself
	To          string // the page the link leads to, when not the area's first
	Name        string // the focal point's name in the config, else its address
	BodyName    string
	Coordinator bool
}

// sessionOf reports whether the request comes with a session of the
// link's focal point and body.
func (s *Server) sessionOf(r *http.Request, c Claims) bool {
	p, ok := PrincipalFrom(r.Context())
	return ok && p.Body == c.Body && strings.EqualFold(p.FocalPoint, c.FocalPoint)
}

// checkLink checks the link of the request's path, for a client that has
// not failed too often; false when the request was answered (403, 429,
// 503). A failure counts against the client's address.
func (s *Server) checkLink(w http.ResponseWriter, r *http.Request) (Claims, bool) {
	ip := s.clientAddr(r)
	if !s.limiter.allow(ip) {
		w.Header().Set("Retry-After", "60")
		s.fail(w, r, http.StatusTooManyRequests, "Too many links that do not work were opened from your address. Wait a minute and open the link in your latest e-mail again.")
		return Claims{}, false
	}
	c, err := s.Verify(r.Context(), r.PathValue("token"))
	if err != nil {
		if !errors.Is(err, errBadToken) && !errors.Is(err, errExpired) && !errors.Is(err, errRevoked) {
			s.logger.Error("check link", "err", err)
			s.fail(w, r, http.StatusServiceUnavailable, "The server cannot check links right now. Please try again in a few minutes.")
			return c, false
		}
		s.limiter.fail(ip)
		s.logger.Info("link refused", "client", ip, "reason", err.Error())
		// A link that was signed (expired or revoked) names its ministry:
		// the page speaks its language.
		if c.Body != "" {
			r = withLang(r, s.bodyLang(c.Body))
		}
		msg := "This link is not valid: it may be cut short or mistyped. Open the link in your latest e-mail from followup, or ask the coordinating body for a new one."
		switch {
		case errors.Is(err, errExpired):
			msg = "This link has expired. Open the link in your latest e-mail from followup, or ask the coordinating body for a new one."
		case errors.Is(err, errRevoked):
			msg = "This link was revoked. Open the link in your latest e-mail from followup, or ask the coordinating body for a new one."
		}
		s.fail(w, r, http.StatusForbidden, msg)
		return c, false
	}
	return c, true
}

// handleLinkOpen opens a session from a link (the button of its page)
// and redirects to the same site without the token (so that it does not
// stay in the address bar, the history or a Referer). A second press,
// sent with the session the first one opened, opens no other.
func (s *Server) handleLinkOpen(w http.ResponseWriter, r *http.Request) {
	c, ok := s.checkLink(w, r)
	if !ok || !s.parseSmallForm(w, r) {
		return
	}
	cfg := s.Config()
	coordinator := c.Body == cfg.Coordinator.ID
	to := landing(r.PostFormValue("to"), coordinator)
	if s.sessionOf(r, c) {
		http.Redirect(w, r, to, http.StatusSeeOther)
		return
	}
	ip := s.clientAddr(r)
	id := make([]byte, 32)
	if _, err := rand.Read(id); err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The server could not start a session. Please try again.")
		return
	}
	sid := base64.RawURLEncoding.EncodeToString(id)
	now := s.clock.Now()
	exp := now.Add(sessionMax)
	if c.Expires.Before(exp) {
		exp = c.Expires
	}
	if err := s.db.CreateSession(r.Context(), store.Session{IDHash: hashID(sid), FocalPoint: c.FocalPoint, Body: c.Body,
		Coordinator: coordinator, Expires: exp, ClientAddr: ip}); err != nil {
		s.logger.Error("create session", "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "The server cannot start a session right now. Please try again in a few minutes.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, Path: "/", Expires: exp, MaxAge: int(exp.Sub(now).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure()})
	s.logger.Info("session opened", "focal_point", c.FocalPoint, "body", c.Body, "client", ip)
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// landing is where a link leads once the session is open: its ?to= when
// that is a page of the session's own area (a task line's link in an
// e-mail), else the area's first page. Anything else (another site, a
// scheme, "//host") is ignored, so a link cannot be made to redirect
// elsewhere.
func landing(to string, coordinator bool) string {
	area := "/m/"
	if coordinator {
		area = "/c/"
	}
	u, err := url.Parse(to)
	if to == "" || err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, area) ||
		strings.Contains(to, "//") || strings.Contains(to, "\\") || strings.ContainsAny(to, "\r\n") {
		return area
	}
	return u.Path
}

// secure reports whether cookies need the Secure flag: when the server
// speaks HTTPS itself or people reach it over HTTPS through a proxy.
func (s *Server) secure() bool {
	w := s.Config().Web
	return w.HTTPS() || strings.HasPrefix(w.BaseURL, "https://")
}

// handleLogout ends the session.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if p, ok := PrincipalFrom(r.Context()); ok {
		if err := s.db.EndSession(r.Context(), p.SessionHash); err != nil {
			s.logger.Error("end session", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure()})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "home.html", nil)
}
