package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/followup-app/followup/internal/xlsx"
	"github.com/followup-app/followup/workflow"
)

// File is what one file holds: a document of its own (Document), or a
// UHRI export of many (UHRI). Exactly one is set.
type File struct {
	Document *workflow.Document
	UHRI     *UHRI
}

// Open reads the file at path, whatever it is: a UHRI export (.xlsx, .csv
// or .json, told by its content, not its name) is read with ReadUHRI; any
// other file as ReadFileContext reads it. A UHRI export with rows that
// cannot be read is returned without error: File.UHRI.Err says which, and
// the caller decides.
func Open(ctx context.Context, path string, opts Options) (*File, error) {
	u, err := ReadUHRIFile(ctx, path)
	switch {
	case err == nil:
		return &File{UHRI: u}, nil
	case !errors.Is(err, ErrNotUHRI), errors.Is(err, ErrNotADocument):
		// A spreadsheet that is not a UHRI export is nothing else the
		// importer reads either: say what is wrong with it.
		return nil, err
	}
	doc, err := ReadFileContext(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	return &File{Document: doc}, nil
}

// ReadUHRIFile reads the UHRI export at path. A file that is not one is
// refused with ErrNotUHRI (and nothing read past its start).
func ReadUHRIFile(ctx context.Context, path string) (*UHRI, error) {
	return readUHRIFile(ctx, path, true, nil)
}

// ScanUHRIFile is ScanUHRI on the file at path.
func ScanUHRIFile(ctx context.Context, path string, fn func(UHRIItem) error) (*UHRI, error) {
	return readUHRIFile(ctx, path, false, fn)
}

func readUHRIFile(ctx context.Context, path string, keep bool, fn func(UHRIItem) error) (*UHRI, error) {
	f, st, err := openRegular(ctx, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readUHRI(ctx, f, st.Size(), keep, fn)
}

// ParseUHRI reads a UHRI export held in memory.
func ParseUHRI(ctx context.Context, data []byte) (*UHRI, error) {
	return ReadUHRI(ctx, bytes.NewReader(data), int64(len(data)))
}

// ReadUHRI reads a UHRI export of size bytes from r: the .xlsx that
// "Export to Excel" writes, the same columns as .csv, or the JSON records of
// the UHRI site's search. Which one is told from the content. It returns
// ErrNotUHRI for anything else, and an error for a UHRI export that cannot
// be read as a whole (a damaged file, a missing column); a row that cannot
// be read is listed in UHRI.Bad, the other rows are still read.
//
// Everything read is held in memory: about 600 MB at the peak for the
// whole index (270,000 rows). ScanUHRI reads the same in a few tens of MB.
func ReadUHRI(ctx context.Context, r io.ReaderAt, size int64) (*UHRI, error) {
	return readUHRI(ctx, r, size, true, nil)
}

// ScanUHRI reads a UHRI export as ReadUHRI does but hands each
// recommendation and concern to fn as it is read, in the file's order, and
// keeps of them only what links concerns to recommendations: an importer
// writes each as it comes, in one transaction that it commits only if
// UHRI.Err is nil at the end (or the admin said to skip bad rows). The
// UHRI returned has the documents without their recommendations and the
// concerns without their texts, each with its Context; the recommendations
// a concern gives context to get its paragraph as their Concern then. An
// error from fn stops the reading and is returned.
func ScanUHRI(ctx context.Context, r io.ReaderAt, size int64, fn func(UHRIItem) error) (*UHRI, error) {
	return readUHRI(ctx, r, size, false, fn)
}

func readUHRI(ctx context.Context, r io.ReaderAt, size int64, keep bool, fn func(UHRIItem) error) (*UHRI, error) {
	if size > MaxUHRISize {
		return nil, fmt.Errorf("%w (it is %d MB; the whole index exports to less than %d MB)", ErrTooLarge, size>>20, MaxUHRISize>>20)
	}
	head := make([]byte, min(size, 8192))
	if _, err := r.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	var b *uhriBuilder
	var err error
	switch {
	case sniff(head) == "zip":
		zr, zerr := zip.NewReader(r, size)
		if zerr != nil || !isXLSX(zr) {
			return nil, ErrNotUHRI
		}
		b = newUHRIBuilder("xlsx", keep, fn)
		err = readUHRIXLSX(ctx, r, size, b)
	case looksLikeUHRIJSON(head):
		b = newUHRIBuilder("json", keep, fn)
		err = readUHRIJSON(ctx, io.NewSectionReader(r, 0, size), b)
	case looksLikeUHRICSV(head):
		b = newUHRIBuilder("csv", keep, fn)
		err = readUHRICSV(ctx, io.NewSectionReader(r, 0, size), b)
	default:
		return nil, ErrNotUHRI
	}
	if err != nil {
		return nil, err
	}
	return b.finish(), nil
}

func isXLSX(zr *zip.Reader) bool {
	for _, f := range zr.File {
		if f.Name == "xl/workbook.xml" {
			return true
		}
	}
	return false
}

// The export's columns, lower case. OHCHR misspells two; the right
// spelling is read too, in case a later export fixes them.
var uhriColumns = map[string]string{
	"text":                        "text",
	"countries concerned":         "countries",
	"reccomending body":           "body",
	"recommending body":           "body",
	"document symbol":             "symbol",
	"themes":                      "themes",
	"affected persons":            "persons",
	"sdgs":                        "sdgs",
	"document publication date":   "published",
	"upr reccomending states":     "states",
	"upr recommending states":     "states",
	"upr position":                "position",
	"type":                        "type",
	"ohchr annotation id":         "annotation",
	"upr session":                 "session",
	"regions concerned":           "regions",
	"recommending regions":        "recregions",
	"date of publication on uhri": "onuhri",
}

// uhriHeader maps the header row's columns to fields. ok is false when the
// row is not a UHRI export's header; missing names the required columns
// that are absent from one that otherwise is.
func uhriHeader(cells []string) (cols map[string]int, ok bool, missing []string) {
	cols = map[string]int{}
	for i, c := range cells {
		c = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(c, "\ufeff")))
		if f, known := uhriColumns[c]; known {
			if _, dup := cols[f]; !dup {
				cols[f] = i
			}
		}
	}
	_, sym := cols["symbol"]
	_, ann := cols["annotation"]
	_, body := cols["body"]
	if !sym || !ann && !body {
		return nil, false, nil
	}
	for _, need := range []struct{ field, name string }{{"text", "Text"}, {"type", "Type"}} {
		if _, has := cols[need.field]; !has {
			missing = append(missing, need.name)
		}
	}
	return cols, true, missing
}

