package notify

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	texttemplate "text/template"
	"time"
	"unicode/utf8"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/render")

// renderZone is the config's zone in the fixtures: Vientiane is UTC+7 all
// year, written as a fixed zone so the tests need no tz database.
var renderZone = time.FixedZone("ICT", 7*3600)

var renderToday = civil.D(2027, time.January, 4)

func renderCoordinator() config.Body {
	return config.Body{ID: "ncmc", Name: "National Commission for Mothers and Children", Language: "en",
		FocalPoints: []config.FocalPoint{
			{Name: "Secretariat of the National Commission", Email: "secretariat@ncmc.example.org"},
			{Name: "Child rights reporting officer", Unit: "Child Protection Division", Email: "child-rights@ncmc.example.org"},
		}}
}

// renderJustice has a focal point whose name is in Lao script, and the
// language "lo" with no Lao templates: the English ones are used.
func renderJustice() config.Body {
	return config.Body{ID: "moj", Name: "Ministry of Justice", Language: "en",
		FocalPoints: []config.FocalPoint{
			{Name: "ທ່ານ ສົມພອນ ແກ້ວມະນີ", Unit: "Department of Legislation", Email: "legislation@moj.example.org"},
		}}
}

func renderSecurity() config.Body {
	return config.Body{ID: "mps", Name: "Ministry of Public Security", Language: "en",
		FocalPoints: []config.FocalPoint{
			{Name: "Focal point, Border Police Department", Unit: "Border Police Department", Email: "border-police@mps.example.org"},
			{Name: "Focal point, Anti-Human Trafficking Department", Unit: "Anti-Human Trafficking Department", Email: "anti-trafficking@mps.example.org"},
		}}
}

func renderTask(para, item, text, stage string, owner config.Body, days int, label string) TaskLine {
	t := TaskLine{ID: "CRC/C/OPSC/LAO/CO/1:" + para + item, Paragraph: para, Text: text, Stage: stage,
		Owner: owner.Name, OwnerID: owner.ID}
	if item != "" {
		t.Paragraph = para + " (" + item + ")"
	}
	if owner.ID == "" {
		t.Owner = "Unassigned"
	}
	if label != "" {
		t.Deadline = renderToday.AddDays(days)
		t.DeadlineLabel = label
		t.DaysLeft = days
		t.Overdue = days < 0
	}
	return t
}

const (
	textIncorporate = "Take all necessary measures to ensure that all offences under the Optional Protocol are fully covered by its Criminal Code and that the Code defines and criminalizes the sale of children, as distinct from trafficking in persons."
	textRegistry    = "Establish a comprehensive data collection system, disaggregated by age, sex, ethnicity and geographical location, on all offences under the Optional Protocol."
	textTourism     = "Adopt legislation prohibiting child sex tourism and ensure that the tourism industry adopts a code of conduct."
	textBorders     = "Strengthen the identification of child victims at border crossings, in particular children travelling with adults who are not their parents."
	textCurricula   = "Include information on the Optional Protocol in school curricula."
)

func renderReminderData() ReminderData { return renderReminderDataIn("en") }

// renderReminderDataIn is the reminder of the goldens with its asks in
// lang, as the planner writes them for a ministry of that language.
func renderReminderDataIn(lang string) ReminderData {
	moj := renderJustice()
	coord := "National Commission for Mothers and Children"
	return ReminderData{Ministry: moj, Coordinator: renderCoordinator(), Date: renderToday, TaskCount: 8, AnyOverdue: true,
		Groups: []ReminderGroup{
			{Kind: "overdue", Deadline: renderToday.AddDays(-3), Label: "Acknowledged → Action planned", DaysLeft: -3,
				Ask: ExpandAsk(config.DefaultAsk("acknowledged", lang), coord, renderToday.AddDays(-3), renderToday, lang),
				Tasks: []TaskLine{
					renderTask("30", "a", textIncorporate, "Acknowledged", moj, -3, "Acknowledged → Action planned"),
					renderTask("30", "b", textBorders, "Acknowledged", moj, -3, "Acknowledged → Action planned"),
				}, More: 3},
			{Kind: "due", Deadline: renderToday, Label: "Assigned → Acknowledged", DaysLeft: 0,
				Ask:   ExpandAsk(config.DefaultAsk("assigned", lang), coord, renderToday, renderToday, lang),
				Tasks: []TaskLine{renderTask("28", "a", textTourism, "Assigned", moj, 0, "Assigned → Acknowledged")}},
			{Kind: "lead", Deadline: renderToday.AddDays(14), Label: "Ministries send their inputs to the National Commission (crc-next)", DaysLeft: 14,
				Ask: ExpandAsk(config.DefaultAsk("in_progress", lang), coord, renderToday.AddDays(14), renderToday, lang),
				Tasks: []TaskLine{
					renderTask("30", "a", textIncorporate, "Acknowledged", moj, 14, "Ministries send their inputs to the National Commission (crc-next)"),
					renderTask("28", "a", textTourism, "Assigned", moj, 14, "Ministries send their inputs to the National Commission (crc-next)"),
				}},
		}, Calendar: true}
}

