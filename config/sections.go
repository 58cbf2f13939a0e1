package config

import (
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// These patterns are compiled once and never change; they hold no state.
var (
	idPattern       = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
	languagePattern = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
	envNamePattern  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// A recommendation id is a document symbol, a colon, a paragraph and
	// an optional item: CRC/C/OPSC/LAO/CO/1:26b, A/HRC/43/15:122.17.
	recIDPattern = regexp.MustCompile(`^\S+:[0-9]+([a-z]{1,3}|\.[0-9]+)?$`)
)

const idRule = `expected 1 to 32 lowercase letters, digits, "-" or "_", starting with a letter`

// Keys each section accepts, in the order the documentation lists them
// ("!key": see decoder.mapping).
var (
	topKeys        = []string{"time_zone", "database", "documents", "coordinator", "ministries", "reports", "stages", "initial_stage", "assignment", "reminders", "schedules", "digests", "mail", "web"}
	bodyKeys       = []string{"id", "name", "language", "focal_points"}
	focalKeys      = []string{"name", "unit", "email"}
	reportKeys     = []string{"id", "title", "due", "kind", "word_limit", "documents", "milestones"}
	milestoneKeys  = []string{"name", "before"}
	stageKeys      = []string{"id", "name", "labels", "next", "final", "only_status", "deadline", "ask", "asks"}
	assignmentKeys = []string{"rules", "overrides"}
	ruleKeys       = []string{"name", "ministry", "support", "sections", "keywords", "regex", "themes", "documents"}
	overrideKeys   = []string{"recommendation", "ministry", "support"}
	reminderKeys   = []string{"lead_times", "due_today", "overdue_every", "escalate_after"}
	scheduleKeys   = []string{"reminders", "coordinator_digest", "ministry_digest", "grace", "heartbeat"}
	digestKeys     = []string{"send_empty", "max_listed"}
	mailKeys       = []string{"from", "transport", "dir", "templates", "smtp", "retry"}
	smtpKeys       = []string{"host", "port", "tls", "username", "!password", "password_env", "password_file", "timeout", "helo"}
	retryKeys      = []string{"initial", "max", "max_attempts"}

	statuses    = []string{"supported", "noted", "pending"}
	anchorFroms = []string{"adoption", "report", "follow_up", "import"}
	transports  = []string{"file", "smtp"}
	tlsModes    = []string{"starttls", "opportunistic", "none", "tls"}
)

// config reads the whole file. Sections are read in dependency order (the
// time zone before the schedules, the ministries before the rules that name
// them) whatever their order in the file; errors are sorted afterwards.
func (d *decoder) config(root *node) *Config {
	f, ok := d.mapping(root, "", topKeys...)
	c := defaults()
	if !ok {
		return c
	}
	d.timeZone(f, c)
	d.files(f, c)
	ids := d.bodies(f, c)
	d.reports(f, c)
	d.stages(f, c)
	d.assignment(f, c, ids)
	d.reminders(f, c)
	d.schedules(f, c)
	d.digests(f, c)
	d.mail(f, c)
	d.web(f, c)
	return c
}

// resolve makes a relative path relative to the config file's folder, so
// that the config means the same thing whatever directory the daemon is
// started from. With dir "" (the built-in defaults) paths stay relative to
// the working directory.
func resolve(dir, p string) string {
	if p == "" || dir == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// loadZone loads an IANA zone. "" and "Local" are refused: both mean
// whatever the server is set to, and the daemon must not depend on that.
func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	return time.LoadLocation(name)
}

func (d *decoder) timeZone(f *fields, c *Config) {
	v, ok := d.str(f, "time_zone", &c.TimeZone)
	if !ok {
		return
	}
	loc, err := loadZone(c.TimeZone)
	if err != nil {
		d.errs.atNode(v, "time_zone", "unknown time zone %q; expected an IANA name such as Asia/Vientiane", c.TimeZone)
		c.TimeZone, c.Location = "UTC", time.UTC // so that the schedules can still be checked
		return
	}
	c.Location = loc
}

// optPath reads an optional path that, when written, must not be empty.
func (d *decoder) optPath(f *fields, key string, dst *string) {
	v, ok := d.str(f, key, dst)
	if ok && strings.TrimSpace(v.text) == "" {
		d.errs.atNode(v, sub(f.path, key), "must not be empty")
	}
	*dst = resolve(d.dir, *dst)
}

func (d *decoder) files(f *fields, c *Config) {
	d.optPath(f, "database", &c.Database)
	docs, _ := d.strList(f, "documents")
	for _, it := range docs {
		p := resolve(d.dir, it.s)
		// A missing file is the importer's to report when the daemon
		// starts; a named pipe or a device would block it, so it is
		// refused here, where the admin sees the line.
		if st, err := os.Stat(p); err == nil && !st.Mode().IsRegular() {
			d.errs.atNode(it.n, it.path, "%s is %s, not a regular file", p, fileKind(st.Mode()))
		}
		c.Documents = append(c.Documents, p)
	}
}

func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// idRegistry remembers where each ministry id was defined, for duplicate
// and unknown-reference messages.
type idRegistry struct {
	ids   []string         // coordinator first, then ministries in file order
	where map[string]*node // id -> its value in the file; nil for a default
}

func (r *idRegistry) list() string { return strings.Join(r.ids, ", ") }

func (d *decoder) bodies(f *fields, c *Config) *idRegistry {
	reg := &idRegistry{where: map[string]*node{}}
	if v := f.get("coordinator"); v != nil {
		if b, idNode, ok := d.body(v, "coordinator"); ok {
			c.Coordinator = b
			reg.add(d, b.ID, idNode, "coordinator.id")
		}
	}
	if _, seen := reg.where[c.Coordinator.ID]; !seen {
		reg.ids = append(reg.ids, c.Coordinator.ID)
		reg.where[c.Coordinator.ID] = nil
	}
	items, _ := d.list(f, "ministries")
	for i, it := range items {
		p := index("ministries", i)
		b, idNode, ok := d.body(it, p)
		if !ok {
			continue
		}
		if reg.add(d, b.ID, idNode, sub(p, "id")) {
			c.Ministries = append(c.Ministries, b)
		}
	}
	return reg
}

// add registers an id, reporting a duplicate. It returns false for one.
func (r *idRegistry) add(d *decoder, id string, at *node, path string) bool {
	if first, dup := r.where[id]; dup {
		if first == nil {
			d.errs.atNode(at, path, "duplicate id %q (the default coordinator's id; write a coordinator section to use another)", id)
		} else {
			d.errs.atNode(at, path, "duplicate id %q (first defined at line %d)", id, first.line)
		}
		return false
	}
	r.ids = append(r.ids, id)
	r.where[id] = at
	return true
}

// needMapping rejects a list item that is not a mapping, including an
// empty "- " line, before its keys are read.
func (d *decoder) needMapping(n *node, path string) bool {
	if n.kind != mapNode {
		d.errs.atNode(n, path, "expected a mapping (key: value lines), found %s", n.describe())
		return false
	}
	return true
}

// id reads a required id and checks its form.
func (d *decoder) id(f *fields, dst *string) (*node, bool) {
	v, ok := d.reqStr(f, "id", dst)
	if !ok {
		return nil, false
	}
	if !idPattern.MatchString(v.text) {
		d.errs.atNode(v, sub(f.path, "id"), "invalid id %q; %s", v.text, idRule)
		return nil, false
	}
	return v, true
}

// body reads the coordinator or one ministry. ok is false when it has no
// usable id, so that it is neither registered nor referenced.
func (d *decoder) body(n *node, path string) (b Body, idNode *node, ok bool) {
	if !d.needMapping(n, path) {
		return b, nil, false
	}
	f, _ := d.mapping(n, path, bodyKeys...)
	idNode, ok = d.id(f, &b.ID)
	if v, ok := d.reqStr(f, "name", &b.Name); ok {
		d.headerText(v, sub(path, "name"))
	}
	b.Language = "en"
	var lang string
	if v, written := d.str(f, "language", &lang); written {
		if languagePattern.MatchString(lang) {
			b.Language = lang
		} else {
			// Left at the default, so that the checks after loading
			// (config check's) do not report the same tag again.
			d.errs.atNode(v, sub(path, "language"), "invalid language tag %q; expected a code such as lo or en", v.text)
		}
		b.LanguageAt = Pos{File: d.errs.file, Line: v.line, Column: v.col, Path: sub(path, "language")}
	}
	b.FocalPoints = d.focalPoints(f)
	return b, idNode, ok
}

func (d *decoder) focalPoints(f *fields) []FocalPoint {
	p := sub(f.path, "focal_points")
	if !f.written("focal_points") {
		d.missing(f, "focal_points")
		return nil
	}
	if v := f.vals["focal_points"]; v.kind == nullNode || (v.kind == seqNode && len(v.items) == 0) {
		d.errs.atNode(v, p, "expected at least one focal point")
		return nil
	}
	items, _ := d.list(f, "focal_points")
	var out []FocalPoint
	for i, it := range items {
		ip := index(p, i)
		if !d.needMapping(it, ip) {
			continue
		}
		ff, _ := d.mapping(it, ip, focalKeys...)
		var fp FocalPoint
		if v, ok := d.str(ff, "name", &fp.Name); ok {
			d.headerText(v, sub(ip, "name"))
		}
		if v, ok := d.str(ff, "unit", &fp.Unit); ok {
			d.headerText(v, sub(ip, "unit"))
		}
		if v, ok := d.reqStr(ff, "email", &fp.Email); ok {
			d.checkAddress(v, sub(ip, "email"), true)
		}
		out = append(out, fp)
	}
	return out
}

// checkAddress validates an e-mail address with net/mail. A focal point's
// address must be bare (the name goes under name:); mail.from may carry a
// display name.
func (d *decoder) checkAddress(v *node, path string, bare bool) {
	a, err := mail.ParseAddress(v.text)
	switch {
	case err != nil:
		d.errs.atNode(v, path, "invalid e-mail address %q", v.text)
	case bare && a.Address != strings.TrimSpace(v.text):
		d.errs.atNode(v, path, "invalid e-mail address %q: write the address alone and the person's name under name", v.text)
	}
}

func (d *decoder) reports(f *fields, c *Config) {
	items, _ := d.list(f, "reports")
	seen := map[string]*node{}
	for i, it := range items {
		p := index("reports", i)
		if !d.needMapping(it, p) {
			continue
		}
		rf, _ := d.mapping(it, p, reportKeys...)
		var r Report
		if v, ok := d.id(rf, &r.ID); ok {
			if first, dup := seen[r.ID]; dup {
				d.errs.atNode(v, sub(p, "id"), "duplicate id %q (first defined at line %d)", r.ID, first.line)
			}
			seen[r.ID] = v
		}
		d.str(rf, "title", &r.Title)
		switch {
		case !rf.written("due"):
			d.missing(rf, "due")
		case rf.get("due") == nil:
			d.errs.atNode(rf.vals["due"], sub(p, "due"), "must not be empty")
		default:
			d.date(rf, "due", &r.Due)
		}
		r.Kind = ReportPeriodic
		if v, ok := d.str(rf, "kind", &r.Kind); ok && !slices.Contains(ReportKinds, r.Kind) {
			d.errs.atNode(v, sub(p, "kind"), "unknown kind of report %q; expected one of: %s", r.Kind, strings.Join(ReportKinds, ", "))
		}
		r.WordLimit = DefaultWordLimit(r.Kind)
		d.integer(rf, "word_limit", &r.WordLimit, 0, 1000000)
		docs, _ := d.strList(rf, "documents")
		r.Documents = strs(docs)
		ms, _ := d.list(rf, "milestones")
		for j, m := range ms {
			mp := index(sub(p, "milestones"), j)
			if !d.needMapping(m, mp) {
				continue
			}
			mf, _ := d.mapping(m, mp, milestoneKeys...)
			var ml Milestone
			d.reqStr(mf, "name", &ml.Name)
			switch {
			case !mf.written("before"):
				d.missing(mf, "before")
			case mf.get("before") == nil:
				d.errs.atNode(mf.vals["before"], sub(mp, "before"), "must not be empty")
			default:
				if v, ok := d.span(mf, "before", &ml.Before); ok && !positive(ml.Before) {
					d.errs.atNode(v, sub(mp, "before"), "must be longer than zero")
				}
			}
			r.Milestones = append(r.Milestones, ml)
		}
		c.Reports = append(c.Reports, r)
	}
}