// rowOf builds a row from a spreadsheet's cells.
func rowOf(n int, cells []string, cols map[string]int) uhriRow {
	get := func(f string) string {
		if i, ok := cols[f]; ok && i < len(cells) {
			return cells[i]
		}
		return ""
	}
	return uhriRow{
		n: n, text: get("text"), symbol: firstValue(get("symbol")), body: get("body"), typ: get("type"),
		annotation: firstValue(get("annotation")), position: get("position"), published: get("published"),
		countries: splitValues(get("countries")), themes: splitValues(get("themes")), persons: splitValues(get("persons")),
		sdgs: splitValues(get("sdgs")), states: splitValues(get("states")),
	}
}

func blankRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// readUHRIXLSX reads the first sheet, streaming its rows: the whole
// index is some 270,000 of them. Its shared strings (most of the text)
// are kept in memory up to 32 MB and in a temporary file past that.
func readUHRIXLSX(ctx context.Context, r io.ReaderAt, size int64, b *uhriBuilder) error {
	f, err := xlsx.Open(r, size, xlsx.Options{})
	if err != nil {
		return fmt.Errorf("reading the spreadsheet: %w", err)
	}
	// Closing drops the temporary file of shared strings, unlinked
	// already: nothing is lost if it fails.
	defer func() { _ = f.Close() }()
	var cols map[string]int
	err = f.Rows(ctx, 0, func(n int, cells []string) error {
		// Cells are raw values: a date is its serial, not the text a
		// cell format makes of it.
		if cols == nil {
			if blankRow(cells) {
				return nil
			}
			var ok bool
			var missing []string
			if cols, ok, missing = uhriHeader(cells); !ok {
				return fmt.Errorf("%w: %w: a spreadsheet whose first row is not a UHRI export's header (it has no \"Document Symbol\" and \"OHCHR Annotation Id\" columns)", ErrNotADocument, ErrNotUHRI)
			}
			if len(missing) > 0 {
				return fmt.Errorf("UHRI export: the first row has no %s column", strings.Join(missing, " or "))
			}
			return nil
		}
		if blankRow(cells) {
			return nil
		}
		return b.add(rowOf(n, cells, cols))
	})
	if errors.Is(err, xlsx.ErrDamaged) {
		return fmt.Errorf("reading the spreadsheet: %w", err)
	}
	if err != nil {
		return err
	}
	if cols == nil {
		return fmt.Errorf("%w: %w: the spreadsheet is empty", ErrNotADocument, ErrNotUHRI)
	}
	return nil
}

