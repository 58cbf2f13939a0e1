// Package uhrigen writes made-up exports of the Universal Human Rights
// Index (UHRI) at any size, for the importer's benchmark: no real export is
// in the corpus, and the whole index is some 270,000 rows.
//
// The exports have the shape the UHRI's "Export to Excel" gives (its
// columns, spelling and quirks: "- " before every value, one value a line,
// headings glued to paragraph numbers, Excel serial dates) and a realistic
// mix: about 40% UPR recommendations of 100 to 300 characters, 45% treaty
// bodies' paragraphs (concerns and recommendations, 300 to 1,500
// characters) and 15% special procedures'. The .xlsx keeps its text in a
// shared-string table, as Excel itself saves, which is the heavier case for
// a reader. The same seed gives the same bytes.
package uhrigen

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// excelEpoch is day 0 of Excel's serial dates.
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// Header is the export's first row, as OHCHR spells it.
var Header = []string{
	"Text", "Countries Concerned", "Reccomending Body", "Document Symbol", "Themes", "Affected Persons", "Sdgs",
	"Document Publication Date", "UPR Reccomending States", "UPR Position", "Type", "OHCHR Annotation Id",
	"UPR Session", "Regions Concerned", "Recommending Regions", "Date of publication on UHRI",
}

// Row is one annotation, cells as the export writes them.
type Row struct {
	Text, Countries, Body, Symbol, Themes, Persons, SDGs string
	Published                                            float64
	States, Position, Type, Annotation, Session          string
	Regions, RecRegions                                  string
	OnUHRI                                               float64
}

func (r Row) cells() []string {
	return []string{r.Text, r.Countries, r.Body, r.Symbol, r.Themes, r.Persons, r.SDGs, serial(r.Published),
		r.States, r.Position, r.Type, r.Annotation, r.Session, r.Regions, r.RecRegions, serial(r.OnUHRI)}
}

