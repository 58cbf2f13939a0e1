package web

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"unicode"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/store"
)

// Evidence files: at most maxFiles per update, maxFileSize each (the page
// and the README say so). The whole request is bounded too, so a client
// cannot make the server read without end.
const (
	maxFileSize = 10 << 20
	maxFiles    = 5
	maxLinks    = 20
	maxUpload   = maxFiles*maxFileSize + 1<<20
)

// errTooLarge and errFileType are refusals of an upload.
var (
	errTooLarge = errors.New("too large")
	errFileType = errors.New("type not allowed")
)

// upload is a parsed progress update form.
type upload struct {
	fields map[string]string
	files  []store.Evidence
}

// readUpload reads the multipart form part by part, keeping each file in
// memory up to maxFileSize (no temporary files: the bytes go to the
// database anyway).
func readUpload(w http.ResponseWriter, r *http.Request) (*upload, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, fmt.Errorf("not a form with files: %w", err)
	}
	u := &upload{fields: map[string]string{}}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return u, nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, errTooLarge
			}
			return nil, err
		}
		name := part.FormName()
		if part.FileName() == "" && name != "file" {
			b, err := io.ReadAll(io.LimitReader(part, maxText+1))
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return nil, errTooLarge
				}
				return nil, err
			}
			if len(b) > maxText {
				return nil, fmt.Errorf("%w: the field %s is longer than %d characters", errTooLong, name, maxText)
			}
			u.fields[name] = string(b)
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, maxFileSize+1))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, errTooLarge
			}
			return nil, err
		}
		if len(data) == 0 && part.FileName() == "" {
			continue // the file field left empty
		}
		if len(data) > maxFileSize {
			return nil, fmt.Errorf("%w: %s", errTooLarge, safeName(part.FileName()))
		}
		if len(u.files) == maxFiles {
			return nil, fmt.Errorf("%w: more than %d files", errTooLarge, maxFiles)
		}
		ct, err := fileType(data, part.FileName())
		if err != nil {
			return nil, fmt.Errorf("%w: %s", err, safeName(part.FileName()))
		}
		u.files = append(u.files, store.Evidence{Kind: store.EvidenceFile, Title: safeName(part.FileName()), ContentType: ct, Data: data})
	}
}

var errTooLong = errors.New("too long")

// fileType judges a file's type from its content: PDF, PNG and JPEG by
// their signatures (http.DetectContentType), Word and Excel files by
// what they are, a zip holding word/ or xl/ (.docx, .xlsx) or an OLE
// compound file (.doc, .xls). The name decides only between the two OLE
// kinds, which share one signature.
func fileType(data []byte, name string) (string, error) {
	switch ct := http.DetectContentType(data); ct {
	case "application/pdf", "image/png", "image/jpeg":
		return ct, nil
	case "application/zip":
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
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
	if bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}) {
		if strings.HasSuffix(strings.ToLower(name), ".xls") {
			return "application/vnd.ms-excel", nil
		}
		return "application/msword", nil
	}
	return "", errFileType
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

// handleUpdate records a progress update with its evidence.
func (s *Server) handleUpdate(w http.ResponseWriter, r *http.Request) {
	t, role, ok := s.ownTask(w, r)
	if !ok {
		return
	}
	up, err := readUpload(w, r)
	switch {
	case errors.Is(err, errTooLarge):
		s.showTask(w, r, http.StatusRequestEntityTooLarge, t, role, formState{Which: "update",
			Error: s.tr(r, "The files are too large: each may be at most %s, and at most %d files per update. Nothing was saved.", sizeText(maxFileSize), maxFiles)})
		return
	case errors.Is(err, errFileType):
		s.showTask(w, r, http.StatusUnprocessableEntity, t, role, formState{Which: "update",
			Error: s.tr(r, "This kind of file cannot be attached (%s): attach PDF, Word (.docx, .doc), Excel (.xlsx, .xls), PNG or JPEG files. Nothing was saved.",
				strings.TrimPrefix(err.Error(), errFileType.Error()+": "))})
		return
	case errors.Is(err, errTooLong):
		s.showTask(w, r, http.StatusUnprocessableEntity, t, role, formState{Which: "update", Error: s.tr(r, "A field is too long (at most %d characters). Nothing was saved.", maxText)})
		return
	case err != nil:
		s.fail(w, r, http.StatusBadRequest, "The form could not be read; please send it again.")
		return
	}
	f := up.fields
	if f["task"] != fmt.Sprint(t.ID) {
		s.fail(w, r, http.StatusNotFound, msgNoTask)
		return
	}
	form := formState{Which: "update", Name: f["name"], Text: f["text"], DoneOn: f["done_on"], Links: f["links"]}
	p, _ := PrincipalFrom(r.Context())
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
	if form.Error == "" && strings.TrimSpace(form.DoneOn) != "" {
		d, err := civil.ParseDate(strings.TrimSpace(form.DoneOn))
		switch {
		case err != nil:
			form.Error = s.tr(r, "The date is not a date: write it as YYYY-MM-DD.")
		case s.today().Before(d):
			form.Error = s.tr(r, "The date the work was done is in the future.")
		default:
			u.DoneOn = d
		}
	}
	if form.Error == "" {
		links, err := parseLinks(form.Links)
		var le *linkError
		switch {
		case errors.As(err, &le) && le.line == "":
			form.Error = s.tr(r, "At most %d links per update.", maxLinks)
		case errors.As(err, &le):
			form.Error = s.tr(r, "“%s” is not a web address: write one address per line, starting with https://", le.line)
		}
		u.Evidence = append(links, up.files...)
	}
	if form.Error != "" {
		form.Error += " " + s.tr(r, "Nothing was saved.")
		s.showTask(w, r, http.StatusUnprocessableEntity, t, role, form)
		return
	}
	receipt := s.receipt(r, t, notify.ReceiptData{Kind: notify.ReceiptUpdate, Actor: by.Name, Text: form.Text})
	if _, err := s.db.AddUpdate(r.Context(), u, receipt...); err != nil {
		s.dbFail(w, r, err)
		return
	}
	s.logger.Info("progress update", "task", t.Rec.ID, "ministry", p.Body, "by", by.Name, "files", len(up.files), "client", by.ClientAddr)
	http.Redirect(w, r, fmt.Sprintf("/m/task/%d?done=update", t.ID), http.StatusSeeOther)
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
