package pkg_test

import (
	"testing"

	"github.com/followup-app/followup/internal/needs"
)

// helper has the name of one in package pkg: the external test package
// is counted on its own.
func helper(t *testing.T) {}

func TestExternal(t *testing.T) { helper(t); needs.Chromium(t) }
