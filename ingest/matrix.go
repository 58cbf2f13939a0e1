package ingest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/followup-app/followup/workflow"

	"github.com/followup-app/followup/internal/lazyre"
)

// OHCHR publishes, for each UPR review, a "thematic list of
// recommendations": a Word table with one row per recommendation
// ("140.7 Ratify … (Maldives) (Portugal);" and "Source of Position:
// A/HRC/59/15/Add.1 - Para.3"), the State's position (Supported, Noted),
// the human rights themes and groups of persons, and the SDGs, grouped under
// "Theme: …" rows. It carries what the report and its addendum carry
// together, plus the themes, which are the best signal of which ministry
// owns a recommendation. It imports as the report's own recommendations, so
// importing it after the report and addendum adds the themes to the same
// tasks.

// table is a Word table: rows of cells of paragraphs.
type table [][][]string

// docxTables reads the tables of word/document.xml and the text of the
// page headers. Only the outermost tables count; a table nested in a cell
// reads as that cell's paragraphs.
func docxTables(zr *zip.Reader) (tables []table, header string, err error) {
	for _, f := range zr.File {
		switch {
		case f.Name == "word/document.xml":
			if tables, err = readTables(f); err != nil {
				return nil, "", err
			}
		case strings.HasPrefix(f.Name, "word/header") && strings.HasSuffix(f.Name, ".xml"):
			b, err := readPart(f)
			if err != nil {
				return nil, "", err
			}
			header += " " + plainText(b)
		}
	}
	return tables, strings.TrimSpace(header), nil
}

// plainText returns the text runs of a WordprocessingML part, paragraphs
// separated by spaces.
func plainText(b []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(b))
	var out strings.Builder
	inT := false
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			inT = t.Name.Local == "t" && t.Name.Space == wordNS
			switch t.Name.Local {
			case "p", "tab", "br", "cr":
				out.WriteByte(' ')
			}
		case xml.EndElement:
			inT = false
		case xml.CharData:
			if inT {
				out.Write(t)
			}
		}
	}
	return collapseSpaces(out.String())
}

func readTables(f *zip.File) ([]table, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("damaged .docx: %w", err)
	}
	defer rc.Close()
	// The same bounds as the text reader (docx.go): a matrix is tried
	// first on every .docx, so a hostile one must be refused here too.
	dec := &depthLimit{dec: xml.NewDecoder(boundedPart(rc, f.Name)), name: f.Name}
	var (
		tables []table
		depth  int // table nesting
		para   strings.Builder
		inPara bool
		skip   int
		inT    bool
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if errors.Is(err, errDocxBounds) {
			return nil, err
		}
		if err != nil {
			return nil, fmt.Errorf("damaged .docx: word/document.xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if skip > 0 {
				skip++
				continue
			}
			if t.Name.Space != wordNS {
				continue
			}
			switch t.Name.Local {
			case "tbl":
				depth++
				if depth == 1 {
					tables = append(tables, nil)
				}
			case "tr":
				if depth == 1 {
					tables[len(tables)-1] = append(tables[len(tables)-1], nil)
				}
			case "tc":
				if depth == 1 {
					tb := tables[len(tables)-1]
					if len(tb) > 0 {
						tb[len(tb)-1] = append(tb[len(tb)-1], nil)
					}
				}
			case "p":
				inPara = true
				para.Reset()
			case "t":
				inT = true
			case "tab":
				para.WriteByte(' ')
			case "br", "cr":
				para.WriteByte(' ')
			case "del", "delText", "instrText", "footnoteReference", "endnoteReference", "commentReference":
				skip = 1
			}
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
			if t.Name.Space != wordNS {
				continue
			}
			switch t.Name.Local {
			case "tbl":
				depth--
			case "t":
				inT = false
			case "p":
				inPara = false
				if depth < 1 || len(tables) == 0 {
					continue
				}
				tb := tables[len(tables)-1]
				if len(tb) == 0 || len(tb[len(tb)-1]) == 0 {
					continue
				}
				row := tb[len(tb)-1]
				row[len(row)-1] = append(row[len(row)-1], collapseSpaces(normalizeChars(para.String())))
			}
		case xml.CharData:
			if skip == 0 && inPara && inT {
				para.Write(t)
			}
		}
	}
	return tables, nil
}

