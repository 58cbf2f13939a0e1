package config

import (
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
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

// configSection is the whole file. Its keys are read in this order, which
// is also the order of dependency (the time zone before the schedules, the
// ministries before the rules that name them) whatever their order in the
// file; errors are sorted afterwards.
var configSection = section[Config]{keys: []key[Config]{
	{name: "time_zone",
		def:  func(c *Config) { c.TimeZone, c.Location = "UTC", time.UTC },
		read: readTimeZone,
		show: func(w *yamlWriter, n int, _ *Config, c *Config) { w.kv(n, "time_zone", q(c.TimeZone)) }},
	pathKey("database", func(c *Config) *string { return &c.Database }, "followup.db", false),
	{name: "documents",
		read: readDocuments,
		show: func(w *yamlWriter, n int, _ *Config, c *Config) {
			docs := make([]string, len(c.Documents))
			for i, d := range c.Documents {
				docs[i] = c.rel(d)
			}
			w.kv(n, "documents", qlist(docs))
		}},
	{name: "coordinator",
		def:  func(c *Config) { c.Coordinator = defaultCoordinator() },
		read: readCoordinator,
		show: func(w *yamlWriter, n int, _ *Config, c *Config) {
			w.key(n, "coordinator")
			bodySection.show(w, n+2, c, &c.Coordinator)
		}},
	listKey("ministries", func(c *Config) *[]Body { return &c.Ministries }, &bodySection, nil,
		func(d *decoder, f *fields, b *Body) bool {
			return b.ID != "" && d.ids.add(d, b.ID, f.get("id"), sub(f.path, "id"))
		}),
	listKey("reports", func(c *Config) *[]Report { return &c.Reports }, &reportSection, nil,
		func(d *decoder, f *fields, r *Report) bool {
			if r.ID != "" {
				d.unique("report", r.ID, f.get("id"), sub(f.path, "id"), "duplicate id %q (first defined at line %d)")
			}
			return true
		}),
	stagesKey,
	initialStageKey,
	sectionKey("assignment", func(c *Config) *Assignment { return &c.Assignment }, &assignmentSection),
	sectionKey("tags", func(c *Config) *Tagging { return &c.Tags }, &taggingSection),
	sectionKey("special_procedures", func(c *Config) *NoReport { return &c.SpecialProcedures }, &noReportSection),
	sectionKey("reminders", func(c *Config) *Reminders { return &c.Reminders }, &remindersSection),
	sectionKey("schedules", func(c *Config) *Schedules { return &c.Schedules }, &schedulesSection),
	sectionKey("digests", func(c *Config) *Digests { return &c.Digests }, &digestsSection),
	sectionKey("mail", func(c *Config) *Mail { return &c.Mail }, &mailSection),
	sectionKey("web", func(c *Config) *Web { return &c.Web }, &webSection),
}}

// config reads the whole file.
func (d *decoder) config(root *node) *Config {
	c := defaults()
	d.cfg = c
	d.ids = &idRegistry{where: map[string]*node{}}
	configSection.read(d, root, "", c)
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

func readTimeZone(d *decoder, f *fields, c *Config) {
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

// readDocuments reads the documents the daemon imports at start.
func readDocuments(d *decoder, f *fields, c *Config) {
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

// unique reports a value (an id in a list of kind) seen before, with
// format's %q for the value and %d for the line of the first; it returns
// false for one.
func (d *decoder) unique(kind, value string, at *node, path, format string) bool {
	if d.firstAt == nil {
		d.firstAt = map[string]*node{}
	}
	k := kind + "\x00" + value
	if first, dup := d.firstAt[k]; dup {
		d.errs.atNode(at, path, format, value, first.line)
		return false
	}
	d.firstAt[k] = at
	return true
}

// readCoordinator reads the coordinating body, which takes its id first:
// the default's when the file has none.
func readCoordinator(d *decoder, f *fields, c *Config) {
	if v := f.get("coordinator"); v != nil && d.needMapping(v, "coordinator") {
		var b Body
		bodySection.defaults(&b)
		bf, _ := bodySection.read(d, v, "coordinator", &b)
		if b.ID != "" {
			c.Coordinator = b
			d.ids.add(d, b.ID, bf.get("id"), "coordinator.id")
		}
	}
	if _, seen := d.ids.where[c.Coordinator.ID]; !seen {
		d.ids.ids = append(d.ids.ids, c.Coordinator.ID)
		d.ids.where[c.Coordinator.ID] = nil
	}
}

func defaultCoordinator() Body {
	return Body{ID: "coordinator", Name: "Coordinating body", Language: "en",
		FocalPoints: []FocalPoint{{Name: "Secretariat", Email: "coordinator@example.org"}}}
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

// idKey is a required id. It is set only when it is valid, so that an
// item without one is neither registered nor referenced.
func idKey[S any](at func(*S) *string) key[S] {
	return key[S]{name: "id",
		read: func(d *decoder, f *fields, s *S) {
			var id string
			v, ok := d.reqStr(f, "id", &id)
			if !ok {
				return
			}
			if !idPattern.MatchString(v.text) {
				d.errs.atNode(v, sub(f.path, "id"), "invalid id %q; %s", v.text, idRule)
				return
			}
			*at(s) = id
		},
		show: func(w *yamlWriter, n int, _ *Config, s *S) { w.kv(n, "id", q(*at(s))) },
	}
}

// required reports a key that must have a value: missing, or written with
// none. It returns whether the key has a value to read.
func (d *decoder) required(f *fields, key string) bool {
	switch {
	case !f.written(key):
		d.missing(f, key)
		return false
	case f.get(key) == nil:
		d.errs.atNode(f.vals[key], sub(f.path, key), "must not be empty")
		return false
	}
	return true
}

// bodySection is the coordinating body or one ministry.
var bodySection = section[Body]{keys: []key[Body]{
	idKey(func(b *Body) *string { return &b.ID }),
	textKey("name", func(b *Body) *string { return &b.Name }, true),
	{name: "language",
		def: func(b *Body) { b.Language = "en" },
		read: func(d *decoder, f *fields, b *Body) {
			var lang string
			v, written := d.str(f, "language", &lang)
			if !written {
				return
			}
			if languagePattern.MatchString(lang) {
				b.Language = lang
			} else {
				// Left at the default, so that the checks after loading
				// (config check's) do not report the same tag again.
				d.errs.atNode(v, sub(f.path, "language"), "invalid language tag %q; expected a code such as lo or en", v.text)
			}
			b.LanguageAt = Pos{File: d.errs.file, Line: v.line, Column: v.col, Path: sub(f.path, "language")}
		},
		show: func(w *yamlWriter, n int, _ *Config, b *Body) { w.kv(n, "language", q(b.Language)) }},
	requiredList(listKey("focal_points", func(b *Body) *[]FocalPoint { return &b.FocalPoints }, &focalSection, nil, nil),
		"expected at least one focal point"),
}}

// requiredList makes a list key required and not empty (empty says why).
func requiredList[S any](k key[S], empty string) key[S] {
	read := k.read
	k.read = func(d *decoder, f *fields, s *S) {
		if !f.written(k.name) {
			d.missing(f, k.name)
			return
		}
		if v := f.vals[k.name]; v.kind == nullNode || (v.kind == seqNode && len(v.items) == 0) {
			d.errs.atNode(v, sub(f.path, k.name), "%s", empty)
			return
		}
		read(d, f, s)
	}
	return k
}

var focalSection = section[FocalPoint]{keys: []key[FocalPoint]{
	textKey("name", func(p *FocalPoint) *string { return &p.Name }, false),
	textKey("unit", func(p *FocalPoint) *string { return &p.Unit }, false),
	{name: "email",
		read: func(d *decoder, f *fields, p *FocalPoint) {
			if v, ok := d.reqStr(f, "email", &p.Email); ok {
				d.checkAddress(v, sub(f.path, "email"), true)
			}
		},
		show: func(w *yamlWriter, n int, _ *Config, p *FocalPoint) { w.kv(n, "email", q(p.Email)) }},
}}

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

var reportSection = section[Report]{keys: []key[Report]{
	idKey(func(r *Report) *string { return &r.ID }),
	strKey("title", func(r *Report) *string { return &r.Title }, "", nil),
	{name: "due",
		read: func(d *decoder, f *fields, r *Report) {
			if d.required(f, "due") {
				d.date(f, "due", &r.Due)
			}
		},
		show: func(w *yamlWriter, n int, _ *Config, r *Report) { w.kv(n, "due", q(r.Due.String())) }},
	enumKey("kind", func(r *Report) *string { return &r.Kind }, ReportPeriodic, "kind of report", ReportKinds),
	{name: "word_limit",
		read: func(d *decoder, f *fields, r *Report) {
			r.WordLimit = DefaultWordLimit(r.Kind) // the kind is read first
			d.integer(f, "word_limit", &r.WordLimit, 0, 1000000)
		},
		show: func(w *yamlWriter, n int, _ *Config, r *Report) { w.kv(n, "word_limit", fmt.Sprint(r.WordLimit)) }},
	strListKey("documents", func(r *Report) *[]string { return &r.Documents }, nil),
	listKey("milestones", func(r *Report) *[]Milestone { return &r.Milestones }, &milestoneSection, nil, nil),
}}

var milestoneSection = section[Milestone]{keys: []key[Milestone]{
	{name: "name",
		read: func(d *decoder, f *fields, m *Milestone) { d.reqStr(f, "name", &m.Name) },
		show: func(w *yamlWriter, n int, _ *Config, m *Milestone) { w.kv(n, "name", q(m.Name)) }},
	{name: "before",
		read: func(d *decoder, f *fields, m *Milestone) {
			if d.required(f, "before") {
				if v, ok := d.span(f, "before", &m.Before); ok && !positive(m.Before) {
					d.errs.atNode(v, sub(f.path, "before"), "must be longer than zero")
				}
			}
		},
		show: func(w *yamlWriter, n int, _ *Config, m *Milestone) { w.kv(n, "before", q(m.Before.String())) }},
}}
