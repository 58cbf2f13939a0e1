package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README's list of tests that need more than Go and gcc is what the
// code says.
func TestReadme(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := Block(root)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := Current(string(readme))
	if !ok {
		t.Fatalf("README.md has no %s … %s lines: put them where the list of tests belongs, then run go run ./internal/needs/count -w README.md", begin, end)
	}
	if got != want {
		t.Errorf("README.md's list of tests is out of date: run go run ./internal/needs/count -w README.md\nit says:\n%s\nthe code says:\n%s", got, want)
	}
}

// Helpers, methods, closures and aliases are followed; a test package and
// its external test package are apart; recursion ends.
func TestCount(t *testing.T) {
	byNeed, err := Count(filepath.Join("testdata", "repo"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for need, ts := range byNeed {
		var names []string
		for _, tc := range ts {
			names = append(names, tc.pkg+"."+tc.name)
		}
		got[need] = strings.Join(names, " ")
	}
	want := map[string]string{
		"shared":                             "pkg.BenchmarkSeed pkg.TestViaHelper pkg.TestViaMethod",
		"LibreOffice":                        "pkg.TestInClosure",
		"Chromium":                           "pkg.TestExternal",
		"pdftoppm (Debian: `poppler-utils`)": "pkg.TestProgram",
	}
	if len(got) != len(want) {
		t.Errorf("needs %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
}

// The block goes where the markers are, and nowhere else.
func TestReplace(t *testing.T) {
	doc := "# Title\n\nBefore.\n" + begin + "\nold\n" + end + "\nAfter.\n"
	out, err := Replace(doc, begin+"\nnew\n"+end+"\n")
	if err != nil || out != "# Title\n\nBefore.\n"+begin+"\nnew\n"+end+"\nAfter.\n" {
		t.Errorf("Replace = %q, %v", out, err)
	}
	if _, err := Replace("# Title\n", "x"); err == nil || !strings.Contains(err.Error(), begin) {
		t.Errorf("no markers: %v", err)
	}
}
