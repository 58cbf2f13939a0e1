package ingest

import (
	"errors"
	"fmt"
	"hash/fnv"
	"html"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/workflow"

	"github.com/followup-app/followup/internal/lazyre"
)

// The Universal Human Rights Index (UHRI, uhri.ohchr.org) holds every
// recommendation and observation of the treaty bodies, the special
// procedures and the Universal Periodic Review, one "annotation" per
// paragraph, tagged with themes, affected persons and SDG targets. A
// coordinating body starts its follow-up from a search there: "Export to
// Excel" writes one row per annotation, and the site's search answers the
// same records as JSON. Reading that export gives, in one file, every
// mechanism's recommendations to a State, already tagged.
//
// The export's quirks, all handled here:
//   - the columns are named as OHCHR spells them ("Reccomending Body",
//     "UPR Reccomending States");
//   - a multi-valued cell holds one value a line, each prefixed "- "; a
//     single value is prefixed too ("- CEDAW");
//   - Text starts with the paragraph's heading glued to its number ("Rural
//     women 49.The Committee…"); a UPR row starts with the recommendation's
//     number ("122.17 Ratify…"); the JSON's Text is HTML paragraphs, the
//     heading first;
//   - dates are Excel serials (days since 1899-12-30, a fraction for the
//     time of day);
//   - special procedures name the mandate ("- SR on the right to food",
//     "- WG on arbitrary detention", "- IE on…").
//
// A row becomes a recommendation of its document (by Document Symbol),
// identified as the document's own import would identify it (symbol,
// paragraph, item), so that the store can add the UHRI's tags to a
// document already imported from its text instead of making a second
// task. Concern rows are kept aside: each gives context to the
// recommendation that follows it under the same heading, or is counted and
// skipped. A row that cannot be read is reported with its number and the
// rest is still read, so that the admin sees every bad row at once; the
// caller decides whether anything is written (UHRI.Err).
//
// For the importer (the store's side, not here):
//   - ScanUHRIFile hands over one row at a time; write each in one
//     transaction and commit only if UHRI.Err() is nil at the end (or the
//     admin asked to skip bad rows): nothing is written otherwise.
//   - Match a recommendation to one already imported by its ID (symbol,
//     paragraph, item), and add the tags (Themes, AffectedPersons, SDGs,
//     AnnotationID, and for the UPR RecommendingStates and Status) to it
//     instead of making a second task. The UHRI annotates a treaty body's
//     paragraph whole: a row "CEDAW/C/IRQ/CO/8:50" belongs to each item
//     (50a, 50b…) that the document's own import split it into. A UPR
//     row's item is the number after the dot, as in the report.
//   - A document the store does not have yet is created from
//     UHRIItem.Document. Its Kind may be workflow.SpecialProcedures, which
//     has no periodic report: its deadlines must come from the config.
//   - After the scan, UHRI.Concerns gives each concern's Context: set the
//     Concern of those recommendations to the concern's paragraph, and keep
//     the concern's text (handed over during the scan) as their context.
//   - A row may come again with Again set (the UHRI annotated the paragraph
//     twice, with the same text): add its tags to the first.

// MaxUHRISize is the largest UHRI export read: the whole index (about
// 270,000 annotations) exports to well under this.
const MaxUHRISize = 1 << 30

// ErrNotUHRI says that a file is not a UHRI export.
var ErrNotUHRI = errors.New("not a UHRI export")

// UHRI is what one export of the Universal Human Rights Index holds.
type UHRI struct {
	// Format is "xlsx", "csv" or "json".
	Format string
	// Rows is the number of data rows (JSON records) read, the header not
	// counted.
	Rows int
	// Documents are the documents the rows belong to, in the order their
	// first row appears, with what the export says of them: symbol, body,
	// kind, State, publication date, language (no next-report date: a
	// document imported from its own text gives that). From ReadUHRI each
	// holds its recommendations in document order (paragraph, then item);
	// from ScanUHRI none: they went to the callback.
	Documents []*workflow.Document
	// Recs is the number of recommendations read (a paragraph annotated
	// twice counts once).
	Recs int
	// Concerns are the concern (observation) rows, in the order read; from
	// ScanUHRI without their Text, which went to the callback.
	Concerns []UHRIConcern
	// Other counts the rows of other types (such as "Positive aspects"),
	// which are skipped, by type as the export names it.
	Other map[string]int
	// Bad lists the rows that could not be read, in order. Nothing of them
	// is in Documents or Concerns, or went to the callback.
	Bad []RowError
}

