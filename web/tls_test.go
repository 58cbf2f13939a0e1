package web

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a certificate and key for 127.0.0.1 into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "followup test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestServesHTTPSItself: with tls_cert and tls_key the server speaks HTTPS,
// the session cookie is Secure and the pages ask for HTTPS from now on.
func TestServesHTTPSItself(t *testing.T) {
	f := newFixture(t)
	cfg := *f.cfg
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	cfg.Web.TLSCert, cfg.Web.TLSKey = certFile, keyFile
	cfg.Web.Listen = "127.0.0.1:0"
	srv, err := New(&cfg, f.db, nil, f.clock)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	link, err := srv.Link(ctx, "moj", "focal@moj.example")
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res := openLink(t, client, "https://"+addr.String()+strings.TrimPrefix(link, cfg.Web.BaseURL))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", res.StatusCode)
	}
	if len(res.Cookies()) != 1 || !res.Cookies()[0].Secure {
		t.Errorf("cookies %v: want one, Secure", res.Cookies())
	}
	if !strings.HasPrefix(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("no Strict-Transport-Security")
	}
	// Plain HTTP on the same port gets nowhere.
	if res, err := http.Get("http://" + addr.String() + "/"); err == nil && res.StatusCode == http.StatusOK {
		res.Body.Close()
		t.Errorf("plain HTTP served a page")
	}
}

// TestBadCertificateIsOneLine: a missing certificate stops the start with
// the setting's name.
func TestBadCertificateIsOneLine(t *testing.T) {
	f := newFixture(t)
	cfg := *f.cfg
	cfg.Web.TLSCert, cfg.Web.TLSKey, cfg.Web.Listen = "/nonexistent/cert.pem", "/nonexistent/key.pem", "127.0.0.1:0"
	srv, err := New(&cfg, f.db, nil, f.clock)
	if err != nil {
		t.Fatal(err)
	}
	_, err = srv.Listen()
	if err == nil || !strings.HasPrefix(err.Error(), "web.tls_cert: ") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("Listen: %v", err)
	}
}

// TestClientAddressBehindProxy: X-Forwarded-For counts only from a trusted
// proxy, so a client cannot choose the address it is recorded and
// rate-limited under.
func TestClientAddressBehindProxy(t *testing.T) {
	f := newFixture(t)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "10.0.0.5:5555"
	req.Header.Set("X-Forwarded-For", "1.2.3.4, 203.0.113.9")
	if got := f.srv.clientAddr(req); got != "10.0.0.5" {
		t.Errorf("untrusted peer: %s", got)
	}
	cfg := *f.cfg
	cfg.Web.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	f.srv.SetConfig(&cfg)
	if got := f.srv.clientAddr(req); got != "203.0.113.9" {
		t.Errorf("behind a trusted proxy: %s, want the last untrusted hop", got)
	}
	req.Header.Set("X-Forwarded-For", "garbage")
	if got := f.srv.clientAddr(req); got != "10.0.0.5" {
		t.Errorf("malformed header: %s", got)
	}
}
