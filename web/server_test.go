package web

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/store"
)

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	res, body := f.get(f.client(), f.ts.URL+"/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	for h, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
		"Cache-Control":          "no-store",
	} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy %q allows script", csp)
	}
	if !strings.Contains(body, `<html lang="en">`) || strings.Contains(body, "<script") {
		t.Errorf("home page: no lang, or a script:\n%s", body)
	}
}

func TestStaticAssetsAreEmbedded(t *testing.T) {
	f := newFixture(t)
	res, body := f.get(f.client(), f.ts.URL+"/static/style.css")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") || !strings.Contains(body, "max-width") {
		t.Fatalf("style.css: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

func TestUnknownPageIs404(t *testing.T) {
	f := newFixture(t)
	res, body := f.get(f.client(), f.ts.URL+"/nothing/here")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "There is no page at this address.") {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
}

func TestSecretFileCreatedPrivateAndRefusedWhenShared(t *testing.T) {
	path := filepath.Join(t.TempDir(), "web.key")
	key, created, err := LoadSecret(path)
	if err != nil || !created || len(key) != keySize {
		t.Fatalf("LoadSecret: %v created=%v len=%d", err, created, len(key))
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o, want 0600", st.Mode().Perm())
	}
	again, created, err := LoadSecret(path)
	if err != nil || created || string(again) != string(key) {
		t.Fatalf("second LoadSecret: %v created=%v same=%v", err, created, string(again) == string(key))
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = LoadSecret(path)
	if err == nil || !strings.Contains(err.Error(), "can be read by other users (mode 0644)") || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a shared key file: %v", err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadSecret(path); err == nil || !strings.Contains(err.Error(), "does not hold a key followup made") {
		t.Fatalf("a damaged key file: %v", err)
	}
}

func TestSessionRedirectsToPagesWithoutToken(t *testing.T) {
	f := newFixture(t)
	link, err := f.srv.Link(t.Context(), "moj", "focal@moj.example")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, "http://followup.test/l/") {
		t.Fatalf("link %q does not start with the base URL", link)
	}
	c := f.client()
	res := openLink(t, c, f.local(link))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/m/" {
		t.Fatalf("open link: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == sessionCookie {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Secure {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, not Secure over http", cookie)
	}
	sessions, err := f.db.Sessions(t.Context(), storeFilterFor("focal@moj.example"))
	if err != nil || len(sessions) != 1 || sessions[0].IDHash == cookie.Value || sessions[0].IDHash != hashID(cookie.Value) {
		t.Fatalf("sessions %+v, err %v: want one, stored hashed", sessions, err)
	}
	res, body := f.get(c, f.ts.URL+"/m/")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Ministry of Justice") {
		t.Fatalf("/m/ with the session: %d\n%s", res.StatusCode, body)
	}
	// Without a session the ministry page says how to get in.
	res, body = f.get(f.client(), f.ts.URL+"/m/")
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, msgNoSession) {
		t.Fatalf("/m/ without a session: %d\n%s", res.StatusCode, body)
	}
	// The coordinator's link leads to the dashboard, and a ministry cannot reach it.
	coord := f.login("ncmc", "secretariat@ncmc.example")
	if res, _ := f.get(coord, f.ts.URL+"/c/"); res.StatusCode != http.StatusOK {
		t.Fatalf("/c/ for the coordinator: %d", res.StatusCode)
	}
	if res, _ := f.get(c, f.ts.URL+"/c/"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("/c/ for a ministry: %d", res.StatusCode)
	}
}

func TestLinkLandsOnItsOwnAreaOnly(t *testing.T) {
	for _, tc := range []struct {
		to    string
		coord bool
		want  string
	}{
		{"", false, "/m/"},
		{"/m/task/3", false, "/m/task/3"},
		{"/c/task/3", false, "/m/"},
		{"/c/task/3", true, "/c/task/3"},
		{"https://evil.example/m/", false, "/m/"},
		{"//evil.example/m/", false, "/m/"},
		{"/m/\\evil", false, "/m/"},
		{"/m//evil.example", false, "/m/"},
	} {
		if got := landing(tc.to, tc.coord); got != tc.want {
			t.Errorf("landing(%q, %v) = %q, want %q", tc.to, tc.coord, got, tc.want)
		}
	}
}

