package config

import (
	"net"
	"net/mail"
	"net/url"
	"strings"
)

// ACME has the web server obtain and renew its own certificate from a CA
// that speaks ACME (Let's Encrypt), instead of tls_cert and tls_key or a
// reverse proxy: web.acme (package web, acme.go).
type ACME struct {
	// Domains are the names the certificate is for, as people reach the
	// server (base_url's host): each must resolve to this machine.
	Domains []string
	// Email is where the CA writes about the certificate (expiry, a
	// problem with the account); optional.
	Email string
	// CacheDir keeps the account key and the certificates between starts
	// (created 0700): without it every start asks the CA again, and CAs
	// limit how often they issue for one name.
	CacheDir string
	// HTTPListen answers the CA's HTTP-01 challenges (it must be reached
	// on port 80) and sends other plain-HTTP requests to HTTPS; "off"
	// leaves only TLS-ALPN-01, answered on listen (which must then be
	// reached on port 443).
	HTTPListen string
}

// acmeKey is web.acme: absent (nil) unless written.
var acmeKey = key[Web]{name: "acme",
	read: func(d *decoder, f *fields, w *Web) {
		v := f.get("acme")
		if v == nil {
			return
		}
		a := &ACME{}
		acmeSection.defaults(a)
		if _, ok := acmeSection.read(d, v, sub(f.path, "acme"), a); ok {
			w.ACME = a
		}
	},
	show: func(w *yamlWriter, n int, c *Config, wb *Web) {
		if wb.ACME != nil {
			w.key(n, "acme")
			acmeSection.show(w, n+2, c, wb.ACME)
		}
	},
}

var acmeSection = section[ACME]{keys: []key[ACME]{
	{name: "domains",
		read: func(d *decoder, f *fields, a *ACME) {
			if !f.written("domains") {
				d.missing(f, "domains")
				return
			}
			items, _ := d.strList(f, "domains")
			seen := map[string]bool{}
			for _, it := range items {
				name := strings.ToLower(strings.TrimSpace(it.s))
				switch {
				case !validDomain(name):
					d.errs.atNode(it.n, it.path, "invalid domain %q; expected a name such as followup.example.gov.la (no address, port, scheme or wildcard)", it.s)
				case seen[name]:
					d.errs.atNode(it.n, it.path, "domain %q listed twice", it.s)
				default:
					seen[name] = true
					a.Domains = append(a.Domains, name)
				}
			}
			if v := f.get("domains"); len(items) == 0 && (v == nil || v.kind == seqNode) {
				d.errs.atNode(f.vals["domains"], sub(f.path, "domains"), "must list at least one domain")
			}
		},
		show: func(w *yamlWriter, n int, _ *Config, a *ACME) { w.kv(n, "domains", qlist(a.Domains)) }},
	strKey("email", func(a *ACME) *string { return &a.Email }, "", func(v, _ string) string {
		if addr, err := mail.ParseAddress(v); v != "" && (err != nil || addr.Address != v) {
			return "invalid e-mail address " + q(v) + "; expected one such as admin@example.gov.la"
		}
		return ""
	}),
	pathKey("cache_dir", func(a *ACME) *string { return &a.CacheDir }, "acme", false),
	strKey("http_listen", func(a *ACME) *string { return &a.HTTPListen }, ":80", func(v, _ string) string {
		if _, port, err := net.SplitHostPort(v); v != WebOff && (err != nil || port == "") {
			return "invalid address " + q(v) + "; expected host:port such as :80, or off"
		}
		return ""
	}),
}}

// validDomain is a DNS name a CA issues for: labels of letters, digits
// and hyphens, at least two of them, no IP address.
func validDomain(s string) bool {
	if len(s) > 253 || net.ParseIP(s) != nil {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// checkACME is the part of web's check about acme: it replaces tls_cert
// and tls_key, needs the server on, and gives links its first domain over
// HTTPS unless base_url says otherwise.
func checkACME(d *decoder, f *fields, w *Web) {
	if w.ACME == nil {
		return
	}
	at := f.vals["acme"]
	if w.TLSCert != "" || w.TLSKey != "" {
		d.errs.atNode(at, sub(f.path, "acme"), "acme obtains the certificate itself: remove tls_cert and tls_key, or acme")
	}
	if w.Listen == WebOff {
		d.errs.atNode(at, sub(f.path, "acme"), `acme needs the web server: listen is "off"`)
	}
	if len(w.ACME.Domains) == 0 {
		return
	}
	if !f.written("base_url") || f.get("base_url") == nil {
		w.BaseURL = "https://" + w.ACME.Domains[0]
		if _, port, err := net.SplitHostPort(w.Listen); err == nil && port != "443" && port != "" {
			w.BaseURL = "https://" + net.JoinHostPort(w.ACME.Domains[0], port)
		}
		return
	}
	u, err := url.Parse(w.BaseURL)
	if err != nil {
		return // base_url's own read said so
	}
	v := f.vals["base_url"]
	switch {
	case u.Scheme != "https":
		d.errs.atNode(v, sub(f.path, "base_url"), "with acme the links must use HTTPS: write https://%s", u.Host)
	case !contains(w.ACME.Domains, strings.ToLower(u.Hostname())):
		d.errs.atNode(v, sub(f.path, "base_url"), "%q is not among acme's domains (%s): the certificate would not match the links",
			u.Hostname(), strings.Join(w.ACME.Domains, ", "))
	}
}
