// Package pdftext reads the text of a PDF in-process, in a sandbox: PDFium
// (the PDF engine of Chromium) compiled to WebAssembly, as go-pdfium ships
// it, runs inside the wazero runtime (pure Go, no cgo) with no file system,
// a cap on its memory and a time limit. A damaged or hostile PDF can make
// PDFium fail, but not reach the process's memory, files or network, nor
// run forever; each document gets a fresh instance, so one cannot leave
// anything behind for the next.
//
// Why not poppler's pdftotext, which the importer used before: it is an
// external program that a machine must have installed, and it parses the
// PDF natively with the full rights of the user running followup. Why
// PDFium: it is the engine a browser trusts with any PDF from the web, and
// on the UN documents tried it gives the recommendations pdftotext gives
// (BENCHMARKS.md). The price: 12 MB more binary, a read about seven times
// pdftotext's CPU time, and compiling the engine at the first PDF a
// machine reads (seconds), kept in Config.CacheDir for the next ones.
package pdftext

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klippa-app/go-pdfium"
	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// Errors of a read, each wrapped with the detail.
var (
	ErrDamaged  = errors.New("damaged, or not a PDF")
	ErrStopped  = errors.New("PDFium stopped")
	ErrPassword = errors.New("it is protected by a password")
	ErrTimeout  = errors.New("reading it took too long")
	ErrTooLarge = errors.New("its text is too large")
	ErrStart    = errors.New("the PDF reader could not start")
)

// Defaults of Config and of a read.
const (
	// DefaultMemoryLimit caps one document's memory. Each of the 523
	// PDFs of the CRPD collection in BENCHMARKS.md (up to 1.8 MB and 99
	// pages) reads within 32 MB, of which PDFium's start takes 18.
	DefaultMemoryLimit = 256 << 20
	// DefaultTimeout bounds the read of one document with the compiled
	// engine: a 38-page report takes 2.4 s of CPU (9 s on a machine
	// loaded 20 times over); a PDF that takes minutes is broken or
	// hostile.
	DefaultTimeout = 2 * time.Minute
	// InterpretedTimeout is the bound with the interpreter (where the
	// process may not create executable memory), about twelve times
	// slower: the same report took 29 s of CPU, 2 minutes on that machine.
	InterpretedTimeout = 10 * time.Minute
	// DefaultMaxText caps the text of one document.
	DefaultMaxText = 20 << 20
)

// Config sets up a Reader.
type Config struct {
	// CacheDir keeps the machine code compiled from PDFium's WebAssembly
	// (about 21 MB), so that later processes start reading in a fraction
	// of a second instead of several seconds. Empty: compile in memory at
	// each start. The folder is created if missing; it must belong to the
	// user running followup and be writable by no one else, since it holds
	// code that the process runs; when it is not, or cannot be written, the
	// Reader compiles in memory and says so at debug level.
	CacheDir string
	// MemoryLimit caps one document's memory in bytes (DefaultMemoryLimit
	// when zero).
	MemoryLimit int64
	// MaxText caps the text of one document in bytes (DefaultMaxText when
	// zero).
	MaxText int
	// Logger receives the engine's start; nil discards.
	Logger *slog.Logger
}

// Reader reads PDFs one at a time. Its engine starts at the first Text
// call, not before: a process that imports no PDF pays nothing. Close
// releases it. A Reader is safe for concurrent use; reads wait for each
// other.
type Reader struct {
	cfg Config
	log *slog.Logger

	mu     sync.Mutex
	ready  chan struct{} // closed once the engine started or failed
	closed bool

	// set before ready is closed
	pool        pdfium.Pool
	cache       wazero.CompilationCache
	interpreted bool
	startEr     error
}

