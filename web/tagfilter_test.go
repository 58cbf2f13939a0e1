package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// tagFixture is the fixture with a second document whose recommendations
// carry tags, as a UHRI export gives them.
func tagFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	doc := &workflow.Document{Symbol: "A/HRC/43/15", Body: "UPR", Kind: workflow.UPRReport, State: "Mongolia"}
	for _, r := range []workflow.Recommendation{
		{Paragraph: 122, Item: "1", Text: "Ratify the Migrant Workers Convention.", Status: "noted", Themes: []string{"Migrants", "International instruments"},
			AffectedPersons: []string{"Migrants"}, SDGs: []string{"10.7"}},
		{Paragraph: 122, Item: "2", Text: "End violence against children.", Status: "supported", Themes: []string{"Violence against children"},
			AffectedPersons: []string{"Children"}, SDGs: []string{"16.2"}},
		{Paragraph: 122, Item: "3", Text: "Register every birth.", Status: "supported", Themes: []string{"Birth registration"},
			AffectedPersons: []string{"Children"}, SDGs: []string{"16.9"}},
	} {
		r.ID = workflow.RecID(doc.Symbol, r.Paragraph, r.Item)
		doc.Recommendations = append(doc.Recommendations, r)
	}
	plan := func(string, workflow.Recommendation) workflow.Assignment {
		return workflow.Assignment{Owner: "mps", By: "test", Stage: "assigned"}
	}
	if _, err := f.db.Import(context.Background(), []store.ImportItem{{Doc: doc, Source: "export.csv"}}, plan); err != nil {
		t.Fatal(err)
	}
	return f
}

// The dashboard's task list and its CSV filter by theme, group of persons
// and SDG (a goal takes its targets), show each task's tags, and refuse a
// value the form never offers with a message (422), writing nothing.
func TestDashboardTagFilters(t *testing.T) {
	f := tagFixture(t)
	c := f.login("ncmc", coordEmail)
	listed := func(query string) []string {
		t.Helper()
		res, body := f.get(c, f.ts.URL+"/c/tasks?"+query)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s", query, res.StatusCode, body)
		}
		var ids []string
		for _, part := range strings.Split(body, `">A/HRC/43/15:`)[1:] {
			ids = append(ids, part[:strings.Index(part, "<")])
		}
		for _, part := range strings.Split(body, `">CRC/C/XYZ/CO/1:`)[1:] {
			ids = append(ids, "co:"+part[:strings.Index(part, "<")])
		}
		return ids
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"theme=" + url.QueryEscape("violence against CHILDREN"), []string{"122.2"}},
		{"person=Children", []string{"122.2", "122.3"}},
		{"sdg=16", []string{"122.2", "122.3"}},
		{"sdg=16.9", []string{"122.3"}},
		{"sdg=10.7&person=Children", nil},
		{"ministry=moj&sdg=16", nil},
		{"document=A%2FHRC%2F43%2F15&theme=Migrants", []string{"122.1"}},
	} {
		if got := listed(c.query); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.query, got, c.want)
		}
	}
	_, body := f.get(c, f.ts.URL+"/c/tasks?sdg=16")
	for _, want := range []string{`<select id="f-theme" name="theme"><option value="" selected>Any theme</option><option value="Birth registration">`,
		`<option value="16" selected>16</option><option value="16.2">16.2</option><option value="16.9">16.9</option>`,
		`<option value="10">10</option><option value="10.7">10.7</option>`,
		`<p class="hint tags">Violence against children · Children · SDG 16.2</p>`,
		`href="/c/tasks.csv?sdg=16"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the list has no %q:\n%s", want, body)
		}
	}

	res, csvBody := f.get(c, f.ts.URL+"/c/tasks.csv?sdg=16")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("CSV: %d", res.StatusCode)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvBody, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || !slices.Equal(recs[0][12:], []string{"Themes", "Affected persons", "SDG targets"}) ||
		recs[1][0] != "A/HRC/43/15:122.2" || !slices.Equal(recs[1][12:], []string{"Violence against children", "Children", "16.2"}) ||
		recs[2][0] != "A/HRC/43/15:122.3" {
		t.Errorf("CSV ?sdg=16 = %q", recs)
	}

	sum := f.checksum()
	for bad, msg := range map[string]string{
		"theme=Violence":                      "No recommendation has the theme “Violence”.",
		"person=Elders":                       "No recommendation concerns the group “Elders”.",
		"sdg=18":                              "“18” is not an SDG goal or target: choose one from the list.",
		"sdg=" + url.QueryEscape("16.2;DROP"): "“16.2;DROP” is not an SDG goal or target",
	} {
		res, body := f.get(c, f.ts.URL+"/c/tasks?"+bad)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<p class="error" role="alert">`+htmlText(msg)) {
			t.Errorf("%s: %d, want 422 with %q\n%s", bad, res.StatusCode, msg, body)
		}
		res, body = f.get(c, f.ts.URL+"/c/tasks.csv?"+bad)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, htmlText(msg)) || strings.Contains(body, "Recommendation,") {
			t.Errorf("CSV %s: %d, want 422 with %q", bad, res.StatusCode, msg)
		}
	}
	if f.checksum() != sum {
		t.Error("a refused filter wrote to the database")
	}
}

