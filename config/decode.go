package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/goccy/go-yaml/ast"

	"github.com/followup-app/followup/civil"
)

// decoder reads the node tree into a Config. Each reader reports its own
// mistakes to errs and returns whether it produced a value, so a section
// with errors is still read as far as possible and every mistake in the
// file is found in one pass.
type decoder struct {
	errs   *errorList
	dir    string              // relative paths are resolved against it
	getenv func(string) string // never nil
	// noSecrets: secrets are not read (LoadOptions.NoSecrets).
	noSecrets bool

	cfg     *Config          // the config being read, for keys that depend on another section's
	ids     *idRegistry      // the coordinator's and the ministries' ids, once read
	firstAt map[string]*node // where each id of a list was first defined (unique)
}

// fields is one mapping of the file, checked against the keys its section
// allows.
type fields struct {
	n    *node // the mapping; a null node when the section is absent
	path string
	vals map[string]*node
}

// sub is the path of key inside path.
func sub(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// index is the path of the i-th item of the list at path.
func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// mapping checks that n is a mapping whose keys are all in allowed and
// appear once. A null n (section written with nothing under it, or absent)
// is an empty mapping. ok is false when n is not a mapping at all.
func (d *decoder) mapping(n *node, path string, allowed ...string) (f *fields, ok bool) {
	f = &fields{n: n, path: path, vals: map[string]*node{}}
	if n == nil {
		f.n = &node{kind: nullNode}
		return f, true
	}
	switch n.kind {
	case nullNode:
		return f, true
	case mapNode:
	default:
		d.errs.atNode(n, path, "expected a mapping (key: value lines), found %s", n.describe())
		return f, false
	}
	// A key written "!key" in allowed is accepted, so that the section's
	// own check can explain what is wrong with it (mail.smtp.password), but
	// it is not offered in the list of expected keys.
	var accepted, listed []string
	for _, k := range allowed {
		if name, hidden := strings.CutPrefix(k, "!"); hidden {
			accepted = append(accepted, name)
		} else {
			accepted = append(accepted, k)
			listed = append(listed, k)
		}
	}
	firstAt := map[string]*node{}
	for _, p := range n.pairs {
		if !contains(accepted, p.key) {
			d.errs.atNode(p.keyPos, path, "unknown key %q; expected one of: %s", p.key, strings.Join(listed, ", "))
			continue
		}
		if first, dup := firstAt[p.key]; dup {
			d.errs.atNode(p.keyPos, path, "duplicate key %q (first defined at line %d)", p.key, first.line)
			continue
		}
		firstAt[p.key] = p.keyPos
		f.vals[p.key] = p.val
	}
	return f, true
}

// get returns the value of key, or nil when it is absent or null: `key:`
// with nothing after it means "not set", as it does in most YAML tools.
func (f *fields) get(key string) *node {
	if v := f.vals[key]; v != nil && v.kind != nullNode {
		return v
	}
	return nil
}

// written reports whether key appears in the mapping, even with no value.
func (f *fields) written(key string) bool { return f.vals[key] != nil }

// missing reports a required key that is absent, at the mapping that lacks
// it.
func (d *decoder) missing(f *fields, key string) {
	if f.n.broken { // a merge key may have been meant to give it
		return
	}
	line, col := f.n.line, f.n.col
	d.errs.at(line, col, f.path, "missing required key %q", key)
}

// scalarOf returns the value of key if it is a scalar. A list or mapping
// where a scalar belongs is reported with want ("a string", "a number" …).
func (d *decoder) scalarOf(f *fields, key, want string) (*node, bool) {
	v := f.get(key)
	if v == nil {
		return nil, false
	}
	if v.kind != scalarNode {
		d.errs.atNode(v, sub(f.path, key), "expected %s, found %s", want, v.describe())
		return nil, false
	}
	return v, true
}

// str reads an optional string into dst. Any scalar is taken as written
// (`language: no` is the string "no"), since what a string must look like is
// checked by the caller.
func (d *decoder) str(f *fields, key string, dst *string) (*node, bool) {
	v, ok := d.scalarOf(f, key, "a string")
	if ok {
		*dst = v.text
	}
	return v, ok
}

// headerText refuses control characters in a text that goes into mail
// headers (a name, a unit, the sender): a line break or a tab there makes
// headers that strict mail parsers reject, and the admin never meant one.
// It reports whether the text is clean.
func (d *decoder) headerText(v *node, path string) bool {
	for i, r := range v.text {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			d.errs.atNode(v, path, "contains a control character (U+%04X at byte %d); names go into e-mail headers: write them on one line, without tabs or line breaks", r, i)
			return false
		}
	}
	return true
}

// reqStr reads a required, non-empty string.
func (d *decoder) reqStr(f *fields, key string, dst *string) (*node, bool) {
	if !f.written(key) {
		d.missing(f, key)
		return nil, false
	}
	v := f.vals[key]
	if v.kind == nullNode || (v.kind == scalarNode && strings.TrimSpace(v.text) == "") {
		d.errs.atNode(v, sub(f.path, key), "must not be empty")
		return nil, false
	}
	return d.str(f, key, dst)
}

