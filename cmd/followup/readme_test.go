package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