// htmlText is msg as html/template writes it in a page.
func htmlText(msg string) string {
	return strings.NewReplacer(`"`, "&#34;", "'", "&#39;", "&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(msg)
}

// The public page of a document filters by its tags, and names a value
// it never offers.
func TestPublicPageTagFilters(t *testing.T) {
	f := tagFixture(t)
	cfg := *f.cfg
	cfg.Web.Public = true
	f.srv.SetConfig(&cfg)
	res, body := f.get(f.client(), f.ts.URL+"/public/doc/2?person=Children&lang=fr")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "End violence against children.") || !strings.Contains(body, "Register every birth.") ||
		strings.Contains(body, "Ratify the Migrant") || !strings.Contains(body, `<label for="f-person">Personnes concernées</label>`) ||
		!strings.Contains(body, `<option value="Children" selected>Children</option>`) {
		t.Errorf("?person=Children: %d\n%s", res.StatusCode, body)
	}
	// The first document has no tags: no filters.
	if _, body := f.get(f.client(), f.ts.URL+"/public/doc/1"); strings.Contains(body, `name="theme"`) {
		t.Errorf("a document without tags shows tag filters:\n%s", body)
	}
	res, body = f.get(f.client(), f.ts.URL+"/public/doc/2?theme=Nothing")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "No recommendation has the theme “Nothing”.") || strings.Contains(body, "Register every birth.") {
		t.Errorf("?theme=Nothing: %d\n%s", res.StatusCode, body)
	}
	// A goal none of its recommendations has: none listed, and it says so.
	if res, body := f.get(f.client(), f.ts.URL+"/public/doc/2?sdg=4"); res.StatusCode != http.StatusOK ||
		!strings.Contains(body, "No recommendation matches these filters.") || strings.Contains(body, "Register every birth.") {
		t.Errorf("?sdg=4: %d\n%s", res.StatusCode, body)
	}
}

// The task list keeps its pages while nothing they show changed: a task
// moved, a recommendation's tags changed by an import, a new document and
// the tag rules each show on the next request for the same page.
func TestTaskListPagesFollowChanges(t *testing.T) {
	f := tagFixture(t)
	ctx := context.Background()
	c := f.login("ncmc", coordEmail)
	page := func(query string) string {
		t.Helper()
		res, body := f.get(c, f.ts.URL+"/c/tasks?"+query)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s", query, res.StatusCode, body)
		}
		return body
	}
	for range 2 { // the second is the page kept
		if body := page("stage=assigned"); !strings.Contains(body, "6 tasks") {
			t.Fatalf("stage=assigned before the move:\n%s", body)
		}
	}
	if res, _ := f.post(c, "/c/task/"+itoa(f.task("8"))+"/stage", url.Values{"to": {"acknowledged"}, "name": {"Vanh"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("move: %d", res.StatusCode)
	}
	if body := page("stage=assigned"); !strings.Contains(body, "5 tasks") {
		t.Errorf("stage=assigned after a task moved: not 5 tasks\n%s", body)
	}

	page("person=Children")
	doc := &workflow.Document{Symbol: "A/HRC/43/15", Body: "UPR", Kind: workflow.UPRReport, State: "Mongolia"}
	for _, r := range []workflow.Recommendation{
		{Paragraph: 122, Item: "1", Text: "Ratify the Migrant Workers Convention.", Status: "noted", Themes: []string{"Migrants", "International instruments"},
			AffectedPersons: []string{"Migrants", "Children"}, SDGs: []string{"10.7"}},
		{Paragraph: 122, Item: "2", Text: "End violence against children.", Status: "supported", Themes: []string{"Violence against children"},
			AffectedPersons: []string{"Children"}, SDGs: []string{"16.2"}},
		{Paragraph: 122, Item: "3", Text: "Register every birth.", Status: "supported", Themes: []string{"Birth registration"},
			AffectedPersons: []string{"Children"}, SDGs: []string{"16.9"}},
	} {
		r.ID = workflow.RecID(doc.Symbol, r.Paragraph, r.Item)
		doc.Recommendations = append(doc.Recommendations, r)
	}
	if _, err := f.db.Import(ctx, []store.ImportItem{{Doc: doc, Source: "export2.csv"}}, nil); err != nil {
		t.Fatal(err)
	}
	if body := page("person=Children"); !strings.Contains(body, "3 tasks") || !strings.Contains(body, ">A/HRC/43/15:122.1<") {
		t.Errorf("person=Children after an import gave 122.1 the group: not listed\n%s", body)
	}

	if body := page(""); strings.Contains(body, "CCPR/C/XYZ/CO/1") {
		t.Fatalf("a document before its import:\n%s", body)
	}
	empty := &workflow.Document{Symbol: "CCPR/C/XYZ/CO/1", Body: "CCPR", Kind: workflow.ConcludingObservations, State: "Mongolia", Adopted: civil.D(2026, 7, 1)}
	if _, err := f.db.Import(ctx, []store.ImportItem{{Doc: empty, Source: "ccpr.txt"}}, nil); err != nil {
		t.Fatal(err)
	}
	if body := page(""); !strings.Contains(body, `<option value="CCPR/C/XYZ/CO/1">`) {
		t.Errorf("a document without recommendations, imported: not in the form\n%s", body)
	}

	if res, _ := f.get(c, f.ts.URL+"/c/tasks?theme=Training"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("theme=Training before the rules: %d, want 422", res.StatusCode)
	}
	page("")
	rules := func(_ string, r workflow.Recommendation) workflow.Tags {
		if strings.Contains(r.Text, "Train") {
			return workflow.Tags{Themes: []string{"Training"}}
		}
		return workflow.Tags{}
	}
	if _, err := f.db.ApplyTagRules(ctx, "rules-1", rules); err != nil {
		t.Fatal(err)
	}
	if body := page(""); !strings.Contains(body, `<option value="Training">Training</option>`) {
		t.Errorf("the tag rules' theme: not in the form\n%s", body)
	}
	if body := page("theme=Training"); !strings.Contains(body, "2 tasks") {
		t.Errorf("theme=Training after the rules: not 2 tasks\n%s", body)
	}
}