func renderEscalationData() EscalationData {
	moj := renderJustice()
	groups := []ReminderGroup{{Kind: "escalation", Deadline: renderToday.AddDays(-45), Label: "Assigned → Acknowledged", DaysLeft: -45,
		Tasks: []TaskLine{
			renderTask("30", "c", textBorders, "Assigned", moj, -45, "Assigned → Acknowledged"),
			renderTask("32", "", textIncorporate, "Assigned", moj, -45, "Assigned → Acknowledged"),
		}}}
	return EscalationData{Ministry: moj, Coordinator: renderCoordinator(), Date: renderToday, After: civil.Span{Days: 30}, TaskCount: 2,
		Groups: groups, Ministries: []EscalatedMinistry{{Ministry: moj, TaskCount: 2, Groups: groups, RemindersDelivered: 3,
			LastReminder: time.Date(2026, 12, 21, 1, 0, 0, 0, time.UTC)}}}
}

func renderStages() []StageInfo {
	return []StageInfo{
		{ID: "assigned", Name: "Assigned"}, {ID: "acknowledged", Name: "Acknowledged"},
		{ID: "action_planned", Name: "Action planned"}, {ID: "in_progress", Name: "In progress"},
		{ID: "implemented", Name: "Implemented"}, {ID: "partially_implemented", Name: "Partially implemented"},
		{ID: "reported", Name: "Reported in the periodic report", Final: true},
		{ID: "not_accepted", Name: "Closed: not accepted", Final: true},
	}
}

// renderCoordinatorData has an empty section (no unassigned tasks), a
// failed and an uncertain delivery.
func renderCoordinatorData() CoordinatorDigestData {
	moj, mps := renderJustice(), renderSecurity()
	due := civil.D(2028, time.January, 31)
	milestone := func(name string, before civil.Span) MilestoneCountdown {
		d := due.Sub(before)
		return MilestoneCountdown{Name: name, Date: d, DaysLeft: renderToday.DaysUntil(d), Passed: d.Before(renderToday)}
	}
	return CoordinatorDigestData{
		Coordinator: renderCoordinator(), Date: renderToday,
		Since: time.Date(2026, 12, 28, 1, 0, 0, 0, time.UTC), // 08:00 in Vientiane
		Reports: []ReportCountdown{
			{ID: "crc-next", Title: "Next periodic report under the Convention on the Rights of the Child", Due: due,
				DaysLeft: renderToday.DaysUntil(due), Milestones: []MilestoneCountdown{
					milestone("Questionnaire sent to ministries", civil.Span{Months: 14}),
					milestone("Ministries send their inputs to the National Commission", civil.Span{Months: 9}),
					milestone("National validation workshop", civil.Span{Months: 3}),
				}},
		},
		Stages: renderStages(),
		Progress: []MinistryProgress{
			{ID: "moj", Name: moj.Name, Counts: []int{4, 3, 1, 2, 0, 0, 2, 0}, Open: 10, Closed: 2, Total: 12, Overdue: 5},
			{ID: "mps", Name: mps.Name, Counts: []int{1, 0, 0, 5, 1, 1, 0, 1}, Open: 8, Closed: 1, Total: 9, Overdue: 0},
		},
		TotalTasks: 21, OpenTasks: 18,
		Overdue: []TaskLine{
			renderTask("30", "a", textIncorporate, "Acknowledged", moj, -3, "Acknowledged → Action planned"),
			renderTask("30", "b", textBorders, "Acknowledged", moj, -3, "Acknowledged → Action planned"),
		},
		OverdueMore: 3,
		Changes: []ChangeLine{
			{At: time.Date(2027, 1, 3, 2, 15, 0, 0, time.UTC), TaskID: "CRC/C/OPSC/LAO/CO/1:26a", Actor: "Somsack (NCMC)", Kind: "stage",
				From: "Assigned", To: "Acknowledged", Note: "Letter no. 112 received from the Ministry"},
			{At: time.Date(2027, 1, 3, 2, 20, 0, 0, time.UTC), TaskID: "CRC/C/OPSC/LAO/CO/1:8", Actor: "admin", Kind: "assign", From: "", To: "Lao Statistics Bureau"},
			{At: time.Date(2027, 1, 3, 9, 5, 0, 0, time.UTC), TaskID: "CRC/C/OPSC/LAO/CO/1:34", Actor: "admin", Kind: "assign", From: "Ministry of Justice", To: "Ministry of Foreign Affairs"},
		},
		Automatic: []AutomaticLine{{Actor: "import", Kind: "created", Tasks: 43}, {Actor: "rules", Kind: "assign", Tasks: 5}},
		Failed: []DeliveryLine{
			{At: time.Date(2027, 1, 2, 1, 0, 0, 0, time.UTC), Subject: "[followup] Ministry of Justice: 3 tasks due soon",
				To: "legislation@moj.example.org", Status: "failed", Error: "550 5.1.1 <legislation@moj.example.org>: mailbox unavailable"},
			{At: time.Date(2027, 1, 2, 1, 0, 5, 0, time.UTC), Subject: "[followup] Ministry of Public Security: 2 tasks overdue",
				To: "border-police@mps.example.org, anti-trafficking@mps.example.org", Status: "uncertain",
				Error: "smtp: no reply after the end of data, the server may have accepted the message: i/o timeout"},
		},
		MailChanges: []MailChangeLine{{At: time.Date(2027, 1, 3, 3, 0, 0, 0, time.UTC),
			Changes: []string{`mail.transport: "smtp" -> "file"`, "recipient removed: legislation@moj.example.org (moj)"}}},
	}
}

