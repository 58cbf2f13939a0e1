package config

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/followup-app/followup/civil"
)

// The sections the workflow reads: stages and the assignment of
// recommendations to ministries.

var (
	statuses    = []string{"supported", "noted", "pending"}
	anchorFroms = []string{"adoption", "report", "follow_up", "import"}
)

// stagesKey is the list of stages. A stage's next stages may name stages
// further down, so they are checked once every stage is read.
var stagesKey = key[Config]{name: "stages",
	def:  func(c *Config) { c.Stages = defaultStages() },
	read: readStages,
	show: func(w *yamlWriter, n int, _ *Config, c *Config) {
		w.key(n, "stages")
		for i := range c.Stages {
			w.item(n + 2)
			stageSection.show(w, n+4, c, &c.Stages[i])
		}
	},
}

func readStages(d *decoder, f *fields, c *Config) {
	items, ok := d.list(f, "stages")
	if !ok {
		return
	}
	if len(items) == 0 {
		d.errs.atNode(f.get("stages"), "stages", "expected at least one stage")
	}
	type read struct {
		stage Stage
		f     *fields
		first bool // the first stage with its id
	}
	var all []read
	var valid []string
	for i, it := range items {
		p := index("stages", i)
		if !d.needMapping(it, p) {
			continue
		}
		var s Stage
		sf, _ := stageSection.read(d, it, p, &s)
		r := read{stage: s, f: sf}
		if s.ID != "" {
			r.first = d.unique("stage", s.ID, sf.get("id"), sub(p, "id"), "duplicate id %q (first defined at line %d)")
			if r.first {
				valid = append(valid, s.ID)
			}
		}
		all = append(all, r)
	}
	c.Stages = nil
	for _, r := range all {
		stageLinks(d, r.f, r.stage, valid)
		c.Stages = append(c.Stages, r.stage)
		if v := r.f.get("ask"); r.first && v != nil && v.kind == scalarNode && strings.TrimSpace(v.text) != DefaultAsk(r.stage.ID, "en") {
			if c.asksAt == nil {
				c.asksAt = map[string]Pos{}
			}
			c.asksAt[r.stage.ID] = Pos{File: d.errs.file, Line: v.line, Column: v.col, Path: sub(r.f.path, "ask")}
		}
	}
}

// stageLinks checks one stage's next stages once all stage ids are known.
func stageLinks(d *decoder, f *fields, s Stage, valid []string) {
	next := f.get("next")
	if next == nil || next.kind != seqNode {
		return
	}
	seen := map[string]bool{}
	for i, it := range next.items {
		if it.kind != scalarNode || strings.TrimSpace(it.text) == "" {
			continue // reported when read
		}
		p := index(sub(f.path, "next"), i)
		switch {
		case !contains(valid, it.text):
			d.errs.atNode(it, p, "unknown stage %q; expected one of: %s", it.text, strings.Join(valid, ", "))
		case it.text == s.ID:
			d.errs.atNode(it, p, "a stage cannot move to itself")
		case seen[it.text]:
			d.errs.atNode(it, p, "duplicate stage %q", it.text)
		}
		seen[it.text] = true
	}
}

// initialStageKey is the stage new tasks start in: the first stage unless
// written.
var initialStageKey = key[Config]{name: "initial_stage",
	def: func(c *Config) { c.InitialStage = c.Stages[0].ID },
	read: func(d *decoder, f *fields, c *Config) {
		var valid []string
		for _, s := range c.Stages {
			if !contains(valid, s.ID) {
				valid = append(valid, s.ID)
			}
		}
		if len(c.Stages) > 0 {
			c.InitialStage = c.Stages[0].ID
		}
		v, ok := d.str(f, "initial_stage", &c.InitialStage)
		switch {
		case ok && !contains(valid, v.text):
			d.errs.atNode(v, "initial_stage", "unknown stage %q; expected one of: %s", v.text, strings.Join(valid, ", "))
		case ok:
			if s, _ := c.Stage(v.text); s.Final {
				d.errs.atNode(v, "initial_stage", "stage %q is final; new tasks need a stage that is not final", v.text)
			}
		case len(c.Stages) > 0 && c.Stages[0].Final && f.get("stages") != nil:
			// Without initial_stage, tasks start in the first stage.
			first := f.get("stages")
			if len(first.items) > 0 {
				first = first.items[0]
			}
			d.errs.atNode(first, "stages[0]", "new tasks start in the first stage, which is final; put a stage that is not final first or set initial_stage")
		}
	},
	show: func(w *yamlWriter, n int, _ *Config, c *Config) { w.kv(n, "initial_stage", q(c.InitialStage)) },
}

