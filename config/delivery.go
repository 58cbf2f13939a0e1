package config

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
)

// The sections about sending: reminders, schedules, digests and mail.

var remindersSection = section[Reminders]{keys: []key[Reminders]{
	{name: "lead_times",
		def:  func(r *Reminders) { r.LeadTimes = []civil.Span{{Days: 30}, {Days: 14}, {Days: 7}, {Days: 1}} },
		read: readLeadTimes,
		show: func(w *yamlWriter, n int, _ *Config, r *Reminders) { w.kv(n, "lead_times", spanList(r.LeadTimes)) }},
	boolKey("due_today", func(r *Reminders) *bool { return &r.DueToday }, true),
	spanKey("overdue_every", func(r *Reminders) *civil.Span { return &r.OverdueEvery }, civil.Span{Days: 7}, longerThanZero),
	spanKey("escalate_after", func(r *Reminders) *civil.Span { return &r.EscalateAfter }, civil.Span{Days: 30}, longerThanZero),
}}

// readLeadTimes reads reminders.lead_times: spans longer than zero, each
// once, sorted longest first.
func readLeadTimes(d *decoder, f *fields, r *Reminders) {
	if f.get("lead_times") == nil {
		return
	}
	items, ok := d.list(f, "lead_times")
	if ok {
		r.LeadTimes = nil
	}
	type lead struct {
		s civil.Span
		n *node
	}
	var seen []lead
	for i, it := range items {
		p := index(sub(f.path, "lead_times"), i)
		s, ok := d.spanOf(it, p)
		if !ok {
			continue
		}
		if !positive(s) {
			d.errs.atNode(it, p, "must be longer than zero")
			continue
		}
		dup := false
		for _, l := range seen {
			if l.s == s {
				d.errs.atNode(it, p, "duplicate lead time %q (first defined at line %d)", it.text, l.n.line)
				dup = true
				break
			}
		}
		if !dup {
			seen = append(seen, lead{s, it})
			r.LeadTimes = append(r.LeadTimes, s)
		}
	}
	sortSpans(r.LeadTimes)
}

// sortSpans sorts lead times longest first, the order reminders go out in.
func sortSpans(s []civil.Span) {
	sort.SliceStable(s, func(i, j int) bool {
		a, b := spanDays(s[i]), spanDays(s[j])
		if a != b {
			return a > b
		}
		return s[i].Months > s[j].Months
	})
}

var schedulesSection = section[Schedules]{keys: []key[Schedules]{
	cronKey("reminders", func(s *Schedules) *Schedule { return &s.Reminders }, "0 8 * * 1-5"),
	cronKey("coordinator_digest", func(s *Schedules) *Schedule { return &s.CoordinatorDigest }, "0 8 * * 1"),
	cronKey("ministry_digest", func(s *Schedules) *Schedule { return &s.MinistryDigest }, "0 8 1 * *"),
	durationKey("grace", func(s *Schedules) *time.Duration { return &s.Grace }, 36*time.Hour, func(v time.Duration, _ string) string {
		if v < 0 {
			return "must not be negative"
		}
		return ""
	}),
	durationKey("heartbeat", func(s *Schedules) *time.Duration { return &s.Heartbeat }, 30*time.Second, func(v time.Duration, text string) string {
		if v < time.Second || v > time.Hour {
			return text + " is out of range; expected from 1s to 1h"
		}
		return ""
	}),
}}

// cronKey is a cron spec, parsed in the config's time zone (read after
// time_zone) unless it names its own.
func cronKey(name string, at func(*Schedules) *Schedule, def string) key[Schedules] {
	return key[Schedules]{name: name,
		def: func(s *Schedules) {
			// The default specs are constants that parse; read parses them
			// again in the file's time zone.
			*at(s) = Schedule{Spec: def}
			at(s).Schedule, _ = parseCron(def, "UTC")
		},
		read: func(d *decoder, f *fields, s *Schedules) {
			sc := at(s)
			v, _ := d.str(f, name, &sc.Spec)
			sched, err := parseCron(sc.Spec, d.cfg.TimeZone)
			if err != nil {
				if v == nil { // a default: cannot fail, but never leave it unsaid
					v = f.n
				}
				d.errs.atNode(v, sub(f.path, name), "%v", err)
				return
			}
			sc.Schedule = sched
		},
		show: func(w *yamlWriter, n int, _ *Config, s *Schedules) { w.kv(n, name, q(at(s).Spec)) },
	}
}

var digestsSection = section[Digests]{keys: []key[Digests]{
	boolKey("send_empty", func(g *Digests) *bool { return &g.SendEmpty }, false),
	intKey("max_listed", func(g *Digests) *int { return &g.MaxListed }, 50, 1, 10000),
}}

