// Command count lists the tests that need more than Go and gcc (the team's
// shared folder, LibreOffice, Chromium, another program), as the README
// says them: it reads the tests' source and follows, within each package,
// the helpers a test calls down to the calls into internal/needs.
//
//	go run ./internal/needs/count               # print the README's block
//	go run ./internal/needs/count -w README.md  # rewrite the block in place
//
// The block sits between the lines "<!-- tests-needing:begin -->" and
// "<!-- tests-needing:end -->", wherever the README puts them.
package main

import (
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/followup-app/followup/internal/needs"
)

const (
	begin     = "<!-- tests-needing:begin -->"
	end       = "<!-- tests-needing:end -->"
	needsPath = "github.com/followup-app/followup/internal/needs"
)

func main() {
	write := flag.String("w", "", "rewrite the block in this `file` instead of printing it")
	root := flag.String("root", ".", "the repository's `folder`")
	flag.Parse()
	block, err := Block(*root)
	if err == nil && *write != "" {
		err = rewrite(*write, block)
	} else if err == nil {
		_, err = os.Stdout.WriteString(block)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "count:", err)
		os.Exit(1)
	}
}

// rewrite replaces the block in file.
func rewrite(file, block string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	out, err := Replace(string(b), block)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return os.WriteFile(file, []byte(out), 0o644)
}

// Replace puts block in place of the one between the markers of doc.
func Replace(doc, block string) (string, error) {
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		return "", errors.New("no " + begin + " … " + end + " lines: put them where the list of tests belongs")
	}
	return doc[:i] + block + doc[j+len(end)+1:], nil
}

// Current returns the block between the markers of doc, markers included.
func Current(doc string) (string, bool) {
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		return "", false
	}
	return doc[i : j+len(end)+1], true
}

// test is a test (or benchmark) and what it needs.
type test struct {
	pkg, name string
}

