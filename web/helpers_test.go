package web

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// fixture is a server on a real SQLite file with three tasks: two owned
// by moj (the second supported by mps), one owned by mps.
type fixture struct {
	t     *testing.T
	cfg   *config.Config
	db    *store.DB
	path  string
	clock *clockwork.FakeClock
	srv   *Server
	ts    *httptest.Server
	tasks map[string]int64 // rec id -> task id
}

const testConfig = `
time_zone: Asia/Vientiane
coordinator:
  id: ncmc
  name: National Commission for Mothers and Children
  focal_points: [{name: Secretariat, email: secretariat@ncmc.example}]
ministries:
  - id: moj
    name: Ministry of Justice
    focal_points: [{name: Ms Justice, email: focal@moj.example}, {name: Mr Deputy, email: deputy@moj.example}]
  - id: mps
    name: Ministry of Public Security
    focal_points: [{name: Police, email: focal@mps.example}]
web:
  base_url: http://followup.test
`

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	cfg, err := config.Parse(filepath.Join(dir, "followup.yaml"), []byte(testConfig), config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, cfg: cfg, clock: clockwork.NewFakeClockAt(time.Date(2027, 1, 4, 1, 0, 0, 0, time.UTC)), tasks: map[string]int64{}}
	f.path = filepath.Join(dir, "followup.db")
	f.db, err = store.Open(context.Background(), f.path, store.Options{Now: f.clock.Now, Location: cfg.Location})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	doc := &workflow.Document{Symbol: "CRC/C/XYZ/CO/1", Body: "CRC", Kind: workflow.ConcludingObservations, Title: "Concluding observations",
		State: "Mongolia", Adopted: civil.D(2026, 6, 5)}
	for _, r := range []workflow.Recommendation{
		{Paragraph: 8, Section: "III. Data", Verb: "recommends", Text: "Collect data on the sale of children."},
		{Paragraph: 14, Item: "a", Section: "IV. General", Subsection: "Training", Verb: "urges", Text: "Train judges. <script>alert(1)</script>"},
		{Paragraph: 14, Item: "b", Section: "IV. General", Subsection: "Training", Verb: "urges", Text: "Train border police."},
	} {
		r.ID = workflow.RecID(doc.Symbol, r.Paragraph, r.Item)
		doc.Recommendations = append(doc.Recommendations, r)
	}
	owners := map[int]workflow.Assignment{
		8:  {Owner: "moj", By: "test", Stage: "assigned"},
		14: {Owner: "moj", Support: []string{"mps"}, By: "test", Stage: "assigned"},
	}
	plan := func(symbol string, rec workflow.Recommendation) workflow.Assignment {
		if rec.Item == "b" {
			return workflow.Assignment{Owner: "mps", By: "test", Stage: "assigned"}
		}
		return owners[rec.Paragraph]
	}
	if _, err := f.db.Import(context.Background(), []store.ImportItem{{Doc: doc, Source: "co.txt"}}, plan); err != nil {
		t.Fatal(err)
	}
	for _, r := range doc.Recommendations {
		tk, err := f.db.Task(context.Background(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		f.tasks[r.ID] = tk.ID
	}
	f.srv, err = New(cfg, f.db, nil, f.clock)
	if err != nil {
		t.Fatal(err)
	}
	f.ts = httptest.NewServer(f.srv.Handler())
	t.Cleanup(f.ts.Close)
	return f
}

// task returns the id of a task by its recommendation's paragraph and item.
func (f *fixture) task(para string) int64 {
	id, ok := f.tasks["CRC/C/XYZ/CO/1:"+para]
	if !ok {
		f.t.Fatalf("no task %s", para)
	}
	return id
}

// client is a browser: it keeps cookies and does not follow redirects.
func (f *fixture) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// login opens a fresh link for a focal point and returns a client with
// its session.
func (f *fixture) login(body, email string) *http.Client {
	f.t.Helper()
	link, err := f.srv.Link(context.Background(), body, email)
	if err != nil {
		f.t.Fatal(err)
	}
	c := f.client()
	if res := openLink(f.t, c, f.local(link)); res.StatusCode != http.StatusSeeOther {
		f.t.Fatalf("opening %s: status %d", link, res.StatusCode)
	}
	return c
}

var (
	reLinkForm = regexp.MustCompile(`<form method="post" action="(/l/[^"]+)">`)
	reLinkTo   = regexp.MustCompile(`<input type="hidden" name="to" value="([^"]*)">`)
)

// openLink opens a link as a person does: the page it shows (GET), then
// its button (a same-origin POST). It returns the button's response, or
// the page's when the page has no button (a refusal, or a session of the
// link's focal point already held).
func openLink(t *testing.T, c *http.Client, link string) *http.Response {
	t.Helper()
	res, err := c.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	m := reLinkForm.FindSubmatch(b)
	if res.StatusCode != http.StatusOK || m == nil {
		return res
	}
	form := url.Values{}
	if to := reLinkTo.FindSubmatch(b); to != nil {
		form.Set("to", html.UnescapeString(string(to[1])))
	}
	action, err := res.Request.URL.Parse(html.UnescapeString(string(m[1])))
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, action.String(), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// local turns a link made for base_url into one to the test server.
func (f *fixture) local(link string) string {
	return f.ts.URL + strings.TrimPrefix(link, f.cfg.Web.BaseURL)
}

func (f *fixture) get(c *http.Client, url string) (*http.Response, string) {
	f.t.Helper()
	res, err := c.Get(url)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return res, string(b)
}

// do sends a request built by the test, as a same-origin browser would
// unless the test set Sec-Fetch-Site itself.
func (f *fixture) do(c *http.Client, req *http.Request) (*http.Response, string) {
	f.t.Helper()
	if req.Header.Get("Sec-Fetch-Site") == "" && req.Header.Get("Origin") == "" {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	res, err := c.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return res, string(b)
}

// checksum is a digest of every row of the tables a page may write: a
// refused request must leave it unchanged.
func (f *fixture) checksum() string {
	f.t.Helper()
	db, err := sql.Open("sqlite3", "file:"+f.path+"?mode=ro")
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	h := sha256.New()
	for _, table := range []string{"tasks", "task_events", "task_updates", "update_evidence", "evidence_files", "ownership_requests", "outbox", "report_drafts", "web_sessions",
		"clusters", "cluster_events", "cluster_updates"} {
		rows, err := db.Query(`SELECT * FROM ` + table + ` ORDER BY 1`)
		if err != nil {
			f.t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				f.t.Fatal(err)
			}
			fmt.Fprintf(h, "%s %v\n", table, vals)
		}
		if err := rows.Close(); err != nil {
			f.t.Fatal(err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func storeFilterFor(email string) store.SessionFilter { return store.SessionFilter{FocalPoint: email} }

// rawMessage is an outbox message as it will be sent.
func (f *fixture) rawMessage(id int64) string {
	f.t.Helper()
	db, err := sql.Open("sqlite3", "file:"+f.path+"?mode=ro")
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	var raw []byte
	if err := db.QueryRow(`SELECT raw FROM outbox_bodies WHERE id = ?`, id).Scan(&raw); err != nil {
		f.t.Fatal(err)
	}
	return string(raw)
}
