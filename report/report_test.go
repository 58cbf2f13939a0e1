package report_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/report"
	"github.com/followup-app/followup/report/source"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// seedFixture is the seed imported under the example config, with a set
// of progress updates and one delivered reminder.
type seedFixture struct {
	cfg      *config.Config
	db       *store.DB
	clock    *clock
	tasks    []workflow.Task
	updates  map[string][]string // recommendation id -> update texts, in the order the draft must give them
	evidence []string            // what the footnotes must say
	reminded workflow.Task       // a task without updates whose owner was reminded on 3 March 2027
}

const laoUpdate = "ກະຊວງປ້ອງກັນຄວາມສະຫງົບ ໄດ້ຝຶກອົບຮົມ ເຈົ້າໜ້າທີ່ຕຳຫຼວດ 120 ຄົນ."

func seed(t testing.TB) *seedFixture {
	t.Helper()
	dir := shared(t)
	cfg := exampleConfig(t)
	c := &clock{time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)}
	db := openDB(t, cfg, c)
	importFiles(t, db, cfg, filepath.Join(dir, "seeds", "000_184c6d66c37e6cc3.txt"))
	f := &seedFixture{cfg: cfg, db: db, clock: c, tasks: tasks(t, db, "CRC/C/OPSC/LAO/CO/1"), updates: map[string][]string{}}
	if len(f.tasks) != 43 {
		t.Fatalf("the seed gave %d tasks, want 43", len(f.tasks))
	}
	byID := map[string]workflow.Task{}
	for _, tk := range f.tasks {
		byID[tk.Rec.ID] = tk
	}
	ctx := context.Background()
	add := func(rec, ministry, role, text string, ev ...store.Evidence) {
		t.Helper()
		c.t = c.t.Add(24 * time.Hour)
		if _, err := db.AddUpdate(ctx, store.Update{TaskID: byID[rec].ID, Ministry: ministry, Role: role, Author: "Focal point",
			Text: text, Evidence: ev}); err != nil {
			t.Fatal(err)
		}
	}
	// 14 (a): the supporting ministry answers first; the lead's update
	// must still come first in the draft.
	tk := byID["CRC/C/OPSC/LAO/CO/1:14a"]
	if tk.Owner != "moes" || !slices.Equal(tk.Support, []string{"mict"}) {
		t.Fatalf("14a is owned by %s %v under the example rules; the test expects moes with mict", tk.Owner, tk.Support)
	}
	add(tk.Rec.ID, "mict", store.RoleSupport, "Radio programmes on the Optional Protocol were broadcast in 12 provinces <FM 103>.")
	add(tk.Rec.ID, "moes", store.RoleLead, "Educational programmes on the sale of children were introduced in 250 schools.\n\nTeachers in 8 provinces were trained to deliver them.",
		store.Evidence{Kind: store.EvidenceLink, URL: "https://moes.example.org/curriculum-2027", Title: "Curriculum decree No. 12/MOES"},
		store.Evidence{Kind: store.EvidenceFile, Title: "training-report-2027.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 report")})
	f.updates[tk.Rec.ID] = []string{"Educational programmes on the sale of children were introduced in 250 schools.", "Teachers in 8 provinces were trained to deliver them.",
		"Radio programmes on the Optional Protocol were broadcast in 12 provinces <FM 103>."}
	f.evidence = []string{"Curriculum decree No. 12/MOES: https://moes.example.org/curriculum-2027", "Attached file: training-report-2027.pdf (15 bytes)."}
	// 16 (a): in Lao, from the lead.
	add("CRC/C/OPSC/LAO/CO/1:16a", byID["CRC/C/OPSC/LAO/CO/1:16a"].Owner, store.RoleLead, laoUpdate)
	f.updates["CRC/C/OPSC/LAO/CO/1:16a"] = []string{laoUpdate}
	// 8: the Statistics Bureau, with a link as evidence.
	add("CRC/C/OPSC/LAO/CO/1:8", "lsb", store.RoleLead, "A data collection system on child victims was set up with the police & courts (\"CVIS\").",
		store.Evidence{Kind: store.EvidenceLink, URL: "https://lsb.example.org/child-data"})
	f.updates["CRC/C/OPSC/LAO/CO/1:8"] = []string{"A data collection system on child victims was set up with the police & courts (\"CVIS\")."}
	f.evidence = append(f.evidence, "https://lsb.example.org/child-data")

	// A task of the Ministry of Justice without updates, reminded on
	// 3 March 2027 (08:00 in Vientiane); a later reminder that was never
	// delivered does not count.
	for _, tk := range f.tasks {
		if tk.Owner == "moj" && f.updates[tk.Rec.ID] == nil {
			f.reminded = tk
			break
		}
	}
	c.t = time.Date(2027, 3, 3, 1, 0, 0, 0, time.UTC)
	remindSent(t, db, c, f.reminded, "moj")
	c.t = time.Date(2027, 3, 10, 1, 0, 0, 0, time.UTC)
	doc := documentID(t, db, f.reminded)
	if err := db.RunSlot(ctx, "reminders", c.t, false, func(s *store.SlotTx) error {
		id, _, err := s.Enqueue(ctx, plan.Outgoing{Key: "queued", Kind: "reminder", Recipient: "moj", Subject: "s", MessageID: "q@test",
			From: "f@example.org", To: []string{"t@example.org"}, Raw: []byte("x")})
		if err != nil {
			return err
		}
		return logReminder(ctx, s, doc, f.reminded, "stage:assigned:later", "overdue:1", id)
	}); err != nil {
		t.Fatal(err)
	}
	c.t = time.Date(2027, 3, 15, 3, 0, 0, 0, time.UTC)
	return f
}

