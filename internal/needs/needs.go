// Package needs lets a test say what it needs from the machine beyond Go
// and gcc: a program from a Debian package, or the team's shared folder.
// When it is missing, the test skips with one line saying what is missing
// and what to install; where CI is set, the same line fails the test
// instead, since CI (.ci/run) installs everything and a skip there would
// hide a test that never ran.
//
// Every such test goes through this package, so that `go run
// ./internal/needs/count` can count and list them: the README's list is
// its output (-w README.md rewrites it), and its test fails when the
// README's list is not what the code says.
package needs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Need is a program a test asks for by name (LibreOffice, Chromium).
type Need struct {
	What   string   // the program, as people call it
	Debian string   // the Debian packages to install, space-separated
	Names  []string // commands on PATH or absolute paths, tried in order
}

// Named lists the programs that have a function of their own here, by the
// function's name; the test counter reads it too.
func Named() map[string]Need {
	return map[string]Need{
		"LibreOffice": {"LibreOffice", "libreoffice-writer-nogui libreoffice-calc-nogui", []string{"soffice", "libreoffice"}},
		// The Lao font makes the pages' screenshots show the script.
		"Chromium": {"Chromium", "chromium fonts-lao", []string{"/usr/bin/chromium"}},
	}
}

// LibreOffice returns the path of LibreOffice's soffice.
func LibreOffice(t testing.TB) string {
	t.Helper()
	n := Named()["LibreOffice"]
	return Program(t, n.What, n.Debian, n.Names...)
}

// Chromium returns the path of Debian's Chromium.
func Chromium(t testing.TB) string {
	t.Helper()
	n := Named()["Chromium"]
	return Program(t, n.What, n.Debian, n.Names...)
}

// Program returns the first of names found (a command on PATH, or an
// absolute path), or skips (fails under CI) naming what and the Debian
// packages that provide it.
func Program(t testing.TB, what, debian string, names ...string) string {
	t.Helper()
	for _, n := range names {
		if filepath.IsAbs(n) {
			if st, err := os.Stat(n); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
				return n
			}
			continue
		}
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	missing(t, fmt.Sprintf("%s (%s) is not installed", what, strings.Join(names, " or ")), "apt-get install "+debian)
	return ""
}

// Shared returns the team's shared folder, ../shared next to the
// repository (the seed and the corpus of real UN documents, which the
// repository does not hold), or skips (fails under CI, which has it).
func Shared(t testing.TB) string {
	t.Helper()
	dir, err := sharedDir()
	if err != nil {
		missing(t, err.Error(), "it sits next to the repository in the team's workspace")
	}
	return dir
}

func sharedDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	// The repository's root is where go.mod is, above the test's package.
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			dir := filepath.Join(d, "..", "shared")
			if _, err := os.Stat(filepath.Join(dir, "corpus", "expected.json")); err != nil {
				return "", fmt.Errorf("the shared corpus is not at %s", dir)
			}
			return dir, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("no go.mod above the test's folder")
		}
	}
}

// missing skips, or fails where CI is set, with one line.
func missing(t testing.TB, what, remedy string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (%s); CI must have it", what, remedy)
	}
	t.Skipf("skipping: %s (%s)", what, remedy)
}