var (
	reMatrixID     = lazyre.New(`^(\d{1,3})\.(\d{1,3})\.?\s+(.*)$`)
	reSourceOfPos  = lazyre.New(`(?i)^source of position\s*:\s*(.*)$`)
	reThemeRow     = lazyre.New(`(?i)^themes?\s*:\s*(.+)$`)
	reGroupsHeader = lazyre.New(`(?i)^(?:groups? of persons|affected persons)\s*:?`)
)

// matrixColumns finds the columns of a UPR matrix from its header row, or
// ok=false when the table is not one.
func matrixColumns(header [][]string) (rec, pos, themes, sdgs int, ok bool) {
	rec, pos, themes, sdgs = -1, -1, -1, -1
	for i, cell := range header {
		h := strings.ToLower(strings.Join(cell, " "))
		switch {
		case rec < 0 && strings.HasPrefix(h, "recommendation"):
			rec = i
		case pos < 0 && strings.Contains(h, "position"):
			pos = i
		case themes < 0 && strings.Contains(h, "theme"):
			themes = i
		case sdgs < 0 && strings.Contains(h, "sdg"):
			sdgs = i
		}
	}
	return rec, pos, themes, sdgs, rec >= 0 && pos >= 0
}

// errNotMatrix says a .docx holds no UPR matrix: it is read as a document.
var errNotMatrix = errors.New("not a UPR matrix")

// uprMatrix reads a UPR matrix .docx into the report's recommendations with
// their positions, recommending States and themes.
func uprMatrix(data []byte, opts Options) (*workflow.Document, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errNotMatrix // docxLines says what is wrong with it
	}
	tables, header, err := docxTables(zr)
	if err != nil {
		return nil, err
	}
	doc := &workflow.Document{Kind: workflow.UPRReport, Body: "UPR", Symbol: opts.Symbol}
	found := false
	index := map[string]int{}
	var sources []string
	for _, tb := range tables {
		if len(tb) < 2 {
			continue
		}
		recCol, posCol, themeCol, sdgCol, ok := matrixColumns(tb[0])
		if !ok {
			continue
		}
		found = true
		group := ""
		for _, row := range tb[1:] {
			if len(row) == 1 || len(row) <= recCol {
				if m := reThemeRow.FindStringSubmatch(strings.Join(cellText(row, 0), " ")); m != nil {
					group = strings.TrimSpace(m[1])
				}
				continue
			}
			var text []string
			for _, p := range row[recCol] {
				if m := reSourceOfPos.FindStringSubmatch(p); m != nil {
					sources = append(sources, m[1])
					continue
				}
				if p != "" {
					text = append(text, p)
				}
			}
			m := reMatrixID.FindStringSubmatch(strings.Join(text, " "))
			if m == nil {
				continue // a row without an id: a note, not a recommendation
			}
			para, _ := strconv.Atoi(m[1])
			item := strings.TrimLeft(m[2], "0")
			body := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(m[3]), ";"))
			rec := workflow.Recommendation{
				Paragraph: para, Item: item, Section: group, Text: body,
				Status:             matrixStatus(strings.Join(cellText(row, posCol), " ")),
				RecommendingStates: recommendingStates(body),
				Themes:             matrixThemes(cellText(row, themeCol)),
				AffectedPersons:    matrixPersons(cellText(row, themeCol)),
				SDGs:               matrixSDGs(cellText(row, sdgCol)),
			}
			key := m[1] + "." + item
			if i, dup := index[key]; dup {
				// A thematic list may repeat a recommendation under a second
				// theme: one recommendation, the tags of both rows.
				first := &doc.Recommendations[i]
				first.Themes = addNew(first.Themes, rec.Themes)
				first.AffectedPersons = addNew(first.AffectedPersons, rec.AffectedPersons)
				first.SDGs = addNew(first.SDGs, rec.SDGs)
				continue
			}
			index[key] = len(doc.Recommendations)
			doc.Recommendations = append(doc.Recommendations, rec)
		}
	}
	if !found {
		return nil, errNotMatrix
	}
	if doc.Symbol == "" {
		// "Source of Position: A/HRC/59/15/Add.1 - Para.3": the report is
		// the addendum's parent.
		for _, s := range sources {
			if sym := reSymbol.FindString(s); strings.HasPrefix(sym, "A/HRC/") {
				if i := strings.Index(sym, "/Add."); i > 0 {
					sym = sym[:i]
				}
				doc.Symbol = sym
				break
			}
		}
	}
	if doc.Symbol == "" {
		return nil, errors.New("a UPR matrix that does not name its report (no \"Source of Position: A/HRC/…\"); give the report's symbol with --symbol")
	}
	if len(doc.Recommendations) == 0 {
		return nil, fmt.Errorf("%w: the UPR matrix of %s has no numbered recommendations (\"140.7 Ratify …\")", ErrNoRecommendations, doc.Symbol)
	}
	sort.SliceStable(doc.Recommendations, func(i, j int) bool {
		a, b := doc.Recommendations[i], doc.Recommendations[j]
		if a.Paragraph != b.Paragraph {
			return a.Paragraph < b.Paragraph
		}
		x, _ := strconv.Atoi(a.Item)
		y, _ := strconv.Atoi(b.Item)
		return x < y
	})
	var sample strings.Builder
	for i := range doc.Recommendations {
		r := &doc.Recommendations[i]
		r.ID = workflow.RecID(doc.Symbol, r.Paragraph, r.Item)
		if sample.Len() < 8000 {
			sample.WriteString(r.Text + " ")
		}
	}
	doc.Language = detectLanguage(sample.String())
	// The page header: "UPR of Slovenia (4th Cycle - 48th Session) Thematic
	// list of recommendations".
	doc.Title = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(strings.Split(header, "Page ")[0]), "*"))
	doc.State = findState(doc.Title)
	return doc, nil
}

