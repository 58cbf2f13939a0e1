package web

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/followup-app/followup/config"
)

// The ACME tests run Pebble, Let's Encrypt's ACME server for tests, and
// its DNS server (pebble-challtestsrv, which answers 127.0.0.1 for every
// name), both built from the module cache: go.mod lists them as tools.
// Pebble really checks the challenges: it connects to the server under
// test on the ports its config names, so those are the server's.

const acmeDomain = "followup.test"

func buildPebble(t *testing.T) (pebble, dns string) {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the ACME test builds Pebble with go, which is not on PATH: %v", err)
	}
	dir := t.TempDir()
	cmd := exec.Command(goBin, "build", "-o", dir+string(filepath.Separator),
		"github.com/letsencrypt/pebble/v2/cmd/pebble", "github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build pebble: %v\n%s", err, out)
	}
	return filepath.Join(dir, "pebble"), filepath.Join(dir, "pebble-challtestsrv")
}

// freePort is a port nothing listens on (just now).
func freePort(t *testing.T, network string) int {
	t.Helper()
	var port int
	switch network {
	case "udp":
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port = c.LocalAddr().(*net.UDPAddr).Port
		c.Close()
	default:
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
	}
	return port
}

// startProcess runs a helper program until the test ends, its output in
// the test's log when it fails.
func startProcess(t *testing.T, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var mu sync.Mutex
	var out strings.Builder
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return out.Write(p) })
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			mu.Lock()
			t.Logf("%s:\n%s", filepath.Base(name), out.String())
			mu.Unlock()
		}
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

type pebbleCA struct {
	directory string
	client    *http.Client // trusts Pebble's own HTTPS
	roots     *x509.CertPool

	dir                     string
	api, mgmt               int
	apiCertFile, apiKeyFile string
}

// newPebble chooses Pebble's ports and makes its own HTTPS certificate,
// so that the server under test can be pointed at it before it starts.
func newPebble(t *testing.T) *pebbleCA {
	t.Helper()
	ca := &pebbleCA{dir: t.TempDir(), api: freePort(t, "tcp"), mgmt: freePort(t, "tcp")}
	var apiPool *x509.CertPool
	ca.apiCertFile, ca.apiKeyFile, apiPool = selfSigned(t, ca.dir)
	ca.directory = fmt.Sprintf("https://127.0.0.1:%d/dir", ca.api)
	ca.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: apiPool}}}
	return ca
}

// start starts the DNS server and Pebble, which checks HTTP-01 on
// httpPort and TLS-ALPN-01 on tlsPort and issues certificates valid for
// validity, and reads the root it issues under.
func (ca *pebbleCA) start(t *testing.T, httpPort, tlsPort int, validity time.Duration) {
	t.Helper()
	pebble, dns := buildPebble(t)
	dnsPort := freePort(t, "udp")
	startProcess(t, nil, dns, "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
		"-dnsserver", fmt.Sprintf("127.0.0.1:%d", dnsPort), "-management", fmt.Sprintf("127.0.0.1:%d", freePort(t, "tcp")),
		"-http01", "", "-https01", "", "-tlsalpn01", "", "-doh", "")
	conf := map[string]any{"pebble": map[string]any{
		"listenAddress":           fmt.Sprintf("127.0.0.1:%d", ca.api),
		"managementListenAddress": fmt.Sprintf("127.0.0.1:%d", ca.mgmt),
		"certificate":             ca.apiCertFile, "privateKey": ca.apiKeyFile,
		"httpPort": httpPort, "tlsPort": tlsPort,
		"keyAlgorithm": "ecdsa",
		"profiles":     map[string]any{"default": map[string]any{"description": "test", "validityPeriod": int(validity.Seconds())}},
	}}
	b, err := json.Marshal(conf)
	if err != nil {
		t.Fatal(err)
	}
	confFile := filepath.Join(ca.dir, "pebble.json")
	if err := os.WriteFile(confFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	// No random waits before validations nor random bad-nonce answers:
	// the test's time goes to the protocol. Authorizations are not
	// reused, so that each certificate is validated again.
	startProcess(t, []string{"PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=0"},
		pebble, "-config", confFile, "-dnsserver", fmt.Sprintf("127.0.0.1:%d", dnsPort))
	var root []byte
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := ca.client.Get(fmt.Sprintf("https://127.0.0.1:%d/roots/0", ca.mgmt))
		if err == nil {
			root, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Pebble did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	ca.roots = x509.NewCertPool()
	if !ca.roots.AppendCertsFromPEM(root) {
		t.Fatalf("Pebble's root is not PEM: %q", root)
	}
}

// acmeServer is a server with web.acme on 127.0.0.1, listening already
// (so that Pebble can be told its ports), not yet running.
func acmeServer(t *testing.T, f *fixture, httpListen string) (*Server, *config.Config) {
	t.Helper()
	cfg := *f.cfg
	cfg.Web.Listen = "127.0.0.1:0"
	cfg.Web.ACME = &config.ACME{Domains: []string{acmeDomain}, Email: "admin@example.org",
		CacheDir: filepath.Join(t.TempDir(), "acme"), HTTPListen: httpListen}
	srv, err := New(&cfg, f.db, newTestLog(t), f.clock)
	if err != nil {
		t.Fatal(err)
	}
	return srv, &cfg
}

func runServer(t *testing.T, srv *Server) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

// TestACMETLSALPN: with web.acme the server obtains its certificate
// through TLS-ALPN-01 on its own port, serves it (a client trusting the
// CA's root accepts it for the domain, and gets the pages), keeps it in
// cache_dir, and renews it: the server then serves the new one.
func TestACMETLSALPN(t *testing.T) {
	f := newFixture(t)
	ca := newPebble(t)
	srv, cfg := acmeServer(t, f, config.WebOff)
	// Renewal 30 days before expiry, as in production, would wait; a
	// certificate valid 10 days with renewal 20 days before its expiry is
	// renewed as soon as it is issued (and again, until the test ends).
	srv.acmeTest = &acmeTestCA{directory: ca.directory, client: ca.client, renewBefore: 20 * 24 * time.Hour}
	addr, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	if srv.acme.ln != nil {
		t.Fatal("http_listen off, yet a plain-HTTP listener")
	}
	ca.start(t, freePort(t, "tcp"), addr.(*net.TCPAddr).Port, 10*24*time.Hour)
	stop := runServer(t, srv)
	defer stop()

	first := waitForCert(t, ca, addr.String(), nil)
	if len(first.DNSNames) != 1 || first.DNSNames[0] != acmeDomain {
		t.Errorf("certificate for %v, want %s", first.DNSNames, acmeDomain)
	}
	// The pages, over it.
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{ServerName: acmeDomain, RootCAs: ca.roots}}}
	resp, err := client.Get("https://" + addr.String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Strict-Transport-Security"), "max-age") {
		t.Errorf("GET / over ACME's certificate: %s, HSTS %q", resp.Status, resp.Header.Get("Strict-Transport-Security"))
	}
	// Kept for the next start.
	if _, err := os.Stat(filepath.Join(cfg.Web.ACME.CacheDir, acmeDomain)); err != nil {
		t.Errorf("the certificate is not in cache_dir: %v", err)
	}
	// Renewed: a later certificate, for the same name, is served.
	renewed := waitForCert(t, ca, addr.String(), first)
	if renewed.SerialNumber.Cmp(first.SerialNumber) == 0 || renewed.NotBefore.Before(first.NotBefore) || renewed.DNSNames[0] != acmeDomain {
		t.Errorf("renewed certificate: serial %v (first %v), from %v (first %v)", renewed.SerialNumber, first.SerialNumber, renewed.NotBefore, first.NotBefore)
	}
}