func renderMinistryData() MinistryDigestData {
	mps := renderSecurity()
	mtc := config.Body{ID: "mtc", Name: "Ministry of Technology and Communications"}
	support := renderTask("26", "a", "Strengthen the capacity of the Security Emergency Response Team of the National Internet Centre to block websites with child sexual abuse material.", "In progress", mtc, 0, "")
	return MinistryDigestData{Ministry: mps, Coordinator: renderCoordinator(), Date: renderToday, OpenTasks: 8,
		// Each task once: 28 (b) and 30 (b) are coming, so their stages
		// count them without listing them again.
		ByStage: []StageTasks{
			{Stage: StageInfo{ID: "assigned", Name: "Assigned"}, Count: 1},
			{Stage: StageInfo{ID: "in_progress", Name: "In progress"}, Count: 5, Later: 4,
				Tasks: []TaskLine{
					renderTask("20", "c", "Investigate and prosecute all offences under the Optional Protocol.", "In progress", mps, 0, ""),
				}, More: 3},
			{Stage: StageInfo{ID: "implemented", Name: "Implemented"}, Count: 1, Later: 1,
				Tasks: []TaskLine{renderTask("14", "c", textCurricula, "Implemented", mps, 0, "")}},
			{Stage: StageInfo{ID: "partially_implemented", Name: "Partially implemented"}, Count: 1, Later: 1,
				Tasks: []TaskLine{renderTask("8", "", textRegistry, "Partially implemented", mps, 0, "")}},
		},
		Coming: []TaskLine{
			renderTask("28", "b", "Strengthen police surveillance of hotels and guest houses.", "Assigned", mps, 1, "Assigned → Acknowledged"),
			renderTask("30", "b", textBorders, "In progress", mps, 87, "Ministries send their inputs to the National Commission (crc-next)"),
		},
		Supporting: []TaskLine{support},
	}
}

// renderGolden is one golden file: its name and how to produce it in a
// language (the recipients' language).
type renderGolden struct {
	name   string
	render func(r *Renderer, lang string) (Rendered, error)
}

func renderGoldens() []renderGolden {
	return []renderGolden{
		{"reminder", func(r *Renderer, lang string) (Rendered, error) {
			d := renderReminderDataIn(lang)
			d.Ministry.Language, d.Coordinator.Language = lang, lang
			return r.Reminder(d)
		}},
		{"escalation", func(r *Renderer, lang string) (Rendered, error) {
			d := renderEscalationData()
			d.Ministry.Language, d.Coordinator.Language = lang, lang
			return r.Escalation(d)
		}},
		{"coordinator-digest", func(r *Renderer, lang string) (Rendered, error) {
			d := renderCoordinatorData()
			d.Coordinator.Language = lang
			return r.CoordinatorDigest(d)
		}},
		{"ministry-digest", func(r *Renderer, lang string) (Rendered, error) {
			d := renderMinistryData()
			d.Ministry.Language, d.Coordinator.Language = lang, lang
			return r.MinistryDigest(d)
		}},
	}
}

func newTestRenderer(t testing.TB, dir string) *Renderer {
	t.Helper()
	r, err := NewRenderer(dir, renderZone)
	if err != nil {
		t.Fatalf("NewRenderer(%q): %v", dir, err)
	}
	return r
}

// TestRenderGolden compares every kind of message, text (with its subject)
// and HTML, with testdata/render. Run with -update to rewrite the files,
// then read the diff.
func TestRenderGolden(t *testing.T) {
	r := newTestRenderer(t, "")
	for _, lang := range BuiltinLanguages() {
		for _, g := range renderGoldens() {
			// English keeps the plain names: K.txt; the others K.LANG.txt,
			// as the templates are named.
			stem := g.name
			if lang != "en" {
				stem += "." + lang
			}
			t.Run(stem, func(t *testing.T) {
				out, err := g.render(r, lang)
				if err != nil {
					t.Fatal(err)
				}
				if out.Language != lang {
					t.Errorf("Content-Language %q, want %q", out.Language, lang)
				}
				if want := `<html lang="` + lang + `">`; !strings.Contains(out.HTML, want) {
					t.Errorf("the HTML does not declare %s", want)
				}
				files := map[string]string{
					stem + ".txt":  "Subject: " + out.Subject + "\n\n" + out.Text,
					stem + ".html": out.HTML,
				}
				for name, got := range files {
					path := filepath.Join("testdata", "render", name)
					if *updateGolden {
						if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
							t.Fatal(err)
						}
						continue
					}
					want, err := os.ReadFile(path)
					if err != nil {
						t.Fatalf("%v (run go test ./notify -run TestRenderGolden -update to create it)", err)
					}
					if got != string(want) {
						t.Errorf("%s differs from the golden file (run with -update and read the diff):\n%s", path, firstDiff(string(want), got))
					}
				}
				checkRendered(t, out)
			})
		}
	}
}

