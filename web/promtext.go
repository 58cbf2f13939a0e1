package web

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Prometheus's text exposition format (version 0.0.4), written by hand:
// the client library (client_golang, and protobuf through it) put 2.4 MB
// into the daemon's binary, whose mapped pages count in the idle daemon's
// memory (issue 21). The output keeps the library's: the same families,
// HELP and TYPE lines, labels, sorting and number format, and the same
// go_* and process_* metrics as its Go and process collectors.

// family is one metric family of a scrape.
type family struct {
	name, help, typ string
	series          []series
}

// series is one line (or, for histograms and summaries, one group of
// lines) of a family.
type series struct {
	labels []label // sorted by name
	value  float64
	// histograms: the buckets' upper bounds and cumulative counts;
	// summaries: the quantiles and their values.
	bounds, counts []float64
	sum            float64
	count          uint64
}

type label struct{ name, value string }

func gauge(name, help string, v float64, labels ...label) family {
	return family{name: name, help: help, typ: "gauge", series: []series{{labels: labels, value: v}}}
}

func counter(name, help string, v float64) family {
	return family{name: name, help: help, typ: "counter", series: []series{{value: v}}}
}

// writeFamilies writes the families sorted by name, each one's series
// sorted by their labels' values, as client_golang does.
func writeFamilies(w *bufio.Writer, fams []family) {
	slices.SortFunc(fams, func(a, b family) int { return strings.Compare(a.name, b.name) })
	for _, f := range fams {
		if len(f.series) == 0 {
			continue
		}
		slices.SortFunc(f.series, func(a, b series) int {
			for i := range min(len(a.labels), len(b.labels)) {
				if c := strings.Compare(a.labels[i].value, b.labels[i].value); c != 0 {
					return c
				}
			}
			return len(a.labels) - len(b.labels)
		})
		w.WriteString("# HELP " + f.name + " ")
		w.WriteString(escapeHelp(f.help))
		w.WriteString("\n# TYPE " + f.name + " " + f.typ + "\n")
		for _, s := range f.series {
			switch f.typ {
			case "histogram":
				for i, b := range s.bounds {
					line(w, f.name+"_bucket", s.labels, &label{"le", formatFloat(b)}, s.counts[i])
				}
				line(w, f.name+"_bucket", s.labels, &label{"le", "+Inf"}, float64(s.count))
				line(w, f.name+"_sum", s.labels, nil, s.sum)
				line(w, f.name+"_count", s.labels, nil, float64(s.count))
			case "summary":
				for i, q := range s.bounds {
					line(w, f.name, s.labels, &label{"quantile", formatFloat(q)}, s.counts[i])
				}
				line(w, f.name+"_sum", s.labels, nil, s.sum)
				line(w, f.name+"_count", s.labels, nil, float64(s.count))
			default:
				line(w, f.name, s.labels, nil, s.value)
			}
		}
	}
}

