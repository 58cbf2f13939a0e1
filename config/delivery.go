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

func (d *decoder) reminders(f *fields, c *Config) {
	rf, ok := d.mapping(f.get("reminders"), "reminders", reminderKeys...)
	if !ok {
		return
	}
	r := &c.Reminders
	if v := rf.get("lead_times"); v != nil {
		items, ok := d.list(rf, "lead_times")
		if ok {
			r.LeadTimes = nil
		}
		type lead struct {
			s civil.Span
			n *node
		}
		var seen []lead
		for i, it := range items {
			p := index("reminders.lead_times", i)
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
	d.boolean(rf, "due_today", &r.DueToday)
	if v, ok := d.span(rf, "overdue_every", &r.OverdueEvery); ok && !positive(r.OverdueEvery) {
		d.errs.atNode(v, "reminders.overdue_every", "must be longer than zero")
	}
	if v, ok := d.span(rf, "escalate_after", &r.EscalateAfter); ok && !positive(r.EscalateAfter) {
		d.errs.atNode(v, "reminders.escalate_after", "must be longer than zero")
	}
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

func (d *decoder) schedules(f *fields, c *Config) {
	sf, ok := d.mapping(f.get("schedules"), "schedules", scheduleKeys...)
	s := &c.Schedules
	for _, job := range []struct {
		key string
		dst *Schedule
	}{
		{"reminders", &s.Reminders},
		{"coordinator_digest", &s.CoordinatorDigest},
		{"ministry_digest", &s.MinistryDigest},
	} {
		var v *node
		if ok {
			v, _ = d.str(sf, job.key, &job.dst.Spec)
		}
		sched, err := parseCron(job.dst.Spec, c.TimeZone)
		if err != nil {
			if v == nil { // a default: cannot fail, but never leave it nil
				v = sf.n
			}
			d.errs.atNode(v, sub("schedules", job.key), "%v", err)
			continue
		}
		job.dst.Schedule = sched
	}
	if !ok {
		return
	}
	if v, ok := d.duration(sf, "grace", &s.Grace); ok && s.Grace < 0 {
		d.errs.atNode(v, "schedules.grace", "must not be negative")
	}
	if v, ok := d.duration(sf, "heartbeat", &s.Heartbeat); ok && (s.Heartbeat < time.Second || s.Heartbeat > time.Hour) {
		d.errs.atNode(v, "schedules.heartbeat", "%s is out of range; expected from 1s to 1h", v.text)
	}
}

func (d *decoder) digests(f *fields, c *Config) {
	df, ok := d.mapping(f.get("digests"), "digests", digestKeys...)
	if !ok {
		return
	}
	d.boolean(df, "send_empty", &c.Digests.SendEmpty)
	d.integer(df, "max_listed", &c.Digests.MaxListed, 1, 10000)
}

func (d *decoder) mail(f *fields, c *Config) {
	mf, ok := d.mapping(f.get("mail"), "mail", mailKeys...)
	if !ok {
		return
	}
	m := &c.Mail
	if v, ok := d.str(mf, "from", &m.From); ok && d.headerText(v, "mail.from") {
		d.checkAddress(v, "mail.from", false)
	}
	if v, ok := d.str(mf, "transport", &m.Transport); ok && !contains(transports, m.Transport) {
		d.errs.atNode(v, "mail.transport", "unknown transport %q; expected one of: %s", m.Transport, strings.Join(transports, ", "))
	}
	d.optPath(mf, "dir", &m.Dir)
	d.str(mf, "templates", &m.Templates)
	m.Templates = resolve(d.dir, m.Templates)
	d.smtp(mf, m)
	d.retry(mf, &m.Retry)
}

func (d *decoder) smtp(mf *fields, m *Mail) {
	const p = "mail.smtp"
	sf, ok := d.mapping(mf.get("smtp"), p, smtpKeys...)
	if !ok {
		return
	}
	s := &m.SMTP
	if m.Transport == "smtp" {
		switch {
		case mf.get("smtp") == nil:
			d.errs.atNode(mf.n, "mail", "missing required key %q (needed when transport is smtp)", "smtp")
		case !sf.written("host"):
			d.errs.atNode(sf.n, p, "missing required key %q (needed when transport is smtp)", "host")
		}
	}
	if v, ok := d.str(sf, "host", &s.Host); ok && m.Transport == "smtp" && strings.TrimSpace(s.Host) == "" {
		d.errs.atNode(v, "mail.smtp.host", "must not be empty")
	}
	if v, ok := d.str(sf, "tls", &s.TLS); ok && !contains(tlsModes, s.TLS) {
		d.errs.atNode(v, "mail.smtp.tls", "unknown TLS mode %q; expected one of: %s", s.TLS, strings.Join(tlsModes, ", "))
	}
	if s.TLS == "tls" {
		s.Port = 465 // implicit TLS listens on 465 unless the admin says otherwise
	}
	d.integer(sf, "port", &s.Port, 1, 65535)
	userNode, _ := d.str(sf, "username", &s.Username)
	d.str(sf, "helo", &s.HELO)
	if v, ok := d.duration(sf, "timeout", &s.Timeout); ok && s.Timeout <= 0 {
		d.errs.atNode(v, "mail.smtp.timeout", "must be longer than zero")
	}

	// The password: never inline, from exactly one of an environment
	// variable or a file.
	if sf.written("password") {
		v := sf.vals["password"]
		d.errs.atNode(v, "mail.smtp.password", "the SMTP password may not be written in the config file; set password_env (name of an environment variable) or password_file (path of a file) instead")
	}
	envNode, hasEnv := d.str(sf, "password_env", &s.PasswordEnv)
	hasEnv = hasEnv && s.PasswordEnv != ""
	fileNode, hasFile := d.str(sf, "password_file", &s.PasswordFile)
	hasFile = hasFile && s.PasswordFile != ""
	s.PasswordFile = resolve(d.dir, s.PasswordFile)
	switch {
	case hasEnv && hasFile:
		d.errs.atNode(fileNode, "mail.smtp.password_file", "set password_env or password_file, not both")
	case hasEnv:
		if !envNamePattern.MatchString(s.PasswordEnv) {
			d.errs.atNode(envNode, "mail.smtp.password_env", "invalid environment variable name %q", s.PasswordEnv)
		} else if s.Password = d.getenv(s.PasswordEnv); s.Password == "" {
			d.errs.atNode(envNode, "mail.smtp.password_env", "environment variable %s is not set or empty", s.PasswordEnv)
		}
	case hasFile:
		pw, err := readSecret(s.PasswordFile)
		if err != nil {
			d.errs.atNode(fileNode, "mail.smtp.password_file", "%v", err)
		}
		s.Password = pw
	}
	switch {
	case s.Username != "" && !hasEnv && !hasFile:
		d.errs.atNode(userNode, "mail.smtp.username", "username %q has no password; set password_env or password_file", s.Username)
	case s.Username == "" && hasEnv && !hasFile:
		d.errs.atNode(envNode, "mail.smtp.password_env", "a password needs a username; set username")
	case s.Username == "" && hasFile && !hasEnv:
		d.errs.atNode(fileNode, "mail.smtp.password_file", "a password needs a username; set username")
	}
}

// maxSecret bounds what is read from a password file: a secret is short,
// and a wrong path (a log, /dev/zero) must not fill memory.
const maxSecret = 64 << 10

// readSecret reads a password file, dropping the trailing newline that
// editors and `echo` add.
func readSecret(path string) (string, error) {
	// Stat first: opening a FIFO or a terminal would block the load.
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("cannot read password file: %w", err)
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("cannot read password file %s: not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("password file %s can be read by other users (mode %04o); make it readable by the daemon's user only: chmod 600 %s", path, perm, path)
	}
	fh, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot read password file: %w", err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxSecret+1))
	if err != nil {
		return "", fmt.Errorf("cannot read password file %s: %w", path, err)
	}
	if len(b) > maxSecret {
		return "", fmt.Errorf("password file %s is larger than %d bytes", path, maxSecret)
	}
	pw := strings.TrimRight(string(b), "\r\n")
	if pw == "" {
		return "", fmt.Errorf("password file %s is empty", path)
	}
	return pw, nil
}

func (d *decoder) retry(mf *fields, r *Retry) {
	rf, ok := d.mapping(mf.get("retry"), "mail.retry", retryKeys...)
	if !ok {
		return
	}
	initial, okInitial := d.duration(rf, "initial", &r.Initial)
	if okInitial && r.Initial <= 0 {
		d.errs.atNode(initial, "mail.retry.initial", "must be longer than zero")
		okInitial = false
	}
	maxNode, okMax := d.duration(rf, "max", &r.Max)
	if r.Max < r.Initial {
		// Report it on whichever of the two the admin wrote.
		switch {
		case okMax:
			d.errs.atNode(maxNode, "mail.retry.max", "must be at least mail.retry.initial (%s)", fmtDuration(r.Initial))
		case okInitial:
			d.errs.atNode(initial, "mail.retry.initial", "must be at most mail.retry.max (%s)", fmtDuration(r.Max))
		}
	}
	d.integer(rf, "max_attempts", &r.MaxAttempts, 1, 1000)
}
