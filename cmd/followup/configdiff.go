package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/store"
)

// The reload rule. A config file can be read while an editor or a copy is
// still writing it, however long the writer pauses, and the first part of
// a file is often valid YAML on its own: applying it loses owners,
// recipients, sessions and the relay. No waiting tells a finished file
// from a pause, so the rule looks at what the file would change instead.
// A reload, by the heartbeat or by SIGHUP, is HELD (not applied, said in
// the log, in followup status and on the dashboard) when, compared with
// the config in force, the new file
//
//   - drops a setting the file in force has: a section, a key, an entry
//     of a list (a ministry, a focal point, a document, a stage, a rule);
//     a file cut short always loses its last settings;
//   - does not end with a line break: a write cut inside a line leaves a
//     truncated last value that is no longer missing, only wrong;
//   - switches the mail transport (smtp <-> file);
//   - changes the owner of more than a tenth of the tasks.
//
// Anything else (values changed, settings added) is applied as before.
// The admin confirms a held file with `followup config apply`, which
// first shows what it changes, as `followup config diff` does for any
// edit; the daemon applies a confirmed file at its next heartbeat. A
// restart applies the file as it is (the admin is there).

// configDiff is what a config file changes compared with the one in
// force.
type configDiff struct {
	Dropped   []string // settings of the file in force the new one lacks, the outermost of each
	NoNewline bool     // the file does not end with a line break
	Transport string   // `"smtp" -> "file"` when mail.transport changes
	Mail      []string // where mail goes: the relay, the sender, recipients removed (MailChanges)
	Added     []string // recipients added
	Schedules []string // schedules and the time zone
	Tasks     int      // tasks in the database
	Moved     int      // tasks whose owner the new rules change
	MovedList []store.OwnerChange
}

// movedShown is how many tasks that change owner a diff names.
const movedShown = 20

// diffConfigs compares newText (cfg) with oldText (old), the file in
// force; db gives the tasks whose owners the new rules would change.
func diffConfigs(ctx context.Context, db *store.DB, oldText, newText []byte, old, cfg *config.Config) (configDiff, error) {
	var d configDiff
	before, err := settings(oldText)
	if err != nil {
		return d, fmt.Errorf("the config in force: %w", err)
	}
	after, err := settings(newText)
	if err != nil {
		return d, err
	}
	for p, parent := range before {
		if _, ok := after[p]; ok {
			continue
		}
		if _, gone := after[parent]; parent != "" && !gone {
			continue // its parent went: say the parent
		}
		d.Dropped = append(d.Dropped, p)
	}
	sort.Strings(d.Dropped)
	d.NoNewline = len(newText) > 0 && !bytes.HasSuffix(newText, []byte("\n"))
	if old.Mail.Transport != cfg.Mail.Transport {
		d.Transport = fmt.Sprintf("%q -> %q", old.Mail.Transport, cfg.Mail.Transport)
	}
	d.Mail = MailChanges(old, cfg)
	d.Added = recipientsAdded(old, cfg)
	d.Schedules = scheduleChanges(old, cfg)
	if old.RulesID() != cfg.RulesID() {
		if d.Tasks, d.Moved, d.MovedList, err = db.OwnerChanges(ctx, planner(cfg), movedShown); err != nil {
			return d, err
		}
	}
	return d, nil
}

// holdReasons says why the daemon holds this file until the admin
// confirms it; none when it applies it by itself.
func (d configDiff) holdReasons() []string {
	var out []string
	if len(d.Dropped) > 0 {
		out = append(out, "it drops "+strings.Join(d.Dropped, ", "))
	}
	if d.NoNewline {
		out = append(out, "it does not end with a line break (a file still being written?)")
	}
	if d.Transport != "" {
		out = append(out, "it switches mail.transport "+d.Transport)
	}
	if d.Tasks > 0 && d.Moved*10 > d.Tasks {
		out = append(out, fmt.Sprintf("it changes the owner of %d of %d tasks", d.Moved, d.Tasks))
	}
	return out
}

// empty reports whether the file changes nothing the diff looks at.
func (d configDiff) empty() bool {
	return len(d.Dropped) == 0 && !d.NoNewline && d.Transport == "" && len(d.Mail) == 0 && len(d.Added) == 0 &&
		len(d.Schedules) == 0 && d.Moved == 0
}