// stageSection is one stage.
var stageSection = section[Stage]{keys: []key[Stage]{
	idKey(func(s *Stage) *string { return &s.ID }),
	{name: "name",
		read: func(d *decoder, f *fields, s *Stage) {
			s.Name = s.ID // the id is read first
			if v, ok := d.str(f, "name", &s.Name); ok && strings.TrimSpace(v.text) == "" {
				d.errs.atNode(v, sub(f.path, "name"), "must not be empty")
			}
		},
		show: func(w *yamlWriter, n int, _ *Config, s *Stage) { w.kv(n, "name", q(s.Name)) }},
	{name: "labels",
		read: func(d *decoder, f *fields, s *Stage) { s.Labels = d.stageLabels(f, *s) },
		show: func(w *yamlWriter, n int, _ *Config, s *Stage) { showByLanguage(w, n, "labels", s.Labels) }},
	strListKey("next", func(s *Stage) *[]string { return &s.Next }, nil),
	boolKey("final", func(s *Stage) *bool { return &s.Final }, false),
	strListKey("only_status", func(s *Stage) *[]string { return &s.OnlyStatus }, func(v, _ string) string {
		if !contains(statuses, v) {
			return fmt.Sprintf("unknown status %q; expected one of: %s", v, strings.Join(statuses, ", "))
		}
		return ""
	}),
	{name: "deadline",
		read: func(d *decoder, f *fields, s *Stage) {
			v, ok := d.str(f, "deadline", new(string))
			if !ok {
				return
			}
			a, err := parseAnchor(v.text)
			if err != nil {
				d.errs.atNode(v, sub(f.path, "deadline"), "invalid deadline %q: %v", v.text, err)
				return
			}
			s.Deadline = a
			if s.Final { // final is read first
				d.errs.atNode(v, sub(f.path, "deadline"), "a final stage closes the task, so it has no deadline")
			}
		},
		show: func(w *yamlWriter, n int, _ *Config, s *Stage) {
			if s.Deadline != nil {
				w.kv(n, "deadline", q(s.Deadline.Text))
			}
		}},
	{name: "ask",
		read: func(d *decoder, f *fields, s *Stage) {
			s.Ask = DefaultAsk(s.ID, "en")
			if v, ok := d.str(f, "ask", &s.Ask); ok {
				if msg := checkAsk(v.text); msg != "" {
					d.errs.atNode(v, sub(f.path, "ask"), "%s", msg)
				}
			}
		},
		show: func(w *yamlWriter, n int, _ *Config, s *Stage) { w.kv(n, "ask", q(s.Ask)) }},
	{name: "asks",
		read: func(d *decoder, f *fields, s *Stage) {
			// The default sentence written out (as the example config and
			// config show do) keeps its translations.
			v := f.get("ask")
			builtin := v == nil || v.kind != scalarNode || strings.TrimSpace(v.text) == DefaultAsk(s.ID, "en")
			s.Asks = d.stageAsks(f, s.ID, builtin)
		},
		show: func(w *yamlWriter, n int, _ *Config, s *Stage) { showByLanguage(w, n, "asks", s.Asks) }},
}, check: func(d *decoder, f *fields, s *Stage) {
	if !s.Final && len(s.Next) == 0 && f.n.kind == mapNode {
		d.errs.atNode(f.n, f.path, "a stage that is not final needs next stages (where its tasks can move)")
	}
	if next := f.get("next"); s.Final && next != nil && len(s.Next) > 0 {
		d.errs.atNode(next, sub(f.path, "next"), "a final stage closes the task, so it has no next stages")
	}
}}

// showByLanguage writes a mapping of language to text, sorted by
// language; nothing for none.
func showByLanguage(w *yamlWriter, n int, name string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	w.key(n, name)
	langs := make([]string, 0, len(m))
	for l := range m {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		w.kv(n+2, l, q(m[l]))
	}
}

// reAskWord finds the words in braces of an ask.
var reAskWord = regexp.MustCompile(`\{[^{}]*\}`)

// checkAsk says what is wrong with a stage's ask, or "". An ask is one
// sentence on one line; a misspelt placeholder would reach the ministry
// as written, so it is refused here.
func checkAsk(text string) string {
	switch {
	case strings.TrimSpace(text) == "":
		return "must not be empty: say in one sentence what a reminder asks the ministry to do"
	case strings.ContainsAny(text, "\r\n"):
		return "must be one sentence on one line"
	}
	for _, w := range reAskWord.FindAllString(text, -1) {
		if !contains(AskPlaceholders, w) {
			return fmt.Sprintf("unknown placeholder %s; expected %s", w, strings.Join(AskPlaceholders, ", "))
		}
	}
	return ""
}

