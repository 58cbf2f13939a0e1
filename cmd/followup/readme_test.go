package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// TestReadmeReportExample (issue 10, case 14): the README's report-draft
// example is what a user who cloned the repository gets after the quick
// start (the daemon imports the example's document): the same warning and
// the same summary line, word for word.
func TestReadmeReportExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(line, "# followup report: warning: ") || strings.HasPrefix(line, "# wrote crc-next-draft-1.docx: ") {
			want = append(want, strings.TrimPrefix(line, "# "))
		}
	}
	if len(want) != 2 {
		t.Fatalf("the README's example has %d output lines, want the warning and the summary: %q", len(want), want)
	}
	dir := t.TempDir()
	for _, f := range []string{"followup.yaml", "sample-co.txt"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", "lao-opsc", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(binary(t), args...)
		cmd.Dir = dir
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("followup %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		return out.String()
	}
	// What the daemon does at start: import the config's documents.
	run("import", "--config", "followup.yaml", "sample-co.txt")
	got := run("report", "draft", "crc-next", "--config", "followup.yaml", "--by", "NCMC secretariat")
	for _, w := range want {
		if !strings.Contains(got, w+"\n") {
			t.Errorf("the README says %q; the command printed:\n%s", w, got)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "crc-next-draft-1.docx")); err != nil {
		t.Errorf("no draft written: %v", err)
	}
}

// readmeTable returns the first cells of the README's table of commands
// (the rows that start with `followup …`), with Markdown's \| unescaped.
func readmeTable(t *testing.T) []string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var cells []string
	for _, line := range strings.Split(string(readme), "\n") {
		rest, ok := strings.CutPrefix(line, "| `followup ")
		if !ok {
			continue
		}
		end := strings.Index(rest, "` |")
		if end < 0 {
			t.Fatalf("the README's row %q: its first cell does not end with ` |", line)
		}
		cells = append(cells, "followup "+strings.ReplaceAll(rest[:end], `\|`, "|"))
	}
	if len(cells) == 0 {
		t.Fatal("the README has no table of commands (rows starting with | `followup …`)")
	}
	return cells
}

// TestReadmeCommands (issue 21): every command of the README's table
// exists, with its subcommand and each flag the row names, as `followup
// COMMAND [SUBCOMMAND] --help` says; and every command `followup help`
// lists has a row, so that a new command is documented.
func TestReadmeCommands(t *testing.T) {
	c := newCLI(t)
	reFlag := regexp.MustCompile(`--([a-z][a-z0-9-]*)`)
	// Lowercase words after the command are a subcommand (task show, link
	// revoke), or several (add|remove); placeholders are in capitals.
	reSubs := regexp.MustCompile(`^[a-z][a-z-]*(\|[a-z][a-z-]*)*$`)
	documented := map[string]bool{}
	for _, cell := range readmeTable(t) {
		words := strings.Fields(cell)
		if len(words) < 2 {
			t.Errorf("the README's row %q names no command", cell)
			continue
		}
		documented[words[1]] = true
		calls := [][]string{{words[1]}}
		if len(words) > 2 && reSubs.MatchString(words[2]) {
			calls = nil
			for _, sub := range strings.Split(words[2], "|") {
				calls = append(calls, []string{words[1], sub})
			}
		}
		// Each flag the row names belongs to one of the row's calls.
		helps := ""
		for _, call := range calls {
			out, errs, code := c.run(append(call, "--help")...)
			if code != 0 {
				t.Errorf("the README's row %q: followup %s --help exits %d:\n%s%s", cell, strings.Join(call, " "), code, out, errs)
				continue
			}
			help := out + errs
			if !strings.Contains(help, "usage: followup "+strings.Join(call, " ")) {
				t.Errorf("the README's row %q: followup %s --help prints no usage of it:\n%s", cell, strings.Join(call, " "), help)
			}
			helps += help
		}
		for _, m := range reFlag.FindAllStringSubmatch(cell, -1) {
			if !regexp.MustCompile(`(?m)^  -` + m[1] + `\b`).MatchString(helps) {
				t.Errorf("the README's row %q names --%s, which no command of the row takes:\n%s", cell, m[1], helps)
			}
		}
	}
	for _, cmd := range commands() {
		if !documented[cmd.name] {
			t.Errorf("followup %s (%s) has no row in the README's table of commands", cmd.name, cmd.summary)
		}
	}
}