// looksLikeUHRICSV tells a CSV export from its header line.
func looksLikeUHRICSV(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	line, _, _ := bytes.Cut(head, []byte("\n"))
	low := bytes.ToLower(line)
	return bytes.Contains(low, []byte("document symbol")) &&
		(bytes.Contains(low, []byte("ohchr annotation id")) || bytes.Contains(low, []byte("reccomending body")) || bytes.Contains(low, []byte("recommending body")))
}

// readUHRICSV reads the same columns as the spreadsheet, saved as CSV:
// comma, semicolon (Excel in many European locales) or tab separated,
// UTF-8 with or without a byte-order mark; multi-valued cells are quoted
// with their line breaks inside.
func readUHRICSV(ctx context.Context, r io.Reader, b *uhriBuilder) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	first, _ := br.Peek(4096)
	line, _, _ := bytes.Cut(first, []byte("\n"))
	comma := ','
	if c := bytes.Count(line, []byte(";")); c > bytes.Count(line, []byte(",")) {
		comma = ';'
	}
	if c := bytes.Count(line, []byte("\t")); c > bytes.Count(line, []byte(string(comma))) {
		comma = '\t'
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var cols map[string]int
	n := 0
	for {
		cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		n++
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && cols != nil {
				// A broken quote swallows what follows: the file cannot
				// be read past it.
				return fmt.Errorf("UHRI export (CSV): row %d (line %d): %v", n, pe.StartLine, pe.Err)
			}
			return fmt.Errorf("UHRI export (CSV): %w", err)
		}
		if cols == nil {
			var ok bool
			var missing []string
			if cols, ok, missing = uhriHeader(cells); !ok {
				return ErrNotUHRI
			}
			if len(missing) > 0 {
				return fmt.Errorf("UHRI export: the first row has no %s column", strings.Join(missing, " or "))
			}
			continue
		}
		if blankRow(cells) {
			continue
		}
		for i, c := range cells {
			if !utf8.ValidString(c) {
				cells[i] = strings.ToValidUTF8(c, "\uFFFD")
			}
		}
		if err := b.add(rowOf(n, cells, cols)); err != nil {
			return err
		}
	}
	if cols == nil {
		return ErrNotUHRI
	}
	return nil
}

