package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// KindReceipt is the outbox kind of a receipt.
const KindReceipt = "receipt"

// receipt composes the short e-mail to the ministry's focal points that
// says what was recorded, by whom, from where. The handler gives it to the
// store with the action, which enqueues it in the action's transaction:
// the action and its receipt are written together or not at all. A
// receipt that cannot be composed (a config without the ministry, an
// address the mail library refuses) is logged and left out: the action
// is not refused for its courtesy copy.
func (s *Server) receipt(r *http.Request, t workflow.Task, d notify.ReceiptData) []store.OutboxMessage {
	return s.receiptAbout(r, t, d, receiptSubject{})
}

// receiptSubject names what a receipt is about when it is not the task
// alone (a cluster: its name, its members' documents, its page); empty
// fields name the task.
type receiptSubject struct {
	what, docs, url string
}

// receiptAbout is receipt about sub; t's id keys the message.
func (s *Server) receiptAbout(r *http.Request, t workflow.Task, d notify.ReceiptData, sub receiptSubject) []store.OutboxMessage {
	p, _ := PrincipalFrom(r.Context())
	cfg := s.Config()
	body, ok := cfg.Ministry(p.Body)
	if !ok {
		return nil
	}
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce) // crypto/rand does not fail on supported systems
	now := s.clock.Now()
	key := fmt.Sprintf("%s:%s:%d:%d:%s", KindReceipt, body.ID, t.ID, now.Unix(), hex.EncodeToString(nonce))
	// In the ministry's language, as its reminders are; stage ids become
	// the stages' names in it.
	lang := body.Language
	if d.Kind == notify.ReceiptStage {
		d.From, d.To = stageLabel(cfg, d.From, lang), stageLabel(cfg, d.To, lang)
	}
	d.Ministry, d.TaskID, d.Document, d.Coordinator = body.Name, t.Rec.ID, t.Document.Symbol, cfg.Coordinator.Name
	d.At, d.Client, d.FocalPoint = now, s.clientAddr(r), p.FocalPoint
	d.URL = fmt.Sprintf("%s/m/task/%d", cfg.Web.BaseURL, t.ID)
	if sub.what != "" {
		d.TaskID, d.Document, d.URL = sub.what, sub.docs, sub.url
	}
	rendered := notify.Receipt(lang, cfg.Location, d)
	// Addressed as every message followup sends the ministry: its focal
	// points by name, replies to the coordinating body, its language.
	env := plan.Header(cfg, notify.Envelope{To: plan.Addresses(body), Subject: rendered.Subject}, key, rendered.Language, now)
	raw, err := notify.Compose(env, rendered.Text, "")
	if err != nil {
		s.logger.Error("compose receipt", "task", t.Rec.ID, "err", err)
		return nil
	}
	from, rcpts, err := notify.EnvelopeAddrs(env)
	if err != nil {
		s.logger.Error("compose receipt", "task", t.Rec.ID, "err", err)
		return nil
	}
	return []store.OutboxMessage{{Key: key, Kind: KindReceipt, Recipient: body.ID, Subject: rendered.Subject,
		MessageID: env.MessageID, From: from, To: rcpts, Raw: raw}}
}

// stageLabel is a stage's name in lang (its id when the config has no
// such stage).
func stageLabel(cfg *config.Config, id, lang string) string {
	if st, ok := cfg.Stage(id); ok {
		return st.Label(lang)
	}
	return id
}
