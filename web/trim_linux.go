//go:build linux && cgo

package web

// #include <malloc.h>
import "C"

// releaseCMemory hands the C heap's free memory (SQLite's) back to the
// system, as the daemon does after a sweep (package scheduler).
func releaseCMemory() { C.malloc_trim(0) }
