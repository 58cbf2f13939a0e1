package notify

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run if a goroutine of ours, go-smtp's or go-mail's is
// still alive after the tests: every connection and server must be closed.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := leftoverGoroutines(5 * time.Second); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

func leftoverGoroutines(wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var leaked []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "leftoverGoroutines") {
				continue // this one
			}
			if strings.Contains(g, "followup/notify.") || strings.Contains(g, "emersion/go-smtp") ||
				strings.Contains(g, "wneessen/go-mail") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d goroutines left after the tests:\n\n%s", len(leaked), strings.Join(leaked, "\n\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