var (
	transports = []string{"file", "smtp"}
	tlsModes   = []string{"starttls", "opportunistic", "none", "tls"}
)

var mailSection = section[Mail]{keys: []key[Mail]{
	{name: "from",
		def: func(m *Mail) { m.From = "followup@example.org" },
		read: func(d *decoder, f *fields, m *Mail) {
			if v, ok := d.str(f, "from", &m.From); ok && d.headerText(v, sub(f.path, "from")) {
				d.checkAddress(v, sub(f.path, "from"), false)
			}
		},
		show: func(w *yamlWriter, n int, _ *Config, m *Mail) { w.kv(n, "from", q(m.From)) }},
	enumKey("transport", func(m *Mail) *string { return &m.Transport }, "file", "transport", transports),
	pathKey("dir", func(m *Mail) *string { return &m.Dir }, "mail", false),
	pathKey("templates", func(m *Mail) *string { return &m.Templates }, "", true),
	sectionKey("smtp", func(m *Mail) *SMTP { return &m.SMTP }, &smtpSection),
	sectionKey("retry", func(m *Mail) *Retry { return &m.Retry }, &retrySection),
}, check: func(d *decoder, f *fields, m *Mail) {
	if m.Transport != "smtp" {
		return
	}
	sf := f.get("smtp")
	switch {
	case sf == nil:
		d.errs.atNode(f.n, f.path, "missing required key %q (needed when transport is smtp)", "smtp")
	case sf.kind == mapNode && !hasKey(sf, "host"):
		d.errs.atNode(sf, sub(f.path, "smtp"), "missing required key %q (needed when transport is smtp)", "host")
	case sf.kind == mapNode && strings.TrimSpace(m.SMTP.Host) == "":
		if v := valueOf(sf, "host"); v.kind != mapNode && v.kind != seqNode {
			d.errs.atNode(v, sub(f.path, "smtp.host"), "must not be empty")
		}
	}
}}

// hasKey reports whether the mapping n writes key.
func hasKey(n *node, key string) bool { return valueOf(n, key) != nil }

// valueOf is the value of key in the mapping n (its first, if written
// twice), or nil.
func valueOf(n *node, key string) *node {
	for _, p := range n.pairs {
		if p.key == key {
			return p.val
		}
	}
	return nil
}

var smtpSection = section[SMTP]{keys: []key[SMTP]{
	strKey("host", func(s *SMTP) *string { return &s.Host }, "", nil),
	intKey("port", func(s *SMTP) *int { return &s.Port }, 587, 1, 65535),
	strKey("tls", func(s *SMTP) *string { return &s.TLS }, "starttls", func(v, _ string) string {
		if !contains(tlsModes, v) {
			return fmt.Sprintf("unknown TLS mode %q; expected one of: %s", v, strings.Join(tlsModes, ", "))
		}
		return ""
	}),
	strKey("username", func(s *SMTP) *string { return &s.Username }, "", nil),
	{name: "password", hidden: true, read: func(d *decoder, f *fields, _ *SMTP) {
		if f.written("password") {
			d.errs.atNode(f.vals["password"], sub(f.path, "password"), "the SMTP password may not be written in the config file; "+
				"set password_env (name of an environment variable) or password_file (path of a file) instead")
		}
	}},
	strKey("password_env", func(s *SMTP) *string { return &s.PasswordEnv }, "", nil),
	{name: "password_file",
		read: func(d *decoder, f *fields, s *SMTP) {
			d.str(f, "password_file", &s.PasswordFile)
			s.PasswordFile = resolve(d.dir, s.PasswordFile)
		},
		show: func(w *yamlWriter, n int, c *Config, s *SMTP) {
			w.kv(n, "password_file", q(c.rel(s.PasswordFile)))
			if s.Password != "" {
				from := "the file " + s.PasswordFile
				if s.PasswordEnv != "" {
					from = "the environment variable " + s.PasswordEnv
				}
				w.comment(n, "password: <redacted> (loaded from "+from+")")
			}
		}},
	durationKey("timeout", func(s *SMTP) *time.Duration { return &s.Timeout }, 60*time.Second, positiveDuration),
	strKey("helo", func(s *SMTP) *string { return &s.HELO }, "", nil),
	oauth2Key,
}, check: checkSMTP}