// UHRIConcern is a row of the type "Concerns/Observations": what the
// mechanism is concerned about, which the recommendation after it answers.
type UHRIConcern struct {
	Row          int // as in RowError
	Symbol       string
	Paragraph    int
	Item         string
	Heading      string
	Text         string
	AnnotationID string
	// Context lists the recommendations this concern gives context to:
	// those of the next annotated paragraph of the same document (or of
	// its own paragraph), when no other concern comes first and the
	// heading is the same. Their Concern is this paragraph (ReadUHRI sets
	// it; after ScanUHRI the caller does). Empty when there is none: the
	// concern is counted and skipped.
	Context []string
}

// UHRIItem is one row read, as ScanUHRI hands it over: a recommendation or
// a concern of a document.
type UHRIItem struct {
	Row int // as in RowError
	// Document is the row's document, the same pointer for every row of
	// it, with what the export says of it; its Recommendations stay empty.
	Document *workflow.Document
	// Recommendation is set for a recommendation row. A paragraph the UHRI
	// annotates twice (with the same text) comes again with the same ID
	// and Again set: its tags add to the first's.
	Recommendation *workflow.Recommendation
	Again          bool
	// Concern is set for a concern row; its Context is known only at the
	// end, in UHRI.Concerns.
	Concern *UHRIConcern
}

// RowError is a row of an export that could not be read.
type RowError struct {
	// Row is the row's number as the admin finds it: the spreadsheet's row
	// number (the header is row 1) for .xlsx and .csv, the record's
	// position (from 1) for JSON.
	Row  int
	JSON bool
	Err  error
}

func (e RowError) Error() string {
	if e.JSON {
		return fmt.Sprintf("record %d: %v", e.Row, e.Err)
	}
	return fmt.Sprintf("row %d: %v", e.Row, e.Err)
}

func (e RowError) Unwrap() error { return e.Err }

// Recommendations counts the recommendations read.
func (u *UHRI) Recommendations() int { return u.Recs }

// Err is nil when every row was read, and otherwise says how many rows
// could not be read and which (the first ten).
func (u *UHRI) Err() error {
	if len(u.Bad) == 0 {
		return nil
	}
	var b strings.Builder
	unit := "row"
	if u.Format == "json" {
		unit = "record"
	}
	fmt.Fprintf(&b, "%d of the %s cannot be read", len(u.Bad), counted(u.Rows, unit))
	for i, e := range u.Bad {
		if i == 10 {
			fmt.Fprintf(&b, "; and %d more", len(u.Bad)-10)
			break
		}
		b.WriteString("; ")
		b.WriteString(e.Error())
	}
	return errors.New(b.String())
}

// Summary says in a few lines what the export held and what became of each
// row: recommendations by document, concerns given as context or skipped,
// rows of other types skipped, rows that could not be read.
func (u *UHRI) Summary() string {
	var b strings.Builder
	unit := "row"
	if u.Format == "json" {
		unit = "record"
	}
	fmt.Fprintf(&b, "UHRI export (%s): %s\n", u.Format, counted(u.Rows, unit))
	fmt.Fprintf(&b, "  %s in %s", counted(u.Recommendations(), "recommendation"), counted(len(u.Documents), "document"))
	byKind := map[workflow.Kind]int{}
	for _, d := range u.Documents {
		byKind[d.Kind]++
	}
	var kinds []string
	for _, k := range []workflow.Kind{workflow.ConcludingObservations, workflow.UPRReport, workflow.SpecialProcedures} {
		if byKind[k] > 0 {
			kinds = append(kinds, fmt.Sprintf("%d %s", byKind[k], k))
		}
	}
	if len(kinds) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(kinds, ", "))
	}
	b.WriteByte('\n')
	if len(u.Concerns) > 0 {
		ctx := 0
		for _, c := range u.Concerns {
			if len(c.Context) > 0 {
				ctx++
			}
		}
		fmt.Fprintf(&b, "  %s: %d kept as context of the recommendation that follows them, %d counted and skipped (no recommendation follows them under their heading)\n",
			counted(len(u.Concerns), "concern "+unit), ctx, len(u.Concerns)-ctx)
	}
	if len(u.Other) > 0 {
		types := make([]string, 0, len(u.Other))
		n := 0
		for t, c := range u.Other {
			types = append(types, fmt.Sprintf("%s: %d", t, c))
			n += c
		}
		sort.Strings(types)
		fmt.Fprintf(&b, "  %s of other types skipped (%s)\n", counted(n, unit), strings.Join(types, ", "))
	}
	if len(u.Bad) > 0 {
		fmt.Fprintf(&b, "  %s cannot be read\n", counted(len(u.Bad), unit))
	}
	return b.String()
}

