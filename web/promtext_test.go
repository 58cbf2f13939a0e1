package web

import (
	"bufio"
	"compress/gzip"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestExpositionFormat: the text the format's reference implementation
// writes: families sorted by name, series by their labels' values, label
// values and help escaped, numbers in their shortest form.
func TestExpositionFormat(t *testing.T) {
	c := newCounterVec("b_total", "Counts \\ things\non two lines.", "code", "route")
	c.inc("404", `GET /a "quoted"`)
	c.inc("200", "GET /b\\n")
	c.inc("200", "GET /a")
	c.inc("200", "GET /a")
	h := newHistogramVec("a_seconds", "Time.", []float64{0.001, 0.5, 1}, "route")
	h.observe(0.0005, "x")
	h.observe(0.7, "x")
	h.observe(3, "x")
	var b strings.Builder
	w := bufio.NewWriter(&b)
	writeFamilies(w, []family{
		c.family(), h.family(),
		gauge("c_big", "Big.", 1.796683239e+09), gauge("c_inf", "Inf.", math.Inf(1)), gauge("c_max", "Max.", math.MaxUint64),
		{name: "d_empty", help: "No series: not written.", typ: "gauge"},
	})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := `# HELP a_seconds Time.
# TYPE a_seconds histogram
a_seconds_bucket{route="x",le="0.001"} 1
a_seconds_bucket{route="x",le="0.5"} 1
a_seconds_bucket{route="x",le="1"} 2
a_seconds_bucket{route="x",le="+Inf"} 3
a_seconds_sum{route="x"} 3.7005
a_seconds_count{route="x"} 3
# HELP b_total Counts \\ things\non two lines.
# TYPE b_total counter
b_total{code="200",route="GET /a"} 2
b_total{code="200",route="GET /b\\n"} 1
b_total{code="404",route="GET /a \"quoted\""} 1
# HELP c_big Big.
# TYPE c_big gauge
c_big 1.796683239e+09
# HELP c_inf Inf.
# TYPE c_inf gauge
c_inf +Inf
# HELP c_max Max.
# TYPE c_max gauge
c_max 1.8446744073709552e+19
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestMetricsScrape: a whole scrape, plain and gzipped, is well formed:
// every family has its HELP and TYPE before its lines, and the Go
// runtime's and the process's figures are there as Prometheus's client
// gives them.
func TestMetricsScrape(t *testing.T) {
	f := newDashFixture(t)
	m := NewMetrics(f.db, time.Now, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	for _, gz := range []bool{false, true} {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		var body io.Reader = res.Body
		if gz {
			if res.Header.Get("Content-Encoding") != "gzip" {
				t.Fatal("not gzipped")
			}
			zr, err := gzip.NewReader(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			body = zr
		}
		text, err := io.ReadAll(body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/plain; version=0.0.4; charset=utf-8; escaping=underscores" {
			t.Errorf("content type %q", ct)
		}
		sample := regexp.MustCompile(`^([a-z_]+)(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [-+0-9.e]+(Inf)?$`)
		typed := map[string]string{}
		var help string
		for _, l := range strings.Split(strings.TrimSuffix(string(text), "\n"), "\n") {
			switch {
			case strings.HasPrefix(l, "# HELP "):
				help = strings.Fields(l)[2]
			case strings.HasPrefix(l, "# TYPE "):
				fl := strings.Fields(l)
				if fl[2] != help {
					t.Errorf("TYPE of %s after HELP of %s", fl[2], help)
				}
				typed[fl[2]] = fl[3]
			default:
				mm := sample.FindStringSubmatch(l)
				if mm == nil {
					t.Errorf("not a sample line: %q", l)
					continue
				}
				name := mm[1]
				if _, ok := typed[name]; !ok {
					base := regexp.MustCompile(`_(bucket|sum|count)$`).ReplaceAllString(name, "")
					if _, ok := typed[base]; !ok {
						t.Errorf("%s has no TYPE", name)
					}
				}
			}
		}
		for name, typ := range map[string]string{
			"go_gc_duration_seconds": "summary", "go_goroutines": "gauge", "go_memstats_alloc_bytes_total": "counter", "go_threads": "gauge",
			"process_cpu_seconds_total": "counter", "process_resident_memory_bytes": "gauge", "process_open_fds": "gauge", "process_start_time_seconds": "gauge",
			"followup_sweep_duration_seconds": "histogram", "followup_database_up": "gauge", "followup_tasks": "gauge",
		} {
			if typed[name] != typ {
				t.Errorf("%s: type %q, want %q", name, typed[name], typ)
			}
		}
	}
}
