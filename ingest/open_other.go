//go:build !unix

package ingest

import "os"

// openNonBlocking opens path for reading; the stat before it has already
// refused what is not a regular file.
func openNonBlocking(path string) (*os.File, error) {
	return os.Open(path)
}
