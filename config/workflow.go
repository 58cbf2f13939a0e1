package config

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/followup-app/followup/civil"
)

// The sections the workflow reads: stages and the assignment of
// recommendations to ministries.

// stageRefs remembers the references between stages until every stage is
// known.
type stageRefs struct {
	stage  Stage
	path   string
	at     *node
	next   []strItem
	nextAt *node
	askAt  Pos // where an ask of the admin's own is written
}

func (d *decoder) stages(f *fields, c *Config) {
	var valid []string
	if items, ok := d.list(f, "stages"); ok {
		if len(items) == 0 {
			d.errs.atNode(f.get("stages"), "stages", "expected at least one stage")
		}
		seen := map[string]*node{}
		var refs []stageRefs
		for i, it := range items {
			p := index("stages", i)
			if !d.needMapping(it, p) {
				continue
			}
			s, ref := d.stage(it, p)
			if ref.at != nil {
				if first, dup := seen[s.ID]; dup {
					d.errs.atNode(ref.at, sub(p, "id"), "duplicate id %q (first defined at line %d)", s.ID, first.line)
				} else {
					seen[s.ID] = ref.at
					valid = append(valid, s.ID)
				}
			}
			refs = append(refs, ref)
		}
		c.Stages = nil
		for _, r := range refs {
			d.stageLinks(r, valid)
			c.Stages = append(c.Stages, r.stage)
			if r.askAt.Line != 0 && r.at != nil && seen[r.stage.ID] == r.at {
				if c.asksAt == nil {
					c.asksAt = map[string]Pos{}
				}
				c.asksAt[r.stage.ID] = r.askAt
			}
		}
	} else {
		for _, s := range c.Stages {
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
}

func (d *decoder) stage(n *node, p string) (Stage, stageRefs) {
	sf, _ := d.mapping(n, p, stageKeys...)
	var s Stage
	ref := stageRefs{path: p}
	ref.at, _ = d.id(sf, &s.ID)
	s.Name = s.ID
	if v, ok := d.str(sf, "name", &s.Name); ok && strings.TrimSpace(v.text) == "" {
		d.errs.atNode(v, sub(p, "name"), "must not be empty")
	}
	s.Labels = d.stageLabels(sf, s)
	ref.next, _ = d.strList(sf, "next")
	ref.nextAt = sf.get("next")
	s.Next = strs(ref.next)
	d.boolean(sf, "final", &s.Final)
	only, _ := d.strList(sf, "only_status")
	for _, it := range only {
		if !contains(statuses, it.s) {
			d.errs.atNode(it.n, it.path, "unknown status %q; expected one of: %s", it.s, strings.Join(statuses, ", "))
		}
	}
	s.OnlyStatus = strs(only)
	if v, ok := d.str(sf, "deadline", new(string)); ok {
		a, err := parseAnchor(v.text)
		if err != nil {
			d.errs.atNode(v, sub(p, "deadline"), "invalid deadline %q: %v", v.text, err)
		} else {
			s.Deadline = a
			if s.Final {
				d.errs.atNode(v, sub(p, "deadline"), "a final stage closes the task, so it has no deadline")
			}
		}
	}
	s.Ask = DefaultAsk(s.ID, "en")
	builtin := true
	if v, ok := d.str(sf, "ask", &s.Ask); ok {
		if msg := checkAsk(v.text); msg != "" {
			d.errs.atNode(v, sub(p, "ask"), "%s", msg)
		}
		// The default sentence written out (as the example config and
		// config show do) keeps its translations.
		builtin = strings.TrimSpace(v.text) == DefaultAsk(s.ID, "en")
		if !builtin {
			ref.askAt = Pos{File: d.errs.file, Line: v.line, Column: v.col, Path: sub(p, "ask")}
		}
	}
	s.Asks = d.stageAsks(sf, s.ID, builtin)
	if !s.Final && len(ref.next) == 0 && sf.n.kind == mapNode {
		d.errs.atNode(sf.n, p, "a stage that is not final needs next stages (where its tasks can move)")
	}
	if s.Final && ref.nextAt != nil && len(ref.next) > 0 {
		d.errs.atNode(ref.nextAt, sub(p, "next"), "a final stage closes the task, so it has no next stages")
	}
	ref.stage = s
	return s, ref
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

// stageLinks checks one stage's next list once all stage ids are known.
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

func (d *decoder) stageLinks(r stageRefs, valid []string) {
	seen := map[string]bool{}
	for _, it := range r.next {
		switch {
		case !contains(valid, it.s):
			d.errs.atNode(it.n, it.path, "unknown stage %q; expected one of: %s", it.s, strings.Join(valid, ", "))
		case it.s == r.stage.ID:
			d.errs.atNode(it.n, it.path, "a stage cannot move to itself")
		case seen[it.s]:
			d.errs.atNode(it.n, it.path, "duplicate stage %q", it.s)
		}
		seen[it.s] = true
	}
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

func (d *decoder) assignment(f *fields, c *Config, ids *idRegistry) {
	af, ok := d.mapping(f.get("assignment"), "assignment", assignmentKeys...)
	if !ok {
		return
	}
	rules, _ := d.list(af, "rules")
	for i, it := range rules {
		p := index("assignment.rules", i)
		if !d.needMapping(it, p) {
			continue
		}
		rf, _ := d.mapping(it, p, ruleKeys...)
		var r Rule
		d.str(rf, "name", &r.Name)
		r.Ministry, r.Support = d.owners(rf, ids)
		sections, _ := d.strList(rf, "sections")
		keywords, _ := d.strList(rf, "keywords")
		themes, _ := d.strList(rf, "themes")
		r.Sections, r.Keywords, r.Themes = strs(sections), strs(keywords), strs(themes)
		var expr string
		if v, ok := d.str(rf, "regex", &expr); ok {
			if expr == "" {
				d.errs.atNode(v, sub(p, "regex"), "must not be empty")
			} else if re, err := regexp.Compile(expr); err != nil {
				d.errs.atNode(v, sub(p, "regex"), "invalid regular expression %q: %v", expr, err)
			} else {
				r.Regex = re
			}
		}
		docs, _ := d.strList(rf, "documents")
		r.Documents = strs(docs)
		// "sections: []" sets nothing: such a rule would match everything.
		if emptyList(rf.get("sections")) && emptyList(rf.get("keywords")) && rf.get("regex") == nil && emptyList(rf.get("themes")) {
			d.errs.atNode(rf.n, p, "a rule must set at least one of sections, keywords, regex or themes")
		}
		c.Assignment.Rules = append(c.Assignment.Rules, r)
	}
	overrides, _ := d.list(af, "overrides")
	seen := map[string]*node{}
	for i, it := range overrides {
		p := index("assignment.overrides", i)
		if !d.needMapping(it, p) {
			continue
		}
		of, _ := d.mapping(it, p, overrideKeys...)
		var o Override
		if v, ok := d.reqStr(of, "recommendation", &o.Recommendation); ok {
			switch first, dup := seen[v.text]; {
			case !recIDPattern.MatchString(v.text):
				d.errs.atNode(v, sub(p, "recommendation"), "invalid recommendation id %q; expected <document symbol>:<paragraph>[item], e.g. CRC/C/OPSC/LAO/CO/1:26b", v.text)
			case dup:
				d.errs.atNode(v, sub(p, "recommendation"), "duplicate override for %q (first defined at line %d)", v.text, first.line)
			default:
				seen[v.text] = v
			}
		}
		o.Ministry, o.Support = d.owners(of, ids)
		c.Assignment.Overrides = append(c.Assignment.Overrides, o)
	}
}

// emptyList reports whether a value is absent or a list with no items.
func emptyList(n *node) bool { return n == nil || (n.kind == seqNode && len(n.items) == 0) }

// owners reads the lead ministry and the supporting ones of a rule or an
// override.
func (d *decoder) owners(f *fields, ids *idRegistry) (lead string, support []string) {
	if v, ok := d.reqStr(f, "ministry", &lead); ok {
		if _, known := ids.where[lead]; !known {
			d.errs.atNode(v, sub(f.path, "ministry"), "unknown ministry %q; expected one of: %s", lead, ids.list())
		}
	}
	items, _ := d.strList(f, "support")
	seen := map[string]bool{}
	for _, it := range items {
		_, known := ids.where[it.s]
		switch {
		case !known:
			d.errs.atNode(it.n, it.path, "unknown ministry %q; expected one of: %s", it.s, ids.list())
		case it.s == lead:
			d.errs.atNode(it.n, it.path, "%q is already the lead ministry (ministry:)", it.s)
		case seen[it.s]:
			d.errs.atNode(it.n, it.path, "duplicate ministry %q", it.s)
		}
		seen[it.s] = true
	}
	return lead, strs(items)
}
