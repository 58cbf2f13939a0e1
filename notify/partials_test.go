package notify

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	ttemplate "text/template"
	"text/template/parse"
	"time"
)

// sharedParts are the parts a partials file writes for the layouts: the
// templates it defines with content. An empty one ("due") is a default
// that a layout may define for itself.
func sharedParts(t *testing.T, name string) []string {
	t.Helper()
	tmpl, err := ttemplate.New(name).Funcs(templateFuncs(time.UTC, "", nil)).Parse(mustReadEmbedded(t, "templates/"+name))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tt := range tmpl.Templates() {
		if tt.Name() != name && tt.Tree != nil && !parse.IsEmptyTree(tt.Tree.Root) {
			out = append(out, tt.Name())
		}
	}
	slices.Sort(out)
	return out
}

// redefined lists the shared parts that a layout's source defines again.
func redefined(src string, shared []string) []string {
	var out []string
	for _, m := range reDefine.FindAllStringSubmatch(src, -1) {
		if slices.Contains(shared, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// TestLayoutsDefineNoSharedPart: a cluster's row is written once per
// format, in partials.txt and partials.html, and every layout places
// that one: a layout that defines "cluster" (or another shared part)
// again is a copy that the next change to the row would miss (issue 21).
func TestLayoutsDefineNoSharedPart(t *testing.T) {
	for _, ext := range []string{".txt", ".html"} {
		shared := sharedParts(t, partialsStem+ext)
		if !slices.Contains(shared, "cluster") {
			t.Fatalf("%s%s does not define \"cluster\" (it defines %q): the test no longer reads it", partialsStem, ext, shared)
		}
		for _, name := range TemplateNames() {
			if filepath.Ext(name) != ext {
				continue
			}
			src := mustReadEmbedded(t, "templates/"+name)
			for _, n := range redefined(src, shared) {
				t.Errorf("%s defines %q again: place the one in %s%s", name, n, partialsStem, ext)
			}
		}
		// The check fails on a layout that keeps a copy of the row, as
		// each did before.
		copied := mustReadEmbedded(t, "templates/reminder"+ext) + mustReadEmbedded(t, "templates/"+partialsStem+ext)
		if got := redefined(copied, shared); !slices.Contains(got, "cluster") {
			t.Errorf("a reminder%s with its own \"cluster\" passed (%q)", ext, got)
		}
	}
}

// TestLayoutsPlaceTheSharedParts: each message's body places the shared
// parts it is made of (itself, or through another shared part: the
// reminder's rows place "cluster" through "group-task"), in both formats:
// a layout that wrote its page, greeting or rows out again would not.
func TestLayoutsPlaceTheSharedParts(t *testing.T) {
	r := newTestRenderer(t, "")
	groups := []string{"greeting", "group-rows", "group-task", "cluster"}
	overview := []string{"greeting", "overdue-list"}
	page := []string{"page-start", "page-end"}
	sections := []string{"h2", "more", "none"}
	for _, c := range []struct {
		kind       string
		text, html []string // the shared parts it places
	}{
		{kindReminder, groups, slices.Concat(groups, page, []string{"group-head"})},
		{kindEscalation, groups, slices.Concat(groups, page, []string{"group-head"})},
		{kindMinistryDigest, append(overview, "cluster"), slices.Concat(overview, []string{"cluster"}, page, sections)},
		{kindCoordinatorDigest, overview, slices.Concat(overview, page, sections)},
	} {
		set := r.sets[c.kind][""]
		if err := set.use(func() error { return nil }); err != nil {
			t.Fatal(err)
		}
		for _, ext := range []string{".txt", ".html"} {
			want, lookup := c.text, func(n string) bool { return set.text.Lookup(n) != nil }
			if ext == ".html" {
				want, lookup = c.html, func(n string) bool { return set.html.Lookup(n) != nil }
			}
			// The set keeps what its body places (keepText, keepHTML).
			for _, n := range sharedParts(t, partialsStem+ext) {
				if got := lookup(n); got != slices.Contains(want, n) {
					t.Errorf("%s%s places %q: %v, want %v", c.kind, ext, n, got, !got)
				}
			}
		}
	}
}

// TestClusterRowInEveryMessage: the one row shows a cluster in each
// message that lists clusters, in the message's own cell: its name and
// count, its members, and its page; with its deadline in the ministry's
// overview, whose rows each name theirs, and not in the reminder and the
// escalation, whose groups are headed by it.
func TestClusterRowInEveryMessage(t *testing.T) {
	r := newTestRenderer(t, "")
	cluster := func(tl *TaskLine) {
		tl.Cluster = &ClusterLine{Name: "Birth registration", Count: 4,
			Members: []string{"UPR 2025, A/HRC/59/15, 140.6", "CRC 2021, CRC/C/LAO/CO/5-6, 12 (a)"}, More: 2}
		tl.URL = "https://followup.example.org/c/7"
		tl.Also = nil
	}
	const (
		txtRow = "  - Cluster “Birth registration”: 4 recommendations answered by one action\n" +
			"    UPR 2025, A/HRC/59/15, 140.6; CRC 2021, CRC/C/LAO/CO/5-6, 12 (a), and 2 more\n"
		txtPage = "    Cluster page: https://followup.example.org/c/7\n"
		htmlRow = "<strong>Cluster “Birth registration”</strong> · 4 recommendations answered by one action<br>\n" +
			`<span style="color:#374151;">UPR 2025, A/HRC/59/15, 140.6; CRC 2021, CRC/C/LAO/CO/5-6, 12 (a), and 2 more</span>`
		htmlPage = "<br>\n" + `<a href="https://followup.example.org/c/7" style="color:#1d4ed8;">Open the cluster’s page</a>` + "\n</td></tr>"
	)
	rem := renderReminderData()
	cluster(&rem.Groups[0].Tasks[0])
	esc := renderEscalationData()
	esc.Ministries[0].Groups = slices.Clone(esc.Ministries[0].Groups)
	esc.Ministries[0].Groups[0].Tasks = slices.Clone(esc.Ministries[0].Groups[0].Tasks)
	cluster(&esc.Ministries[0].Groups[0].Tasks[0])
	dig := renderMinistryData()
	cluster(&dig.Coming[0])
	cluster(&dig.Supporting[0]) // another ministry's: it has no deadline of its own
	render := map[string]func() (Rendered, error){
		kindReminder:       func() (Rendered, error) { return r.Reminder(rem) },
		kindEscalation:     func() (Rendered, error) { return r.Escalation(esc) },
		kindMinistryDigest: func() (Rendered, error) { return r.MinistryDigest(dig) },
	}
	due := map[string][2]string{
		kindReminder:       {"", ""},
		kindEscalation:     {"", ""},
		kindMinistryDigest: {"    Due tomorrow, on 5 January 2027: Assigned → Acknowledged\n", "<br>\nDue tomorrow, on 5 January 2027: Assigned → Acknowledged"},
	}
	cell := map[string]string{
		kindReminder:       `<tr><td style="padding:8px 12px; border-bottom:1px solid #e5e7eb;">` + "\n",
		kindEscalation:     `<tr><td style="padding:8px 12px; border-bottom:1px solid #e5e7eb;">` + "\n",
		kindMinistryDigest: `<tr><td style="padding:8px 0; border-bottom:1px solid #e5e7eb;">` + "\n",
	}
	for _, kind := range []string{kindReminder, kindEscalation, kindMinistryDigest} {
		out, err := render[kind]()
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if want := txtRow + due[kind][0] + txtPage; !strings.Contains(out.Text, want) {
			t.Errorf("%s: the text does not show the cluster as\n%s\ngot:\n%s", kind, want, out.Text)
		}
		if want := cell[kind] + htmlRow + due[kind][1] + htmlPage; !strings.Contains(out.HTML, want) {
			t.Errorf("%s: the HTML does not show the cluster as\n%s\ngot:\n%s", kind, want, out.HTML)
		}
		if kind == kindMinistryDigest {
			if want := txtRow + txtPage; !strings.Contains(out.Text, want) {
				t.Errorf("%s: the text does not show the supported cluster as\n%s\ngot:\n%s", kind, want, out.Text)
			}
			if want := cell[kind] + htmlRow + htmlPage; !strings.Contains(out.HTML, want) {
				t.Errorf("%s: the HTML does not show the supported cluster as\n%s\ngot:\n%s", kind, want, out.HTML)
			}
		}
	}
}

// TestPartialsOverride: an admin's partials.txt changes a cluster's row in
// every message; an admin's layout that defines its own "cluster", as
// each layout did before the partials, keeps its own; an admin's partials
// file is read over the built-in one (the parts it leaves out stay); a
// broken partials file is reported with its name and line.
func TestPartialsOverride(t *testing.T) {
	dir := writeTemplates(t, map[string]string{
		"partials.txt": `{{define "cluster"}}GROUP {{.Cluster.Name}}{{template "due" .}}{{end}}{{define "due"}}{{end}}`,
		"reminder.txt": `{{define "subject"}}s{{end}}{{define "cluster"}}OWN {{.Cluster.Name}}{{end}}` +
			`{{define "body"}}Rows:{{range .Groups}}{{range .Tasks}}{{if .Cluster}} {{template "cluster" .}}{{end}}{{end}}{{end}}{{end}}`,
	})
	r := newTestRenderer(t, dir)
	rem := renderReminderData()
	rem.Groups[0].Tasks[0].Cluster = &ClusterLine{Name: "Birth registration", Count: 2}
	if out, err := r.Reminder(rem); err != nil || out.Text != "Rows: OWN Birth registration\n" {
		t.Errorf("reminder: want the layout's own cluster row, got %q %v", out.Text, err)
	}
	dig := renderMinistryData()
	dig.Coming[0].Cluster = &ClusterLine{Name: "Birth registration", Count: 2}
	out, err := r.MinistryDigest(dig)
	if err != nil {
		t.Fatal(err)
	}
	if want := "  - GROUP Birth registration\n    Due tomorrow"; !strings.Contains(out.Text, want) {
		t.Errorf("ministry digest: want the admin's row with the layout's \"due\" (%q), got\n%s", want, out.Text)
	}
	if strings.Contains(out.Text, "answered by one action") {
		t.Errorf("ministry digest: the built-in row is still used:\n%s", out.Text)
	}

	// An admin's partials.html is read over the built-in one: written when
	// the partials held the cluster's row alone, it changes that row and
	// the messages keep the built-in page, greeting and rows; a part it
	// defines again (the greeting) replaces the built-in one everywhere.
	dir = writeTemplates(t, map[string]string{
		"partials.html": `{{define "cluster"}}GROUP {{.Cluster.Name}}{{template "due" .}}{{end}}{{define "due"}}{{end}}` +
			`{{define "greeting"}}Hello {{.Name}},{{end}}`,
	})
	r = newTestRenderer(t, dir)
	out, err = r.Reminder(rem)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!DOCTYPE html>\n<html lang=\"en\">", `<p style="margin:0 0 16px 0;">Hello Ministry of Justice,</p>`,
		`<tr><td style="padding:8px 12px; border-bottom:1px solid #e5e7eb;">` + "\nGROUP Birth registration\n</td></tr>", "</body>\n</html>\n"} {
		if !strings.Contains(out.HTML, want) {
			t.Errorf("reminder with the admin's partials.html: want %q in\n%s", want, out.HTML)
		}
	}
	coord := renderCoordinatorData()
	if out, err = r.CoordinatorDigest(coord); err != nil || !strings.Contains(out.HTML, "Hello "+coord.Coordinator.Name+",") ||
		!strings.Contains(out.HTML, `<h2 style="margin:28px 0 8px 0;`) {
		t.Errorf("coordinator's overview with the admin's partials.html: %v\n%s", err, out.HTML)
	}

	dir = writeTemplates(t, map[string]string{"partials.html": "{{define \"cluster\"}}\n{{.Cluster.Name}\n{{end}}"})
	_, err = NewRenderer(dir, nil)
	if want := filepath.Join(dir, "partials.html") + ":2:"; err == nil || !strings.HasPrefix(err.Error(), want) || strings.Count(err.Error(), want) != 1 {
		t.Errorf("want one error at %s, got %v", want, err)
	}
}
