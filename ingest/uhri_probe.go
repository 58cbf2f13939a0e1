package ingest

import (
	"archive/zip"
	"context"
	"errors"
	"io"
)

// IsUHRIFile tells from its start, without reading it, whether the file at
// path is a UHRI export, which an importer streams with ScanUHRIFile rather
// than reading it whole as ReadFileContext reads a document: a .csv or
// .json with the export's fields, or an .xlsx workbook (followup reads no
// other spreadsheet, so a workbook that is not an export is one to refuse,
// and ScanUHRIFile says what is wrong with it). It reads the head of the
// file and, for a zip, its directory: an export of the whole index takes
// no time to tell.
func IsUHRIFile(path string) (bool, error) {
	f, st, err := openRegular(context.Background(), path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, min(st.Size(), 8192))
	if _, err := io.ReadFull(f, head); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return false, err
	}
	switch {
	case sniff(head) == "zip":
		zr, err := zip.NewReader(f, st.Size())
		return err == nil && isXLSX(zr), nil
	case looksLikeUHRIJSON(head), looksLikeUHRICSV(head):
		return true, nil
	}
	return false, nil
}
