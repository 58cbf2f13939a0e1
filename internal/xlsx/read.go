// Package xlsx reads and writes the small part of the Office Open XML
// spreadsheet format that followup needs: a workbook's sheets read row by
// row as raw text (Reader), and one sheet of text cells written with a
// styled, frozen and filtered header row (Workbook).
//
// Why our own: the general-purpose library used before (excelize) put 1.4
// MB of code and tables into the daemon's binary, whose mapped pages count
// in the idle daemon's memory (BENCHMARKS.md, "Idle memory and the mapped
// program"), ran a 180 KB init at every start, and read a whole workbook
// into memory to stream its rows: 275 MB at the peak for the 270,000-row
// UHRI export. Reader streams both the sheet and its shared strings,
// keeping at most Options.MemoryLimit of strings in memory and the rest in
// a temporary file.
package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
)

// Limits of a read. A workbook past them is refused as damaged: none is
// near what Excel itself writes.
const (
	// MaxColumns is Excel's own: column XFD.
	MaxColumns = 16384
	// MaxCellBytes caps one cell's text (Excel holds 32,767 characters).
	MaxCellBytes = 1 << 20
	// MaxRowBytes caps the text of one row's cells together.
	MaxRowBytes = 16 << 20
	// MaxStrings caps the shared-string table's entries (the whole UHRI
	// export has about 400,000).
	MaxStrings = 1 << 24
	// maxPart caps the uncompressed bytes read from one part, against
	// archives that expand without end.
	maxPart = 4 << 30
	// maxGap caps the bytes between two '<' of a part: encoding/xml holds
	// a whole token in memory, and no token of a sane workbook is near it.
	maxGap = 8 << 20
	// DefaultMemoryLimit is the bytes of shared strings kept in memory
	// before the rest goes to a temporary file.
	DefaultMemoryLimit = 32 << 20
)

// ErrDamaged wraps every error about the workbook's content: what is
// wrong is in the message.
var ErrDamaged = errors.New("damaged")

// Options of a read.
type Options struct {
	// MemoryLimit is the bytes of shared strings kept in memory
	// (DefaultMemoryLimit when zero); past it they are written to a
	// temporary file, read back as cells need them.
	MemoryLimit int64
	// TempDir is where that file goes (os.TempDir() when empty). The file
	// is unlinked as soon as it is created: nothing is left behind, even
	// by a killed process.
	TempDir string
}

// Reader reads a workbook's sheets. Close releases its temporary file.
type Reader struct {
	zr      *zip.Reader
	opt     Options
	sheets  []sheetRef
	sstPath string
	sst     *stringTable
}

type sheetRef struct{ name, path string }

func damaged(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, a...))
}

