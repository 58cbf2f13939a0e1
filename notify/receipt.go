package notify

import (
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/i18n"
)

// Receipt kinds: what a focal point recorded on a task's page.
const (
	ReceiptUpdate  = "update"   // a progress update
	ReceiptStage   = "stage"    // a move to another stage
	ReceiptNotOurs = "not-ours" // "this is not ours", to the coordinator
)

// ReceiptData is what a receipt says: the courtesy copy the ministry's
// focal points get of what someone recorded through a link.
type ReceiptData struct {
	Kind       string // ReceiptUpdate, ReceiptStage or ReceiptNotOurs
	Ministry   string // the ministry's name
	TaskID     string // e.g. CRC/C/LAO/CO/5-6:12a
	Document   string // the document's symbol
	Actor      string // the name the person gave
	From, To   string // a stage move: the stages' names, in the language
	Other      string // "not ours": the ministry named as the owner
	Text       string // the update's text, or the reason
	At         time.Time
	Client     string // the client's address
	FocalPoint string // the address the link was sent to
	URL        string // the task's page
	// Coordinator names the coordinating body, to tell when it was not
	// the reader who acted.
	Coordinator string
}

// Receipt writes a receipt's subject and text in the language of tag (the
// ministry's; English for a language followup has no words for), the time
// in loc. Its Language is the tag it is written in, for Content-Language.
func Receipt(tag string, loc *time.Location, d ReceiptData) Rendered {
	lang, ok := i18n.Match(tag) // English for a language without receipts
	written := i18n.English
	if ok {
		written = i18n.Normalize(tag) // fr-CA reads the French, and says so
	}
	words := i18n.WordsFor(lang)
	tr := func(msg string, args ...any) string { return i18n.T(i18n.Receipts, lang, msg, args...) }
	if loc == nil {
		loc = time.UTC
	}
	at := d.At.In(loc)
	when := words.Date(civil.DateOf(at)) + ", " + at.Format("15:04 MST")
	var subject, what string
	switch d.Kind {
	case ReceiptStage:
		subject = tr("[followup] Recorded: %s moved to “%s”", d.TaskID, d.To)
		what = tr("%s moved the task from “%s” to “%s”.", d.Actor, d.From, d.To)
	case ReceiptNotOurs:
		subject = tr("[followup] Recorded: %s, “not ours”", d.TaskID)
		what = tr("%s asked the coordinating body to give the task to %s, because:", d.Actor, d.Other) + "\n\n" + strings.TrimSpace(d.Text)
	default:
		subject = tr("[followup] Recorded: progress update on %s", d.TaskID)
		what = tr("%s recorded a progress update:", d.Actor) + "\n\n" + strings.TrimSpace(d.Text)
	}
	var b strings.Builder
	b.WriteString(tr("This is a receipt from followup for %s.", d.Ministry) + "\n\n")
	b.WriteString(tr("Task: %s (%s)", d.TaskID, d.Document) + "\n\n")
	b.WriteString(what + "\n\n")
	b.WriteString(tr("Recorded on %s from %s, through the link sent to %s.", when, d.Client, d.FocalPoint) + "\n")
	if d.URL != "" {
		b.WriteString(tr("See the task: %s", d.URL) + "\n")
	}
	b.WriteString("\n" + tr("If you did not do this, tell the coordinating body (%s).", d.Coordinator) + "\n")
	return Rendered{Subject: oneLine(subject), Text: b.String(), Language: written}
}
