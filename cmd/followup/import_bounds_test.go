package main

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// inTime runs f and fails the test if it has not returned within limit: a
// command that blocks on a named pipe would otherwise hang the suite.
func inTime(t *testing.T, limit time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("still blocked after %s", limit)
	}
}

func mkfifo(t *testing.T, path string) string {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	// Whatever happens, nothing stays blocked on the pipe after the test.
	t.Cleanup(func() {
		if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	return path
}

// TestImportFIFORefused (issue 10, case 4): `followup import` of a named
// pipe says what it is in one line, exits 1 and writes nothing, where it
// used to wait forever for a writer.
func TestImportFIFORefused(t *testing.T) {
	c := newCLI(t)
	fifo := mkfifo(t, filepath.Join(c.dir, "co.txt"))
	db := filepath.Join(c.dir, "f.db")
	var out, errs string
	var code int
	inTime(t, 20*time.Second, func() { out, errs, code = c.run("import", "--db", db, fifo) })
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	want := "followup import: " + fifo + ": not a document the importer reads: it is a named pipe (FIFO), not a regular file\n"
	if errs != want {
		t.Errorf("stderr = %q, want %q", errs, want)
	}
	if out != "" {
		t.Errorf("stdout = %q", out)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Error("the refused import created a database")
	}
}

// TestConfigListingFIFO (issue 10, case 4): a config whose documents list
// a named pipe is refused by `config check` at the line that names it, and
// `followup run` refuses to start on it instead of hanging.
func TestConfigListingFIFO(t *testing.T) {
	c := newCLI(t)
	mkfifo(t, filepath.Join(c.dir, "co.txt"))
	cfg := c.write("followup.yaml", []byte(strings.Replace(faultConfig, "PORT", "2525", 1)))
	var errs string
	var code int
	inTime(t, 20*time.Second, func() { _, errs, code = c.run("config", "check", cfg) })
	if code != 1 {
		t.Errorf("config check: exit %d, want 1", code)
	}
	want := cfg + ":3:13: documents[0]: " + filepath.Join(c.dir, "co.txt") + " is a named pipe (FIFO), not a regular file"
	if !strings.Contains(errs, want) {
		t.Errorf("config check: stderr = %q, want it to contain %q", errs, want)
	}
	inTime(t, 20*time.Second, func() { _, errs, code = c.run("run", "--config", cfg) })
	if code != 1 || !strings.Contains(errs, "named pipe (FIFO)") {
		t.Errorf("run: exit %d, stderr %q; want 1 and the named pipe", code, errs)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "followup.db")); !os.IsNotExist(err) {
		t.Error("run on a refused config created the database")
	}
}

// slowDocx writes a .docx that takes the importer seconds to read (about
// 15 MB of paragraphs once decompressed, just under the bound) though it
// is small on disk.
func slowDocx(t *testing.T, path string) string {
	t.Helper()
	var doc bytes.Buffer
	doc.WriteString(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	para := `<w:p><w:r><w:t>The Committee recommends.</w:t></w:r></w:p>`
	for doc.Len() < 15<<20 {
		doc.WriteString(para)
	}
	doc.WriteString(`</w:body></w:document>`)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(doc.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// busy waits until the process has used cpu of processor time: it is
// then past the start of main (where signals are caught) and working on
// its input. Processor time, not the wall clock, so that a loaded machine
// does not change what the test sees.
func busy(t *testing.T, p *proc, cpu time.Duration) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/stat")
		if err != nil {
			t.Fatalf("the process ended before it was busy: %v\n%s", err, p.logs)
		}
		// Fields after the command name: state is 3rd, utime 14th, stime 15th.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
		ut, _ := strconv.Atoi(f[11])
		st, _ := strconv.Atoi(f[12])
		if time.Duration(ut+st)*10*time.Millisecond >= cpu { // USER_HZ is 100 on Linux
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("the process never got busy:\n%s", p.logs)
}

// TestImportSIGTERM (issue 10, case 4): SIGTERM during a slow import stops
// it (the import used to run to its end, or forever on a pipe), with one
// line and nothing written.
func TestImportSIGTERM(t *testing.T) {
	dir := t.TempDir()
	doc := slowDocx(t, filepath.Join(dir, "co.docx"))
	db := filepath.Join(dir, "f.db")
	p := startProc(t, "import", "--db", db, doc)
	busy(t, p, 300*time.Millisecond)
	sent := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code := p.wait(t, 60*time.Second)
	t.Logf("SIGTERM to exit: %s", time.Since(sent))
	if code != 1 {
		t.Errorf("exit %d, want 1:\n%s", code, p.logs)
	}
	if got := p.logs.String(); got != "followup import: interrupted: nothing was imported\n" {
		t.Errorf("output %q, want the interruption in one line", got)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Error("the interrupted import created a database")
	}
}

// TestRunCtrlCWhileStarting (issue 10, case 14): Ctrl-C (SIGINT) while the
// daemon is still starting (importing its documents) is a normal stop:
// exit status 0, no error, no mail.
func TestRunCtrlCWhileStarting(t *testing.T) {
	dir := t.TempDir()
	slowDocx(t, filepath.Join(dir, "co.docx"))
	cfg := strings.Replace(faultConfig, "PORT", "1", 1)
	cfg = strings.Replace(cfg, "documents: [co.txt]", "documents: [co.docx]", 1)
	path := filepath.Join(dir, "followup.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startProc(t, "run", "--config", path)
	busy(t, p, 300*time.Millisecond)
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 60*time.Second); code != 0 {
		t.Errorf("Ctrl-C while starting: exit %d, want 0:\n%s", code, p.logs)
	}
	logs := p.logs.String()
	if !strings.Contains(logs, "stopped before it was ready") || strings.Contains(logs, "level=ERROR") || strings.Contains(logs, "msg=ready") {
		t.Errorf("the logs do not show a clean stop while starting:\n%s", logs)
	}
}
