//go:build unix

package pdftext

import (
	"fmt"
	"os"
	"syscall"
)

// private checks that dir belongs to this process's user and that no one
// else may write into it: the compiled code kept there is run as is.
func private(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) != os.Geteuid() {
		return fmt.Errorf("%s belongs to another user (uid %d)", dir, sys.Uid)
	}
	if st.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("others may write into %s (mode %v)", dir, st.Mode().Perm())
	}
	return nil
}
