package ingest

import (
	"testing"

	"github.com/followup-app/followup/internal/lazyre"
)

// TestPatternsCompile: the package's patterns are compiled on first use
// (internal/lazyre); each one compiles.
func TestPatternsCompile(t *testing.T) {
	if err := lazyre.Check(); err != nil {
		t.Fatal(err)
	}
}
