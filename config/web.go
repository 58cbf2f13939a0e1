package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"

	"github.com/followup-app/followup/civil"
)

// Web configures the pages behind signed links (package web).
type Web struct {
	// Listen is the address the HTTP server listens on, host:port; "off"
	// runs the daemon without it.
	Listen string
	// BaseURL is the address people reach the server at, used in the
	// links of e-mails (https://followup.example.gov.la). When not written
	// it follows Listen.
	BaseURL string
	// SecretFile holds the key links are signed with. The daemon creates
	// it (mode 0600) at first start when absent and refuses one others can
	// read. Never inline in the config, like the SMTP password.
	SecretFile string
	// LinkValid is how long a link in an e-mail opens a session.
	LinkValid civil.Span
	// TLSCert and TLSKey, both or neither, make the server speak HTTPS
	// itself; otherwise it speaks HTTP, for localhost or a reverse proxy.
	TLSCert string
	TLSKey  string
	// ACME, when written, obtains the certificate instead (acme.go).
	ACME *ACME
	// Public turns on the public progress page (off by default).
	Public bool
	// TrustedProxies are the reverse proxies (addresses or CIDR prefixes)
	// whose X-Forwarded-For header names the client; from anyone else the
	// header is ignored, so a client cannot pick the address it is
	// recorded and rate-limited under.
	TrustedProxies []netip.Prefix
}

// WebOff is the Listen value that runs the daemon without a web server.
const WebOff = "off"

var webSection = section[Web]{keys: []key[Web]{
	strKey("listen", func(w *Web) *string { return &w.Listen }, "127.0.0.1:8080", func(v, _ string) string {
		if _, port, err := net.SplitHostPort(v); v != WebOff && (err != nil || port == "") {
			return fmt.Sprintf("invalid address %q; expected host:port such as 127.0.0.1:8080, or off", v)
		}
		return ""
	}),
	{name: "base_url",
		def: func(w *Web) { w.BaseURL = "http://127.0.0.1:8080" },
		read: func(d *decoder, f *fields, w *Web) {
			v, ok := d.str(f, "base_url", &w.BaseURL)
			if !ok {
				// Not written: it follows listen (read before it).
				if w.Listen != WebOff {
					w.BaseURL = baseURLOf(w.Listen)
				}
				return
			}
			u, err := url.Parse(v.text)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
				d.errs.atNode(v, sub(f.path, "base_url"), "invalid base URL %q; expected an address such as https://followup.example.org", v.text)
			}
			w.BaseURL = strings.TrimRight(w.BaseURL, "/")
		},
		show: func(w *yamlWriter, n int, _ *Config, wb *Web) { w.kv(n, "base_url", q(wb.BaseURL)) }},
	pathKey("secret_file", func(w *Web) *string { return &w.SecretFile }, "followup-web.key", false),
	spanKey("link_valid", func(w *Web) *civil.Span { return &w.LinkValid }, civil.Span{Days: 60}, longerThanZero),
	pathKey("tls_cert", func(w *Web) *string { return &w.TLSCert }, "", true),
	pathKey("tls_key", func(w *Web) *string { return &w.TLSKey }, "", true),
	acmeKey,
	boolKey("public", func(w *Web) *bool { return &w.Public }, false),
	{name: "trusted_proxies",
		read: readTrustedProxies,
		show: func(w *yamlWriter, n int, _ *Config, wb *Web) {
			proxies := make([]string, len(wb.TrustedProxies))
			for i, p := range wb.TrustedProxies {
				proxies[i] = p.String()
			}
			w.kv(n, "trusted_proxies", qlist(proxies))
		}},
}, check: func(d *decoder, f *fields, w *Web) {
	// A certificate and its key, both or neither.
	switch {
	case w.TLSCert != "" && w.TLSKey == "":
		d.errs.atNode(f.vals["tls_cert"], sub(f.path, "tls_cert"), "a certificate needs its key; set tls_key too")
	case w.TLSKey != "" && w.TLSCert == "":
		d.errs.atNode(f.vals["tls_key"], sub(f.path, "tls_key"), "a key needs its certificate; set tls_cert too")
	}
	checkACME(d, f, w)
}}

// HTTPS reports whether the server itself speaks HTTPS.
func (w Web) HTTPS() bool { return w.TLSCert != "" || w.ACME != nil }

// readTrustedProxies reads web.trusted_proxies: addresses or prefixes.
func readTrustedProxies(d *decoder, f *fields, w *Web) {
	proxies, _ := d.strList(f, "trusted_proxies")
	for _, it := range proxies {
		s := strings.TrimSpace(it.s)
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				d.errs.atNode(it.n, it.path, "invalid address %q; expected an IP address or a prefix such as 10.0.0.0/8", it.s)
				continue
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		w.TrustedProxies = append(w.TrustedProxies, p.Masked())
	}
}

// baseURLOf is the address of a server listening on listen, for links when
// base_url is not written: fine on one machine, wrong for anyone else,
// which is why docs/admin.md asks for base_url.
func baseURLOf(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "http://" + listen
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
