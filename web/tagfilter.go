package web

// The tag filters of the coordinator's task list, its CSV export and the
// public page: a theme, a group of affected persons, an SDG goal or
// target. The form offers the tags in use; a value it never offers is
// refused with what is wrong, as the other filters are.

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// tagValues are the tag filters as a form sends them.
type tagValues struct {
	Theme, Person, SDG string
}

func tagValuesOf(v url.Values) tagValues {
	return tagValues{Theme: strings.TrimSpace(v.Get("theme")), Person: strings.TrimSpace(v.Get("person")), SDG: strings.TrimSpace(v.Get("sdg"))}
}

func (t tagValues) set(v url.Values) {
	for k, x := range map[string]string{"theme": t.Theme, "person": t.Person, "sdg": t.SDG} {
		if x != "" {
			v.Set(k, x)
		}
	}
}

// tagOptions are the choices of the tag filters: the tags in use, and
// for SDGs the goals of the targets in use too (a goal takes its targets).
// Empty when no recommendation has a tag: the form then shows no tag
// filter.
type tagOptions struct {
	Themes, Persons, SDGs []option
}

func (o tagOptions) Any() bool { return len(o.Themes)+len(o.Persons)+len(o.SDGs) > 0 }

// tagFilter checks the tag filters against the tags in use (facets) and
// returns the store's filter and the form's choices; lang is the page's
// language, for the refusal.
func tagFilter(t tagValues, facets map[string][]string, lang string) (store.TagFilter, tagOptions, error) {
	f := store.TagFilter{Theme: t.Theme, Person: t.Person, SDG: t.SDG}
	var o tagOptions
	opts := func(values []string, chosen, anyLabel string) []option {
		if len(values) == 0 {
			return nil
		}
		out := []option{{"", anyLabel, chosen == ""}}
		for _, v := range values {
			out = append(out, option{v, v, strings.EqualFold(v, chosen)})
		}
		return out
	}
	o.Themes = opts(facets[store.TagTheme], t.Theme, tr(lang, "Any theme"))
	o.Persons = opts(facets[store.TagPerson], t.Person, tr(lang, "Any group of persons"))
	o.SDGs = opts(sdgChoices(facets[store.TagSDG]), t.SDG, tr(lang, "Any SDG"))
	switch {
	case t.Theme != "" && !slices.ContainsFunc(facets[store.TagTheme], func(v string) bool { return strings.EqualFold(v, t.Theme) }):
		return f, o, &filterError{tr(lang, "No recommendation has the theme “%s”.", t.Theme)}
	case t.Person != "" && !slices.ContainsFunc(facets[store.TagPerson], func(v string) bool { return strings.EqualFold(v, t.Person) }):
		return f, o, &filterError{tr(lang, "No recommendation concerns the group “%s”.", t.Person)}
	case t.SDG != "" && !workflow.ValidSDG(t.SDG):
		return f, o, &filterError{tr(lang, "“%s” is not an SDG goal or target: choose one from the list.", t.SDG)}
	}
	return f, o, nil
}

// sdgChoices are the SDG targets in use with their goals, goals first
// and in number order: "4", "4.1", "16", "16.2", "16.9".
func sdgChoices(inUse []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range inUse {
		goal, _, _ := strings.Cut(s, ".")
		for _, v := range []string{goal, s} {
			if !seen[v] && workflow.ValidSDG(v) {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	slices.SortFunc(out, compareSDG)
	return out
}

// compareSDG orders SDGs by goal, then target, numbers as numbers and
// lettered targets after numbered ones.
func compareSDG(a, b string) int {
	ga, ta, _ := strings.Cut(a, ".")
	gb, tb, _ := strings.Cut(b, ".")
	if c := compareNum(ga, gb); c != 0 {
		return c
	}
	return compareNum(ta, tb)
}

func compareNum(a, b string) int {
	if len(a) != len(b) && isDigits(a) && isDigits(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// taskTags reads the tags of a page of tasks, for the list to show beside
// each.
func (s *Server) taskTags(ctx context.Context, tasks []store.DashTask) (map[int64]workflow.Tags, error) {
	return s.db.TagsOf(ctx, taskIDs(tasks))
}

// tagLine writes a task's tags on one line for the list: themes, then
// groups of persons, then SDG targets.
func tagLine(t workflow.Tags, lang string) string {
	var parts []string
	parts = append(parts, t.Themes...)
	parts = append(parts, t.AffectedPersons...)
	for _, g := range t.SDGs {
		parts = append(parts, tr(lang, "SDG %s", g))
	}
	return strings.Join(parts, " · ")
}
