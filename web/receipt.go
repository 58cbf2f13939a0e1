package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// KindReceipt is the outbox kind of a receipt.
const KindReceipt = "receipt"

// receipt puts a short e-mail in the outbox to the ministry's focal
// points: what was recorded, by whom, from where. It is enqueued after
// the action's transaction committed, under a key of its own: if the
// process dies in between, the action stands and its receipt is lost
// (it is a courtesy copy; the task's history keeps the record). Failures
// are logged, never shown to the person who acted: the action is done.
func (s *Server) receipt(r *http.Request, t workflow.Task, what, text string) {
	p, _ := PrincipalFrom(r.Context())
	cfg := s.Config()
	body, ok := cfg.Ministry(p.Body)
	if !ok {
		return
	}
	var to []string
	for _, fp := range body.FocalPoints {
		to = append(to, fp.Email)
	}
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce) // crypto/rand does not fail on supported systems
	key := fmt.Sprintf("%s:%s:%d:%d:%s", KindReceipt, body.ID, t.ID, s.clock.Now().Unix(), hex.EncodeToString(nonce))
	subject := fmt.Sprintf("Recorded: %s %s", t.Rec.ID, what)
	var b strings.Builder
	fmt.Fprintf(&b, "This is a receipt from followup for %s.\n\n", body.Name)
	fmt.Fprintf(&b, "Task: %s (%s)\n\n%s\n\n", t.Rec.ID, t.Document.Symbol, text)
	fmt.Fprintf(&b, "Recorded on %s from %s, through the link sent to %s.\n", datetimeIn(s.clock.Now(), cfg.Location), s.clientAddr(r), p.FocalPoint)
	fmt.Fprintf(&b, "See the task: %s/m/task/%d\n\nIf you did not do this, tell the coordinating body (%s).\n", cfg.Web.BaseURL, t.ID, cfg.Coordinator.Name)
	env := notify.Envelope{From: cfg.Mail.From, To: to, Subject: subject, MessageID: plan.MessageID(key, cfg.Mail.From),
		Date: s.clock.Now().In(cfg.Location), Headers: map[string]string{"X-Followup-Key": key}}
	raw, err := notify.Compose(env, b.String(), "")
	if err != nil {
		s.logger.Error("compose receipt", "task", t.Rec.ID, "err", err)
		return
	}
	from, rcpts, err := notify.EnvelopeAddrs(env)
	if err != nil {
		s.logger.Error("compose receipt", "task", t.Rec.ID, "err", err)
		return
	}
	if _, _, err := s.db.Enqueue(r.Context(), store.OutboxMessage{Key: key, Kind: KindReceipt, Recipient: body.ID, Subject: subject,
		MessageID: env.MessageID, From: from, To: rcpts, Raw: raw}); err != nil {
		s.logger.Error("enqueue receipt", "task", t.Rec.ID, "err", err)
	}
}
