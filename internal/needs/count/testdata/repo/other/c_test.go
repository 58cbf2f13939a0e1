package other

import "testing"

func needsNothing() {}

func TestPlain(t *testing.T) { needsNothing() }

func Testing(t *testing.T) {}
