package web

import (
	"archive/zip"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/store"
)

// Evidence files: at most maxFiles per update, maxFileSize each (the page
// and docs/focal-points.md say so). The whole request is bounded too, so a client
// cannot make the server read without end.
const (
	maxFileSize = 10 << 20
	maxFiles    = 5
	maxLinks    = 20
	maxUpload   = maxFiles*maxFileSize + 1<<20
)

// Uploads read at once, in all and per focal point. Each file is spooled
// to a temporary file as it arrives, so an upload holds little memory
// (buffers of a few KB, and the part headers Go's multipart reader keeps:
// up to 10 MB while a hostile client sends one); these bound how many do
// so at the same time and how much disk they fill (maxUpload each),
// whatever the number of clients. One person sends one form at a time;
// beyond its two, or the server's eight, the upload is answered 503 with
// Retry-After before its body is read.
const (
	maxUploads          = 8
	maxUploadsPerPerson = 2
	uploadRetryAfter    = "30" // seconds
)

// uploadGate counts the uploads being read and written. Its map holds the
// focal points with an upload under way only, so it never holds more
// than maxUploads entries.
type uploadGate struct {
	mu    sync.Mutex
	total int
	by    map[string]int
	max   int // in all; 0 is maxUploads (a test sets fewer)

	write sync.Mutex // held while an update with files is written
}

// enter takes a place for who's upload; false when there is none.
func (g *uploadGate) enter(who string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.total >= cmp.Or(g.max, maxUploads) || g.by[who] >= maxUploadsPerPerson {
		return false
	}
	if g.by == nil {
		g.by = map[string]int{}
	}
	g.total++
	g.by[who]++
	return true
}

// leave gives back a place enter took.
func (g *uploadGate) leave(who string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.total--
	if g.by[who]--; g.by[who] <= 0 {
		delete(g.by, who)
	}
}

// errTooLarge and errFileType are refusals of an upload; errKeep is the
// server failing to keep its files (the disk full, the folder gone).
var (
	errTooLarge = errors.New("too large")
	errFileType = errors.New("type not allowed")
	errKeep     = errors.New("keep an uploaded file")
)

// uploadFields are the text fields a task's update form sends; other
// fields are read and dropped, so that a client cannot make the server
// keep text it does not use.
var uploadFields = []string{"task", "name", "text", "done_on", "links"}

// upload is a parsed progress update form; close removes its files.
type upload struct {
	fields map[string]string
	files  []*spooled
}

func (u *upload) close() {
	for _, f := range u.files {
		f.close()
	}
}

// evidence is the upload's files as the store takes them: read from
// their temporary files when the update is written.
func (u *upload) evidence() []store.Evidence {
	var out []store.Evidence
	for _, f := range u.files {
		out = append(out, store.Evidence{Kind: store.EvidenceFile, Title: f.title, ContentType: f.contentType, Size: f.size,
			Content: io.NewSectionReader(f.f, 0, f.size)})
	}
	return out
}

// spooled is an uploaded file in a temporary file.
type spooled struct {
	f                  *os.File
	path               string // set when the file could not be removed while open
	size               int64
	title, contentType string
}

func (sp *spooled) close() {
	_ = sp.f.Close() // read only by then: nothing to lose
	if sp.path != "" {
		_ = os.Remove(sp.path)
	}
}

// spool copies r, up to maxFileSize bytes, into a temporary file in dir.
// The file is removed at once where the system allows it (its data lives
// until it is closed), so that a crash leaves nothing behind.
func spool(dir string, r io.Reader) (*spooled, error) {
	f, err := os.CreateTemp(dir, ".followup-upload-*")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errKeep, err)
	}
	sp := &spooled{f: f}
	if err := os.Remove(f.Name()); err != nil {
		sp.path = f.Name()
	}
	n, err := io.Copy(f, io.LimitReader(r, maxFileSize+1))
	sp.size = n
	if err != nil {
		sp.close()
		var mbe *http.MaxBytesError
		var pe *os.PathError
		switch {
		case errors.As(err, &mbe):
			return nil, errTooLarge
		case errors.As(err, &pe) && pe.Op == "write":
			return nil, fmt.Errorf("%w: %w", errKeep, err) // the disk, not the client
		}
		return nil, err
	}
	if n > maxFileSize {
		sp.close()
		return nil, errTooLarge
	}
	return sp, nil
}

