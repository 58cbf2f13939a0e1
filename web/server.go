// Package web serves the pages behind signed links: a ministry's tasks
// (/m/…), the coordinating body's dashboard (/c/…) and, when the admin
// turns it on, a public progress page. Everything it needs is embedded
// (government networks are often offline) and no page needs JavaScript.
//
// Nobody has an account. Every e-mail a focal point receives carries a
// link signed with the key in web.secret_file (links.go); opening it
// starts a session kept in the database and redirects to a URL without
// the token. The session's principal (principal.go) is what every handler
// checks: a ministry sees and changes only its own tasks.
package web

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/i18n"
	"github.com/followup-app/followup/store"
)

// Server is the web server. Build it with New, serve Handler (tests) or
// Run it (the daemon).
type Server struct {
	cfg    atomic.Pointer[config.Config]
	db     *store.DB
	logger *slog.Logger
	clock  clockwork.Clock
	key    []byte // the link signing key, from web.secret_file

	pageSets map[string]*pageSet // by language (render.go)
	limiter  *limiter            // failed link checks per client
	uploads  uploadGate          // progress updates with files being read (upload.go)

	mu sync.Mutex
	ln net.Listener // set by Listen
	// With web.acme (acme.go): the certificate manager and its plain-HTTP
	// server, and what tests set to use their own CA.
	acme     *acmeServing
	acmeTest *acmeTestCA

	// The dashboard's cache and the metrics (dashboard.go, metrics.go),
	// made when Handler registers their routes.
	dash    *dashState
	metrics atomic.Pointer[Metrics]

	// The ministries' task groups, sorted into the page's order, and
	// the pages drawn from them (ministry.go).
	ministries ministryCache
	// The coordinator's task list pages (tasklistcache.go).
	taskLists taskListCache

	// The cluster suggestions the dashboard shows (clusters.go).
	suggest suggestCache
	// The sections of every document, for the task list's filter (dashboard.go).
	sections sectionsCache

	served atomic.Int64 // requests served, for trimWhenIdle
}

// New builds a server on cfg's web section. It reads the signing key from
// web.secret_file, creating it (mode 0600) when absent and refusing one
// other users can read.
func New(cfg *config.Config, db *store.DB, logger *slog.Logger, clock clockwork.Clock) (*Server, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	key, created, err := LoadSecret(cfg.Web.SecretFile)
	if err != nil {
		return nil, fmt.Errorf("web.secret_file: %w", err)
	}
	s := &Server{db: db, logger: logger.With("component", "web"), clock: clock, key: key,
		limiter: newLimiter(clock, failBurst, failWindow)}
	if created {
		s.logger.Info("created the key that signs links; keep it private and back it up", "file", cfg.Web.SecretFile)
	}
	s.cfg.Store(cfg)
	if ids := EnglishPagesFor(cfg); len(ids) > 0 {
		s.logger.Warn("the web pages of these bodies are in English: followup writes pages in "+i18n.LanguageList(),
			"bodies", strings.Join(ids, ", "))
	}
	s.pageSets = map[string]*pageSet{}
	for _, l := range pageLanguages {
		s.pageSets[l] = &pageSet{}
	}
	if _, err := s.pagesIn("en"); err != nil {
		return nil, fmt.Errorf("web templates: %w", err)
	}
	return s, nil
}

// Config is the config in force.
func (s *Server) Config() *config.Config { return s.cfg.Load() }

// SetConfig puts a reloaded config in force: ministries, focal points and
// stages change with it. The listen address, TLS and the key do not (a
// restart applies them).
func (s *Server) SetConfig(cfg *config.Config) { s.cfg.Store(cfg) }

// Handler is the whole site with its middleware: security headers,
// cross-origin protection for forms, and the session.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	h := s.instrument(mux, s.recoverer(s.securityHeaders(s.crossOrigin(s.session(mux)))))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.served.Add(1)
		h.ServeHTTP(w, r)
	})
}

// routes registers every page. Files of their own register the dashboard,
// the public page and the metrics (extensions.go).
func (s *Server) routes(mux *http.ServeMux) {
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler()))
	mux.HandleFunc("GET /{$}", s.handleHome)
	mux.HandleFunc("GET /l/{token}", s.handleLink)
	mux.HandleFunc("POST /l/{token}", s.handleLinkOpen)
	mux.HandleFunc("POST /logout", s.handleLogout)
	s.ministryRoutes(mux)
	s.dashboardRoutes(mux)
	s.clusterRoutes(mux)
	s.publicRoutes(mux)
	s.metricsRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "There is no page at this address.")
	})
}

// Listen opens the listening socket (with TLS when web.tls_cert is set),
// so that an address in use or a bad certificate is reported before the
// daemon starts. Run calls it when it was not called.
func (s *Server) Listen() (net.Addr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return s.ln.Addr(), nil
	}
	w := s.Config().Web
	var tlsConf *tls.Config
	if w.ACME != nil {
		var err error
		if tlsConf, err = s.listenACME(w.ACME); err != nil {
			return nil, err
		}
	} else if w.HTTPS() {
		cert, err := tls.LoadX509KeyPair(w.TLSCert, w.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("web.tls_cert: %w", err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", w.Listen)
	if err != nil {
		return nil, fmt.Errorf("web.listen: %w", err)
	}
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}
	s.ln = ln
	return ln.Addr(), nil
}

// Run serves until ctx is cancelled, then lets requests in flight finish
// (up to shutdownWait).
func (s *Server) Run(ctx context.Context) error {
	addr, err := s.Listen()
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		// Uploads of evidence on a slow line take a while.
		ReadTimeout:    5 * time.Minute,
		WriteTimeout:   5 * time.Minute,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(s.ln) }()
	stopACME := s.runACME(ctx, srv.ErrorLog) // acme.go; a no-op without web.acme
	trimCtx, stopTrim := context.WithCancel(ctx)
	defer stopTrim()
	go s.trimWhenIdle(trimCtx, func() { s.releaseMemory(trimCtx) })
	s.logger.Info("web server listening", "addr", addr.String(), "base_url", s.Config().Web.BaseURL, "https", s.Config().Web.HTTPS())
	select {
	case err := <-errc:
		return fmt.Errorf("web server: %w", err)
	case <-ctx.Done():
	}
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownWait)
	defer cancel()
	if err := srv.Shutdown(stopCtx); err != nil {
		s.logger.Warn("web requests still running at shutdown were cut", "err", err)
	}
	stopACME(stopCtx)
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("web server: %w", err)
	}
	s.logger.Info("web server stopped")
	return nil
}

const shutdownWait = 10 * time.Second
