package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestClusterCount: the count of the clusters a filter lists, its Limit
// aside (the dashboard says "the newest 50 of N").
func TestClusterCount(t *testing.T) {
	db, _, data := twoClusters(t)
	ctx := context.Background()
	admin := Actor{Name: "Admin"}
	if _, err := db.CreateCluster(ctx, ClusterSpec{Name: "Judges", Members: []string{"CRC/C/XYZ/CO/1:14b", "A/HRC/61/9:5.2"}}, admin); err != nil {
		t.Fatal(err)
	}
	// Data's members all leave: it is listed only with the empty ones.
	if _, err := db.RemoveFromCluster(ctx, "Data", []string{"CRC/C/XYZ/CO/1:8", "A/HRC/61/9:5.3"}, admin); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		f    ClusterFilter
		want int
	}{
		{ClusterFilter{}, 2},
		{ClusterFilter{Empty: true}, 3},
		{ClusterFilter{Limit: 1}, 2},
		{ClusterFilter{Ministry: "moe"}, 1},              // supports Judges (5.2)
		{ClusterFilter{Ministry: "moe", Empty: true}, 2}, // and leads Data
		{ClusterFilter{Ministry: "na"}, 0},
	} {
		n, err := db.ClusterCount(ctx, c.f)
		if err != nil || n != c.want {
			t.Errorf("ClusterCount(%+v) = %d, %v; want %d", c.f, n, err, c.want)
		}
		listed, err := db.Clusters(ctx, c.f)
		if err != nil {
			t.Fatal(err)
		}
		wantListed := c.want
		if c.f.Limit > 0 {
			wantListed = min(c.f.Limit, c.want)
		}
		if len(listed) != wantListed {
			t.Errorf("Clusters(%+v) listed %d, counted %d", c.f, len(listed), n)
		}
	}
	if l, _ := db.Clusters(ctx, ClusterFilter{Limit: 1, Empty: true}); len(l) != 1 || l[0].Name != "Judges" {
		t.Errorf("the newest: %+v", l)
	}
	if l, _ := db.Clusters(ctx, ClusterFilter{Empty: true}); len(l) != 3 || l[1].ID != data.ID || l[1].Members != 0 {
		t.Errorf("with the empty: %+v", l)
	}
}

// TestClusterUpdateRefusals: an update on a cluster that does not exist,
// or whose members all left, is refused with its kind and writes nothing.
func TestClusterUpdateRefusals(t *testing.T) {
	db, _, data := twoClusters(t)
	ctx := context.Background()
	if _, err := db.RemoveFromCluster(ctx, "Data", []string{"CRC/C/XYZ/CO/1:8", "A/HRC/61/9:5.3"}, Actor{Name: "Admin"}); err != nil {
		t.Fatal(err)
	}
	rows := func() int {
		return count(t, db, "task_updates") + count(t, db, "cluster_updates") + count(t, db, "cluster_events") + count(t, db, "outbox")
	}
	before := rows()
	u := Update{Ministry: "moe", Role: RoleLead, Author: "K", Text: "Collected."}
	also := OutboxMessage{Key: "receipt:1", Kind: "receipt", Recipient: "moe", Subject: "S", MessageID: "r@x", From: "f@x.org", To: []string{"a@x.org"}, Raw: []byte("x")}
	if _, _, err := db.AddClusterUpdate(ctx, data.ID, u, also); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "has no members") {
		t.Errorf("an empty cluster: %v", err)
	}
	if _, _, err := db.AddClusterUpdate(ctx, 999, u, also); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "cluster 999") {
		t.Errorf("an unknown cluster: %v", err)
	}
	if n := rows() - before; n != 0 {
		t.Errorf("refused updates wrote %d rows", n)
	}
	if us, err := db.ClusterUpdates(ctx, data.ID); err != nil || len(us) != 0 {
		t.Errorf("updates of the empty cluster: %+v, %v", us, err)
	}
	if _, err := db.Cluster(ctx, "No such cluster"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "followup cluster list") {
		t.Errorf("an unknown cluster's page: %v", err)
	}
}
