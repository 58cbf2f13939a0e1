package config

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/followup-app/followup/workflow"
)

// The keys of tags (themes, affected persons, SDG targets): the rules
// that give recommendations tags of the config's own (tags.rules), the
// assignment rules' criteria on them, and where the deadlines of a
// special procedure's document come from (special_procedures).

type (
	// TagRule gives tags to the recommendations it matches.
	TagRule = workflow.TagRule
	// NoReport says where the deadlines of a special procedure's
	// document that goes into no report come from.
	NoReport = workflow.NoReport
)

// Tagging is the tags section: rules that tag recommendations, each
// matching rule adding its tags to what the document gives.
type Tagging struct {
	Rules []TagRule
}

var taggingSection = section[Tagging]{keys: []key[Tagging]{
	listKey("rules", func(t *Tagging) *[]TagRule { return &t.Rules }, &tagRuleSection, nil, nil),
}}

var tagRuleSection = section[TagRule]{keys: []key[TagRule]{
	strListKey("sections", func(r *TagRule) *[]string { return &r.Sections }, nil),
	strListKey("keywords", func(r *TagRule) *[]string { return &r.Keywords }, nil),
	regexKey(func(r *TagRule) **regexp.Regexp { return &r.Regex }),
	strListKey("documents", func(r *TagRule) *[]string { return &r.Documents }, nil),
	tagListKey("themes", func(r *TagRule) *[]string { return &r.Themes }, nil),
	tagListKey("affected_persons", func(r *TagRule) *[]string { return &r.AffectedPersons }, nil),
	tagListKey("sdgs", func(r *TagRule) *[]string { return &r.SDGs }, checkSDG),
}, check: func(d *decoder, f *fields, r *TagRule) {
	if emptyList(f.get("sections")) && emptyList(f.get("keywords")) && f.get("regex") == nil && emptyList(f.get("documents")) {
		d.errs.atNode(f.n, f.path, "a tag rule must set at least one of sections, keywords, regex or documents (which recommendations it tags)")
	}
	if emptyList(f.get("themes")) && emptyList(f.get("affected_persons")) && emptyList(f.get("sdgs")) {
		d.errs.atNode(f.n, f.path, "a tag rule must give at least one of themes, affected_persons or sdgs")
	}
}}

// checkSDG refuses what is not an SDG goal or target as followup stores
// them (the number alone), so that a rule or a filter never waits for a
// tag no recommendation can have.
func checkSDG(v, _ string) string {
	if !workflow.ValidSDG(strings.TrimSpace(v)) {
		return fmt.Sprintf("invalid SDG %q; expected a goal (1 to 17) or a target such as 16.3 or 4.a, the number alone", v)
	}
	return ""
}

// tagListKey is a list of tags (or of an assignment rule's criteria on
// them): shown only when set, so that configs without them show as they
// always did.
func tagListKey[S any](name string, at func(*S) *[]string, ok check[string]) key[S] {
	k := strListKey(name, at, ok)
	k.show = func(w *yamlWriter, n int, _ *Config, s *S) {
		if len(*at(s)) > 0 {
			w.kv(n, name, qlist(*at(s)))
		}
	}
	return k
}

// regexKey is a rule's regular expression on the recommendation's text.
func regexKey[S any](at func(*S) **regexp.Regexp) key[S] {
	return key[S]{name: "regex",
		read: func(d *decoder, f *fields, s *S) {
			var expr string
			v, ok := d.str(f, "regex", &expr)
			switch {
			case !ok:
			case expr == "":
				d.errs.atNode(v, sub(f.path, "regex"), "must not be empty")
			default:
				re, err := regexp.Compile(expr)
				if err != nil {
					d.errs.atNode(v, sub(f.path, "regex"), "invalid regular expression %q: %v", expr, err)
					return
				}
				*at(s) = re
			}
		},
		show: func(w *yamlWriter, n int, _ *Config, s *S) {
			if re := *at(s); re != nil {
				w.kv(n, "regex", q(re.String()))
			}
		},
	}
}

// noReportSection is special_procedures: the report the recommendations
// of a special procedure's document go into when no report of the config
// takes the document, or a horizon after its adoption.
var noReportSection = section[NoReport]{keys: []key[NoReport]{
	{name: "report",
		read: func(d *decoder, f *fields, p *NoReport) {
			v, ok := d.str(f, "report", &p.Report)
			if !ok {
				return
			}
			var ids []string
			for _, r := range d.cfg.Reports {
				ids = append(ids, r.ID)
				if r.ID == v.text {
					return
				}
			}
			if len(ids) == 0 {
				d.errs.atNode(v, sub(f.path, "report"), "unknown report %q: the config names no report (see reports:); give a horizon instead", v.text)
				return
			}
			d.errs.atNode(v, sub(f.path, "report"), "unknown report %q; expected one of: %s", v.text, strings.Join(ids, ", "))
		},
		show: func(w *yamlWriter, n int, _ *Config, p *NoReport) {
			if p.Report != "" {
				w.kv(n, "report", q(p.Report))
			}
		}},
	{name: "horizon",
		read: func(d *decoder, f *fields, p *NoReport) {
			if v, ok := d.span(f, "horizon", &p.Horizon); ok && !positive(p.Horizon) {
				d.errs.atNode(v, sub(f.path, "horizon"), "must be longer than zero")
			}
		},
		show: func(w *yamlWriter, n int, _ *Config, p *NoReport) {
			if !p.Horizon.IsZero() {
				w.kv(n, "horizon", q(p.Horizon.String()))
			}
		}},
}, check: func(d *decoder, f *fields, p *NoReport) {
	if r, h := f.get("report"), f.get("horizon"); r != nil && h != nil {
		d.errs.atNode(h, sub(f.path, "horizon"), "give either report or horizon, not both: the report's due date would be the deadline")
	}
}}

// NoReportDeadline says, for an admin, where the deadlines of a special
// procedure's document that goes into no report come from: "the report
// upr-4", "2y after its adoption", or "" when the config gives none.
func (c *Config) NoReportDeadline() string {
	switch {
	case c.SpecialProcedures.Report != "":
		return "the report " + c.SpecialProcedures.Report
	case !c.SpecialProcedures.Horizon.IsZero():
		return c.SpecialProcedures.Horizon.String() + " after its adoption"
	}
	return ""
}

// TagRulesID identifies the tag rules: the store keeps the id of those it
// last applied and applies them again when it differs.
func (c *Config) TagRulesID() string { return hashJSON(c.Tags) }
