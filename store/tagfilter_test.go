package store

import "testing"

// TestTagFilterEmpty: a filter selects everything only with no field set.
func TestTagFilterEmpty(t *testing.T) {
	for f, want := range map[TagFilter]bool{
		{}:                     true,
		{Theme: "Migrants"}:    false,
		{Person: "Children"}:   false,
		{SDG: "16"}:            false,
		{Theme: "x", SDG: "1"}: false,
	} {
		if got := f.Empty(); got != want {
			t.Errorf("%+v.Empty() = %v", f, got)
		}
	}
}
