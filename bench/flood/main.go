// Command flood sends what a hostile client can to a running followup and
// measures the daemon's memory meanwhile (bench/flood.sh starts the daemon
// and writes BENCHMARKS.md's figures from what this prints):
//
//	flood metrics --base URL --pid PID [--requests 20000] [--rounds 2] [--method-size 30720] [--concurrency 50]
//	flood upload  --base URL --pid PID --sessions FILE [--clients 1000] [--probe SID]
//
// metrics sends rounds of requests with random made-up methods (each
// method name a new label value on a server that labels by the raw
// method) to random paths, and prints the daemon's RSS and the size of
// /metrics before and after each round, and its peak RSS: bounded, the
// second round's figures are the first's.
//
// upload opens --clients connections at once, each sending a progress
// update with five files of 10 MB (50 MB in all) to a task of its session
// (FILE: "SESSION_ID TASK_ID" per line, the clients spread over them),
// while another session's client asks for the ministry's page every
// 100 ms. It prints how each upload was answered, the page's latencies and
// statuses during the flood, and the daemon's peak RSS.
//
// Output is "key=value" lines. The peak is the larger of VmHWM (reset
// through /proc/PID/clear_refs before each flood, where the kernel
// allows) and the highest VmRSS sampled every 20 ms.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: flood metrics|upload --base URL --pid PID ...")
		os.Exit(2)
	}
	mode := os.Args[1]
	fs := flag.NewFlagSet(mode, flag.ExitOnError)
	base := fs.String("base", "", "the daemon's web address, e.g. http://127.0.0.1:8080")
	pid := fs.Int("pid", 0, "the daemon's process id, for its memory")
	requests := fs.Int("requests", 20000, "metrics: requests to send")
	methodSize := fs.Int("method-size", 30<<10, "metrics: bytes of each made-up method name")
	concurrency := fs.Int("concurrency", 50, "metrics: requests in flight at once")
	rounds := fs.Int("rounds", 2, "metrics: rounds of --requests, each measured")
	sessions := fs.String("sessions", "", "upload: file of \"SESSION_ID TASK_ID\" lines")
	clients := fs.Int("clients", 1000, "upload: uploads sent at once")
	probe := fs.String("probe", "", "upload: the session whose ministry page is asked during the flood")
	if err := fs.Parse(os.Args[2:]); err != nil {
		os.Exit(2)
	}
	if *base == "" || *pid == 0 {
		fmt.Fprintln(os.Stderr, "flood: --base and --pid are required")
		os.Exit(2)
	}
	m := &memory{pid: *pid}
	var err error
	switch mode {
	case "metrics":
		err = metricsFlood(m, *base, *requests, *methodSize, *concurrency, *rounds)
	case "upload":
		err = uploadFlood(m, *base, *sessions, *clients, *probe)
	default:
		err = fmt.Errorf("unknown mode %q: metrics or upload", mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "flood:", err)
		os.Exit(1)
	}
}

// memory reads the daemon's resident set from /proc.
type memory struct {
	pid  int
	peak atomic.Int64 // KB, highest VmRSS sampled
	stop chan struct{}
	wg   sync.WaitGroup
}

func (m *memory) status(key string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", m.pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// start resets the peak and samples VmRSS until end.
func (m *memory) start() {
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", m.pid), []byte("5"), 0) // resets VmHWM; not everywhere allowed
	m.peak.Store(m.status("VmRSS"))
	m.stop = make(chan struct{})
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-t.C:
				if v := m.status("VmRSS"); v > m.peak.Load() {
					m.peak.Store(v)
				}
			}
		}
	}()
}

// end stops sampling and returns the peak, in KB.
func (m *memory) end() int64 {
	close(m.stop)
	m.wg.Wait()
	return max(m.peak.Load(), m.status("VmHWM"))
}

func mb(kb int64) string { return fmt.Sprintf("%.1f", float64(kb)/1024) }

// scrape reads /metrics: its size, and the memory the Go runtime holds
// from the system (go_memstats_sys_bytes), in MB: what RSS comes back to
// once the collector has run, whatever garbage a round left.
func scrape(base string) (size int, goSys string, err error) {
	res, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return 0, "", fmt.Errorf("/metrics: %s", res.Status)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "go_memstats_sys_bytes "); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				goSys = fmt.Sprintf("%.1f", f/(1<<20))
			}
		}
	}
	return len(b), goSys, err
}

func metricsFlood(m *memory, base string, requests, methodSize, concurrency, rounds int) error {
	before, goSys, err := scrape(base)
	if err != nil {
		return err
	}
	fmt.Printf("rss_before_mb=%s\nmetrics_before_bytes=%d\ngo_sys_before_mb=%s\n", mb(m.status("VmRSS")), before, goSys)
	for r := 1; r <= rounds; r++ {
		if err := metricsRound(m, base, r, requests, methodSize, concurrency); err != nil {
			return err
		}
	}
	return nil
}

