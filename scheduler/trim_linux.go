//go:build linux && cgo

package scheduler

// #include <malloc.h>
import "C"

// SQLite allocates through malloc, called from whichever thread the Go
// runtime runs the cgo call on; glibc gives each thread an arena of its
// own and keeps what a large sweep freed. Two arenas, trimmed after a
// sweep, keep the idle daemon small.

// limitCArenas caps glibc's malloc arenas (MALLOC_ARENA_MAX=2).
func limitCArenas() { C.mallopt(C.M_ARENA_MAX, 2) }

// releaseCMemory hands the C heap's free memory back to the system.
func releaseCMemory() { C.malloc_trim(0) }
