package web

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/followup-app/followup/store"
)

// heldUpload is a progress update whose body is sent in two halves: the
// server reads the fields and half the file, then waits for the rest
// until finish is called.
type heldUpload struct {
	release chan struct{}
	done    chan heldResult
}

type heldResult struct {
	status int
	body   string
	err    error
}

func (f *fixture) holdUpload(c *http.Client, taskID int64, name string, data []byte) *heldUpload {
	f.t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	h := &heldUpload{release: make(chan struct{}), done: make(chan heldResult, 1)}
	go func() {
		err := func() error {
			for k, v := range updateFields(taskID, "Held upload "+name+".") {
				if err := mw.WriteField(k, v); err != nil {
					return err
				}
			}
			w, err := mw.CreateFormFile("file", name)
			if err != nil {
				return err
			}
			if _, err := w.Write(data[:len(data)/2]); err != nil {
				return err
			}
			<-h.release
			if _, err := w.Write(data[len(data)/2:]); err != nil {
				return err
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/m/task/%d/update", f.ts.URL, taskID), pr)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	go func() {
		res, err := c.Do(req)
		if err != nil {
			h.done <- heldResult{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		h.done <- heldResult{status: res.StatusCode, body: string(b), err: err}
	}()
	return h
}

func (h *heldUpload) finish(t *testing.T) heldResult {
	t.Helper()
	close(h.release)
	r := <-h.done
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r
}

// waitUploads waits until n uploads are being read.
func (f *fixture) waitUploads(n int) {
	f.t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		f.srv.uploads.mu.Lock()
		got := f.srv.uploads.total
		f.srv.uploads.mu.Unlock()
		if got == n {
			return
		}
	}
	f.t.Fatalf("%d uploads never got under way", n)
}

// files lists the evidence files stored, as "name sha256".
func (f *fixture) files() []string {
	f.t.Helper()
	var out []string
	for _, id := range f.tasks {
		if err := f.db.Updates(context.Background(), store.UpdateFilter{TaskID: id}, func(u store.Update) error {
			for _, e := range u.Evidence {
				if e.Kind == store.EvidenceFile {
					out = append(out, e.Title+" "+e.SHA256)
				}
			}
			return nil
		}); err != nil {
			f.t.Fatal(err)
		}
	}
	return out
}

// noSpoolLeft checks that no upload left a temporary file beside the
// database.
func (f *fixture) noSpoolLeft() {
	f.t.Helper()
	left, err := filepath.Glob(filepath.Join(filepath.Dir(f.path), ".followup-upload-*"))
	if err != nil || len(left) > 0 {
		f.t.Errorf("temporary files left: %v %v", left, err)
	}
}

func pdfOf(size int, fill byte) []byte {
	b := bytes.Repeat([]byte{fill}, size)
	copy(b, pdf)
	return b
}

// TestUploadsAtOnceAreBounded: beyond two uploads under way for one focal
// point, or the server's bound in all, an upload is answered 503 with
// Retry-After before its body is read, and nothing is written; the
// uploads under way are recorded once each, whole, and a place freed is
// taken again.
func TestUploadsAtOnceAreBounded(t *testing.T) {
	f := newFixture(t)
	moj := f.login("moj", "focal@moj.example")
	deputy := f.login("moj", "deputy@moj.example")
	id := f.task("8")
	a, b := pdfOf(3<<20, 'a'), pdfOf(3<<20, 'b')
	first := f.holdUpload(moj, id, "a.pdf", a)
	second := f.holdUpload(moj, id, "b.pdf", b)
	f.waitUploads(2)

	before := f.checksum()
	res, body := f.postUpdate(moj, id, updateFields(id, "A third at once."), file{"c.pdf", pdfOf(1<<20, 'c')})
	refused(t, f, "third upload of one focal point", before, res, body, http.StatusServiceUnavailable,
		"Too many files are being sent at this moment. Wait a minute, then send the form again. Nothing was saved.")
	if res.Header.Get("Retry-After") != uploadRetryAfter {
		t.Errorf("Retry-After %q, want %q", res.Header.Get("Retry-After"), uploadRetryAfter)
	}
	// Another focal point still has its places, up to the bound in all.
	f.srv.uploads.mu.Lock()
	f.srv.uploads.max = 3
	f.srv.uploads.mu.Unlock()
	third := f.holdUpload(deputy, id, "d.pdf", pdfOf(1<<20, 'd'))
	f.waitUploads(3)
	res, body = f.postUpdate(deputy, id, updateFields(id, "Over the bound in all."), file{"e.pdf", pdfOf(1<<20, 'e')})
	refused(t, f, "upload over the bound in all", before, res, body, http.StatusServiceUnavailable, "Too many files are being sent")
	// The pages answer meanwhile.
	if res, _ := f.get(deputy, f.ts.URL+"/m/"); res.StatusCode != http.StatusOK {
		t.Errorf("the ministry's page during the uploads: %d", res.StatusCode)
	}

	for name, h := range map[string]*heldUpload{"first": first, "second": second, "third": third} {
		if r := h.finish(t); r.status != http.StatusSeeOther {
			t.Errorf("%s held upload: %d\n%s", name, r.status, r.body)
		}
	}
	want := map[string]bool{}
	for name, data := range map[string][]byte{"a.pdf": a, "b.pdf": b, "d.pdf": pdfOf(1<<20, 'd')} {
		want[fmt.Sprintf("%s %x", name, sha256.Sum256(data))] = true
	}
	got := f.files()
	if len(got) != 3 {
		t.Errorf("files stored %q, want a.pdf, b.pdf and d.pdf once each", got)
	}
	for _, g := range got {
		if !want[g] {
			t.Errorf("stored %s: not one of the files sent whole", g)
		}
	}
	// The places are free again.
	f.waitUploads(0)
	res, body = f.postUpdate(moj, id, updateFields(id, "Later."), file{"c.pdf", pdfOf(1<<20, 'c')})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("an upload after the others: %d\n%s", res.StatusCode, body)
	}
	if n := len(f.files()); n != 4 {
		t.Errorf("%d files stored, want 4", n)
	}
	f.noSpoolLeft()
}

// TestLargestUploadStoredWhole sends the most an update takes, five files
// of 10 MB: they are spooled to disk and stored byte for byte; one byte
// more is refused with nothing written, and no temporary file is left.
func TestLargestUploadStoredWhole(t *testing.T) {
	f := newFixture(t)
	c := f.login("moj", "focal@moj.example")
	id := f.task("8")
	var files []file
	want := map[string]bool{}
	for i := range maxFiles {
		fl := file{fmt.Sprintf("annex-%d.pdf", i), pdfOf(maxFileSize, byte('0'+i))}
		files = append(files, fl)
		want[fmt.Sprintf("%s %x", fl.name, sha256.Sum256(fl.data))] = true
	}
	before := f.checksum()
	over := append(files[:maxFiles-1:maxFiles-1], file{"over.pdf", pdfOf(maxFileSize+1, 'x')})
	res, body := f.postUpdate(c, id, updateFields(id, "Too much."), over...)
	refused(t, f, "a file of 10 MB and one byte", before, res, body, http.StatusRequestEntityTooLarge, "at most 10 MB")
	res, body = f.postUpdate(c, id, updateFields(id, "Six files."), append(files[:maxFiles:maxFiles], file{"six.pdf", pdf})...)
	refused(t, f, "six files", before, res, body, http.StatusRequestEntityTooLarge, "at most 5 files")
	f.noSpoolLeft()

	res, body = f.postUpdate(c, id, updateFields(id, "Five annexes."), files...)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("five files of 10 MB: %d\n%s", res.StatusCode, body)
	}
	got := f.files()
	if len(got) != maxFiles {
		t.Fatalf("stored %q", got)
	}
	for _, g := range got {
		if !want[g] {
			t.Errorf("stored %s: not one of the files sent", g)
		}
	}
	f.noSpoolLeft()
}

// TestZipWithTooManyEntriesRefused: a .docx is a zip whose directory is
// read to judge it; one announcing more entries than any document holds
// is refused before it is read.
func TestZipWithTooManyEntriesRefused(t *testing.T) {
	f := newFixture(t)
	c := f.login("moj", "focal@moj.example")
	id := f.task("8")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	if w, err := zw.Create("word/document.xml"); err != nil {
		t.Fatal(err)
	} else if _, err := w.Write([]byte("<w:document/>")); err != nil {
		t.Fatal(err)
	}
	for i := range maxZipEntries {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprint(i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	before := f.checksum()
	res, body := f.postUpdate(c, id, updateFields(id, "Annex."), file{"annex.docx", buf.Bytes()})
	refused(t, f, "a zip of many entries", before, res, body, http.StatusUnprocessableEntity, "This kind of file cannot be attached (annex.docx)")
	f.noSpoolLeft()
}
