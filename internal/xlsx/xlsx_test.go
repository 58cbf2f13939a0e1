package xlsx

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

type row struct {
	n     int
	cells []string
}

func readAll(t *testing.T, data []byte, opt Options) ([]string, []row, error) {
	t.Helper()
	x, err := Open(bytes.NewReader(data), int64(len(data)), opt)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err := x.Close(); err != nil {
			t.Error(err)
		}
	}()
	var rows []row
	err = x.Rows(context.Background(), 0, func(n int, cells []string) error {
		rows = append(rows, row{n, cells})
		return nil
	})
	return x.Sheets(), rows, err
}

func cellsOf(rows []row) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = r.cells
	}
	return out
}

// awkward holds what a cell's text can be that XML or Office escape.
var awkward = []string{
	"plain", "two\nlines", "  leading and trailing  ", "<tag> & \"quotes\" 'apos'", "tab\there",
	"Lao ສິດທິເດັກ, French à l'école, Arabic حقوق", "_x000D_ is text, not a return", "under_score_x_",
	"carriage\r\nreturn",
}

func sample() *Workbook {
	wb := &Workbook{
		Title: "Matrix: <Lao PDR>", Creator: "National Commission", Language: "en-GB",
		Created: time.Date(2026, 12, 7, 10, 30, 0, 0, time.UTC),
		Sheet:   "Matrix", Widths: []float64{60, 14, 30},
		Header: []string{"Recommendation", "Position", "Themes"},
	}
	for _, s := range awkward {
		wb.Rows = append(wb.Rows, []string{s, "Supported", ""})
	}
	wb.Rows = append(wb.Rows, []string{"same", "same", "same"}, []string{"", "", ""}, []string{"only the first"})
	return wb
}

func write(t *testing.T, wb *Workbook) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRoundTrip: what Workbook writes, Reader reads back unchanged,
// however awkward the text; empty rows are skipped and trailing empty
// cells dropped.
func TestRoundTrip(t *testing.T) {
	wb := sample()
	sheets, rows, err := readAll(t, write(t, wb), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sheets, []string{"Matrix"}) {
		t.Errorf("sheets %q", sheets)
	}
	want := [][]string{wb.Header}
	for _, r := range wb.Rows {
		for len(r) > 0 && r[len(r)-1] == "" {
			r = r[:len(r)-1]
		}
		if len(r) > 0 {
			want = append(want, r)
		}
	}
	if got := cellsOf(rows); !reflect.DeepEqual(got, want) {
		t.Errorf("read back:\n%q\nwant\n%q", got, want)
	}
	if rows[0].n != 1 || rows[1].n != 2 || rows[len(rows)-1].n != len(wb.Rows)+1 {
		t.Errorf("row numbers: %v", rows)
	}
	// The same workbook gives the same bytes.
	if !bytes.Equal(write(t, wb), write(t, wb)) {
		t.Error("two writes of one workbook differ")
	}
}

// TestWrittenWorkbookInExcelize: another implementation reads the text,
// the styles, the frozen header, the filter, the widths and the document
// properties that Workbook writes.
func TestWrittenWorkbookInExcelize(t *testing.T) {
	wb := sample()
	data := write(t, wb)
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Matrix")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rows[0], wb.Header) || rows[1][0] != "plain" || rows[2][0] != "two\nlines" || rows[7][0] != awkward[6] || rows[9][0] != "carriage\r\nreturn" {
		t.Errorf("rows: %q", rows)
	}
	style := func(cell string) *excelize.Style {
		id, err := f.GetCellStyle("Matrix", cell)
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if h := style("C1"); h.Font == nil || !h.Font.Bold || h.Fill.Pattern != 1 ||
		h.Alignment == nil || !h.Alignment.WrapText || h.Alignment.Vertical != "top" {
		t.Errorf("header style: %+v font %+v alignment %+v", h, h.Font, h.Alignment)
	}
	if b := style("C2"); b.Alignment == nil || !b.Alignment.WrapText || b.Alignment.Vertical != "top" || b.Font != nil && b.Font.Bold {
		t.Errorf("body style (an empty cell): %+v", b)
	}
	// excelize reads a fill's colour only with a theme part, which
	// Workbook does not write: the grey is checked in the styles.
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open("xl/styles.xml")
	if err != nil {
		t.Fatal(err)
	}
	st, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Contains(st, []byte(`<fill><patternFill patternType="solid"><fgColor rgb="FFD9D9D9"/></patternFill></fill>`)) {
		t.Errorf("no grey fill in the styles:\n%s", st)
	}
	panes, err := f.GetPanes("Matrix")
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes: %+v, %v", panes, err)
	}
	for col, want := range map[string]float64{"A": 60, "B": 14, "C": 30} {
		if w, err := f.GetColWidth("Matrix", col); err != nil || w != want {
			t.Errorf("column %s: width %v, %v", col, w, err)
		}
	}
	props, err := f.GetDocProps()
	if err != nil || props.Title != wb.Title || props.Creator != wb.Creator || props.Language != "en-GB" || props.Created != "2026-12-07T10:30:00Z" {
		t.Errorf("properties: %+v, %v", props, err)
	}
	names := f.GetDefinedName()
	if len(names) != 1 || names[0].Name != "_xlnm._FilterDatabase" || names[0].RefersTo != "'Matrix'!$A$1:$C$13" {
		t.Errorf("the filter's defined name: %+v", names)
	}
}

