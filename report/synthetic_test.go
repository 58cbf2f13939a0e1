package report_test

// Drafts from a document made in the test, under the example config: what
// a clone without the shared corpus can check.

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/i18n"
	"github.com/followup-app/followup/report"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

const synthSymbol = "CRC/C/OPSC/LAO/CO/1"

type synthFixture struct {
	f      *seedFixture
	ids    map[string]int64 // by paragraph label: "8", "14a"…
	public int64            // the update marked public
}

// synth imports a document of five recommendations (8, 14 (a), 14 (b), 22
// unassigned, 30) with updates on 8 and 14 (a), one of them public.
func synth(t *testing.T) *synthFixture {
	t.Helper()
	cfg := exampleConfig(t)
	c := &clock{time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)}
	db := openDB(t, cfg, c)
	ctx := context.Background()
	doc := &workflow.Document{Symbol: synthSymbol, Body: "CRC", Kind: workflow.ConcludingObservations, State: "Lao People's Democratic Republic",
		Title: "Concluding observations on the report submitted under the Optional Protocol", Adopted: civil.D(2026, 9, 15), Language: "en",
		FollowUp: &workflow.FollowUp{Due: civil.D(2028, 9, 15), Paragraphs: []int{14}}}
	for _, r := range []workflow.Recommendation{
		{Paragraph: 8, Section: "A. Data", Verb: "recommends", Text: "Develop a data collection system on child victims."},
		{Paragraph: 14, Item: "a", Section: "B. Prevention", Verb: "urges", Text: "Introduce educational programmes on the sale of children."},
		{Paragraph: 14, Item: "b", Section: "B. Prevention", Verb: "urges", Text: "Train border police in identifying child victims."},
		{Paragraph: 22, Section: "C. Protection", Verb: "recommends", Text: "Set up child-friendly courts."},
		{Paragraph: 30, Section: "D. Cooperation", Verb: "encourages", Text: "Ratify the Optional Protocol on a communications procedure."},
	} {
		r.ID = workflow.RecID(doc.Symbol, r.Paragraph, r.Item)
		doc.Recommendations = append(doc.Recommendations, r)
	}
	owners := map[string]workflow.Assignment{
		"8": {Owner: "lsb"}, "14a": {Owner: "moes", Support: []string{"mict"}}, "14b": {Owner: "mps"}, "22": {}, "30": {Owner: "mofa"},
	}
	label := func(r workflow.Recommendation) string { return strings.TrimPrefix(r.ID, synthSymbol+":") }
	planner := func(_ string, r workflow.Recommendation) workflow.Assignment {
		a := owners[label(r)]
		a.By, a.Stage = "test", cfg.InitialStage
		return a
	}
	if _, err := db.Import(ctx, []store.ImportItem{{Doc: doc, Source: "synthetic.txt"}}, planner); err != nil {
		t.Fatal(err)
	}
	s := &synthFixture{f: &seedFixture{cfg: cfg, db: db, clock: c, tasks: tasks(t, db, synthSymbol), updates: map[string][]string{}}, ids: map[string]int64{}}
	for _, tk := range s.f.tasks {
		s.ids[label(tk.Rec)] = tk.ID
	}
	add := func(ref, ministry, role, text string, ev ...store.Evidence) int64 {
		t.Helper()
		c.t = c.t.Add(24 * time.Hour)
		id, err := db.AddUpdate(ctx, store.Update{TaskID: s.ids[ref], Ministry: ministry, Role: role, Author: "Focal point", Text: text, Evidence: ev})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	add("14a", "mict", store.RoleSupport, "Radio programmes were broadcast in 12 provinces.")
	add("14a", "moes", store.RoleLead, "Programmes were introduced in 250 schools.",
		store.Evidence{Kind: store.EvidenceLink, URL: "https://moes.example.org/decree", Title: "Decree No. 12"},
		// 9,800 bytes: 9.57 KB, which the task page once showed as 9 KB
		// and the draft as 10 KB.
		store.Evidence{Kind: store.EvidenceFile, Title: "training.pdf", ContentType: "application/pdf", Data: bytes.Repeat([]byte("x"), 9800)})
	s.public = add("8", "lsb", store.RoleLead, "A data system was set up with the courts.")
	if _, err := db.SetUpdatePublic(ctx, s.public, true, store.Actor{Name: "NCMC"}); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(24 * time.Hour)
	return s
}