// counted says "1 row", "2 rows".
func counted(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// uhriRow is one annotation, whichever format it came in: single values
// without their "- ", lists one value an element.
type uhriRow struct {
	n          int
	text       string
	html       bool // text is HTML paragraphs (the JSON)
	symbol     string
	body       string
	typ        string
	annotation string
	position   string
	published  string
	countries  []string
	themes     []string
	persons    []string
	sdgs       []string
	states     []string
}

// uhriBuilder turns rows into recommendations and concerns. It interns the
// tag values and headings: an export of the whole index repeats a few
// hundred themes hundreds of thousands of times.
type uhriBuilder struct {
	u    *UHRI
	json bool
	// keep: collect the recommendations into their documents and keep the
	// concerns' texts (ReadUHRI); otherwise hand each to fn (ScanUHRI).
	keep   bool
	fn     func(UHRIItem) error
	docs   map[string]*uhriDoc
	intern map[string]string
}

// uhriDoc is what the builder remembers of a document: which ids it has
// seen, and where each annotated paragraph sits, to link each concern to
// the recommendation after it. A few dozen bytes a row, never the texts.
type uhriDoc struct {
	doc   *workflow.Document
	seen  map[uhriKey]uhriSeen
	index []uhriEntry
}

// uhriKey is a recommendation's place in its document; item is interned.
type uhriKey struct {
	para int
	item string
}

type uhriSeen struct {
	hash uint64
	row  int32
	rec  int32 // index in doc.Recommendations (ReadUHRI)
}

type uhriEntry struct {
	item    string // interned, as heading
	heading string
	para    int32
	// ref is a recommendation's index in doc.Recommendations (ReadUHRI;
	// 0 from ScanUHRI), or -1 - a concern's index in UHRI.Concerns.
	ref int32
}

func (e uhriEntry) isConcern() bool { return e.ref < 0 }

func newUHRIBuilder(format string, keep bool, fn func(UHRIItem) error) *uhriBuilder {
	return &uhriBuilder{
		u:      &UHRI{Format: format, Other: map[string]int{}},
		json:   format == "json",
		keep:   keep,
		fn:     fn,
		docs:   map[string]*uhriDoc{},
		intern: map[string]string{},
	}
}

func (b *uhriBuilder) bad(n int, format string, args ...any) {
	b.u.Bad = append(b.u.Bad, RowError{Row: n, JSON: b.json, Err: fmt.Errorf(format, args...)})
}

func (b *uhriBuilder) strs(vals []string) []string {
	if len(vals) == 0 {
		return nil
	}
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		v = b.str(v)
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// str interns v. The first copy is cloned: v is often a piece of a cell
// or a text, and keeping the piece would keep the whole.
func (b *uhriBuilder) str(v string) string {
	if s, ok := b.intern[v]; ok {
		return s
	}
	v = strings.Clone(v)
	b.intern[v] = v
	return v
}

// Types of annotation, as the export names them (without "- ").
func uhriType(t string) string {
	low := strings.ToLower(t)
	switch {
	case strings.HasPrefix(low, "recommendation"):
		return "recommendation"
	case strings.HasPrefix(low, "concern"), strings.HasPrefix(low, "observation"):
		return "concern"
	}
	return ""
}

// add reads one row. Only an error of the callback stops the reading.
func (b *uhriBuilder) add(r uhriRow) error {
	b.u.Rows++
	if r.symbol == "" {
		b.bad(r.n, "no Document Symbol")
		return nil
	}
	if strings.TrimSpace(r.text) == "" {
		b.bad(r.n, "no Text")
		return nil
	}
	// A row can carry several types; a recommendation is what matters.
	kind := ""
	for _, t := range splitValues(r.typ) {
		switch uhriType(t) {
		case "recommendation":
			kind = "recommendation"
		case "concern":
			if kind == "" {
				kind = "concern"
			}
		}
	}
	if kind == "" {
		t := strings.Join(splitValues(r.typ), ", ")
		if t == "" {
			b.bad(r.n, "no Type (such as \"Recommendations\" or \"Concerns/Observations\")")
			return nil
		}
		b.u.Other[b.str(t)]++
		return nil
	}
	heading, para, item, text, ok := uhriText(r.text, r.html)
	if !ok {
		b.bad(r.n, "Text does not start with a paragraph number (\"Rural women 49.The Committee…\" or \"122.17 Ratify…\"): %q", clipText(text, 80))
		return nil
	}
	published, err := uhriDate(r.published)
	if err != nil {
		b.bad(r.n, "Document Publication Date: %v", err)
		return nil
	}
	status := ""
	body := firstValue(r.body)
	if strings.EqualFold(body, "UPR") {
		if status, ok = uhriPosition(r.position); !ok {
			b.bad(r.n, "UPR Position %q is neither Supported nor Noted", r.position)
			return nil
		}
	}
	heading, item = b.str(heading), b.str(item)
	d := b.docs[r.symbol]
	if d == nil {
		doc := uhriDocument(b.str(r.symbol), b.str(body), b.str(firstOf(r.countries)), published)
		// One paragraph tells the language: the function words of a
		// hundred characters are enough.
		doc.Language = detectLanguage(heading + " " + text)
		d = &uhriDoc{doc: doc, seen: map[uhriKey]uhriSeen{}}
		b.docs[r.symbol] = d
		b.u.Documents = append(b.u.Documents, doc)
	}
	if kind == "concern" {
		c := UHRIConcern{
			Row: r.n, Symbol: d.doc.Symbol, Paragraph: para, Item: item, Heading: heading,
			Text: text, AnnotationID: r.annotation,
		}
		d.index = append(d.index, uhriEntry{para: int32(para), item: item, heading: heading, ref: int32(-1 - len(b.u.Concerns))})
		if b.keep {
			b.u.Concerns = append(b.u.Concerns, c)
			return nil
		}
		b.u.Concerns = append(b.u.Concerns, c)
		b.u.Concerns[len(b.u.Concerns)-1].Text = ""
		return b.fn(UHRIItem{Row: r.n, Document: d.doc, Concern: &c})
	}
	id := workflow.RecID(d.doc.Symbol, para, item)
	h := fnv.New64a()
	_, _ = h.Write([]byte(text)) // a hash never fails to write
	hash := h.Sum64()
	key := uhriKey{para, item}
	if prev, dup := d.seen[key]; dup {
		// The same paragraph annotated twice: one recommendation with the
		// tags of both, unless the texts differ (then which is right?).
		if prev.hash != hash {
			b.bad(r.n, "%s paragraph %s is also row %d, with another text", d.doc.Symbol, strings.TrimPrefix(id, d.doc.Symbol+":"), prev.row)
			return nil
		}
		if !b.keep {
			rec := workflow.Recommendation{ID: id, Paragraph: para, Item: item, Subsection: heading, Text: text,
				Status: status, RecommendingStates: b.strs(r.states), Themes: b.strs(r.themes),
				AffectedPersons: b.strs(r.persons), SDGs: b.strs(sdgNumbers(r.sdgs)), AnnotationID: r.annotation}
			return b.fn(UHRIItem{Row: r.n, Document: d.doc, Recommendation: &rec, Again: true})
		}
		rec := &d.doc.Recommendations[prev.rec]
		rec.Themes = b.strs(append(rec.Themes, r.themes...))
		rec.AffectedPersons = b.strs(append(rec.AffectedPersons, r.persons...))
		rec.SDGs = b.strs(append(rec.SDGs, sdgNumbers(r.sdgs)...))
		rec.RecommendingStates = b.strs(append(rec.RecommendingStates, r.states...))
		return nil
	}
	b.u.Recs++
	rec := workflow.Recommendation{
		ID: id, Paragraph: para, Item: item, Subsection: heading, Text: text,
		Status: status, RecommendingStates: b.strs(r.states),
		Themes: b.strs(r.themes), AffectedPersons: b.strs(r.persons), SDGs: b.strs(sdgNumbers(r.sdgs)),
		AnnotationID: r.annotation,
	}
	ref := int32(0)
	if b.keep {
		ref = int32(len(d.doc.Recommendations))
	}
	d.seen[key] = uhriSeen{row: int32(r.n), hash: hash, rec: ref}
	d.index = append(d.index, uhriEntry{para: int32(para), item: item, heading: heading, ref: ref})
	if !b.keep {
		return b.fn(UHRIItem{Row: r.n, Document: d.doc, Recommendation: &rec})
	}
	d.doc.Recommendations = append(d.doc.Recommendations, rec)
	return nil
}

// uhriDocument makes the document a row names.
func uhriDocument(symbol, body, state string, published civil.Date) *workflow.Document {
	doc := &workflow.Document{Symbol: symbol, State: state, Adopted: published}
	switch {
	case strings.EqualFold(body, "UPR"):
		doc.Kind, doc.Body = workflow.UPRReport, "UPR"
	case specialProcedure(body):
		doc.Kind, doc.Body = workflow.SpecialProcedures, body
	default:
		doc.Kind = workflow.ConcludingObservations
		// The symbol names the committee as the document's own import
		// does ("CRC" for CRC/C/OPSC/LAO/CO/1, where the UHRI says
		// "CRC-OP-SC"), so that both agree.
		if doc.Body = bodyOf(symbol, ""); doc.Body == "" {
			doc.Body = body
		}
	}
	return doc
}

// specialProcedure tells a special procedure's name: "SR…" (special
// rapporteur), "WG…" (working group), "IE…" (independent expert), or the
// export's own grouping "Special Procedures".
func specialProcedure(body string) bool {
	for _, p := range []string{"SR", "WG", "IE"} {
		if strings.HasPrefix(body, p) && (len(body) == 2 || body[2] == ' ' || body[2] == '-' || body[2] == '_') {
			return true
		}
	}
	return strings.HasPrefix(strings.ToLower(body), "special procedure")
}

// finish links each concern to the recommendations it gives context to
// and (ReadUHRI) sorts each document's recommendations into document order.
func (b *uhriBuilder) finish() *UHRI {
	for _, d := range b.docs {
		idx := d.index
		// Paragraph order; a paragraph's concern before its
		// recommendations, so that a concern finds the recommendations of
		// its own paragraph first.
		slices.SortStableFunc(idx, func(x, y uhriEntry) int {
			if c := int(x.para) - int(y.para); c != 0 {
				return c
			}
			if x.isConcern() != y.isConcern() {
				if x.isConcern() {
					return -1
				}
				return 1
			}
			return compareItems(x.item, y.item)
		})
		for i, e := range idx {
			if !e.isConcern() {
				continue
			}
			c := &b.u.Concerns[-1-e.ref]
			// The next recommendation, unless another concern (of a later
			// paragraph) comes first or the heading changes.
			j := i + 1
			for j < len(idx) && idx[j].isConcern() && idx[j].para == e.para {
				j++
			}
			if j == len(idx) || idx[j].isConcern() {
				continue
			}
			r := idx[j]
			if e.heading != "" && r.heading != "" && r.heading != e.heading {
				continue
			}
			for k := j; k < len(idx) && idx[k].para == r.para && !idx[k].isConcern(); k++ {
				c.Context = append(c.Context, workflow.RecID(d.doc.Symbol, int(r.para), idx[k].item))
				if b.keep && r.para != e.para {
					if rec := &d.doc.Recommendations[idx[k].ref]; rec.Concern == 0 {
						rec.Concern = int(e.para)
					}
				}
			}
		}
		d.index, d.seen = nil, nil
		if b.keep {
			slices.SortStableFunc(d.doc.Recommendations, func(x, y workflow.Recommendation) int {
				if c := x.Paragraph - y.Paragraph; c != 0 {
					return c
				}
				return compareItems(x.Item, y.Item)
			})
		}
	}
	return b.u
}

// compareItems orders "" < "a" < "b" … < "z" < "aa", and UPR numbers
// numerically ("2" < "10").
func compareItems(x, y string) int {
	if nx, err := strconv.Atoi(x); err == nil {
		if ny, err := strconv.Atoi(y); err == nil {
			return nx - ny
		}
	}
	if len(x) != len(y) {
		return len(x) - len(y)
	}
	return strings.Compare(x, y)
}

// reUHRIPara finds the paragraph number after the heading: "49.The",
// "49. The", "122.17 Ratify", "122.17. Ratify", "49.(a) Adopt". The number
// must follow the start or a space and be followed by what starts a
// sentence, so that a date or a figure inside the heading is not taken.
var reUHRIPara = lazyre.New(`(?:^|\s)(\d{1,4})\.(?:(\d{1,3})\.?)?\s*(?:\(([a-z]{1,2})\)\s*)?(\p{Lu}|[«"“'‘(¿¡]|\p{Ll})`)

// uhriText splits an annotation's text into its heading, paragraph number,
// item and the paragraph's own text.
func uhriText(raw string, isHTML bool) (heading string, para int, item, text string, ok bool) {
	s := raw
	if isHTML {
		s = htmlText(raw)
	}
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "_x000D_", "")), " ")
	m := reUHRIPara.FindStringSubmatchIndex(s)
	if m == nil {
		return "", 0, "", s, false
	}
	// The heading is short; a match deep in a long text is a number inside
	// the paragraph, not the paragraph's own.
	start := m[2]
	if start > 300 {
		return "", 0, "", s, false
	}
	para, err := strconv.Atoi(s[m[2]:m[3]])
	if err != nil || para == 0 {
		return "", 0, "", s, false
	}
	switch {
	case m[4] >= 0:
		item = s[m[4]:m[5]]
	case m[6] >= 0:
		// A lettered item the UHRI annotates alone ("49.(a) Adopt…"):
		// its text starts after the label, as in the document's own
		// import.
		item = s[m[6]:m[7]]
	}
	heading = strings.TrimSpace(s[:start])
	text = strings.TrimSpace(s[m[8]:])
	return heading, para, item, text, text != ""
}

