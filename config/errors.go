package config

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one mistake in a config file, at the line and column (both
// 1-based) of the key or value it is about. Msg starts with the YAML path of
// that key ("ministries[2].focal_points[0].email: …") except for syntax
// errors ("malformed YAML: …").
type Error struct {
	File         string
	Line, Column int
	Msg          string
}

// Error formats e as "file:line:column: msg", the form editors and CI log
// viewers turn into links.
func (e *Error) Error() string {
	if e.Line <= 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// Errors is every mistake found in one file, in file order. Load and Parse
// return it (as error) so that `followup config check` can print all of
// them at once, one per line, instead of making the admin fix and rerun one
// at a time.
type Errors []*Error

// Error returns one error per line, in file order.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// errorList collects errors while a file is decoded.
type errorList struct {
	file string
	errs Errors
}

// at records an error at a position. path is the YAML path of the key or
// value; "" for messages about the file as a whole.
func (l *errorList) at(line, col int, path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	l.errs = append(l.errs, &Error{File: l.file, Line: line, Column: col, Msg: oneLine(msg)})
}

// atNode records an error at the position of n, unless n stands for a
// value the parser could not give (see node.broken): that mistake is
// already reported, and what the walker would add is the same one again.
func (l *errorList) atNode(n *node, path, format string, args ...any) {
	if n.broken {
		return
	}
	l.at(n.line, n.col, path, format, args...)
}

// sorted returns the errors in file order; errors at the same position keep
// the order they were found in.
func (l *errorList) sorted() Errors {
	es := append(Errors(nil), l.errs...)
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Column < es[j].Column
	})
	return es
}

// Merge returns es and the errors of a later check together, in file
// order. A later error at a place es already has an error for is dropped:
// a ministry whose language tag is malformed is one mistake, not also "no
// mail templates for" that tag.
func (es Errors) Merge(later Errors) Errors {
	type place struct {
		file      string
		line, col int
	}
	seen := map[place]bool{}
	out := append(Errors(nil), es...)
	for _, e := range es {
		seen[place{e.File, e.Line, e.Column}] = true
	}
	for _, e := range later {
		if e.Line > 0 && seen[place{e.File, e.Line, e.Column}] {
			continue
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Column < out[j].Column
	})
	return out
}

// oneLine keeps a message on one line, whatever a parser or a value put in
// it: `config check` prints one error per line and tools split on newlines.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\n\r\t") {
		return s
	}
	r := strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", `\t`)
	return r.Replace(s)
}