// checkSMTP: implicit TLS listens on 465 unless the port is written, and
// the password comes from exactly one of an environment variable or a
// file, never from the config file, and goes with a username.
func checkSMTP(d *decoder, f *fields, s *SMTP) {
	if s.TLS == "tls" && !f.written("port") {
		s.Port = 465
	}
	at := func(key string) *node { return f.vals[key] }
	hasEnv := f.get("password_env") != nil && s.PasswordEnv != ""
	hasFile := f.get("password_file") != nil && s.PasswordFile != ""
	switch {
	case hasEnv && hasFile:
		d.errs.atNode(at("password_file"), sub(f.path, "password_file"), "set password_env or password_file, not both")
	case hasEnv:
		if !envNamePattern.MatchString(s.PasswordEnv) {
			d.errs.atNode(at("password_env"), sub(f.path, "password_env"), "invalid environment variable name %q", s.PasswordEnv)
		} else if d.noSecrets {
			// Not read: the command never logs in.
		} else if s.Password = Secret(d.getenv(s.PasswordEnv)); s.Password == "" {
			d.errs.atNode(at("password_env"), sub(f.path, "password_env"), "environment variable %s is not set or empty", s.PasswordEnv)
		}
	case hasFile && !d.noSecrets:
		pw, err := readSecret(s.PasswordFile, "password file")
		if err != nil {
			d.errs.atNode(at("password_file"), sub(f.path, "password_file"), "%v", err)
		}
		s.Password = pw
	}
	if s.OAuth2 != nil || f.get("oauth2") != nil {
		checkSMTPOAuth2(d, f, s, hasEnv || hasFile)
		return
	}
	switch {
	case s.Username != "" && !hasEnv && !hasFile:
		d.errs.atNode(at("username"), sub(f.path, "username"), "username %q has no password; set password_env or password_file", s.Username)
	case s.Username == "" && hasEnv && !hasFile:
		d.errs.atNode(at("password_env"), sub(f.path, "password_env"), "a password needs a username; set username")
	case s.Username == "" && hasFile && !hasEnv:
		d.errs.atNode(at("password_file"), sub(f.path, "password_file"), "a password needs a username; set username")
	}
}

// checkSMTPOAuth2: a token instead of a password, for a mailbox, never
// in clear text over the network.
func checkSMTPOAuth2(d *decoder, f *fields, s *SMTP, password bool) {
	at := f.vals["oauth2"]
	if password {
		d.errs.atNode(at, sub(f.path, "oauth2"), "set a password (password_env, password_file) or oauth2, not both")
	}
	if s.Username == "" {
		d.errs.atNode(at, sub(f.path, "oauth2"), "oauth2 needs username: the address of the mailbox followup sends as")
	}
	if s.TLS == "none" || s.TLS == "opportunistic" {
		if !loopback(s.Host) {
			v := f.vals["tls"]
			if v == nil {
				v = at
			}
			d.errs.atNode(v, sub(f.path, "tls"), "with oauth2 the connection must be encrypted (the token is a credential): set tls to \"starttls\" or \"tls\"")
		}
	}
}

// maxSecret bounds what is read from a secret file: a secret is short,
// and a wrong path (a log, /dev/zero) must not fill memory.
const maxSecret = 64 << 10

// readSecret reads a secret file (what names it in messages: "password
// file"), dropping the trailing newline that editors and `echo` add. A
// file others can read is refused: the secret would not be one.
func readSecret(path, what string) (Secret, error) {
	// Stat first: opening a FIFO or a terminal would block the load.
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w", what, err)
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("cannot read %s %s: not a regular file", what, path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("%s %s can be read by other users (mode %04o); make it readable by the daemon's user only: chmod 600 %s", what, path, perm, path)
	}
	fh, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w", what, err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxSecret+1))
	if err != nil {
		return "", fmt.Errorf("cannot read %s %s: %w", what, path, err)
	}
	if len(b) > maxSecret {
		return "", fmt.Errorf("%s %s is larger than %d bytes", what, path, maxSecret)
	}
	pw := strings.TrimRight(string(b), "\r\n")
	if pw == "" {
		return "", fmt.Errorf("%s %s is empty", what, path)
	}
	return Secret(pw), nil
}

var retrySection = section[Retry]{keys: []key[Retry]{
	durationKey("initial", func(r *Retry) *time.Duration { return &r.Initial }, time.Minute, positiveDuration),
	durationKey("max", func(r *Retry) *time.Duration { return &r.Max }, 6*time.Hour, nil),
	intKey("max_attempts", func(r *Retry) *int { return &r.MaxAttempts }, 10, 1, 1000),
}, check: func(d *decoder, f *fields, r *Retry) {
	if r.Max >= r.Initial {
		return
	}
	// Report it on whichever of the two the admin wrote well.
	switch maxNode, initial := f.get("max"), f.get("initial"); {
	case isDuration(maxNode):
		d.errs.atNode(maxNode, sub(f.path, "max"), "must be at least %s (%s)", sub(f.path, "initial"), fmtDuration(r.Initial))
	case isDuration(initial) && r.Initial > 0:
		d.errs.atNode(initial, sub(f.path, "initial"), "must be at most %s (%s)", sub(f.path, "max"), fmtDuration(r.Max))
	}
}}