// list returns the items of a list value; nil, false when the key is absent
// or null.
func (d *decoder) list(f *fields, key string) ([]*node, bool) {
	v := f.get(key)
	if v == nil {
		return nil, false
	}
	if v.kind != seqNode {
		d.errs.atNode(v, sub(f.path, key), "expected a list")
		return nil, false
	}
	return v.items, true
}

// strItem is one string of a list, with its position for later checks.
type strItem struct {
	s    string
	n    *node
	path string
}

// strList reads a list of non-empty strings. An empty list gives nil, so
// that "absent" and "[]" are the same Config.
func (d *decoder) strList(f *fields, key string) ([]strItem, bool) {
	items, ok := d.list(f, key)
	if !ok {
		return nil, false
	}
	var out []strItem
	good := true
	for i, it := range items {
		p := index(sub(f.path, key), i)
		switch {
		case it.kind != scalarNode:
			d.errs.atNode(it, p, "expected a string, found %s", it.describe())
			good = false
		case strings.TrimSpace(it.text) == "":
			d.errs.atNode(it, p, "must not be empty")
			good = false
		default:
			out = append(out, strItem{s: it.text, n: it, path: p})
		}
	}
	return out, good
}

func strs(items []strItem) []string {
	if len(items) == 0 {
		return nil
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.s
	}
	return out
}

// boolean reads true or false. YAML 1.1's yes/no/on/off are strings in
// YAML 1.2 and rejected here rather than guessed at.
func (d *decoder) boolean(f *fields, key string, dst *bool) {
	v := f.get(key)
	if v == nil {
		return
	}
	if v.kind != scalarNode || v.scalar != ast.BoolType {
		d.errs.atNode(v, sub(f.path, key), "expected true or false")
		return
	}
	*dst = strings.EqualFold(v.text, "true")
}

// integer reads a whole number between lo and hi.
func (d *decoder) integer(f *fields, key string, dst *int, lo, hi int) (*node, bool) {
	v := f.get(key)
	if v == nil {
		return nil, false
	}
	p := sub(f.path, key)
	if v.kind != scalarNode || v.scalar != ast.IntegerType {
		d.errs.atNode(v, p, "expected a whole number")
		return v, false
	}
	n, err := strconv.ParseInt(v.text, 0, 64)
	if err != nil || n < int64(lo) || n > int64(hi) {
		d.errs.atNode(v, p, "%s is out of range; expected a whole number from %d to %d", v.text, lo, hi)
		return v, false
	}
	*dst = int(n)
	return v, true
}

// duration reads a Go duration such as 36h, 90m or 1h30m.
func (d *decoder) duration(f *fields, key string, dst *time.Duration) (*node, bool) {
	v := f.get(key)
	if v == nil {
		return nil, false
	}
	p := sub(f.path, key)
	if v.kind != scalarNode {
		d.errs.atNode(v, p, "expected a duration such as 36h")
		return v, false
	}
	dur, err := time.ParseDuration(strings.TrimSpace(v.text))
	if err != nil {
		d.errs.atNode(v, p, "invalid duration %q: expected a duration such as 36h", v.text)
		return v, false
	}
	*dst = dur
	return v, true
}

// isDuration reports whether n is a duration that reads well.
func isDuration(n *node) bool {
	if n == nil || n.kind != scalarNode {
		return false
	}
	_, err := time.ParseDuration(strings.TrimSpace(n.text))
	return err == nil
}

// spanOf parses one calendar span value.
func (d *decoder) spanOf(v *node, path string) (civil.Span, bool) {
	if v.kind != scalarNode {
		d.errs.atNode(v, path, "expected a span such as 30d, 2w or 9mo")
		return civil.Span{}, false
	}
	s, err := civil.ParseSpan(v.text)
	if err != nil {
		d.errs.atNode(v, path, "%v", err)
		return civil.Span{}, false
	}
	return s, true
}

// span reads a calendar span such as 30d, 2w or 9mo.
func (d *decoder) span(f *fields, key string, dst *civil.Span) (*node, bool) {
	v := f.get(key)
	if v == nil {
		return nil, false
	}
	s, ok := d.spanOf(v, sub(f.path, key))
	if ok {
		*dst = s
	}
	return v, ok
}

// date reads a calendar date YYYY-MM-DD.
func (d *decoder) date(f *fields, key string, dst *civil.Date) (*node, bool) {
	v := f.get(key)
	if v == nil {
		return nil, false
	}
	p := sub(f.path, key)
	if v.kind != scalarNode {
		d.errs.atNode(v, p, "expected a date YYYY-MM-DD")
		return v, false
	}
	t, err := civil.ParseDate(strings.TrimSpace(v.text))
	if err != nil {
		d.errs.atNode(v, p, "invalid date %q: expected a date YYYY-MM-DD", v.text)
		return v, false
	}
	*dst = t
	return v, true
}

// spanDays orders spans whose months and days cannot be compared exactly
// (is 1mo longer than 30d?): a month counts as its average length.
func spanDays(s civil.Span) float64 { return float64(s.Months)*30.436875 + float64(s.Days) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// positive reports whether a span is longer than zero. Spans are built from
// unsigned numbers, so only the zero span is not positive.
func positive(s civil.Span) bool { return s.Months > 0 || s.Days > 0 }