// readUpload reads the multipart form part by part: the text fields of
// the form into memory (maxText each), each file into a temporary file in
// dir. On an error nothing is kept.
func readUpload(w http.ResponseWriter, r *http.Request, dir string, fields []string) (_ *upload, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, fmt.Errorf("not a form with files: %w", err)
	}
	u := &upload{fields: map[string]string{}}
	defer func() {
		if err != nil {
			u.close()
		}
	}()
	tooLarge := func(err error) error {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge
		}
		return err
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return u, nil
		}
		if err != nil {
			return nil, tooLarge(err)
		}
		name := part.FormName()
		if part.FileName() == "" && name != "file" {
			b, err := io.ReadAll(io.LimitReader(part, maxText+1))
			if err != nil {
				return nil, tooLarge(err)
			}
			if len(b) > maxText {
				return nil, fmt.Errorf("%w: the field %s is longer than %d characters", errTooLong, name, maxText)
			}
			if slices.Contains(fields, name) {
				u.fields[name] = string(b)
			}
			continue
		}
		sp, err := spool(dir, part)
		if errors.Is(err, errTooLarge) {
			return nil, fmt.Errorf("%w: %s", errTooLarge, safeName(part.FileName()))
		}
		if err != nil {
			return nil, err
		}
		if sp.size == 0 && part.FileName() == "" {
			sp.close()
			continue // the file field left empty
		}
		sp.title = safeName(part.FileName())
		u.files = append(u.files, sp) // closed with the others from now on
		if len(u.files) > maxFiles {
			return nil, fmt.Errorf("%w: more than %d files", errTooLarge, maxFiles)
		}
		if sp.contentType, err = fileType(sp.f, sp.size, part.FileName()); err != nil {
			return nil, fmt.Errorf("%w: %s", err, sp.title)
		}
	}
}

var errTooLong = errors.New("too long")

// maxZipEntries bounds the entries of a zip judged by fileType: reading a
// zip's directory keeps every entry in memory, and a 10 MB directory of
// empty entries is 200,000 of them. A .docx holds a few dozen; a large
// .xlsx, a few thousand.
const maxZipEntries = 10000

// fileType judges a file's type from its content: PDF, PNG and JPEG by
// their signatures (http.DetectContentType), Word and Excel files by
// what they are, a zip holding word/ or xl/ (.docx, .xlsx) or an OLE
// compound file (.doc, .xls). The name decides only between the two OLE
// kinds, which share one signature.
func fileType(f io.ReaderAt, size int64, name string) (string, error) {
	head := make([]byte, min(size, 512))
	if _, err := f.ReadAt(head, 0); err != nil && err != io.EOF {
		return "", fmt.Errorf("read an uploaded file: %w", err)
	}
	switch ct := http.DetectContentType(head); ct {
	case "application/pdf", "image/png", "image/jpeg":
		return ct, nil
	case "application/zip":
		if n, ok := zipEntries(f, size); !ok || n > maxZipEntries {
			return "", errFileType
		}
		zr, err := zip.NewReader(f, size)
		if err != nil {
			return "", errFileType
		}
		for _, f := range zr.File {
			switch f.Name {
			case "word/document.xml":
				return "application/vnd.openxmlformats-officedocument.wordprocessingml.document", nil
			case "xl/workbook.xml":
				return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", nil
			}
		}
		return "", errFileType
	}
	if bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}) {
		if strings.HasSuffix(strings.ToLower(name), ".xls") {
			return "application/vnd.ms-excel", nil
		}
		return "application/msword", nil
	}
	return "", errFileType
}

