//go:build unix

package ingest

import (
	"os"
	"syscall"
)

// openNonBlocking opens path for reading without blocking: opening a FIFO
// for reading blocks until a writer comes, unless O_NONBLOCK is given. For
// a regular file the flag changes nothing.
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
