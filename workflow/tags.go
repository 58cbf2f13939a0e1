package workflow

import (
	"regexp"
	"slices"
	"strings"
)

// Tags are what a recommendation is about, as OHCHR indexes it: human
// rights themes, groups of affected persons and Sustainable Development
// Goal targets. They come from the Universal Human Rights Index, from
// OHCHR's UPR matrices and from the config's tag rules; assignment rules
// match on them, and the task lists filter by them.
type Tags struct {
	Themes          []string
	AffectedPersons []string
	SDGs            []string
}

// Empty reports whether there is no tag.
func (t Tags) Empty() bool {
	return len(t.Themes) == 0 && len(t.AffectedPersons) == 0 && len(t.SDGs) == 0
}

// TagsOf returns a recommendation's tags.
func TagsOf(r Recommendation) Tags {
	return Tags{Themes: r.Themes, AffectedPersons: r.AffectedPersons, SDGs: r.SDGs}
}

// With returns the recommendation with t's tags added to its own (each
// once, the recommendation's first).
func (t Tags) With(r Recommendation) Recommendation {
	r.Themes = MergeTags(r.Themes, t.Themes)
	r.AffectedPersons = MergeTags(r.AffectedPersons, t.AffectedPersons)
	r.SDGs = MergeTags(r.SDGs, t.SDGs)
	return r
}

// MergeTags returns the values of a, then those of b that a has not, each
// once whatever its case ("Women" and "women" are one tag, as the store
// keeps them). It returns a itself when b adds nothing.
func MergeTags(a, b []string) []string {
	var out []string
	for _, v := range b {
		v = strings.TrimSpace(v)
		if v == "" || slices.ContainsFunc(a, func(x string) bool { return strings.EqualFold(x, v) }) ||
			slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, v) }) {
			continue
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return a
	}
	return append(slices.Clip(a), out...)
}

// SDGMatches reports whether an SDG filter or rule value want ("16" or
// "16.3") covers the recommendation's value have: a goal covers itself and
// its targets ("16" covers "16.3", "16.a"), a target only itself.
func SDGMatches(want, have string) bool {
	want, have = strings.TrimSpace(want), strings.TrimSpace(have)
	if strings.EqualFold(want, have) {
		return true
	}
	return !strings.Contains(want, ".") && strings.HasPrefix(have, want+".")
}

// reSDGValue is an SDG goal (1 to 17) or target ("16.3", "16.a").
var reSDGValue = regexp.MustCompile(`^(1[0-7]|[1-9])(\.([1-9]|1[0-9]|[a-j]))?$`)

// ValidSDG reports whether s is an SDG goal ("5") or target ("16.3",
// "16.a") as followup writes them: the number alone.
func ValidSDG(s string) bool { return reSDGValue.MatchString(s) }

// matcher is the compiled criteria of an assignment rule or a tag rule:
// every criterion set must match.
type matcher struct {
	documents []string
	sections  []string // lower case
	keywords  []*regexp.Regexp
	regex     *regexp.Regexp
	themes    []string
	persons   []string
	sdgs      []string
}

func newMatcher(documents, sections, keywords []string, regex *regexp.Regexp, themes, persons, sdgs []string) matcher {
	m := matcher{documents: documents, regex: regex, themes: themes, persons: persons, sdgs: sdgs}
	for _, s := range sections {
		m.sections = append(m.sections, strings.ToLower(s))
	}
	for _, k := range keywords {
		// Whole words, any case: "police" must not match "policemen".
		// Word characters are letters, marks and digits of any script
		// (\b would know only ASCII: "l'éducation", Lao, "U.N.").
		m.keywords = append(m.keywords, regexp.MustCompile(`(?i)(?:^|[^\pL\pM\pN_])`+regexp.QuoteMeta(strings.TrimSpace(k))+`(?:$|[^\pL\pM\pN_])`))
	}
	return m
}

func (m *matcher) match(symbol string, rec Recommendation) bool {
	if len(m.documents) > 0 && !slices.Contains(m.documents, symbol) {
		return false
	}
	if len(m.sections) > 0 {
		sec, sub := strings.ToLower(rec.Section), strings.ToLower(rec.Subsection)
		if !slices.ContainsFunc(m.sections, func(s string) bool { return strings.Contains(sec, s) || strings.Contains(sub, s) }) {
			return false
		}
	}
	if len(m.keywords) > 0 && !slices.ContainsFunc(m.keywords, func(re *regexp.Regexp) bool { return re.MatchString(rec.Text) }) {
		return false
	}
	if m.regex != nil && !m.regex.MatchString(rec.Text) {
		return false
	}
	if len(m.themes) > 0 && !anyTheme(m.themes, rec.Themes) {
		return false
	}
	if len(m.persons) > 0 && !anyTheme(m.persons, rec.AffectedPersons) {
		return false
	}
	if len(m.sdgs) > 0 && !slices.ContainsFunc(m.sdgs, func(w string) bool {
		return slices.ContainsFunc(rec.SDGs, func(h string) bool { return SDGMatches(w, h) })
	}) {
		return false
	}
	return true
}

// Tagger applies the config's tag rules. Build it once per set of rules:
// it compiles every keyword.
type Tagger struct {
	rules []TagRule
	match []matcher
}

// NewTagger compiles tag rules.
func NewTagger(rules []TagRule) *Tagger {
	t := &Tagger{rules: rules}
	for _, r := range rules {
		t.match = append(t.match, newMatcher(r.Documents, r.Sections, r.Keywords, r.Regex, nil, nil, nil))
	}
	return t
}

// Tags returns the tags the rules give a recommendation of document
// symbol (not those it has of its own).
func (t *Tagger) Tags(symbol string, rec Recommendation) Tags {
	var out Tags
	if t == nil {
		return out
	}
	for i, r := range t.rules {
		if !t.match[i].match(symbol, rec) {
			continue
		}
		out.Themes = MergeTags(out.Themes, r.Themes)
		out.AffectedPersons = MergeTags(out.AffectedPersons, r.AffectedPersons)
		out.SDGs = MergeTags(out.SDGs, r.SDGs)
	}
	return out
}

// Apply returns the recommendation with the rules' tags added to its own:
// what assignment rules match on.
func (t *Tagger) Apply(symbol string, rec Recommendation) Recommendation {
	return t.Tags(symbol, rec).With(rec)
}
