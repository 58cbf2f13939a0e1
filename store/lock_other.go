//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package store

import "os"

// tryLock: no flock here. The daemon refuses to start rather than run
// without the guarantee.
func tryLock(f *os.File, exclusive bool) (bool, error) { return false, ErrLockUnsupported }