func (f *seedFixture) request(format report.Format) report.Request {
	return report.Request{Options: report.Options{Report: "crc-next", Now: f.clock.t}, Format: format, By: "NCMC secretariat"}
}

type expectedRec struct {
	Paragraph  int      `json:"paragraph"`
	Items      []string `json:"items"`
	Section    string   `json:"section"`
	Subsection string   `json:"subsection"`
}

// expectedSeed reads the hand-checked structure of the seed.
func expectedSeed(t testing.TB) (ids []string, where map[string][2]string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(shared(t), "corpus", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatal(err)
	}
	var crc struct {
		Recommendations []expectedRec `json:"recommendations"`
	}
	if err := json.Unmarshal(all["CRC/C/OPSC/LAO/CO/1"], &crc); err != nil {
		t.Fatal(err)
	}
	where = map[string][2]string{}
	for _, r := range crc.Recommendations {
		items := r.Items
		if len(items) == 0 {
			items = []string{""}
		}
		for _, it := range items {
			id := workflow.RecID("CRC/C/OPSC/LAO/CO/1", r.Paragraph, it)
			ids = append(ids, id)
			where[id] = [2]string{r.Section, r.Subsection}
		}
	}
	return ids, where
}

// TestSeedDraft: the draft holds every one of the seed's 43
// recommendations in document order under the right headings, every
// update (the lead's first), and a gap marker for each recommendation
// without one.
func TestSeedDraft(t *testing.T) {
	f := seed(t)
	ids, where := expectedSeed(t)
	if len(ids) != 43 {
		t.Fatalf("expected.json lists %d recommendations", len(ids))
	}
	doc, stats, err := report.Build(context.Background(), f.db, f.cfg, f.request(report.DOCX).Options)
	if err != nil {
		t.Fatal(err)
	}
	var (
		section, subsection string
		order               []string
		cur                 string
		texts               = map[string][]string{}
		gaps                = map[string]string{}
	)
	for _, b := range doc.Blocks {
		switch b.Kind {
		case report.KHeading1:
			section, subsection = "", ""
		case report.KHeading2:
			section, subsection = b.PlainText(), ""
		case report.KHeading3:
			subsection = b.PlainText()
		case report.KRecRef:
			cur = b.RecID
			order = append(order, cur)
			if w := where[cur]; w != [2]string{section, subsection} {
				t.Errorf("%s under %q / %q, want %q / %q", cur, section, subsection, w[0], w[1])
			}
			if !strings.HasPrefix(b.PlainText(), "Reply to paragraph ") || !strings.HasSuffix(b.PlainText(), " of the concluding observations (CRC/C/OPSC/LAO/CO/1)") {
				t.Errorf("%s introduced as %q", cur, b.PlainText())
			}
		case report.KQuote:
			if b.RecID != cur {
				t.Errorf("a quote of %s under %s", b.RecID, cur)
			}
		case report.KNumbered:
			if b.RecID != "" {
				texts[b.RecID] = append(texts[b.RecID], b.Spans[0].Text)
			}
		case report.KNote:
			if b.RecID != "" {
				gaps[b.RecID] = b.PlainText()
			}
		case report.KTable:
			if n := len(b.Table.Rows); n != 44 {
				t.Errorf("the annex has %d rows, want the document's heading and 43 recommendations", n)
			}
			// Nobody owns 22 (a) yet: its stage is not "Assigned".
			for _, row := range b.Table.Rows {
				if row.RecID == "CRC/C/OPSC/LAO/CO/1:22a" && (row.Cells[1].Lines[0] != "Unassigned" || row.Cells[3].Lines[0] != "Not yet assigned") {
					t.Errorf("the annex's row of 22 (a): %+v", row.Cells)
				}
			}
		}
	}
	if !slices.Equal(order, ids) {
		t.Errorf("recommendations in the draft:\n got %q\nwant %q", order, ids)
	}
	for id, want := range f.updates {
		if !slices.Equal(texts[id], want) {
			t.Errorf("%s updates:\n got %q\nwant %q (lead first, then supporting)", id, texts[id], want)
		}
	}
	for _, id := range ids {
		_, answered := f.updates[id]
		if answered == (gaps[id] != "") {
			t.Errorf("%s: answered %v, gap marker %q", id, answered, gaps[id])
		}
	}
	if want := "[No information received from the Ministry of Justice. Last reminded on 3 March 2027.]"; gaps[f.reminded.Rec.ID] != want {
		t.Errorf("gap of %s = %q, want %q", f.reminded.Rec.ID, gaps[f.reminded.Rec.ID], want)
	}
	// The draft is the coordinating body's reading, not the admin's: its
	// notes name no command.
	if g, want := gaps["CRC/C/OPSC/LAO/CO/1:22a"], "[No information received: no ministry is responsible for this recommendation yet.]"; g != want {
		t.Errorf("the unassigned 22 (a): %q, want %q", g, want)
	}
	for id, g := range gaps {
		if strings.Contains(g, "followup ") {
			t.Errorf("the gap note of %s names a command: %q", id, g)
		}
	}
	if stats.Recommendations != 43 || stats.Updates != 4 || stats.Gaps != 40 || !slices.Equal(stats.Contributors, []string{"mps", "moes", "mict", "lsb"}) {
		t.Errorf("stats = %+v", stats)
	}
	if !slices.Equal(stats.Missing, []string{"CRC/C/LAO/CO/EX-1"}) || len(stats.Warnings) != 1 {
		t.Errorf("the report's second document is not imported: missing %v, warnings %q", stats.Missing, stats.Warnings)
	}
	// The cover block, the note to the drafter and the introduction.
	all := plain(doc)
	for _, want := range []string{
		"State: Lao People's Democratic Republic",
		"Treaty: Optional Protocol to the Convention on the Rights of the Child on the sale of children, child prostitution and child pornography",
		"Report: Periodic report, due on 31 January 2028",
		"Period covered: 5 June 2015 to 31 January 2028",
		fmt.Sprintf("[Draft of 15 March 2027, written by followup from the progress updates recorded until then. %s words of the 21,200 allowed. 40 of 43 recommendations have no information yet", withCommas(stats.Words)),
		"The following contributed information: the Ministry of Public Security, the Ministry of Education and Sports, the Ministry of Information, Culture and Tourism and the Lao Statistics Bureau.",
		"Ministries send their inputs to the National Commission (30 April 2027); Consolidated draft circulated to ministries (31 July 2027); National validation workshop (31 October 2027); submission to the Committee (31 January 2028).",
		"The Committee urges the State party to take all measures necessary to make the provisions of the Optional Protocol widely known. To this end, the State party should, in particular: (a) Develop",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the draft lacks %q", want)
		}
	}
	if stats.Words < 3000 || stats.Words > 6000 {
		t.Errorf("%d words: the seed's recommendations alone are about 3,800", stats.Words)
	}
}

