package web

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/report/source"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

const coordEmail = "secretariat@ncmc.example"

func (f *fixture) history(ref string) []store.Event {
	f.t.Helper()
	evs, err := f.db.History(context.Background(), f.task(ref))
	if err != nil {
		f.t.Fatal(err)
	}
	return evs
}

func TestDashboardOnlyForTheCoordinator(t *testing.T) {
	f := newFixture(t)
	moj := f.login("moj", "focal@moj.example")
	before := f.checksum()
	task := f.ts.URL + "/c/task/" + itoa(f.task("8"))
	for _, c := range []struct {
		name   string
		client *http.Client
	}{{"a ministry's session", moj}, {"no session", f.client()}} {
		for _, u := range []string{f.ts.URL + "/c/", f.ts.URL + "/c/tasks", f.ts.URL + "/c/tasks.csv", task} {
			res, body := f.get(c.client, u)
			if res.StatusCode != http.StatusForbidden || strings.Contains(body, "Progress by ministry") || strings.Contains(body, "Collect data") {
				t.Errorf("%s, GET %s: %d", c.name, u, res.StatusCode)
			}
		}
		for path, form := range map[string]url.Values{
			"/c/task/" + itoa(f.task("8")) + "/stage":  {"to": {"acknowledged"}, "name": {"Intruder"}},
			"/c/task/" + itoa(f.task("8")) + "/assign": {"owner": {"mps"}, "name": {"Intruder"}},
			"/c/update/1/public":                       {"public": {"1"}, "name": {"Intruder"}},
			"/c/request/1/decide":                      {"decision": {"agree"}, "name": {"Intruder"}},
		} {
			if res, _ := f.post(c.client, path, form); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s, POST %s: %d, want 403", c.name, path, res.StatusCode)
			}
		}
	}
	if f.checksum() != before {
		t.Error("a refused request changed the database")
	}
}

func TestDashboardPage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.db.AddUpdate(ctx, store.Update{TaskID: f.task("14a"), Ministry: "moj", Role: store.RoleLead, Author: "Ms Justice",
		FocalPoint: "focal@moj.example", Text: "Trained 40 judges. <b>bold</b>"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.AddOwnershipRequest(ctx, store.OwnershipRequest{TaskID: f.task("14b"), Ministry: "mps", Proposed: "moj",
		Reason: "Judges are the courts' business.", By: store.Actor{Name: "Police officer", FocalPoint: "focal@mps.example"}}); err != nil {
		t.Fatal(err)
	}
	c := f.login("ncmc", coordEmail)
	res, body := f.get(c, f.ts.URL+"/c/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/c/: %d\n%s", res.StatusCode, body)
	}
	for _, want := range []string{
		"3 open tasks of 3",
		`<a href="/c/tasks?ministry=moj">Ministry of Justice</a>`, `<svg class="bar"`, `<rect x="0" width="100" height="6"`,
		"Judges are the courts&#39; business.", "Trained 40 judges. &lt;b&gt;bold&lt;/b&gt;",
		"Recent progress updates", "What changed this week",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "<b>bold") {
		t.Error("the dashboard holds unescaped markup")
	}
	// The task's page escapes the recommendation's script.
	res, body = f.get(c, f.ts.URL+"/c/task/"+itoa(f.task("14a")))
	if res.StatusCode != http.StatusOK || strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("task page: %d, script not escaped", res.StatusCode)
	}
	if !strings.Contains(body, "Trained 40 judges.") || !strings.Contains(body, "Make it public") {
		t.Errorf("task page lacks the update or its form")
	}
	if _, body = f.get(c, f.ts.URL+"/c/task/"+itoa(f.task("14b"))); !strings.Contains(body, "Agree: give it to Ministry of Justice") {
		t.Errorf("task page lacks the request's form")
	}
}

