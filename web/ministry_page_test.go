package web

import (
	"cmp"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// pagedFixture adds three documents of 40 recommendations, imported 20
// days apart, to the fixture: moj leads three in four and supports some
// of mps's; some tasks moved on (acknowledged, or reported: no deadline),
// and the second document has a follow-up procedure for paragraphs 3 and
// 5, due before their "acknowledged" target. On the day the page is read
// the first documents' "assigned" tasks are overdue, the last one's not.
func pagedFixture(t *testing.T) *fixture {
	f := newFixture(t)
	ctx := context.Background()
	for d := range 3 {
		doc := &workflow.Document{Symbol: fmt.Sprintf("CRC/C/P%d/CO/1", d), Body: "CRC", Kind: workflow.ConcludingObservations,
			Title: "Concluding observations", State: "Mongolia", Adopted: civil.D(2026, 6, 5)}
		if d == 1 {
			doc.FollowUp = &workflow.FollowUp{Due: civil.D(2027, 3, 20), Paragraphs: []int{3, 5}}
		}
		for p := 1; p <= 40; p++ {
			r := workflow.Recommendation{Paragraph: p, Section: "II. Measures", Verb: "recommends", Text: "Do it."}
			r.ID = workflow.RecID(doc.Symbol, p, "")
			doc.Recommendations = append(doc.Recommendations, r)
		}
		plan := func(_ string, rec workflow.Recommendation) workflow.Assignment {
			a := workflow.Assignment{Owner: "moj", By: "test", Stage: "assigned"}
			switch {
			case rec.Paragraph%4 == 0:
				a.Owner = "mps"
				if rec.Paragraph%8 == 0 {
					a.Support = []string{"moj"}
				}
			case rec.Paragraph%3 == 0:
				a.Support = []string{"mps"}
			}
			return a
		}
		if _, err := f.db.Import(ctx, []store.ImportItem{{Doc: doc, Source: doc.Symbol}}, plan); err != nil {
			t.Fatal(err)
		}
		for _, r := range doc.Recommendations {
			stage := ""
			switch {
			case r.Paragraph%5 == 0:
				stage = "acknowledged"
			case r.Paragraph%7 == 0:
				stage = "reported"
			}
			if stage != "" {
				if _, err := f.db.Advance(ctx, r.ID, stage, store.Actor{Name: "test"}, "", func(workflow.Task) error { return nil }); err != nil {
					t.Fatal(err)
				}
			}
		}
		f.clock.Advance(20 * 24 * time.Hour)
	}
	return f
}

// wantOrder is the page's order worked out the slow way: every task of
// the ministry, each with its own next deadline, sorted overdue first,
// then by that deadline, then those without; ties in document order.
func wantOrder(t *testing.T, f *fixture, ministry string) (lead, support []string) {
	t.Helper()
	var views [2][]taskView
	err := f.db.Tasks(context.Background(), store.TaskFilter{}, func(tk workflow.Task) error {
		switch {
		case tk.Owner == ministry:
			views[0] = append(views[0], f.srv.viewOf(f.cfg, tk, store.RoleLead, f.clock.Now()))
		case slices.Contains(tk.Support, ministry):
			views[1] = append(views[1], f.srv.viewOf(f.cfg, tk, store.RoleSupport, f.clock.Now()))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out [2][]string
	for i := range views {
		slices.SortStableFunc(views[i], func(a, b taskView) int {
			if a.Overdue != b.Overdue {
				if a.Overdue {
					return -1
				}
				return 1
			}
			switch {
			case a.Next == nil && b.Next == nil:
				return 0
			case a.Next == nil:
				return 1
			case b.Next == nil:
				return -1
			}
			return cmp.Compare(a.Next.Date.String(), b.Next.Date.String())
		})
		for _, v := range views[i] {
			out[i] = append(out[i], v.Task.Rec.ID)
		}
	}
	return out[0], out[1]
}

var (
	listedRec = regexp.MustCompile(`<a href="/m/task/\d+"><strong>([^<]+)</strong></a>`)
	nextLink  = regexp.MustCompile(`<a href="(/m/\?[^"]+)" rel="next">Next page</a>`)
)

// listed reads a page's lead and support lists, and their next links.
func listed(body string) (lead, support []string, leadNext, supportNext string) {
	l, s, _ := strings.Cut(body, `id="support"`)
	for _, m := range listedRec.FindAllStringSubmatch(l, -1) {
		lead = append(lead, html.UnescapeString(m[1]))
	}
	for _, m := range listedRec.FindAllStringSubmatch(s, -1) {
		support = append(support, html.UnescapeString(m[1]))
	}
	if m := nextLink.FindStringSubmatch(l); m != nil {
		leadNext = html.UnescapeString(m[1])
	}
	if m := nextLink.FindStringSubmatch(s); m != nil {
		supportNext = html.UnescapeString(m[1])
	}
	return lead, support, leadNext, supportNext
}

// TestMinistryPageIsBoundedAndInOrder: a ministry with more tasks than a
// page sees a page of them and a next link; the pages, followed to the
// end, list every task of the ministry once, in the order worked out task
// by task (overdue first, then by next deadline), and no other
// ministry's; the counts come with the headings.
func TestMinistryPageIsBoundedAndInOrder(t *testing.T) {
	f := pagedFixture(t)
	for _, m := range []struct{ id, email string }{{"moj", "focal@moj.example"}, {"mps", "focal@mps.example"}} {
		wantLead, wantSupport := wantOrder(t, f, m.id)
		c := f.login(m.id, m.email)
		res, body := f.get(c, f.ts.URL+"/m/")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", m.id, res.StatusCode)
		}
		lead, support, next, supportNext := listed(body)
		if m.id == "moj" {
			if len(wantLead) <= ministryPageSize {
				t.Fatalf("the fixture gives moj %d tasks as lead: not more than a page", len(wantLead))
			}
			if len(lead) != ministryPageSize || next == "" {
				t.Fatalf("moj's first page lists %d tasks as lead (next link %q), want %d and a link", len(lead), next, ministryPageSize)
			}
			if strings.Contains(body, "Back to the first page") {
				t.Error("the first page offers to go back to the first page")
			}
			overdue := 0
			for _, v := range lead {
				tk, _ := f.db.Task(context.Background(), v)
				if f.srv.viewOf(f.cfg, tk, store.RoleLead, f.clock.Now()).Overdue {
					overdue++
				}
			}
			if !strings.Contains(body, fmt.Sprintf("As lead ministry (%d, ", len(wantLead))) || overdue == 0 {
				t.Errorf("moj's lead heading does not say %d tasks, or none overdue on page 1:\n%s", len(wantLead), body)
			}
		}
		if supportNext != "" {
			t.Errorf("%s: a next page for %d tasks in support", m.id, len(wantSupport))
		}
		pages := 1
		for next != "" {
			pages++
			if pages > 10 {
				t.Fatalf("%s: the pages do not end", m.id)
			}
			res, body = f.get(c, f.ts.URL+next)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: %s: status %d", m.id, next, res.StatusCode)
			}
			if !strings.Contains(body, `href="/m/">Back to the first page`) {
				t.Errorf("%s: page %d does not lead back to the first", m.id, pages)
			}
			more, moreSupport, n, _ := listed(body)
			if len(more) > ministryPageSize {
				t.Errorf("%s: page %d lists %d tasks", m.id, pages, len(more))
			}
			// The support list stays where it was.
			if !slices.Equal(moreSupport, support) {
				t.Errorf("%s: the support list changed on page %d: %v", m.id, pages, moreSupport)
			}
			lead = append(lead, more...)
			next = n
		}
		if m.id == "moj" && pages != 2 {
			t.Errorf("moj's lead list took %d pages, want 2", pages)
		}
		if !slices.Equal(lead, wantLead) {
			t.Errorf("%s's lead tasks, page after page:\n%v\nwant\n%v", m.id, lead, wantLead)
		}
		if !slices.Equal(support, wantSupport) {
			t.Errorf("%s's tasks in support:\n%v\nwant\n%v", m.id, support, wantSupport)
		}
	}
}

// TestMinistryPageBadCursor: a page link edited by hand is refused with a
// clear page, and nothing is written.
func TestMinistryPageBadCursor(t *testing.T) {
	f := pagedFixture(t)
	c := f.login("moj", "focal@moj.example")
	before := f.checksum()
	for _, q := range []string{"lead=x", "lead=a2027-02-30_1.1", "support=b2027-01-01_1", "lead=c_-1.2", "support=c_1.x", "lead=z_1.1",
		"lead=" + strings.Repeat("a", 5000)} {
		res, body := f.get(c, f.ts.URL+"/m/?"+q)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "This page link is damaged") {
			t.Errorf("?%s: status %d\n%s", q, res.StatusCode, body)
		}
	}
	// A cursor whose tier has emptied since is no error: the page goes on
	// from the next tier.
	res, body := f.get(c, f.ts.URL+"/m/?lead=a2000-01-01_1.0")
	if lead, _, _, _ := listed(body); res.StatusCode != http.StatusOK || len(lead) != ministryPageSize {
		t.Errorf("a cursor before every tier: status %d, %d tasks", res.StatusCode, len(lead))
	}
	if f.checksum() != before {
		t.Error("the database changed")
	}
}

// TestMinistryPageShowsChangesAtOnce: the page is kept while nothing
// changes; a task that moves shows at once, in its new place.
func TestMinistryPageShowsChangesAtOnce(t *testing.T) {
	f := pagedFixture(t)
	c := f.login("mps", "focal@mps.example")
	_, before := f.get(c, f.ts.URL+"/m/")
	_, again := f.get(c, f.ts.URL+"/m/")
	if again != before {
		t.Error("the page changed while nothing did")
	}
	lead, _, _, _ := listed(before)
	first := lead[0]
	if _, err := f.db.Advance(context.Background(), first, "reported", store.Actor{Name: "test"}, "", func(workflow.Task) error { return nil }); err != nil {
		t.Fatal(err)
	}
	_, after := f.get(c, f.ts.URL+"/m/")
	lead, _, _, _ = listed(after)
	want, _ := wantOrder(t, f, "mps")
	if lead[0] == first || slices.Index(lead, first) < 0 || !slices.Equal(lead, want) {
		t.Errorf("after %s was reported: %v, want %v (it among those without a deadline)", first, lead, want)
	}
}

// TestMinistryPageConcurrentMisses: requests that miss the cache together
// (as every focal point's do after a change) all get the same, right page.
func TestMinistryPageConcurrentMisses(t *testing.T) {
	f := pagedFixture(t)
	c := f.login("moj", "focal@moj.example")
	want, _ := wantOrder(t, f, "moj")
	bodies := make([]string, 16)
	errs := make([]error, 16)
	var wg sync.WaitGroup
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.Get(f.ts.URL + "/m/")
			if err != nil {
				errs[i] = err
				return
			}
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			bodies[i], errs[i] = string(b), err
		}()
	}
	wg.Wait()
	for i, b := range bodies {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		lead, _, _, _ := listed(b)
		if !slices.Equal(lead, want[:ministryPageSize]) {
			t.Errorf("request %d: %v", i, lead)
		}
	}
}