func withCommas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func plain(d *report.Doc) string {
	var b strings.Builder
	for _, bl := range d.Blocks {
		b.WriteString(bl.PlainText())
		b.WriteString("\n")
	}
	return b.String()
}

// TestFormatsHoldTheSameText: the Markdown and HTML drafts hold every
// recommendation, every update and every footnote, escaped.
func TestFormatsHoldTheSameText(t *testing.T) {
	f := seed(t)
	ctx := context.Background()
	for _, format := range []report.Format{report.Markdown, report.HTML} {
		r, err := report.Render(ctx, f.db, f.cfg, f.request(format))
		if err != nil {
			t.Fatal(err)
		}
		out := string(r.Bytes)
		esc := func(s string) string { return s }
		switch format {
		case report.HTML:
			esc = func(s string) string {
				return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
			}
			if !strings.HasPrefix(out, "<!DOCTYPE html>\n<html lang=\"en-GB\">") || strings.Count(out, `<li id="fn-`) != 3 {
				t.Errorf("html: not a page with its language and 3 footnotes")
			}
		case report.Markdown:
			esc = func(s string) string {
				return strings.NewReplacer("&", "&", "<", "&lt;", ">", "&gt;", "(", "(", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`).Replace(s)
			}
			if strings.Count(out, "\n[^") != 3 {
				t.Errorf("markdown: %d footnotes, want 3", strings.Count(out, "\n[^"))
			}
		}
		for _, tk := range f.tasks {
			if !strings.Contains(out, esc(tk.Rec.Text)) {
				t.Errorf("%s: recommendation %s missing", format, tk.Rec.ID)
			}
		}
		for _, ups := range f.updates {
			for _, u := range ups {
				if !strings.Contains(out, esc(u)) {
					t.Errorf("%s: update %q missing", format, u)
				}
			}
		}
		for _, e := range []string{"Curriculum decree No. 12/MOES", "https://moes.example.org/curriculum-2027", "training-report-2027.pdf"} {
			if !strings.Contains(out, e) {
				t.Errorf("%s: footnote %q missing", format, e)
			}
		}
		if strings.Contains(out, "<FM 103>") {
			t.Errorf("%s: text not escaped", format)
		}
	}
}

func TestOnlyPublic(t *testing.T) {
	f := seed(t)
	ctx := context.Background()
	// Make the Statistics Bureau's update public, not the others.
	var lsb int64
	if err := f.db.Updates(ctx, store.UpdateFilter{}, func(u store.Update) error {
		if u.Ministry == "lsb" {
			lsb = u.ID
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.SetUpdatePublic(ctx, lsb, true, store.Actor{Name: "NCMC"}); err != nil {
		t.Fatal(err)
	}
	req := f.request(report.Markdown)
	req.OnlyPublic = true
	doc, stats, err := report.Build(ctx, f.db, f.cfg, req.Options)
	if err != nil {
		t.Fatal(err)
	}
	all := plain(doc)
	if stats.Updates != 1 || !strings.Contains(all, "A data collection system") || strings.Contains(all, "Educational programmes on the sale") {
		t.Errorf("only the public update: %d updates", stats.Updates)
	}
	if !strings.Contains(all, "[No public information: 2 progress update(s) not marked public.]") || !strings.Contains(all, "Only the updates marked public are included.") {
		t.Error("the withheld updates are not said")
	}
	if stats.LastUpdateID != 4 {
		t.Errorf("last update id %d: the draft must remember every update it saw, public or not", stats.LastUpdateID)
	}
}

func TestWordLimitWarning(t *testing.T) {
	f := seed(t)
	f.cfg.Reports[0].WordLimit = 1000
	doc, stats, err := report.Build(context.Background(), f.db, f.cfg, f.request(report.DOCX).Options)
	if err != nil {
		t.Fatal(err)
	}
	over := stats.Words - 1000
	want := fmt.Sprintf("%s words: %s over the limit of 1,000 words. Shorten it before it is submitted.", withCommas(stats.Words), withCommas(over))
	if !strings.Contains(plain(doc), want) {
		t.Errorf("no warning in the draft: want %q", want)
	}
	if !slices.ContainsFunc(stats.Warnings, func(s string) bool { return strings.Contains(s, "over the limit of 1,000") }) {
		t.Errorf("warnings = %q", stats.Warnings)
	}
	// Notes to the drafter and the annex are not the report's words.
	if stats.Words != doc.Words() || stats.Words > 6000 {
		t.Errorf("words = %d", stats.Words)
	}
}

// TestBadInput: what the draft refuses, and that a refused draft records
// nothing.
func TestBadInput(t *testing.T) {
	f := seed(t)
	ctx := context.Background()
	req := f.request(report.DOCX)

	bad := req
	bad.Report = "crc-nxt"
	if _, err := report.Render(ctx, f.db, f.cfg, bad); !errors.Is(err, report.ErrUnknownReport) || err.Error() != `unknown report "crc-nxt"; expected one of: crc-next` {
		t.Errorf("unknown report: %v", err)
	}

	empty := *f.cfg
	empty.Reports = []config.Report{{ID: "cerd", Title: "CERD", Due: civil.D(2030, 1, 1), Documents: []string{"CERD/C/URY/CO/21-23"}}}
	bad.Report = "cerd"
	if _, err := report.Render(ctx, f.db, &empty, bad); !errors.Is(err, report.ErrNoDocuments) ||
		err.Error() != "the report has no documents: none of the documents of report cerd is imported (CERD/C/URY/CO/21-23); import one first (followup import FILE)" {
		t.Errorf("no documents: %v", err)
	}

	// An update with a control character, then one of 100,000 characters.
	tk := f.tasks[1]
	if _, err := f.db.AddUpdate(ctx, store.Update{TaskID: tk.ID, Ministry: tk.Owner, Role: store.RoleLead, Author: "X", Text: "Bell\a in the text."}); err != nil {
		t.Fatal(err)
	}
	_, err := report.Render(ctx, f.db, f.cfg, req)
	if !errors.Is(err, report.ErrBadText) || !strings.Contains(err.Error(), "update 5 from the National Commission for Mothers and Children on CRC/C/OPSC/LAO/CO/1:10 holds a character a Word document cannot hold (U+0007 at character 5)") {
		t.Errorf("control character: %v", err)
	}
	if _, err := f.db.AddUpdate(ctx, store.Update{TaskID: tk.ID, Ministry: tk.Owner, Role: store.RoleLead, Author: "X", Text: strings.Repeat("long ", 20000)}); err != nil {
		t.Fatal(err)
	}
	_, err = report.Render(ctx, f.db, f.cfg, req)
	if !errors.Is(err, report.ErrBadText) || !strings.Contains(err.Error(), "(and 1 more such texts)") {
		t.Errorf("two bad texts: %v", err)
	}
	if ds, _ := f.db.Drafts(ctx, "crc-next"); len(ds) != 0 {
		t.Errorf("refused drafts were recorded: %+v", ds)
	}

	// --repair-text drafts them, marked.
	req.RepairText = true
	r, err := report.Render(ctx, f.db, f.cfg, req)
	if err != nil {
		t.Fatal(err)
	}
	all := plain(r.Doc)
	if !strings.Contains(all, "Bell\uFFFD in the text.") || !strings.Contains(all, "[…: 49,999 more characters cut from the draft]") || len(r.Stats.Repaired) != 2 {
		t.Errorf("repaired: %q", r.Stats.Repaired)
	}
	if !strings.Contains(all, "2 texts held characters a Word document cannot hold, or were too long") {
		t.Error("the draft does not say it was repaired")
	}
}

// TestFollowUpDraft: only the follow-up paragraphs, with the due date the
// document states (ingest reads "within one year", "two years").
func TestFollowUpDraft(t *testing.T) {
	cfg := exampleConfig(t)
	c := &clock{time.Date(2027, 1, 4, 1, 0, 0, 0, time.UTC)}
	db := openDB(t, cfg, c)
	mk := func(symbol, body string, adopted civil.Date, fu *workflow.FollowUp) store.ImportItem {
		d := &workflow.Document{Symbol: symbol, Body: body, Kind: workflow.ConcludingObservations, State: "Lao People's Democratic Republic", Adopted: adopted, FollowUp: fu}
		for _, p := range []struct {
			n    int
			item string
		}{{8, ""}, {19, "a"}, {19, "b"}, {21, ""}, {30, ""}} {
			d.Recommendations = append(d.Recommendations, workflow.Recommendation{ID: workflow.RecID(symbol, p.n, p.item), Paragraph: p.n, Item: p.item,
				Section: "C. Concerns and recommendations", Text: fmt.Sprintf("Recommendation %d%s.", p.n, p.item), Lead: "The Committee recommends that the State party:"})
		}
		return store.ImportItem{Doc: d, Source: symbol}
	}
	importDocs(t, db, cfg,
		mk("CERD/C/LAO/CO/19-21", "CERD", civil.D(2025, 5, 2), &workflow.FollowUp{Due: civil.D(2026, 5, 2), Paragraphs: []int{19, 21}}),
		mk("CEDAW/C/LAO/CO/10", "CEDAW", civil.D(2024, 11, 1), &workflow.FollowUp{Due: civil.D(2026, 11, 1), Paragraphs: []int{30}}))
	cfg.Reports = []config.Report{{ID: "fu", Title: "Follow-up", Due: civil.D(2028, 1, 1), Documents: []string{"CERD/C/LAO/CO/19-21", "CEDAW/C/LAO/CO/10"}, WordLimit: 21200}}
	doc, stats, err := report.Build(context.Background(), db, cfg, report.Options{Report: "fu", FollowUp: true, Now: c.t})
	if err != nil {
		t.Fatal(err)
	}
	all := plain(doc)
	for _, want := range []string{
		"Information received from Lao People's Democratic Republic on follow-up to the concluding observations",
		"Follow-up to paragraphs 19 and 21 of the concluding observations (CERD/C/LAO/CO/19-21): due on 2 May 2026 (as the concluding observations ask)",
		"Follow-up to paragraph 30 of the concluding observations (CEDAW/C/LAO/CO/10): due on 1 November 2026 (as the concluding observations ask)",
		"Information on the recommendation contained in paragraph 19 of the concluding observations (CERD/C/LAO/CO/19-21)",
		"Paragraph 19 (a)", "Recommendation 19a.", "Recommendation 19b.", "Recommendation 21.", "Recommendation 30.",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the follow-up draft lacks %q", want)
		}
	}
	if strings.Contains(all, "Recommendation 8.") || stats.Recommendations != 4 || stats.Gaps != 4 {
		t.Errorf("only the follow-up paragraphs: %d recommendations", stats.Recommendations)
	}
	// A report whose documents set no follow-up.
	cfg.Reports[0].Documents = []string{"CERD/C/LAO/CO/19-21"}
	if _, err := db.Import(context.Background(), []store.ImportItem{mk("CRC/C/LAO/CO/5-6", "CRC", civil.D(2024, 1, 1), nil)}, nil); err != nil {
		t.Fatal(err)
	}
	cfg.Reports[0].Documents = []string{"CRC/C/LAO/CO/5-6"}
	if _, _, err := report.Build(context.Background(), db, cfg, report.Options{Report: "fu", FollowUp: true}); !errors.Is(err, report.ErrNoFollowUp) {
		t.Errorf("no follow-up paragraphs: %v", err)
	}
}

func TestDraftWritesAndRecords(t *testing.T) {
	f := seed(t)
	ctx := context.Background()
	var buf bytes.Buffer
	r, d, err := report.Draft(ctx, &buf, f.db, f.cfg, f.request(report.HTML))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), r.Bytes) || d.N != 1 || d.SHA256 != r.SHA256 || d.LastUpdateID != 4 || d.Updates != 4 || d.By != "NCMC secretariat" || d.Format != "html" {
		t.Errorf("draft recorded = %+v", d)
	}
	// The same content, the same hash; an update later, a new one, and it
	// is what changed since the draft.
	r2, err := report.Render(ctx, f.db, f.cfg, f.request(report.HTML))
	if err != nil || r2.SHA256 != r.SHA256 {
		t.Errorf("same content, hash %s then %s (%v)", r.SHA256, r2.SHA256, err)
	}
	tk := f.tasks[0]
	if _, err := f.db.AddUpdate(ctx, store.Update{TaskID: tk.ID, Ministry: tk.Owner, Role: store.RoleLead, Author: "X", Text: "New since the draft."}); err != nil {
		t.Fatal(err)
	}
	since, ups, err := report.Changes(ctx, f.db, f.cfg, "crc-next", 1)
	if err != nil || since.N != 1 || len(ups) != 1 || ups[0].Text != "New since the draft." {
		t.Errorf("changes = %+v %+v %v", since, ups, err)
	}
	if _, _, err := report.Changes(ctx, f.db, f.cfg, "crc-next", 2); err == nil || err.Error() != "report crc-next has no draft 2; its drafts are numbered 1 to 1" {
		t.Errorf("changes since a draft that does not exist: %v", err)
	}
}

// themed is the real store with themes and a document language added:
// the store fills neither until the ingest branch's columns are merged.
type themed struct {
	*store.DB
	themes map[string][]string
}

func (s themed) ReportDocuments(ctx context.Context, symbols []string) ([]source.Document, error) {
	docs, err := s.DB.ReportDocuments(ctx, symbols)
	for i := range docs {
		docs[i].Language = "fr-FR"
	}
	return docs, err
}

func (s themed) ReportItems(ctx context.Context, id int64, fn func(source.Item) error) error {
	return s.DB.ReportItems(ctx, id, func(it source.Item) error {
		it.Themes = s.themes[it.Task.Rec.ID]
		return fn(it)
	})
}

// TestThemesAndLanguage: UPR recommendations with themes are grouped by
// their first theme (supported before noted in the matrix); quotations
// carry the document's language into every format.
func TestThemesAndLanguage(t *testing.T) {
	cfg := exampleConfig(t)
	c := &clock{time.Date(2027, 1, 4, 1, 0, 0, 0, time.UTC)}
	db := openDB(t, cfg, c)
	rep := &workflow.Document{Symbol: "A/HRC/61/9", Body: "UPR", Kind: workflow.UPRReport, State: "Lao People's Democratic Republic", Adopted: civil.D(2025, 2, 1)}
	for i, st := range []string{"supported", "noted", "supported", "supported"} {
		item := fmt.Sprint(i + 1)
		rep.Recommendations = append(rep.Recommendations, workflow.Recommendation{ID: "A/HRC/61/9:120." + item, Paragraph: 120, Item: item,
			Section: "II. Conclusions and/or recommendations", Text: "Recommandation " + item + ".", Status: st, RecommendingStates: []string{"France"}})
	}
	importDocs(t, db, cfg, store.ImportItem{Doc: rep, Source: "rep"})
	cfg.Reports = []config.Report{{ID: "upr", Title: "Mid-term report", Due: civil.D(2027, 6, 1), Kind: config.ReportUPRMidTerm, Documents: []string{"A/HRC/61/9"}}}
	src := themed{db, map[string][]string{
		"A/HRC/61/9:120.1": {"Right to education", "Children"},
		"A/HRC/61/9:120.2": {"Right to education"},
		"A/HRC/61/9:120.3": {"Right to health"},
		"A/HRC/61/9:120.4": {"Right to education"},
	}}
	ctx := context.Background()
	doc, stats, err := report.Build(ctx, src, cfg, report.Options{Report: "upr", Now: c.t})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range doc.Blocks {
		switch b.Kind {
		case report.KHeading2:
			got = append(got, "## "+b.PlainText())
		case report.KRecRef:
			got = append(got, b.PlainText())
		case report.KQuote:
			if b.Lang != "fr-FR" {
				t.Errorf("quote of %s in language %q", b.RecID, b.Lang)
			}
		}
	}
	want := []string{"## Theme: Right to education", "Reply to recommendation 120.1 (A/HRC/61/9): supported", "Reply to recommendation 120.2 (A/HRC/61/9): noted",
		"Reply to recommendation 120.4 (A/HRC/61/9): supported", "## Theme: Right to health", "Reply to recommendation 120.3 (A/HRC/61/9): supported", "## Implementation of the recommendations"}
	if !slices.Equal(got, want) || stats.WordLimit != 0 {
		t.Errorf("headings and replies:\n got %q\nwant %q (limit %d)", got, want, stats.WordLimit)
	}
	if !strings.Contains(plain(doc), "Mid-term report on the implementation of the recommendations of the universal periodic review") {
		t.Error("the cover does not say it is a mid-term report")
	}
	m, _, err := report.Build(ctx, src, cfg, report.Options{Report: "upr", Matrix: true, Now: c.t})
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, r := range m.Matrix.Rows {
		if r.Group != "" {
			rows = append(rows, "# "+r.Group)
		} else {
			rows = append(rows, r.RecID+" "+strings.Join(r.Cells[2].Lines, "; "))
		}
	}
	want = []string{"# Supported — Theme: Right to education", "A/HRC/61/9:120.1 Right to education; Children", "A/HRC/61/9:120.4 Right to education",
		"# Supported — Theme: Right to health", "A/HRC/61/9:120.3 Right to health", "# Noted — Theme: Right to education", "A/HRC/61/9:120.2 Right to education"}
	if !slices.Equal(rows, want) {
		t.Errorf("matrix rows:\n got %q\nwant %q", rows, want)
	}
	for format, mark := range map[report.Format]string{report.DOCX: `<w:lang w:val="fr-FR"/>`, report.HTML: `<blockquote lang="fr-FR">`} {
		var buf bytes.Buffer
		if err := doc.Write(&buf, format, report.Meta{}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if format == report.DOCX {
			out = docxBody(t, buf.Bytes())
		}
		if !strings.Contains(out, mark) {
			t.Errorf("%s: the quotations' language is not marked (%s)", format, mark)
		}
	}
}

// docxBody returns a .docx's word/document.xml.
func docxBody(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			x, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(x)
		}
	}
	t.Fatal("no word/document.xml")
	return ""
}

// TestLaoUpdateInTheDocx: an update written in Lao is a complex-script run
// marked lo-LA in the .docx.
func TestLaoUpdateInTheDocx(t *testing.T) {
	f := seed(t)
	r, err := report.Render(context.Background(), f.db, f.cfg, f.request(report.DOCX))
	if err != nil {
		t.Fatal(err)
	}
	body := docxBody(t, r.Bytes)
	lao := strings.Fields(laoUpdate)[0]
	if !strings.Contains(body, `<w:cs/><w:lang w:bidi="lo-LA"/></w:rPr><w:t xml:space="preserve">`+lao) {
		t.Error("the Lao update is not marked as Lao")
	}
	if !strings.Contains(body, `<w:pStyle w:val="ParaNoG"/>`) || !strings.Contains(body, `<w:pStyle w:val="Heading3"/>`) || !strings.Contains(body, "<w:footnoteReference ") {
		t.Error("styles or footnotes missing")
	}
}
