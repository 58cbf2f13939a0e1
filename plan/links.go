package plan

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/notify"
)

// Links signs the personal links messages carry; package web implements
// it. Without it (the web server off, followup preview) messages carry no
// link and each goes to all of a body's focal points at once, as before
// there were links.
type Links interface {
	// SignedLink is the URL that opens a session for the focal point
	// email of body, signed at link generation gen.
	SignedLink(body, email string, gen int64) string
}

// LinkGenerations is what Tx adds for links: the generation a new link
// for email of body must carry, read in the slot's transaction (the
// store has one connection; the slot holds it).
type LinkGenerations interface {
	LinkGeneration(ctx context.Context, email, body string) (int64, error)
}

// A link is personal, so with links each focal point gets a message of
// its own: one outbox row per person, keyed by the body's key and the
// address, with the person alone as envelope recipient. The headers still
// name everyone the message concerns (To and Cc as without links), so it
// reads as one shared message and "reply all" still reaches them all.
// Each row is delivered, retried and recorded on its own, so the outbox
// keeps its exactly-once and per-recipient outcomes.

// person is one recipient of a personal message.
type person struct {
	body  config.Body
	email string
	area  string // "m" for a ministry's pages, "c" for the coordinator's
	link  string
}

// people returns the personal recipients of a message for bodies, with
// their links; nil when there are no links.
func (p *Planner) people(ctx context.Context, tx Tx, bodies ...config.Body) ([]person, error) {
	if p.Links == nil {
		return nil, nil
	}
	gens, ok := tx.(LinkGenerations)
	if !ok {
		return nil, nil
	}
	var out []person
	for _, b := range bodies {
		area := "m"
		if b.ID == p.Config.Coordinator.ID {
			area = "c"
		}
		for _, fp := range b.FocalPoints {
			gen, err := gens.LinkGeneration(ctx, fp.Email, b.ID)
			if err != nil {
				return nil, fmt.Errorf("link generation of %s: %w", fp.Email, err)
			}
			link := p.Links.SignedLink(b.ID, fp.Email, gen)
			if link == "" {
				return nil, nil // no web server after all: messages as without links
			}
			out = append(out, person{body: b, email: fp.Email, area: area, link: link})
		}
	}
	return out, nil
}

// taskURL is where a task line points before it is made personal: its
// page, relative to the recipient's area ("task/42"); "" without links.
func (p *Planner) taskURL(id int64) string {
	if p.Links == nil {
		return ""
	}
	return fmt.Sprintf("task/%d", id)
}

// personalLines returns a copy of lines whose URLs open the task through
// the person's link (the link redirects to the page after the session
// starts).
func personalLines(lines []notify.TaskLine, who person) []notify.TaskLine {
	if lines == nil {
		return nil
	}
	out := make([]notify.TaskLine, len(lines))
	for i, l := range lines {
		if l.URL != "" && !strings.Contains(l.URL, "://") {
			l.URL = who.link + "?to=" + url.QueryEscape("/"+who.area+"/"+l.URL)
		}
		out[i] = l
	}
	return out
}

func personalGroups(groups []notify.ReminderGroup, who person) []notify.ReminderGroup {
	if groups == nil {
		return nil
	}
	out := make([]notify.ReminderGroup, len(groups))
	for i, g := range groups {
		g.Tasks = personalLines(g.Tasks, who)
		out[i] = g
	}
	return out
}

// enqueueEach enqueues a message per person, rendered for each by render,
// with the person alone as envelope recipient; it returns the messages
// and the first row's id (the reminder log's reference). When ids is not
// nil, every row's id is appended to it.
func (p *Planner) enqueueEach(ctx context.Context, tx Tx, kind, recipient string, slot time.Time, env notify.Envelope,
	people []person, render func(person) (notify.Rendered, error), ids *[]int64, atts ...notify.Attachment) ([]Message, int64, error) {
	var out []Message
	var first int64
	for _, who := range people {
		r, err := render(who)
		if err != nil {
			return nil, 0, err
		}
		e := env
		e.Subject = r.Subject
		key := Key(kind, recipient, slot) + ":" + strings.ToLower(who.email)
		m, id, err := p.enqueueKey(ctx, tx, kind, recipient, key, e, r, []string{who.email}, atts...)
		if err != nil {
			return nil, 0, err
		}
		m.To, m.Cc = []string{who.email}, nil
		if ids != nil {
			*ids = append(*ids, id)
		}
		if first == 0 {
			first = id
		}
		out = append(out, m)
	}
	return out, first, nil
}
