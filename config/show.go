package config

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/followup-app/followup/civil"
)

// Show returns the effective configuration as YAML in the schema Load
// reads, with every default filled in and relative paths resolved, so the
// admin sees exactly what the daemon will do. The SMTP password is never
// printed: password_env and password_file are, and a comment says that a
// password was loaded. Parse accepts the output and gives the same Config.
func (c *Config) Show() []byte {
	w := &yamlWriter{}
	if c.Path == "" {
		w.comment(0, "Built-in defaults (no --config given). Secrets are never shown.")
	} else {
		w.comment(0, "Effective configuration of "+c.Path+", every default filled in. Secrets are never shown.")
	}
	// Paths: see c.rel.
	docs := make([]string, len(c.Documents))
	for i, d := range c.Documents {
		docs[i] = c.rel(d)
	}
	w.kv(0, "time_zone", q(c.TimeZone))
	w.kv(0, "database", q(c.rel(c.Database)))
	w.kv(0, "documents", qlist(docs))

	w.key(0, "coordinator")
	w.body(2, c.Coordinator)
	if len(c.Ministries) == 0 {
		w.kv(0, "ministries", "[]")
	} else {
		w.key(0, "ministries")
		for _, m := range c.Ministries {
			w.item(2)
			w.body(4, m)
		}
	}

	if len(c.Reports) == 0 {
		w.kv(0, "reports", "[]")
	} else {
		w.key(0, "reports")
		for _, r := range c.Reports {
			w.item(2)
			w.kv(4, "id", q(r.ID))
			w.kv(4, "title", q(r.Title))
			w.kv(4, "due", q(r.Due.String()))
			w.kv(4, "kind", q(r.Kind))
			w.kv(4, "word_limit", strconv.Itoa(r.WordLimit))
			w.kv(4, "documents", qlist(r.Documents))
			if len(r.Milestones) == 0 {
				w.kv(4, "milestones", "[]")
				continue
			}
			w.key(4, "milestones")
			for _, m := range r.Milestones {
				w.item(6)
				w.kv(8, "name", q(m.Name))
				w.kv(8, "before", q(m.Before.String()))
			}
		}
	}

	w.key(0, "stages")
	for _, s := range c.Stages {
		w.item(2)
		w.kv(4, "id", q(s.ID))
		w.kv(4, "name", q(s.Name))
		if len(s.Labels) > 0 {
			w.key(4, "labels")
			langs := make([]string, 0, len(s.Labels))
			for l := range s.Labels {
				langs = append(langs, l)
			}
			sort.Strings(langs)
			for _, l := range langs {
				w.kv(6, l, q(s.Labels[l]))
			}
		}
		w.kv(4, "next", qlist(s.Next))
		w.kv(4, "final", strconv.FormatBool(s.Final))
		w.kv(4, "only_status", qlist(s.OnlyStatus))
		if s.Deadline != nil {
			w.kv(4, "deadline", q(s.Deadline.Text))
		}
		w.kv(4, "ask", q(s.Ask))
		if len(s.Asks) > 0 {
			w.key(4, "asks")
			langs := make([]string, 0, len(s.Asks))
			for l := range s.Asks {
				langs = append(langs, l)
			}
			sort.Strings(langs)
			for _, l := range langs {
				w.kv(6, l, q(s.Asks[l]))
			}
		}
	}
	w.kv(0, "initial_stage", q(c.InitialStage))

	w.key(0, "assignment")
	if len(c.Assignment.Rules) == 0 {
		w.kv(2, "rules", "[]")
	} else {
		w.key(2, "rules")
		for _, r := range c.Assignment.Rules {
			w.item(4)
			w.kv(6, "name", q(r.Name))
			w.kv(6, "ministry", q(r.Ministry))
			w.kv(6, "support", qlist(r.Support))
			w.kv(6, "sections", qlist(r.Sections))
			w.kv(6, "keywords", qlist(r.Keywords))
			if r.Regex != nil {
				w.kv(6, "regex", q(r.Regex.String()))
			}
			if len(r.Themes) > 0 {
				w.kv(6, "themes", qlist(r.Themes))
			}
			w.kv(6, "documents", qlist(r.Documents))
		}
	}
	if len(c.Assignment.Overrides) == 0 {
		w.kv(2, "overrides", "[]")
	} else {
		w.key(2, "overrides")
		for _, o := range c.Assignment.Overrides {
			w.item(4)
			w.kv(6, "recommendation", q(o.Recommendation))
			w.kv(6, "ministry", q(o.Ministry))
			w.kv(6, "support", qlist(o.Support))
		}
	}

	w.key(0, "reminders")
	w.kv(2, "lead_times", spanList(c.Reminders.LeadTimes))
	w.kv(2, "due_today", strconv.FormatBool(c.Reminders.DueToday))
	w.kv(2, "overdue_every", q(c.Reminders.OverdueEvery.String()))
	w.kv(2, "escalate_after", q(c.Reminders.EscalateAfter.String()))

	w.key(0, "schedules")
	w.kv(2, "reminders", q(c.Schedules.Reminders.Spec))
	w.kv(2, "coordinator_digest", q(c.Schedules.CoordinatorDigest.Spec))
	w.kv(2, "ministry_digest", q(c.Schedules.MinistryDigest.Spec))
	w.kv(2, "grace", q(fmtDuration(c.Schedules.Grace)))
	w.kv(2, "heartbeat", q(fmtDuration(c.Schedules.Heartbeat)))

	w.key(0, "digests")
	w.kv(2, "send_empty", strconv.FormatBool(c.Digests.SendEmpty))
	w.kv(2, "max_listed", strconv.Itoa(c.Digests.MaxListed))

	m := c.Mail
	w.key(0, "mail")
	w.kv(2, "from", q(m.From))
	w.kv(2, "transport", q(m.Transport))
	w.kv(2, "dir", q(c.rel(m.Dir)))
	w.kv(2, "templates", q(c.rel(m.Templates)))
	w.key(2, "smtp")
	w.kv(4, "host", q(m.SMTP.Host))
	w.kv(4, "port", strconv.Itoa(m.SMTP.Port))
	w.kv(4, "tls", q(m.SMTP.TLS))
	w.kv(4, "username", q(m.SMTP.Username))
	w.kv(4, "password_env", q(m.SMTP.PasswordEnv))
	w.kv(4, "password_file", q(c.rel(m.SMTP.PasswordFile)))
	if m.SMTP.Password != "" {
		from := "the file " + m.SMTP.PasswordFile
		if m.SMTP.PasswordEnv != "" {
			from = "the environment variable " + m.SMTP.PasswordEnv
		}
		w.comment(4, "password: <redacted> (loaded from "+from+")")
	}
	w.kv(4, "timeout", q(fmtDuration(m.SMTP.Timeout)))
	w.kv(4, "helo", q(m.SMTP.HELO))
	w.key(2, "retry")
	w.kv(4, "initial", q(fmtDuration(m.Retry.Initial)))
	w.kv(4, "max", q(fmtDuration(m.Retry.Max)))
	w.kv(4, "max_attempts", strconv.Itoa(m.Retry.MaxAttempts))

	wb := c.Web
	w.key(0, "web")
	w.kv(2, "listen", q(wb.Listen))
	w.kv(2, "base_url", q(wb.BaseURL))
	w.kv(2, "secret_file", q(c.rel(wb.SecretFile)))
	w.kv(2, "link_valid", q(wb.LinkValid.String()))
	w.kv(2, "tls_cert", q(c.rel(wb.TLSCert)))
	w.kv(2, "tls_key", q(c.rel(wb.TLSKey)))
	w.kv(2, "public", strconv.FormatBool(wb.Public))
	proxies := make([]string, len(wb.TrustedProxies))
	for i, p := range wb.TrustedProxies {
		proxies[i] = p.String()
	}
	w.kv(2, "trusted_proxies", qlist(proxies))
	return w.buf.Bytes()
}

