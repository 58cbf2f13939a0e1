//go:build !unix

package pdftext

import (
	"fmt"
	"os"
)

// private checks that dir is a folder; ownership is the platform's
// business here.
func private(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	return nil
}