// New returns a Reader; nothing starts until the first PDF.
func New(cfg Config) *Reader {
	if cfg.MemoryLimit <= 0 {
		cfg.MemoryLimit = DefaultMemoryLimit
	}
	if cfg.MaxText <= 0 {
		cfg.MaxText = DefaultMaxText
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Reader{cfg: cfg, log: log.With("component", "pdf")}
}

// Text returns the text of the PDF in data, page after page, each page
// ended by a form feed, in the pages' physical order (see layout). The
// read gives up after timeout (when zero, DefaultTimeout, or
// InterpretedTimeout for the interpreter) or when ctx is done, stopping
// PDFium where it is.
func (r *Reader) Text(ctx context.Context, data []byte, timeout time.Duration) (string, error) {
	pool, err := r.start(ctx)
	if err != nil {
		return "", err
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
		if r.interpreted {
			timeout = InterpretedTimeout
		}
	}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	inst, err := pool.GetInstanceWithContext(dctx)
	if err != nil {
		if cerr := stopped(ctx, dctx, timeout); cerr != nil {
			return "", cerr
		}
		return "", fmt.Errorf("%w: %v", ErrStart, err)
	}
	// When the time is up, Kill stops PDFium inside whatever call it is
	// in (the runtime checks the context at every loop and call) and
	// discards the instance.
	var killed atomic.Bool
	stop := context.AfterFunc(dctx, func() {
		killed.Store(true)
		_ = inst.Kill()
	})
	text, err := r.extract(inst, data)
	if stop() {
		_ = inst.Close() // the instance is discarded either way
	}
	if cerr := stopped(ctx, dctx, timeout); killed.Load() || cerr != nil {
		if cerr == nil {
			cerr = fmt.Errorf("%w (more than %s)", ErrTimeout, timeout)
		}
		return "", cerr
	}
	if err != nil {
		return "", err
	}
	return text, nil
}

// stopped says why a read stopped early, or nil if it did not.
func stopped(ctx, dctx context.Context, timeout time.Duration) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case dctx.Err() != nil:
		return fmt.Errorf("%w (more than %s)", ErrTimeout, timeout)
	}
	return nil
}

// extract reads every page of one document. It never panics: PDFium's
// failures, the runtime's traps (out of memory, killed) and go-pdfium's
// panics come back as errors.
func (r *Reader) extract(inst pdfium.Pdfium, data []byte) (text string, err error) {
	defer func() {
		if p := recover(); p != nil {
			text, err = "", fmt.Errorf("%w: %v", ErrStopped, p)
		}
	}()
	doc, err := inst.OpenDocument(&requests.OpenDocument{File: &data})
	if err != nil {
		return "", r.openError(err)
	}
	defer func() { _, _ = inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document}) }()
	count, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
	if err != nil {
		return "", r.stoppedError(0, err)
	}
	if count.PageCount == 0 {
		// PDFium rebuilds what it can of a truncated file; with no page
		// left, "no text layer" would send the admin after a scan.
		return "", fmt.Errorf("%w: it has no pages", ErrDamaged)
	}
	var b strings.Builder
	for i := range count.PageCount {
		page, err := inst.GetPageTextStructured(&requests.GetPageTextStructured{
			Page: requests.Page{ByIndex: &requests.PageByIndex{Document: doc.Document, Index: i}},
			Mode: requests.GetPageTextStructuredModeChars,
		})
		if err != nil {
			return "", r.stoppedError(i+1, err)
		}
		glyphs := make([]glyph, 0, len(page.Chars))
		for _, c := range page.Chars {
			g := glyph{left: c.PointPosition.Left, bottom: c.PointPosition.Bottom, right: c.PointPosition.Right, top: c.PointPosition.Top, angle: c.Angle}
			for _, ch := range c.Text {
				g.r = ch
			}
			glyphs = append(glyphs, g)
		}
		b.WriteString(layout(glyphs))
		b.WriteByte('\f')
		if b.Len() > r.cfg.MaxText {
			return "", fmt.Errorf("%w (more than %d MB)", ErrTooLarge, r.cfg.MaxText>>20)
		}
	}
	return b.String(), nil
}

// openError says why PDFium refused a document.
func (r *Reader) openError(err error) error {
	switch {
	case errors.Is(err, pdfiumerrors.ErrPassword):
		return ErrPassword
	case errors.Is(err, pdfiumerrors.ErrSecurity):
		return ErrPassword // an encryption PDFium does not support
	case errors.Is(err, pdfiumerrors.ErrFormat), errors.Is(err, pdfiumerrors.ErrFile):
		return ErrDamaged
	}
	return r.stoppedError(0, err)
}

// stoppedError wraps a failure while reading page n (0: the document).
// PDFium aborts when it runs out of memory as when it meets what it cannot
// handle; the runtime's trap does not tell which, so the message says both.
func (r *Reader) stoppedError(n int, err error) error {
	where := ""
	if n > 0 {
		where = fmt.Sprintf(" on page %d", n)
	}
	// A trap comes with a WebAssembly stack trace: keep the first line.
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return fmt.Errorf("%w%s (damaged, or it needs more than %d MB of memory): %s", ErrStopped, where, r.cfg.MemoryLimit>>20, msg)
}

