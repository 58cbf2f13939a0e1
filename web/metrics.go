package web

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/followup-app/followup/store"
)

// Metrics is what /metrics serves, in Prometheus's format: the HTTP
// requests this server answered, how long planning took at each heartbeat,
// and, read from the database at each scrape, the messages by kind and
// status, the tasks by stage and the heartbeat's age. Its registry is its
// own (no global state): two servers in one test do not share counters.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	planning prometheus.Histogram
	ticks    *prometheus.CounterVec
}

// NewMetrics registers the metrics; db is read at each scrape, now is the
// daemon's clock (for the heartbeat's age).
func NewMetrics(db *store.DB, now func() time.Time, logger *slog.Logger) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "followup_http_requests_total",
		Help: "HTTP requests answered, by method, route pattern and status code.",
	}, []string{"method", "route", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "followup_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .2, .5, 1, 2.5},
	}, []string{"route"})
	m.planning = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "followup_sweep_duration_seconds",
		Help:    "Time a heartbeat spent planning: the reminder sweep and the digests due.",
		Buckets: []float64{.001, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	})
	m.ticks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "followup_heartbeats_total",
		Help: "Heartbeats the daemon ran, by outcome (ok or error).",
	}, []string{"outcome"})
	m.reg.MustRegister(m.requests, m.latency, m.planning, m.ticks,
		&storeCollector{db: db, now: now, logger: logger.With("component", "metrics")},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics. A query that fails leaves its metrics out
// and is logged; the others are still served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// ObserveTick records a heartbeat: how long its planning took (on the
// real clock) and whether it failed.
func (m *Metrics) ObserveTick(took time.Duration, failed bool) {
	m.planning.Observe(took.Seconds())
	outcome := "ok"
	if failed {
		outcome = "error"
	}
	m.ticks.WithLabelValues(outcome).Inc()
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
		m.requests.WithLabelValues(methodLabel(r.Method), pattern, strconv.Itoa(sw.code)).Inc()
		m.latency.WithLabelValues(pattern).Observe(time.Since(start).Seconds())
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

var (
	descMessages = prometheus.NewDesc("followup_messages", "Messages in the outbox, by kind and status (pending, sending, sent, failed, uncertain).",
		[]string{"kind", "status"}, nil)
	descReminders = prometheus.NewDesc("followup_reminders_sent", "Reminders and escalations delivered (outbox messages of those kinds that were sent).",
		nil, nil)
	descTasks     = prometheus.NewDesc("followup_tasks", "Tasks by stage.", []string{"stage"}, nil)
	descHeartbeat = prometheus.NewDesc("followup_heartbeat_age_seconds", "Seconds since the daemon's last heartbeat (absent: never beat).", nil, nil)
	descUp        = prometheus.NewDesc("followup_database_up", "1 when the database answered the scrape's queries.", nil, nil)
	// Mail going out is a fact of its own, apart from the daemon being
	// alive (the heartbeat's age): alert on this one for the relay.
	descFailing = prometheus.NewDesc("followup_delivery_failing",
		"1 while mail is not going out: the relay cannot be reached, refuses every message, or outcomes cannot be recorded.", nil, nil)
	descFailingFor = prometheus.NewDesc("followup_delivery_failing_seconds",
		"Seconds since delivery started failing (0 while it works).", nil, nil)
	descHeld = prometheus.NewDesc("followup_config_reload_held",
		"1 while the daemon holds a config reload until the admin confirms it (followup config apply).", nil, nil)
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

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descMessages, descReminders, descTasks, descHeartbeat, descUp, descFailing, descFailingFor, descHeld} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	up := 1.0
	fail := func(what string, err error) {
		up = 0
		c.logger.Error("metrics: "+what, "err", err)
	}
	if counts, err := c.db.MessageCounts(ctx); err != nil {
		fail("count messages", err)
	} else {
		sent := 0
		for _, n := range counts {
			ch <- prometheus.MustNewConstMetric(descMessages, prometheus.GaugeValue, float64(n.Count), n.Kind, n.Status)
			if n.Status == store.StatusSent && (n.Kind == "reminder" || n.Kind == "escalation") {
				sent += n.Count
			}
		}
		ch <- prometheus.MustNewConstMetric(descReminders, prometheus.GaugeValue, float64(sent))
	}
	if stages, err := c.stageCounts(ctx); err != nil {
		fail("count tasks", err)
	} else {
		for s, n := range stages {
			ch <- prometheus.MustNewConstMetric(descTasks, prometheus.GaugeValue, float64(n), s)
		}
	}
	if at, _, err := c.db.LastHeartbeat(ctx); err != nil {
		fail("read the heartbeat", err)
	} else if !at.IsZero() {
		ch <- prometheus.MustNewConstMetric(descHeartbeat, prometheus.GaugeValue, c.now().Sub(at).Seconds())
	}
	if st, err := c.db.Delivery(ctx); err != nil {
		fail("read the state of delivery", err)
	} else {
		failing, since := 0.0, 0.0
		if st.State == store.DeliveryFailing || st.State == store.DeliveryStopped {
			failing, since = 1, max(0, c.now().Sub(st.Since).Seconds())
		}
		ch <- prometheus.MustNewConstMetric(descFailing, prometheus.GaugeValue, failing)
		ch <- prometheus.MustNewConstMetric(descFailingFor, prometheus.GaugeValue, since)
	}
	if held, err := c.db.HeldReload(ctx); err != nil {
		fail("read the held reload", err)
	} else {
		v := 0.0
		if held != nil {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(descHeld, prometheus.GaugeValue, v)
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up)
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