// Open reads the workbook's list of sheets from the .xlsx of size bytes in
// r. Nothing else is read until Rows.
func Open(r io.ReaderAt, size int64, opt Options) (*Reader, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, damaged("not a zip archive (%v)", err)
	}
	if opt.MemoryLimit <= 0 {
		opt.MemoryLimit = DefaultMemoryLimit
	}
	x := &Reader{zr: zr, opt: opt}
	book := "xl/workbook.xml"
	if rels, err := x.rels("_rels/.rels", ""); err == nil {
		for _, rel := range rels {
			if strings.HasSuffix(rel.typ, "/officeDocument") {
				book = rel.target
			}
		}
	}
	if x.file(book) == nil {
		return nil, damaged("it has no workbook (%s)", book)
	}
	bookRels, err := x.rels(path.Join(path.Dir(book), "_rels", path.Base(book)+".rels"), path.Dir(book))
	if err != nil && !errors.Is(err, errMissing) {
		return nil, err
	}
	targets := map[string]string{}
	for _, rel := range bookRels {
		targets[rel.id] = rel.target
		if strings.HasSuffix(rel.typ, "/sharedStrings") {
			x.sstPath = rel.target
		}
	}
	if x.sstPath == "" && x.file(path.Join(path.Dir(book), "sharedStrings.xml")) != nil {
		x.sstPath = path.Join(path.Dir(book), "sharedStrings.xml")
	}
	err = x.scan(book, func(t xml.StartElement) error {
		if t.Name.Local != "sheet" {
			return nil
		}
		var name, id string
		for _, a := range t.Attr {
			switch {
			case a.Name.Local == "name":
				name = a.Value
			case a.Name.Local == "id" && a.Name.Space != "":
				id = a.Value
			}
		}
		p, ok := targets[id]
		if !ok {
			// A workbook without relationships (hand-made ones) names
			// its sheets in order.
			p = path.Join(path.Dir(book), "worksheets", fmt.Sprintf("sheet%d.xml", len(x.sheets)+1))
		}
		x.sheets = append(x.sheets, sheetRef{name: name, path: p})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(x.sheets) == 0 {
		return nil, damaged("the workbook lists no sheet")
	}
	return x, nil
}

// Sheets names the workbook's sheets, in its order.
func (x *Reader) Sheets() []string {
	names := make([]string, len(x.sheets))
	for i, s := range x.sheets {
		names[i] = s.name
	}
	return names
}

// Close removes what the read kept on disk.
func (x *Reader) Close() error {
	if x.sst != nil {
		return x.sst.close()
	}
	return nil
}

var errMissing = errors.New("missing part")

func (x *Reader) file(name string) *zip.File {
	name = strings.TrimPrefix(name, "/")
	for _, f := range x.zr.File {
		if f.Name == name {
			return f
		}
	}
	return nil
}

type rel struct{ id, typ, target string }

// rels reads a relationships part; targets are made absolute from base.
func (x *Reader) rels(name, base string) ([]rel, error) {
	if x.file(name) == nil {
		return nil, errMissing
	}
	var out []rel
	err := x.scan(name, func(t xml.StartElement) error {
		if t.Name.Local != "Relationship" {
			return nil
		}
		var r rel
		for _, a := range t.Attr {
			switch a.Name.Local {
			case "Id":
				r.id = a.Value
			case "Type":
				r.typ = a.Value
			case "Target":
				r.target = a.Value
			}
		}
		if strings.HasPrefix(r.target, "/") {
			r.target = strings.TrimPrefix(r.target, "/")
		} else {
			r.target = path.Join(base, r.target)
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// open opens a part for streaming, guarded against runaway sizes.
func (x *Reader) open(name string) (io.ReadCloser, error) {
	f := x.file(name)
	if f == nil {
		return nil, damaged("%s is missing", name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, damaged("%s: %v", name, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{&guard{r: bufio.NewReaderSize(rc, 64<<10), name: name}, rc}, nil
}

// guard stops a part that is larger than maxPart or has more than maxGap
// bytes between two '<', before encoding/xml would hold them.
type guard struct {
	r          io.Reader
	name       string
	n, sinceLT int64
}

func (g *guard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	g.n += int64(n)
	if g.n > maxPart {
		return 0, damaged("%s is larger than %d GB uncompressed", g.name, maxPart>>30)
	}
	// The run before this read's first '<' counts with what came before;
	// runs inside one read are shorter than it (bufio's 64 KB).
	first := bytes.IndexByte(p[:n], '<')
	if first < 0 {
		first = n
	}
	gap := g.sinceLT + int64(first)
	if i := bytes.LastIndexByte(p[:n], '<'); i >= 0 {
		g.sinceLT = int64(n - i - 1)
	} else {
		g.sinceLT = gap
	}
	if gap > maxGap {
		return 0, damaged("%s has a run of %d MB without markup", g.name, maxGap>>20)
	}
	return n, err
}

// tokens reads a part's XML with encoding/xml's RawToken (no namespace
// bookkeeping: the fast path), checking what RawToken leaves unchecked:
// that each element is closed by its own end tag, and the part does not
// end inside one.
type tokens struct {
	d     *xml.Decoder
	name  string
	stack []xml.Name
}

// maxDepth caps the elements' nesting (a worksheet's is under 10).
const maxDepth = 256

func newTokens(r io.Reader, name string) *tokens {
	d := xml.NewDecoder(r)
	// Office writes UTF-8; anything else is refused rather than guessed.
	d.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		return nil, fmt.Errorf("encoding %q is not UTF-8", label)
	}
	return &tokens{d: d, name: name}
}

// next returns the next token, io.EOF at the end of a whole part, or an
// error wrapping ErrDamaged.
func (t *tokens) next() (xml.Token, error) {
	tok, err := t.d.RawToken()
	if errors.Is(err, io.EOF) {
		if len(t.stack) > 0 {
			return nil, damaged("%s ends inside <%s>", t.name, t.stack[len(t.stack)-1].Local)
		}
		return nil, io.EOF
	}
	if err != nil {
		return nil, xmlError(t.name, err)
	}
	switch e := tok.(type) {
	case xml.StartElement:
		if len(t.stack) >= maxDepth {
			return nil, damaged("%s nests elements more than %d deep", t.name, maxDepth)
		}
		t.stack = append(t.stack, e.Name)
	case xml.EndElement:
		if len(t.stack) == 0 {
			return nil, damaged("%s: </%s> closes nothing", t.name, e.Name.Local)
		}
		if open := t.stack[len(t.stack)-1]; open != e.Name {
			return nil, damaged("%s: element <%s> closed by </%s>", t.name, open.Local, e.Name.Local)
		}
		t.stack = t.stack[:len(t.stack)-1]
	}
	return tok, nil
}

// scan calls fn for every start element of a small part.
func (x *Reader) scan(name string, fn func(xml.StartElement) error) error {
	rc, err := x.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	d := newTokens(rc, name)
	for {
		tok, err := d.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if t, ok := tok.(xml.StartElement); ok {
			if err := fn(t); err != nil {
				return err
			}
		}
	}
}

func xmlError(name string, err error) error {
	if errors.Is(err, ErrDamaged) {
		return err
	}
	return damaged("%s: %v", name, err)
}

// Rows hands fn each row of sheet i that has a cell, in the file's order:
// its number (1 for the first) and its cells' values, the cell of column A
// first, up to the last that is not empty. A value is the cell's raw
// text: a shared or inline string, or what the cell stores for a number
// (a date is its serial), a boolean ("0" or "1") or an error ("#N/A"). A
// formula gives its last computed value. The slice is fn's to keep. An
// error from fn stops the read and is returned; so is ctx's.
func (x *Reader) Rows(ctx context.Context, i int, fn func(row int, cells []string) error) error {
	if i < 0 || i >= len(x.sheets) {
		return fmt.Errorf("xlsx: no sheet %d (the workbook has %d)", i, len(x.sheets))
	}
	if x.sst == nil && x.sstPath != "" {
		t, err := x.readStrings(ctx)
		if err != nil {
			return err
		}
		x.sst = t
	}
	name := x.sheets[i].path
	rc, err := x.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	s := sheetReader{x: x, name: name, d: newTokens(rc, name), fn: fn}
	return s.run(ctx)
}

type sheetReader struct {
	x    *Reader
	name string
	d    *tokens
	fn   func(int, []string) error

	row      int // the current row's number
	cells    []string
	rowBytes int
	col      int    // the current cell's column, 0-based
	typ      string // its t attribute
	val      []byte // its <v>, or its inline string's text
	in       int    // what text goes to val: 0 none, 1 <v>, 2 <t> of <is>
	skip     int    // depth inside an element whose text is ignored (<rPh>, <f>)
	inInline bool
}

func (s *sheetReader) run(ctx context.Context) error {
	rows := 0
	for {
		tok, err := s.d.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if s.skip > 0 {
				s.skip++
				continue
			}
			switch t.Name.Local {
			case "row":
				rows++
				if rows%1024 == 0 {
					if err := ctx.Err(); err != nil {
						return err
					}
				}
				n := s.row + 1
				if v := attr(t, "r"); v != "" {
					if n, err = strconv.Atoi(v); err != nil || n < 1 {
						return damaged("%s: row number %q", s.name, v)
					}
				}
				s.row, s.cells, s.rowBytes, s.col = n, s.cells[:0], 0, -1
			case "c":
				s.col++
				if ref := attr(t, "r"); ref != "" {
					c, err := column(ref)
					if err != nil {
						return damaged("%s: row %d: %v", s.name, s.row, err)
					}
					s.col = c
				}
				if s.col >= MaxColumns {
					return damaged("%s: row %d has more than %d columns", s.name, s.row, MaxColumns)
				}
				s.typ, s.val, s.in, s.inInline = attr(t, "t"), s.val[:0], 0, false
			case "v":
				s.in = 1
			case "is":
				s.inInline = true
			case "t":
				if s.inInline {
					s.in = 2
				}
			case "f", "rPh":
				s.skip = 1
			}
		case xml.EndElement:
			if s.skip > 0 {
				s.skip--
				continue
			}
			switch t.Name.Local {
			case "v", "t":
				s.in = 0
			case "is":
				s.inInline = false
			case "c":
				if err := s.endCell(); err != nil {
					return err
				}
			case "row":
				cells := s.cells
				for len(cells) > 0 && cells[len(cells)-1] == "" {
					cells = cells[:len(cells)-1]
				}
				if len(cells) > 0 {
					if err := s.fn(s.row, append([]string(nil), cells...)); err != nil {
						return err
					}
				}
			}
		case xml.CharData:
			if s.in != 0 && s.skip == 0 {
				if len(s.val)+len(t) > MaxCellBytes {
					return damaged("%s: row %d: a cell of more than %d MB", s.name, s.row, MaxCellBytes>>20)
				}
				s.val = append(s.val, t...)
			}
		}
	}
}

func (s *sheetReader) endCell() error {
	var v string
	switch s.typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(string(s.val)))
		if err != nil {
			return damaged("%s: row %d: shared string %q", s.name, s.row, s.val)
		}
		if v, err = s.x.sst.get(i); err != nil {
			return damaged("%s: row %d: %v", s.name, s.row, err)
		}
	case "inlineStr":
		v = unescape(string(s.val))
	default:
		v = string(s.val)
	}
	if v == "" {
		return nil
	}
	if s.rowBytes += len(v); s.rowBytes > MaxRowBytes {
		return damaged("%s: row %d holds more than %d MB", s.name, s.row, MaxRowBytes>>20)
	}
	for len(s.cells) <= s.col {
		s.cells = append(s.cells, "")
	}
	s.cells[s.col] = v
	return nil
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// column reads the column of a cell reference ("C7" is 2).
func column(ref string) (int, error) {
	c, i := 0, 0
	for ; i < len(ref); i++ {
		b := ref[i] | 0x20 // lower case
		if b < 'a' || b > 'z' {
			break
		}
		c = c*26 + int(b-'a'+1)
		if c > MaxColumns {
			return 0, fmt.Errorf("cell %q is past column XFD", ref)
		}
	}
	if i == 0 {
		return 0, fmt.Errorf("cell reference %q", ref)
	}
	return c - 1, nil
}

// unescape decodes the "_xHHHH_" escapes that Office writes for characters
// XML cannot hold (a carriage return is "_x000D_"); "_x005F_" is a "_"
// that is not the start of one.
func unescape(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "_x")
		if i < 0 || i+7 > len(s) {
			break
		}
		r, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
		if err != nil || s[i+6] != '_' {
			b.WriteString(s[:i+2])
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		b.WriteRune(rune(r))
		s = s[i+7:]
	}
	b.WriteString(s)
	return b.String()
}

// readStrings reads the shared-string table.
func (x *Reader) readStrings(ctx context.Context) (*stringTable, error) {
	rc, err := x.open(x.sstPath)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	t := &stringTable{limit: x.opt.MemoryLimit, dir: x.opt.TempDir}
	ok := false
	defer func() {
		if !ok {
			_ = t.close() // the error is the read's
		}
	}()
	d := newTokens(rc, x.sstPath)
	var cur []byte
	in, skip, inSI := false, 0, false
	for {
		tok, err := d.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if skip > 0 {
				skip++
				continue
			}
			switch tk.Name.Local {
			case "si":
				cur, inSI = cur[:0], true
			case "t":
				in = inSI
			case "rPh":
				skip = 1
			}
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
			switch tk.Name.Local {
			case "t":
				in = false
			case "si":
				inSI = false
				if len(t.offs)%4096 == 0 {
					if err := ctx.Err(); err != nil {
						return nil, err
					}
				}
				if len(t.offs) >= MaxStrings {
					return nil, damaged("%s has more than %d strings", x.sstPath, MaxStrings)
				}
				if err := t.add(unescape(string(cur))); err != nil {
					return nil, err
				}
			}
		case xml.CharData:
			if in && skip == 0 {
				if len(cur)+len(tk) > MaxCellBytes {
					return nil, damaged("%s: a string of more than %d MB", x.sstPath, MaxCellBytes>>20)
				}
				cur = append(cur, tk...)
			}
		}
	}
	if err := t.done(); err != nil {
		return nil, err
	}
	ok = true
	return t, nil
}

// stringTable holds the shared strings end to end, in memory up to limit
// bytes, then in an unlinked temporary file.
type stringTable struct {
	limit int64
	dir   string

	offs []int64 // where each string starts; the next one's start ends it
	size int64
	mem  []byte
	f    *os.File
	w    *bufio.Writer
	buf  []byte
}

func (t *stringTable) add(s string) error {
	t.offs = append(t.offs, t.size)
	t.size += int64(len(s))
	if t.f == nil && int64(len(t.mem)+len(s)) > t.limit {
		if err := t.spill(); err != nil {
			return err
		}
	}
	if t.f == nil {
		t.mem = append(t.mem, s...)
		return nil
	}
	if _, err := t.w.WriteString(s); err != nil {
		return fmt.Errorf("xlsx: writing the shared strings to a temporary file: %w", err)
	}
	return nil
}

func (t *stringTable) spill() error {
	f, err := os.CreateTemp(t.dir, "followup-xlsx-*.strings")
	if err != nil {
		return fmt.Errorf("xlsx: the shared strings are over %d MB and need a temporary file: %w", t.limit>>20, err)
	}
	// Unlinked at once: the open file stays readable, and nothing is left
	// behind whatever happens to the process.
	_ = os.Remove(f.Name()) // on failure the file is only left in the temporary folder
	t.f, t.w = f, bufio.NewWriterSize(f, 256<<10)
	if _, err := t.w.Write(t.mem); err != nil {
		return fmt.Errorf("xlsx: writing the shared strings to a temporary file: %w", err)
	}
	t.mem = nil
	return nil
}

func (t *stringTable) done() error {
	if t.w != nil {
		if err := t.w.Flush(); err != nil {
			return fmt.Errorf("xlsx: writing the shared strings to a temporary file: %w", err)
		}
		t.w = nil
	}
	return nil
}

func (t *stringTable) get(i int) (string, error) {
	if t == nil || i < 0 || i >= len(t.offs) {
		n := 0
		if t != nil {
			n = len(t.offs)
		}
		return "", fmt.Errorf("shared string %d of %d", i, n)
	}
	start, end := t.offs[i], t.size
	if i+1 < len(t.offs) {
		end = t.offs[i+1]
	}
	if t.f == nil {
		return string(t.mem[start:end]), nil
	}
	if n := int(end - start); cap(t.buf) < n {
		t.buf = make([]byte, n)
	}
	b := t.buf[:end-start]
	if _, err := t.f.ReadAt(b, start); err != nil {
		return "", fmt.Errorf("reading shared string %d back: %w", i, err)
	}
	return string(b), nil
}

func (t *stringTable) close() error {
	if t.f == nil {
		return nil
	}
	err := t.f.Close()
	t.f = nil
	return err
}
