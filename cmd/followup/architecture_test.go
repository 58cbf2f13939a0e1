package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestArchitectureImports keeps docs/architecture.md's map true: for each
// package in its table, the last column ("imports of ours") lists exactly
// the packages of this module that the package's own (non-test) files
// import. A new import, or one dropped, fails here until the map says so.
func TestArchitectureImports(t *testing.T) {
	root := filepath.Join("..", "..")
	doc, err := os.ReadFile(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	const module = "github.com/followup-app/followup/"
	name := regexp.MustCompile("^`([a-z0-9/]+)`$")
	listedRe := regexp.MustCompile("`([a-z0-9/]+)`")
	rows := 0
	for _, line := range strings.Split(string(doc), "\n") {
		cols := strings.Split(strings.Trim(line, "| "), " | ")
		if !strings.HasPrefix(line, "| `") || len(cols) != 3 {
			continue
		}
		m := name.FindStringSubmatch(cols[0])
		if m == nil || cols[2] == "nearly all" {
			continue
		}
		pkg := m[1]
		files, err := filepath.Glob(filepath.Join(root, pkg, "*.go"))
		if err != nil || len(files) == 0 {
			t.Errorf("docs/architecture.md names %s, which has no Go files", pkg)
			continue
		}
		rows++
		actual := map[string]bool{}
		fset := token.NewFileSet()
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if rest, ok := strings.CutPrefix(p, module); ok {
					actual[rest] = true
				}
			}
		}
		var want, got []string
		for p := range actual {
			want = append(want, p)
		}
		for _, mm := range listedRe.FindAllStringSubmatch(cols[2], -1) {
			got = append(got, mm[1])
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("docs/architecture.md: %s imports %q, the map says %q", pkg, want, got)
		}
	}
	if rows < 10 {
		t.Fatalf("read %d package rows from docs/architecture.md: has its table changed shape?", rows)
	}
}
