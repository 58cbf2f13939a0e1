package web

import (
	"bufio"
	"compress/gzip"
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/followup-app/followup/store"
)

// Metrics is what /metrics serves, in Prometheus's text format
// (promtext.go): the HTTP requests this server answered, how long planning
// took at each heartbeat, and, read from the database at each scrape, the
// messages by kind and status, the tasks by stage and the heartbeat's age;
// then the Go runtime's and the process's figures. Its counters are its
// own (no global state): two servers in one test do not share them.
type Metrics struct {
	requests *counterVec
	latency  *histogramVec
	planning *histogramVec
	ticks    *counterVec
	store    *storeCollector
}

// NewMetrics sets up the metrics; db is read at each scrape, now is the
// daemon's clock (for the heartbeat's age).
func NewMetrics(db *store.DB, now func() time.Time, logger *slog.Logger) *Metrics {
	return &Metrics{
		// Label names in sorted order, as the format lists them.
		requests: newCounterVec("followup_http_requests_total", "HTTP requests answered, by method, route pattern and status code.", "code", "method", "route"),
		latency: newHistogramVec("followup_http_request_duration_seconds", "Time to answer an HTTP request, by route pattern.",
			[]float64{.001, .0025, .005, .01, .025, .05, .1, .2, .5, 1, 2.5}, "route"),
		planning: newHistogramVec("followup_sweep_duration_seconds", "Time a heartbeat spent planning: the reminder sweep and the digests due.",
			[]float64{.001, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}),
		ticks: newCounterVec("followup_heartbeats_total", "Heartbeats the daemon ran, by outcome (ok or error).", "outcome"),
		store: &storeCollector{db: db, now: now, logger: logger.With("component", "metrics")},
	}
}

// Handler serves the metrics, gzipped when the client accepts it. A query
// that fails leaves its metrics out and is logged; the others are still
// served.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fams := []family{m.requests.family(), m.latency.family(), m.ticks.family()}
		// A histogram without labels is shown from the start, at zero.
		if p := m.planning.family(); len(p.series) > 0 {
			fams = append(fams, p)
		} else {
			fams = append(fams, family{name: p.name, help: p.help, typ: "histogram",
				series: []series{{bounds: m.planning.bounds, counts: make([]float64, len(m.planning.bounds))}}})
		}
		fams = append(fams, m.store.collect()...)
		fams = append(fams, goFamilies()...)
		fams = append(fams, processFamilies()...)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8; escaping=underscores")
		var out interface {
			Write([]byte) (int, error)
		} = w
		var gz *gzip.Writer
		if acceptsGzip(r) {
			w.Header().Set("Content-Encoding", "gzip")
			gz = gzip.NewWriter(w)
			out = gz
		}
		bw := bufio.NewWriter(out)
		writeFamilies(bw, fams)
		// A client gone is all a write error can mean here.
		_ = bw.Flush()
		if gz != nil {
			_ = gz.Close()
		}
	})
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// ObserveTick records a heartbeat: how long its planning took (on the
// real clock) and whether it failed.
func (m *Metrics) ObserveTick(took time.Duration, failed bool) {
	m.planning.observe(took.Seconds())
	outcome := "ok"
	if failed {
		outcome = "error"
	}
	m.ticks.inc(outcome)
}

// Instrument counts and times the requests next answers, labelled by the
// pattern that route gives the request (the ServeMux's, which it asks
// before next runs: a middleware may hand the mux a copy of the request,
// so the pattern the mux sets is not seen here). Never the raw path: a
// token or an id in a URL would make a series per visitor.
func (m *Metrics) Instrument(route func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		pattern := route(r)
		if pattern == "" {
			pattern = "unmatched"
		}
		sw := &metricsWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		m.requests.inc(strconv.Itoa(sw.code), methodLabel(r.Method), pattern)
		m.latency.observe(time.Since(start).Seconds(), pattern)
	})
}

// methodLabel is the method as a label: one of HTTP's own methods, else
// "other". Any token is a method to net/http, and a label is a series
// kept for the life of the process: a client sending made-up methods
// must not be able to grow the server's memory (or /metrics) one series
// at a time. The route label is closed already: a pattern the mux was
// given, or "unmatched".
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// metricsRoutes serves /metrics and /healthz. Both answer without a
// session: they say nothing about anyone's work (counts by stage and
// status, the heartbeat). Put them behind the reverse proxy's access
// rules if even that should stay inside.
func (s *Server) metricsRoutes(mux *http.ServeMux) {
	m := s.metrics.Load()
	if m == nil {
		m = NewMetrics(s.db, s.clock.Now, s.logger)
		s.metrics.Store(m)
	}
	mux.Handle("GET /metrics", m.Handler())
	mux.Handle("GET /healthz", HealthHandler(s.db, func() time.Duration { return s.Config().Schedules.Heartbeat }, s.clock.Now))
}