// stageAsks reads a stage's ask in other languages, `asks: {fr: …, lo:
// …}`, each checked as ask: is. A stage with the built-in ask keeps the
// built-in asks for the languages the file does not give; a stage with an
// ask of the admin's own has only those the file gives (other languages
// get the admin's ask: as written, not a built-in sentence that may ask
// something else).
func (d *decoder) stageAsks(sf *fields, stageID string, builtin bool) map[string]string {
	out := map[string]string{}
	if builtin {
		out = defaultAsksFor(stageID)
	}
	p := sub(sf.path, "asks")
	v := sf.get("asks")
	switch {
	case v == nil || v.kind == nullNode:
	case v.kind != mapNode:
		d.errs.atNode(v, p, "expected a mapping of language to ask, e.g. asks: {fr: \"Veuillez confirmer à {coordinator} {by} …\"}; found %s", v.describe())
	default:
		for _, pr := range v.pairs {
			kp := sub(p, pr.key)
			if !languagePattern.MatchString(pr.key) {
				d.errs.atNode(pr.keyPos, kp, "invalid language tag %q; expected a code such as fr, es or lo", pr.key)
				continue
			}
			if pr.val == nil || pr.val.kind != scalarNode {
				at := pr.keyPos
				if pr.val != nil && pr.val.kind != nullNode {
					at = pr.val
				}
				d.errs.atNode(at, kp, "expected the ask in this language, one sentence on one line")
				continue
			}
			if msg := checkAsk(pr.val.text); msg != "" {
				d.errs.atNode(pr.val, kp, "%s", msg)
				continue
			}
			out[strings.ToLower(strings.ReplaceAll(pr.key, "_", "-"))] = pr.val.text
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// stageLabels reads a stage's names in other languages, `labels: {fr:
// Attribuée, lo: ມອບໝາຍແລ້ວ}`. A stage of the built-in workflow written with
// its built-in id and name keeps the built-in labels for the languages the
// file does not give.
func (d *decoder) stageLabels(sf *fields, s Stage) map[string]string {
	out := map[string]string{}
	for _, def := range defaultStages() {
		if def.ID == s.ID && def.Name == s.Name {
			for k, v := range def.Labels {
				out[k] = v
			}
		}
	}
	p := sub(sf.path, "labels")
	v := sf.get("labels")
	switch {
	case v == nil || v.kind == nullNode:
	case v.kind != mapNode:
		d.errs.atNode(v, p, "expected a mapping of language to name, e.g. labels: {fr: Attribuée, lo: ມອບໝາຍແລ້ວ}; found %s", v.describe())
	default:
		for _, pr := range v.pairs {
			kp := sub(p, pr.key)
			if !languagePattern.MatchString(pr.key) {
				d.errs.atNode(pr.keyPos, kp, "invalid language tag %q; expected a code such as fr, es or lo", pr.key)
				continue
			}
			if pr.val == nil || pr.val.kind != scalarNode || strings.TrimSpace(pr.val.text) == "" {
				at := pr.keyPos
				if pr.val != nil && pr.val.kind != nullNode {
					at = pr.val
				}
				d.errs.atNode(at, kp, "expected the stage's name in this language")
				continue
			}
			d.headerText(pr.val, kp)
			out[strings.ToLower(strings.ReplaceAll(pr.key, "_", "-"))] = pr.val.text
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// parseAnchor parses "<from> [(+|-) <span>]", e.g. "adoption + 2mo",
// "report - 9mo", "follow_up".
func parseAnchor(text string) (*Anchor, error) {
	t := strings.TrimSpace(text)
	a := &Anchor{From: t, Sign: 1, Text: text}
	if i := strings.IndexAny(t, "+-"); i >= 0 {
		a.From = strings.TrimSpace(t[:i])
		if t[i] == '-' {
			a.Sign = -1
		}
		sp, err := civil.ParseSpan(t[i+1:])
		if err != nil {
			return nil, err
		}
		a.Span = sp
	}
	if !contains(anchorFroms, a.From) {
		return nil, fmt.Errorf("unknown starting point %q; expected one of: %s, optionally followed by + or - and a span such as 3mo", a.From, strings.Join(anchorFroms, ", "))
	}
	return a, nil
}

var assignmentSection = section[Assignment]{keys: []key[Assignment]{
	listKey("rules", func(a *Assignment) *[]Rule { return &a.Rules }, &ruleSection, nil, nil),
	listKey("overrides", func(a *Assignment) *[]Override { return &a.Overrides }, &overrideSection, nil, nil),
}}

var ruleSection = section[Rule]{keys: []key[Rule]{
	strKey("name", func(r *Rule) *string { return &r.Name }, "", nil),
	ministryKey(func(r *Rule) *string { return &r.Ministry }),
	supportKey(func(r *Rule) *[]string { return &r.Support }, func(r *Rule) string { return r.Ministry }),
	strListKey("sections", func(r *Rule) *[]string { return &r.Sections }, nil),
	strListKey("keywords", func(r *Rule) *[]string { return &r.Keywords }, nil),
	regexKey(func(r *Rule) **regexp.Regexp { return &r.Regex }),
	tagListKey("themes", func(r *Rule) *[]string { return &r.Themes }, nil),
	tagListKey("affected_persons", func(r *Rule) *[]string { return &r.AffectedPersons }, nil),
	tagListKey("sdgs", func(r *Rule) *[]string { return &r.SDGs }, checkSDG),
	strListKey("documents", func(r *Rule) *[]string { return &r.Documents }, nil),
}, check: func(d *decoder, f *fields, r *Rule) {
	// "sections: []" sets nothing: such a rule would match everything.
	if emptyList(f.get("sections")) && emptyList(f.get("keywords")) && f.get("regex") == nil && emptyList(f.get("themes")) &&
		emptyList(f.get("affected_persons")) && emptyList(f.get("sdgs")) {
		d.errs.atNode(f.n, f.path, "a rule must set at least one of sections, keywords, regex, themes, affected_persons or sdgs")
	}
}}

var overrideSection = section[Override]{keys: []key[Override]{
	{name: "recommendation",
		read: func(d *decoder, f *fields, o *Override) {
			v, ok := d.reqStr(f, "recommendation", &o.Recommendation)
			switch {
			case !ok:
			case !recIDPattern.MatchString(v.text):
				d.errs.atNode(v, sub(f.path, "recommendation"), "invalid recommendation id %q; expected <document symbol>:<paragraph>[item], e.g. CRC/C/OPSC/LAO/CO/1:26b", v.text)
			default:
				d.unique("override", v.text, v, sub(f.path, "recommendation"), "duplicate override for %q (first defined at line %d)")
			}
		},
		show: func(w *yamlWriter, n int, _ *Config, o *Override) { w.kv(n, "recommendation", q(o.Recommendation)) }},
	ministryKey(func(o *Override) *string { return &o.Ministry }),
	supportKey(func(o *Override) *[]string { return &o.Support }, func(o *Override) string { return o.Ministry }),
}}

// emptyList reports whether a value is absent or a list with no items.
func emptyList(n *node) bool { return n == nil || (n.kind == seqNode && len(n.items) == 0) }

// ministryKey is the lead ministry of a rule or an override: one the
// config has (the coordinator's id included).
func ministryKey[S any](at func(*S) *string) key[S] {
	return key[S]{name: "ministry",
		read: func(d *decoder, f *fields, s *S) {
			if v, ok := d.reqStr(f, "ministry", at(s)); ok {
				if _, known := d.ids.where[v.text]; !known {
					d.errs.atNode(v, sub(f.path, "ministry"), "unknown ministry %q; expected one of: %s", v.text, d.ids.list())
				}
			}
		},
		show: func(w *yamlWriter, n int, _ *Config, s *S) { w.kv(n, "ministry", q(*at(s))) },
	}
}

// supportKey is the supporting ministries of a rule or an override: known,
// once each, and not the lead (read first).
func supportKey[S any](at func(*S) *[]string, lead func(*S) string) key[S] {
	return key[S]{name: "support",
		read: func(d *decoder, f *fields, s *S) {
			items, _ := d.strList(f, "support")
			seen := map[string]bool{}
			for _, it := range items {
				_, known := d.ids.where[it.s]
				switch {
				case !known:
					d.errs.atNode(it.n, it.path, "unknown ministry %q; expected one of: %s", it.s, d.ids.list())
				case it.s == lead(s):
					d.errs.atNode(it.n, it.path, "%q is already the lead ministry (ministry:)", it.s)
				case seen[it.s]:
					d.errs.atNode(it.n, it.path, "duplicate ministry %q", it.s)
				}
				seen[it.s] = true
			}
			*at(s) = strs(items)
		},
		show: func(w *yamlWriter, n int, _ *Config, s *S) { w.kv(n, "support", qlist(*at(s))) },
	}
}