// TestReadmeGoVersion: the Go the documents ask for ("Go 1.26 or newer")
// is the one go.mod requires.
func TestReadmeGoVersion(t *testing.T) {
	mod, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go ([0-9]+\.[0-9]+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	want := string(m[1])
	reGo := regexp.MustCompile(`Go\]?(?:\([^)]*\))? ([0-9]+\.[0-9]+) or newer`)
	n := 0
	for _, f := range markdownFiles(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range reGo.FindAllSubmatch(b, -1) {
			n++
			if string(g[1]) != want {
				t.Errorf("%s asks for Go %s or newer; go.mod requires %s", f, g[1], want)
			}
		}
	}
	if n == 0 {
		t.Error(`no document says which Go it needs ("Go 1.NN or newer")`)
	}
}

// markdownFiles lists the repository's Markdown files, outside hidden
// folders and bench/out.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	root := filepath.Join("..", "..")
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && (strings.HasPrefix(d.Name(), ".") || p == filepath.Join(root, "bench", "out")) {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestReadmeLinks (issue 21): every relative link of the repository's
// Markdown files points to a file or folder that exists, and its #anchor,
// if any, to a heading of the Markdown file it names (GitHub's anchors).
func TestReadmeLinks(t *testing.T) {
	reLink := regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)\)`)
	anchors := map[string]map[string]bool{}
	anchorsOf := func(path string) map[string]bool {
		if a, ok := anchors[path]; ok {
			return a
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		a := headingAnchors(string(b))
		anchors[path] = a
		return a
	}
	files := markdownFiles(t)
	checked := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range reLink.FindAllStringSubmatch(proseOf(string(b)), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			checked++
			path, anchor, _ := strings.Cut(target, "#")
			dest := f
			if path != "" {
				dest = filepath.Join(filepath.Dir(f), filepath.FromSlash(path))
				if _, err := os.Stat(dest); err != nil {
					t.Errorf("%s: the link %q points to nothing: %v", f, target, err)
					continue
				}
			}
			if anchor != "" {
				if !strings.HasSuffix(dest, ".md") {
					t.Errorf("%s: the link %q has an anchor into a file that is not Markdown", f, target)
				} else if !anchorsOf(dest)[anchor] {
					t.Errorf("%s: the link %q: %s has no heading with the anchor #%s", f, target, dest, anchor)
				}
			}
		}
	}
	if checked == 0 {
		t.Error("no relative link was found: the link pattern is broken")
	}
}

var codeSpan = regexp.MustCompile("`[^`]*`")

// proseOf is a Markdown text without its fenced code blocks and code
// spans, where brackets and parentheses are not links.
func proseOf(s string) string {
	var b strings.Builder
	fenced := false
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		b.WriteString(codeSpan.ReplaceAllString(line, "``"))
		b.WriteByte('\n')
	}
	return b.String()
}

// headingAnchors are the anchors GitHub gives a Markdown file's headings:
// lower case, punctuation but hyphens and underscores dropped, spaces made
// hyphens, a repeated anchor numbered -1, -2….
func headingAnchors(s string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	fenced := false
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
		}
		if fenced || !strings.HasPrefix(line, "#") {
			continue
		}
		text := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var a strings.Builder
		for _, r := range strings.ToLower(text) {
			switch {
			case r == ' ':
				a.WriteByte('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
				a.WriteRune(r)
			}
		}
		id := a.String()
		if n := seen[id]; n > 0 {
			out[fmt.Sprintf("%s-%d", id, n)] = true
		} else {
			out[id] = true
		}
		seen[id]++
	}
	return out
}