func cellText(row [][]string, col int) []string {
	if col < 0 || col >= len(row) {
		return nil
	}
	return row[col]
}

// matrixStatus reads the position column: "Supported", "Noted",
// "Supported/Noted" (partly: kept as supported, the part noted is in the
// text), anything else pending.
func matrixStatus(s string) string {
	low := strings.ToLower(s)
	switch {
	case strings.Contains(low, "support") && !strings.Contains(low, "not support"), strings.Contains(low, "accept"):
		return workflow.StatusSupported
	case strings.Contains(low, "note"), strings.Contains(low, "not support"), strings.Contains(low, "reject"):
		return workflow.StatusNoted
	}
	return workflow.StatusPending
}

// matrixThemes reads the themes column: "- Theme" lines up to "Groups of
// Persons:".
func matrixThemes(cell []string) []string {
	var out []string
	for _, p := range cell {
		if reGroupsHeader.MatchString(p) {
			break
		}
		p = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(p), "-"))
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// matrixPersons reads the groups of persons after "Groups of Persons:" in
// the themes column.
func matrixPersons(cell []string) []string {
	var out []string
	in := false
	for _, p := range cell {
		if reGroupsHeader.MatchString(p) {
			in = true
			// "Groups of Persons: Children" on one line.
			p = reGroupsHeader.ReplaceAllString(p, "")
		}
		if !in {
			continue
		}
		p = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(p), "-"))
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// matrixSDGs reads the SDGs column: "- 4 - QUALITY EDUCATION" lines, each
// kept as its goal or target number, as the UHRI's are.
func matrixSDGs(cell []string) []string {
	var vals []string
	for _, p := range cell {
		if p = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(p), "-")); p != "" {
			vals = append(vals, p)
		}
	}
	return addNew(nil, sdgNumbers(vals))
}

// addNew appends the values of more that list does not have yet.
func addNew(list, more []string) []string {
	for _, v := range more {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}
