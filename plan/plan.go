// Package plan decides what followup sends and composes it: at a slot of
// a schedule, which reminders and escalations are due (the sweep), and the
// coordinator's and the ministries' overviews (digests). It works out
// deadlines with workflow, renders with notify, and reads and writes the
// database only through the interfaces it defines (Reader, Tx), which
// store implements: the domain never sees SQL.
//
// The scheduler runs plan inside a slot's transaction (store.RunSlot) when
// a schedule is due; followup preview runs the same in a transaction that
// is rolled back, and followup send runs a digest by hand. Overview gives
// the coordinator's overview as data, for the digest and for any other
// view of the same figures.
package plan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/workflow"
)

// Jobs the schedules run.
const (
	JobReminders         = "reminders"
	JobCoordinatorDigest = "coordinator_digest"
	JobMinistryDigest    = "ministry_digest"
)

// Jobs lists them in the order a heartbeat runs them: reminders first, so
// a digest of the same minute already knows about them.
var Jobs = []string{JobReminders, JobCoordinatorDigest, JobMinistryDigest}

// Message kinds in the outbox.
const (
	KindReminder          = "reminder"
	KindEscalation        = "escalation"
	KindCoordinatorDigest = "coordinator-digest"
	KindMinistryDigest    = "ministry-digest"
)

// JobOf is the job that sends messages of a kind.
func JobOf(kind string) string {
	switch kind {
	case KindCoordinatorDigest:
		return JobCoordinatorDigest
	case KindMinistryDigest:
		return JobMinistryDigest
	}
	return JobReminders
}

// Planner turns a due slot into messages. It is built from one config and
// holds no state between runs.
type Planner struct {
	Config   *config.Config
	Renderer *notify.Renderer
	Now      func() time.Time // the Date of the messages
	// Only, when set, limits digests to this recipient (followup send).
	Only string
	// Force sends a digest even when there is nothing to report.
	Force bool
	// Links, when set, makes every message personal: one per focal point,
	// carrying that person's signed link (links.go).
	Links Links
}

// Message is one message a slot produced.
type Message struct {
	Kind      string
	Recipient string
	Key       string
	To, Cc    []string
	Subject   string
	Text      string
	Tasks     int  // the tasks it is about
	Inserted  bool // false when a message with its key was already enqueued
}

// Run runs one job for one slot in tx: it reads what is due, composes the
// messages, enqueues them and records what it reminded.
func (p *Planner) Run(ctx context.Context, tx Tx, job string, slot time.Time) ([]Message, error) {
	switch job {
	case JobReminders:
		return p.reminders(ctx, tx, slot)
	case JobCoordinatorDigest:
		return p.coordinatorDigest(ctx, tx, slot)
	case JobMinistryDigest:
		return p.ministryDigests(ctx, tx, slot)
	}
	return nil, fmt.Errorf("unknown job %q", job)
}

// Key is the outbox key of a job's message to a recipient for a slot.
func Key(kind, recipient string, slot time.Time) string {
	return fmt.Sprintf("%s:%s:%d", kind, recipient, slot.Unix())
}

var reKeyChars = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// MessageID derives a stable Message-ID from an outbox key: a retry, or a
// second daemon, sends the same id.
func MessageID(key, from string) string {
	domain := "followup.invalid"
	if a, err := mail.ParseAddress(from); err == nil {
		if i := strings.LastIndexByte(a.Address, '@'); i >= 0 {
			domain = a.Address[i+1:]
		}
	}
	return strings.Trim(reKeyChars.ReplaceAllString(key, "."), ".") + "@" + domain
}

func (p *Planner) enqueue(ctx context.Context, tx Tx, kind, recipient string, slot time.Time,
	env notify.Envelope, r notify.Rendered, atts ...notify.Attachment) (Message, int64, error) {
	return p.enqueueKey(ctx, tx, kind, recipient, Key(kind, recipient, slot), env, r, nil, atts...)
}

// Header completes the header of a message followup sends under key,
// written in lang, at now: the config's sender; Reply-To the coordinating
// body (see replyTo); a Message-ID derived from the key, so that a
// message composed again carries the same; the date in the config's zone;
// the key; and the language. env brings the recipients (Addresses) and
// the subject. Every message goes through it: the planner's reminders,
// overviews and escalations, and the pages' receipts.
func Header(cfg *config.Config, env notify.Envelope, key, lang string, now time.Time) notify.Envelope {
	env.From = cfg.Mail.From
	env.ReplyTo = replyTo(cfg)
	env.MessageID = MessageID(key, env.From)
	env.Date = now.In(cfg.Location)
	headers := map[string]string{}
	for k, v := range env.Headers {
		headers[k] = v
	}
	headers["X-Followup-Key"] = key
	if lang != "" {
		// The language the message is written in (RFC 3282), which mail
		// programs and screen readers use to pick a voice or a dictionary.
		headers["Content-Language"] = lang
	}
	env.Headers = headers
	return env
}

