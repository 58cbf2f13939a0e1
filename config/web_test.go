package config

import (
	"path/filepath"
	"testing"
)

func TestWebErrors(t *testing.T) {
	wantErrors(t, `web:
  listen: 8080
  base_url: followup.example.org
  link_valid: 0d
  tls_cert: cert.pem
  trusted_proxies: [10.0.0.0/8, nginx]
  public: yes
  secret: abc
`,
		`followup.yaml:2:11: web.listen: invalid address "8080"; expected host:port such as 127.0.0.1:8080, or off`,
		`followup.yaml:3:13: web.base_url: invalid base URL "followup.example.org"; expected an address such as https://followup.example.org`,
		`followup.yaml:4:15: web.link_valid: must be longer than zero`,
		`followup.yaml:5:13: web.tls_cert: a certificate needs its key; set tls_key too`,
		`followup.yaml:6:33: web.trusted_proxies[1]: invalid address "nginx"; expected an IP address or a prefix such as 10.0.0.0/8`,
		`followup.yaml:7:11: web.public: expected true or false`,
		`followup.yaml:8:3: web: unknown key "secret"; expected one of: listen, base_url, secret_file, link_valid, tls_cert, tls_key, acme, public, trusted_proxies`)
}

func TestWebSettings(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "followup.yaml")
	c, err := Parse(path, []byte(`web:
  listen: 0.0.0.0:8443
  secret_file: keys/web.key
  link_valid: 30d
  tls_cert: tls/cert.pem
  tls_key: tls/key.pem
  public: true
  trusted_proxies: [127.0.0.1, "10.1.2.3/8"]
`), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w := c.Web
	if w.BaseURL != "http://localhost:8443" || w.SecretFile != filepath.Join(dir, "keys/web.key") || w.LinkValid.Days != 30 ||
		w.TLSKey != filepath.Join(dir, "tls/key.pem") || !w.HTTPS() || !w.Public || len(w.TrustedProxies) != 2 ||
		w.TrustedProxies[0].String() != "127.0.0.1/32" || w.TrustedProxies[1].String() != "10.0.0.0/8" {
		t.Fatalf("web %+v", w)
	}
	// Show writes what Parse reads back to the same settings.
	c2, err := Parse(path, c.Show(), LoadOptions{})
	if err != nil {
		t.Fatalf("Parse(Show()): %v\n%s", err, c.Show())
	}
	if c2.Web.BaseURL != w.BaseURL || c2.Web.SecretFile != w.SecretFile || len(c2.Web.TrustedProxies) != 2 {
		t.Fatalf("after Show: %+v", c2.Web)
	}
	off, err := Parse(path, []byte("web:\n  listen: \"off\"\n"), LoadOptions{})
	if err != nil || off.Web.Listen != WebOff {
		t.Fatalf("listen off: %v %+v", err, off)
	}
}

func TestACMEErrors(t *testing.T) {
	wantErrors(t, `web:
  listen: 0.0.0.0:443
  tls_cert: cert.pem
  tls_key: key.pem
  acme:
    domains: [followup.example.gov.la, 10.0.0.1, "*.example.org", localhost, followup.example.gov.la]
    email: not an address
    http_listen: 80
    cache: x
`,
		`followup.yaml:6:5: web.acme: acme obtains the certificate itself: remove tls_cert and tls_key, or acme`,
		`followup.yaml:6:40: web.acme.domains[1]: invalid domain "10.0.0.1"; expected a name such as followup.example.gov.la (no address, port, scheme or wildcard)`,
		`followup.yaml:6:50: web.acme.domains[2]: invalid domain "*.example.org"; expected a name such as followup.example.gov.la (no address, port, scheme or wildcard)`,
		`followup.yaml:6:67: web.acme.domains[3]: invalid domain "localhost"; expected a name such as followup.example.gov.la (no address, port, scheme or wildcard)`,
		`followup.yaml:6:78: web.acme.domains[4]: domain "followup.example.gov.la" listed twice`,
		`followup.yaml:7:12: web.acme.email: invalid e-mail address "not an address"; expected one such as admin@example.gov.la`,
		`followup.yaml:8:18: web.acme.http_listen: invalid address "80"; expected host:port such as :80, or off`,
		`followup.yaml:9:5: web.acme: unknown key "cache"; expected one of: domains, email, cache_dir, http_listen`)
	wantErrors(t, `web:
  listen: "off"
  base_url: http://followup.example.gov.la
  acme:
    domains: []
`,
		`followup.yaml:5:5: web.acme: acme needs the web server: listen is "off"`,
		`followup.yaml:5:14: web.acme.domains: must list at least one domain`)
	wantErrors(t, `web:
  acme: {email: a@example.org}
`,
		`followup.yaml:2:9: web.acme: missing required key "domains"`)
	wantErrors(t, `web:
  listen: :443
  base_url: http://followup.example.gov.la
  acme:
    domains: [followup.example.gov.la]
`,
		`followup.yaml:3:13: web.base_url: with acme the links must use HTTPS: write https://followup.example.gov.la`)
	wantErrors(t, `web:
  listen: :443
  base_url: https://other.example.gov.la
  acme:
    domains: [followup.example.gov.la]
`,
		`followup.yaml:3:13: web.base_url: "other.example.gov.la" is not among acme's domains (followup.example.gov.la): the certificate would not match the links`)
}

func TestACMESettings(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "followup.yaml")
	c, err := Parse(path, []byte(`web:
  listen: 0.0.0.0:443
  acme:
    domains: [Followup.Example.gov.la, www.followup.example.gov.la]
    email: admin@example.gov.la
`), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := c.Web.ACME
	if a == nil || len(a.Domains) != 2 || a.Domains[0] != "followup.example.gov.la" || a.Email != "admin@example.gov.la" ||
		a.CacheDir != filepath.Join(dir, "acme") || a.HTTPListen != ":80" || !c.Web.HTTPS() {
		t.Fatalf("acme %+v", a)
	}
	if c.Web.BaseURL != "https://followup.example.gov.la" {
		t.Errorf("base_url %q, want the first domain over HTTPS", c.Web.BaseURL)
	}
	c2, err := Parse(path, c.Show(), LoadOptions{})
	if err != nil {
		t.Fatalf("Parse(Show()): %v\n%s", err, c.Show())
	}
	if a2 := c2.Web.ACME; a2 == nil || a2.CacheDir != a.CacheDir || len(a2.Domains) != 2 || a2.HTTPListen != ":80" || c2.Web.BaseURL != c.Web.BaseURL {
		t.Fatalf("after Show: %+v %q", a2, c2.Web.BaseURL)
	}
	// On another port, the links say it; http_listen off.
	c, err = Parse(path, []byte("web:\n  listen: :8443\n  acme:\n    domains: [followup.example.gov.la]\n    cache_dir: /var/lib/followup/acme\n    http_listen: \"off\"\n"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Web.BaseURL != "https://followup.example.gov.la:8443" || c.Web.ACME.CacheDir != "/var/lib/followup/acme" || c.Web.ACME.HTTPListen != WebOff {
		t.Errorf("base_url %q, acme %+v", c.Web.BaseURL, c.Web.ACME)
	}
	// Without acme nothing changes.
	c, err = Parse(path, []byte("web:\n  listen: 127.0.0.1:8080\n"), LoadOptions{})
	if err != nil || c.Web.ACME != nil || c.Web.HTTPS() {
		t.Errorf("no acme: %v %+v", err, c.Web)
	}
}