var (
	reHTMLBreak = lazyre.New(`(?i)<\s*(?:/p|br\s*/?|/div|/li|/h[1-6])\s*>`)
	reHTMLTag   = lazyre.New(`<[^>]*>`)
)

// htmlText turns the JSON's HTML paragraphs into text, one paragraph a
// line.
func htmlText(s string) string {
	s = reHTMLBreak.ReplaceAllString(s, "\n")
	s = reHTMLTag.ReplaceAllString(s, "")
	return html.UnescapeString(s)
}

// excelEpoch is day 0 of Excel's serial dates: 1899-12-30, so that serial
// 61 is 1900-03-01 despite Lotus's leap day 1900-02-29.
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// uhriDate reads a date: an Excel serial ("46078", "46125.4996282407"), or
// ISO 8601 as the JSON gives it ("2019-11-13", "2019-11-13T00:00:00").
// Empty is the zero date.
func uhriDate(s string) (civil.Date, error) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "- "))
	if s == "" {
		return civil.Date{}, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		// 1 Jan 1950 to 31 Dec 2099: the UN's documents and a margin.
		if f < 18264 || f > 73415 || math.IsNaN(f) {
			return civil.Date{}, fmt.Errorf("%q is not a date (an Excel serial from 1950 to 2099)", s)
		}
		return civil.DateOf(excelEpoch.AddDate(0, 0, int(f))), nil
	}
	if len(s) >= 10 {
		if d, err := civil.ParseDate(s[:10]); err == nil && (len(s) == 10 || s[10] == 'T' || s[10] == ' ') {
			return d, nil
		}
	}
	return civil.Date{}, fmt.Errorf("%q is neither an Excel serial nor a date YYYY-MM-DD", s)
}