// TestReadExcelizeWorkbook: a workbook another implementation wrote, with
// numbers, dates, booleans, formulas, rich text and inline strings, and
// several sheets.
func TestReadExcelizeWorkbook(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetRow("Sheet1", "A1", &[]any{"Text", "Number", "Date", "Bool", "Formula", "Rich"}))
	must(f.SetSheetRow("Sheet1", "A2", &[]any{"a\nb", 3.25, 44197.0, true, nil, nil}))
	must(f.SetCellFormula("Sheet1", "E2", "B2*2"))
	must(f.SetCellValue("Sheet1", "E2", 6.5)) // the cached value
	must(f.SetCellFormula("Sheet1", "E2", "B2*2"))
	must(f.SetCellRichText("Sheet1", "F2", []excelize.RichTextRun{{Text: "bold "}, {Text: "plain"}}))
	must(f.SetCellValue("Sheet1", "C4", "after a gap"))
	_, err := f.NewSheet("Second")
	must(err)
	must(f.SetCellValue("Second", "B3", "on the second sheet"))
	var buf bytes.Buffer
	must(f.Write(&buf))

	x, err := Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()), Options{})
	must(err)
	defer x.Close()
	if got := x.Sheets(); !reflect.DeepEqual(got, []string{"Sheet1", "Second"}) {
		t.Errorf("sheets %q", got)
	}
	var rows []row
	must(x.Rows(context.Background(), 0, func(n int, c []string) error { rows = append(rows, row{n, c}); return nil }))
	want := []row{
		{1, []string{"Text", "Number", "Date", "Bool", "Formula", "Rich"}},
		{2, []string{"a\nb", "3.25", "44197", "1", "6.5", "bold plain"}},
		{4, []string{"", "", "after a gap"}},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows:\n%v\nwant\n%v", rows, want)
	}
	rows = nil
	must(x.Rows(context.Background(), 1, func(n int, c []string) error { rows = append(rows, row{n, c}); return nil }))
	if !reflect.DeepEqual(rows, []row{{3, []string{"", "on the second sheet"}}}) {
		t.Errorf("second sheet: %v", rows)
	}
	if err := x.Rows(context.Background(), 2, func(int, []string) error { return nil }); err == nil {
		t.Error("a third sheet read")
	}
}

// book builds an .xlsx from its parts, as a damaged or hand-made one.
func book(t *testing.T, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`

func minimal(sheet, sst string) map[string]string {
	p := map[string]string{
		"xl/workbook.xml":          `<workbook ` + ns + ` xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/worksheets/sheet1.xml": `<worksheet ` + ns + `><sheetData>` + sheet + `</sheetData></worksheet>`,
	}
	if sst != "" {
		p["xl/sharedStrings.xml"] = `<sst ` + ns + `>` + sst + `</sst>`
	}
	return p
}

