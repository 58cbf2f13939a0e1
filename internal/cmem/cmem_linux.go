//go:build linux && cgo

// Package cmem keeps the C heap small: SQLite allocates through glibc's
// malloc, which keeps what a large query freed and gives threads arenas
// of their own.
package cmem

// #include <malloc.h>
import "C"

// Release hands the C heap's free memory back to the system.
func Release() { C.malloc_trim(0) }
