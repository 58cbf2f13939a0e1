package web

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"github.com/followup-app/followup/config"
)

// The server's certificate from an ACME CA (web.acme), obtained and
// renewed by golang.org/x/crypto/acme/autocert: on port 443 (listen) it
// answers TLS-ALPN-01, on http_listen (port 80) HTTP-01, and it renews a
// certificate 30 days before it expires, in the background, while the
// daemon runs. The account key and the certificates are kept in
// cache_dir, so a restart asks the CA for nothing.

// acmeTestCA points the manager at a test CA (Pebble): its directory, a
// client that trusts its HTTPS, and how long before expiry to renew.
// Production leaves it nil: Let's Encrypt, autocert's defaults.
type acmeTestCA struct {
	directory   string
	client      *http.Client
	renewBefore time.Duration
}

// acmeServing is what Listen prepares for Run with web.acme.
type acmeServing struct {
	m    *autocert.Manager
	ln   net.Listener // http_listen; nil when off
	http *http.Server // HTTP-01 answers and redirects, on ln
}

// listenACME makes the certificate manager and opens http_listen, so that
// an unusable cache folder or a port in use is reported at start, and
// returns the TLS config for listen.
func (s *Server) listenACME(a *config.ACME) (*tls.Config, error) {
	if err := os.MkdirAll(a.CacheDir, 0o700); err != nil {
		return nil, fmt.Errorf("web.acme.cache_dir: %w", err)
	}
	m := &autocert.Manager{
		// Writing web.acme is the admin's acceptance of the CA's terms
		// (docs/https.md says so).
		Prompt:     autocert.AcceptTOS,
		Cache:      autocert.DirCache(a.CacheDir),
		HostPolicy: autocert.HostWhitelist(a.Domains...),
		Email:      a.Email,
	}
	if t := s.acmeTest; t != nil {
		m.Client = &acme.Client{DirectoryURL: t.directory, HTTPClient: t.client}
		m.RenewBefore = t.renewBefore
	}
	as := &acmeServing{m: m}
	if a.HTTPListen != config.WebOff {
		ln, err := net.Listen("tcp", a.HTTPListen)
		if err != nil {
			return nil, fmt.Errorf("web.acme.http_listen: %w", err)
		}
		// Made now, before any certificate is asked for: HTTPHandler is
		// what tells the manager that HTTP-01 may be used.
		h := m.HTTPHandler(http.HandlerFunc(s.redirectToHTTPS))
		as.ln = ln
		as.http = &http.Server{
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// The manager checks Host against the domains as is: a
				// CA checking on another port than 80 (a test CA) sends
				// the port in it.
				if host, _, err := net.SplitHostPort(r.Host); err == nil {
					r.Host = host
				}
				h.ServeHTTP(w, r)
			}),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       time.Minute,
			MaxHeaderBytes:    16 << 10,
		}
	}
	s.acme = as
	conf := m.TLSConfig() // certificates, and the acme-tls/1 protocol for TLS-ALPN-01
	conf.MinVersion = tls.VersionTLS12
	return conf, nil
}

// runACME serves HTTP-01 on http_listen (other plain-HTTP requests are
// sent to base_url), and asks for the certificates now rather than at the
// first visitor's connection, so that the log says at once whether HTTPS
// works. The function it returns stops the HTTP server.
func (s *Server) runACME(ctx context.Context, errLog *log.Logger) (stop func(context.Context)) {
	as := s.acme
	if as == nil {
		return func(context.Context) {}
	}
	go s.obtainCertificates(ctx, s.Config().Web.ACME.Domains)
	if as.http == nil {
		return func(context.Context) {}
	}
	as.http.ErrorLog = errLog
	done := make(chan error, 1)
	go func() { done <- as.http.Serve(as.ln) }()
	s.logger.Info("answering the CA's HTTP-01 checks", "addr", as.ln.Addr().String())
	return func(stopCtx context.Context) {
		_ = as.http.Shutdown(stopCtx) // only challenge answers and redirects: nothing to finish
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Warn("the HTTP-01 server stopped", "err", err)
		}
	}
}

// redirectToHTTPS sends a plain-HTTP visitor to the same page on
// base_url (which carries listen's port when it is not 443).
func (s *Server) redirectToHTTPS(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "Use HTTPS.", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, s.Config().Web.BaseURL+r.URL.RequestURI(), http.StatusMovedPermanently)
}

// obtainCertificates gets each domain's certificate (from the cache, or
// from the CA) and logs the outcome: one line each.
func (s *Server) obtainCertificates(ctx context.Context, domains []string) {
	for _, d := range domains {
		if ctx.Err() != nil {
			return
		}
		// As a current browser asks (ECDSA): a hello without these
		// would ask for an RSA certificate too, in a second order racing
		// the first visitor's for the domain's one challenge slot.
		cert, err := s.acme.m.GetCertificate(&tls.ClientHelloInfo{ServerName: d,
			CipherSuites:     []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
			SignatureSchemes: []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256},
			SupportedCurves:  []tls.CurveID{tls.CurveP256}})
		if err != nil {
			s.logger.Error("no HTTPS certificate yet; the CA is asked again at the next connection (check that the name points to this machine and that port 80 or 443 reaches it)",
				"domain", d, "err", err)
			continue
		}
		if cert.Leaf != nil {
			s.logger.Info("HTTPS certificate ready; it is renewed before it expires", "domain", d,
				"expires", cert.Leaf.NotAfter.UTC().Format(time.RFC3339), "issuer", cert.Leaf.Issuer.CommonName)
		}
	}
}
