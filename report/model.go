package report

import (
	"strings"
	"unicode"
)

// Doc is a draft as a document model: one model, written as .docx,
// Markdown, HTML (and, for a matrix, as a spreadsheet), so that every
// format holds the same text.
type Doc struct {
	Lang      string // BCP 47 tag of the draft's language
	Title     string
	Landscape bool // wide tables (a matrix)
	Blocks    []Block
	// Matrix, when set, is the draft's one table as rows of cells, for
	// the spreadsheet.
	Matrix *Table
}

// Kind is what a block is.
type Kind int

// Kinds of block.
const (
	KTitle    Kind = iota
	KSubtitle      // a line of the cover block
	KHeading1
	KHeading2
	KHeading3
	KNumbered // a numbered paragraph, as the UN numbers them
	KText     // an unnumbered paragraph
	KRecRef   // the line that introduces a reply to a recommendation
	KQuote    // a recommendation quoted
	KNote     // a note to the drafter (a gap, the word count): not part of the report
	KTable
)

// Block is one paragraph or a table.
type Block struct {
	Kind  Kind
	Spans []Span
	Lang  string // language of this block, when it differs from the draft's
	Table *Table
	// RecID is the recommendation the block belongs to, "" for none; the
	// writers give the reply an anchor.
	RecID string
}

// Span is a piece of text with one formatting, or a footnote.
type Span struct {
	Text   string
	Bold   bool
	Italic bool
	// Note marks a note to the drafter inside a paragraph (who sent an
	// update): highlighted, and not counted as the report's words.
	Note     bool
	Link     string
	Footnote []Span // when not nil, the span is a footnote holding these spans
}

// Table is a table with a header row; a row with Group set is a heading
// row across the table (a theme of a matrix).
type Table struct {
	Widths []int // twentieths of a point, for .docx
	Header []string
	Rows   []Row
}

// Row is one row: a group heading, or cells.
type Row struct {
	Group string
	Cells []Cell
	RecID string
}

// Cell is one cell's lines.
type Cell struct {
	Lines []string
	Bold  bool
}

func text(s string) Span { return Span{Text: s} }

func para(k Kind, spans ...Span) Block { return Block{Kind: k, Spans: spans} }

// Words counts the words of the report: everything but notes to the
// drafter and tables (the annex, a matrix), footnotes included, as the UN
// counts them.
func (d *Doc) Words() int {
	n := 0
	for _, b := range d.Blocks {
		if b.Kind == KNote || b.Kind == KTable {
			continue
		}
		n += spanWords(b.Spans)
	}
	return n
}

func spanWords(spans []Span) int {
	n := 0
	for _, s := range spans {
		if s.Note {
			continue
		}
		if s.Footnote != nil {
			n += spanWords(s.Footnote)
			continue
		}
		n += countWords(s.Text)
	}
	return n
}

// countWords counts runs of letters or digits separated by spaces: "14 (a)"
// is two words, "State's" one. Scripts without spaces between words (Lao)
// count one word per phrase: the count is then low.
func countWords(s string) int {
	n := 0
	for _, f := range strings.Fields(s) {
		if strings.IndexFunc(f, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			n++
		}
	}
	return n
}

// PlainText is a block's text without footnotes, for tests and listings.
func (b Block) PlainText() string {
	var sb strings.Builder
	for _, s := range b.Spans {
		if s.Footnote == nil {
			sb.WriteString(s.Text)
		}
	}
	return sb.String()
}