// print writes the diff for an admin, one fact per line.
func (d configDiff) print(w io.Writer) {
	line := func(what string, items []string) {
		if len(items) > 0 {
			fmt.Fprintf(w, "%-18s %s\n", what+":", strings.Join(items, "; "))
		}
	}
	line("settings dropped", d.Dropped)
	if d.NoNewline {
		fmt.Fprintf(w, "%-18s %s\n", "end of file:", "no line break at the end (a file still being written?)")
	}
	line("where mail goes", d.Mail)
	line("recipients added", d.Added)
	line("schedules", d.Schedules)
	switch {
	case d.Moved > 0:
		fmt.Fprintf(w, "%-18s %d of %d change owner\n", "tasks:", d.Moved, d.Tasks)
		for _, c := range d.MovedList {
			fmt.Fprintf(w, "  %s %s (task %d): %s -> %s\n", c.Symbol, c.RecID, c.TaskID, ownerName(c.From), ownerName(c.To))
		}
		if d.Moved > len(d.MovedList) {
			fmt.Fprintf(w, "  and %d more\n", d.Moved-len(d.MovedList))
		}
	case d.Tasks > 0:
		fmt.Fprintf(w, "%-18s %s\n", "tasks:", "no task changes owner")
	}
	if d.empty() {
		fmt.Fprintln(w, "nothing that followup config diff looks at changes (owners, recipients, schedules, transport, settings dropped)")
	}
}

func ownerName(id string) string {
	if id == "" {
		return "unassigned"
	}
	return id
}

// settings lists every setting of a config file, by path
// ("mail.smtp.host", "ministries[moj].focal_points[1].email"), each with
// its parent's path ("" at the top). An entry of a list is named by its
// id when it has one (a ministry, a stage, a report: reordering them
// drops nothing), else by its place: a list that gets shorter drops its
// last entries, while an entry whose values change (a corrected address)
// drops nothing.
func settings(text []byte) (map[string]string, error) {
	var root any
	if err := yaml.Unmarshal(text, &root); err != nil {
		return nil, fmt.Errorf("read the YAML: %w", err)
	}
	out := map[string]string{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				p := k
				if path != "" {
					p = path + "." + k
				}
				out[p] = path
				walk(p, c)
			}
		case []any:
			for i, c := range v {
				name := fmt.Sprint(i)
				if m, ok := c.(map[string]any); ok {
					if id, ok := m["id"].(string); ok && id != "" {
						name = id
					}
				}
				p := fmt.Sprintf("%s[%s]", path, name)
				out[p] = path
				walk(p, c)
			}
		}
	}
	walk("", root)
	return out, nil
}

// recipientsAdded lists the addresses of the new config that the old one
// did not have, "address (body)".
func recipientsAdded(old, cfg *config.Config) []string {
	had := map[string]bool{}
	for _, b := range append([]config.Body{old.Coordinator}, old.Ministries...) {
		for _, fp := range b.FocalPoints {
			had[strings.ToLower(fp.Email)] = true
		}
	}
	var out []string
	for _, b := range append([]config.Body{cfg.Coordinator}, cfg.Ministries...) {
		for _, fp := range b.FocalPoints {
			if !had[strings.ToLower(fp.Email)] {
				out = append(out, fmt.Sprintf("recipient added: %s (%s)", fp.Email, b.ID))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// scheduleChanges lists the schedules, the heartbeat, the grace window and
// the time zone that change.
func scheduleChanges(old, cfg *config.Config) []string {
	var out []string
	diff := func(what, a, b string) {
		if a != b {
			out = append(out, fmt.Sprintf("%s: %q -> %q", what, a, b))
		}
	}
	o, n := old.Schedules, cfg.Schedules
	diff("time_zone", old.TimeZone, cfg.TimeZone)
	diff("schedules.reminders", o.Reminders.Spec, n.Reminders.Spec)
	diff("schedules.coordinator_digest", o.CoordinatorDigest.Spec, n.CoordinatorDigest.Spec)
	diff("schedules.ministry_digest", o.MinistryDigest.Spec, n.MinistryDigest.Spec)
	diff("schedules.heartbeat", o.Heartbeat.String(), n.Heartbeat.String())
	diff("schedules.grace", o.Grace.String(), n.Grace.String())
	return out
}
