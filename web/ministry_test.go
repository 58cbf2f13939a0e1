package web

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"testing"

	"github.com/followup-app/followup/store"
)

// post sends a url-encoded form.
func (f *fixture) post(c *http.Client, path string, form url.Values) (*http.Response, string) {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return f.do(c, req)
}

type file struct {
	name string
	data []byte
}

// postUpdate sends the progress update form with files.
func (f *fixture) postUpdate(c *http.Client, taskID int64, fields map[string]string, files ...file) (*http.Response, string) {
	f.t.Helper()
	return f.postMultipart(c, fmt.Sprintf("/m/task/%d/update", taskID), fields, files...)
}

var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")

func updateFields(id int64, text string) map[string]string {
	return map[string]string{"task": fmt.Sprint(id), "text": text, "name": "Ms Justice", "done_on": "2027-01-02", "links": "https://example.gov/decree"}
}

func TestMinistryPageListsOwnTasksOverdueFirst(t *testing.T) {
	f := newFixture(t)
	c := f.login("moj", "focal@moj.example")
	res, body := f.get(c, f.ts.URL+"/m/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	lead, _, _ := strings.Cut(body, `id="support"`)
	if !strings.Contains(lead, "CRC/C/XYZ/CO/1:8") || !strings.Contains(lead, "CRC/C/XYZ/CO/1:14a") {
		t.Errorf("lead tasks missing:\n%s", lead)
	}
	if strings.Contains(body, "CRC/C/XYZ/CO/1:14b") {
		t.Errorf("another ministry's task is listed:\n%s", body)
	}
	// Each task says what it is about, not only its id; the text is
	// escaped like everywhere else.
	if !strings.Contains(lead, "Collect data on the sale of children.") ||
		!strings.Contains(lead, "Train judges. &lt;script&gt;") || strings.Contains(body, "<script>alert") {
		t.Errorf("the list does not show the recommendations' texts, escaped:\n%s", lead)
	}
	// Each says what it asks next, and by when, in words.
	if !strings.Contains(lead, "Next step: Acknowledged, by ") || strings.Contains(lead, "Assigned → Acknowledged:") {
		t.Errorf("the list does not say what comes next:\n%s", lead)
	}
	// mps supports 14a and leads 14b.
	mps := f.login("mps", "focal@mps.example")
	_, body = f.get(mps, f.ts.URL+"/m/")
	lead, support, _ := strings.Cut(body, `id="support"`)
	if !strings.Contains(lead, "CRC/C/XYZ/CO/1:14b") || !strings.Contains(support, "CRC/C/XYZ/CO/1:14a") || strings.Contains(body, "CRC/C/XYZ/CO/1:8<") {
		t.Errorf("mps's page:\n%s", body)
	}
	// Months later every task is overdue in "assigned" ("import + 1mo"):
	// all are marked.
	// (Sessions last at most 14 days: open a fresh link.)
	f.clock.Advance(24 * 60 * 60 * 1e9 * 60)
	_, body = f.get(f.login("moj", "focal@moj.example"), f.ts.URL+"/m/")
	if n := strings.Count(body, `class="overdue"`); n != 2 {
		t.Errorf("%d overdue tasks marked, want 2:\n%s", n, body)
	}
}

func TestProgressUpdateWithFileShowsEverywhere(t *testing.T) {
	f := newFixture(t)
	c := f.login("moj", "focal@moj.example")
	id := f.task("8")
	res, body := f.postUpdate(c, id, updateFields(id, "Decree 12 adopted."), file{"../../decree.pdf", pdf})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != fmt.Sprintf("/m/task/%d?done=update", id) {
		t.Fatalf("update: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), body)
	}
	var got []store.Update
	if err := f.db.Updates(context.Background(), store.UpdateFilter{TaskID: id}, func(u store.Update) error { got = append(got, u); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d updates", len(got))
	}
	u := got[0]
	if u.Author != "Ms Justice" || u.FocalPoint != "focal@moj.example" || u.ClientAddr != "127.0.0.1" || u.Role != store.RoleLead || u.DoneOn.String() != "2027-01-02" {
		t.Errorf("update %+v", u)
	}
	if len(u.Evidence) != 2 || u.Evidence[0].URL != "https://example.gov/decree" || u.Evidence[1].Title != "decree.pdf" || u.Evidence[1].ContentType != "application/pdf" {
		t.Fatalf("evidence %+v (the file named ../../decree.pdf must be stored as decree.pdf)", u.Evidence)
	}
	_, page := f.get(c, f.ts.URL+fmt.Sprintf("/m/task/%d?done=update", id))
	for _, want := range []string{"Your progress update was recorded", "Decree 12 adopted.", "decree.pdf", "Ms Justice"} {
		if !strings.Contains(page, want) {
			t.Errorf("task page lacks %q", want)
		}
	}
	res, data := f.get(c, fmt.Sprintf("%s/m/evidence/%d", f.ts.URL, u.Evidence[1].ID))
	if res.StatusCode != http.StatusOK || data != string(pdf) || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %d %q", res.StatusCode, res.Header.Get("Content-Disposition"))
	}
	// Another ministry cannot download it.
	mps := f.login("mps", "focal@mps.example")
	if res, _ := f.get(mps, fmt.Sprintf("%s/m/evidence/%d", f.ts.URL, u.Evidence[1].ID)); res.StatusCode != http.StatusNotFound {
		t.Errorf("another ministry downloads the file: %d", res.StatusCode)
	}
	// The audit trail and a receipt to both focal points.
	h, err := f.db.History(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	last := h[len(h)-1]
	if last.Kind != "update" || last.Actor != "Ms Justice" || last.FocalPoint != "focal@moj.example" || last.ClientAddr != "127.0.0.1" {
		t.Errorf("event %+v", last)
	}
	msgs, err := f.db.Outbox(context.Background(), store.StatusPending, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Kind != KindReceipt || len(msgs[0].To) != 2 {
		t.Fatalf("receipts %+v", msgs)
	}
	if raw := f.rawMessage(msgs[0].ID); !strings.Contains(raw, "Decree 12 adopted.") || !strings.Contains(raw, "focal@moj.example") {
		t.Errorf("receipt:\n%s", raw)
	}
}

func TestStageMoveAndNotOurs(t *testing.T) {
	f := newFixture(t)
	c := f.login("moj", "focal@moj.example")
	id := f.task("8")
	res, body := f.post(c, fmt.Sprintf("/m/task/%d/stage", id), url.Values{"task": {fmt.Sprint(id)}, "stage": {"acknowledged"}, "name": {"Ms Justice"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("move: %d\n%s", res.StatusCode, body)
	}
	tk, err := f.db.Task(context.Background(), fmt.Sprint(id))
	if err != nil || tk.Stage != "acknowledged" {
		t.Fatalf("stage %q, %v", tk.Stage, err)
	}
	res, body = f.post(c, fmt.Sprintf("/m/task/%d/not-ours", id), url.Values{"task": {fmt.Sprint(id)}, "ministry": {"mps"}, "reason": {"Border matters."}, "name": {"Ms Justice"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("not ours: %d\n%s", res.StatusCode, body)
	}
	reqs, err := f.db.OwnershipRequests(context.Background(), store.OwnershipFilter{OnlyOpen: true})
	if err != nil || len(reqs) != 1 || reqs[0].Proposed != "mps" || reqs[0].Ministry != "moj" || reqs[0].By.FocalPoint != "focal@moj.example" {
		t.Fatalf("requests %+v, %v", reqs, err)
	}
	// A supporting ministry may not move a task.
	mps := f.login("mps", "focal@mps.example")
	sup := f.task("14a")
	sum := f.checksum()
	res, body = f.post(mps, fmt.Sprintf("/m/task/%d/stage", sup), url.Values{"task": {fmt.Sprint(sup)}, "stage": {"acknowledged"}, "name": {"Police"}})
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "Only the lead ministry moves a task") || f.checksum() != sum {
		t.Fatalf("support moves: %d\n%s", res.StatusCode, body)
	}
}

// refused checks a refused request: its status, its message, and that
// nothing was written.
func refused(t *testing.T, f *fixture, name string, before string, res *http.Response, body string, status int, msg string) {
	t.Helper()
	if res.StatusCode != status {
		t.Errorf("%s: status %d, want %d\n%s", name, res.StatusCode, status, body)
	}
	if !strings.Contains(body, msg) {
		t.Errorf("%s: the page does not say %q:\n%s", name, msg, body)
	}
	if f.checksum() != before {
		t.Errorf("%s: the database changed", name)
	}
}

func TestBadTokens(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	good, err := f.srv.Link(ctx, "moj", "focal@moj.example")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimPrefix(good, f.cfg.Web.BaseURL+"/l/")
	before := f.checksum()
	sessions := func() int {
		s, err := f.db.Sessions(ctx, store.SessionFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(s)
	}
	// Forged: another ministry's id with the signature of this one.
	raw := []byte(token)
	forged := f.srv.Sign(Claims{FocalPoint: "focal@moj.example", Body: "mps", Expires: f.clock.Now().Add(1e15)})
	forged = forged[:len(forged)-22] + token[len(token)-22:]
	cases := []struct{ name, token, msg string }{
		{"truncated", token[:len(token)-5], "This link is not valid"},
		{"forged", forged, "This link is not valid"},
		{"garbage", "not-a-token", "This link is not valid"},
		{"flipped", string(raw[:5]) + string(rune(raw[5]^1)) + string(raw[6:]), "This link is not valid"},
	}
	for _, tc := range cases {
		res, body := f.get(f.client(), f.ts.URL+"/l/"+tc.token)
		refused(t, f, tc.name, before, res, body, http.StatusForbidden, tc.msg)
	}
	// Expired.
	f.clock.Advance(61 * 24 * 60 * 60 * 1e9)
	res, body := f.get(f.client(), f.local(good))
	refused(t, f, "expired", before, res, body, http.StatusForbidden, "This link has expired")
	if sessions() != 0 {
		t.Fatal("a bad token opened a session")
	}
}

func TestRevokedLinksAndSessions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	link, err := f.srv.Link(ctx, "moj", "focal@moj.example")
	if err != nil {
		t.Fatal(err)
	}
	c := f.login("moj", "focal@moj.example")
	other := f.login("moj", "deputy@moj.example")
	if n, err := f.db.Revoke(ctx, store.ScopeEmail("Focal@MOJ.example"), "admin"); err != nil || n != 1 {
		t.Fatalf("revoke: %d sessions, %v", n, err)
	}
	before := f.checksum()
	res, body := f.get(f.client(), f.local(link))
	refused(t, f, "revoked link", before, res, body, http.StatusForbidden, "This link was revoked")
	if res, _ := f.get(c, f.ts.URL+"/m/"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a revoked session still works: %d", res.StatusCode)
	}
	if res, _ := f.get(other, f.ts.URL+"/m/"); res.StatusCode != http.StatusOK {
		t.Errorf("revoking one address ended another's session: %d", res.StatusCode)
	}
	// A fresh link works again.
	f.login("moj", "focal@moj.example")
	// Revoking the ministry ends the deputy's too.
	if _, err := f.db.Revoke(ctx, store.ScopeBody("moj"), "admin"); err != nil {
		t.Fatal(err)
	}
	if res, _ := f.get(other, f.ts.URL+"/m/"); res.StatusCode != http.StatusForbidden {
		t.Errorf("revoking the ministry left a session: %d", res.StatusCode)
	}
}

func TestManyBadTokensAreRateLimited(t *testing.T) {
	f := newFixture(t)
	before := f.checksum()
	counts := map[int]int{}
	c := f.client()
	for i := 0; i < 1000; i++ {
		res, _ := f.get(c, fmt.Sprintf("%s/l/bad%d", f.ts.URL, i))
		counts[res.StatusCode]++
	}
	if counts[http.StatusForbidden] != failBurst || counts[http.StatusTooManyRequests] != 1000-failBurst {
		t.Fatalf("statuses %v: want %d × 403 then 429", counts, failBurst)
	}
	// Even a good link waits: the address is blocked, not the token.
	link, err := f.srv.Link(context.Background(), "moj", "focal@moj.example")
	if err != nil {
		t.Fatal(err)
	}
	res, body := f.get(c, f.local(link))
	refused(t, f, "good link while blocked", before, res, body, http.StatusTooManyRequests, "Wait a minute")
	f.clock.Advance(failWindow)
	if res := openLink(t, c, f.local(link)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after a minute: %d", res.StatusCode)
	}
}

func TestOtherMinistrysTaskIsNotFound(t *testing.T) {
	f := newFixture(t)
	c := f.login("mps", "focal@mps.example")
	theirs, mine := f.task("8"), f.task("14b")
	before := f.checksum()
	res, body := f.get(c, fmt.Sprintf("%s/m/task/%d", f.ts.URL, theirs))
	refused(t, f, "view in URL", before, res, body, http.StatusNotFound, msgNoTask)
	res, body = f.get(c, f.ts.URL+"/m/task/999999")
	refused(t, f, "no such task", before, res, body, http.StatusNotFound, msgNoTask)
	// Tampered URLs: every action on another ministry's task.
	res, body = f.postUpdate(c, theirs, updateFields(theirs, "We did it."))
	refused(t, f, "update in URL", before, res, body, http.StatusNotFound, msgNoTask)
	res, body = f.post(c, fmt.Sprintf("/m/task/%d/stage", theirs), url.Values{"task": {fmt.Sprint(theirs)}, "stage": {"acknowledged"}, "name": {"P"}})
	refused(t, f, "stage in URL", before, res, body, http.StatusNotFound, msgNoTask)
	res, body = f.post(c, fmt.Sprintf("/m/task/%d/not-ours", theirs), url.Values{"task": {fmt.Sprint(theirs)}, "ministry": {"moj"}, "reason": {"x"}, "name": {"P"}})
	refused(t, f, "not-ours in URL", before, res, body, http.StatusNotFound, msgNoTask)
	// Tampered forms: the URL is ours, the form names theirs.
	res, body = f.postUpdate(c, mine, updateFields(theirs, "We did it."))
	refused(t, f, "update in form", before, res, body, http.StatusNotFound, msgNoTask)
	res, body = f.post(c, fmt.Sprintf("/m/task/%d/stage", mine), url.Values{"task": {fmt.Sprint(theirs)}, "stage": {"acknowledged"}, "name": {"P"}})
	refused(t, f, "stage in form", before, res, body, http.StatusNotFound, msgNoTask)
	res, body = f.post(c, fmt.Sprintf("/m/task/%d/not-ours", mine), url.Values{"task": {fmt.Sprint(theirs)}, "ministry": {"moj"}, "reason": {"x"}, "name": {"P"}})
	refused(t, f, "not-ours in form", before, res, body, http.StatusNotFound, msgNoTask)
}

func docx() []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("word/document.xml")
	_, _ = w.Write([]byte("<w:document/>"))
	_ = zw.Close()
	return buf.Bytes()
}

func TestBadUpdates(t *testing.T) {
	f := newFixture(t)
	c := f.login("moj", "focal@moj.example")
	id := f.task("8")
	before := f.checksum()
	res, body := f.postUpdate(c, id, updateFields(id, "   "))
	refused(t, f, "empty", before, res, body, http.StatusUnprocessableEntity, "Write what was done")
	fields := updateFields(id, "Done.")
	fields["name"] = ""
	res, body = f.postUpdate(c, id, fields)
	refused(t, f, "no name", before, res, body, http.StatusUnprocessableEntity, "Write your name")
	res, body = f.postUpdate(c, id, updateFields(id, "Done."), file{"big.pdf", append(pdf, make([]byte, maxFileSize)...)})
	refused(t, f, "over the limit", before, res, body, http.StatusRequestEntityTooLarge, "at most 10 MB")
	res, body = f.postUpdate(c, id, updateFields(id, "Done."), file{"report.pdf", []byte("<html><script>alert(1)</script></html>")})
	refused(t, f, "html named .pdf", before, res, body, http.StatusUnprocessableEntity, "This kind of file cannot be attached (report.pdf)")
	res, body = f.postUpdate(c, id, updateFields(id, "Done."), file{"run.exe", []byte("MZ\x90\x00\x03")})
	refused(t, f, "program", before, res, body, http.StatusUnprocessableEntity, "This kind of file cannot be attached")
	fields = updateFields(id, "Done.")
	fields["links"] = "javascript:alert(1)"
	res, body = f.postUpdate(c, id, fields)
	refused(t, f, "javascript link", before, res, body, http.StatusUnprocessableEntity, "is not a web address")
	// What was typed stays in the form after a refusal.
	if !strings.Contains(body, "Done.</textarea>") {
		t.Errorf("the refused form lost its text:\n%s", body)
	}
	// A stage the workflow does not allow.
	res, body = f.post(c, fmt.Sprintf("/m/task/%d/stage", id), url.Values{"task": {fmt.Sprint(id)}, "stage": {"reported"}, "name": {"Ms Justice"}})
	refused(t, f, "stage not allowed", before, res, body, http.StatusUnprocessableEntity, "This task cannot move to that stage.")
	res, body = f.post(c, fmt.Sprintf("/m/task/%d/not-ours", id), url.Values{"task": {fmt.Sprint(id)}, "ministry": {"moj"}, "reason": {"x"}, "name": {"P"}})
	refused(t, f, "not ours to itself", before, res, body, http.StatusUnprocessableEntity, "Choose the ministry")
	// A .docx (a zip with word/) and a file named ../../x are accepted.
	res, body = f.postUpdate(c, id, updateFields(id, "Done."), file{"../../x", docx()})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("docx: %d\n%s", res.StatusCode, body)
	}
	var titles []string
	if err := f.db.Updates(context.Background(), store.UpdateFilter{TaskID: id}, func(u store.Update) error {
		for _, e := range u.Evidence {
			titles = append(titles, e.Title+" "+e.ContentType)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(titles) != 2 || titles[1] != "x application/vnd.openxmlformats-officedocument.wordprocessingml.document" {
		t.Fatalf("evidence %q", titles)
	}
}

func TestScriptIsEscaped(t *testing.T) {
	f := newFixture(t)
	c := f.login("moj", "focal@moj.example")
	id := f.task("14a") // its recommendation's text holds a script
	if res, body := f.postUpdate(c, id, updateFields(id, `<script>alert("x")</script> done`)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d %s", res.StatusCode, body)
	}
	_, page := f.get(c, fmt.Sprintf("%s/m/task/%d", f.ts.URL, id))
	if strings.Contains(page, "<script") {
		t.Fatalf("a script reached the page:\n%s", page)
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") || !strings.Contains(page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Fatalf("the texts are not shown escaped:\n%s", page)
	}
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	f := newFixture(t)
	c := f.login("moj", "focal@moj.example")
	id := f.task("8")
	before := f.checksum()
	req, err := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/m/task/%d/stage", f.ts.URL, id),
		strings.NewReader(url.Values{"task": {fmt.Sprint(id)}, "stage": {"acknowledged"}, "name": {"x"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, body := f.do(c, req)
	refused(t, f, "cross-site", before, res, body, http.StatusForbidden, "sent from another site")
	req, _ = http.NewRequest(http.MethodPost, fmt.Sprintf("%s/m/task/%d/stage", f.ts.URL, id),
		strings.NewReader(url.Values{"task": {fmt.Sprint(id)}, "stage": {"acknowledged"}, "name": {"x"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	res, body = f.do(c, req)
	refused(t, f, "other origin", before, res, body, http.StatusForbidden, "sent from another site")
}

// TestReceiptInTheMinistrysLanguage: a receipt is written in the
// ministry's language, as its reminders are, stage names included.
func TestReceiptInTheMinistrysLanguage(t *testing.T) {
	f := newFixture(t)
	for i := range f.cfg.Ministries {
		if f.cfg.Ministries[i].ID == "moj" {
			f.cfg.Ministries[i].Language = "fr"
		}
	}
	c := f.login("moj", "focal@moj.example")
	id := f.task("8")
	res, body := f.post(c, fmt.Sprintf("/m/task/%d/stage", id), url.Values{"task": {fmt.Sprint(id)}, "stage": {"acknowledged"}, "name": {"Mme Justice"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("move: %d\n%s", res.StatusCode, body)
	}
	msgs, err := f.db.Outbox(context.Background(), store.StatusPending, 10)
	if err != nil || len(msgs) != 1 || msgs[0].Kind != KindReceipt {
		t.Fatalf("receipts %+v, %v", msgs, err)
	}
	m, err := mail.ReadMessage(strings.NewReader(f.rawMessage(msgs[0].ID)))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	var text io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		text = quotedprintable.NewReader(m.Body)
	}
	b, err := io.ReadAll(text)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(subject, "Enregistré") || !strings.Contains(subject, "CRC/C/XYZ/CO/1:8") {
		t.Errorf("subject %q", subject)
	}
	for _, want := range []string{"Ceci est un accusé d’enregistrement de followup pour Ministry of Justice.",
		"Mme Justice a fait passer la tâche de l’étape « Attribuée » à l’étape « Prise en charge ».",
		"Voir la tâche : http://followup.test/m/task/", "janvier 2027"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the receipt lacks %q:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), "moved the task") || strings.Contains(string(b), "Recorded on") {
		t.Errorf("English in a French receipt:\n%s", b)
	}
}

// TestReceiptWrittenWithTheAction: an action and its receipt are one
// transaction. When the receipt cannot be written (here a trigger refuses
// it, as a full disk would refuse a row), the action is not saved either
// and the page says nothing was saved; once it can, both are.
func TestReceiptWrittenWithTheAction(t *testing.T) {
	f := newFixture(t)
	c := f.login("moj", "focal@moj.example")
	id := f.task("8")
	raw, err := sql.Open("sqlite3", "file:"+f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TRIGGER refuse_receipts BEFORE INSERT ON outbox WHEN NEW.kind = 'receipt'
		BEGIN SELECT RAISE(ABORT, 'receipts refused by the test'); END`); err != nil {
		t.Fatal(err)
	}
	before := f.checksum()
	res, body := f.postUpdate(c, id, map[string]string{"task": fmt.Sprint(id), "text": "Trained 40 judges.", "name": "Ms Justice"})
	refused(t, f, "update without its receipt", before, res, body, http.StatusServiceUnavailable, "Nothing was saved")
	res, body = f.post(c, fmt.Sprintf("/m/task/%d/stage", id), url.Values{"task": {fmt.Sprint(id)}, "stage": {"acknowledged"}, "name": {"Ms Justice"}})
	refused(t, f, "stage move without its receipt", before, res, body, http.StatusServiceUnavailable, "Nothing was saved")
	res, body = f.post(c, fmt.Sprintf("/m/task/%d/not-ours", id), url.Values{"task": {fmt.Sprint(id)}, "ministry": {"mps"}, "reason": {"Police work."}, "name": {"Ms Justice"}})
	refused(t, f, "not-ours without its receipt", before, res, body, http.StatusServiceUnavailable, "Nothing was saved")

	if _, err := raw.Exec(`DROP TRIGGER refuse_receipts`); err != nil {
		t.Fatal(err)
	}
	res, body = f.postUpdate(c, id, map[string]string{"task": fmt.Sprint(id), "text": "Trained 40 judges.", "name": "Ms Justice"})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", res.StatusCode, body)
	}
	msgs, err := f.db.Outbox(context.Background(), store.StatusPending, 10)
	if err != nil || len(msgs) != 1 || msgs[0].Kind != KindReceipt {
		t.Fatalf("after the update, the outbox holds %+v, %v", msgs, err)
	}
}
