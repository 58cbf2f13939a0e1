package config

import (
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

var webKeys = []string{"listen", "base_url", "secret_file", "link_valid", "tls_cert", "tls_key", "public", "trusted_proxies"}

func defaultWeb() Web {
	return Web{
		Listen:     "127.0.0.1:8080",
		BaseURL:    "http://127.0.0.1:8080",
		SecretFile: "followup-web.key",
		LinkValid:  civil.Span{Days: 60},
	}
}

// HTTPS reports whether the server itself speaks HTTPS.
func (w Web) HTTPS() bool { return w.TLSCert != "" }

func (d *decoder) web(f *fields, c *Config) {
	wf, ok := d.mapping(f.get("web"), "web", webKeys...)
	w := &c.Web
	if !ok {
		w.SecretFile = resolve(d.dir, w.SecretFile)
		return
	}
	if v, ok := d.str(wf, "listen", &w.Listen); ok && w.Listen != WebOff {
		if _, port, err := net.SplitHostPort(v.text); err != nil || port == "" {
			d.errs.atNode(v, "web.listen", "invalid address %q; expected host:port such as 127.0.0.1:8080, or off", v.text)
		}
	}
	if v, ok := d.str(wf, "base_url", &w.BaseURL); ok {
		u, err := url.Parse(v.text)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			d.errs.atNode(v, "web.base_url", "invalid base URL %q; expected an address such as https://followup.example.org", v.text)
		}
		w.BaseURL = strings.TrimRight(w.BaseURL, "/")
	} else if w.Listen != WebOff {
		w.BaseURL = baseURLOf(w.Listen)
	}
	d.optPath(wf, "secret_file", &w.SecretFile) // the default or the file's, resolved once
	if v, ok := d.span(wf, "link_valid", &w.LinkValid); ok && !positive(w.LinkValid) {
		d.errs.atNode(v, "web.link_valid", "must be longer than zero")
	}
	certNode, hasCert := d.str(wf, "tls_cert", &w.TLSCert)
	keyNode, hasKey := d.str(wf, "tls_key", &w.TLSKey)
	hasCert, hasKey = hasCert && w.TLSCert != "", hasKey && w.TLSKey != ""
	switch {
	case hasCert && !hasKey:
		d.errs.atNode(certNode, "web.tls_cert", "a certificate needs its key; set tls_key too")
	case hasKey && !hasCert:
		d.errs.atNode(keyNode, "web.tls_key", "a key needs its certificate; set tls_cert too")
	}
	w.TLSCert, w.TLSKey = resolve(d.dir, w.TLSCert), resolve(d.dir, w.TLSKey)
	d.boolean(wf, "public", &w.Public)
	proxies, _ := d.strList(wf, "trusted_proxies")
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
// which is why the README asks for base_url.
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