func serial(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

var (
	countries = []string{"Slovenia", "Lao People's Democratic Republic", "Uruguay", "Ecuador", "El Salvador", "Mexico", "Denmark",
		"Iraq", "Greece", "Kenya", "Peru", "Morocco", "Paraguay", "Samoa", "New Zealand", "Turkmenistan", "Uzbekistan", "Chile",
		"Senegal", "Côte d'Ivoire", "Viet Nam", "Bolivia (Plurinational State of)", "Nepal", "Jordan", "Portugal", "Ghana"}
	regions = []string{"Eastern European Group", "Asia-Pacific", "Latin American and Caribbean Group", "African Group",
		"Western European and other States"}
	treaties = []string{"CEDAW", "CRC", "CCPR", "CESCR", "CERD", "CAT", "CRPD", "CMW", "CED"}
	symbolOf = map[string]string{"CEDAW": "CEDAW/C/%s/CO/%d", "CRC": "CRC/C/%s/CO/%d", "CCPR": "CCPR/C/%s/CO/%d",
		"CESCR": "E/C.12/%s/CO/%d", "CERD": "CERD/C/%s/CO/%d", "CAT": "CAT/C/%s/CO/%d", "CRPD": "CRPD/C/%s/CO/%d",
		"CMW": "CMW/C/%s/CO/%d", "CED": "CED/C/%s/CO/%d"}
	mandates = []string{"SR on the human rights of migrants", "SR on the right to food", "WG on Arbitrary Detention",
		"IE on sexual orientation and gender identity", "SR on the rights of persons with disabilities",
		"SR on adequate housing", "WG on discrimination against women and girls", "SR on torture"}
	themes = []string{"Equality & non-discrimination", "Discrimination against women", "Land & property rights",
		"Right to education", "Right to health", "Rights of the child", "Migrants", "Asylum-seekers & refugees",
		"Racial discrimination", "Rights of persons with disabilities", "Administration of justice & fair trial",
		"Torture and other cruel, inhuman or degrading treatment or punishment", "Conditions of detention",
		"Freedom of opinion and expression", "Human rights defenders", "National human rights institution",
		"International instruments", "Scope of international obligations", "Right to adequate housing",
		"Right to social security", "Labour rights and right to work", "Trafficking in persons",
		"Violence against women", "Sexual & reproductive health and rights", "Minorities", "Indigenous peoples",
		"Human rights & poverty", "Safe drinking water & sanitation", "Right to food", "Cultural rights",
		"Statelessness", "Business & human rights", "Climate change & environment", "Hate speech"}
	persons = []string{"Women & girls", "Children", "Migrants", "Persons with disabilities", "Persons living in rural areas",
		"Roma", "Refugees & asylum-seekers", "Persons deprived of their liberty", "Lesbian, gay, bisexual, transgender and intersex persons",
		"Older persons", "Minorities", "Indigenous peoples", "Human rights defenders", "Stateless persons", "Judges, lawyers and prosecutors"}
	sdgs = []string{"1.3 - Social protection systems", "1.4 - Equal rights to economic resources", "2.1 - Ending hunger",
		"3.7 - Sexual and reproductive health", "3.8 - Universal health coverage", "4.1 - Free primary and secondary education",
		"4.5 - Equal access to education", "5.1 - End discrimination against women and girls", "5.2 - Eliminate violence against women and girls",
		"5.3 - Eliminate harmful practices", "8.7 - Eliminate forced labour and child labour", "8.8 - Protect labour rights",
		"10.2 - Promote inclusion", "10.3 - Ensure equal opportunity", "10.7 - Safe migration", "16.1 - Reduce violence",
		"16.2 - End abuse and violence against children", "16.3 - Promote the rule of law", "16.9 - Legal identity for all",
		"16.10 - Fundamental freedoms", "16.a - Strengthen national institutions", "16.b - Non-discriminatory laws"}
	headings = []string{"Rural women", "Legislation", "National human rights institution", "Data collection",
		"Dissemination, awareness-raising and training", "Violence against women", "Trafficking and exploitation of prostitution",
		"Education", "Employment", "Health", "Birth registration", "Children in street situations", "Juvenile justice",
		"Conditions of detention", "Asylum-seekers and refugees", "Access to justice", "Hate speech", "Participation in political life"}
	states = []string{"Algeria", "Egypt", "Argentina", "Spain", "Portugal", "Chile", "Brazil", "Germany", "France", "Canada",
		"Norway", "Netherlands", "Mexico", "Philippines", "Indonesia", "Senegal", "Ghana", "Iceland", "Cyprus", "Italy"}
	verbs = []string{"Adopt", "Ratify", "Strengthen", "Ensure", "Continue", "Take measures to", "Establish", "Consider",
		"Intensify efforts to", "Guarantee", "Combat", "Implement", "Improve", "Allocate adequate resources to"}
	words = strings.Fields(`the State party should ensure that all persons have effective access to justice and remedies
		including legal aid interpretation and information in languages they understand adopt comprehensive legislation
		against discrimination on all grounds provide adequate human technical and financial resources to the national
		human rights institution in line with the Paris Principles collect data disaggregated by sex age disability ethnicity
		and place of residence strengthen training of judges prosecutors police officers and border guards on the rights
		of women children migrants and persons with disabilities combat hate speech and hate crimes investigate prosecute and
		punish perpetrators and provide reparation to victims improve conditions of detention reduce overcrowding and use
		alternatives to detention for children guarantee access to inclusive education health care social security and
		adequate housing for families living in poverty and rural areas consult organizations of civil society`)
	cc = strings.Fields(`The Committee notes with concern that despite the efforts of the State party`)
)

type gen struct {
	r  *rand.Rand
	sb strings.Builder
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// values is a multi-valued cell: n distinct values, one a line, "- " each.
func (g *gen) values(list []string, lo, hi int) string {
	n := lo + g.r.IntN(hi-lo+1)
	seen := map[string]bool{}
	var out []string
	for len(out) < n && len(seen) < len(list) {
		v := g.pick(list)
		if !seen[v] {
			seen[v] = true
			out = append(out, "- "+v)
		}
	}
	return strings.Join(out, "\n")
}

// prose makes n characters or so of plausible words.
func (g *gen) prose(n int) string {
	g.sb.Reset()
	for g.sb.Len() < n {
		if g.sb.Len() > 0 {
			g.sb.WriteByte(' ')
		}
		g.sb.WriteString(words[g.r.IntN(len(words))])
	}
	return g.sb.String()
}

func (g *gen) uuid() string {
	a, b := g.r.Uint64(), g.r.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, a>>16&0xffff, a&0xfff, 0x8000|b>>48&0x3fff, b&0xffffffffffff)
}

// Rows calls fn with n rows made from seed, document by document.
func Rows(n int, seed uint64, fn func(Row) error) error {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	for i, doc := 0, 0; i < n; doc++ {
		country := g.pick(countries)
		code := strings.ToUpper(strings.NewReplacer(" ", "", "'", "", "(", "", ")", "").Replace(country))[:3]
		published := float64(39000 + g.r.IntN(7200))
		onUHRI := published + float64(30+g.r.IntN(300)) + float64(g.r.IntN(86400))/86400
		region := g.pick(regions)
		var body, symbol, session string
		var size int
		switch p := g.r.IntN(100); {
		case p < 40:
			body, symbol, session = "UPR", fmt.Sprintf("A/HRC/%d/%d", 4+doc%56, 5+doc%40), fmt.Sprintf("- %d Session", 1+doc%48)
			size = 120 + g.r.IntN(160)
		case p < 85:
			body = g.pick(treaties)
			symbol = fmt.Sprintf(symbolOf[body], code, 1+doc%9)
			size = 60 + g.r.IntN(120)
		default:
			body = g.pick(mandates)
			symbol = fmt.Sprintf("A/HRC/%d/%d/Add.%d", 4+doc%56, 30+doc%40, 1+doc%3)
			size = 30 + g.r.IntN(60)
		}
		// Symbols repeat across the made-up years: make each unique.
		symbol = fmt.Sprintf("%s/G%d", symbol, doc)
		para := 5
		item := 0
		pending := ""
		for k := 0; k < size && i < n; k, i = k+1, i+1 {
			row := Row{Countries: "- " + country, Body: "- " + body, Symbol: symbol, Published: published,
				Annotation: g.uuid(), Regions: "- " + region, OnUHRI: onUHRI,
				Themes: g.values(themes, 1, 4), Persons: g.values(persons, 0, 3), SDGs: g.values(sdgs, 0, 3)}
			switch {
			case body == "UPR":
				item++
				row.Text = fmt.Sprintf("%d.%d %s %s (%s)", 120+doc%30, item, g.pick(verbs), g.prose(80+g.r.IntN(200)), g.pick(states))
				row.States = g.values(states, 1, 3)
				row.Position = [...]string{"- Supported", "- Noted", "- Supported"}[g.r.IntN(3)]
				row.Type, row.Session, row.RecRegions = "- Recommendations", session, "- "+g.pick(regions)
			default:
				para++
				// A concern, then the recommendation that answers it
				// under the same heading, as the committees write them.
				head, answers := pending, pending != ""
				if !answers {
					head = g.pick(headings)
				}
				pending = ""
				if !answers && g.r.IntN(100) < 45 && k+1 < size {
					pending = head
					row.Text = fmt.Sprintf("%s %d.%s %s.", head, para, strings.Join(cc, " "), g.prose(250+g.r.IntN(900)))
					row.Type = "- Concerns/Observations"
				} else {
					row.Text = fmt.Sprintf("%s %d.The Committee recommends that the State party: (a) %s; (b) %s.", head, para,
						g.prose(150+g.r.IntN(500)), g.prose(100+g.r.IntN(500)))
					row.Type = "- Recommendations"
				}
			}
			if err := fn(row); err != nil {
				return err
			}
		}
	}
	return nil
}

// Write writes an export of n rows in format "xlsx", "csv" or "json".
func Write(w io.Writer, format string, n int, seed uint64) error {
	switch format {
	case "xlsx":
		return writeXLSX(w, n, seed)
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(Header); err != nil {
			return err
		}
		err := Rows(n, seed, func(r Row) error { return cw.Write(r.cells()) })
		cw.Flush()
		if err != nil {
			return err
		}
		return cw.Error()
	case "json":
		return writeJSON(w, n, seed)
	}
	return fmt.Errorf("unknown format %q: xlsx, csv or json", format)
}

func list(cell string) []string {
	out := []string{}
	for l := range strings.Lines(cell) {
		if v := strings.TrimPrefix(strings.TrimSpace(l), "- "); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func writeJSON(w io.Writer, n int, seed uint64) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("["); err != nil {
		return err
	}
	first := true
	err := Rows(n, seed, func(r Row) error {
		// The HTML puts the heading in a paragraph of its own.
		heading, rest := "", r.Text
		if i := strings.IndexAny(r.Text, "0123456789"); i > 0 {
			heading, rest = r.Text[:i-1], r.Text[i:]
		}
		text := "<p>" + rest + "</p>"
		if heading != "" {
			text = "<p>" + heading + "</p>" + text
		}
		rec := map[string]any{
			"AnnotationId": r.Annotation, "Symbol": r.Symbol, "Text": text,
			"PublicationDate": excelEpoch.AddDate(0, 0, int(r.Published)).Format("2006-01-02"), "AnnotationType": strings.TrimPrefix(r.Type, "- "), "Body": strings.TrimPrefix(r.Body, "- "),
			"Countries": list(r.Countries), "Themes": list(r.Themes), "Sdgs": list(r.SDGs), "AffectedPersons": list(r.Persons),
			"Regions": list(r.Regions), "UprRecommendingCountry": list(r.States), "UprPosition": strings.TrimPrefix(r.Position, "- "),
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if !first {
			bw.WriteString(",")
		}
		first = false
		bw.WriteString("\n")
		_, err = bw.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	bw.WriteString("\n]\n")
	return bw.Flush()
}

// writeXLSX writes a minimal workbook: one sheet, its strings shared.
func writeXLSX(w io.Writer, n int, seed uint64) error {
	zw := zip.NewWriter(w)
	static := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Export" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
		"xl/styles.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="1"><xf/></cellXfs></styleSheet>`,
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"} {
		f, err := zw.Create(name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, static[name]); err != nil {
			return err
		}
	}
	sheet, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	sw := bufio.NewWriterSize(sheet, 1<<16)
	sw.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	index := map[string]int{}
	var sst []string
	shared := func(s string) int {
		if i, ok := index[s]; ok {
			return i
		}
		index[s] = len(sst)
		sst = append(sst, s)
		return len(sst) - 1
	}
	refs := 0
	writeRow := func(num int, cells []string, numeric map[int]bool) {
		fmt.Fprintf(sw, `<row r="%d">`, num)
		for c, v := range cells {
			if v == "" {
				continue
			}
			ref := colName(c) + strconv.Itoa(num)
			if numeric[c] {
				fmt.Fprintf(sw, `<c r="%s"><v>%s</v></c>`, ref, v)
				continue
			}
			refs++
			fmt.Fprintf(sw, `<c r="%s" t="s"><v>%d</v></c>`, ref, shared(v))
		}
		sw.WriteString(`</row>`)
	}
	writeRow(1, Header, nil)
	num := 1
	dates := map[int]bool{7: true, 15: true}
	if err := Rows(n, seed, func(r Row) error {
		num++
		writeRow(num, r.cells(), dates)
		return nil
	}); err != nil {
		return err
	}
	sw.WriteString(`</sheetData></worksheet>`)
	if err := sw.Flush(); err != nil {
		return err
	}
	ss, err := zw.Create("xl/sharedStrings.xml")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(ss, 1<<16)
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+
		`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, refs, len(sst))
	for _, s := range sst {
		bw.WriteString(`<si><t xml:space="preserve">`)
		xmlEscape(bw, s)
		bw.WriteString(`</t></si>`)
	}
	bw.WriteString(`</sst>`)
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

func colName(c int) string {
	s := ""
	for c++; c > 0; c = (c - 1) / 26 {
		s = string(rune('A'+(c-1)%26)) + s
	}
	return s
}

func xmlEscape(w *bufio.Writer, s string) {
	for _, r := range s {
		switch r {
		case '<':
			w.WriteString("&lt;")
		case '>':
			w.WriteString("&gt;")
		case '&':
			w.WriteString("&amp;")
		case '"':
			w.WriteString("&quot;")
		case '\n':
			w.WriteString("&#10;")
		default:
			_, _ = w.WriteRune(r) // bufio keeps the error for Flush
		}
	}
}