// uhriPosition maps a UPR position to the recommendation's status: empty
// is pending (the State has not answered yet).
func uhriPosition(s string) (string, bool) {
	switch strings.ToLower(firstValue(s)) {
	case "":
		return workflow.StatusPending, true
	case "supported", "accepted", "supported/accepted":
		return workflow.StatusSupported, true
	case "noted":
		return workflow.StatusNoted, true
	case "pending":
		return workflow.StatusPending, true
	}
	return "", false
}

// reSDG finds an SDG target ("16.3", "16.a") or a goal ("Goal 5", "SDG 5",
// "5 - Gender equality") at the start of a value.
var reSDG = lazyre.New(`^(?i:(?:sdg|goal)\s*)?(\d{1,2}(?:\.(?:\d{1,2}|[a-z]))?)(?:\s|$|[-–:.,])`)

// sdgNumbers keeps the number of each SDG value ("16.3 - Promote the rule
// of law" → "16.3"); a value without one is kept as written.
func sdgNumbers(vals []string) []string {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		if m := reSDG.FindStringSubmatch(v); m != nil {
			v = strings.TrimSuffix(m[1], ".")
		}
		out = append(out, v)
	}
	return out
}

// splitValues reads a multi-valued cell: one value a line, each prefixed
// "- " (a single value too). Blank lines are dropped.
func splitValues(cell string) []string {
	if strings.TrimSpace(cell) == "" {
		return nil
	}
	cell = strings.ReplaceAll(cell, "_x000D_", "")
	var out []string
	for l := range strings.Lines(cell) {
		l = strings.TrimSpace(l)
		l = strings.TrimSpace(strings.TrimPrefix(l, "-"))
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// firstValue is a single-valued cell's value, without its "- ".
func firstValue(cell string) string {
	return firstOf(splitValues(cell))
}

func firstOf(vals []string) string {
	if len(vals) == 0 {
		return ""
	}
	return vals[0]
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
