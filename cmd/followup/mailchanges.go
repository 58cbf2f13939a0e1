package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/notify"
)

// MailChanges lists what a new config changes in where mail goes: the
// transport, the relay (host, port, TLS, user), the folder of .eml files,
// the sender, and every recipient address no longer in the config. A
// reload that changes any of these is worth an admin's attention: mail
// may now go nowhere, or no longer to someone. Added recipients are not
// listed: mail reaching one more person is what the admin asked for.
func MailChanges(old, cfg *config.Config) []string {
	var out []string
	diff := func(what, a, b string) {
		if a != b {
			out = append(out, fmt.Sprintf("%s: %q -> %q", what, a, b))
		}
	}
	om, nm := old.Mail, cfg.Mail
	diff("mail.transport", om.Transport, nm.Transport)
	if om.Transport == "smtp" || nm.Transport == "smtp" {
		diff("mail.smtp.host", om.SMTP.Host, nm.SMTP.Host)
		diff("mail.smtp.port", fmt.Sprint(om.SMTP.Port), fmt.Sprint(nm.SMTP.Port))
		diff("mail.smtp.tls", om.SMTP.TLS, nm.SMTP.TLS)
		diff("mail.smtp.username", om.SMTP.Username, nm.SMTP.Username)
	}
	if om.Transport == "file" || nm.Transport == "file" {
		diff("mail.dir", om.Dir, nm.Dir)
	}
	diff("mail.from", om.From, nm.From)
	now := map[string]bool{}
	for _, b := range append([]config.Body{cfg.Coordinator}, cfg.Ministries...) {
		for _, fp := range b.FocalPoints {
			now[strings.ToLower(fp.Email)] = true
		}
	}
	var removed []string
	for _, b := range append([]config.Body{old.Coordinator}, old.Ministries...) {
		for _, fp := range b.FocalPoints {
			if !now[strings.ToLower(fp.Email)] {
				removed = append(removed, fmt.Sprintf("%s: %s (%s)", notify.RecipientRemoved, fp.Email, b.ID))
			}
		}
	}
	slices.Sort(removed)
	return append(out, slices.Compact(removed)...)
}