// Block returns the README's block for the repository at root.
func Block(root string) (string, error) {
	byNeed, err := Count(root)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(begin + "\n")
	b.WriteString("<!-- made by `go run ./internal/needs/count -w README.md`: do not edit by hand -->\n")
	named := needs.Named()
	keys := make([]string, 0, len(byNeed))
	for k := range byNeed {
		keys = append(keys, k)
	}
	// The shared folder first, then the programs by name.
	slices.SortFunc(keys, func(a, b string) int {
		if (a == "shared") != (b == "shared") {
			if a == "shared" {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, k := range keys {
		ts := byNeed[k]
		var what string
		switch n, ok := named[k]; {
		case k == "shared":
			what = "The team's shared folder next to the repository (`../shared`: the seed and the corpus of real UN documents, which are not in the repository)"
		case ok:
			what = debian(n.What, n.Debian)
		default:
			what = k
		}
		fmt.Fprintf(&b, "- %s, %s %s: %s.\n", what, number(len(ts)), plural(len(ts), "test", "tests"), list(ts))
	}
	b.WriteString("\nTests and benchmarks are counted alike. Each skips with one line saying what is missing and what to install, and fails instead where `CI` is set (`.ci/run` installs them).\n")
	b.WriteString(end + "\n")
	return b.String(), nil
}

// list writes the tests as "`TestA`, `TestB` (pkg); `TestC` (other)".
func list(ts []test) string {
	var parts []string
	for i := 0; i < len(ts); {
		j := i
		var names []string
		for ; j < len(ts) && ts[j].pkg == ts[i].pkg; j++ {
			names = append(names, "`"+ts[j].name+"`")
		}
		parts = append(parts, strings.Join(names, ", ")+" ("+ts[i].pkg+")")
		i = j
	}
	return strings.Join(parts, "; ")
}

// debian says a program and its Debian packages.
func debian(what, packages string) string {
	return fmt.Sprintf("%s (Debian: `%s`)", what, strings.Join(strings.Fields(packages), "`, `"))
}

func number(n int) string {
	words := []string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
	if n < len(words) {
		return words[n]
	}
	return strconv.Itoa(n)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Count finds, in every package under root, the tests that need
// something, keyed by what: "shared", a name of needs.Named, or for
// needs.Program the program's name.
func Count(root string) (map[string][]test, error) {
	dirs := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "vendor") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, "_test.go") {
			dirs[filepath.Dir(p)] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := map[string][]test{}
	for _, dir := range slices.Sorted(func(yield func(string) bool) {
		for d := range dirs {
			if !yield(d) {
				return
			}
		}
	}) {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			return nil, err
		}
		found, err := countDir(dir)
		if err != nil {
			return nil, err
		}
		for _, f := range found {
			for _, need := range f.needs {
				out[need] = append(out[need], test{filepath.ToSlash(rel), f.name})
			}
		}
	}
	return out, nil
}

// fn is a function or method declared in a package's test files: what it
// asks internal/needs for directly, and whom it calls.
type fn struct {
	name  string
	needs []string
	calls []string
}

type found struct {
	name  string
	needs []string
}

// countDir returns the tests of one folder (its package and its external
// test package, each on its own) with what they need, in name order.
func countDir(dir string) ([]found, error) {
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		return nil, err
	}
	byPkg := map[string]map[string][]*fn{} // package -> name -> declarations
	for _, path := range files {
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		local := ""
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == needsPath {
				local = "needs"
				if imp.Name != nil {
					local = imp.Name.Name
				}
			}
		}
		decls := byPkg[f.Name.Name]
		if decls == nil {
			decls = map[string][]*fn{}
			byPkg[f.Name.Name] = decls
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			decl := &fn{name: fd.Name.Name}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				switch fun := call.Fun.(type) {
				case *ast.Ident:
					decl.calls = append(decl.calls, fun.Name)
				case *ast.SelectorExpr:
					if x, ok := fun.X.(*ast.Ident); ok && local != "" && x.Name == local {
						decl.needs = append(decl.needs, need(fun.Sel.Name, call))
					} else {
						// A method: which type's is not known without
						// type-checking; every method of that name in
						// the package is taken.
						decl.calls = append(decl.calls, fun.Sel.Name)
					}
				}
				return true
			})
			decls[decl.name] = append(decls[decl.name], decl)
		}
	}
	var out []found
	for _, decls := range byPkg {
		for name := range decls {
			if !isTest(name) {
				continue
			}
			if ns := reach(name, decls, map[string]bool{}); len(ns) > 0 {
				out = append(out, found{name, ns})
			}
		}
	}
	slices.SortFunc(out, func(a, b found) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// need names what a call into internal/needs asks for.
func need(fun string, call *ast.CallExpr) string {
	switch fun {
	case "Shared":
		return "shared"
	case "Program":
		// needs.Program(t, what, debian, names...)
		var args []string
		for _, a := range call.Args[1:min(3, len(call.Args))] {
			lit, ok := a.(*ast.BasicLit)
			s, err := "", error(nil)
			if ok {
				s, err = strconv.Unquote(lit.Value)
			}
			if !ok || err != nil {
				return "a program"
			}
			args = append(args, s)
		}
		if len(args) == 2 {
			return debian(args[0], args[1])
		}
		return "a program"
	}
	return fun
}

// reach returns what name needs, through the functions it calls.
func reach(name string, decls map[string][]*fn, seen map[string]bool) []string {
	if seen[name] {
		return nil
	}
	seen[name] = true
	var ns []string
	for _, d := range decls[name] {
		ns = append(ns, d.needs...)
		for _, c := range d.calls {
			ns = append(ns, reach(c, decls, seen)...)
		}
	}
	slices.Sort(ns)
	return slices.Compact(ns)
}

// isTest tells the functions `go test` runs.
func isTest(name string) bool {
	for _, p := range []string{"Test", "Benchmark", "Fuzz", "Example"} {
		if rest, ok := strings.CutPrefix(name, p); ok && (rest == "" || !isLower(rest[0])) && name != "TestMain" {
			return true
		}
	}
	return false
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