// rel turns a resolved path back into one that means the same when the
// output is loaded from c.Path: absolute paths stay absolute (they are
// when the config was loaded by an absolute path, as a service does), and
// a path resolved against a relative Dir is written relative to it again.
// Without this, Show's output of a config loaded as "conf/followup.yaml"
// would say "conf/followup.db", which Load reads as conf/conf/followup.db.
func (c *Config) rel(p string) string {
	if p == "" || c.Dir == "" || filepath.IsAbs(p) {
		return p
	}
	if r, err := filepath.Rel(c.Dir, p); err == nil {
		return r
	}
	return p
}

// yamlWriter writes block YAML line by line. Every string is written
// double-quoted, so no value can be misread as a number, a boolean, a
// comment or a key, whatever it contains.
type yamlWriter struct {
	buf     bytes.Buffer
	pending bool // an item dash was written; the next key goes on its line
}

func (w *yamlWriter) indent(n int) {
	if w.pending {
		w.pending = false
		return
	}
	w.buf.WriteString(strings.Repeat(" ", n))
}

func (w *yamlWriter) key(n int, k string) {
	w.indent(n)
	fmt.Fprintf(&w.buf, "%s:\n", k)
}

func (w *yamlWriter) kv(n int, k, v string) {
	w.indent(n)
	fmt.Fprintf(&w.buf, "%s: %s\n", k, v)
}

// item starts a list item whose first key follows the dash on the same
// line.
func (w *yamlWriter) item(n int) {
	w.buf.WriteString(strings.Repeat(" ", n) + "- ")
	w.pending = true
}

func (w *yamlWriter) comment(n int, text string) {
	w.indent(n)
	w.buf.WriteString("# " + oneLine(text) + "\n")
}

func (w *yamlWriter) body(n int, b Body) {
	w.kv(n, "id", q(b.ID))
	w.kv(n, "name", q(b.Name))
	w.kv(n, "language", q(b.Language))
	w.key(n, "focal_points")
	for _, fp := range b.FocalPoints {
		w.item(n + 2)
		w.kv(n+4, "name", q(fp.Name))
		w.kv(n+4, "unit", q(fp.Unit))
		w.kv(n+4, "email", q(fp.Email))
	}
}

// q quotes a string for YAML. Go's quoting is a subset of YAML's
// double-quoted style (\", \\, \n, \t, \xXX, \uXXXX, \UXXXXXXXX), and it
// keeps printable non-ASCII text such as Lao as it is.
func q(s string) string { return strconv.Quote(s) }

func qlist(list []string) string {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = q(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func spanList(list []civil.Span) string {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = q(s.String())
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
