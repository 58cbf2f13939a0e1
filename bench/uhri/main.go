// Command uhri writes a made-up UHRI export of any size and measures
// reading one, for BENCHMARKS.md: the time the reader takes and the
// process's peak resident memory (getrusage's ru_maxrss), in a process of
// its own so that nothing else counts. "scan" reads as an importer would
// (ingest.ScanUHRIFile, each row handed over and dropped), "read" keeps
// every document in memory (ingest.ReadUHRIFile, as a dry run does).
//
//	go run ./bench/uhri gen -rows 270000 -format xlsx -o bench/out/uhri-270k.xlsx
//	go build -o bench/out/uhri ./bench/uhri && bench/out/uhri scan bench/out/uhri-270k.xlsx
//
// bench/uhri.sh does both.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/followup-app/followup/ingest"
	"github.com/followup-app/followup/internal/uhrigen"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "uhri:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: uhri gen -rows N -format xlsx|csv|json -o FILE | uhri read|scan FILE")
	}
	switch args[0] {
	case "gen":
		fs := flag.NewFlagSet("gen", flag.ContinueOnError)
		rows := fs.Int("rows", 270000, "rows to write")
		format := fs.String("format", "xlsx", "xlsx, csv or json")
		out := fs.String("o", "", "output `file`")
		seed := fs.Uint64("seed", 1, "random seed")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *out == "" {
			return fmt.Errorf("gen: -o FILE is required")
		}
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		if err := uhrigen.Write(w, *format, *rows, *seed); err != nil {
			_ = f.Close()
			return err
		}
		if err := w.Flush(); err != nil {
			_ = f.Close()
			return err
		}
		return f.Close()
	case "read", "scan":
		if len(args) != 2 {
			return fmt.Errorf("usage: uhri read|scan FILE")
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		start := time.Now()
		var u *ingest.UHRI
		var err error
		if args[0] == "read" {
			u, err = ingest.ReadUHRIFile(ctx, args[1])
		} else {
			texts := 0
			u, err = ingest.ScanUHRIFile(ctx, args[1], func(it ingest.UHRIItem) error {
				// What an importer would write.
				if it.Recommendation != nil {
					texts += len(it.Recommendation.Text)
				}
				return nil
			})
			fmt.Printf("%.1f MB of recommendation text handed over\n", float64(texts)/(1<<20))
		}
		if err != nil {
			return err
		}
		elapsed := time.Since(start)
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			return err
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Print(u.Summary())
		fmt.Printf("read in %.1f s (%.0f rows/s); peak RSS %.1f MB; heap in use at the end %.1f MB\n",
			elapsed.Seconds(), float64(u.Rows)/elapsed.Seconds(), float64(ru.Maxrss)/1024, float64(ms.HeapInuse)/(1<<20))
		// Keep the result alive until the figures are taken.
		runtime.KeepAlive(u)
		return u.Err()
	}
	return fmt.Errorf("unknown command %q: gen or read", args[0])
}
