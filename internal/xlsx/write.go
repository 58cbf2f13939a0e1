package xlsx

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Workbook is a spreadsheet of one sheet of text: a header row, bold on
// grey, frozen and with a filter on every column, then the rows; every
// cell wraps its text and is aligned to the top. Write writes it.
type Workbook struct {
	// Document properties.
	Title, Creator, Language string
	Created                  time.Time

	Sheet  string    // the sheet's name ("Sheet1" when empty)
	Widths []float64 // the columns' widths, in characters; unset ones keep the default
	Header []string
	Rows   [][]string
}

// Write writes the workbook as .xlsx. The same workbook gives the same
// bytes. Text is written as it is: characters that XML cannot hold are
// replaced with U+FFFD, and a cell is not cut to Excel's 32,767
// characters (the caller decides how).
func (wb *Workbook) Write(w io.Writer) error {
	zw := zip.NewWriter(w)
	sheet := wb.Sheet
	if sheet == "" {
		sheet = "Sheet1"
	}
	cols := len(wb.Header)
	for _, r := range wb.Rows {
		cols = max(cols, len(r))
	}
	last := cellName(max(cols, 1)-1, len(wb.Rows)+1)

	// Shared strings, in order of first use, as Excel saves them.
	index := map[string]int{}
	var sst []string
	refs := 0
	shared := func(s string) int {
		refs++
		if i, ok := index[s]; ok {
			return i
		}
		index[s] = len(sst)
		sst = append(sst, s)
		return len(sst) - 1
	}

	created := wb.Created.UTC().Format("2006-01-02T15:04:05Z")
	parts := []struct {
		name string
		body func(*bufio.Writer)
	}{
		{"[Content_Types].xml", func(b *bufio.Writer) { b.WriteString(contentTypes) }},
		{"_rels/.rels", func(b *bufio.Writer) { b.WriteString(rootRels) }},
		{"docProps/app.xml", func(b *bufio.Writer) { b.WriteString(appProps) }},
		{"docProps/core.xml", func(b *bufio.Writer) {
			b.WriteString(xml.Header + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
			element(b, "dc:title", wb.Title)
			element(b, "dc:creator", wb.Creator)
			element(b, "dc:language", wb.Language)
			fmt.Fprintf(b, `<dcterms:created xsi:type="dcterms:W3CDTF">%s</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">%s</dcterms:modified></cp:coreProperties>`, created, created)
		}},
		{"xl/workbook.xml", func(b *bufio.Writer) {
			b.WriteString(xml.Header + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><bookViews><workbookView/></bookViews><sheets><sheet name="`)
			escape(b, sheet)
			b.WriteString(`" sheetId="1" r:id="rId1"/></sheets><definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">`)
			escape(b, quoteSheet(sheet)+"!"+absolute("A1")+":"+absolute(last))
			b.WriteString(`</definedName></definedNames></workbook>`)
		}},
		{"xl/_rels/workbook.xml.rels", func(b *bufio.Writer) { b.WriteString(bookRels) }},
		{"xl/styles.xml", func(b *bufio.Writer) { b.WriteString(styles) }},
		{"xl/worksheets/sheet1.xml", func(b *bufio.Writer) {
			b.WriteString(xml.Header + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`)
			fmt.Fprintf(b, `<dimension ref="A1:%s"/>`, last)
			b.WriteString(`<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>`)
			if len(wb.Widths) > 0 {
				b.WriteString(`<cols>`)
				for i, wd := range wb.Widths {
					if wd > 0 {
						fmt.Fprintf(b, `<col min="%d" max="%d" width="%s" customWidth="1"/>`, i+1, i+1, strconv.FormatFloat(wd, 'f', -1, 64))
					}
				}
				b.WriteString(`</cols>`)
			}
			b.WriteString(`<sheetData>`)
			row := func(n int, cells []string, style int) {
				fmt.Fprintf(b, `<row r="%d">`, n)
				for c := range cols {
					v := ""
					if c < len(cells) {
						v = cells[c]
					}
					// Every cell is written, empty ones too, so that
					// each carries its style (the header's grey, the
					// wrapping of a cell filled in later).
					if v == "" {
						fmt.Fprintf(b, `<c r="%s" s="%d"/>`, cellName(c, n), style)
						continue
					}
					fmt.Fprintf(b, `<c r="%s" s="%d" t="s"><v>%d</v></c>`, cellName(c, n), style, shared(v))
				}
				b.WriteString(`</row>`)
			}
			row(1, wb.Header, 1)
			for i, r := range wb.Rows {
				row(i+2, r, 2)
			}
			fmt.Fprintf(b, `</sheetData><autoFilter ref="A1:%s"/></worksheet>`, last)
		}},
		// After the sheet, whose cells fill the table.
		{"xl/sharedStrings.xml", func(b *bufio.Writer) {
			fmt.Fprintf(b, xml.Header+`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, refs, len(sst))
			for _, s := range sst {
				b.WriteString(`<si><t`)
				if strings.TrimSpace(s) != s {
					b.WriteString(` xml:space="preserve"`)
				}
				b.WriteString(`>`)
				escape(b, escapeX(s))
				b.WriteString(`</t></si>`)
			}
			b.WriteString(`</sst>`)
		}},
	}
	for _, p := range parts {
		// A fixed time: the same workbook gives the same bytes.
		f, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return err
		}
		b := bufio.NewWriterSize(f, 32<<10)
		p.body(b)
		if err := b.Flush(); err != nil {
			return err
		}
	}
	return zw.Close()
}

// escape writes s as XML text; bufio.Writer keeps a write error for Flush.
func escape(b *bufio.Writer, s string) {
	_ = xml.EscapeText(b, []byte(s))
}

func element(b *bufio.Writer, name, text string) {
	if text == "" {
		return
	}
	b.WriteString("<" + name + ">")
	escape(b, text)
	b.WriteString("</" + name + ">")
}

// escapeX protects text that reads as Office's "_xHHHH_" escapes: its "_"
// is written "_x005F_", so that a reader does not decode it.
func escapeX(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '_' && i+7 <= len(s) && s[i+1] == 'x' && s[i+6] == '_' {
			if _, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				b.WriteString("_x005F_")
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// cellName is the reference of column c (0-based) in row n: "C7".
func cellName(c, n int) string {
	return ColumnName(c) + strconv.Itoa(n)
}

// ColumnName is the letters of column c, 0-based: 0 is "A", 26 "AA".
func ColumnName(c int) string {
	s := ""
	for c++; c > 0; c = (c - 1) / 26 {
		s = string(rune('A'+(c-1)%26)) + s
	}
	return s
}

func absolute(ref string) string {
	i := strings.IndexAny(ref, "0123456789")
	return "$" + ref[:i] + "$" + ref[i:]
}

func quoteSheet(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}

const contentTypes = xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`

const rootRels = xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>`

const appProps = xml.Header + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>followup</Application></Properties>`

const bookRels = xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`

// styles: cell format 0 the default, 1 the header (bold, on grey D9D9D9,
// wrapped, top), 2 the body (wrapped, top). Fill 1 is gray125, which the
// format requires in second place.
const styles = xml.Header + `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>` +
	`<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFD9D9D9"/></patternFill></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>` +
	`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf></cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`