func (s *synthFixture) render(t *testing.T, format report.Format, opts func(*report.Options)) *report.Rendered {
	t.Helper()
	req := report.Request{Options: report.Options{Report: "crc-next", Now: s.f.clock.t}, Format: format, By: "NCMC secretariat"}
	if opts != nil {
		opts(&req.Options)
	}
	r, err := report.Render(context.Background(), s.f.db, s.f.cfg, req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSyntheticDraftInEveryFormat(t *testing.T) {
	s := synth(t)
	md := s.render(t, report.Markdown, nil)
	out := string(md.Bytes)
	for _, want := range []string{
		"Develop a data collection system on child victims.", "A data system was set up with the courts.",
		"Programmes were introduced in 250 schools.", "Radio programmes were broadcast in 12 provinces.",
		"[No information received: no ministry is responsible for this recommendation yet",
		"Decree No. 12", "https://moes.example.org/decree", "Attached file: training.pdf (" + i18n.FileSize(9800) + ")", "(10 KB)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown: %q missing", want)
		}
	}
	// The lead's update comes before the supporting ministry's.
	if strings.Index(out, "250 schools") > strings.Index(out, "12 provinces") {
		t.Error("markdown: the supporting ministry's update comes first")
	}
	st := md.Stats
	if st.Recommendations != 5 || st.Updates != 3 || st.Gaps != 3 || len(st.Missing) != 1 || st.Missing[0] != "CRC/C/LAO/CO/EX-1" {
		t.Errorf("stats = %+v", st)
	}
	if got := md.Options(); len(got) != 0 {
		t.Errorf("options of a plain draft = %v", got)
	}

	html := string(s.render(t, report.HTML, nil).Bytes)
	if !strings.HasPrefix(html, "<!DOCTYPE html>") || !strings.Contains(html, "Train border police in identifying child victims.") || !strings.Contains(html, `href="https://moes.example.org/decree"`) {
		t.Errorf("html:\n%s", html)
	}
	if report.HTML.ContentType() != "text/html; charset=utf-8" || report.Markdown.ContentType() != "text/markdown; charset=utf-8" ||
		!strings.Contains(report.DOCX.ContentType(), "wordprocessingml") || !strings.Contains(report.XLSX.ContentType(), "spreadsheetml") {
		t.Error("content types")
	}

	docx := s.render(t, report.DOCX, nil)
	if body := zipPart(t, docx.Bytes, "word/document.xml"); !strings.Contains(body, "Programmes were introduced in 250 schools.") || !strings.Contains(body, "Set up child-friendly courts.") {
		t.Errorf("docx body misses the texts:\n%.2000s", body)
	}
	if core := zipPart(t, docx.Bytes, "docProps/core.xml"); !strings.Contains(core, s.f.cfg.Coordinator.Name) {
		t.Errorf("docx: the creator is not the coordinating body:\n%s", core)
	}

	// The matrix: one row per recommendation, in a spreadsheet.
	x := s.render(t, report.XLSX, nil)
	if got := x.Options(); len(got) != 1 || got[0] != "matrix" {
		t.Errorf("options of the matrix = %v", got)
	}
	shared := zipPart(t, x.Bytes, "xl/sharedStrings.xml") + zipPart(t, x.Bytes, "xl/worksheets/sheet1.xml")
	for _, tk := range s.f.tasks {
		if !strings.Contains(shared, tk.Rec.Text) {
			t.Errorf("xlsx: %s missing", tk.Rec.ID)
		}
	}
	if !strings.Contains(shared, "Programmes were introduced in 250 schools.") {
		t.Error("xlsx: the update is missing")
	}
}

// zipPart reads one part of a .docx or .xlsx ("" when it has none).
func zipPart(t *testing.T, b []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		data, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	return ""
}

func TestSyntheticFollowUpAndPublic(t *testing.T) {
	s := synth(t)
	fu := s.render(t, report.Markdown, func(o *report.Options) { o.FollowUp = true })
	out := string(fu.Bytes)
	if fu.Stats.Recommendations != 2 || !strings.Contains(out, "Train border police") || strings.Contains(out, "child-friendly courts") || !strings.Contains(out, "2028") {
		t.Errorf("follow-up draft (paragraph 14, due 2028): %+v\n%s", fu.Stats, out)
	}
	pub := s.render(t, report.Markdown, func(o *report.Options) { o.OnlyPublic = true })
	out = string(pub.Bytes)
	if pub.Stats.Updates != 1 || !strings.Contains(out, "A data system was set up with the courts.") || strings.Contains(out, "250 schools") {
		t.Errorf("only public: %+v\n%s", pub.Stats, out)
	}
	if got := strings.Join(pub.Options(), ","); got != "only-public" {
		t.Errorf("options = %s", got)
	}
}

