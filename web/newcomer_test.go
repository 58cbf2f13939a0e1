package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"testing"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/i18n"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// TestEvidenceCountsAndSizes: an update with one file and one link is
// "files: 1 · links: 1" on the dashboard (it said "files: 2"), and the
// file's size reads the same on the coordinator's and the ministry's task
// pages as in the report's draft (9,800 bytes: the pages said 9 KB, the
// draft 10 KB).
func TestEvidenceCountsAndSizes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.db.AddUpdate(ctx, store.Update{TaskID: f.task("8"), Ministry: "moj", Role: store.RoleLead, Author: "Ms Justice", Text: "Minutes.",
		Evidence: []store.Evidence{{Kind: store.EvidenceFile, Title: "minutes.pdf", ContentType: "application/pdf", Data: bytes.Repeat([]byte("x"), 9800)},
			{Kind: store.EvidenceLink, URL: "https://example.org/decree", Title: "Decree"}}}); err != nil {
		t.Fatal(err)
	}
	coord := f.login("ncmc", coordEmail)
	_, body := f.get(coord, f.ts.URL+"/c/")
	if !strings.Contains(body, "files: 1") || !strings.Contains(body, "links: 1") || strings.Contains(body, "files: 2") {
		t.Errorf("the dashboard's recent updates:\n%s", grepLines(body, "c/task/"))
	}
	size := i18n.FileSize(9800)
	if size != "10 KB" {
		t.Errorf("FileSize(9800) = %q, want 10 KB (the nearest)", size)
	}
	_, body = f.get(coord, fmt.Sprintf("%s/c/task/%d", f.ts.URL, f.task("8")))
	if !strings.Contains(body, "(application/pdf, "+size+")") {
		t.Errorf("the coordinator's task page:\n%s", grepLines(body, "minutes.pdf"))
	}
	_, body = f.get(f.login("moj", "focal@moj.example"), fmt.Sprintf("%s/m/task/%d", f.ts.URL, f.task("8")))
	if !strings.Contains(body, "minutes.pdf</a> ("+size+")") {
		t.Errorf("the ministry's task page:\n%s", grepLines(body, "minutes.pdf"))
	}
}

