package main

import (
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/followup-app/followup/ingest"
	"github.com/followup-app/followup/ingest/pdftext"
)

// pdfReader gives a command the reader of the PDFs it imports. Nothing
// starts until a PDF comes: PDFium is compiled then (seconds) or loaded
// from the cache folder (a fraction of a second). The caller closes it.
func pdfReader(env *environment, logger *slog.Logger) *pdftext.Reader {
	return pdftext.New(pdftext.Config{CacheDir: pdfCacheDir(env), MaxText: ingest.MaxFileSize, Logger: logger})
}

// pdfCacheDir is where the compiled PDFium is kept: the service's cache
// folder under systemd (CacheDirectory=, which sets $CACHE_DIRECTORY), else
// the user's ($XDG_CACHE_HOME, else ~/.cache), in a folder "followup". Not
// next to the database: the database is the whole state and is backed up
// as one file, and `import --dry-run` has none. A home that cannot be
// written (a service with ProtectHome=) only costs the compilation at
// each start.
func pdfCacheDir(env *environment) string {
	if d, _, _ := strings.Cut(env.getenv("CACHE_DIRECTORY"), ":"); filepath.IsAbs(d) {
		return d
	}
	if d := env.getenv("XDG_CACHE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "followup")
	}
	if h := env.getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Join(h, ".cache", "followup")
	}
	return ""
}