// Bad requests are refused with one line and record nothing.
func TestSyntheticBadRequests(t *testing.T) {
	s := synth(t)
	ctx := context.Background()
	for _, c := range []struct {
		req  report.Request
		want string
	}{
		{report.Request{Options: report.Options{Report: "crc-next"}, Format: "pdf"}, `unknown format "pdf"`},
		{report.Request{Options: report.Options{Report: "crc-next", FollowUp: true}, Format: report.XLSX}, "not both"},
		{report.Request{Options: report.Options{Report: "no-such-report"}, Format: report.Markdown}, "no-such-report"},
	} {
		_, err := report.Render(ctx, s.f.db, s.f.cfg, c.req)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%+v: %v, want one line saying %q", c.req, err, c.want)
		}
	}
	md := s.render(t, report.Markdown, nil)
	if err := md.Doc.Write(io.Discard, report.XLSX, report.Meta{}); err == nil || !strings.Contains(err.Error(), "matrix only") {
		t.Errorf("a report as a spreadsheet: %v", err)
	}
	if err := md.Doc.Write(io.Discard, "odt", report.Meta{}); err == nil || !strings.Contains(err.Error(), `unknown format "odt"`) {
		t.Errorf("an unknown format: %v", err)
	}
	if ds, err := s.f.db.Drafts(ctx, "crc-next"); err != nil || len(ds) != 0 {
		t.Errorf("refused drafts recorded %d, %v", len(ds), err)
	}
	if _, _, err := report.Changes(ctx, s.f.db, s.f.cfg, "crc-next", 1); err == nil || !strings.Contains(err.Error(), "no drafts yet") {
		t.Errorf("changes before any draft: %v", err)
	}
}

// A draft sent to a client is recorded; what came after it is what the
// next draft adds.
func TestSyntheticDraftRecordedThenChanges(t *testing.T) {
	s := synth(t)
	ctx := context.Background()
	var buf bytes.Buffer
	r, d, err := report.Draft(ctx, &buf, s.f.db, s.f.cfg, report.Request{Options: report.Options{Report: "crc-next", Now: s.f.clock.t}, Format: report.Markdown, By: "NCMC"})
	if err != nil || d.N != 1 || !bytes.Equal(buf.Bytes(), r.Bytes) || d.SHA256 != r.SHA256 || d.Updates != 3 || d.By != "NCMC" {
		t.Fatalf("draft = %+v, %v", d, err)
	}
	kept, err := r.Keep(ctx, s.f.db)
	if err != nil || kept.N != 2 {
		t.Fatalf("kept = %+v, %v", kept, err)
	}
	if _, data, err := s.f.db.DraftFile(ctx, "crc-next", 2); err != nil || !bytes.Equal(data, r.Bytes) {
		t.Errorf("the kept draft's bytes: %d, %v", len(data), err)
	}
	if _, err := s.f.db.AddUpdate(ctx, store.Update{TaskID: s.ids["30"], Ministry: "mofa", Role: store.RoleLead, Author: "X", Text: "The ratification is before the National Assembly."}); err != nil {
		t.Fatal(err)
	}
	since, ups, err := report.Changes(ctx, s.f.db, s.f.cfg, "crc-next", 1)
	if err != nil || since.N != 1 || len(ups) != 1 || ups[0].Text != "The ratification is before the National Assembly." {
		t.Errorf("changes since draft 1 = %+v %+v, %v", since, ups, err)
	}
	if _, _, err := report.Changes(ctx, s.f.db, s.f.cfg, "crc-next", 7); err == nil || !strings.Contains(err.Error(), "numbered 1 to 2") {
		t.Errorf("changes since a draft that does not exist: %v", err)
	}
	if _, _, err := report.Changes(ctx, s.f.db, s.f.cfg, "nope", 1); err == nil {
		t.Error("changes of an unknown report: no error")
	}
}