// metricsRound sends one round of requests and prints its figures,
// suffixed with the round's number.
func metricsRound(m *memory, base string, round, requests, methodSize, concurrency int) error {
	m.start()
	tr := &http.Transport{MaxIdleConnsPerHost: concurrency}
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	paths := []string{"/", "/m/", "/c/", "/metrics", "/l/x", "/nowhere/"}
	var next, failed atomic.Int64
	codes := make([]atomic.Int64, 600)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(w), uint64(round))) // new names each round
			method := make([]byte, methodSize)
			for next.Add(1) <= int64(requests) {
				for i := range method {
					method[i] = byte('A' + rnd.IntN(26))
				}
				path := paths[rnd.IntN(len(paths))] + strconv.Itoa(rnd.IntN(1e6))
				req, err := http.NewRequest(string(method), base+path, nil)
				if err != nil {
					failed.Add(1)
					continue
				}
				res, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode < len(codes) {
					codes[res.StatusCode].Add(1)
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	peak := m.end()
	after, goSys, err := scrape(base)
	if err != nil {
		return err
	}
	fmt.Printf("requests_%d=%d\nfailed_%d=%d\nseconds_%d=%.1f\n", round, requests, round, failed.Load(), round, took.Seconds())
	for c := range codes {
		if n := codes[c].Load(); n > 0 {
			fmt.Printf("status_%d_%d=%d\n", c, round, n)
		}
	}
	fmt.Printf("rss_after_mb_%d=%s\nrss_peak_mb_%d=%s\nmetrics_after_bytes_%d=%d\ngo_sys_after_mb_%d=%s\n", round, mb(m.status("VmRSS")), round, mb(peak), round, after, round, goSys)
	return nil
}

// fileChunk fills the files: a PDF's signature, then filler.
var fileChunk = func() []byte {
	b := bytes.Repeat([]byte("flood evidence "), 64<<10/15)
	copy(b, "%PDF-1.4\n")
	return b
}()

// body streams one upload: the form's fields and five files of 10 MB.
func body(task string) (io.Reader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			for k, v := range map[string]string{"task": task, "name": "Flood", "text": "flood upload"} {
				if err := mw.WriteField(k, v); err != nil {
					return err
				}
			}
			for i := range 5 {
				w, err := mw.CreateFormFile("file", fmt.Sprintf("flood-%d.pdf", i))
				if err != nil {
					return err
				}
				for left := 10 << 20; left > 0; {
					n := min(left, len(fileChunk))
					if _, err := w.Write(fileChunk[:n]); err != nil {
						return err
					}
					left -= n
				}
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}

type session struct{ id, task string }

func readSessions(path string) ([]session, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []session
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if id, task, ok := strings.Cut(strings.TrimSpace(sc.Text()), " "); ok {
			out = append(out, session{id, task})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no sessions", path)
	}
	return out, sc.Err()
}

func uploadFlood(m *memory, base, sessionsFile string, clients int, probe string) error {
	sessions, err := readSessions(sessionsFile)
	if err != nil {
		return err
	}
	rssBefore := m.status("VmRSS")
	m.start()
	// Every client its own connection, as a thousand browsers would.
	tr := &http.Transport{DisableKeepAlives: true, MaxConnsPerHost: 0}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	ctx, stopProbe := context.WithCancel(context.Background())
	type sample struct {
		code int
		took time.Duration
	}
	var samples []sample
	probeDone := make(chan struct{})
	go func() {
		defer close(probeDone)
		pc := &http.Client{Timeout: time.Minute}
		for ctx.Err() == nil {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/m/", nil)
			req.Header.Set("Cookie", "followup_session="+probe)
			start := time.Now()
			res, err := pc.Do(req)
			s := sample{took: time.Since(start)}
			if err == nil {
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				s.code = res.StatusCode
			}
			if ctx.Err() == nil {
				samples = append(samples, s)
			}
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()

	var mu sync.Mutex
	outcomes := map[string]int{}
	retryAfter := map[string]int{}
	var wg sync.WaitGroup
	begin := make(chan struct{})
	start := time.Now()
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := sessions[i%len(sessions)]
			b, ct := body(s.task)
			req, _ := http.NewRequest(http.MethodPost, base+"/m/task/"+s.task+"/update", b)
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Cookie", "followup_session="+s.id)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			<-begin
			res, err := client.Do(req)
			what := ""
			if err != nil {
				// Refused before its body was read, an upload may see
				// the server close the connection before the answer.
				what = "error"
				var ne interface{ Timeout() bool }
				switch msg := err.Error(); {
				case errors.As(err, &ne) && ne.Timeout():
					what = "timeout"
				case strings.Contains(msg, "connection reset"):
					what = "reset"
				case strings.Contains(msg, "broken pipe"):
					what = "broken-pipe"
				case strings.HasSuffix(msg, "EOF"):
					what = "closed"
				}
			} else {
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				what = strconv.Itoa(res.StatusCode)
			}
			mu.Lock()
			outcomes[what]++
			if err == nil && res.StatusCode == http.StatusServiceUnavailable {
				retryAfter[res.Header.Get("Retry-After")]++
			}
			mu.Unlock()
		}()
	}
	close(begin)
	wg.Wait()
	took := time.Since(start)
	// The last uploads' writes, then one more page.
	time.Sleep(time.Second)
	stopProbe()
	<-probeDone
	peak := m.end()

	fmt.Printf("clients=%d\nseconds=%.1f\n", clients, took.Seconds())
	keys := make([]string, 0, len(outcomes))
	for k := range outcomes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Printf("answer_%s=%d\n", k, outcomes[k])
	}
	for k, n := range retryAfter {
		fmt.Printf("retry_after_%q=%d\n", k, n)
	}
	var lat []time.Duration
	bad := 0
	for _, s := range samples {
		lat = append(lat, s.took)
		if s.code != http.StatusOK {
			bad++
		}
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		fmt.Printf("page_requests=%d\npage_not_200=%d\npage_median_ms=%.1f\npage_max_ms=%.1f\n", len(lat), bad,
			float64(lat[len(lat)/2].Microseconds())/1000, float64(lat[len(lat)-1].Microseconds())/1000)
	}
	fmt.Printf("rss_before_mb=%s\nrss_after_mb=%s\nrss_peak_mb=%s\n", mb(rssBefore), mb(m.status("VmRSS")), mb(peak))
	return nil
}
