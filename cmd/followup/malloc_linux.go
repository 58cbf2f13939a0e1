//go:build linux && cgo

package main

// SQLite allocates through glibc's malloc, from whichever thread the Go
// runtime runs a cgo call on, and glibc gives each new thread an arena of
// its own (up to eight per core), each keeping what it once held. One
// arena is enough here, since the daemon reaches SQLite through a single
// connection: at 1M tasks it keeps the idle daemon 2 to 3 MB smaller
// after web traffic (BENCHMARKS.md). It is what MALLOC_ARENA_MAX=1 does,
// and it must be set as the process starts, before the Go runtime starts
// threads (a thread that already has an arena keeps it): hence a C
// constructor, which runs before Go's runtime does.

// #include <malloc.h>
// static void __attribute__((constructor)) followup_one_arena(void) { mallopt(M_ARENA_MAX, 1); }
import "C"