// TestDashboardBarsShowStagesNoLongerInTheConfig: a task in a stage the
// config no longer has (an admin removed "archived") is one of its
// ministry's open tasks, and its ministry's bar shows it, in a segment
// named by the stage's id, with the legend's entry: the bar's parts add
// up to the ministry's tasks. The bar left it out.
func TestDashboardBarsShowStagesNoLongerInTheConfig(t *testing.T) {
	f := newFixture(t)
	if _, err := f.db.Advance(context.Background(), itoa(f.task("8")), "archived", store.Actor{Name: "admin"}, "",
		func(workflow.Task) error { return nil }); err != nil {
		t.Fatal(err)
	}
	_, body := f.get(f.login("ncmc", coordEmail), f.ts.URL+"/c/")
	bar := grepLines(body, `aria-label="Ministry of Justice: `)
	if !strings.Contains(bar, `, archived 1"`) || !strings.Contains(body, "<title>archived: 1</title>") {
		t.Errorf("the bar of the Ministry of Justice does not show its archived task:\n%s", grepLines(body, "aria-label"))
	}
	if !strings.Contains(body, "</svg> archived</li>") {
		t.Errorf("the legend does not name the stage:\n%s", grepLines(body, "<li><svg"))
	}
	// The figures beside the bar count what it shows.
	figures := grepLines(body, `<a href="/c/tasks?ministry=moj">`)
	shown := 0
	if m := reMojBar.FindStringSubmatch(bar); m != nil {
		for _, part := range strings.Split(m[1], ", ") { // "Assigned 1"
			n, _ := strconv.Atoi(part[strings.LastIndexByte(part, ' ')+1:])
			shown += n
		}
	}
	if want := fmt.Sprintf("%d open, 0 closed", shown); shown == 0 || !strings.Contains(figures, want) {
		t.Errorf("the bar shows %d tasks (%s); the figures say %s", shown, bar, figures)
	}
}

// reMojBar matches the Ministry of Justice's bar's label: its stages and
// counts, "Assigned 1, archived 1".
var reMojBar = regexp.MustCompile(`aria-label="Ministry of Justice: ([^"]*)"`)

func TestDashboardTaskListAndCSV(t *testing.T) {
	f := newFixture(t)
	c := f.login("ncmc", coordEmail)
	res, body := f.get(c, f.ts.URL+"/c/tasks?ministry=moj")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "2 tasks") || !strings.Contains(body, "CRC/C/XYZ/CO/1:14a") || strings.Contains(body, "CRC/C/XYZ/CO/1:14b") {
		t.Errorf("moj's tasks: %d\n%s", res.StatusCode, body)
	}
	res, body = f.get(c, f.ts.URL+"/c/tasks?q=border")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "1 task") || strings.Contains(body, "1 tasks") || !strings.Contains(body, "Train border police.") {
		t.Errorf("search: %d", res.StatusCode)
	}
	res, body = f.get(c, f.ts.URL+"/c/tasks?document=CRC/C/XYZ/CO/1&section=III.+Data")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "1 task") || strings.Contains(body, "1 tasks") || !strings.Contains(body, `<option value="IV. General">`) {
		t.Errorf("section: %d", res.StatusCode)
	}
	// Nothing is overdue in January 2027 for a document adopted in June
	// 2026 with the default deadlines; the filter answers.
	if res, _ := f.get(c, f.ts.URL+"/c/tasks?overdue=1"); res.StatusCode != http.StatusOK {
		t.Errorf("overdue filter: %d", res.StatusCode)
	}
	for _, bad := range []string{"ministry=nobody", "stage=flying", "after=garbage", "q=" + strings.Repeat("x", 201)} {
		res, body := f.get(c, f.ts.URL+"/c/tasks?"+bad)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `class="error"`) {
			t.Errorf("%s: %d, want 422 with a message", bad, res.StatusCode)
		}
	}
	res, body = f.get(c, f.ts.URL+"/c/tasks.csv?ministry=moj")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), `attachment; filename="followup-tasks-`) ||
		!strings.HasPrefix(body, "\uFEFFRecommendation,") || strings.Count(body, "\r\n") != 3 {
		t.Errorf("CSV: %d %v\n%q", res.StatusCode, res.Header, body)
	}
}