// instrument wraps the site in the metrics' counters, routed by mux.
func (s *Server) instrument(mux *http.ServeMux, next http.Handler) http.Handler {
	m := s.metrics.Load()
	if m == nil {
		return next
	}
	return m.Instrument(func(r *http.Request) string {
		_, pattern := mux.Handler(r)
		return pattern
	}, next)
}

// ObserveTick records a heartbeat of the daemon in the metrics; nothing
// before the site is served.
func (s *Server) ObserveTick(took time.Duration, failed bool) {
	if m := s.metrics.Load(); m != nil {
		m.ObserveTick(took, failed)
	}
}

// metricsWriter remembers the status code written.
type metricsWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (w *metricsWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *metricsWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *metricsWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// The help texts of the figures read from the database.
const (
	helpMessages   = "Messages in the outbox, by kind and status (pending, sending, sent, failed, uncertain)."
	helpReminders  = "Reminders and escalations delivered (outbox messages of those kinds that were sent)."
	helpTasks      = "Tasks by stage."
	helpHeartbeat  = "Seconds since the daemon's last heartbeat (absent: never beat)."
	helpUp         = "1 when the database answered the scrape's queries."
	helpFailing    = "1 while mail is not going out: the relay cannot be reached, refuses every message, or outcomes cannot be recorded."
	helpFailingFor = "Seconds since delivery started failing (0 while it works)."
	helpHeld       = "1 while the daemon holds a config reload until the admin confirms it (followup config apply)."
)

// storeCollector reads its figures from the database at each scrape. The
// counts of tasks by stage read an index of every task (0.17 s at 1M), so
// they are kept until a task changes (store.ChangeMark).
type storeCollector struct {
	db     *store.DB
	now    func() time.Time
	logger *slog.Logger

	mu     sync.Mutex
	mark   int64
	stages map[string]int
}

func (c *storeCollector) collect() []family {
	// Not the request's context: a scrape that gives up should not
	// leave a query half run, and 10 s bounds it.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []family
	up := 1.0
	fail := func(what string, err error) {
		up = 0
		c.logger.Error("metrics: "+what, "err", err)
	}
	if counts, err := c.db.MessageCounts(ctx); err != nil {
		fail("count messages", err)
	} else {
		sent := 0
		msgs := family{name: "followup_messages", help: helpMessages, typ: "gauge"}
		for _, n := range counts {
			msgs.series = append(msgs.series, series{labels: []label{{"kind", n.Kind}, {"status", n.Status}}, value: float64(n.Count)})
			if n.Status == store.StatusSent && (n.Kind == "reminder" || n.Kind == "escalation") {
				sent += n.Count
			}
		}
		out = append(out, msgs, gauge("followup_reminders_sent", helpReminders, float64(sent)))
	}
	if stages, err := c.stageCounts(ctx); err != nil {
		fail("count tasks", err)
	} else {
		tasks := family{name: "followup_tasks", help: helpTasks, typ: "gauge"}
		for s, n := range stages {
			tasks.series = append(tasks.series, series{labels: []label{{"stage", s}}, value: float64(n)})
		}
		out = append(out, tasks)
	}
	if at, _, err := c.db.LastHeartbeat(ctx); err != nil {
		fail("read the heartbeat", err)
	} else if !at.IsZero() {
		out = append(out, gauge("followup_heartbeat_age_seconds", helpHeartbeat, c.now().Sub(at).Seconds()))
	}
	if st, err := c.db.Delivery(ctx); err != nil {
		fail("read the state of delivery", err)
	} else {
		failing, since := 0.0, 0.0
		if st.State == store.DeliveryFailing || st.State == store.DeliveryStopped {
			failing, since = 1, max(0, c.now().Sub(st.Since).Seconds())
		}
		out = append(out, gauge("followup_delivery_failing", helpFailing, failing), gauge("followup_delivery_failing_seconds", helpFailingFor, since))
	}
	if held, err := c.db.HeldReload(ctx); err != nil {
		fail("read the held reload", err)
	} else {
		v := 0.0
		if held != nil {
			v = 1
		}
		out = append(out, gauge("followup_config_reload_held", helpHeld, v))
	}
	return append(out, gauge("followup_database_up", helpUp, up))
}
func (c *storeCollector) stageCounts(ctx context.Context) (map[string]int, error) {
	mark, err := c.db.ChangeMark(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stages != nil && mark == c.mark {
		return c.stages, nil
	}
	stages, err := c.db.StageCounts(ctx)
	if err != nil {
		return nil, err
	}
	c.mark, c.stages = mark, stages
	return stages, nil
}