// start starts the engine once, in the background so that ctx can give up
// on it, and waits for it.
func (r *Reader) start(ctx context.Context) (pdfium.Pool, error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, fmt.Errorf("%w: the reader is closed", ErrStart)
	}
	if r.ready == nil {
		r.ready = make(chan struct{})
		go r.init()
	}
	ready := r.ready
	r.mu.Unlock()
	select {
	case <-ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if r.startEr != nil {
		return nil, r.startEr
	}
	return r.pool, nil
}

// init compiles PDFium's module and makes the pool of instances.
func (r *Reader) init() {
	defer close(r.ready)
	defer func() {
		if p := recover(); p != nil {
			r.startEr = fmt.Errorf("%w: %v", ErrStart, p)
		}
	}()
	begin := time.Now()
	// The compiled engine where the platform has one and the process may
	// map executable memory; wazero's interpreter where not (systemd's
	// MemoryDenyWriteExecute=yes), ten to thirty times slower.
	rc := wazero.NewRuntimeConfig()
	engine := "compiler"
	if !execMemory() {
		rc = wazero.NewRuntimeConfigInterpreter()
		engine, r.interpreted = "interpreter", true
		r.log.Warn("this process may not create executable memory (systemd's MemoryDenyWriteExecute?): PDFs are read by the slower interpreter")
	}
	rc = rc.
		// The bundled module lowers setjmp/longjmp to exception handling.
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithMemoryLimitPages(uint32((r.cfg.MemoryLimit + 65535) / 65536)).
		WithCloseOnContextDone(true)
	pool, err := r.initPool(rc)
	if err != nil {
		r.startEr = fmt.Errorf("%w: %v", ErrStart, err)
		return
	}
	r.pool = pool
	r.log.Debug("PDF reader started", "engine", engine, "cache", r.cache != nil, "took", time.Since(begin).Round(time.Millisecond))
}

// initPool compiles the module, through the cache folder when there is a
// usable one.
func (r *Reader) initPool(rc wazero.RuntimeConfig) (pdfium.Pool, error) {
	cfg := webassembly.Config{
		// Compile on every core: the first start takes seconds.
		Context:  experimental.WithCompilationWorkers(context.Background(), goruntime.GOMAXPROCS(0)),
		MinIdle:  0,
		MaxIdle:  1,
		MaxTotal: 1, // one document at a time: memory stays bounded
		// No file system at all: the document comes in as bytes.
		FSConfig: wazero.NewFSConfig(),
		Stdout:   io.Discard,
		Stderr:   io.Discard,
	}
	if dir := r.cacheDir(); dir != "" {
		cache, err := wazero.NewCompilationCacheWithDir(dir)
		if err == nil {
			cfg.RuntimeConfig = rc.WithCompilationCache(cache)
			pool, err := webassembly.Init(cfg)
			if err == nil {
				r.cache = cache
				return pool, nil
			}
			_ = cache.Close(context.Background())
		}
		// wazero fails the compilation when it cannot write the
		// cache's file (a full disk): once more without it.
		r.log.Debug("compiling PDFium without a cache", "cache_dir", dir, "err", err)
	}
	cfg.RuntimeConfig = rc
	return webassembly.Init(cfg)
}

// cacheDir returns the configured cache folder once it is made and safe to
// run code from, or "".
func (r *Reader) cacheDir() string {
	dir := r.cfg.CacheDir
	if dir == "" {
		return ""
	}
	dir, err := filepath.Abs(dir)
	if err == nil {
		err = os.MkdirAll(dir, 0o700)
	}
	if err == nil {
		err = private(dir)
	}
	if err == nil {
		// wazero's cache fails the compilation when it cannot write
		// its file: try first.
		var f *os.File
		if f, err = os.CreateTemp(dir, ".probe-*"); err == nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}
	if err != nil {
		r.log.Debug("compiling PDFium without a cache", "cache_dir", dir, "err", err)
		return ""
	}
	return dir
}

// Close stops the engine, waiting for a start under way. Reads after Close
// fail.
func (r *Reader) Close() error {
	r.mu.Lock()
	r.closed = true
	ready := r.ready
	r.mu.Unlock()
	if ready == nil {
		return nil
	}
	<-ready
	var err error
	if r.pool != nil {
		err = r.pool.Close()
		r.pool = nil
	}
	if r.cache != nil {
		if cerr := r.cache.Close(context.Background()); err == nil {
			err = cerr
		}
		r.cache = nil
	}
	return err
}
