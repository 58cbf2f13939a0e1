package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/report/source"
	"github.com/followup-app/followup/workflow"
)

// twoClusters makes, over clusterDB, "Police" (CRC 14a, UPR 5.1) and
// "Data" (CRC 8, UPR 5.3); CRC 14b and UPR 5.2 are in none.
func twoClusters(t *testing.T) (*DB, Cluster, Cluster) {
	t.Helper()
	db, _ := clusterDB(t)
	ctx := context.Background()
	admin := Actor{Name: "Admin"}
	police, err := db.CreateCluster(ctx, ClusterSpec{Name: "Police", Members: []string{"A/HRC/61/9:5.1", "CRC/C/XYZ/CO/1:14a"}}, admin)
	if err != nil {
		t.Fatal(err)
	}
	data, err := db.CreateCluster(ctx, ClusterSpec{Name: "Data", Members: []string{"CRC/C/XYZ/CO/1:8", "A/HRC/61/9:5.3"}, Lead: "moe",
		Support: []string{"moj", "mps"}}, admin)
	if err != nil {
		t.Fatal(err)
	}
	return db, police, data
}

// TestClusterOf: a task's cluster, none, and a task that does not exist.
func TestClusterOf(t *testing.T) {
	db, police, _ := twoClusters(t)
	ctx := context.Background()
	c, ok, err := db.ClusterOf(ctx, task(t, db, "CRC/C/XYZ/CO/1:14a").ID)
	if err != nil || !ok || c.ID != police.ID || c.Name != "Police" || c.Members != 2 || c.Lead != police.Lead {
		t.Errorf("the cluster of 14a: %+v, %v, %v", c, ok, err)
	}
	if c, ok, err := db.ClusterOf(ctx, task(t, db, "CRC/C/XYZ/CO/1:14b").ID); err != nil || ok || c.ID != 0 {
		t.Errorf("the cluster of 14b: %+v, %v, %v", c, ok, err)
	}
	if _, ok, err := db.ClusterOf(ctx, 9999); !errors.Is(err, ErrNotFound) || ok || !strings.Contains(err.Error(), "task 9999") {
		t.Errorf("an unknown task: %v, %v", ok, err)
	}
}

