// Package workflow is the domain of followup, free of I/O: documents and
// their recommendations, tasks with an owner ministry and a stage, the
// assignment rules, the allowed stage transitions, deadlines, and which
// reminder a deadline calls for on a day. Everything here is a pure
// function of its inputs, so plan, the store and the CLI all agree on one
// definition: every deadline comes from a Calendar's Group.
//
// The policy (stages, reports, assignment rules, reminder rhythm: policy.go)
// is declared here and read from the admin's file by package config; each
// function takes the values it needs, and this package imports no config.
package workflow

import (
	"fmt"
	"strings"

	"github.com/followup-app/followup/civil"
)

// Kind tells which family a document belongs to.
type Kind string

const (
	// ConcludingObservations are adopted by a treaty body (CRC, CERD, CCPR…).
	ConcludingObservations Kind = "concluding-observations"
	// UPRReport is a Working Group report of the Universal Periodic Review.
	UPRReport Kind = "upr-report"
	// UPRAddendum gives the State's positions on a UPR report's pending
	// recommendations (symbol …/Add.1).
	UPRAddendum Kind = "upr-addendum"
	// SpecialProcedures is a report of a special procedure (a special
	// rapporteur, a working group, an independent expert), such as a
	// country visit report. Such a mechanism sets no periodic report, so its
	// recommendations' deadlines must come from the config.
	SpecialProcedures Kind = "special-procedures"
)

// Positions of a State on UPR recommendations.
const (
	StatusSupported = "supported"
	StatusNoted     = "noted"
	StatusPending   = "pending"
)

// Document is one imported UN document.
type Document struct {
	Symbol  string // e.g. CRC/C/OPSC/LAO/CO/1, A/HRC/43/15
	Body    string // CRC, CERD, CCPR…, or UPR
	Kind    Kind
	Title   string
	State   string
	Adopted civil.Date // zero when the document does not say
	// Language the document is written in ("en", "fr", "es"): documents
	// keep the language they were adopted in.
	Language string

	NextReport NextReport
	FollowUp   *FollowUp // nil when the document sets no follow-up procedure

	Recommendations []Recommendation

	// For an addendum: the report it answers and the positions it gives.
	Parent    string
	Positions []Position

	// Warnings are what the import's self-check found against the
	// document's own numbering (a paragraph or an item the sequence says
	// is missing, a lead-in without its items, an addendum whose totals
	// disagree with its positions). They are shown to the admin, not
	// stored: a count the admin is shown is a count that was checked.
	Warnings []Warning
}

// Warning is one anomaly of an import, at the line of the text where it
// was found.
type Warning struct {
	// Code says which check found it, for scripts: "paragraph-gap",
	// "item-gap", "position-total"… (docs/importing.md lists them).
	Code string
	Line int // 1-based line of the text read (0: the document as a whole)
	Page int // page of a PDF, when the text has page breaks (else 0)
	Text string
}

// String gives the warning as the admin reads it: "line 212 (page 5):
// item (c) of paragraph 14 follows (a)…".
func (w Warning) String() string {
	switch {
	case w.Line > 0 && w.Page > 0:
		return fmt.Sprintf("line %d (page %d): %s", w.Line, w.Page, w.Text)
	case w.Line > 0:
		return fmt.Sprintf("line %d: %s", w.Line, w.Text)
	}
	return w.Text
}

// NextReport is what the document says about the next periodic report.
type NextReport struct {
	Due  civil.Date // zero when no date is stated
	Text string     // the paragraph that says it, as written
}

// FollowUp is the treaty body's follow-up procedure: information on a few
// paragraphs due well before the next report.
type FollowUp struct {
	Due        civil.Date
	Paragraphs []int
	Text       string
}

// Recommendation is one thing the State is asked to do: a numbered paragraph,
// one of its lettered items, or one UPR recommendation.
type Recommendation struct {
	ID         string // stable: see RecID
	Paragraph  int
	Item       string // "", "a", "b"…; for UPR the number after the dot ("17")
	Section    string
	Subsection string
	Verb       string // recommends, urges, should, … ("" for UPR)
	Text       string
	// Lead is the paragraph's opening sentence, for lettered items: the item
	// alone ("Disseminate systematically…") needs it to be understood.
	Lead string
	// Concern is the number of the paragraph that states the concern this
	// recommendation answers, or 0.
	Concern            int
	Status             string // UPR: supported, noted or pending; "" otherwise
	RecommendingStates []string
	// Themes are the human rights themes OHCHR gives the recommendation
	// in its UPR matrices and the Universal Human Rights Index ("Right to
	// education", "Women's rights"); assignment rules can match them.
	Themes []string
	// AffectedPersons are the groups of persons OHCHR's Universal Human
	// Rights Index (UHRI) tags the recommendation with ("Women & girls",
	// "Persons with disabilities"), as written there.
	AffectedPersons []string
	// SDGs are the Sustainable Development Goal targets ("16.3") or goals
	// ("5") the UHRI links the recommendation to: the number alone, so
	// that tags from the UHRI, a matrix or the config compare equal
	// whatever label each gives.
	SDGs []string
	// AnnotationID is the UHRI's id of the annotation the recommendation
	// came from (a UUID), "" when it did not come from the UHRI. It lets a
	// later export of the same search update the same recommendation.
	AnnotationID string
}

// Position is one recommendation's status as given by a UPR addendum.
type Position struct {
	ID        string // RecID of the parent report's recommendation
	Paragraph int
	Item      string
	Status    string
}

// RecID gives the stable id of a recommendation: the document symbol, a
// colon, the paragraph and the item. Lettered items are appended
// ("CRC/C/OPSC/LAO/CO/1:14a"); UPR numbers keep their dot ("A/HRC/43/15:122.17").
func RecID(symbol string, paragraph int, item string) string {
	switch {
	case item == "":
		return fmt.Sprintf("%s:%d", symbol, paragraph)
	case item[0] >= '0' && item[0] <= '9':
		return fmt.Sprintf("%s:%d.%s", symbol, paragraph, item)
	default:
		return fmt.Sprintf("%s:%d%s", symbol, paragraph, item)
	}
}

// SplitRecID splits a RecID into the document symbol and the local part
// ("14a", "122.17"). ok is false when id has no colon.
func SplitRecID(id string) (symbol, local string, ok bool) {
	i := strings.LastIndexByte(id, ':')
	if i <= 0 || i == len(id)-1 {
		return "", "", false
	}
	return id[:i], id[i+1:], true
}