func line(w *bufio.Writer, name string, labels []label, extra *label, v float64) {
	w.WriteString(name)
	if len(labels) > 0 || extra != nil {
		w.WriteByte('{')
		for i, l := range labels {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(l.name + `="` + escapeLabel(l.value) + `"`)
		}
		if extra != nil {
			if len(labels) > 0 {
				w.WriteByte(',')
			}
			w.WriteString(extra.name + `="` + extra.value + `"`)
		}
		w.WriteByte('}')
	}
	w.WriteByte(' ')
	w.WriteString(formatFloat(v))
	w.WriteByte('\n')
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func escapeHelp(s string) string  { return helpEscaper.Replace(s) }
func escapeLabel(s string) string { return labelEscaper.Replace(s) }

// formatFloat writes a number as the format's reference implementation
// does: the shortest representation, with +Inf, -Inf and NaN spelled out.
func formatFloat(f float64) string {
	switch {
	case f == 1:
		return "1"
	case f == 0:
		return "0"
	case f == -1:
		return "-1"
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, +1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// counterVec counts by label values, for the life of the process: its
// callers keep the values to a closed set.
type counterVec struct {
	name, help string
	labels     []string // sorted by name

	mu     sync.Mutex
	counts map[string]*series
}

func newCounterVec(name, help string, labels ...string) *counterVec {
	return &counterVec{name: name, help: help, labels: labels, counts: map[string]*series{}}
}

// inc adds one to the series of values, given in the order of labels.
func (c *counterVec) inc(values ...string) {
	key := strings.Join(values, "\xff")
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.counts[key]
	if !ok {
		s = &series{labels: make([]label, len(values))}
		for i, v := range values {
			s.labels[i] = label{c.labels[i], v}
		}
		c.counts[key] = s
	}
	s.value++
}

func (c *counterVec) family() family {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := family{name: c.name, help: c.help, typ: "counter"}
	for _, s := range c.counts {
		f.series = append(f.series, *s)
	}
	return f
}

// histogramVec is a histogram by label values (none for a plain one).
type histogramVec struct {
	name, help string
	labels     []string
	bounds     []float64

	mu  sync.Mutex
	all map[string]*series
}

func newHistogramVec(name, help string, bounds []float64, labels ...string) *histogramVec {
	return &histogramVec{name: name, help: help, labels: labels, bounds: bounds, all: map[string]*series{}}
}

func (h *histogramVec) observe(v float64, values ...string) {
	key := strings.Join(values, "\xff")
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.all[key]
	if !ok {
		s = &series{labels: make([]label, len(values)), bounds: h.bounds, counts: make([]float64, len(h.bounds))}
		for i, lv := range values {
			s.labels[i] = label{h.labels[i], lv}
		}
		h.all[key] = s
	}
	for i, b := range h.bounds {
		if v <= b {
			s.counts[i]++
		}
	}
	s.sum += v
	s.count++
}

func (h *histogramVec) family() family {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := family{name: h.name, help: h.help, typ: "histogram"}
	for _, s := range h.all {
		c := *s
		c.counts = slices.Clone(s.counts)
		f.series = append(f.series, c)
	}
	return f
}

// goFamilies are the Go runtime's metrics, as client_golang's default Go
// collector gives them: read from runtime/metrics, with the same sums.
func goFamilies() []family {
	names := []string{
		"/gc/gogc:percent", "/gc/gomemlimit:bytes", "/sched/gomaxprocs:threads",
		"/memory/classes/heap/objects:bytes", "/gc/heap/allocs:bytes", "/memory/classes/profiling/buckets:bytes",
		"/gc/heap/frees:objects", "/gc/heap/tiny/allocs:objects", "/memory/classes/metadata/other:bytes",
		"/memory/classes/heap/released:bytes", "/memory/classes/heap/free:bytes", "/memory/classes/heap/unused:bytes",
		"/gc/heap/objects:objects", "/gc/heap/allocs:objects", "/memory/classes/metadata/mcache/inuse:bytes",
		"/memory/classes/metadata/mcache/free:bytes", "/memory/classes/metadata/mspan/inuse:bytes",
		"/memory/classes/metadata/mspan/free:bytes", "/gc/heap/goal:bytes", "/memory/classes/other:bytes",
		"/memory/classes/heap/stacks:bytes", "/memory/classes/os-stacks:bytes", "/memory/classes/total:bytes",
	}
	samples := make([]metrics.Sample, len(names))
	for i, n := range names {
		samples[i].Name = n
	}
	metrics.Read(samples)
	m := map[string]float64{}
	for _, s := range samples {
		switch s.Value.Kind() {
		case metrics.KindUint64:
			m[s.Name] = float64(s.Value.Uint64())
		case metrics.KindFloat64:
			m[s.Name] = s.Value.Float64()
		}
	}
	var gc debug.GCStats
	gc.PauseQuantiles = make([]time.Duration, 5)
	debug.ReadGCStats(&gc)
	quantiles := make([]float64, 5)
	for i, q := range gc.PauseQuantiles {
		quantiles[i] = q.Seconds()
	}
	threads, _ := runtime.ThreadCreateProfile(nil)
	heapObjects := m["/memory/classes/heap/objects:bytes"]
	return []family{
		{name: "go_gc_duration_seconds", help: "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.", typ: "summary",
			series: []series{{bounds: []float64{0, 0.25, 0.5, 0.75, 1}, counts: quantiles, sum: gc.PauseTotal.Seconds(), count: uint64(gc.NumGC)}}},
		gauge("go_gc_gogc_percent", "Heap size target percentage configured by the user, otherwise 100. This value is set by the GOGC environment variable, and the runtime/debug.SetGCPercent function. Sourced from /gc/gogc:percent.", m["/gc/gogc:percent"]),
		gauge("go_gc_gomemlimit_bytes", "Go runtime memory limit configured by the user, otherwise math.MaxInt64. This value is set by the GOMEMLIMIT environment variable, and the runtime/debug.SetMemoryLimit function. Sourced from /gc/gomemlimit:bytes.", m["/gc/gomemlimit:bytes"]),
		gauge("go_goroutines", "Number of goroutines that currently exist.", float64(runtime.NumGoroutine())),
		gauge("go_info", "Information about the Go environment.", 1, label{"version", runtime.Version()}),
		gauge("go_memstats_alloc_bytes", "Number of bytes allocated in heap and currently in use. Equals to /memory/classes/heap/objects:bytes.", heapObjects),
		counter("go_memstats_alloc_bytes_total", "Total number of bytes allocated in heap until now, even if released already. Equals to /gc/heap/allocs:bytes.", m["/gc/heap/allocs:bytes"]),
		gauge("go_memstats_buck_hash_sys_bytes", "Number of bytes used by the profiling bucket hash table. Equals to /memory/classes/profiling/buckets:bytes.", m["/memory/classes/profiling/buckets:bytes"]),
		counter("go_memstats_frees_total", "Total number of heap objects frees. Equals to /gc/heap/frees:objects + /gc/heap/tiny/allocs:objects.", m["/gc/heap/frees:objects"]+m["/gc/heap/tiny/allocs:objects"]),
		gauge("go_memstats_gc_sys_bytes", "Number of bytes used for garbage collection system metadata. Equals to /memory/classes/metadata/other:bytes.", m["/memory/classes/metadata/other:bytes"]),
		gauge("go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and currently in use, same as go_memstats_alloc_bytes. Equals to /memory/classes/heap/objects:bytes.", heapObjects),
		gauge("go_memstats_heap_idle_bytes", "Number of heap bytes waiting to be used. Equals to /memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.", m["/memory/classes/heap/released:bytes"]+m["/memory/classes/heap/free:bytes"]),
		gauge("go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes", heapObjects+m["/memory/classes/heap/unused:bytes"]),
		gauge("go_memstats_heap_objects", "Number of currently allocated objects. Equals to /gc/heap/objects:objects.", m["/gc/heap/objects:objects"]),
		gauge("go_memstats_heap_released_bytes", "Number of heap bytes released to OS. Equals to /memory/classes/heap/released:bytes.", m["/memory/classes/heap/released:bytes"]),
		gauge("go_memstats_heap_sys_bytes", "Number of heap bytes obtained from system. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes + /memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.",
			heapObjects+m["/memory/classes/heap/unused:bytes"]+m["/memory/classes/heap/released:bytes"]+m["/memory/classes/heap/free:bytes"]),
		gauge("go_memstats_last_gc_time_seconds", "Number of seconds since 1970 of last garbage collection.", float64(gc.LastGC.UnixNano())/1e9),
		counter("go_memstats_mallocs_total", "Total number of heap objects allocated, both live and gc-ed. Semantically a counter version for go_memstats_heap_objects gauge. Equals to /gc/heap/allocs:objects + /gc/heap/tiny/allocs:objects.", m["/gc/heap/allocs:objects"]+m["/gc/heap/tiny/allocs:objects"]),
		gauge("go_memstats_mcache_inuse_bytes", "Number of bytes in use by mcache structures. Equals to /memory/classes/metadata/mcache/inuse:bytes.", m["/memory/classes/metadata/mcache/inuse:bytes"]),
		gauge("go_memstats_mcache_sys_bytes", "Number of bytes used for mcache structures obtained from system. Equals to /memory/classes/metadata/mcache/inuse:bytes + /memory/classes/metadata/mcache/free:bytes.", m["/memory/classes/metadata/mcache/inuse:bytes"]+m["/memory/classes/metadata/mcache/free:bytes"]),
		gauge("go_memstats_mspan_inuse_bytes", "Number of bytes in use by mspan structures. Equals to /memory/classes/metadata/mspan/inuse:bytes.", m["/memory/classes/metadata/mspan/inuse:bytes"]),
		gauge("go_memstats_mspan_sys_bytes", "Number of bytes used for mspan structures obtained from system. Equals to /memory/classes/metadata/mspan/inuse:bytes + /memory/classes/metadata/mspan/free:bytes.", m["/memory/classes/metadata/mspan/inuse:bytes"]+m["/memory/classes/metadata/mspan/free:bytes"]),
		gauge("go_memstats_next_gc_bytes", "Number of heap bytes when next garbage collection will take place. Equals to /gc/heap/goal:bytes.", m["/gc/heap/goal:bytes"]),
		gauge("go_memstats_other_sys_bytes", "Number of bytes used for other system allocations. Equals to /memory/classes/other:bytes.", m["/memory/classes/other:bytes"]),
		gauge("go_memstats_stack_inuse_bytes", "Number of bytes obtained from system for stack allocator in non-CGO environments. Equals to /memory/classes/heap/stacks:bytes.", m["/memory/classes/heap/stacks:bytes"]),
		gauge("go_memstats_stack_sys_bytes", "Number of bytes obtained from system for stack allocator. Equals to /memory/classes/heap/stacks:bytes + /memory/classes/os-stacks:bytes.", m["/memory/classes/heap/stacks:bytes"]+m["/memory/classes/os-stacks:bytes"]),
		gauge("go_memstats_sys_bytes", "Number of bytes obtained from system. Equals to /memory/classes/total:byte.", m["/memory/classes/total:bytes"]),
		gauge("go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting, or the number of operating system threads that can execute user-level Go code simultaneously. Sourced from /sched/gomaxprocs:threads.", m["/sched/gomaxprocs:threads"]),
		gauge("go_threads", "Number of OS threads created.", float64(threads)),
	}
}

// processFamilies are the process's figures from /proc, as client_golang's
// process collector gives them on Linux; one that cannot be read is left
// out. Elsewhere there are none.
func processFamilies() []family {
	var out []family
	const userHZ = 100 // the kernel's USER_HZ on every Linux architecture Go runs on
	if stat, err := os.ReadFile("/proc/self/stat"); err == nil {
		// The fields after the command's closing parenthesis, from field 3.
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 {
			f := strings.Fields(string(stat[i+1:]))
			num := func(n int) float64 { // field n of proc(5), 1-based
				if n-3 >= len(f) {
					return math.NaN()
				}
				v, err := strconv.ParseFloat(f[n-3], 64)
				if err != nil {
					return math.NaN()
				}
				return v
			}
			if cpu := (num(14) + num(15)) / userHZ; !math.IsNaN(cpu) {
				out = append(out, counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", cpu))
			}
			if v := num(23); !math.IsNaN(v) {
				out = append(out, gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", v))
			}
			if v := num(24); !math.IsNaN(v) {
				out = append(out, gauge("process_resident_memory_bytes", "Resident memory size in bytes.", v*float64(os.Getpagesize())))
			}
			if boot := bootTime(); boot > 0 && !math.IsNaN(num(22)) {
				out = append(out, gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", boot+num(22)/userHZ))
			}
		}
	}
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		out = append(out, gauge("process_open_fds", "Number of open file descriptors.", float64(len(fds))))
	}
	if limits, err := os.ReadFile("/proc/self/limits"); err == nil {
		for l := range strings.Lines(string(limits)) {
			name, soft := limitLine(l)
			switch name {
			case "Max open files":
				out = append(out, gauge("process_max_fds", "Maximum number of open file descriptors.", soft))
			case "Max address space":
				out = append(out, gauge("process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.", soft))
			}
		}
	}
	if netstat, err := os.ReadFile("/proc/self/net/netstat"); err == nil {
		if in, outb, ok := ipOctets(string(netstat)); ok {
			out = append(out,
				counter("process_network_receive_bytes_total", "Number of bytes received by the process over the network.", in),
				counter("process_network_transmit_bytes_total", "Number of bytes sent by the process over the network.", outb))
		}
	}
	return out
}

// bootTime is the "btime" of /proc/stat: when the machine started.
func bootTime() float64 {
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	for l := range strings.Lines(string(stat)) {
		if v, ok := strings.CutPrefix(l, "btime "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f
		}
	}
	return 0
}

// limitLine reads a line of /proc/self/limits: its name and soft limit
// ("unlimited" is the largest uint64, as client_golang reports it).
func limitLine(l string) (string, float64) {
	if len(l) < 26 {
		return "", 0
	}
	name := strings.TrimSpace(l[:25])
	f := strings.Fields(l[25:])
	if len(f) == 0 {
		return "", 0
	}
	if f[0] == "unlimited" {
		return name, math.MaxUint64
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return "", 0
	}
	return name, v
}

// ipOctets reads InOctets and OutOctets from the IpExt lines of
// /proc/self/net/netstat (a header line, then a values line).
func ipOctets(s string) (in, out float64, ok bool) {
	var header []string
	for l := range strings.Lines(s) {
		f := strings.Fields(l)
		if len(f) == 0 || f[0] != "IpExt:" {
			continue
		}
		if header == nil {
			header = f
			continue
		}
		found := 0
		for i := 1; i < len(f) && i < len(header); i++ {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch header[i] {
			case "InOctets":
				in, found = v, found+1
			case "OutOctets":
				out, found = v, found+1
			}
		}
		return in, out, found == 2
	}
	return 0, 0, false
}