// TestReceiptHeadersAsEveryMessage: a receipt is addressed as every other
// message followup sends the ministry (the planner's overview here): its
// To names the focal points, its Reply-To the coordinating body (its text
// says to tell the coordinating body), and Content-Language says its
// language. Receipts had none of the three.
func TestReceiptHeadersAsEveryMessage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := range f.cfg.Ministries {
		if f.cfg.Ministries[i].ID == "moj" {
			f.cfg.Ministries[i].Language = "fr"
		}
	}
	c := f.login("moj", "focal@moj.example")
	id := f.task("8")
	if res, body := f.post(c, fmt.Sprintf("/m/task/%d/stage", id), url.Values{"task": {fmt.Sprint(id)}, "stage": {"acknowledged"}, "name": {"Mme Justice"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("move: %d\n%s", res.StatusCode, body)
	}
	r, err := notify.NewRenderer("", f.cfg.Location)
	if err != nil {
		t.Fatal(err)
	}
	p := &plan.Planner{Config: f.cfg, Renderer: r, Now: f.clock.Now, Only: "moj", Force: true}
	if err := f.db.RunSlot(ctx, plan.JobMinistryDigest, f.clock.Now(), false, func(tx *store.SlotTx) error {
		_, err := p.Run(ctx, tx, plan.JobMinistryDigest, f.clock.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	msgs, err := f.db.Outbox(ctx, store.StatusPending, 10)
	if err != nil {
		t.Fatal(err)
	}
	headers := map[string]mail.Header{}
	for _, m := range msgs {
		msg, err := mail.ReadMessage(strings.NewReader(f.rawMessage(m.ID)))
		if err != nil {
			t.Fatal(err)
		}
		headers[m.Kind] = msg.Header
	}
	receipt, digest := headers[KindReceipt], headers[plan.KindMinistryDigest]
	if receipt == nil || digest == nil {
		t.Fatalf("messages %+v: want a receipt and an overview", msgs)
	}
	want := map[string]string{
		"To":               `"Ms Justice" <focal@moj.example>, "Mr Deputy" <deputy@moj.example>`,
		"Reply-To":         `"National Commission for Mothers and Children" <secretariat@ncmc.example>`,
		"Content-Language": "fr",
	}
	for name, v := range want {
		if got := receipt.Get(name); got != v {
			t.Errorf("the receipt's %s: %q, want %q", name, got, v)
		}
		if got := digest.Get(name); got != v {
			t.Errorf("the overview's %s: %q, want %q", name, got, v)
		}
	}
	if receipt.Get("From") != digest.Get("From") {
		t.Errorf("From: the receipt's %q, the overview's %q", receipt.Get("From"), digest.Get("From"))
	}
}

// TestUnassignedTaskShownNotYetAssigned: on the dashboard, a task nobody
// owns that is still in the initial stage is "Not yet assigned", not
// "Assigned": in the progress bars and their legend, in the task list and
// on its page, in the CSV export.
func TestUnassignedTaskShownNotYetAssigned(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.db.Assign(ctx, itoa(f.task("8")), "", nil, store.Actor{Name: "Vanh"}, "to decide"); err != nil {
		t.Fatal(err)
	}
	c := f.login("ncmc", coordEmail)
	_, body := f.get(c, f.ts.URL+"/c/")
	if !strings.Contains(body, `aria-label="Unassigned: Not yet assigned 1"`) || !strings.Contains(body, `aria-label="Ministry of Justice: Assigned 1"`) {
		t.Errorf("the progress bars:\n%s", grepLines(body, "aria-label"))
	}
	_, body = f.get(c, f.ts.URL+"/c/tasks?ministry=unassigned")
	if !strings.Contains(body, `<span class="badge">Not yet assigned</span>`) || strings.Contains(body, `<span class="badge">Assigned</span>`) {
		t.Errorf("the list of unassigned tasks:\n%s", grepLines(body, "badge"))
	}
	_, body = f.get(c, fmt.Sprintf("%s/c/task/%d", f.ts.URL, f.task("8")))
	if !strings.Contains(body, "Not yet assigned") {
		t.Errorf("the task's page does not say it is not yet assigned:\n%s", body)
	}
	_, body = f.get(c, f.ts.URL+"/c/tasks.csv?ministry=unassigned")
	if !strings.Contains(body, ",Not yet assigned,") {
		t.Errorf("the CSV export:\n%s", body)
	}
}

// TestTaskPageDateAndNotOursChoice: the date an update was done on is a
// text field written as its hint says, YYYY-MM-DD (a date field showed the
// browser's mm/dd/yyyy), and a date written otherwise is refused, saying
// how to write it, with nothing written. The "not ours" list preselected
// the first other ministry: it now starts on an empty choice, and sending
// it refuses, with nothing written.
func TestTaskPageDateAndNotOursChoice(t *testing.T) {
	f := newFixture(t)
	c := f.login("moj", "focal@moj.example")
	id := f.task("8")
	page := fmt.Sprintf("%s/m/task/%d", f.ts.URL, id)
	_, body := f.get(c, page)
	if !strings.Contains(body, `<input id="u-date" type="text" name="done_on" inputmode="numeric" pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}"`) ||
		strings.Contains(body, `type="date"`) || !strings.Contains(body, "Optional, YYYY-MM-DD.") {
		t.Errorf("the date field:\n%s", grepLines(body, "u-date"))
	}
	sel := grepLines(body, `id="n-ministry"`)
	if !strings.Contains(sel, `<select id="n-ministry" name="ministry" required><option value="">Choose a ministry</option><option value=`) ||
		strings.Contains(sel, "selected") {
		t.Errorf("the list of ministries:\n%s", sel)
	}

	before := f.checksum()
	res, body := f.postUpdate(c, id, map[string]string{"task": fmt.Sprint(id), "text": "Decree adopted.", "name": "Ms Justice", "done_on": "01/02/2027"})
	refused(t, f, "a date as mm/dd/yyyy", before, res, body, http.StatusUnprocessableEntity, "The date is not a date: write it as YYYY-MM-DD.")
	if !strings.Contains(body, `value="01/02/2027"`) {
		t.Errorf("the refused date is not shown again:\n%s", grepLines(body, "u-date"))
	}
	res, body = f.post(c, fmt.Sprintf("/m/task/%d/not-ours", id), url.Values{"task": {fmt.Sprint(id)}, "ministry": {""}, "reason": {"Border matters."}, "name": {"Ms Justice"}})
	refused(t, f, "not-ours with no ministry chosen", before, res, body, http.StatusUnprocessableEntity, "Choose the ministry you believe this task belongs to.")
	if sel := grepLines(body, `id="n-ministry"`); !strings.Contains(sel, `<option value="">Choose a ministry</option>`) || strings.Contains(sel, "selected") {
		t.Errorf("the list after the refusal:\n%s", sel)
	}

	// In Lao, the empty choice is in Lao.
	for i := range f.cfg.Ministries {
		if f.cfg.Ministries[i].ID == "moj" {
			f.cfg.Ministries[i].Language = "lo"
		}
	}
	_, body = f.get(f.login("moj", "focal@moj.example"), page)
	if !strings.Contains(body, `<option value="">ເລືອກກະຊວງ</option>`) {
		t.Errorf("the Lao list of ministries:\n%s", grepLines(body, `id="n-ministry"`))
	}
}

// TestHistoryNoteInReadersLanguage: the note followup writes when a focal
// point moves a task on its page, "from the web page", stayed English in
// the history of a page in Lao. It is now in the page's language; a note
// someone wrote shows as written.
func TestHistoryNoteInReadersLanguage(t *testing.T) {
	f := newFixture(t)
	for i := range f.cfg.Ministries {
		if f.cfg.Ministries[i].ID == "moj" {
			f.cfg.Ministries[i].Language = "lo"
		}
	}
	c := f.login("moj", "focal@moj.example")
	id := f.task("8")
	if res, body := f.post(c, fmt.Sprintf("/m/task/%d/stage", id), url.Values{"task": {fmt.Sprint(id)}, "stage": {"acknowledged"}, "name": {"ທ. ຄຳລາ"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("move: %d\n%s", res.StatusCode, body)
	}
	if _, err := f.db.Advance(context.Background(), itoa(id), "action_planned", store.Actor{Name: "Vanh"}, "from the web page, said the minister", nil); err != nil {
		t.Fatal(err)
	}
	_, body := f.get(c, fmt.Sprintf("%s/m/task/%d", f.ts.URL, id))
	history := body[strings.Index(body, `id="history"`):]
	if !strings.Contains(history, `<span class="hint">ຈາກໜ້າເວັບ</span>`) || strings.Contains(history, `<span class="hint">from the web page</span>`) ||
		!strings.Contains(history, `<span class="hint">from the web page, said the minister</span>`) {
		t.Errorf("the Lao history:\n%s", history)
	}
}

// TestSectionFilterEverywhereAndSubsections: the task list's section
// filter appeared only once a document was chosen, and matched sections
// only: section=Training found nothing though that subsection holds two
// tasks. It is now there from the start with every document's sections,
// each with its subsections under it, and a subsection finds its tasks,
// on the page and in the CSV export. A document imported later shows its
// sections at once.
func TestSectionFilterEverywhereAndSubsections(t *testing.T) {
	f := newFixture(t)
	c := f.login("ncmc", coordEmail)
	const indent = "\u00a0\u00a0\u00a0\u00a0"
	_, body := f.get(c, f.ts.URL+"/c/tasks")
	sel := grepLines(body, `id="f-section"`)
	want := `<option value="" selected>Any section</option><option value="III. Data">III. Data</option>` +
		`<option value="IV. General">IV. General</option><option value="Training">` + indent + `Training</option></select>`
	if !strings.Contains(sel, want) || strings.Contains(body, "Choose a document") {
		t.Errorf("the section filter before a document is chosen:\n%s", sel)
	}

	listed := func(body string) (out []string) {
		for _, p := range []string{"8", "14a", "14b"} {
			if strings.Contains(body, fmt.Sprintf(`href="/c/task/%d"`, f.task(p))) {
				out = append(out, p)
			}
		}
		return out
	}
	_, body = f.get(c, f.ts.URL+"/c/tasks?section=Training")
	if got := listed(body); strings.Join(got, " ") != "14a 14b" {
		t.Errorf("section=Training lists %v, want 14a 14b", got)
	}
	if sel := grepLines(body, `id="f-section"`); !strings.Contains(sel, `<option value="Training" selected>`) {
		t.Errorf("the subsection chosen is not selected:\n%s", sel)
	}
	_, body = f.get(c, f.ts.URL+"/c/tasks?section=IV.+General&document=CRC%2FC%2FXYZ%2FCO%2F1")
	if got := listed(body); strings.Join(got, " ") != "14a 14b" {
		t.Errorf("section=IV. General in the document lists %v, want 14a 14b", got)
	}
	_, body = f.get(c, f.ts.URL+"/c/tasks.csv?section=Training")
	if rows := strings.Count(strings.TrimSpace(body), "\n"); rows != 2 || !strings.Contains(body, "CRC/C/XYZ/CO/1:14a") || !strings.Contains(body, "CRC/C/XYZ/CO/1:14b") {
		t.Errorf("the CSV of section=Training has %d rows:\n%s", rows, body)
	}

	doc := &workflow.Document{Symbol: "CRC/C/XYZ/CO/2", Body: "CRC", Kind: workflow.ConcludingObservations, Title: "Concluding observations",
		State: "Mongolia", Adopted: civil.D(2026, 9, 1),
		Recommendations: []workflow.Recommendation{{ID: "CRC/C/XYZ/CO/2:5", Paragraph: 5, Section: "V. Budget", Subsection: "Allocation", Verb: "recommends", Text: "Allocate resources."}}}
	if _, err := f.db.Import(context.Background(), []store.ImportItem{{Doc: doc, Source: "co2.txt"}}, nil); err != nil {
		t.Fatal(err)
	}
	_, body = f.get(c, f.ts.URL+"/c/tasks")
	if sel := grepLines(body, `id="f-section"`); !strings.Contains(sel, `<option value="V. Budget">V. Budget</option><option value="Allocation">`+indent+`Allocation</option></select>`) {
		t.Errorf("a document imported later: its sections are not offered:\n%s", sel)
	}
}
