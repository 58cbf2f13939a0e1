package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/workflow"
)

// suggestDocs are two UPR reports and a CRC review of Slovenia that ask
// the same things more than once (ratify the migrant workers' convention
// three times, the enforced disappearance convention twice, ban corporal
// punishment twice), the first report's addendum, and a Mongolian
// document that none of it concerns.
func suggestDocs() []ImportItem {
	upr := func(symbol string, recs ...workflow.Recommendation) *workflow.Document {
		d := &workflow.Document{Symbol: symbol, Body: "UPR", Kind: workflow.UPRReport, State: "Slovenia", Adopted: civil.D(2020, 3, 1)}
		for _, r := range recs {
			r.ID = workflow.RecID(symbol, r.Paragraph, r.Item)
			r.Status = "supported"
			d.Recommendations = append(d.Recommendations, r)
		}
		return d
	}
	r43 := upr("A/HRC/43/15",
		workflow.Recommendation{Paragraph: 122, Item: "2", RecommendingStates: []string{"Bangladesh"}, Themes: []string{"Migrants"},
			Text: "Ratify the International Convention on the Protection of the Rights of All Migrant Workers and Members of Their Families (Bangladesh)"},
		workflow.Recommendation{Paragraph: 121, Item: "1", RecommendingStates: []string{"France"},
			Text: "Ratify the International Convention for the Protection of All Persons from Enforced Disappearance (France)"},
		workflow.Recommendation{Paragraph: 122, Item: "73", RecommendingStates: []string{"Germany"},
			Text: "Continue to reduce the backlog of judicial cases, by further improving the staffing and financial resources of the courts (Germany)"},
	)
	r28 := upr("A/HRC/28/15",
		workflow.Recommendation{Paragraph: 115, Item: "8", RecommendingStates: []string{"Senegal", "Peru"}, Text: "Ratify ICRMW (Senegal, Peru)"},
		workflow.Recommendation{Paragraph: 115, Item: "16", RecommendingStates: []string{"Belgium"},
			Text: "Ratify the International Convention for the Protection of All Persons from Enforced Disappearance (Belgium)"},
		workflow.Recommendation{Paragraph: 115, Item: "116", RecommendingStates: []string{"Austria"},
			Text: "Explicitly prohibit in national legislation corporal punishment in all settings, including at home (Austria)"},
		workflow.Recommendation{Paragraph: 115, Item: "9", RecommendingStates: []string{"Mexico"},
			Text: "Consider ratifying the International Convention on the Protection of the Rights of All Migrant Workers and Members of Their Families (Mexico)"},
	)
	crc := &workflow.Document{Symbol: "CRC/C/SVN/CO/3-4", Body: "CRC", Kind: workflow.ConcludingObservations, State: "Slovenia",
		Adopted: civil.D(2013, 6, 14), Recommendations: []workflow.Recommendation{{ID: "CRC/C/SVN/CO/3-4:31a", Paragraph: 31, Item: "a",
			Verb: "recommends", Text: "Explicitly prohibit corporal punishment of children in all settings, including in the home;"}}}
	add := &workflow.Document{Symbol: "A/HRC/43/15/Add.1", Body: "UPR", Kind: workflow.UPRAddendum, Parent: "A/HRC/43/15", State: "Slovenia",
		Positions: []workflow.Position{{ID: "A/HRC/43/15:122.2", Status: "noted"}}}
	return []ImportItem{{Doc: r43, Source: "r43.txt"}, {Doc: r28, Source: "r28.txt"}, {Doc: crc, Source: "crc.txt"}, {Doc: add, Source: "add.txt"},
		{Doc: coDoc(), Source: "co.txt"}}
}

func suggestDB(t *testing.T) *DB {
	t.Helper()
	db, _ := openTest(t)
	if _, err := db.Import(context.Background(), suggestDocs(), planAll("mfa")); err != nil {
		t.Fatal(err)
	}
	return db
}

// holding is the suggestion with member id, or nil.
func holding(sugs []Suggestion, id string) *Suggestion {
	for i := range sugs {
		if slices.Contains(sugs[i].Members, id) {
			return &sugs[i]
		}
	}
	return nil
}