// zipEntries reads how many entries a zip's end-of-directory record
// announces (in its last 64 KB and 22 bytes); false when it has none.
// Zip64 counts (0xFFFF) are more than any file we take.
func zipEntries(f io.ReaderAt, size int64) (int, bool) {
	const eocdLen = 22
	n := min(size, eocdLen+0xFFFF)
	tail := make([]byte, n)
	if _, err := f.ReadAt(tail, size-n); err != nil && err != io.EOF {
		return 0, false
	}
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 || len(tail)-i < eocdLen {
		return 0, false
	}
	return int(binary.LittleEndian.Uint16(tail[i+10:])), true
}

// safeName keeps the last element of a file name as a browser or a
// hostile client sent it ("../../x" → "x", "C:\\a\\b.pdf" → "b.pdf"),
// without control characters; never empty.
func safeName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(path.Clean("/" + name))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "/" || name == "." || name == ".." {
		return "file"
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[len(r)-200:])
	}
	return name
}

// contentDisposition names a download, in ASCII and in UTF-8 (RFC 6266).
func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return mime.FormatMediaType("attachment", map[string]string{"filename": ascii}) + "; filename*=UTF-8''" + url.PathEscape(name)
}

// enterUpload takes the session's place among the uploads being read
// (uploadGate), or answers 503 with Retry-After and returns false. The
// caller gives the place back with the returned function.
func (s *Server) enterUpload(w http.ResponseWriter, r *http.Request) (leave func(), ok bool) {
	p, _ := PrincipalFrom(r.Context())
	who := p.Body + "\x00" + strings.ToLower(p.FocalPoint)
	if !s.uploads.enter(who) {
		// The body is left unread: Go's server reads a little of it and
		// closes the connection after this answer.
		w.Header().Set("Retry-After", uploadRetryAfter)
		s.logger.Warn("upload refused: too many at once", "focal_point", p.FocalPoint, "client", s.clientAddr(r))
		s.fail(w, r, http.StatusServiceUnavailable, "Too many files are being sent at this moment. Wait a minute, then send the form again. Nothing was saved.")
		return nil, false
	}
	return func() { s.uploads.leave(who) }, true
}

// handleUpdate records a progress update with its evidence.
func (s *Server) handleUpdate(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	leave, ok := s.enterUpload(w, r)
	if !ok {
		return
	}
	defer leave()
	t, role, ok := s.ownTask(w, r)
	if !ok {
		return
	}
	up, err := readUpload(w, r, filepath.Dir(s.db.Path()), uploadFields)
	if up != nil {
		defer up.close()
	}
	if s.uploadFailed(w, r, err, func(status int, form formState) { s.showTask(w, r, status, t, role, form) }) {
		return
	}
	f := up.fields
	if f["task"] != fmt.Sprint(t.ID) {
		s.fail(w, r, http.StatusNotFound, msgNoTask)
		return
	}
	form := formState{Which: "update", Name: f["name"], Text: f["text"], DoneOn: f["done_on"], Links: f["links"]}
	by := s.actor(r, form.Name)
	u := store.Update{TaskID: t.ID, Ministry: p.Body, Role: role, FocalPoint: by.FocalPoint, Author: by.Name, ClientAddr: by.ClientAddr, Text: form.Text}
	switch {
	case strings.TrimSpace(form.Text) == "":
		form.Error = s.tr(r, "Write what was done: an update needs its text.")
	case by.Name == "":
		form.Error = s.tr(r, "Write your name: the record says who reported it.")
	case len(by.Name) > maxName:
		form.Error = s.tr(r, "The name is too long.")
	}
	if form.Error == "" {
		form.Error = s.updateDetails(r, form, &u, up)
	}
	if form.Error != "" {
		form.Error += " " + s.tr(r, "Nothing was saved.")
		s.showTask(w, r, http.StatusUnprocessableEntity, t, role, form)
		return
	}
	receipt := s.receipt(r, t, notify.ReceiptData{Kind: notify.ReceiptUpdate, Actor: by.Name, Text: form.Text})
	if len(up.files) > 0 {
		// One update with files written at a time. Each holds the store's
		// only connection while it writes up to 50 MB; the requests
		// waiting for it are served in no particular order, so a page
		// queued behind several would wait for all of them.
		s.uploads.write.Lock()
		defer s.uploads.write.Unlock()
	}
	if _, err := s.db.AddUpdate(r.Context(), u, receipt...); err != nil {
		s.dbFail(w, r, err)
		return
	}
	s.logger.Info("progress update", "task", t.Rec.ID, "ministry", p.Body, "by", by.Name, "files", len(up.files), "client", by.ClientAddr)
	http.Redirect(w, r, fmt.Sprintf("/m/task/%d?done=update", t.ID), http.StatusSeeOther)
}