// TestSlotClusters: the clusters a message lists, with their members in
// the documents' order, named by mechanism and year; an unknown id is
// left out.
func TestSlotClusters(t *testing.T) {
	db, police, data := twoClusters(t)
	ctx := context.Background()
	crc14a, upr51 := task(t, db, "CRC/C/XYZ/CO/1:14a").ID, task(t, db, "A/HRC/61/9:5.1").ID
	err := db.RunSlot(ctx, "reminders", db.now(), true, func(s *SlotTx) error {
		none, err := s.Clusters(ctx, nil)
		if err != nil || none == nil || len(none) != 0 {
			t.Errorf("no ids: %v, %v", none, err)
		}
		got, err := s.Clusters(ctx, []int64{police.ID, data.ID, 999})
		if err != nil {
			return err
		}
		if len(got) != 2 {
			t.Fatalf("%d clusters: %+v", len(got), got)
		}
		p := got[police.ID]
		want := []plan.ClusterMemberRow{
			{TaskID: crc14a, RecID: "CRC/C/XYZ/CO/1:14a", Symbol: "CRC/C/XYZ/CO/1", Body: "CRC", Year: 2026, Paragraph: 14, Item: "a"},
			{TaskID: upr51, RecID: "A/HRC/61/9:5.1", Symbol: "A/HRC/61/9", Body: "UPR", Year: 2025, Paragraph: 5, Item: "1"},
		}
		if p.ID != police.ID || p.Name != "Police" || p.Lead != police.Lead || !slices.Equal(p.Support, police.Support) || !slices.Equal(p.Members, want) {
			t.Errorf("Police = %+v", p)
		}
		d := got[data.ID]
		if d.Name != "Data" || d.Lead != "moe" || !slices.Equal(d.Support, []string{"moj", "mps"}) || len(d.Members) != 2 ||
			d.Members[0].RecID != "CRC/C/XYZ/CO/1:8" || d.Members[1].RecID != "A/HRC/61/9:5.3" {
			t.Errorf("Data = %+v", d)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestReportItemsNameClusters: a draft's recommendation in a cluster
// carries the cluster's name and the other members, from any document;
// one in none carries neither.
func TestReportItemsNameClusters(t *testing.T) {
	db, _, _ := twoClusters(t)
	ctx := context.Background()
	docs, err := db.ReportDocuments(ctx, []string{"CRC/C/XYZ/CO/1"})
	if err != nil || len(docs) != 1 {
		t.Fatalf("documents = %+v, %v", docs, err)
	}
	var got []string
	if err := db.ReportItems(ctx, docs[0].ID, func(it source.Item) error {
		line := it.Task.Rec.ID + " [" + it.Cluster + "]"
		for _, s := range it.AlsoAnswers {
			line += fmt.Sprintf(" %s/%s/%s/%d/%d/%s", s.RecID, s.Symbol, s.Body, s.Year, s.Paragraph, s.Item)
		}
		got = append(got, line)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"CRC/C/XYZ/CO/1:8 [Data] A/HRC/61/9:5.3/A/HRC/61/9/UPR/2025/5/3",
		"CRC/C/XYZ/CO/1:14a [Police] A/HRC/61/9:5.1/A/HRC/61/9/UPR/2025/5/1",
		"CRC/C/XYZ/CO/1:14b []",
	}
	if !slices.Equal(got, want) {
		t.Errorf("items:\n got %q\nwant %q", got, want)
	}
	// The callback's error ends the walk and is returned.
	stop := errors.New("stop")
	n := 0
	if err := db.ReportItems(ctx, docs[0].ID, func(source.Item) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("a failing callback: %d items, %v", n, err)
	}
}

// TestMembersByRec: the recommendations named, however many (SQLite
// bounds a statement's variables, so they are read 500 at a time); ids
// that name none are left out.
func TestMembersByRec(t *testing.T) {
	db, _, _ := twoClusters(t)
	ctx := context.Background()
	if got, err := db.MembersByRec(ctx, nil); err != nil || got == nil || len(got) != 0 {
		t.Errorf("no ids: %v, %v", got, err)
	}
	ids := make([]string, 600)
	for i := range ids {
		ids[i] = fmt.Sprintf("CRC/C/XYZ/CO/1:%d", 1000+i)
	}
	ids[0], ids[550] = "A/HRC/61/9:5.1", "CRC/C/XYZ/CO/1:14b"
	got, err := db.MembersByRec(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d members: %+v", len(got), got)
	}
	m := got["A/HRC/61/9:5.1"]
	if m.TaskID != task(t, db, "A/HRC/61/9:5.1").ID || m.Symbol != "A/HRC/61/9" || m.Body != "UPR" || m.Kind != workflow.UPRReport ||
		m.Year != 2025 || m.Paragraph != 5 || m.Item != "1" || m.Text != "Do 1" || m.Stage != "assigned" || m.Ref() != "UPR 2025, A/HRC/61/9, 5.1" {
		t.Errorf("5.1 = %+v", m)
	}
	if b := got["CRC/C/XYZ/CO/1:14b"]; b.Owner != "moj" || b.Text != "Train judges." || b.Kind != workflow.ConcludingObservations {
		t.Errorf("14b (past the first 500) = %+v", b)
	}
}

// TestClusterMoveError says which member refused and why, and is the
// workflow's error underneath.
func TestClusterMoveError(t *testing.T) {
	te := &workflow.TransitionError{From: "assigned", To: "closed"}
	var err error = &ClusterMoveError{RecID: "A/HRC/61/9:5.1", Err: te}
	if err.Error() != "A/HRC/61/9:5.1: "+te.Error() {
		t.Errorf("Error() = %q", err)
	}
	var got *workflow.TransitionError
	if !errors.As(fmt.Errorf("move cluster 3: %w", err), &got) || got != te {
		t.Errorf("the transition error is not underneath: %v", got)
	}
}
