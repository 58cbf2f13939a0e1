package pkg

import (
	"testing"

	n "github.com/followup-app/followup/internal/needs"
)

type fixture struct{}

func (fixture) corpus(t *testing.T) string { return n.Shared(t) }

func helper(t *testing.T) string { return deeper(t) }

func deeper(t *testing.T) string { return n.Shared(t) }

func loop(t *testing.T) { loop(t) }

func TestViaHelper(t *testing.T) { helper(t) }

func TestViaMethod(t *testing.T) { var f fixture; f.corpus(t) }

func TestInClosure(t *testing.T) {
	t.Run("x", func(t *testing.T) { n.LibreOffice(t) })
}

func TestProgram(t *testing.T) { n.Program(t, "pdftoppm", "poppler-utils", "pdftoppm") }

func TestNothing(t *testing.T) { loop(t) }

func BenchmarkSeed(b *testing.B) { n.Shared(b) }
