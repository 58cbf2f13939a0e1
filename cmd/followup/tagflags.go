package main

// The tag filters of the task and recommendation lists: --theme, --person
// and --sdg, checked against the tags the database holds, so that a
// misspelt theme says so instead of listing nothing.

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

type tagFlags struct {
	theme, person, sdg *string
}

func addTagFlags(fs *flag.FlagSet) tagFlags {
	return tagFlags{
		theme:  fs.String("theme", "", "only recommendations with this human rights `theme` (its whole name, any case; followup recs tags lists them)"),
		person: fs.String("person", "", "only recommendations concerning this group of affected `persons` (its whole name, any case)"),
		sdg:    fs.String("sdg", "", "only recommendations linked to this SDG `goal or target` (16 takes its targets 16.1, 16.2…; 16.2 only itself)"),
	}
}

// filter checks the flags and returns the store's filter. A value no
// recommendation has is a mistake in the command (a misspelt theme lists
// nothing, which looks like an answer): it is refused, with the tags that
// contain it.
func (f tagFlags) filter(ctx context.Context, db *store.DB) (store.TagFilter, error) {
	tf := store.TagFilter{Theme: strings.TrimSpace(*f.theme), Person: strings.TrimSpace(*f.person), SDG: strings.TrimSpace(*f.sdg)}
	if tf.SDG != "" && !workflow.ValidSDG(tf.SDG) {
		return tf, usageError("--sdg: %q is not an SDG goal or target; write its number: a goal from 1 to 17 (16) or a target (16.2, 4.a)", tf.SDG)
	}
	if tf.Theme == "" && tf.Person == "" {
		return tf, nil
	}
	facets, err := db.TagFacets(ctx, 0)
	if err != nil {
		return tf, err
	}
	for _, c := range []struct{ flag, kind, value, what string }{
		{"--theme", store.TagTheme, tf.Theme, "theme"},
		{"--person", store.TagPerson, tf.Person, "group of affected persons"},
	} {
		if c.value == "" || containsFold(facets[c.kind], c.value) {
			continue
		}
		var near []string
		for _, t := range facets[c.kind] {
			if strings.Contains(strings.ToLower(t), strings.ToLower(c.value)) {
				near = append(near, fmt.Sprintf("%q", t))
			}
		}
		msg := fmt.Sprintf("%s: no recommendation has the %s %q", c.flag, c.what, c.value)
		switch {
		case len(near) > 0 && len(near) <= 10:
			msg += "; did you mean " + strings.Join(near, ", ") + "?"
		case len(near) > 10:
			msg += fmt.Sprintf("; %d %ss contain it (followup recs tags lists them)", len(near), c.kind)
		default:
			msg += " (followup recs tags lists the tags in use)"
		}
		return tf, usageError("%s", msg)
	}
	return tf, nil
}

func containsFold(list []string, v string) bool {
	for _, s := range list {
		if strings.EqualFold(s, v) {
			return true
		}
	}
	return false
}
