package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	b, err := io.ReadAll(rec.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Code, string(b)
}

// TestHealthz (issue 20, cases 5 and 7): /healthz is the liveness check,
// unauthenticated: ok, or not ok and why in one word. A relay that
// refuses everything leaves it ok and is not named: its host, user and
// replies are for followup status and the dashboard.
func TestHealthz(t *testing.T) {
	f := newDashFixture(t)
	now := f.now
	h := HealthHandler(f.db, func() time.Duration { return time.Minute }, func() time.Time { return now })
	check := func(what string, wantCode int, want string) {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		if body := rec.Body.String(); rec.Code != wantCode || body != want {
			t.Errorf("%s: %d %q, want %d %q", what, rec.Code, body, wantCode, want)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", what, ct)
		}
	}
	check("no daemon", http.StatusServiceUnavailable, "not ok: stopped\n")
	if err := f.db.Lock("followup run"); err != nil {
		t.Fatal(err)
	}
	check("before any heartbeat", http.StatusServiceUnavailable, "not ok: heartbeat\n")
	ctx := context.Background()
	if err := f.db.Heartbeat(ctx, 4242); err != nil {
		t.Fatal(err)
	}
	now = f.now.Add(90 * time.Second)
	check("fresh heartbeat", http.StatusOK, "ok\n")
	if err := f.db.SetDeliveryState(ctx, store.DeliveryFailing,
		`the relay refuses every message; its last reply: smtp MAIL FROM:<followup@relay.example.org>: 451 4.3.0 user followup over quota`); err != nil {
		t.Fatal(err)
	}
	check("delivery failing", http.StatusOK, "ok\n")
	// Three heartbeats and a minute without a beat: stale.
	now = f.now.Add(4*time.Minute + time.Second)
	check("stale heartbeat", http.StatusServiceUnavailable, "not ok: heartbeat\n")
	// A database that does not answer.
	f.db.Close()
	check("closed database", http.StatusServiceUnavailable, "not ok: database\n")
}

func TestMetrics(t *testing.T) {
	f := newDashFixture(t)
	ctx := context.Background()
	now := f.now.Add(30 * time.Second)
	m := NewMetrics(f.db, func() time.Time { return now }, slog.New(slog.DiscardHandler))
	if err := f.db.Heartbeat(ctx, 1); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /m/{task}", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("GET /c/", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "dashboard") })
	mux.Handle("GET /metrics", m.Handler())
	h := m.Instrument(func(r *http.Request) string { _, p := mux.Handler(r); return p }, mux)
	for _, p := range []string{"/c/", "/c/", "/m/123", "/m/secret-token-xyz", "/nowhere"} {
		get(t, h, p)
	}
	m.ObserveTick(1500*time.Millisecond, false)

	code, body := get(t, h, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d\n%s", code, body)
	}
	for _, want := range []string{
		`followup_http_requests_total{code="200",method="GET",route="GET /c/"} 2`,
		`followup_http_requests_total{code="404",method="GET",route="GET /m/{task}"} 2`,
		`followup_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`followup_sweep_duration_seconds_count 1`,
		`followup_sweep_duration_seconds_sum 1.5`,
		`followup_heartbeats_total{outcome="ok"} 1`,
		`followup_tasks{stage="assigned"} 4`,
		`followup_heartbeat_age_seconds 30`,
		`followup_reminders_sent 0`,
		`followup_database_up 1`,
		`followup_delivery_failing 0`,
		`followup_delivery_failing_seconds 0`,
		`followup_config_reload_held 0`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// A relay that refuses everything: delivery failing, for how long
	// (issue 20, case 5), while the heartbeat stays fresh.
	if err := f.db.SetDeliveryState(ctx, store.DeliveryFailing, "the relay refuses every message; its last reply: 451 try later"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(10 * time.Minute)
	_, body = get(t, h, "/metrics")
	for _, want := range []string{`followup_delivery_failing 1`, `followup_delivery_failing_seconds 630`} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics lacks %q:\n%s", want, grepLines(body, "followup_delivery"))
		}
	}
	// A path's token never becomes a label.
	if strings.Contains(body, "secret-token") {
		t.Error("a raw path leaked into the labels")
	}

	// A task that moves changes the counts at the next scrape.
	if _, err := f.db.Advance(ctx, "CRC/C/OPSC/LAO/CO/1:8", "acknowledged", store.Actor{Name: "test"}, "", func(workflow.Task) error { return nil }); err != nil {
		t.Fatal(err)
	}
	_, body = get(t, h, "/metrics")
	if !strings.Contains(body, `followup_tasks{stage="assigned"} 3`+"\n") || !strings.Contains(body, `followup_tasks{stage="acknowledged"} 1`+"\n") {
		t.Errorf("counts did not follow the move:\n%s", grepLines(body, "followup_tasks"))
	}
	// A database that fails leaves its metrics out and says so.
	f.db.Close()
	code, body = get(t, h, "/metrics")
	if code != http.StatusOK || !strings.Contains(body, "followup_database_up 0\n") {
		t.Errorf("closed database: %d\n%s", code, grepLines(body, "followup_"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestMetricsSeriesClosed sends made-up methods to known and unknown
// paths: the number of series /metrics serves stays what it was after the
// first such request (methods outside HTTP's own are counted as "other"),
// every request is counted, and the client sees the usual page.
func TestMetricsSeriesClosed(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	send := func(method, path string) {
		t.Helper()
		req, err := http.NewRequest(method, f.ts.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, body := f.do(c, req)
		if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("%.20s %s: status %d", method, path, res.StatusCode)
		}
		if res.StatusCode == http.StatusNotFound && !strings.Contains(body, "There is no page at this address.") {
			t.Fatalf("%.20s %s: %s", method, path, body)
		}
	}
	scrape := func() (series int, other float64, body string) {
		t.Helper()
		res, body := f.get(c, f.ts.URL+"/metrics")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("/metrics: %d", res.StatusCode)
		}
		for _, l := range strings.Split(body, "\n") {
			if strings.HasPrefix(l, "followup_http_") {
				series++
			}
			if strings.HasPrefix(l, "followup_http_requests_total{") && strings.Contains(l, `method="other"`) {
				var n float64
				if _, err := fmt.Sscan(l[strings.LastIndexByte(l, ' ')+1:], &n); err != nil {
					t.Fatalf("%s: %v", l, err)
				}
				other += n
			}
		}
		return series, other, body
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('A' + rnd.IntN(26))
		}
		return string(b)
	}
	paths := []string{"/", "/c/", "/m/task/1", "/nowhere"}
	// One of each kind first, and a scrape, so that every series the
	// flood can reach exists.
	for _, p := range paths {
		send("BREW", p)
	}
	scrape()
	before, otherBefore, _ := scrape()
	const flood = 200
	for i := range flood {
		send("X"+word(1000), paths[i%len(paths)]+word(8))
	}
	after, otherAfter, body := scrape()
	if after != before {
		t.Errorf("series grew from %d to %d after %d made-up methods", before, after, flood)
	}
	if got := otherAfter - otherBefore; got != flood {
		t.Errorf("counted %v requests of other methods, want %d", got, flood)
	}
	if strings.Contains(body, `method="X`) || strings.Contains(body, `method="BREW"`) {
		t.Error("a made-up method became a label")
	}
}
