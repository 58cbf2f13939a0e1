package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
)

// TestDigestsArePersonal: with links, a ministry with two focal points gets
// two messages, each with that person's own link as the only envelope
// recipient, while the headers still name both; each link opens a session
// for its own address.
func TestDigestsArePersonal(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r, err := notify.NewRenderer("", f.cfg.Location)
	if err != nil {
		t.Fatal(err)
	}
	p := &plan.Planner{Config: f.cfg, Renderer: r, Now: f.clock.Now, Links: f.srv, Only: "moj", Force: true}
	var msgs []plan.Message
	if err := f.db.RunSlot(ctx, plan.JobMinistryDigest, f.clock.Now(), false, func(tx *store.SlotTx) error {
		var err error
		msgs, err = p.Run(ctx, tx, plan.JobMinistryDigest, f.clock.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].Key == msgs[1].Key {
		t.Fatalf("messages %+v: want two, keyed apart", msgs)
	}
	rows, err := f.db.Outbox(ctx, store.StatusPending, 10)
	if err != nil {
		t.Fatal(err)
	}
	linkRE := regexp.MustCompile(`http://followup\.test/l/[A-Za-z0-9_-]+`)
	seen := map[string]string{}
	for _, m := range rows {
		if len(m.To) != 1 {
			t.Fatalf("envelope recipients %v: want one person", m.To)
		}
		raw := strings.ReplaceAll(strings.ReplaceAll(f.rawMessage(m.ID), "=\r\n", ""), "=3D", "=")
		if !strings.Contains(raw, "focal@moj.example") || !strings.Contains(raw, "deputy@moj.example") {
			t.Errorf("the headers do not name both focal points:\n%s", raw)
		}
		link := linkRE.FindString(raw)
		if link == "" {
			t.Fatalf("no link in the message to %s:\n%s", m.To[0], raw)
		}
		if !strings.Contains(raw, link+"?to=%2Fm%2Ftask%2F") {
			t.Errorf("task lines do not open the task through the link")
		}
		// 14a's recommendation holds a script: escaped in the HTML part
		// (the plain text part shows it as text, which is right).
		_, html, _ := strings.Cut(raw, "Content-Type: text/html")
		if html == "" || strings.Contains(html, "<script>alert(1)") || !strings.Contains(html, "&lt;script&gt;alert(1)") {
			t.Errorf("the recommendation's script is not escaped in the message:\n%s", raw)
		}
		seen[m.To[0]] = link
	}
	if len(seen) != 2 || seen["focal@moj.example"] == seen["deputy@moj.example"] {
		t.Fatalf("links %v: want one per person", seen)
	}
	for addr, link := range seen {
		c := f.client()
		if res := openLink(t, c, f.local(link)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s's link: %d", addr, res.StatusCode)
		}
		if _, body := f.get(c, f.ts.URL+"/m/"); !strings.Contains(body, addr) {
			t.Errorf("%s's link opened a session for someone else", addr)
		}
	}
}

// TestScriptInUpdateIsEscapedInOverview: an update's text reaches the
// coordinator's overview ("what changed") escaped in its HTML part.
func TestScriptInUpdateIsEscapedInOverview(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.login("moj", "focal@moj.example")
	id := f.task("8")
	if res, body := f.postUpdate(c, id, updateFields(id, `<script>alert("pwned")</script> decree adopted`)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", res.StatusCode, body)
	}
	r, err := notify.NewRenderer("", f.cfg.Location)
	if err != nil {
		t.Fatal(err)
	}
	p := &plan.Planner{Config: f.cfg, Renderer: r, Now: f.clock.Now, Links: f.srv, Force: true}
	var msgs []plan.Message
	if err := f.db.RunSlot(ctx, plan.JobCoordinatorDigest, f.clock.Now(), false, func(tx *store.SlotTx) error {
		var err error
		msgs, err = p.Run(ctx, tx, plan.JobCoordinatorDigest, f.clock.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	rows, err := f.db.Outbox(ctx, store.StatusPending, 10)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range rows {
		if m.Kind != plan.KindCoordinatorDigest {
			continue
		}
		found = true
		raw := strings.ReplaceAll(strings.ReplaceAll(f.rawMessage(m.ID), "=\r\n", ""), "=3D", "=")
		_, html, _ := strings.Cut(raw, "Content-Type: text/html")
		if !strings.Contains(html, "decree adopted") || strings.Contains(html, `<script>alert(`) {
			t.Fatalf("the overview's HTML:\n%s", html)
		}
		if !strings.Contains(html, "/l/") {
			t.Errorf("the coordinator's overview carries no link")
		}
	}
	if !found || len(msgs) != 1 {
		t.Fatalf("no coordinator overview among %d rows (%d messages)", len(rows), len(msgs))
	}
}
