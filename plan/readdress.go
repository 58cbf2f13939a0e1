package plan

import (
	"bytes"
	"fmt"
	"net/mail"
	"strings"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/notify"
)

// headerMinistries names the ministries an escalation is about (in Cc),
// so that a resent escalation can be readdressed from the config.
const headerMinistries = "X-Followup-Ministries"

// Readdress rebuilds a stored message's recipients from the config in
// force: a message resent after the admin corrected an address goes to the
// corrected one, not to the address that failed. It returns the message
// and its envelope recipients; ok is false when the config no longer names
// whom the message is for (a ministry removed), and the message should
// keep its recipients.
func Readdress(cfg *config.Config, kind, recipient string, raw []byte) (msg []byte, rcpts []string, ok bool, err error) {
	var to, cc []string
	switch kind {
	case KindEscalation:
		to = Addresses(cfg.Coordinator)
		ids := []string{recipient}
		if m, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil && m.Header.Get(headerMinistries) != "" {
			ids = strings.Split(m.Header.Get(headerMinistries), ",")
		}
		for _, id := range ids {
			id = strings.TrimSpace(id)
			if id == cfg.Coordinator.ID {
				continue
			}
			if b, found := cfg.Ministry(id); found {
				cc = append(cc, Addresses(b)...)
			}
		}
	case KindReminder, KindCoordinatorDigest, KindMinistryDigest:
		b, found := cfg.Ministry(recipient)
		if !found {
			return raw, nil, false, nil
		}
		to = Addresses(b)
	default:
		return raw, nil, false, nil
	}
	if len(to) == 0 {
		return raw, nil, false, nil
	}
	msg, rcpts, err = notify.Readdress(raw, to, cc)
	if err != nil {
		return nil, nil, false, fmt.Errorf("readdress the %s to %s: %w", kind, recipient, err)
	}
	return msg, rcpts, true, nil
}