// waitForCert waits until the server shows a certificate other than
// previous (nil: any), as the manager obtains or renews it.
func waitForCert(t *testing.T, ca *pebbleCA, addr string, previous *x509.Certificate) *x509.Certificate {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		conn, err := tls.Dial("tcp", addr, &tls.Config{ServerName: acmeDomain, RootCAs: ca.roots})
		if err == nil {
			cert := conn.ConnectionState().PeerCertificates[0]
			conn.Close()
			if previous == nil || cert.SerialNumber.Cmp(previous.SerialNumber) != 0 {
				return cert
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no (new) certificate from the CA within 2 minutes: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestACMEHTTP01: where the CA cannot reach TLS-ALPN-01 (its port is
// closed), the server answers HTTP-01 on http_listen and gets the
// certificate that way; http_listen sends other requests to HTTPS.
func TestACMEHTTP01(t *testing.T) {
	f := newFixture(t)
	httpPort := freePort(t, "tcp")
	srv, _ := acmeServer(t, f, fmt.Sprintf("127.0.0.1:%d", httpPort))
	ca := newPebble(t)
	srv.acmeTest = &acmeTestCA{directory: ca.directory, client: ca.client}
	addr, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	// TLS-ALPN-01 is tried first and fails: nothing listens on its port.
	ca.start(t, httpPort, freePort(t, "tcp"), 90*24*time.Hour)
	stop := runServer(t, srv)
	defer stop()
	cert := waitForCert(t, ca, addr.String(), nil)
	if cert.DNSNames[0] != acmeDomain {
		t.Errorf("certificate for %v", cert.DNSNames)
	}
	// A visitor on plain HTTP is sent to the same page over HTTPS.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(fmt.Sprintf("http://127.0.0.1:%d/m/?x=1", httpPort))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := srv.Config().Web.BaseURL + "/m/?x=1"; resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
		t.Errorf("plain HTTP: %s to %q, want 301 to %q", resp.Status, resp.Header.Get("Location"), want)
	}
}

// TestACMEStartErrors: a cache folder that cannot be made, or an
// http_listen in use, fail at start with the key's name.
func TestACMEStartErrors(t *testing.T) {
	f := newFixture(t)
	srv, cfg := acmeServer(t, f, config.WebOff)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Web.ACME.CacheDir = filepath.Join(file, "acme")
	if _, err := srv.Listen(); err == nil || !strings.HasPrefix(err.Error(), "web.acme.cache_dir: ") {
		t.Errorf("cache_dir under a file: %v", err)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	srv, _ = acmeServer(t, f, busy.Addr().String())
	if _, err := srv.Listen(); err == nil || !strings.HasPrefix(err.Error(), "web.acme.http_listen: ") {
		t.Errorf("http_listen in use: %v", err)
	}
}

// testLogWriter puts the server's log in the test's, until the test
// ends: the certificate goroutine may still log after it.
type testLogWriter struct {
	t    *testing.T
	mu   *sync.Mutex
	done *bool
}

func newTestLog(t *testing.T) *slog.Logger {
	w := testLogWriter{t: t, mu: &sync.Mutex{}, done: new(bool)}
	t.Cleanup(func() { w.mu.Lock(); *w.done = true; w.mu.Unlock() })
	return slog.New(slog.NewTextHandler(w, nil))
}

func (w testLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !*w.done {
		w.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}