// enqueueKey composes and enqueues one message under key. rcpts, when
// set, are the envelope recipients (a personal message goes to one of the
// people its headers name); otherwise every address of To and Cc.
func (p *Planner) enqueueKey(ctx context.Context, tx Tx, kind, recipient, key string, env notify.Envelope, r notify.Rendered,
	rcpts []string, atts ...notify.Attachment) (Message, int64, error) {
	env = Header(p.Config, env, key, r.Language, p.Now())
	raw, err := notify.Compose(env, r.Text, r.HTML, atts...)
	if err != nil {
		return Message{}, 0, fmt.Errorf("compose %s to %s: %w", kind, recipient, err)
	}
	from, all, err := notify.EnvelopeAddrs(env)
	if err != nil {
		return Message{}, 0, fmt.Errorf("compose %s to %s: %w", kind, recipient, err)
	}
	if rcpts == nil {
		rcpts = all
	}
	id, inserted, err := tx.Enqueue(ctx, Outgoing{Key: key, Kind: kind, Recipient: recipient, Subject: r.Subject,
		MessageID: env.MessageID, From: from, To: rcpts, Raw: raw})
	if err != nil {
		return Message{}, 0, fmt.Errorf("enqueue %s: %w", key, err)
	}
	return Message{Kind: kind, Recipient: recipient, Key: key, To: env.To, Cc: env.Cc, Subject: r.Subject,
		Text: r.Text, Inserted: inserted}, id, nil
}

// recipientOf gives the body a task's mail goes to: its owner, or the
// coordinating body for unassigned tasks (and owners no longer in the
// config).
func (p *Planner) recipientOf(owner string) string {
	if owner == "" {
		return p.Config.Coordinator.ID
	}
	if _, ok := p.Config.Ministry(owner); !ok {
		return p.Config.Coordinator.ID
	}
	return owner
}

// recipientOrder is the config's order: the coordinator, then ministries.
func (p *Planner) recipientOrder() []string {
	ids := []string{p.Config.Coordinator.ID}
	for _, m := range p.Config.Ministries {
		ids = append(ids, m.ID)
	}
	return ids
}

func (p *Planner) openStage(stage string) bool { return !workflow.Final(p.Config.Stages, stage) }

func (p *Planner) openStageIDs() []string {
	var out []string
	for _, s := range p.Config.Stages {
		if !s.Final {
			out = append(out, s.ID)
		}
	}
	return out
}

func (p *Planner) stageName(id string) string {
	if s, ok := p.Config.Stage(id); ok && s.Name != "" {
		return s.Name
	}
	return id
}

// shownStageName is the name of the stage a task of owner in stage is
// shown in (config.ShownStage): "Not yet assigned" for one nobody owns
// still in the initial stage, which the templates' stage function writes
// in the message's language.
func (p *Planner) shownStageName(owner, stage string) string {
	if s := p.Config.ShownStage(owner, stage); s.Name != "" {
		return s.Name
	}
	return stage
}

func (p *Planner) ownerName(id string) string {
	if id == "" {
		return "Unassigned"
	}
	if b, ok := p.Config.Ministry(id); ok {
		return b.Name
	}
	return id
}

// paragraphLabel writes a recommendation's place for people: "14 (a)",
// "122.17", "8".
func paragraphLabel(paragraph int, item string) string {
	return workflow.ParagraphLabel(paragraph, item)
}

// taskLine is a task as a message lists it, under deadline d.
func (p *Planner) taskLine(t TaskRow, d workflow.Deadline, today civil.Date) notify.TaskLine {
	return notify.TaskLine{
		ID: t.RecID, Paragraph: paragraphLabel(t.Paragraph, t.Item), Text: t.Text, Stage: p.shownStageName(t.Owner, t.Stage),
		Owner: p.ownerName(t.Owner), OwnerID: t.Owner, Deadline: d.Date, DeadlineLabel: d.Label,
		DaysLeft: today.DaysUntil(d.Date), Overdue: d.Overdue(today), URL: p.taskURL(t.ID),
	}
}

func hashID(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// Addresses are a body's focal points as a message's header names them:
// "Name" <address>, or the address alone for one without a name.
func Addresses(b config.Body) []string {
	var out []string
	for _, f := range b.FocalPoints {
		if f.Name != "" {
			out = append(out, (&mail.Address{Name: f.Name, Address: f.Email}).String())
		} else {
			out = append(out, f.Email)
		}
	}
	return out
}
