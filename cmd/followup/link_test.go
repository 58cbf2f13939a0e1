package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/web"
	"github.com/followup-app/followup/workflow"
)

// openLink opens a link against a server on the same config and database
// and returns the status (303 opens a session, 403 refuses).
func openLink(t *testing.T, c *cli, cfgPath, link string) int {
	t.Helper()
	cfg, err := config.Load(cfgPath, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), cfg.Database, store.Options{Now: c.clock})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv, err := web.New(cfg, db, nil, clockwork.NewFakeClockAt(c.now))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return pressLink(t, client, ts.URL+strings.TrimPrefix(link, cfg.Web.BaseURL)).StatusCode
}

// pressLink opens a link as a person does: its page (GET), which must
// hold the button, then the button (a same-origin POST of the link with
// the page it leads to). It returns the page's response when the page is
// not the button's (a refusal), else the button's.
func pressLink(t *testing.T, client *http.Client, link string) *http.Response {
	t.Helper()
	res, err := client.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.Contains(string(b), `<form method="post" action="/l/`) {
		return res
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{}
	if to := u.Query().Get("to"); to != "" {
		form.Set("to", to)
	}
	u.RawQuery = ""
	req, err := http.NewRequest(http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

func TestLinkCommand(t *testing.T) {
	seed := seedPath(t)
	c, cfg := exampleCLI(t)
	c.mustRun("import", "--config", cfg, seed)

	// Two focal points: one line each; --email picks one.
	out := c.mustRun("link", "mps", "--config", cfg)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "border-police@mps.example.org\thttp://127.0.0.1:8080/l/") ||
		!strings.HasPrefix(lines[1], "anti-trafficking@mps.example.org\thttp://127.0.0.1:8080/l/") {
		t.Fatalf("link mps:\n%s", out)
	}
	// The format follows the command line, not how many focal points a
	// ministry has: moj has one, and gets the same "address TAB link" line.
	out = c.mustRun("link", "moj", "--config", cfg)
	if !strings.HasPrefix(out, "legislation@moj.example.org\thttp://127.0.0.1:8080/l/") || strings.Count(out, "\n") != 1 {
		t.Fatalf("link moj:\n%q", out)
	}
	// --email asks for one person's link: the link alone.
	out = c.mustRun("link", "mps", "--config", cfg, "--email", "Border-Police@mps.example.org")
	link := strings.TrimSpace(out)
	if !strings.HasPrefix(link, "http://127.0.0.1:8080/l/") || strings.Contains(link, "\n") {
		t.Fatalf("link mps --email: %q", out)
	}
	st, err := os.Stat(filepath.Join(c.dir, "followup-web.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the key file: %v %v", err, st)
	}
	if code := openLink(t, c, cfg, link); code != http.StatusSeeOther {
		t.Fatalf("the printed link does not open: %d", code)
	}
	out = c.mustRun("link", "sessions", "--config", cfg)
	if !strings.Contains(out, "border-police@mps.example.org") || !strings.Contains(out, "open") {
		t.Fatalf("sessions:\n%s", out)
	}
	out = c.mustRun("link", "revoke", "--config", cfg, "--email", "border-police@mps.example.org")
	if !strings.Contains(out, "1 open session(s) closed") {
		t.Fatalf("revoke:\n%s", out)
	}
	if code := openLink(t, c, cfg, link); code != http.StatusForbidden {
		t.Fatalf("a revoked link opens: %d", code)
	}
	// A new link works again; --all ends it.
	link = strings.TrimSpace(c.mustRun("link", "mps", "--config", cfg, "--email", "border-police@mps.example.org"))
	if code := openLink(t, c, cfg, link); code != http.StatusSeeOther {
		t.Fatalf("a new link does not open: %d", code)
	}
	c.mustRun("link", "revoke", "--config", cfg, "--all")
	if code := openLink(t, c, cfg, link); code != http.StatusForbidden {
		t.Fatalf("--all left a link open: %d", code)
	}

	// Mistakes: one clear line, exit 1 or 2.
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"link", "nope"}, 1, `unknown ministry "nope"; expected one of: ncmc`},
		{[]string{"link", "moj", "--email", "x@example.org"}, 1, "x@example.org is not a focal point of moj"},
		{[]string{"link", "revoke"}, 2, "give exactly one of --email, --ministry or --all"},
		{[]string{"link", "revoke", "--all", "--ministry", "moj"}, 2, "give exactly one of"},
		{[]string{"link", "revoke", "--ministry", "nope"}, 1, `unknown ministry "nope"`},
	} {
		_, errs, code := c.run(append(tc.args, "--config", cfg)...)
		if code != tc.code || !strings.Contains(errs, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errs, tc.code, tc.msg)
		}
	}
}

func (c *cli) clock() time.Time { return c.now }

// TestWebUpdateInTaskShowAndOverview: what a focal point records on the
// web appears in `followup task show` and in the coordinator's next
// overview.
func TestWebUpdateInTaskShowAndOverview(t *testing.T) {
	seed := seedPath(t)
	c, cfg := exampleCLI(t)
	c.mustRun("import", "--config", cfg, seed)
	link := strings.TrimSpace(c.mustRun("link", "moj", "--config", cfg, "--email", "legislation@moj.example.org"))

	conf, err := config.Load(cfg, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), conf.Database, store.Options{Now: c.clock, Location: conf.Location})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(conf, db, nil, clockwork.NewFakeClockAt(c.now))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if res := pressLink(t, client, ts.URL+strings.TrimPrefix(link, conf.Web.BaseURL)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("open link: %d", res.StatusCode)
	}
	var tasks []workflow.Task
	err = db.Tasks(context.Background(), store.TaskFilter{Owner: "moj"}, func(t workflow.Task) error { tasks = append(tasks, t); return nil })
	if err != nil || len(tasks) == 0 {
		t.Fatalf("moj's tasks: %v %d", err, len(tasks))
	}
	id := fmt.Sprint(tasks[0].ID)
	form := url.Values{"task": {id}, "stage": {"acknowledged"}, "name": {"Khamla"}}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/m/task/"+id+"/stage", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := client.Do(req)
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("move: %v %v", err, res)
	}
	res.Body.Close()
	ts.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	out := c.mustRun("task", "show", id, "--config", cfg)
	if !strings.Contains(out, "Khamla") || !strings.Contains(out, "[link of legislation@moj.example.org, from 127.0.0.1]") {
		t.Fatalf("task show:\n%s", out)
	}
	c.mustRun("send", "digest", "--to", "coordinator", "--config", cfg)
	emls, _ := filepath.Glob(filepath.Join(c.dir, "mail", "*.eml"))
	found := false
	for _, p := range emls {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "Khamla") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no overview among %v names the change", emls)
	}
}

// TestRunRefusesAKeyOthersCanRead: the daemon does not start on a signing
// key other users can read, and says what to do in one line.
func TestRunRefusesAKeyOthersCanRead(t *testing.T) {
	c, cfg := exampleCLI(t)
	sample, err := os.ReadFile(filepath.Join("..", "..", "examples", "lao-opsc", "sample-co.txt"))
	if err != nil {
		t.Fatal(err)
	}
	c.write("sample-co.txt", sample)
	key := filepath.Join(c.dir, "followup-web.key")
	if err := os.WriteFile(key, []byte("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2U=\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.env["FOLLOWUP_WEB_LISTEN"] = "127.0.0.1:0"
	_, errs, code := c.run("run", "--config", cfg)
	if code != 1 || !strings.Contains(errs, "followup run: web.secret_file: "+key+" can be read by other users (mode 0644)") ||
		!strings.Contains(errs, "chmod 600") {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
}
