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
		`followup.yaml:8:3: web: unknown key "secret"; expected one of: listen, base_url, secret_file, link_valid, tls_cert, tls_key, public, trusted_proxies`)
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