// TestHandMadeWorkbooks: what other writers do that Excel and excelize
// do not: no relationships, prefixed names, rows and cells without
// references, phonetic runs, inline rich text, Office's escapes.
func TestHandMadeWorkbooks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		parts map[string]string
		want  [][]string
	}{
		{"no references", minimal(`<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row><row><c><v>7</v></c></row>`, `<si><t>a</t></si><si><t>b</t></si>`),
			[][]string{{"a", "b"}, {"7"}}},
		{"phonetic runs and rich text", minimal(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r><rPh><t>x</t></rPh></is></c></row>`,
			`<si><r><t xml:space="preserve">東京 </t></r><r><t>都</t></r><rPh sb="0" eb="1"><t>トウキョウ</t></rPh></si>`),
			[][]string{{"東京 都", "", "inline"}}},
		{"Office's escapes", minimal(`<row><c t="s"><v>0</v></c><c t="inlineStr"><is><t>a_x000D_b</t></is></c></row>`, `<si><t>line_x000D__x000A_next _x005F_x0041_ _xZZZZ_</t></si>`),
			[][]string{{"line\r\nnext _x0041_ _xZZZZ_", "a\rb"}}},
		{"prefixed names", map[string]string{
			"xl/workbook.xml":          `<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheets><x:sheet name="P" sheetId="1"/></x:sheets></x:workbook>`,
			"xl/worksheets/sheet1.xml": `<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:t>p</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>`,
		}, [][]string{{"", "p"}}},
		{"a huge count announced", map[string]string{
			"xl/workbook.xml":          `<workbook><sheets><sheet name="S"/></sheets></workbook>`,
			"xl/worksheets/sheet1.xml": `<worksheet><sheetData><row><c t="s"><v>0</v></c></row></sheetData></worksheet>`,
			"xl/sharedStrings.xml":     `<sst count="99999999999999" uniqueCount="99999999999999"><si><t>only one</t></si></sst>`,
		}, [][]string{{"only one"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, rows, err := readAll(t, book(t, tc.parts), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := cellsOf(rows); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestBadWorkbooks: damaged input is an error naming what is wrong, never
// a panic, and a cell or a row past the limits is refused before it is
// held.
func TestBadWorkbooks(t *testing.T) {
	good := write(t, sample())
	bomb := func(part string, n int, unit string) map[string]string {
		p := minimal(`<row><c t="s"><v>0</v></c></row>`, `<si><t>x</t></si>`)
		p[part] = strings.Replace(p[part], "x</t>", strings.Repeat(unit, n)+"</t>", 1)
		return p
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"not a zip", []byte("PK\x03\x04 but nothing else"), "not a zip archive"},
		{"truncated", good[:len(good)/2], "not a zip archive"},
		{"no workbook", book(t, map[string]string{"word/document.xml": "<w/>"}), "it has no workbook"},
		{"no sheet", book(t, map[string]string{"xl/workbook.xml": "<workbook/>"}), "the workbook lists no sheet"},
		{"broken workbook XML", book(t, map[string]string{"xl/workbook.xml": "<workbook><sheets><sheet name='a'"}), "xl/workbook.xml"},
		{"missing sheet part", book(t, map[string]string{"xl/workbook.xml": `<workbook><sheets><sheet name="S"/></sheets></workbook>`}), "xl/worksheets/sheet1.xml is missing"},
		{"shared string out of range", book(t, minimal(`<row r="3"><c t="s"><v>5</v></c></row>`, `<si><t>a</t></si>`)), "row 3: shared string 5 of 1"},
		{"shared string not a number", book(t, minimal(`<row><c t="s"><v>x</v></c></row>`, `<si><t>a</t></si>`)), `shared string "x"`},
		{"shared strings missing", book(t, minimal(`<row><c t="s"><v>0</v></c></row>`, "")), "shared string 0 of 0"},
		{"past column XFD", book(t, minimal(`<row><c r="XFE1"><v>1</v></c></row>`, "")), "past column XFD"},
		{"bad reference", book(t, minimal(`<row><c r="12"><v>1</v></c></row>`, "")), `cell reference "12"`},
		{"bad row number", book(t, minimal(`<row r="-4"><c><v>1</v></c></row>`, "")), `row number "-4"`},
		{"broken sheet XML", book(t, minimal(`<row><c><v>1</v></row>`, "")), "xl/worksheets/sheet1.xml: element <c> closed by </row>"},
		{"sheet cut short", book(t, map[string]string{"xl/workbook.xml": `<workbook><sheets><sheet name="S"/></sheets></workbook>`, "xl/worksheets/sheet1.xml": `<worksheet><sheetData><row><c><v>1</v></c>`}), "xl/worksheets/sheet1.xml ends inside <row>"},
		{"a huge shared string", book(t, bomb("xl/sharedStrings.xml", MaxCellBytes+1, "&lt;")), "a string of more than 1 MB"},
		{"a huge inline string", book(t, minimal(`<row><c t="inlineStr"><is><t>`+strings.Repeat("ab&amp;", MaxCellBytes/3+1)+`</t></is></c></row>`, "")), "a cell of more than 1 MB"},
		{"a run without markup", book(t, map[string]string{"xl/workbook.xml": "<workbook>" + strings.Repeat("y", maxGap+10) + "</workbook>"}), "without markup"},
		{"not UTF-8", book(t, map[string]string{"xl/workbook.xml": `<?xml version="1.0" encoding="ISO-8859-1"?><workbook><sheets><sheet name="S"/></sheets></workbook>`}), "not UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readAll(t, tc.data, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
			if !errors.Is(err, ErrDamaged) {
				t.Errorf("%v is not ErrDamaged", err)
			}
		})
	}
}

// TestRowLimit: a row whose cells add up past MaxRowBytes is refused.
func TestRowLimit(t *testing.T) {
	cell := strings.Repeat("z", MaxCellBytes-1)
	var sst strings.Builder
	var cells strings.Builder
	for i := range MaxRowBytes/len(cell) + 2 {
		sst.WriteString("<si><t>" + cell + string(rune('a'+i)) + "</t></si>")
		cells.WriteString(`<c t="s"><v>` + string(rune('0'+i%10)) + `</v></c>`)
	}
	_, _, err := readAll(t, book(t, minimal("<row>"+cells.String()+"</row>", sst.String())), Options{MemoryLimit: 64 << 20})
	if err == nil || !strings.Contains(err.Error(), "row 1 holds more than 16 MB") {
		t.Fatalf("got %v", err)
	}
}

// TestSharedStringsOnDisk: past MemoryLimit the strings go to an unlinked
// temporary file and read back the same; with no room for that file, the
// read says so.
func TestSharedStringsOnDisk(t *testing.T) {
	wb := &Workbook{Header: []string{"n", "text"}}
	for i := range 3000 {
		wb.Rows = append(wb.Rows, []string{ColumnName(i), strings.Repeat(awkward[i%len(awkward)]+" ", 1+i%7)})
	}
	data := write(t, wb)
	_, inMemory, err := readAll(t, data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	x, err := Open(bytes.NewReader(data), int64(len(data)), Options{MemoryLimit: 4096, TempDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var onDisk []row
	if err := x.Rows(context.Background(), 0, func(n int, c []string) error {
		onDisk = append(onDisk, row{n, c})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if x.sst == nil || x.sst.f == nil {
		t.Fatal("the strings stayed in memory")
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("files left in the temporary folder: %v", left)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(onDisk, inMemory) || len(onDisk) != 3001 {
		t.Errorf("%d rows on disk, %d in memory, not the same", len(onDisk), len(inMemory))
	}

	if runtime.GOOS != "windows" && os.Geteuid() != 0 {
		ro := t.TempDir()
		if err := os.Chmod(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		_, _, err = readAll(t, data, Options{MemoryLimit: 4096, TempDir: ro})
		if err == nil || !strings.Contains(err.Error(), "need a temporary file") {
			t.Errorf("no room for the file: %v", err)
		}
	}
	_, _, err = readAll(t, data, Options{MemoryLimit: 4096, TempDir: filepath.Join(dir, "missing")})
	if err == nil || !strings.Contains(err.Error(), "need a temporary file") {
		t.Errorf("no folder for the file: %v", err)
	}
}

// TestStops: an error from the callback, or a cancelled context, stops
// the read and is returned.
func TestStops(t *testing.T) {
	wb := &Workbook{Header: []string{"n"}}
	for i := range 5000 {
		wb.Rows = append(wb.Rows, []string{ColumnName(i)})
	}
	data := write(t, wb)
	x, err := Open(bytes.NewReader(data), int64(len(data)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	stop := errors.New("enough")
	seen := 0
	if err := x.Rows(context.Background(), 0, func(int, []string) error {
		if seen++; seen == 10 {
			return stop
		}
		return nil
	}); !errors.Is(err, stop) || seen != 10 {
		t.Errorf("callback's error: %v after %d rows", err, seen)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := x.Rows(ctx, 0, func(int, []string) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestColumns(t *testing.T) {
	for c, name := range map[int]string{0: "A", 25: "Z", 26: "AA", 701: "ZZ", 702: "AAA", MaxColumns - 1: "XFD"} {
		if got := ColumnName(c); got != name {
			t.Errorf("ColumnName(%d) = %s", c, got)
		}
		if got, err := column(name + "12"); err != nil || got != c {
			t.Errorf("column(%s12) = %d, %v", name, got, err)
		}
	}
}
