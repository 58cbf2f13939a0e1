package notify

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestFileTransport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox", "eml") // created by NewFile
	tr, err := NewFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	msgs := messages(t, 2)
	rep := newReports()
	if err := tr.Deliver(context.Background(), msgs, rep.report); err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs {
		r := wantResult(t, rep, i, Sent, 0)
		path := filepath.Join(dir, emlName(m.Key))
		if r.Response != "written "+path {
			t.Errorf("response %q", r.Response)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, m.Raw) {
			t.Errorf("%s differs from Raw", path)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", path, fi.Mode().Perm())
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %v, want two .eml files and no temporary file", names)
	}

	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("the folder has mode %v, want 0700", fi.Mode().Perm())
	}

	// The same message again (a restart after a crash): not rewritten,
	// still Sent.
	rep = newReports()
	if err := tr.Deliver(context.Background(), msgs[:1], rep.report); err != nil {
		t.Fatal(err)
	}
	if r := wantResult(t, rep, 0, Sent, 0); !strings.HasPrefix(r.Response, "already written") {
		t.Errorf("response %q", r.Response)
	}
}

// TestFileTransportPlantedFile (issue 10, case 13): a file planted at the
// name the next message will take is not that message: the message is not
// counted as written, and the planted file is left as it is.
func TestFileTransportPlantedFile(t *testing.T) {
	dir := t.TempDir()
	tr, err := NewFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	msgs := messages(t, 2)
	planted := []byte("Subject: not from followup\r\n\r\nplanted\r\n")
	path := filepath.Join(dir, emlName(msgs[0].Key))
	if err := os.WriteFile(path, planted, 0o644); err != nil {
		t.Fatal(err)
	}
	rep := newReports()
	if err := tr.Deliver(context.Background(), msgs, rep.report); err != nil {
		t.Fatal(err)
	}
	r := wantResult(t, rep, 0, Permanent, 0)
	if r.Err == nil || !strings.Contains(r.Err.Error(), "already exists and is not this message") {
		t.Errorf("error %v", r.Err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, planted) {
		t.Error("the planted file was replaced")
	}
	wantResult(t, rep, 1, Sent, 0) // the next one is written as usual
	// A symbolic link planted at the name is not followed either.
	link := filepath.Join(dir, emlName("reminder:x:3"))
	if err := os.Symlink(filepath.Join(dir, "elsewhere"), link); err != nil {
		t.Fatal(err)
	}
	m := msgs[1]
	m.Key = "reminder:x:3"
	rep = newReports()
	tr.Deliver(context.Background(), []Message{m}, rep.report)
	wantResult(t, rep, 0, Permanent, 0)
	if _, err := os.Stat(filepath.Join(dir, "elsewhere")); err == nil {
		t.Error("the message was written through a planted symbolic link")
	}
}

func TestFileTransportInvalidAndCancelled(t *testing.T) {
	tr, err := NewFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	msgs := messages(t, 3)
	msgs[0].Key = ""
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rep := newReports()
	err = tr.Deliver(ctx, msgs, func(i int, r Result) {
		rep.report(i, r)
		if i == 1 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Deliver: %v, want context.Canceled", err)
	}
	wantResult(t, rep, 0, Permanent, 0)
	wantResult(t, rep, 1, Sent, 0)
	wantUnreported(t, rep, 2, 3)
}

func TestFileTransportFolderUnusable(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "eml")
	tr, err := NewFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The folder is replaced by a file after start.
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	rep := newReports()
	if err := tr.Deliver(context.Background(), messages(t, 1), rep.report); err == nil {
		t.Fatal("Deliver into a file succeeded")
	}
	if rep.len() != 0 {
		t.Error("a message was reported")
	}
	if _, err := NewFile(dir); err == nil {
		t.Error("NewFile on a file succeeded")
	}
}

func TestEMLName(t *testing.T) {
	valid := regexp.MustCompile(`^[A-Za-z0-9._-]+\.eml$`)
	keys := []string{
		"reminder:mps:2027-01-04T01:00:00Z",
		"reminder/mps/2027-01-04T01/00/00Z",
		"reminder_mps_2027-01-04T01_00_00Z",
		"digest.coordinator.1735689600",
		"..",
		".hidden",
		"ກະຊວງ",
		strings.Repeat("k", 300),
		strings.Repeat("k", 300) + "x",
	}
	seen := map[string]string{}
	for _, k := range keys {
		n := emlName(k)
		if !valid.MatchString(n) || strings.HasPrefix(n, ".") || len(n) > 255 {
			t.Errorf("emlName(%q) = %q", k, n)
		}
		if other, dup := seen[n]; dup {
			t.Errorf("keys %q and %q share the file %s", k, other, n)
		}
		seen[n] = k
		if emlName(k) != n {
			t.Errorf("emlName(%q) is not stable", k)
		}
	}
	if got := emlName("digest.coordinator.1735689600"); got != "digest.coordinator.1735689600.eml" {
		t.Errorf("a clean key was changed: %q", got)
	}
}
