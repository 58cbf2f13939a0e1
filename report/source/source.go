// Package source is what a report draft reads, and the interface a store
// implements to answer it.
//
// It stands apart from package report the way database/sql/driver stands
// apart from database/sql: the store implements Store without depending on
// the drafting and its writers (.docx, spreadsheets), and another store (a
// PostgreSQL one) can implement it without touching the report.
package source

import (
	"context"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/workflow"
)

// Store answers what a draft needs. Every stream is in the documents'
// order; callbacks must not call the Store back (a SQLite store holds its
// only connection while it streams).
type Store interface {
	// ReportDocuments returns the stored documents with these symbols, in
	// the order given; with no symbols, every document in import order.
	// Symbols not stored are left out (the caller names them).
	ReportDocuments(ctx context.Context, symbols []string) ([]Document, error)
	// ReportItems streams a document's recommendations in document order,
	// each with its task.
	ReportItems(ctx context.Context, documentID int64, fn func(Item) error) error
	// ReportUpdates streams the progress updates on a document's tasks
	// with an id above sinceID, by recommendation then as recorded.
	ReportUpdates(ctx context.Context, documentID, sinceID int64, fn func(Update) error) error
	// LastReminded says when each ministry was last sent a reminder about
	// each task of a document: reminders actually delivered, not queued.
	LastReminded(ctx context.Context, documentID int64) ([]Reminded, error)
	// RecordDraft records a draft written; it gets the next number of its
	// report.
	RecordDraft(ctx context.Context, d Draft) (Draft, error)
	// Drafts lists a report's drafts, oldest first.
	Drafts(ctx context.Context, report string) ([]Draft, error)
}

// Document is a stored document, without its recommendations.
type Document struct {
	ID int64
	workflow.Document
	// Language is the BCP 47 tag of the language the document was adopted
	// in; "" when not known.
	Language string
	Imported time.Time
}

// Item is one recommendation with its task.
type Item struct {
	Task workflow.Task
	// Themes are the recommendation's human rights themes, as OHCHR's
	// matrices group them; none when the document gives none.
	Themes []string
	// PositionSource is the symbol of the document that gave a UPR
	// recommendation its position (an addendum), "" for the report itself.
	PositionSource string
	// Cluster names the cluster the recommendation is in ("" for none);
	// AlsoAnswers are the cluster's other members, from any document, in
	// the documents' order: the same work answers them.
	Cluster     string
	AlsoAnswers []Sibling
}

// Sibling is another recommendation that the same work answers.
type Sibling struct {
	RecID     string
	Symbol    string
	Body      string // the mechanism: CRC, UPR…
	Year      int    // the document's year of adoption; 0 when not known
	Paragraph int
	Item      string
}

// Update is one progress update.
type Update struct {
	ID       int64
	TaskID   int64
	RecID    string
	Ministry string // the body that recorded it
	Role     string // lead, support or coordinator, when it was recorded
	Author   string
	At       time.Time
	DoneOn   civil.Date // zero when not said
	Text     string
	Public   bool
	Evidence []Evidence
}

// Evidence is a link or a file attached to an update; the draft names it
// and never reads the file.
type Evidence struct {
	ID          int64
	Kind        string // link or file
	URL         string
	Title       string // a link's text or a file's name
	ContentType string
	Size        int64
}

// Reminded is when a ministry was last sent a reminder about a task.
type Reminded struct {
	TaskID   int64
	Ministry string
	At       time.Time
}

// Draft is one draft written.
type Draft struct {
	ID      int64
	Report  string
	N       int // its number among the report's drafts, from 1
	At      time.Time
	By      string
	Format  string
	Options []string // e.g. follow-up, only-public, matrix
	File    string
	SHA256  string
	// LastUpdateID is the newest progress update on the report's
	// documents when it was drafted: what came after is new.
	LastUpdateID int64
	Updates      int
	Words        int
	// Data is the draft's bytes, kept with the record when set (a draft
	// made on the dashboard, downloaded afterwards); reads leave it nil.
	Data []byte
}
