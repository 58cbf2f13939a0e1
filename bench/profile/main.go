// Command profile runs what `followup preview --at T` runs (or, without
// --dry-run, what the daemon's first heartbeat plans) under Go's profilers,
// for BENCHMARKS.md: a CPU profile, and a heap profile taken when the heap
// was at its largest.
//
//	go run ./bench/profile --config FILE [--db PATH] --at TIME [--job reminders|coordinator_digest|ministry_digest|all]
//	    [--dry-run=false] --cpuprofile cpu.prof --memprofile heap.prof
//	go tool pprof -top cpu.prof
//	go tool pprof -top -sample_index=inuse_space heap.prof
//
// The context is cancelled by SIGINT, as in the CLI, so the driver runs
// each statement as the CLI does. --job all runs scheduler.PlanAt, every
// job that is due at TIME (all of them on a new database); a single job
// runs for the slot TIME whatever the stored slots say.
package main

// #include <malloc.h>
import "C"

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/scheduler"
	"github.com/followup-app/followup/store"
)

func main() {
	cfgPath := flag.String("config", "", "the followup config `file`")
	dbPath := flag.String("db", "", "the database `path`, instead of the config's")
	at := flag.String("at", "", "the `time`: RFC 3339, \"2006-01-02 15:04\" in the config's zone, or a date (its end)")
	job := flag.String("job", "reminders", "`job` to run: reminders, coordinator_digest, ministry_digest, or all (scheduler.PlanAt)")
	dry := flag.Bool("dry-run", true, "roll everything back, as followup preview does")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to `file`")
	memProfile := flag.String("memprofile", "", "write the heap profile of the largest heap seen to `file`")
	flag.Parse()
	if err := run(*cfgPath, *dbPath, *at, *job, *dry, *cpuProfile, *memProfile); err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		os.Exit(1)
	}
}

func run(cfgPath, dbPath, at, job string, dry bool, cpuProfile, memProfile string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg, err := config.Load(cfgPath, config.LoadOptions{Getenv: os.Getenv})
	if err != nil {
		return err
	}
	if dbPath != "" {
		cfg.Database = dbPath
	}
	when, err := civil.ParseInstant(at, cfg.Location)
	if err != nil {
		return fmt.Errorf("--at %w", err)
	}
	db, err := store.Open(ctx, cfg.Database, store.Options{MustExist: true, Location: cfg.Location, Now: func() time.Time { return when }})
	if err != nil {
		return err
	}
	defer db.Close()
	renderer, err := notify.NewRenderer(cfg.Mail.Templates, cfg.Location)
	if err != nil {
		return err
	}
	p := &plan.Planner{Config: cfg, Renderer: renderer, Now: func() time.Time { return when }}

	peak := watchHeap(memProfile != "")
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	began := time.Now()
	var planned []plan.Message
	if job == "all" {
		planned, err = scheduler.PlanAt(ctx, db, p, when, dry, slog.New(slog.DiscardHandler))
	} else {
		err = db.RunSlot(ctx, job, when, dry, func(tx *store.SlotTx) error {
			var err error
			planned, err = p.Run(ctx, tx, job, when)
			return err
		})
	}
	took := time.Since(began)
	if cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return err
	}
	heapPeak, heapProfile := peak()
	if memProfile != "" {
		if err := os.WriteFile(memProfile, heapProfile, 0o644); err != nil {
			return err
		}
	}
	tasks, size := 0, 0
	for _, m := range planned {
		tasks += m.Tasks
		size += len(m.Text)
	}
	fmt.Printf("job=%s dry_run=%v seconds=%.3f messages=%d tasks=%d text_mb=%.1f heap_peak_mb=%.1f vmhwm_mb=%.1f\n",
		job, dry, took.Seconds(), len(planned), tasks, float64(size)/(1<<20), float64(heapPeak)/(1<<20), float64(status("VmHWM"))/1024)
	// Where the memory is once the work is done: still held by Go's heap
	// (returned to the system only after later collections), or by C
	// (SQLite's allocations through malloc).
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("after: rss_mb=%.1f go_heap_sys_mb=%.1f go_heap_released_mb=%.1f go_heap_inuse_mb=%.1f\n",
		float64(status("VmRSS"))/1024, mib(ms.HeapSys), mib(ms.HeapReleased), mib(ms.HeapInuse))
	planned = nil
	debug.FreeOSMemory()
	runtime.ReadMemStats(&ms)
	fmt.Printf("after debug.FreeOSMemory: rss_mb=%.1f go_heap_sys_mb=%.1f go_heap_released_mb=%.1f go_heap_inuse_mb=%.1f go_sys_mb=%.1f\n",
		float64(status("VmRSS"))/1024, mib(ms.HeapSys), mib(ms.HeapReleased), mib(ms.HeapInuse), mib(ms.Sys))
	arenas, rest := mappings()
	fmt.Printf("resident: malloc_thread_arenas_mb=%.1f other_mb=%.1f\n", arenas/1024, rest/1024)
	C.malloc_trim(0)
	arenas, rest = mappings()
	fmt.Printf("after malloc_trim(0): rss_mb=%.1f malloc_thread_arenas_mb=%.1f other_mb=%.1f\n", float64(status("VmRSS"))/1024, arenas/1024, rest/1024)
	db.Close()
	C.malloc_trim(0)
	arenas, rest = mappings()
	fmt.Printf("after closing the database: rss_mb=%.1f malloc_thread_arenas_mb=%.1f other_mb=%.1f\n", float64(status("VmRSS"))/1024, arenas/1024, rest/1024)
	return nil
}

// mappings sums the resident memory of glibc malloc's thread arenas
// (anonymous mappings aligned on 64 MiB below the stack: where C code such
// as SQLite allocates from the threads that call it) and of everything
// else.
func mappings() (arenasKB, otherKB float64) {
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return
	}
	arena := false
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if start, _, ok := strings.Cut(f[0], "-"); ok && len(f) >= 5 && len(f[0]) > 20 {
			var addr uint64
			fmt.Sscanf(start, "%x", &addr)
			arena = len(f) == 5 && addr >= 0x7f0000000000 && addr%(64<<20) == 0
			continue
		}
		if f[0] == "Rss:" && len(f) >= 2 {
			var kb float64
			fmt.Sscanf(f[1], "%g", &kb)
			if arena {
				arenasKB += kb
			} else {
				otherKB += kb
			}
		}
	}
	return
}

// watchHeap samples the heap every 50 ms and, when asked, keeps the heap
// profile written when it was largest (the profile describes the heap as
// of the last garbage collection before that moment).
func watchHeap(keep bool) func() (uint64, []byte) {
	var mu sync.Mutex
	var peak uint64
	var profile []byte
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			mu.Lock()
			if ms.HeapInuse > peak {
				grew := ms.HeapInuse > peak+peak/20
				peak = ms.HeapInuse
				if keep && grew {
					var b bytes.Buffer
					if err := pprof.Lookup("heap").WriteTo(&b, 0); err == nil {
						profile = b.Bytes()
					}
				}
			}
			mu.Unlock()
		}
	}()
	return func() (uint64, []byte) {
		close(done)
		<-stopped
		mu.Lock()
		defer mu.Unlock()
		return peak, profile
	}
}

// status reads a field of /proc/self/status, in kB.
func status(field string) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			var kb int
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
			return kb
		}
	}
	return 0
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }
