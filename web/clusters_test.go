package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/cluster"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// uprSymbol is the UPR report clusterFixture adds: its 140.6 asks what
// the fixture's CRC 14 (b) asks.
const uprSymbol = "A/HRC/59/15"

// clusterFixture is the fixture with a UPR report whose recommendation
// 140.6 (owned by mps, as the CRC's 14 (b)) asks the same as 14 (b), and
// another one about something else.
func clusterFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	upr := &workflow.Document{Symbol: uprSymbol, Body: "UPR", Kind: workflow.UPRReport, State: "Mongolia",
		Title: "Report of the Working Group on the Universal Periodic Review", Adopted: civil.D(2025, 7, 2), Language: "en"}
	for _, r := range []workflow.Recommendation{
		{Paragraph: 140, Item: "6", Text: "Train border police.", Status: "supported", RecommendingStates: []string{"Thailand"}},
		{Paragraph: 140, Item: "7", Text: "Ratify the Convention on migrant workers", Status: "noted"},
	} {
		r.ID = workflow.RecID(upr.Symbol, r.Paragraph, r.Item)
		upr.Recommendations = append(upr.Recommendations, r)
	}
	plan := func(string, workflow.Recommendation) workflow.Assignment {
		return workflow.Assignment{Owner: "mps", By: "test", Stage: "assigned"}
	}
	if _, err := f.db.Import(context.Background(), []store.ImportItem{{Doc: upr, Source: "upr.txt"}}, plan); err != nil {
		t.Fatal(err)
	}
	for _, r := range upr.Recommendations {
		tk, err := f.db.Task(context.Background(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		f.tasks[r.ID] = tk.ID
	}
	return f
}

// makeCluster groups the CRC's 14 (b) and the UPR's 140.6 by hand; mps
// leads it, as it owns both.
func (f *fixture) makeCluster() store.Cluster {
	f.t.Helper()
	c, err := f.db.CreateCluster(context.Background(), store.ClusterSpec{Name: "Border police training",
		Members: []string{"CRC/C/XYZ/CO/1:14b", uprSymbol + ":140.6"}}, store.Actor{Name: "Secretariat"})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// postMultipart sends a form with files, as a browser sends the update
// forms.
func (f *fixture) postMultipart(c *http.Client, path string, fields map[string]string, files ...file) (*http.Response, string) {
	f.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			f.t.Fatal(err)
		}
	}
	for _, fl := range files {
		w, err := mw.CreateFormFile("file", fl.name)
		if err != nil {
			f.t.Fatal(err)
		}
		if _, err := w.Write(fl.data); err != nil {
			f.t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		f.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, f.ts.URL+path, &buf)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return f.do(c, req)
}

var reAcceptKey = regexp.MustCompile(`<input type="hidden" name="key" value="(s-[0-9a-f]+)">`)

// TestDashboardAcceptsSuggestion: the dashboard lists the suggestion
// that groups the CRC's and the UPR's "train border police", its members
// named by mechanism and year; showing it writes nothing; accepting it
// makes the cluster (as cluster accept does) and leads to its page; a
// second accept, a forged key and a form without a name are refused with
// nothing written.
func TestDashboardAcceptsSuggestion(t *testing.T) {
	f := clusterFixture(t)
	c := f.login("ncmc", "secretariat@ncmc.example")
	before := f.checksum()
	res, body := f.get(c, f.ts.URL+"/c/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("dashboard: %d\n%s", res.StatusCode, body)
	}
	if f.checksum() != before {
		t.Error("showing the dashboard wrote to the database")
	}
	for _, want := range []string{"Groups of the same ask", "CRC 2026, CRC/C/XYZ/CO/1, 14 (b)", "UPR 2025, A/HRC/59/15, 140.6", "score 1.00", "2 recommendations from 2 documents (CRC, UPR)"} {
		if !strings.Contains(body, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	m := reAcceptKey.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no suggestion to accept on the dashboard:\n%s", body)
	}
	key := m[1]
	res, body = f.post(c, "/c/clusters/accept", url.Values{"key": {key}})
	refused(t, f, "accept without a name", before, res, body, http.StatusUnprocessableEntity, "Write your name")
	res, body = f.post(c, "/c/clusters/accept", url.Values{"key": {"s-0000000000"}, "name": {"Secretariat"}})
	refused(t, f, "a forged key", before, res, body, http.StatusNotFound, "The recommendations changed since this page was shown")

	res, _ = f.post(c, "/c/clusters/accept", url.Values{"key": {key}, "name": {"Secretariat"}, "group": {"Border police training"}})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/c/cluster/") {
		t.Fatalf("accept: %d %q", res.StatusCode, loc)
	}
	cs, err := f.db.Clusters(context.Background(), store.ClusterFilter{})
	if err != nil || len(cs) != 1 {
		t.Fatalf("clusters after accepting: %v %v", cs, err)
	}
	if cs[0].Suggestion != key || cs[0].Name != "Border police training" || cs[0].Members != 2 || cs[0].Lead != "mps" || cs[0].CreatedBy != "Secretariat" {
		t.Errorf("the cluster made: %+v", cs[0])
	}
	res, body = f.get(c, f.ts.URL+loc)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "The suggestion was accepted") || !strings.Contains(body, "UPR 2025, A/HRC/59/15, 140.6") {
		t.Errorf("the cluster's page: %d\n%s", res.StatusCode, body)
	}
	_, body = f.get(c, f.ts.URL+"/c/")
	if !strings.Contains(body, fmt.Sprintf(`<a href="/c/cluster/%d">Border police training</a>`, cs[0].ID)) || reAcceptKey.MatchString(body) {
		t.Errorf("after accepting, the dashboard lists the suggestion still, or not the group:\n%s", body)
	}
	after := f.checksum()
	res, body = f.post(c, "/c/clusters/accept", url.Values{"key": {key}, "name": {"Secretariat"}})
	refused(t, f, "accepting twice", after, res, body, http.StatusConflict, "This suggestion was accepted already.")

	// A ministry's session, or none, cannot accept.
	other := f.login("mps", "focal@mps.example")
	after = f.checksum()
	res, body = f.post(other, "/c/clusters/accept", url.Values{"key": {key}, "name": {"Police"}})
	refused(t, f, "a ministry accepting", after, res, body, http.StatusForbidden, "This page is for the coordinating body.")
	res, body = f.post(f.client(), "/c/clusters/accept", url.Values{"key": {key}, "name": {"Nobody"}})
	refused(t, f, "no session", after, res, body, http.StatusForbidden, "Open the link in your latest e-mail")

	// The suggestions are kept while the recommendations stay the same; a
	// document imported since brings its own.
	doc := &workflow.Document{Symbol: "CEDAW/C/XYZ/CO/9", Body: "CEDAW", Kind: workflow.ConcludingObservations, State: "Mongolia",
		Title: "Concluding observations", Adopted: civil.D(2026, 3, 1)}
	r := workflow.Recommendation{Paragraph: 20, Section: "Data", Verb: "recommends", Text: "Collect data on the sale of children."}
	r.ID = workflow.RecID(doc.Symbol, r.Paragraph, r.Item)
	doc.Recommendations = append(doc.Recommendations, r)
	if _, err := f.db.Import(context.Background(), []store.ImportItem{{Doc: doc, Source: "cedaw.txt"}},
		func(string, workflow.Recommendation) workflow.Assignment {
			return workflow.Assignment{Owner: "moj", By: "test", Stage: "assigned"}
		}); err != nil {
		t.Fatal(err)
	}
	_, body = f.get(c, f.ts.URL+"/c/")
	if !strings.Contains(body, "CEDAW 2026, CEDAW/C/XYZ/CO/9, 20") || !reAcceptKey.MatchString(body) {
		t.Errorf("the dashboard does not suggest grouping the new document's recommendation:\n%s", body)
	}
}

// TestCoordinatorEditsCluster: on a cluster's page the coordinating body
// renames it, sets its lead and supporting ministries (given to every
// member) and takes a member out, which keeps its history and updates;
// bad input is refused with nothing written.
func TestCoordinatorEditsCluster(t *testing.T) {
	f := clusterFixture(t)
	ctx := context.Background()
	cl := f.makeCluster()
	if _, _, err := f.db.AddClusterUpdate(ctx, cl.ID, store.Update{Ministry: "mps", Role: store.RoleLead, Author: "Police", Text: "Trained 40 officers."}); err != nil {
		t.Fatal(err)
	}
	c := f.login("ncmc", "secretariat@ncmc.example")
	page := fmt.Sprintf("/c/cluster/%d", cl.ID)
	before := f.checksum()
	for _, bad := range []string{"/c/cluster/abc", "/c/cluster/0", "/c/cluster/999", "/c/cluster/Border%20police%20training"} {
		res, body := f.get(c, f.ts.URL+bad)
		refused(t, f, bad, before, res, body, http.StatusNotFound, msgNoCluster)
	}
	res, body := f.post(c, "/c/cluster/999/rename", url.Values{"group": {"X"}, "name": {"Secretariat"}})
	refused(t, f, "renaming a forged id", before, res, body, http.StatusNotFound, msgNoCluster)
	res, body = f.post(c, page+"/rename", url.Values{"group": {"  "}, "name": {"Secretariat"}})
	refused(t, f, "an empty name", before, res, body, http.StatusUnprocessableEntity, "The name is empty, too long")
	res, body = f.post(c, page+"/rename", url.Values{"group": {"Training"}})
	refused(t, f, "rename without who", before, res, body, http.StatusUnprocessableEntity, "Write your name")
	res, body = f.post(c, page+"/lead", url.Values{"lead": {"nosuch"}, "name": {"Secretariat"}})
	refused(t, f, "an unknown lead", before, res, body, http.StatusUnprocessableEntity, "There is no ministry “nosuch”.")
	res, body = f.post(c, page+"/remove", url.Values{"rec": {"CRC/C/XYZ/CO/1:8"}, "name": {"Secretariat"}})
	refused(t, f, "removing a task not in it", before, res, body, http.StatusUnprocessableEntity, "This recommendation is not in the group.")

	res, _ = f.post(c, page+"/rename", url.Values{"group": {"Training of border police"}, "name": {"Secretariat"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page+"?done=renamed" {
		t.Fatalf("rename: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res, _ = f.post(c, page+"/lead", url.Values{"lead": {"moj"}, "support": {"mps"}, "name": {"Secretariat"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("lead: %d", res.StatusCode)
	}
	for _, rec := range []string{"CRC/C/XYZ/CO/1:14b", uprSymbol + ":140.6"} {
		tk, err := f.db.Task(ctx, rec)
		if err != nil || tk.Owner != "moj" || len(tk.Support) != 1 || tk.Support[0] != "mps" {
			t.Errorf("%s after the lead was set: %+v %v", rec, tk.Owner, err)
		}
	}
	res, _ = f.post(c, page+"/remove", url.Values{"rec": {uprSymbol + ":140.6"}, "name": {"Secretariat"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", res.StatusCode)
	}
	d, err := f.db.Cluster(ctx, fmt.Sprint(cl.ID))
	if err != nil || d.Name != "Training of border police" || len(d.Members) != 1 {
		t.Fatalf("the cluster after the changes: %+v %v", d.Cluster, err)
	}
	// The member that left keeps its update and its history.
	left := f.tasks[uprSymbol+":140.6"]
	ups, err := f.db.TaskUpdates(ctx, left)
	if err != nil || len(ups) != 1 || ups[0].Text != "Trained 40 officers." {
		t.Errorf("the member that left lost its update: %v %v", ups, err)
	}
	_, body = f.get(c, f.ts.URL+page)
	for _, want := range []string{"Training of border police", "Renamed from", "left the group.", "Ministry of Justice", "Trained 40 officers."} {
		if !strings.Contains(body, want) {
			t.Errorf("the cluster's page lacks %q", want)
		}
	}
	_, body = f.get(c, f.ts.URL+fmt.Sprintf("/c/task/%d", f.tasks["CRC/C/XYZ/CO/1:14b"]))
	if !strings.Contains(body, page) {
		t.Errorf("the member's task page does not link its cluster")
	}
}

// TestMinistryRecordsOnCluster: the lead ministry's cluster page names
// the members by mechanism and year and the nearest deadline; one form
// with a file and a stage move records an update against every member
// and moves them all, with a receipt; another ministry, a supporting
// ministry's move, a forged id, a mismatched form and a POST without the
// session are refused with nothing written.
func TestMinistryRecordsOnCluster(t *testing.T) {
	f := clusterFixture(t)
	ctx := context.Background()
	cl := f.makeCluster()
	page := fmt.Sprintf("/m/cluster/%d", cl.ID)
	lead := f.login("mps", "focal@mps.example")
	before := f.checksum()
	res, body := f.get(lead, f.ts.URL+page)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("cluster page: %d\n%s", res.StatusCode, body)
	}
	for _, want := range []string{"Border police training", "CRC 2026, CRC/C/XYZ/CO/1, 14 (b)", "UPR 2025, A/HRC/59/15, 140.6", "Nearest deadline",
		`action="/m/cluster/` + fmt.Sprint(cl.ID) + `/update"`, `name="stage"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the cluster page lacks %q", want)
		}
	}
	// The date as on the task page: a text field written as its hint says
	// (a date field shows the browser's mm/dd/yyyy).
	if !strings.Contains(body, `<input id="u-date" type="text" name="done_on" inputmode="numeric" pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}"`) || strings.Contains(body, `type="date"`) {
		t.Errorf("the date field:\n%s", grepLines(body, "u-date"))
	}
	if f.checksum() != before {
		t.Error("showing the cluster page wrote to the database")
	}
	// The member's task page links the cluster's.
	_, body = f.get(lead, f.ts.URL+fmt.Sprintf("/m/task/%d", f.tasks[uprSymbol+":140.6"]))
	if !strings.Contains(body, `href="`+page+`"`) {
		t.Errorf("the member's task page does not link the cluster")
	}

	fields := map[string]string{"cluster": fmt.Sprint(cl.ID), "text": "Trained 120 border police officers.", "name": "Police", "stage": "acknowledged"}
	// Refusals first.
	moj := f.login("moj", "focal@moj.example")
	before = f.checksum()
	res, body = f.get(moj, f.ts.URL+page)
	refused(t, f, "another ministry's cluster", before, res, body, http.StatusNotFound, msgNoOwnGroup)
	res, body = f.postMultipart(moj, page+"/update", fields, file{"x.pdf", pdf})
	refused(t, f, "another ministry's update", before, res, body, http.StatusNotFound, msgNoOwnGroup)
	res, body = f.postMultipart(f.client(), page+"/update", fields, file{"x.pdf", pdf})
	refused(t, f, "no session", before, res, body, http.StatusForbidden, "Open the link in your latest e-mail")
	res, body = f.postMultipart(lead, "/m/cluster/999/update", fields)
	refused(t, f, "a forged id", before, res, body, http.StatusNotFound, msgNoOwnGroup)
	res, body = f.postMultipart(lead, "/m/cluster/x/update", fields)
	refused(t, f, "a forged id", before, res, body, http.StatusNotFound, msgNoOwnGroup)
	forged := map[string]string{"cluster": "999", "text": "x", "name": "Police"}
	res, body = f.postMultipart(lead, page+"/update", forged)
	refused(t, f, "a form naming another cluster", before, res, body, http.StatusNotFound, msgNoOwnGroup)
	res, body = f.postMultipart(lead, page+"/update", map[string]string{"cluster": fmt.Sprint(cl.ID), "name": "Police"})
	refused(t, f, "an empty form", before, res, body, http.StatusUnprocessableEntity, "Write what was done, or choose the stage")
	res, body = f.postMultipart(lead, page+"/update", map[string]string{"cluster": fmt.Sprint(cl.ID), "name": "Police", "stage": "reported"})
	refused(t, f, "a stage not allowed", before, res, body, http.StatusUnprocessableEntity, "cannot all move to that stage")
	res, body = f.postMultipart(lead, page+"/update", map[string]string{"cluster": fmt.Sprint(cl.ID), "text": "x", "name": "Police"}, file{"x.html", []byte("<html>")})
	refused(t, f, "a file of a refused type", before, res, body, http.StatusUnprocessableEntity, "This kind of file cannot be attached")
	coord := f.login("ncmc", "secretariat@ncmc.example")
	before = f.checksum()
	res, body = f.get(coord, f.ts.URL+page)
	refused(t, f, "the coordinator on a ministry's page", before, res, body, http.StatusForbidden, "This page is for ministries")

	res, _ = f.postMultipart(lead, page+"/update", fields, file{"training report.pdf", pdf})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page+"?done=both" {
		t.Fatalf("record: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	for _, rec := range []string{"CRC/C/XYZ/CO/1:14b", uprSymbol + ":140.6"} {
		ups, err := f.db.TaskUpdates(ctx, f.tasks[rec])
		if err != nil || len(ups) != 1 || ups[0].Text != fields["text"] || len(ups[0].Evidence) != 1 || ups[0].Evidence[0].Title != "training report.pdf" {
			t.Errorf("%s: updates %+v %v", rec, ups, err)
		}
		tk, err := f.db.Task(ctx, rec)
		if err != nil || tk.Stage != "acknowledged" {
			t.Errorf("%s: stage %q %v", rec, tk.Stage, err)
		}
	}
	res, body = f.get(lead, f.ts.URL+page+"?done=both")
	for _, want := range []string{"Your progress update was recorded and the recommendations were moved", fields["text"], "training report.pdf", "Police"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page after recording lacks %q (%d)", want, res.StatusCode)
		}
	}
	msgs, err := f.db.Outbox(ctx, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	receipts := 0
	for _, m := range msgs {
		if m.Kind == KindReceipt {
			receipts++
			if raw := f.rawMessage(m.ID); !strings.Contains(raw, "Border police training") || !strings.Contains(raw, page) {
				t.Errorf("the receipt does not name the cluster nor link its page:\n%s", raw)
			}
		}
	}
	if receipts != 2 {
		t.Errorf("%d receipts, want 2 (the update and the move)", receipts)
	}

	// A supporting ministry records an update but does not move.
	if _, err := f.db.SetClusterLead(ctx, fmt.Sprint(cl.ID), "mps", []string{"moj"}, store.Actor{Name: "Secretariat"}); err != nil {
		t.Fatal(err)
	}
	before = f.checksum()
	res, body = f.get(moj, f.ts.URL+page)
	if res.StatusCode != http.StatusOK || strings.Contains(body, `name="stage"`) {
		t.Errorf("the supporting ministry's page: %d, offers a move: %v", res.StatusCode, strings.Contains(body, `name="stage"`))
	}
	res, body = f.postMultipart(moj, page+"/update", map[string]string{"cluster": fmt.Sprint(cl.ID), "name": "Ms Justice", "stage": "action_planned"})
	refused(t, f, "a supporting ministry's move", before, res, body, http.StatusForbidden, "Only the lead ministry moves a task")
}

// TestDashboardListsTheNewestGroups: with more groups than the dashboard
// lists, it lists the newest, counts them all, and says where the others
// are.
func TestDashboardListsTheNewestGroups(t *testing.T) {
	f := newFixture(t)
	n := dashClusters + 3
	doc := &workflow.Document{Symbol: "A/HRC/60/9", Body: "UPR", Kind: workflow.UPRReport, State: "Mongolia",
		Title: "Report of the Working Group on the Universal Periodic Review", Adopted: civil.D(2025, 10, 2), Language: "en"}
	for i := range 2 * n {
		r := workflow.Recommendation{Paragraph: 120, Item: fmt.Sprint(i + 1), Text: fmt.Sprintf("Do thing %d.", i), Status: "supported"}
		r.ID = workflow.RecID(doc.Symbol, r.Paragraph, r.Item)
		doc.Recommendations = append(doc.Recommendations, r)
	}
	plan := func(string, workflow.Recommendation) workflow.Assignment {
		return workflow.Assignment{Owner: "mps", By: "test", Stage: "assigned"}
	}
	ctx := context.Background()
	if _, err := f.db.Import(ctx, []store.ImportItem{{Doc: doc, Source: "upr.txt"}}, plan); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := f.db.CreateCluster(ctx, store.ClusterSpec{Name: fmt.Sprintf("Group number %d", i+1),
			Members: []string{doc.Recommendations[2*i].ID, doc.Recommendations[2*i+1].ID}}, store.Actor{Name: "Secretariat"}); err != nil {
			t.Fatal(err)
		}
	}
	c := f.login("ncmc", "secretariat@ncmc.example")
	res, body := f.get(c, f.ts.URL+"/c/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("dashboard: %d\n%s", res.StatusCode, body)
	}
	for _, want := range []string{fmt.Sprintf("Groups (%d)", n), fmt.Sprintf(">Group number %d<", n), ">Group number 4<",
		"3 more groups: followup cluster list lists them all."} {
		if !strings.Contains(body, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	if strings.Contains(body, ">Group number 3<") {
		t.Error("the dashboard lists the oldest group, beyond the newest it shows")
	}
}

// TestMemberHistoryNamesTheGroup: a member's task page names joining its
// group in the reader's language ("cluster", the stored kind, showed as
// such), with the group's name.
func TestMemberHistoryNamesTheGroup(t *testing.T) {
	f := clusterFixture(t)
	f.makeCluster()
	id := f.task("14b")
	for _, tc := range []struct{ email, want string }{
		{"focal@mps.example", "Group of the same ask"},
	} {
		c := f.login("mps", tc.email)
		_, body := f.get(c, fmt.Sprintf("%s/m/task/%d", f.ts.URL, id))
		hist := body[strings.LastIndex(body, "<table"):]
		if !strings.Contains(hist, tc.want) || !strings.Contains(hist, "Border police training") || strings.Contains(hist, "<td>cluster") {
			t.Errorf("the member's history:\n%s", hist)
		}
	}
}

// TestSuggestionsInTheCoordinatorsLanguage: a suggestion's name and reason
// are in the dashboard's language (they were English on every page), and
// a group accepted without a name of its own takes the name the page
// showed. In English they are what `cluster suggest` prints.
func TestSuggestionsInTheCoordinatorsLanguage(t *testing.T) {
	f := clusterFixture(t)
	// A second ask to ratify the migrant workers' convention, so that the
	// UPR's 140.7 has a group whose name is a treaty.
	doc := &workflow.Document{Symbol: "CMW/C/XYZ/CO/1", Body: "CMW", Kind: workflow.ConcludingObservations, State: "Mongolia",
		Title: "Concluding observations", Adopted: civil.D(2026, 4, 1)}
	r := workflow.Recommendation{Paragraph: 9, Verb: "recommends",
		Text: "Consider ratifying the International Convention on the Protection of the Rights of All Migrant Workers and Members of Their Families."}
	r.ID = workflow.RecID(doc.Symbol, r.Paragraph, r.Item)
	doc.Recommendations = append(doc.Recommendations, r)
	if _, err := f.db.Import(context.Background(), []store.ImportItem{{Doc: doc, Source: "cmw.txt"}},
		func(string, workflow.Recommendation) workflow.Assignment {
			return workflow.Assignment{Owner: "mps", By: "test", Stage: "assigned"}
		}); err != nil {
		t.Fatal(err)
	}

	// English: the page says what the command line says.
	items, err := f.db.ClusterItems(context.Background(), store.SuggestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	res := cluster.Suggest(items, cluster.Options{})
	ratify := false
	for _, sg := range res.Clusters {
		if got := suggestionName("en", sg); got != sg.Name {
			t.Errorf("English name on the page %q, on the command line %q", got, sg.Name)
		}
		if got := suggestionReason("en", sg); got != sg.Reason {
			t.Errorf("English reason on the page %q, on the command line %q", got, sg.Reason)
		}
		ratify = ratify || sg.Why.Ratify == "icrmw"
	}
	if !ratify || len(res.Clusters) != 2 {
		t.Fatalf("want two suggestions, one to ratify the ICRMW: %+v", res.Clusters)
	}

	f.cfg.Coordinator.Language = "fr"
	c := f.login("ncmc", "secretariat@ncmc.example")
	_, body := f.get(c, f.ts.URL+"/c/")
	for _, want := range []string{"ratification : Convention sur les travailleurs migrants", "traité en commun : Convention sur les travailleurs migrants",
		"termes en commun : ", "2 recommandations de 2 documents (CMW, UPR)", "2 recommandations de 2 documents (CRC, UPR)"} {
		if !strings.Contains(body, want) {
			t.Errorf("the French dashboard lacks %q", want)
		}
	}
	for _, w := range []string{"shared terms", "shared treaty", "recommendations from", "ratify the"} {
		if strings.Contains(body, w) {
			t.Errorf("English %q on the French dashboard", w)
		}
	}
	for _, m := range reAcceptKey.FindAllStringSubmatch(body, -1) {
		f.post(c, "/c/clusters/accept", url.Values{"key": {m[1]}, "name": {"Secrétariat"}})
	}
	cs, err := f.db.Clusters(context.Background(), store.ClusterFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	if len(cs) != 2 || !slices.Contains(names, "ratification : Convention sur les travailleurs migrants") {
		t.Errorf("groups accepted without a name of their own: %q, want the names the page showed", names)
	}

	for lang, want := range map[string]string{"es": "ratificación: Convención sobre los trabajadores migratorios",
		"lo": "ການໃຫ້ສັດຕະຍາບັນ: Migrant Workers Convention (ICRMW)"} {
		if got := suggestionName(lang, cluster.Suggestion{Name: "ratify the Migrant Workers Convention (ICRMW)", Why: cluster.Why{Ratify: "icrmw"}}); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}