// checkRendered checks what every message must be, whatever the template.
func checkRendered(t *testing.T, out Rendered) {
	t.Helper()
	if out.Subject == "" || strings.ContainsAny(out.Subject, "\r\n\t") || out.Subject != strings.TrimSpace(out.Subject) {
		t.Errorf("subject %q: want one trimmed line", out.Subject)
	}
	if !strings.HasPrefix(out.Subject, "[followup] ") {
		t.Errorf("subject %q: want the [followup] prefix", out.Subject)
	}
	for _, part := range []string{out.Subject, out.Text, out.HTML} {
		if !utf8.ValidString(part) {
			t.Errorf("not UTF-8: %q", part)
		}
	}
	if !strings.HasSuffix(out.Text, "\n") || strings.HasSuffix(out.Text, "\n\n") || strings.Contains(out.Text, "\n\n\n") {
		t.Errorf("text: want no repeated blank lines and one final newline:\n%s", out.Text)
	}
	for i, line := range strings.Split(out.Text, "\n") {
		if line != strings.TrimRight(line, " \t") {
			t.Errorf("text line %d has trailing spaces: %q", i+1, line)
		}
	}
	h := strings.ToLower(out.HTML)
	for _, want := range []string{"<!doctype html>", `<meta charset="utf-8">`, "max-width:680px", "</html>"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
	for _, bad := range []string{"<script", "<link", "<img", "<style", "display:flex", "display:grid", "http://", "https://", "{{", "zgotmplz"} {
		if strings.Contains(h, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	// The message can be composed: one-line subject, a text part.
	env := Envelope{From: "followup@ncmc.example.org", To: []string{"a@example.org"}, Subject: out.Subject,
		MessageID: "render.test@ncmc.example.org", Date: time.Date(2027, 1, 4, 8, 0, 0, 0, renderZone)}
	if _, err := Compose(env, out.Text, out.HTML); err != nil {
		t.Errorf("compose: %v", err)
	}
}

// firstDiff shows the first line where two texts differ.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl || i >= len(w) || i >= len(g) {
			return fmt.Sprintf("line %d:\nwant %q\ngot  %q", i+1, wl, gl)
		}
	}
	return "(same lines, different bytes)"
}

func TestRenderSubjects(t *testing.T) {
	r := newTestRenderer(t, "")
	want := map[string]string{
		"reminder":           "[followup] Ministry of Justice: 3 tasks due soon, 5 overdue",
		"escalation":         "[followup] Escalation: Ministry of Justice has 2 tasks overdue for more than 30 days",
		"coordinator-digest": "[followup] Overview of 4 January 2027: next report due in 392 days, 5 tasks overdue",
		"ministry-digest":    "[followup] Ministry of Public Security: overview of 4 January 2027, 8 open tasks",
	}
	for _, g := range renderGoldens() {
		out, err := g.render(r, "en")
		if err != nil {
			t.Fatal(err)
		}
		if out.Subject != want[g.name] {
			t.Errorf("%s subject:\n got %q\nwant %q", g.name, out.Subject, want[g.name])
		}
	}

	// The other wordings of the reminder's subject.
	d := renderReminderData()
	d.Groups = d.Groups[1:] // no overdue group
	if out, err := r.Reminder(d); err != nil || out.Subject != "[followup] Ministry of Justice: 3 tasks due soon" {
		t.Errorf("reminder without overdue: %q, %v", out.Subject, err)
	}
	d = renderReminderData()
	d.Groups = d.Groups[:1]
	d.Groups[0].More = 0
	d.Groups[0].Tasks = d.Groups[0].Tasks[:1]
	if out, err := r.Reminder(d); err != nil || out.Subject != "[followup] Ministry of Justice: 1 task overdue" {
		t.Errorf("reminder with one overdue task: %q, %v", out.Subject, err)
	}
	c := renderCoordinatorData()
	c.Reports, c.Overdue, c.OverdueMore = nil, nil, 0
	if out, err := r.CoordinatorDigest(c); err != nil || out.Subject != "[followup] Overview of 4 January 2027: no tasks overdue" {
		t.Errorf("coordinator digest without reports: %q, %v", out.Subject, err)
	}
}

// TestRenderSubjectOneLine: names with line breaks (a config value, a
// template) never break the subject header.
func TestRenderSubjectOneLine(t *testing.T) {
	r := newTestRenderer(t, "")
	bad := "Ministry of\r\nJustice\n\t(Legislation)  \x00"
	coord := renderCoordinator()
	coord.Name = bad
	rem := renderReminderData()
	rem.Ministry.Name = bad
	esc := renderEscalationData()
	esc.Ministry.Name = bad
	esc.Ministries[0].Ministry.Name = bad
	dig := renderCoordinatorData()
	dig.Coordinator = coord
	min := renderMinistryData()
	min.Ministry.Name = bad
	outs := map[string]func() (Rendered, error){
		"reminder":           func() (Rendered, error) { return r.Reminder(rem) },
		"escalation":         func() (Rendered, error) { return r.Escalation(esc) },
		"coordinator-digest": func() (Rendered, error) { return r.CoordinatorDigest(dig) },
		"ministry-digest":    func() (Rendered, error) { return r.MinistryDigest(min) },
	}
	for name, f := range outs {
		out, err := f()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if strings.ContainsAny(out.Subject, "\r\n\t\x00") || strings.Contains(out.Subject, "  ") {
			t.Errorf("%s: subject %q is not one clean line", name, out.Subject)
		}
		if name != "coordinator-digest" && !strings.Contains(out.Subject, "Ministry of Justice (Legislation)") {
			t.Errorf("%s: subject %q: want the name on one line", name, out.Subject)
		}
	}
}