// uploadFailed answers an upload readUpload refused (err not nil): the
// form's page saying why, through show, or a page of its own when the
// server failed or the form could not be read. It returns false when err
// is nil.
func (s *Server) uploadFailed(w http.ResponseWriter, r *http.Request, err error, show func(status int, form formState)) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, errTooLarge):
		show(http.StatusRequestEntityTooLarge, formState{Which: "update",
			Error: s.tr(r, "The files are too large: each may be at most %s, and at most %d files per update. Nothing was saved.", sizeText(maxFileSize), maxFiles)})
	case errors.Is(err, errFileType):
		show(http.StatusUnprocessableEntity, formState{Which: "update",
			Error: s.tr(r, "This kind of file cannot be attached (%s): attach PDF, Word (.docx, .doc), Excel (.xlsx, .xls), PNG or JPEG files. Nothing was saved.",
				strings.TrimPrefix(err.Error(), errFileType.Error()+": "))})
	case errors.Is(err, errTooLong):
		show(http.StatusUnprocessableEntity, formState{Which: "update", Error: s.tr(r, "A field is too long (at most %d characters). Nothing was saved.", maxText)})
	case errors.Is(err, errKeep):
		s.logger.Error("upload", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "Something went wrong on the server. Nothing was saved; please try again later.")
	default:
		s.fail(w, r, http.StatusBadRequest, "The form could not be read; please send it again.")
	}
	return true
}

// updateDetails reads an update form's date and links into u, with the
// upload's files; it returns why they are refused ("" when they are not).
func (s *Server) updateDetails(r *http.Request, form formState, u *store.Update, up *upload) string {
	if strings.TrimSpace(form.DoneOn) != "" {
		d, err := civil.ParseDate(strings.TrimSpace(form.DoneOn))
		switch {
		case err != nil:
			return s.tr(r, "The date is not a date: write it as YYYY-MM-DD.")
		case s.today().Before(d):
			return s.tr(r, "The date the work was done is in the future.")
		}
		u.DoneOn = d
	}
	links, err := parseLinks(form.Links)
	var le *linkError
	switch {
	case errors.As(err, &le) && le.line == "":
		return s.tr(r, "At most %d links per update.", maxLinks)
	case errors.As(err, &le):
		return s.tr(r, "“%s” is not a web address: write one address per line, starting with https://", le.line)
	}
	u.Evidence = append(links, up.evidence()...)
	return ""
}

// linkError refuses the links of an update: line is the one that is not
// a web address, "" when there are too many.
type linkError struct{ line string }

func (e *linkError) Error() string {
	if e.line == "" {
		return fmt.Sprintf("more than %d links", maxLinks)
	}
	return fmt.Sprintf("%q is not a web address", e.line)
}

// parseLinks reads one web address per line; only http and https.
func parseLinks(text string) ([]store.Evidence, error) {
	var out []store.Evidence
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		u, err := url.Parse(line)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, &linkError{line: line}
		}
		if len(out) == maxLinks {
			return nil, &linkError{}
		}
		out = append(out, store.Evidence{Kind: store.EvidenceLink, URL: u.String(), Title: u.String()})
	}
	return out, nil
}