// looksLikeUHRIJSON tells the site's JSON from its start: an array of
// records, or an object holding one, with UHRI's field names.
func looksLikeUHRIJSON(head []byte) bool {
	head = bytes.TrimSpace(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")))
	if len(head) == 0 || head[0] != '[' && head[0] != '{' {
		return false
	}
	low := bytes.ToLower(head)
	return bytes.Contains(low, []byte(`"annotationid"`)) || bytes.Contains(low, []byte(`"symbol"`)) && bytes.Contains(low, []byte(`"annotationtype"`))
}

// jsonValues reads a field that is a string, a number, null, or an array of
// them; an object in it gives its name (the site's lists are sometimes
// {"Id": …, "Name": …}).
type jsonValues []string

func (v *jsonValues) UnmarshalJSON(b []byte) error {
	var raw any
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	var add func(x any)
	add = func(x any) {
		switch t := x.(type) {
		case nil:
		case string:
			if s := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "- ")); s != "" {
				*v = append(*v, s)
			}
		case float64:
			*v = append(*v, strconv.FormatFloat(t, 'f', -1, 64))
		case bool:
		case []any:
			for _, e := range t {
				add(e)
			}
		case map[string]any:
			for _, k := range []string{"Name", "name", "Title", "title", "Value", "value", "Text", "text"} {
				if s, ok := t[k].(string); ok {
					add(s)
					return
				}
			}
		}
	}
	add(raw)
	return nil
}

type uhriJSONRecord struct {
	AnnotationID           jsonValues `json:"AnnotationId"`
	Symbol                 jsonValues `json:"Symbol"`
	Text                   jsonValues `json:"Text"`
	PublicationDate        jsonValues `json:"PublicationDate"`
	AnnotationType         jsonValues `json:"AnnotationType"`
	Body                   jsonValues `json:"Body"`
	Countries              jsonValues `json:"Countries"`
	Themes                 jsonValues `json:"Themes"`
	Sdgs                   jsonValues `json:"Sdgs"`
	AffectedPersons        jsonValues `json:"AffectedPersons"`
	UprRecommendingCountry jsonValues `json:"UprRecommendingCountry"`
	UprPosition            jsonValues `json:"UprPosition"`
}

// readUHRIJSON streams the records: one decoded at a time.
func readUHRIJSON(ctx context.Context, r io.Reader, b *uhriBuilder) error {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("UHRI export (JSON): %w", err)
	}
	if tok == json.Delim('{') {
		// An envelope ({"total": …, "records": […]}): the records are its
		// first array.
		found := false
		for dec.More() {
			if _, err := dec.Token(); err != nil { // the key
				return fmt.Errorf("UHRI export (JSON): %w", err)
			}
			if t, err := dec.Token(); err != nil {
				return fmt.Errorf("UHRI export (JSON): %w", err)
			} else if t == json.Delim('[') {
				found = true
				break
			} else if d, ok := t.(json.Delim); ok {
				if err := skipJSON(dec, d); err != nil {
					return fmt.Errorf("UHRI export (JSON): %w", err)
				}
			}
		}
		if !found {
			return fmt.Errorf("%w: a JSON object with no array of records", ErrNotUHRI)
		}
	} else if tok != json.Delim('[') {
		return fmt.Errorf("%w: JSON that is not an array of records", ErrNotUHRI)
	}
	n := 0
	for dec.More() {
		n++
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			// The JSON itself is broken: nothing after it can be found.
			return fmt.Errorf("UHRI export (JSON): record %d: %w", n, err)
		}
		var rec uhriJSONRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			b.u.Rows++
			b.bad(n, "not a UHRI record: %v", err)
			continue
		}
		err := b.add(uhriRow{
			n: n, text: strings.Join(rec.Text, "\n"), html: true, symbol: firstOf(rec.Symbol), body: firstOf(rec.Body),
			typ: strings.Join(rec.AnnotationType, "\n"), annotation: firstOf(rec.AnnotationID), position: firstOf(rec.UprPosition),
			published: firstOf(rec.PublicationDate), countries: rec.Countries, themes: rec.Themes, persons: rec.AffectedPersons,
			sdgs: rec.Sdgs, states: rec.UprRecommendingCountry,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// skipJSON skips the rest of a value whose opening delimiter was read.
func skipJSON(dec *json.Decoder, _ json.Delim) error {
	depth := 1
	for depth > 0 {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			switch d {
			case '[', '{':
				depth++
			default:
				depth--
			}
		}
	}
	return nil
}