func TestRenderHTMLEscaping(t *testing.T) {
	r := newTestRenderer(t, "")
	const evil = `Protect children <script>alert("x")</script> & their families`
	d := renderReminderData()
	d.Groups[0].Tasks[0].Text = evil
	d.Groups[0].Label = `leave stage <b>Assigned</b>`
	d.Ministry.Name = "Ministry of Justice & <i>Legislation</i>"
	out, err := r.Reminder(d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.Text, evil) || !strings.Contains(out.Text, "<b>Assigned</b>") {
		t.Errorf("text: want the recommendation verbatim:\n%s", out.Text)
	}
	for _, bad := range []string{"<script", "<b>Assigned", "<i>Legislation", "& their", "Justice & "} {
		if strings.Contains(out.HTML, bad) {
			t.Errorf("HTML contains unescaped %q", bad)
		}
	}
	for _, want := range []string{
		"Protect children &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; their families",
		"leave stage &lt;b&gt;Assigned&lt;/b&gt;",
		"Ministry of Justice &amp; &lt;i&gt;Legislation&lt;/i&gt;",
	} {
		if !strings.Contains(out.HTML, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if !strings.Contains(out.Subject, "Ministry of Justice & <i>Legislation</i>") {
		t.Errorf("subject %q: want the name verbatim (it is a header, not HTML)", out.Subject)
	}
}

func writeTemplates(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRenderOverrides(t *testing.T) {
	dir := writeTemplates(t, map[string]string{
		"reminder.txt": `{{define "subject"}}Custom: {{.Ministry.Name}}{{end}}
{{define "body"}}Custom body for {{.Ministry.Name}}, {{len .Groups}} groups.{{end}}`,
		// Windows-style: byte order mark and CRLF line ends. German has no
		// built-in templates: this .txt alone makes German reminders.
		"reminder.de.txt": "\uFEFF{{define \"subject\"}}Erinnerung: {{.Ministry.Name}}{{end}}\r\n" +
			"{{define \"body\"}}Sehr geehrte Damen und Herren,\r\n{{date .Date}}, {{days 3}}\r\n{{end}}\r\n",
		// A built-in language's file replaces that file only.
		"reminder.lo.txt":       `{{define "subject"}}ແຈ້ງເຕືອນ: {{.Ministry.Name}}{{end}}{{define "body"}}ຮຽນ {{(index .Ministry.FocalPoints 0).Name}} {{date .Date}}{{end}}`,
		"escalation.de-at.html": `{{define "body"}}<p>Grüß Gott {{.Ministry.Name}}</p>{{end}}`,
		"escalation.de-at.txt":  `{{define "subject"}}Eskalation {{.TaskCount}}{{end}}{{define "body"}}Eskalation{{end}}`,
		"notes.md":              "not a template: ignored",
	})
	r := newTestRenderer(t, dir)

	en := renderReminderData()
	en.Ministry.Language = "en"
	out, err := r.Reminder(en)
	if err != nil {
		t.Fatal(err)
	}
	if out.Subject != "Custom: Ministry of Justice" || out.Text != "Custom body for Ministry of Justice, 3 groups.\n" {
		t.Errorf("en: reminder.txt not used: %q\n%s", out.Subject, out.Text)
	}
	if !strings.Contains(out.HTML, "<!DOCTYPE html>") {
		t.Errorf("en: the embedded reminder.html should still be used, got %q", out.HTML)
	}

	for _, lang := range []string{"de", "DE", "de-CH", "de_CH"} {
		de := renderReminderData()
		de.Ministry.Language = lang
		out, err = r.Reminder(de)
		if err != nil {
			t.Fatal(err)
		}
		// followup has no German words: dates and counts are neutral.
		if out.Subject != "Erinnerung: Ministry of Justice" || out.Text != "Sehr geehrte Damen und Herren,\n2027-01-04, +3\n" {
			t.Errorf("%s: reminder.de.txt not used: %q\n%q", lang, out.Subject, out.Text)
		}
		if out.HTML != "" {
			t.Errorf("%s: with no reminder.de.html the message is text only, got %d bytes of HTML", lang, len(out.HTML))
		}
	}

	lo := renderReminderData()
	lo.Ministry.Language = "lo"
	if out, err = r.Reminder(lo); err != nil || out.Text != "ຮຽນ ທ່ານ ສົມພອນ ແກ້ວມະນີ 4 ມັງກອນ 2027\n" {
		t.Errorf("lo: reminder.lo.txt not used: %q %v", out.Text, err)
	}
	if !strings.Contains(out.HTML, `<html lang="lo">`) || !strings.Contains(out.HTML, "ເລື່ອງນີ້ກ່ຽວຂ້ອງກັບ") {
		t.Errorf("lo: the embedded reminder.lo.html should still be used")
	}

	// Escalations are in the coordinator's language; a region-specific
	// override is used only for that region.
	esc := renderEscalationData()
	esc.Coordinator.Language = "de-AT"
	if out, err = r.Escalation(esc); err != nil || out.Subject != "Eskalation 2" || out.HTML != "<p>Grüß Gott Ministry of Justice</p>\n" {
		t.Errorf("de-AT escalation: %q %v", out.Subject, err)
	}
	esc.Coordinator.Language = "de"
	if out, err = r.Escalation(esc); err == nil || !strings.Contains(err.Error(), `no escalation templates for language "de"`) {
		t.Errorf("de escalation: want an error (no German escalation, and no English in its place), got %q %v", out.Subject, err)
	}
	if out, err = r.MinistryDigest(renderMinistryData()); err != nil || !strings.HasPrefix(out.Subject, "[followup] ") {
		t.Errorf("ministry digest: want the embedded template, got %q %v", out.Subject, err)
	}
}

// TestRenderBrokenTemplates: mistakes in the admin's files are reported by
// NewRenderer, with the file and line, not when a message is due.
func TestRenderBrokenTemplates(t *testing.T) {
	okText := "{{define \"subject\"}}s{{end}}\n{{define \"body\"}}b{{end}}\n"
	tests := []struct {
		name  string
		files map[string]string
		want  [][]string // per error line: substrings it must contain ("DIR" is the folder)
	}{
		{"syntax error", map[string]string{"reminder.txt": "{{define \"subject\"}}s{{end}}\n{{define \"body\"}}\nDear {{.Ministry.Name}\n{{end}}\n"},
			[][]string{{"DIR/reminder.txt:3:", "bad character U+007D '}'"}}},
		{"unclosed action", map[string]string{"ministry-digest.txt": "{{define \"subject\"}}s{{end}}\n{{define \"body\"}}\n{{range .Coming}}\n{{end}}\n"},
			[][]string{{"DIR/ministry-digest.txt:", "unexpected EOF"}}},
		{"missing field", map[string]string{"reminder.txt": "{{define \"subject\"}}s{{end}}\n{{define \"body\"}}\nDear\n{{.Ministry.Nam}}\n{{end}}\n"},
			[][]string{{"DIR/reminder.txt:4:", `executing "body" at <.Ministry.Nam>`, "can't evaluate field Nam in type config.Body"}}},
		{"missing field in a list", map[string]string{"coordinator-digest.html": "{{define \"body\"}}\n{{range .Failed}}\n{{.Recipient}}\n{{end}}{{end}}"},
			[][]string{{"DIR/coordinator-digest.html:3:", "can't evaluate field Recipient"}}},
		{"missing field in a branch only an empty digest takes", map[string]string{
			"coordinator-digest.txt": "{{define \"subject\"}}s{{end}}\n{{define \"body\"}}Body{{if not .Overdue}}\n{{.Nope}}{{end}}{{end}}"},
			[][]string{{"DIR/coordinator-digest.txt:3:", "can't evaluate field Nope"}}},
		{"unknown function", map[string]string{"reminder.html": "{{define \"body\"}}\n<p>{{dat .Date}}</p>\n{{end}}"},
			[][]string{{"DIR/reminder.html:2:", `function "dat" not defined`}}},
		{"wrong argument", map[string]string{"escalation.txt": "{{define \"subject\"}}{{short .After 10}}{{end}}{{define \"body\"}}b{{end}}"},
			[][]string{{"DIR/escalation.txt:1:", "<.After>", "wrong type"}}},
		{"no subject", map[string]string{"escalation.txt": "{{define \"body\"}}b{{end}}"},
			[][]string{{"DIR/escalation.txt", `no "subject" template`}}},
		{"empty subject", map[string]string{"escalation.txt": "{{define \"subject\"}} \n {{end}}{{define \"body\"}}b{{end}}"},
			[][]string{{"DIR/escalation.txt", "subject is empty"}}},
		{"html in an unsafe place", map[string]string{"reminder.html": "{{define \"body\"}}\n{{if .Ministry.ID}}<a href=\"{{end}}x\">{{end}}"},
			[][]string{{"DIR/reminder.html:2:5:", "branches end in different contexts"}}},
		{"language html without text", map[string]string{"reminder.de.html": "{{define \"body\"}}x{{end}}"},
			[][]string{{"DIR/reminder.de.html", "reminder.de.txt"}}},
		{"misspelled file name", map[string]string{"remider.txt": okText},
			[][]string{{"DIR/remider.txt", "not a template name"}}},
		{"not UTF-8", map[string]string{"reminder.lo.txt": "{{define \"subject\"}}\xe9{{end}}", "reminder.lo.html": "{{define \"body\"}}x{{end}}"},
			[][]string{{"DIR/reminder.lo.txt", "UTF-8"}}},
		{"two broken files, one error each", map[string]string{
			"reminder.txt":        "{{define \"subject\"}}{{.Nope}}{{end}}\n{{define \"body\"}}{{.Nope}}{{end}}",
			"reminder.html":       "{{define \"body\"}}{{.Nope}}{{end}}",
			"reminder.lo.txt":     okText,
			"ministry-digest.txt": okText},
			[][]string{{"DIR/reminder.txt:1:", "Nope"}, {"DIR/reminder.html:1:", "Nope"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTemplates(t, tc.files)
			r, err := NewRenderer(dir, renderZone)
			if err == nil {
				t.Fatalf("NewRenderer accepted the broken templates (%v)", r != nil)
			}
			msg := strings.ReplaceAll(err.Error(), dir, "DIR")
			lines := strings.Split(msg, "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("want %d error lines, got %d:\n%s", len(tc.want), len(lines), msg)
			}
			for i, parts := range tc.want {
				for _, p := range parts {
					if !strings.Contains(lines[i], p) {
						t.Errorf("error line %d %q lacks %q", i+1, lines[i], p)
					}
				}
			}
			for _, line := range lines {
				if !strings.HasPrefix(line, "DIR/") {
					t.Errorf("error line %q does not start with the file", line)
				}
			}
		})
	}
}

// TestRenderEmbeddedErrorNames: an error in an embedded file (say, after an
// edit by a developer) names it as it sits in the source tree.
func TestRenderEmbeddedErrorNames(t *testing.T) {
	set := &templateSet{textFile: "templates/reminder.txt"}
	_, err := parseText(nil, templateSource{display: "templates/reminder.txt", src: "{{define \"body\"}}\n{{.X}\n{{end}}"}, nil,
		templateFuncs(time.UTC, "", nil))
	if err == nil || !strings.HasPrefix(err.Error(), "templates/reminder.txt:2: ") {
		t.Fatalf("parse error: %v", err)
	}
	set.text = ttemplateMust(t, "reminder.txt", "{{define \"subject\"}}s{{end}}{{define \"body\"}}\n\n{{.Ministry.Nam}}{{end}}")
	_, _, err = set.execText(renderReminderData())
	const want = `templates/reminder.txt:3:11: executing "body" at <.Ministry.Nam>: can't evaluate field Nam in type config.Body`
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
	var re *renderError
	if !errors.As(err, &re) || re.Unwrap() == nil {
		t.Errorf("the error should wrap Go's: %#v", err)
	}
}

func ttemplateMust(t *testing.T, name, src string) *texttemplate.Template {
	t.Helper()
	tmpl, err := parseText(nil, templateSource{display: "templates/" + name, src: src}, nil, templateFuncs(time.UTC, "", nil))
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func TestRenderOverrideFolderMissing(t *testing.T) {
	_, err := NewRenderer(filepath.Join(t.TempDir(), "nope"), nil)
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("want an error naming the folder, got %v", err)
	}
}

func TestTemplateNames(t *testing.T) {
	names := TemplateNames()
	if len(names) != 8 {
		t.Fatalf("got %v", names)
	}
	entries, err := embeddedTemplates.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	// The eight layouts, the parts they share, and each built-in
	// language's texts.
	all := append(slices.Clone(names), partialNames()...)
	for _, lang := range BuiltinLanguages() {
		all = append(all, "texts."+lang+".txt")
	}
	for _, n := range all {
		if _, err := embeddedTemplates.ReadFile("templates/" + n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if len(entries) != len(all) {
		t.Errorf("embedded %d files, want %d (8 layouts, 2 files of shared parts and %d languages' texts)", len(entries), len(all), len(BuiltinLanguages()))
	}
	// Copying the embedded files into an override folder changes nothing.
	files := map[string]string{}
	for _, n := range all {
		b, _ := embeddedTemplates.ReadFile("templates/" + n)
		files[n] = string(b)
	}
	a, b := newTestRenderer(t, ""), newTestRenderer(t, writeTemplates(t, files))
	for _, lang := range BuiltinLanguages() {
		for _, g := range renderGoldens() {
			x, err1 := g.render(a, lang)
			y, err2 := g.render(b, lang)
			if err1 != nil || err2 != nil || x != y {
				t.Errorf("%s in %s: the copied templates render differently (%v, %v)", g.name, lang, err1, err2)
			}
		}
	}
}

// TestRenderEdgeCases renders the shapes the goldens do not show: no focal
// points, empty digests, the first digest, a report already due.
func TestRenderEdgeCases(t *testing.T) {
	r := newTestRenderer(t, "")
	nobody := config.Body{ID: "x", Name: "Lao Statistics Bureau"}

	d := renderReminderData()
	d.Ministry, d.Coordinator = nobody, nobody
	out, err := r.Reminder(d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.Text, "Dear colleagues at the Lao Statistics Bureau,\n") {
		t.Errorf("greeting without focal points:\n%s", out.Text)
	}
	checkRendered(t, out)

	c := CoordinatorDigestData{Coordinator: renderCoordinator(), Date: renderToday, Stages: renderStages(),
		Reports: []ReportCountdown{{ID: "upr", Due: renderToday.AddDays(-2), DaysLeft: -2}}}
	out, err = r.CoordinatorDigest(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"This is the first overview.", "upr\n  Was due on 2 January 2027, 2 days ago.", "No tasks yet.",
		"No overdue tasks.", "No unassigned tasks.", "No changes recorded yet (this is the first overview).", "No delivery problems."} {
		if !strings.Contains(out.Text, want) {
			t.Errorf("empty coordinator digest lacks %q:\n%s", want, out.Text)
		}
	}
	for _, want := range []string{"No tasks yet.", "No overdue tasks.", "No delivery problems.", "No changes recorded yet"} {
		if !strings.Contains(out.HTML, want) {
			t.Errorf("empty coordinator digest HTML lacks %q", want)
		}
	}
	checkRendered(t, out)

	m := MinistryDigestData{Ministry: renderSecurity(), Coordinator: renderCoordinator(), Date: renderToday}
	out, err = r.MinistryDigest(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"No other open tasks.", "No deadlines in the next 90 days.", "No overdue tasks.", "No tasks to support."} {
		if !strings.Contains(out.Text, want) || !strings.Contains(out.HTML, want) {
			t.Errorf("empty ministry digest lacks %q:\n%s", want, out.Text)
		}
	}
	if out.Subject != "[followup] Ministry of Public Security: overview of 4 January 2027, 0 open tasks" {
		t.Errorf("subject %q", out.Subject)
	}
	checkRendered(t, out)
}

func TestRenderConcurrent(t *testing.T) {
	r := newTestRenderer(t, "")
	want := map[string]Rendered{}
	for _, g := range renderGoldens() {
		out, err := g.render(r, "en")
		if err != nil {
			t.Fatal(err)
		}
		want[g.name] = out
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				for _, g := range renderGoldens() {
					out, err := g.render(r, "en")
					if err == nil && out != want[g.name] {
						err = fmt.Errorf("%s rendered differently", g.name)
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestTemplateFuncs(t *testing.T) {
	f := templateFuncs(renderZone, "", nil)
	date := f["date"].(func(civil.Date) string)
	days := f["days"].(func(int) string)
	short := f["short"].(func(string, int) string)
	plural := f["plural"].(func(int, string, string) string)
	bar := f["bar"].(func(int, int, int) string)
	pct := f["pct"].(func(int, int) int)
	tm := f["time"].(func(time.Time) string)
	colour := f["colour"].(func(int) string)

	if got := date(civil.D(2027, time.January, 4)); got != "4 January 2027" {
		t.Errorf("date: %q", got)
	}
	if got := date(civil.Date{}); got != "" {
		t.Errorf("date of zero: %q", got)
	}
	for n, want := range map[int]string{-3: "3 days ago", -1: "yesterday", 0: "today", 1: "tomorrow", 14: "in 14 days"} {
		if got := days(n); got != want {
			t.Errorf("days(%d) = %q, want %q", n, got, want)
		}
	}
	shortCases := []struct {
		in   string
		n    int
		want string
	}{
		{"Short text.", 20, "Short text."},
		{"Ratify  the\nConvention", 50, "Ratify the Convention"},
		{"Take all necessary measures to ensure", 20, "Take all necessary…"},
		{"Take all necessary measures, to ensure", 29, "Take all necessary measures…"},
		{"abcdefghijklmnopqrstuvwxyz", 10, "abcdefghi…"},
		{"ສົ່ງເສີມສິດທິເດັກ", 4, "ສົ່…"},
		{"ສົ່ງເສີມສິດທິເດັກ", 7, "ສົ່ງເ…"}, // never cut off a vowel or tone mark
		{"abc", 0, "…"},
	}
	for _, c := range shortCases {
		got := short(c.in, c.n)
		if got != c.want {
			t.Errorf("short(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
		if c.n > 0 && utf8.RuneCountInString(got) > c.n {
			t.Errorf("short(%q, %d) = %q is too long", c.in, c.n, got)
		}
	}
	if plural(1, "task", "tasks") != "task" || plural(0, "task", "tasks") != "tasks" || plural(2, "task", "tasks") != "tasks" {
		t.Error("plural")
	}
	barCases := []struct {
		count, max, width int
		want              string
	}{
		{4, 12, 12, "████░░░░░░░░"},
		{0, 12, 4, "░░░░"},
		{1, 1000, 4, "█░░░"}, // a non-zero count always shows
		{12, 12, 4, "████"},
		{20, 12, 4, "████"},
		{3, 0, 4, "░░░░"},
		{1, 1, -1, ""},
	}
	for _, c := range barCases {
		if got := bar(c.count, c.max, c.width); got != c.want {
			t.Errorf("bar(%d, %d, %d) = %q, want %q", c.count, c.max, c.width, got, c.want)
		}
	}
	if got := utf8.RuneCountInString(bar(1, 1, 1e6)); got != maxBarWidth {
		t.Errorf("bar width is not bounded: %d", got)
	}
	pctCases := [][3]int{{1, 3, 33}, {2, 3, 67}, {0, 3, 0}, {3, 3, 100}, {1, 1000, 1}, {999, 1000, 99}, {1, 0, 0}}
	for _, c := range pctCases {
		if got := pct(c[0], c[1]); got != c[2] {
			t.Errorf("pct(%d, %d) = %d, want %d", c[0], c[1], got, c[2])
		}
	}
	if got := tm(time.Date(2027, 1, 3, 23, 30, 0, 0, time.UTC)); got != "2027-01-04 06:30" {
		t.Errorf("time in the config's zone: %q", got)
	}
	if tm(time.Time{}) != "" {
		t.Error("time of zero")
	}
	if colour(0) == colour(1) || colour(0) != colour(len(stagePalette)) || colour(-1) == "" {
		t.Error("colour")
	}
}

func TestTidyText(t *testing.T) {
	in := "\n\n  \nDear A,  \n\n\n\nBody\t\n\n"
	if got, want := tidyText(in), "Dear A,\n\nBody\n"; got != want {
		t.Errorf("tidyText = %q, want %q", got, want)
	}
	if tidyText(" \n\n") != "" {
		t.Error("blank text should stay empty")
	}
	if got := oneLine(" a\r\n b\u00a0\tc \x07"); got != "a b c" {
		t.Errorf("oneLine = %q", got)
	}
	if !bytes.Equal([]byte(oneLine("ສະບາຍດີ")), []byte("ສະບາຍດີ")) {
		t.Error("oneLine changed Lao text")
	}
}

// TestReleaseLetsTemplatesGo: after Release no set holds parsed
// templates (the idle daemon's heap), and a message rendered after it is
// the same as before, its set parsed again; rendering and releasing at
// once are safe (go test -race).
func TestReleaseLetsTemplatesGo(t *testing.T) {
	r := newTestRenderer(t, "")
	parsed := func() int {
		n := 0
		for _, sets := range r.sets {
			for _, s := range sets {
				s.mu.Lock()
				if s.text != nil {
					n++
				}
				s.mu.Unlock()
			}
		}
		return n
	}
	if n := parsed(); n != 0 {
		t.Fatalf("%d sets parsed before any message", n)
	}
	var before []Rendered
	for _, g := range renderGoldens() {
		out, err := g.render(r, "fr")
		if err != nil {
			t.Fatal(err)
		}
		before = append(before, out)
	}
	if n := parsed(); n == 0 {
		t.Fatal("no set parsed after rendering")
	}
	r.Release()
	if n := parsed(); n != 0 {
		t.Errorf("%d sets still parsed after Release", n)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				r.Release()
			}
		}()
	}
	for i, g := range renderGoldens() {
		out, err := g.render(r, "fr")
		if err != nil {
			t.Fatal(err)
		}
		if out != before[i] {
			t.Errorf("%s rendered after Release differs from before it", g.name)
		}
	}
	wg.Wait()
}