// TestClusterItems: the recommendations of the State asked (in any case),
// in the documents' order, with their recommending States and themes; no
// addendum's; every State's when none is asked.
func TestClusterItems(t *testing.T) {
	db := suggestDB(t)
	ctx := context.Background()
	items, err := db.ClusterItems(ctx, SuggestFilter{State: "SLOVENIA"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	want := []string{"A/HRC/43/15:122.2", "A/HRC/43/15:121.1", "A/HRC/43/15:122.73",
		"A/HRC/28/15:115.8", "A/HRC/28/15:115.16", "A/HRC/28/15:115.116", "A/HRC/28/15:115.9", "CRC/C/SVN/CO/3-4:31a"}
	if !slices.Equal(ids, want) {
		t.Errorf("items:\n got %q\nwant %q", ids, want)
	}
	first := items[0]
	if first.Symbol != "A/HRC/43/15" || first.Body != "UPR" || !slices.Equal(first.States, []string{"Bangladesh"}) ||
		!slices.Equal(first.Themes, []string{"Migrants"}) || !strings.HasPrefix(first.Text, "Ratify the International Convention on") {
		t.Errorf("first item = %+v", first)
	}
	if s := items[3].States; !slices.Equal(s, []string{"Senegal", "Peru"}) {
		t.Errorf("115.8 recommended by %q", s)
	}
	all, err := db.ClusterItems(ctx, SuggestFilter{})
	if err != nil || len(all) != len(want)+3 || all[len(all)-1].ID != "CRC/C/XYZ/CO/1:14b" {
		t.Errorf("every State's: %d items, %v", len(all), err)
	}
	if none, err := db.ClusterItems(ctx, SuggestFilter{State: "Atlantis"}); err != nil || len(none) != 0 {
		t.Errorf("a State with no documents: %+v, %v", none, err)
	}
}

// TestClusterItemsTooMany: more recommendations than can be compared at
// once are refused as invalid input, saying how many and what to do.
func TestClusterItemsTooMany(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if _, err := db.Import(ctx, []ImportItem{{Doc: bigDoc("CRC/C/LAO/CO/1", MaxSuggestItems+1), Source: "big.txt"}}, planAll("moj")); err != nil {
		t.Fatal(err)
	}
	_, err := db.ClusterItems(ctx, SuggestFilter{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "5001 recommendations are more than the 5000") ||
		!strings.Contains(err.Error(), "choose one State's") {
		t.Errorf("too many: %v", err)
	}
	if _, err := db.SuggestClusters(ctx, SuggestFilter{State: "Lao PDR"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("suggestions over too many: %v", err)
	}
	if items, err := db.ClusterItems(ctx, SuggestFilter{State: "Mongolia"}); err != nil || len(items) != 0 {
		t.Errorf("another State's: %d, %v", len(items), err)
	}
}

// TestSuggestionKey: a key names the set of members, whatever their
// order, in a form that stays the same from one release to the next
// (keys are typed on the command line and posted by the dashboard).
func TestSuggestionKey(t *testing.T) {
	a := []string{"A/HRC/43/15:121.1", "A/HRC/28/15:115.16"}
	if got := SuggestionKey(a); got != "s-d7f970c1df" {
		t.Errorf("key = %s", got)
	}
	if a[0] != "A/HRC/43/15:121.1" {
		t.Errorf("the caller's members were sorted: %q", a)
	}
	if SuggestionKey([]string{a[1], a[0]}) != SuggestionKey(a) {
		t.Error("the order of the members changes the key")
	}
	if SuggestionKey([]string{a[0]}) == SuggestionKey(a) || SuggestionKey([]string{a[0] + "\n" + a[1]}) == SuggestionKey(a) ||
		SuggestionKey(append(slices.Clone(a), "CRC/C/SVN/CO/3-4:31a")) == SuggestionKey(a) {
		t.Error("other members, the same key")
	}
}

// TestSuggestClusters: the same asks are suggested together, each with
// the key of its members, and reading them writes nothing. A cluster made
// by hand that takes one member leaves the suggestion and its key in
// place, the member marked as taken.
func TestSuggestClusters(t *testing.T) {
	db := suggestDB(t)
	ctx := context.Background()
	events := count(t, db, "task_events")
	sugs, err := db.SuggestClusters(ctx, SuggestFilter{State: "Slovenia"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sugs) != 3 {
		t.Fatalf("%d suggestions: %+v", len(sugs), sugs)
	}
	for _, want := range [][]string{
		{"A/HRC/28/15:115.8", "A/HRC/28/15:115.9", "A/HRC/43/15:122.2"},
		{"A/HRC/28/15:115.16", "A/HRC/43/15:121.1"},
		{"A/HRC/28/15:115.116", "CRC/C/SVN/CO/3-4:31a"},
	} {
		s := holding(sugs, want[0])
		if s == nil || !slices.Equal(s.Members, want) || s.Key != SuggestionKey(want) || s.Cluster != 0 || s.Taken != nil || !s.Open() ||
			!slices.Equal(s.Free(), want) || s.Score <= 0 || s.Score > 1 || s.Reason == "" || s.Name == "" {
			t.Errorf("the suggestion of %q: %+v", want, s)
		}
	}
	if s := holding(sugs, "A/HRC/43/15:122.73"); s != nil {
		t.Errorf("the courts' backlog is asked once, yet suggested in %+v", s)
	}
	if n := count(t, db, "clusters") + count(t, db, "cluster_events") + count(t, db, "task_events") - events; n != 0 {
		t.Errorf("suggesting wrote %d rows", n)
	}

	admin := Actor{Name: "Admin"}
	hand, err := db.CreateCluster(ctx, ClusterSpec{Name: "By hand", Members: []string{"A/HRC/28/15:115.9", "A/HRC/43/15:122.73"}}, admin)
	if err != nil {
		t.Fatal(err)
	}
	again, err := db.SuggestClusters(ctx, SuggestFilter{State: "slovenia"})
	if err != nil {
		t.Fatal(err)
	}
	var before, after []string
	for i := range sugs {
		before, after = append(before, sugs[i].Key), append(after, again[i].Key)
	}
	if !slices.Equal(before, after) {
		t.Errorf("a cluster made by hand moved the keys: %q, then %q", before, after)
	}
	m := holding(again, "A/HRC/28/15:115.9")
	if m == nil || m.Cluster != 0 || !slices.Equal(m.Taken, []string{"A/HRC/28/15:115.9"}) || !m.Open() ||
		!slices.Equal(m.Free(), []string{"A/HRC/28/15:115.8", "A/HRC/43/15:122.2"}) {
		t.Errorf("with one member taken: %+v", m)
	}
	if !slices.Contains(m.Members, "A/HRC/28/15:115.9") {
		t.Error("Free took the taken member out of the suggestion's own members")
	}
	if hand.Members != 2 {
		t.Errorf("the cluster by hand: %+v", hand)
	}
}

// TestAcceptSuggestion: accepting makes the cluster of the members no
// other cluster holds, under the suggestion's name unless given one, and
// records the suggestion; a suggestion accepted already, one whose
// members others hold, one that no longer exists and a cluster that
// cannot be made are refused, each with its kind, and write nothing.
func TestAcceptSuggestion(t *testing.T) {
	db := suggestDB(t)
	ctx := context.Background()
	slovenia := SuggestFilter{State: "Slovenia"}
	admin := Actor{Name: "Admin"}
	sugs, err := db.SuggestClusters(ctx, slovenia)
	if err != nil {
		t.Fatal(err)
	}
	migrants := holding(sugs, "A/HRC/43/15:122.2").Key
	cped := holding(sugs, "A/HRC/43/15:121.1").Key
	corporal := holding(sugs, "CRC/C/SVN/CO/3-4:31a").Key
	if _, err := db.CreateCluster(ctx, ClusterSpec{Name: "By hand", Members: []string{"A/HRC/28/15:115.9", "A/HRC/43/15:122.73"}}, admin); err != nil {
		t.Fatal(err)
	}

	// One member taken: the other two are grouped, under the suggestion's
	// name, with the lead chosen.
	c, s, err := db.AcceptSuggestion(ctx, slovenia, migrants, ClusterSpec{Name: "  ", Lead: "moj", Support: []string{"moe"}}, Actor{Name: "NCMC secretariat"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != s.Name || c.Name != "ratify the Migrant Workers Convention (ICRMW)" || c.Members != 2 || c.Suggestion != migrants ||
		c.Score != s.Score || c.Reason != s.Reason || c.Lead != "moj" || !slices.Equal(c.Support, []string{"moe"}) || c.LeadBy != "NCMC secretariat" {
		t.Errorf("cluster = %+v", c)
	}
	if !slices.Equal(s.Taken, []string{"A/HRC/28/15:115.9"}) {
		t.Errorf("the suggestion returned: %+v", s)
	}
	d, err := db.Cluster(ctx, strconv.FormatInt(c.ID, 10))
	if err != nil {
		t.Fatal(err)
	}
	var members []string
	for _, m := range d.Members {
		members = append(members, m.RecID)
	}
	if !slices.Equal(members, []string{"A/HRC/43/15:122.2", "A/HRC/28/15:115.8"}) || d.Events[0].Kind != "created" || d.Events[0].Note != "suggestion "+migrants {
		t.Errorf("members %q, first event %+v", members, d.Events[0])
	}
	if tk := task(t, db, "A/HRC/28/15:115.8"); tk.Owner != "moj" {
		t.Errorf("a member is owned by %q", tk.Owner)
	}

	// No name given and the rule's lead: the owner of the members.
	c2, _, err := db.AcceptSuggestion(ctx, slovenia, cped, ClusterSpec{Name: "Enforced disappearance"}, admin)
	if err != nil {
		t.Fatal(err)
	}
	if c2.Name != "Enforced disappearance" || c2.Members != 2 || c2.Lead != "mfa" || c2.LeadBy != workflow.LeadByRule {
		t.Errorf("second cluster = %+v", c2)
	}
	s2, err := db.Suggested(ctx, slovenia, cped)
	if err != nil || s2.Cluster != c2.ID || s2.Taken != nil || s2.Open() {
		t.Errorf("the accepted suggestion: %+v, %v", s2, err)
	}

	rows := func() int {
		return count(t, db, "clusters") + count(t, db, "cluster_events") + count(t, db, "task_events") + count(t, db, "recommendation_changes")
	}
	written := rows()
	var taken *SuggestionTakenError
	_, s2, err = db.AcceptSuggestion(ctx, slovenia, cped, ClusterSpec{}, admin)
	if !errors.As(err, &taken) || !errors.Is(err, ErrConflict) || taken.Cluster != c2.ID || s2.Key != cped ||
		err.Error() != fmt.Sprintf("suggestion %s is accepted already: cluster %d", cped, c2.ID) {
		t.Errorf("accepted twice: %v", err)
	}
	_, _, err = db.AcceptSuggestion(ctx, slovenia, migrants, ClusterSpec{}, admin)
	if !errors.As(err, &taken) || !errors.Is(err, ErrConflict) || taken.Cluster != 0 ||
		err.Error() != "suggestion "+migrants+": other clusters hold A/HRC/28/15:115.8, A/HRC/28/15:115.9, A/HRC/43/15:122.2; "+
			"fewer than two of its recommendations are left to group" {
		t.Errorf("every member taken: %v", err)
	}
	for _, c := range []struct {
		f    SuggestFilter
		key  string
		spec ClusterSpec
		by   Actor
		kind error
		says string
	}{
		{slovenia, "s-0000000000", ClusterSpec{}, admin, ErrNotFound, "the recommendations changed since it was made"},
		{SuggestFilter{State: "Mongolia"}, corporal, ClusterSpec{}, admin, ErrNotFound, "list the suggestions again"},
		{slovenia, corporal, ClusterSpec{Name: "enforced DISAPPEARANCE"}, admin, ErrConflict, "already named"},
		{slovenia, corporal, ClusterSpec{}, Actor{}, ErrInvalid, "no name"},
	} {
		_, _, err := db.AcceptSuggestion(ctx, c.f, c.key, c.spec, c.by)
		if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.says) || errors.As(err, &taken) {
			t.Errorf("accept %s in %+v as %+v: %v, want %v saying %q", c.key, c.f, c.by, err, c.kind, c.says)
		}
	}
	if n := rows() - written; n != 0 {
		t.Errorf("refusals wrote %d rows", n)
	}
	if s, err := db.Suggested(ctx, slovenia, corporal); err != nil || !s.Open() {
		t.Errorf("the refused suggestion is no longer open: %+v, %v", s, err)
	}

	// One member of two taken: one is left, which is no cluster.
	if _, err := db.CreateCluster(ctx, ClusterSpec{Name: "Children", Members: []string{"CRC/C/SVN/CO/3-4:31a", "CRC/C/XYZ/CO/1:8"}}, admin); err != nil {
		t.Fatal(err)
	}
	written = rows()
	_, s, err = db.AcceptSuggestion(ctx, slovenia, corporal, ClusterSpec{}, admin)
	if !errors.As(err, &taken) || !errors.Is(err, ErrConflict) || taken.Cluster != 0 || s.Open() ||
		!strings.HasSuffix(err.Error(), ": other clusters hold CRC/C/SVN/CO/3-4:31a; fewer than two of its recommendations are left to group") {
		t.Errorf("one member left: %v", err)
	}
	if n := rows() - written; n != 0 {
		t.Errorf("the refusal wrote %d rows", n)
	}
}
