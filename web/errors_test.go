package web

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/followup-app/followup/store"
	"github.com/mattn/go-sqlite3"
)

// TestStatusOf: the one mapping from the store's kinds to HTTP statuses,
// through the wrapping the store and the handlers add.
func TestStatusOf(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{store.ErrNotFound, http.StatusNotFound},
		{fmt.Errorf("task 9: %w", store.ErrNotFound), http.StatusNotFound},
		{fmt.Errorf("page cursor %q: %w", "x", store.ErrInvalid), http.StatusUnprocessableEntity},
		{fmt.Errorf("ownership request 3: %w (agreed)", store.ErrDecided), http.StatusConflict},
		{store.ErrBusy, http.StatusServiceUnavailable},
		{fmt.Errorf("%w: %w", store.ErrDiskFull, sqlite3.Error{Code: sqlite3.ErrFull}), http.StatusServiceUnavailable},
		{store.ErrReadOnly, http.StatusServiceUnavailable},
		{store.ErrDamaged, http.StatusServiceUnavailable},
		{errors.New("anything else"), http.StatusServiceUnavailable},
	} {
		if got := statusOf(c.err); got != c.want {
			t.Errorf("statusOf(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}