func TestSignOutEndsTheSession(t *testing.T) {
	f := newFixture(t)
	c := f.login("moj", "focal@moj.example")
	req, err := http.NewRequest(http.MethodPost, f.ts.URL+"/logout", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := f.do(c, req); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if res, _ := f.get(c, f.ts.URL+"/m/"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("after signing out: %d", res.StatusCode)
	}
	s, err := f.db.Sessions(t.Context(), storeFilterFor("focal@moj.example"))
	if err != nil || len(s) != 1 || !s[0].Revoked {
		t.Fatalf("sessions %+v %v: want one, revoked", s, err)
	}
}

// TestRemovedFocalPointLosesAccess: an address the admin takes out of the
// config loses its links and its open sessions at the next reload.
func TestRemovedFocalPointLosesAccess(t *testing.T) {
	f := newFixture(t)
	c := f.login("moj", "deputy@moj.example")
	link, err := f.srv.Link(t.Context(), "moj", "deputy@moj.example")
	if err != nil {
		t.Fatal(err)
	}
	cfg := *f.cfg
	cfg.Ministries = append([]config.Body(nil), f.cfg.Ministries...)
	cfg.Ministries[0].FocalPoints = cfg.Ministries[0].FocalPoints[:1]
	f.srv.SetConfig(&cfg)
	if res, _ := f.get(c, f.ts.URL+"/m/"); res.StatusCode != http.StatusForbidden {
		t.Errorf("session of a removed focal point: %d", res.StatusCode)
	}
	if res, _ := f.get(f.client(), f.local(link)); res.StatusCode != http.StatusForbidden {
		t.Errorf("link of a removed focal point: %d", res.StatusCode)
	}
}

// TestLinkOpensOnlyOnPost: a link fetched by GET or HEAD, as a mail
// scanner or a browser's prefetch does, shows a page with one button and
// writes nothing; the button's POST opens one session and goes on to the
// page the link names. Pressing it twice, or opening the link again with
// that session, opens no other; another site's form opens none.
func TestLinkOpensOnlyOnPost(t *testing.T) {
	f := newFixture(t)
	link, err := f.srv.Link(t.Context(), "moj", "focal@moj.example")
	if err != nil {
		t.Fatal(err)
	}
	task := fmt.Sprintf("/m/task/%d", f.task("8"))
	target := f.local(link) + "?to=" + url.QueryEscape(task)
	sessions := func() int {
		t.Helper()
		s, err := f.db.Sessions(t.Context(), store.SessionFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(s)
	}
	before := f.checksum()
	scanner := f.client()
	for range 3 {
		for _, m := range []string{http.MethodGet, http.MethodHead} {
			req, _ := http.NewRequest(m, target, nil)
			res, body := f.do(scanner, req)
			if res.StatusCode != http.StatusOK || len(res.Cookies()) != 0 {
				t.Fatalf("%s of the link: %d, cookies %v", m, res.StatusCode, res.Cookies())
			}
			if m == http.MethodGet {
				for _, want := range []string{
					"This is the personal link of Ms Justice (Ministry of Justice).",
					`<form method="post" action="/l/` + strings.TrimPrefix(link, f.cfg.Web.BaseURL+"/l/") + `">`,
					`<input type="hidden" name="to" value="` + task + `">`,
					"Go to your ministry&#39;s tasks</button>",
				} {
					if !strings.Contains(body, want) {
						t.Errorf("the link's page lacks %q:\n%s", want, body)
					}
				}
			}
		}
	}
	if n := sessions(); n != 0 || f.checksum() != before {
		t.Fatalf("fetching the link wrote: %d sessions", n)
	}
	// Another site's form posting to the link opens nothing.
	req, _ := http.NewRequest(http.MethodPost, f.local(link), strings.NewReader(url.Values{"to": {task}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, body := f.do(f.client(), req)
	refused(t, f, "cross-site POST of a link", before, res, body, http.StatusForbidden, "sent from another site")

	// The button: one session, and on to the task without the token.
	c := f.client()
	res = openLink(t, c, target)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != task || len(res.Cookies()) != 1 {
		t.Fatalf("the button: %d to %q, cookies %v", res.StatusCode, res.Header.Get("Location"), res.Cookies())
	}
	if n := sessions(); n != 1 {
		t.Fatalf("%d sessions after the button, want 1", n)
	}
	if res, body := f.get(c, f.ts.URL+task); res.StatusCode != http.StatusOK || !strings.Contains(body, "Collect data on the sale of children.") {
		t.Fatalf("the task with the session: %d", res.StatusCode)
	}
	// A second press, and the link opened again, with that session.
	res, _ = f.post(c, strings.TrimPrefix(f.local(link), f.ts.URL), url.Values{"to": {task}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != task || len(res.Cookies()) != 0 {
		t.Errorf("a second press: %d to %q, cookies %v", res.StatusCode, res.Header.Get("Location"), res.Cookies())
	}
	if res, _ := f.get(c, target); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != task {
		t.Errorf("the link opened again with its session: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	// Another focal point's session on the same browser gets the page.
	if res, body := f.get(f.login("moj", "deputy@moj.example"), target); res.StatusCode != http.StatusOK || !strings.Contains(body, "Ms Justice") {
		t.Errorf("the link opened with another focal point's session: %d", res.StatusCode)
	}
	if n := sessions(); n != 2 {
		t.Errorf("%d sessions, want the focal point's one and the deputy's", n)
	}
}
