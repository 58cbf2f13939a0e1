package main

import (
	"errors"
	"flag"
	"fmt"
	"testing"

	"github.com/followup-app/followup/store"
)

// TestExitCode: the one mapping from errors to exit statuses, the store's
// kinds included, as the README says (0, 1, 2).
func TestExitCode(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{flag.ErrHelp, 0},
		{fmt.Errorf("task: %w", flag.ErrHelp), 0},
		{usageError("expected a task ID and a STAGE"), 2},
		{fmt.Errorf("task 9: %w", store.ErrNotFound), 1},
		{fmt.Errorf("move task 9: %w: no name", store.ErrInvalid), 1},
		{fmt.Errorf("ownership request 3: %w", store.ErrDecided), 1},
		{store.ErrBusy, 1},
		{store.ErrReadOnly, 1},
		{store.ErrDiskFull, 1},
		{store.ErrDamaged, 1},
		{errors.New("anything else"), 1},
	} {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("exitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}
