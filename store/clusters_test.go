package store

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/workflow"
)

// clusterDB holds a CRC document owned by moj (three recommendations) and
// a UPR report whose first recommendation mps owns and the others moj,
// with moe supporting the second.
func clusterDB(t *testing.T) (*DB, *clock) {
	t.Helper()
	db, c := openTest(t)
	ctx := context.Background()
	rep, _ := uprDocs()
	rep.Adopted = civil.D(2025, 7, 1)
	plan := func(symbol string, rec workflow.Recommendation) workflow.Assignment {
		a := workflow.Assignment{Owner: "moj", By: "test rule", Stage: "assigned"}
		switch rec.ID {
		case "A/HRC/61/9:5.1":
			a.Owner = "mps"
		case "A/HRC/61/9:5.2":
			a.Support = []string{"moe"}
		}
		return a
	}
	if _, err := db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "co.txt"}, {Doc: rep, Source: "rep.txt"}}, plan); err != nil {
		t.Fatal(err)
	}
	return db, c
}

func task(t *testing.T, db *DB, ref string) workflow.Task {
	t.Helper()
	tk, err := db.Task(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// TestCreateClusterLeadByRule: a cluster of members owned by two
// ministries gets the owner of most as lead and the others as support;
// every member is then owned by the lead, by hand, with the change in its
// history and the cluster's.
func TestCreateClusterLeadByRule(t *testing.T) {
	db, _ := clusterDB(t)
	ctx := context.Background()
	admin := Actor{Name: "Admin"}
	c, err := db.CreateCluster(ctx, ClusterSpec{Name: "  Train   border police ", Members: []string{"A/HRC/61/9:5.1", "CRC/C/XYZ/CO/1:14a", "A/HRC/61/9:5.2"},
		Suggestion: "s-1234", Score: 0.61, Reason: "shared terms: border police"}, admin)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Train border police" || c.Lead != "moj" || !slices.Equal(c.Support, []string{"mps", "moe"}) || c.LeadBy != workflow.LeadByRule ||
		c.Members != 3 || c.Suggestion != "s-1234" || c.Score != 0.61 {
		t.Fatalf("cluster = %+v", c)
	}
	for _, ref := range []string{"A/HRC/61/9:5.1", "CRC/C/XYZ/CO/1:14a", "A/HRC/61/9:5.2"} {
		tk := task(t, db, ref)
		if tk.Owner != "moj" || !slices.Equal(tk.Support, []string{"mps", "moe"}) || !tk.Manual {
			t.Errorf("%s: owner %q support %v manual %v", ref, tk.Owner, tk.Support, tk.Manual)
		}
	}
	h, err := db.History(ctx, task(t, db, "A/HRC/61/9:5.1").ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range h {
		kinds = append(kinds, e.Kind+":"+e.From+">"+e.To)
	}
	if got := strings.Join(kinds, " "); got != "created:>mps cluster:>Train border police assign:mps>moj +mps,moe" {
		t.Errorf("history: %s", got)
	}
	d, err := db.Cluster(ctx, "train BORDER police")
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, m := range d.Members {
		refs = append(refs, m.Ref())
	}
	if got := strings.Join(refs, " | "); got != "CRC 2026, CRC/C/XYZ/CO/1, 14 (a) | UPR 2025, A/HRC/61/9, 5.1 | UPR 2025, A/HRC/61/9, 5.2" {
		t.Errorf("members: %s", got)
	}
	var ev []string
	for _, e := range d.Events {
		ev = append(ev, e.Kind+" "+e.RecID)
	}
	if got := strings.Join(ev, ","); got != "created ,lead ,joined CRC/C/XYZ/CO/1:14a,joined A/HRC/61/9:5.1,joined A/HRC/61/9:5.2" &&
		got != "created ,lead ,joined A/HRC/61/9:5.1,joined CRC/C/XYZ/CO/1:14a,joined A/HRC/61/9:5.2" {
		t.Errorf("events: %s", got)
	}
	if m, err := db.ClusterMembership(ctx); err != nil || len(m) != 3 || m["A/HRC/61/9:5.2"] != c.ID {
		t.Errorf("membership = %v, %v", m, err)
	}
	for ministry, want := range map[string]int{"moj": 1, "moe": 1, "mps": 1, "na": 0} {
		if l, err := db.Clusters(ctx, ClusterFilter{Ministry: ministry}); err != nil || len(l) != want {
			t.Errorf("clusters of %s = %v, %v", ministry, l, err)
		}
	}
}

// TestClusterRefusals: what a cluster cannot be made of is refused with
// what is wrong, and nothing is written.
func TestClusterRefusals(t *testing.T) {
	db, _ := clusterDB(t)
	ctx := context.Background()
	admin := Actor{Name: "Admin"}
	if _, err := db.CreateCluster(ctx, ClusterSpec{Name: "One", Members: []string{"CRC/C/XYZ/CO/1:8", "A/HRC/61/9:5.3"}}, admin); err != nil {
		t.Fatal(err)
	}
	events, tasksBefore := count(t, db, "task_events"), count(t, db, "clusters")
	for _, c := range []struct {
		spec ClusterSpec
		by   Actor
		kind error
		says string
	}{
		{ClusterSpec{Name: "Two", Members: []string{"CRC/C/XYZ/CO/1:14a", "A/HRC/61/9:5.3"}}, admin, ErrConflict, "already in cluster"},
		{ClusterSpec{Name: "one", Members: []string{"CRC/C/XYZ/CO/1:14a", "CRC/C/XYZ/CO/1:14b"}}, admin, ErrConflict, "already named"},
		{ClusterSpec{Name: "Two", Members: []string{"CRC/C/XYZ/CO/1:14a"}}, admin, ErrInvalid, "two or more"},
		{ClusterSpec{Name: "Two", Members: []string{"CRC/C/XYZ/CO/1:14a", "CRC/C/XYZ/CO/1:14a"}}, admin, ErrInvalid, "named twice"},
		{ClusterSpec{Name: "Two", Members: []string{"CRC/C/XYZ/CO/1:14a", "CRC/C/XYZ/CO/1:99"}}, admin, ErrNotFound, "CRC/C/XYZ/CO/1:99"},
		{ClusterSpec{Name: " ", Members: []string{"CRC/C/XYZ/CO/1:14a", "CRC/C/XYZ/CO/1:14b"}}, admin, ErrInvalid, "needs a name"},
		{ClusterSpec{Name: strings.Repeat("x", MaxClusterName+1), Members: []string{"CRC/C/XYZ/CO/1:14a", "CRC/C/XYZ/CO/1:14b"}}, admin, ErrInvalid, "longer"},
		{ClusterSpec{Name: "Two", Members: []string{"CRC/C/XYZ/CO/1:14a", "CRC/C/XYZ/CO/1:14b"}}, Actor{}, ErrInvalid, "no name"},
	} {
		_, err := db.CreateCluster(ctx, c.spec, c.by)
		if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: %v, want %v saying %q", c.spec, err, c.kind, c.says)
		}
	}
	if _, err := db.AddToCluster(ctx, "One", []string{"CRC/C/XYZ/CO/1:8"}, admin); !errors.Is(err, ErrConflict) {
		t.Errorf("a member added again: %v", err)
	}
	if _, err := db.RemoveFromCluster(ctx, "One", []string{"CRC/C/XYZ/CO/1:14a"}, admin); !errors.Is(err, ErrInvalid) {
		t.Errorf("a non-member removed: %v", err)
	}
	if _, err := db.RenameCluster(ctx, "Nine", "X", admin); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown cluster renamed: %v", err)
	}
	if n := count(t, db, "task_events"); n != events {
		t.Errorf("refusals wrote %d task events", n-events)
	}
	if n := count(t, db, "clusters"); n != tasksBefore {
		t.Errorf("refusals wrote %d clusters", n-tasksBefore)
	}
}

// TestClusterUpdateFansOut: an update made on a cluster is recorded on
// every member, its file stored once and readable from each; a member
// that leaves keeps it, and its owner; a later update no longer reaches
// it.
func TestClusterUpdateFansOut(t *testing.T) {
	db, c := clusterDB(t)
	ctx := context.Background()
	admin := Actor{Name: "Admin"}
	cl, err := db.CreateCluster(ctx, ClusterSpec{Name: "Police", Members: []string{"CRC/C/XYZ/CO/1:14a", "A/HRC/61/9:5.1", "A/HRC/61/9:5.2"}}, admin)
	if err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Hour)
	pdf := []byte("%PDF-1.4 the training report")
	cu, n, err := db.AddClusterUpdate(ctx, cl.ID, Update{Ministry: "moj", Role: RoleLead, Author: "Khamla S.", FocalPoint: "fp@moj.example.org",
		ClientAddr: "192.0.2.7", Text: "Trained 120 border police officers.", Evidence: []Evidence{
			{Kind: EvidenceLink, URL: "https://example.org/decree", Title: "Decree"},
			{Kind: EvidenceFile, Title: "training.pdf", ContentType: "application/pdf", Size: int64(len(pdf)), Content: bytes.NewReader(pdf)},
		}})
	if err != nil || n != 3 || cu == 0 {
		t.Fatalf("cluster update: %d, %d members, %v", cu, n, err)
	}
	if got := count(t, db, "evidence_files"); got != 1 {
		t.Errorf("%d copies of the file stored", got)
	}
	var fileIDs []int64
	for _, ref := range []string{"CRC/C/XYZ/CO/1:14a", "A/HRC/61/9:5.1", "A/HRC/61/9:5.2"} {
		var us []Update
		if err := db.Updates(ctx, UpdateFilter{TaskID: task(t, db, ref).ID}, func(u Update) error { us = append(us, u); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(us) != 1 || us[0].Text != "Trained 120 border police officers." || us[0].ClusterUpdate != cu || len(us[0].Evidence) != 2 ||
			us[0].Evidence[1].Size != int64(len(pdf)) || us[0].Evidence[1].SHA256 == "" {
			t.Fatalf("%s updates = %+v", ref, us)
		}
		fileIDs = append(fileIDs, us[0].Evidence[1].ID)
		h, _ := db.History(ctx, task(t, db, ref).ID)
		if last := h[len(h)-1]; last.Kind != "update" || last.FocalPoint != "fp@moj.example.org" {
			t.Errorf("%s: last event %+v", ref, last)
		}
	}
	for _, id := range fileIDs {
		e, _, err := db.EvidenceData(ctx, id)
		if err != nil || !bytes.Equal(e.Data, pdf) {
			t.Errorf("evidence %d: %q, %v", id, e.Data, err)
		}
	}
	if us, err := db.ClusterUpdates(ctx, cl.ID); err != nil || len(us) != 1 || us[0].Text != "Trained 120 border police officers." {
		t.Errorf("cluster updates = %+v, %v", us, err)
	}

	// A member leaves with its update and its owner.
	if _, err := db.RemoveFromCluster(ctx, "Police", []string{"A/HRC/61/9:5.1"}, admin); err != nil {
		t.Fatal(err)
	}
	left := task(t, db, "A/HRC/61/9:5.1")
	if left.Owner != "moj" {
		t.Errorf("the member that left is owned by %q", left.Owner)
	}
	if _, n, err := db.AddClusterUpdate(ctx, cl.ID, Update{Ministry: "moj", Role: RoleLead, Author: "Khamla S.", Text: "Second training."}); err != nil || n != 2 {
		t.Fatalf("second update: %d members, %v", n, err)
	}
	var texts []string
	if err := db.Updates(ctx, UpdateFilter{TaskID: left.ID}, func(u Update) error { texts = append(texts, u.Text); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(texts, []string{"Trained 120 border police officers."}) {
		t.Errorf("the member that left holds %q", texts)
	}
	h, _ := db.History(ctx, left.ID)
	if last := h[len(h)-1]; last.Kind != "cluster" || last.From != "Police" || last.To != "" {
		t.Errorf("last event of the member that left: %+v", last)
	}

	// An incomplete update writes nothing.
	before := count(t, db, "task_updates")
	if _, _, err := db.AddClusterUpdate(ctx, cl.ID, Update{Ministry: "moj", Role: RoleLead, Author: "K", Text: "  "}); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty update: %v", err)
	}
	if count(t, db, "task_updates") != before {
		t.Error("a refused update wrote rows")
	}
}

// TestAdvanceCluster: a stage move on a cluster moves every member not in
// the stage yet, each with its own event; one member the workflow refuses
// moves none.
func TestAdvanceCluster(t *testing.T) {
	db, _ := clusterDB(t)
	ctx := context.Background()
	admin := Actor{Name: "Admin"}
	cl, err := db.CreateCluster(ctx, ClusterSpec{Name: "Police", Members: []string{"CRC/C/XYZ/CO/1:14a", "A/HRC/61/9:5.1", "A/HRC/61/9:5.2"}}, admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Advance(ctx, "A/HRC/61/9:5.2", "acknowledged", admin, "", nil); err != nil {
		t.Fatal(err)
	}
	refuse := func(tk workflow.Task) error {
		if tk.Rec.ID == "A/HRC/61/9:5.1" {
			return &workflow.TransitionError{From: tk.Stage, To: "acknowledged"}
		}
		return nil
	}
	events := count(t, db, "task_events")
	_, err = db.AdvanceCluster(ctx, cl.ID, "acknowledged", admin, "", refuse)
	var me *ClusterMoveError
	var te *workflow.TransitionError
	if !errors.As(err, &me) || me.RecID != "A/HRC/61/9:5.1" || !errors.As(err, &te) {
		t.Fatalf("refused move: %v", err)
	}
	if count(t, db, "task_events") != events || task(t, db, "CRC/C/XYZ/CO/1:14a").Stage != "assigned" {
		t.Fatal("a refused cluster move moved a member")
	}
	moved, err := db.AdvanceCluster(ctx, cl.ID, "acknowledged", Actor{Name: "Khamla S.", FocalPoint: "fp@moj.example.org"}, "all trained", nil)
	if err != nil || len(moved) != 2 {
		t.Fatalf("moved %d, %v", len(moved), err)
	}
	for _, ref := range []string{"CRC/C/XYZ/CO/1:14a", "A/HRC/61/9:5.1", "A/HRC/61/9:5.2"} {
		if s := task(t, db, ref).Stage; s != "acknowledged" {
			t.Errorf("%s in stage %s", ref, s)
		}
	}
	if _, err := db.AdvanceCluster(ctx, cl.ID, "acknowledged", admin, "", nil); !errors.Is(err, ErrConflict) {
		t.Errorf("a cluster all in the stage: %v", err)
	}
}

// TestClusterEdits: add (the rule chooses again), split, rename, and the
// lead chosen by hand, given to every member.
func TestClusterEdits(t *testing.T) {
	db, _ := clusterDB(t)
	ctx := context.Background()
	admin := Actor{Name: "Admin"}
	cl, err := db.CreateCluster(ctx, ClusterSpec{Name: "Police", Members: []string{"A/HRC/61/9:5.1", "A/HRC/61/9:5.3"}}, admin)
	if err != nil {
		t.Fatal(err)
	}
	// mps owns one, moj one: the first listed wins the tie.
	if cl.Lead != "mps" || !slices.Equal(cl.Support, []string{"moj"}) {
		t.Fatalf("lead %q support %v", cl.Lead, cl.Support)
	}
	cl, err = db.AddToCluster(ctx, "Police", []string{"CRC/C/XYZ/CO/1:8", "CRC/C/XYZ/CO/1:14b"}, admin)
	if err != nil {
		t.Fatal(err)
	}
	// Now moj owns two of four (the CRC ones) and mps two: mps was met first.
	if cl.Members != 4 || cl.Lead != "mps" {
		t.Fatalf("after add: %+v", cl)
	}
	if tk := task(t, db, "CRC/C/XYZ/CO/1:8"); tk.Owner != "mps" {
		t.Errorf("new member owned by %q", tk.Owner)
	}
	split, err := db.SplitCluster(ctx, "Police", []string{"CRC/C/XYZ/CO/1:8", "CRC/C/XYZ/CO/1:14b"}, "Data", admin)
	if err != nil {
		t.Fatal(err)
	}
	if split.Members != 2 || split.Name != "Data" || split.LeadBy != workflow.LeadByRule {
		t.Errorf("split = %+v", split)
	}
	if old, _ := db.Cluster(ctx, "Police"); len(old.Members) != 2 {
		t.Errorf("after split the old cluster has %d members", len(old.Members))
	}
	if _, err := db.RenameCluster(ctx, "Data", "Collect data", admin); err != nil {
		t.Fatal(err)
	}
	cl, err = db.SetClusterLead(ctx, "Collect data", "moe", []string{"moj", "moe"}, Actor{Name: "Coordinator"})
	if err != nil {
		t.Fatal(err)
	}
	if cl.Lead != "moe" || !slices.Equal(cl.Support, []string{"moj"}) || cl.LeadBy != "Coordinator" {
		t.Errorf("lead by hand: %+v", cl)
	}
	for _, ref := range []string{"CRC/C/XYZ/CO/1:8", "CRC/C/XYZ/CO/1:14b"} {
		if tk := task(t, db, ref); tk.Owner != "moe" || !slices.Equal(tk.Support, []string{"moj"}) {
			t.Errorf("%s: %q %v", ref, tk.Owner, tk.Support)
		}
	}
	mark, _ := db.ChangeMark(ctx)
	if _, err := db.RenameCluster(ctx, "Collect data", "Collect the data", admin); err != nil {
		t.Fatal(err)
	}
	if m, _ := db.ChangeMark(ctx); m <= mark {
		t.Errorf("a rename left the change mark at %d", m)
	}
	// Every member leaves: the cluster is no longer listed.
	if _, err := db.RemoveFromCluster(ctx, "Collect the data", []string{"CRC/C/XYZ/CO/1:8", "CRC/C/XYZ/CO/1:14b"}, admin); err != nil {
		t.Fatal(err)
	}
	if l, _ := db.Clusters(ctx, ClusterFilter{}); len(l) != 1 || l[0].Name != "Police" {
		t.Errorf("clusters listed: %+v", l)
	}
	if l, _ := db.Clusters(ctx, ClusterFilter{Empty: true}); len(l) != 2 {
		t.Errorf("clusters listed with the empty: %d", len(l))
	}
	if _, err := db.db.raw.Exec(`DELETE FROM cluster_events`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("cluster history deleted: %v", err)
	}
}

// TestSweepCountsClusterOnce: the sweep counts a cluster's members of one
// owner once, under the lowest of their ranks, lists it once with all
// their ranks, and keeps each channel's list to its length with the
// cluster in its place; the reminder log still gets every member.
func TestSweepCountsClusterOnce(t *testing.T) {
	db, c := twoDocs(t)
	ctx := context.Background()
	// Tasks 2 and 3 (CO/1 14a, 14b: moj, paragraph 14) and 1 (8, moj).
	if _, err := db.CreateCluster(ctx, ClusterSpec{Name: "Training", Members: []string{"CRC/C/XYZ/CO/1:14a", "CRC/C/XYZ/CO/1:14b"}},
		Actor{Name: "Admin"}); err != nil {
		t.Fatal(err)
	}
	q := plan.SweepQuery{List: 1, Fires: []plan.Fire{
		{Document: 1, Stage: "assigned", Rank: 1, Deadline: "2027-02-01 stage", Kind: "due"},
		{Document: 1, Stage: "assigned", Rank: 0, Paragraphs: []int{14}, Deadline: "2027-01-20 follow-up", Kind: "lead:7d"},
	}}
	for _, list := range []int{1, 5} {
		q.List = list
		err := db.RunSlot(ctx, "reminders", c.t, list == 1, func(s *SlotTx) error {
			res, err := s.Sweep(ctx, q)
			if err != nil {
				return err
			}
			got := sweepText(res)
			want := map[int]string{1: "moj/false rank 0: 1; moj/false rank 1: 1 | moj/false 2 [0 1]",
				5: "moj/false rank 0: 1; moj/false rank 1: 1 | moj/false 2 [0 1]; moj/false 1 [1]"}[list]
			if got != want {
				t.Errorf("list %d:\n got %s\nwant %s", list, got, want)
			}
			if res.Listed[0].Cluster == 0 || !slices.Equal(res.Listed[0].Members, []int64{2, 3}) {
				t.Errorf("the cluster's line: %+v", res.Listed[0])
			}
			if list == 1 {
				return nil
			}
			id, _, err := s.Enqueue(ctx, plan.Outgoing{Key: "reminder:moj", Kind: "reminder", Recipient: "moj", Raw: []byte("x")})
			if err != nil {
				return err
			}
			return s.LogSweep(ctx, q, map[plan.Channel]int64{{Owner: "moj"}: id})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// 8, 14a and 14b for the stage; 14a and 14b for the follow-up.
	if n := count(t, db, "reminder_log"); n != 5 {
		t.Errorf("%d reminders logged, want 5", n)
	}
}
