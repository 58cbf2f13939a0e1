//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package store

import "os"

// tryLock: no flock here. The daemon refuses to start rather than run
// without the guarantee.
func tryLock(f *os.File, exclusive bool) (bool, error) { return false, ErrLockUnsupported }

func unlock(f *os.File) error { return ErrLockUnsupported }

func fileID(f *os.File) (dev, ino uint64, err error) { return 0, 0, ErrLockUnsupported }
