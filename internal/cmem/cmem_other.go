//go:build !linux || !cgo

// Package cmem keeps the C heap small: SQLite allocates through glibc's
// malloc, which keeps what a large query freed and gives threads arenas
// of their own.
package cmem

// Release does nothing where glibc's malloc_trim does not exist.
func Release() {}