func TestDashboardActions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.login("ncmc", coordEmail)
	t8 := "/c/task/" + itoa(f.task("8"))

	// Bad input: nothing is written.
	before := f.checksum()
	for _, b := range []struct {
		path   string
		form   url.Values
		status int
		msg    string
	}{
		{t8 + "/stage", url.Values{"to": {"implemented"}, "name": {"Vanh"}}, http.StatusUnprocessableEntity, "cannot move"},
		{t8 + "/stage", url.Values{"to": {"no-such-stage"}, "name": {"Vanh"}}, http.StatusUnprocessableEntity, ""},
		{t8 + "/stage", url.Values{"to": {"acknowledged"}, "name": {"  "}}, http.StatusUnprocessableEntity, "Write your name"},
		{"/c/task/99999/stage", url.Values{"to": {"acknowledged"}, "name": {"Vanh"}}, http.StatusNotFound, "no such task"},
		{"/c/task/abc/stage", url.Values{"to": {"acknowledged"}, "name": {"Vanh"}}, http.StatusNotFound, "no such task"},
		{t8 + "/assign", url.Values{"owner": {"nobody"}, "name": {"Vanh"}}, http.StatusUnprocessableEntity, "no ministry"},
		{t8 + "/assign", url.Values{"owner": {"ncmc"}, "name": {"Vanh"}}, http.StatusUnprocessableEntity, "no ministry"},
		{t8 + "/assign", url.Values{"owner": {"mps"}, "support": {"../../x"}, "name": {"Vanh"}}, http.StatusUnprocessableEntity, "no ministry"},
		{"/c/update/77/public", url.Values{"public": {"1"}, "name": {"Vanh"}}, http.StatusNotFound, "no such progress update"},
		{"/c/update/77/public", url.Values{"public": {"yes"}, "name": {"Vanh"}}, http.StatusUnprocessableEntity, "public"},
		{"/c/request/5/decide", url.Values{"decision": {"agree"}, "name": {"Vanh"}}, http.StatusNotFound, "no such request"},
		{"/c/request/5/decide", url.Values{"decision": {"maybe"}, "name": {"Vanh"}}, http.StatusUnprocessableEntity, "agree or to refuse"},
		{t8 + "/stage", url.Values{"to": {"acknowledged"}, "name": {strings.Repeat("x", maxSmallForm)}}, http.StatusRequestEntityTooLarge, "too large"},
	} {
		res, body := f.post(c, b.path, b.form)
		if res.StatusCode != b.status || !strings.Contains(body, b.msg) {
			t.Errorf("POST %s %v: %d, want %d with %q", b.path, b.form.Get("to")+b.form.Get("owner"), res.StatusCode, b.status, b.msg)
		}
	}
	// A form from another site.
	req, _ := http.NewRequest(http.MethodPost, f.ts.URL+t8+"/stage", strings.NewReader("to=acknowledged&name=Evil"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res, _ := f.do(c, req); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %d", res.StatusCode)
	}
	if f.checksum() != before {
		t.Fatal("refused input changed the database")
	}

	// Move, assign, publish, decide: each a task event with who, the
	// focal point and the client's address.
	res, _ := f.post(c, t8+"/stage", url.Values{"to": {"acknowledged"}, "name": {"Vanh"}, "note": {"seen"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != t8+"?done=stage" {
		t.Fatalf("move: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res, _ = f.post(c, t8+"/assign", url.Values{"owner": {"mps"}, "support": {"moj", "mps"}, "name": {"Vanh"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign: %d", res.StatusCode)
	}
	uid, err := f.db.AddUpdate(ctx, store.Update{TaskID: f.task("8"), Ministry: "mps", Role: store.RoleLead, Author: "Police", Text: "Data collected."})
	if err != nil {
		t.Fatal(err)
	}
	res, _ = f.post(c, "/c/update/"+itoa(uid)+"/public", url.Values{"public": {"1"}, "name": {"Vanh"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", res.StatusCode)
	}
	rid, err := f.db.AddOwnershipRequest(ctx, store.OwnershipRequest{TaskID: f.task("14b"), Ministry: "mps", Proposed: "moj",
		Reason: "Courts.", By: store.Actor{Name: "Police"}})
	if err != nil {
		t.Fatal(err)
	}
	res, _ = f.post(c, "/c/request/"+itoa(rid)+"/decide", url.Values{"decision": {"agree"}, "name": {"Vanh"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("decide: %d", res.StatusCode)
	}
	if res, body := f.post(c, "/c/request/"+itoa(rid)+"/decide", url.Values{"decision": {"refuse"}, "name": {"Vanh"}}); res.StatusCode != http.StatusConflict || !strings.Contains(body, "already decided") {
		t.Errorf("deciding twice: %d", res.StatusCode)
	}

	var got []string
	for _, e := range f.history("8") {
		if e.Actor == "Vanh" {
			if e.FocalPoint != coordEmail || e.ClientAddr != "127.0.0.1" {
				t.Errorf("event %+v lacks the focal point or the address", e)
			}
			got = append(got, e.Kind+":"+e.From+">"+e.To)
		}
	}
	if strings.Join(got, " ") != "stage:assigned>acknowledged assign:moj>mps +moj public:private>public" {
		t.Errorf("events = %v", got)
	}
	tk, err := f.db.Task(ctx, itoa(f.task("14b")))
	if err != nil || tk.Owner != "moj" {
		t.Errorf("after agreeing, 14b's owner = %q (%v)", tk.Owner, err)
	}
	tk, err = f.db.Task(ctx, itoa(f.task("8")))
	if err != nil || tk.Owner != "mps" || strings.Join(tk.Support, ",") != "moj" || tk.Stage != "acknowledged" {
		t.Errorf("task 8 = %+v (%v)", tk, err)
	}
}

func TestPublicPage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	uid, err := f.db.AddUpdate(ctx, store.Update{TaskID: f.task("14a"), Ministry: "moj", Role: store.RoleLead, Author: "Ms Justice",
		FocalPoint: "focal@moj.example", ClientAddr: "192.0.2.9", Text: "Trained 40 judges.",
		Evidence: []store.Evidence{{Kind: store.EvidenceLink, URL: "https://example.org/decree", Title: "Decree"},
			{Kind: store.EvidenceFile, Title: "minutes.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.AddUpdate(ctx, store.Update{TaskID: f.task("8"), Ministry: "moj", Role: store.RoleLead, Author: "Mr Deputy", Text: "Internal note."}); err != nil {
		t.Fatal(err)
	}
	// Off by default: 404 everywhere.
	for _, p := range []string{"/public/", "/public/doc/1"} {
		if res, _ := f.get(f.client(), f.ts.URL+p); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s with web.public off: %d", p, res.StatusCode)
		}
	}
	cfg := *f.cfg
	cfg.Web.Public = true
	f.srv.SetConfig(&cfg)
	if _, err := f.db.SetUpdatePublic(ctx, uid, true, store.Actor{Name: "Vanh"}); err != nil {
		t.Fatal(err)
	}
	res, body := f.get(f.client(), f.ts.URL+"/public/")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `<a href="/public/doc/1?lang=en">CRC/C/XYZ/CO/1</a>`) {
		t.Fatalf("index: %d\n%s", res.StatusCode, body)
	}
	res, body = f.get(f.client(), f.ts.URL+"/public/doc/1")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("document: %d", res.StatusCode)
	}
	for _, want := range []string{"Trained 40 judges.", "https://example.org/decree", "Ministry of Justice", "Collect data on the sale of children.", "III. Data", "&lt;script&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("public page lacks %q", want)
		}
	}
	for _, never := range []string{"Internal note", "Ms Justice", "Mr Deputy", "focal@moj.example", "192.0.2.9", "minutes.pdf", "<script>"} {
		if strings.Contains(body, never) {
			t.Errorf("public page shows %q", never)
		}
	}
	for _, p := range []string{"/public/doc/2", "/public/doc/x"} {
		if res, _ := f.get(f.client(), f.ts.URL+p); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
	}
}

func TestMetricsAndHealthzMounted(t *testing.T) {
	f := newFixture(t)
	c := f.login("ncmc", coordEmail)
	f.get(c, f.ts.URL+"/c/")
	res, body := f.get(f.client(), f.ts.URL+"/metrics")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `followup_http_requests_total{code="200",method="GET",route="GET /c/{$}"} 1`) ||
		!strings.Contains(body, `followup_tasks{stage="assigned"} 3`) {
		t.Errorf("/metrics: %d\n%s", res.StatusCode, grepLines(body, "followup_"))
	}
	// No heartbeat in this database: not healthy.
	if res, body := f.get(f.client(), f.ts.URL+"/healthz"); res.StatusCode != http.StatusServiceUnavailable || body != "not ok: stopped\n" {
		t.Errorf("/healthz: %d %s", res.StatusCode, body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestDashboardReportDraft(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.db.AddUpdate(ctx, store.Update{TaskID: f.task("14a"), Ministry: "moj", Role: store.RoleLead, Author: "Ms Justice",
		Text: "Trained 40 judges in 2027."}); err != nil {
		t.Fatal(err)
	}
	cfg := *f.cfg
	cfg.Reports = []config.Report{{ID: "crc-5", Title: "Fifth periodic report", Due: civil.D(2028, 1, 31), Kind: config.ReportPeriodic,
		WordLimit: config.DefaultWordLimit(config.ReportPeriodic)}}
	f.srv.SetConfig(&cfg)
	c := f.login("ncmc", coordEmail)
	if _, body := f.get(c, f.ts.URL+"/c/"); !strings.Contains(body, `<form method="post" action="/c/report/crc-5">`) ||
		!strings.Contains(body, `name="format" value="docx">docx</button>`) || !strings.Contains(body, "Fifth periodic report") {
		t.Error("the dashboard offers no form to draft the report")
	}
	drafts := func() []source.Draft {
		t.Helper()
		d, err := f.db.Drafts(ctx, "crc-5")
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// Fetching the old address, by GET or HEAD (a browser's prefetch,
	// a link followed from another site), records nothing.
	before := f.checksum()
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		req, _ := http.NewRequest(m, f.ts.URL+"/c/report/crc-5?format=md", nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		res, _ := f.do(c, req)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/c/#reports" {
			t.Errorf("%s /c/report/crc-5: %d to %q, want 303 to the dashboard", m, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if f.checksum() != before || len(drafts()) != 0 {
		t.Fatalf("a GET or HEAD recorded a draft: %+v", drafts())
	}
	// Another site's form cannot draft either.
	req, _ := http.NewRequest(http.MethodPost, f.ts.URL+"/c/report/crc-5", strings.NewReader("format=md"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, body := f.do(c, req)
	refused(t, f, "cross-site draft", before, res, body, http.StatusForbidden, "sent from another site")

	// The form's button: one draft recorded, then its download, as often
	// as asked, without another.
	res, body = f.post(c, "/c/report/crc-5", url.Values{"format": {"md"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/c/report/crc-5/draft/1" {
		t.Fatalf("draft md: %d to %q\n%s", res.StatusCode, res.Header.Get("Location"), body)
	}
	for range 2 {
		res, body = f.get(c, f.ts.URL+"/c/report/crc-5/draft/1")
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), `crc-5-draft-1.md`) ||
			!strings.Contains(body, "Trained 40 judges in 2027.") || !strings.Contains(body, "14 (a)") {
			t.Errorf("md draft: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Disposition"), body)
		}
	}
	if d := drafts(); len(d) != 1 || d[0].Format != "md" || d[0].By != coordEmail {
		t.Errorf("drafts recorded after one POST and two downloads: %+v", d)
	}
	res, _ = f.post(c, "/c/report/crc-5", url.Values{"format": {"docx"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/c/report/crc-5/draft/2" {
		t.Fatalf("draft docx: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, body = f.get(c, f.ts.URL+"/c/report/crc-5/draft/2")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "PK") || !strings.Contains(res.Header.Get("Content-Disposition"), "crc-5-draft-2.docx") {
		t.Errorf("docx draft: %d %s", res.StatusCode, res.Header.Get("Content-Disposition"))
	}
	if d := drafts(); len(d) != 2 || d[1].SHA256 != fmt.Sprintf("%x", sha256.Sum256([]byte(body))) {
		t.Errorf("drafts recorded: %+v", d)
	}
	// Refusals write nothing.
	before = f.checksum()
	for path, want := range map[string]int{"/c/report/nope": http.StatusNotFound, "/c/report/crc-5?format=xlsx": http.StatusUnprocessableEntity} {
		p, q, _ := strings.Cut(path, "?")
		form, _ := url.ParseQuery(q)
		if res, _ := f.post(c, p, form); res.StatusCode != want {
			t.Errorf("POST %s: %d, want %d", path, res.StatusCode, want)
		}
	}
	for _, u := range []string{"/c/report/crc-5/draft/3", "/c/report/crc-5/draft/x", "/c/report/nope/draft/1"} {
		if res, body := f.get(c, f.ts.URL+u); res.StatusCode != http.StatusNotFound || !strings.Contains(body, "There is no such file.") {
			t.Errorf("%s: %d", u, res.StatusCode)
		}
	}
	if f.checksum() != before || len(drafts()) != 2 {
		t.Error("a refused draft or a missing one's download wrote")
	}
	// A ministry can neither draft nor download.
	moj := f.login("moj", "focal@moj.example")
	before = f.checksum()
	if res, _ := f.post(moj, "/c/report/crc-5", url.Values{"format": {"md"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a ministry drafting: %d", res.StatusCode)
	}
	if res, _ := f.get(moj, f.ts.URL+"/c/report/crc-5/draft/1"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a ministry downloading: %d", res.StatusCode)
	}
	if f.checksum() != before || len(drafts()) != 2 {
		t.Error("a refused draft was recorded")
	}
}

func TestDashboardEvidenceDownload(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pdf := []byte("%PDF-1.4 minutes")
	if _, err := f.db.AddUpdate(ctx, store.Update{TaskID: f.task("8"), Ministry: "moj", Role: store.RoleLead, Author: "Ms Justice", Text: "Minutes.",
		Evidence: []store.Evidence{{Kind: store.EvidenceFile, Title: "minutes ຂ.pdf", ContentType: "application/pdf", Data: pdf},
			{Kind: store.EvidenceLink, URL: "https://example.org", Title: "site"}}}); err != nil {
		t.Fatal(err)
	}
	c := f.login("ncmc", coordEmail)
	res, body := f.get(c, f.ts.URL+"/c/evidence/1")
	if res.StatusCode != http.StatusOK || body != string(pdf) || res.Header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("file: %d %v", res.StatusCode, res.Header)
	}
	for _, u := range []string{"/c/evidence/2", "/c/evidence/99", "/c/evidence/x"} {
		if res, _ := f.get(c, f.ts.URL+u); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", u, res.StatusCode)
		}
	}
	if res, _ := f.get(f.login("mps", "focal@mps.example"), f.ts.URL+"/c/evidence/1"); res.StatusCode != http.StatusForbidden {
		t.Errorf("another ministry through /c/: %d", res.StatusCode)
	}
}

// TestDashboardMailState (issue 20, cases 5 and 6): the dashboard tells
// the two facts apart. A relay that refuses everything, while the daemon
// beats: the daemon is alive, mail is not going out since when, how many
// messages wait, and the relay's last reply. Then, delivery working: mail
// is going out.
func TestDashboardMailState(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.db.Lock("followup run"); err != nil { // the daemon, in this process
		t.Fatal(err)
	}
	if err := f.db.Heartbeat(ctx, 4242); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, _, err := f.db.Enqueue(ctx, store.OutboxMessage{Key: fmt.Sprint("k", i), Kind: "reminder", Recipient: "moj", Subject: "s",
			MessageID: fmt.Sprintf("m%d@example.org", i), From: "f@example.org", To: []string{"t@example.org"}, Raw: []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.db.SetDeliveryState(ctx, store.DeliveryFailing, "the relay refuses every message; its last reply: smtp MAIL FROM: 451 4.3.0 queue full"); err != nil {
		t.Fatal(err)
	}
	c := f.login("ncmc", coordEmail)
	res, body := f.get(c, f.ts.URL+"/c/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/c/: %d", res.StatusCode)
	}
	for _, want := range []string{"The daemon is alive: last heartbeat", "Mail has not been going out since", "451 4.3.0 queue full", "3 messages waiting."} {
		if !strings.Contains(body, want) {
			t.Errorf("the dashboard does not say %q:\n%s", want, grepLines(body, "<li>"))
		}
	}
	if err := f.db.SetDeliveryState(ctx, store.DeliveryOK, ""); err != nil {
		t.Fatal(err)
	}
	_, body = f.get(c, f.ts.URL+"/c/")
	if !strings.Contains(body, "Mail is going out. 3 messages waiting.") || strings.Contains(body, "queue full") {
		t.Errorf("delivery working again:\n%s", grepLines(body, "<li>"))
	}
	// A held reload (issue 20, case 3) is said, with why.
	if err := f.db.HoldReload(ctx, "abc", []string{"it drops mail"}); err != nil {
		t.Fatal(err)
	}
	if _, body = f.get(c, f.ts.URL+"/c/"); !strings.Contains(body, "A config reload is held since") || !strings.Contains(body, "it drops mail") ||
		!strings.Contains(body, "followup config apply") {
		t.Errorf("a held reload:\n%s", grepLines(body, "<li>"))
	}
	// Stale: three heartbeats and a minute without one.
	f.clock.Advance(f.srv.Config().Schedules.Heartbeat*3 + 2*time.Minute)
	if _, body = f.get(c, f.ts.URL+"/c/"); !strings.Contains(body, "The daemon has recorded no heartbeat since") {
		t.Errorf("a stale heartbeat:\n%s", grepLines(body, "<li>"))
	}
}
