package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/workflow"
)

// clusterState is what a refused cluster edit must leave as it was: the
// clusters, who is in which and owned by whom, and both audit trails.
func clusterState(t *testing.T, db *DB) string {
	t.Helper()
	var s string
	if err := db.db.raw.QueryRow(`SELECT
		(SELECT group_concat(id || name || lead || support || lead_by || updated_at, ';') FROM clusters) || ' ' ||
		(SELECT group_concat(id || '/' || COALESCE(cluster_id, '-') || '/' || owner || '/' || support || '/' || manual, ';') FROM tasks) || ' ' ||
		(SELECT COUNT(*) FROM cluster_events) || ' ' || (SELECT COUNT(*) FROM task_events)`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestClusterEditRefusals: each edit a cluster cannot take is refused
// with its kind and what is wrong, and writes nothing.
func TestClusterEditRefusals(t *testing.T) {
	db, _ := clusterDB(t)
	ctx := context.Background()
	admin := Actor{Name: "Admin"}
	if _, err := db.CreateCluster(ctx, ClusterSpec{Name: "Police", Members: []string{"A/HRC/61/9:5.1", "CRC/C/XYZ/CO/1:14a"}}, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateCluster(ctx, ClusterSpec{Name: "Data", Members: []string{"CRC/C/XYZ/CO/1:8", "A/HRC/61/9:5.3"}}, admin); err != nil {
		t.Fatal(err)
	}
	before := clusterState(t, db)
	for _, c := range []struct {
		name string
		edit func() error
		kind error
		says string
	}{
		{"add nothing", func() error { _, err := db.AddToCluster(ctx, "Police", []string{" ", ""}, admin); return err }, ErrInvalid, "no recommendation to add"},
		{"add unknown", func() error {
			_, err := db.AddToCluster(ctx, "Police", []string{"CRC/C/XYZ/CO/1:99"}, admin)
			return err
		}, ErrNotFound, "CRC/C/XYZ/CO/1:99"},
		{"add to unknown", func() error {
			_, err := db.AddToCluster(ctx, "Nine", []string{"CRC/C/XYZ/CO/1:14b"}, admin)
			return err
		}, ErrNotFound, "cluster Nine"},
		{"add without name", func() error {
			_, err := db.AddToCluster(ctx, "Police", []string{"CRC/C/XYZ/CO/1:14b"}, Actor{})
			return err
		}, ErrInvalid, "no name"},
		{"add another's", func() error {
			_, err := db.AddToCluster(ctx, "Police", []string{"CRC/C/XYZ/CO/1:14b", "A/HRC/61/9:5.3"}, admin)
			return err
		},
			ErrConflict, "already in cluster"},
		{"remove nothing", func() error { _, err := db.RemoveFromCluster(ctx, "Police", nil, admin); return err }, ErrInvalid, "no recommendation to remove"},
		{"remove unknown", func() error {
			_, err := db.RemoveFromCluster(ctx, "Police", []string{"A/HRC/61/9:5.9"}, admin)
			return err
		}, ErrNotFound, "A/HRC/61/9:5.9"},
		{"remove another's", func() error {
			_, err := db.RemoveFromCluster(ctx, "Police", []string{"A/HRC/61/9:5.1", "A/HRC/61/9:5.3"}, admin)
			return err
		}, ErrInvalid, "A/HRC/61/9:5.3 is not in cluster"},
		{"split to a taken name", func() error {
			_, err := db.SplitCluster(ctx, "Police", []string{"A/HRC/61/9:5.1"}, "DATA", admin)
			return err
		}, ErrConflict, "already named"},
		{"split without a name", func() error {
			_, err := db.SplitCluster(ctx, "Police", []string{"A/HRC/61/9:5.1"}, "  ", admin)
			return err
		}, ErrInvalid, "needs a name"},
		{"split nothing", func() error { _, err := db.SplitCluster(ctx, "Police", nil, "New", admin); return err }, ErrInvalid, "no recommendation to remove"},
		{"split another's", func() error {
			_, err := db.SplitCluster(ctx, "Police", []string{"CRC/C/XYZ/CO/1:8"}, "New", admin)
			return err
		}, ErrInvalid, "not in cluster"},
		{"rename to a taken name", func() error { _, err := db.RenameCluster(ctx, "Police", " data ", admin); return err }, ErrConflict, "already named"},
		{"rename to nothing", func() error { _, err := db.RenameCluster(ctx, "Police", "", admin); return err }, ErrInvalid, "needs a name"},
		{"rename too long", func() error {
			_, err := db.RenameCluster(ctx, "Police", strings.Repeat("é", MaxClusterName+1), admin)
			return err
		}, ErrInvalid, "longer"},
		{"lead none", func() error { _, err := db.SetClusterLead(ctx, "Police", "", []string{"moe"}, admin); return err }, ErrInvalid, "no lead ministry"},
		{"lead of unknown", func() error { _, err := db.SetClusterLead(ctx, "Nine", "moe", nil, admin); return err }, ErrNotFound, "cluster Nine"},
	} {
		err := c.edit()
		if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want %v saying %q", c.name, err, c.kind, c.says)
		}
		if after := clusterState(t, db); after != before {
			t.Fatalf("%s wrote:\n%s\nwas\n%s", c.name, after, before)
		}
	}
}

// TestClusterEditsChangeOnce: an edit that changes nothing records
// nothing (a form sent twice); a name of exactly MaxClusterName
// characters is taken.
func TestClusterEditsChangeOnce(t *testing.T) {
	db, _ := clusterDB(t)
	ctx := context.Background()
	admin := Actor{Name: "Admin"}
	if _, err := db.CreateCluster(ctx, ClusterSpec{Name: "Police", Members: []string{"A/HRC/61/9:5.1", "CRC/C/XYZ/CO/1:14a"}}, admin); err != nil {
		t.Fatal(err)
	}
	events := func() int { return count(t, db, "cluster_events") + count(t, db, "task_events") }
	n := events()
	if c, err := db.RenameCluster(ctx, "police", "  Police ", admin); err != nil || c.Name != "Police" || events() != n {
		t.Errorf("renamed to its own name: %+v, %v, %d events", c, err, events()-n)
	}
	if _, err := db.SetClusterLead(ctx, "Police", "moe", []string{"moj", "moe", ""}, admin); err != nil {
		t.Fatal(err)
	}
	n = events()
	c, err := db.SetClusterLead(ctx, "Police", "moe", []string{"moj"}, admin)
	if err != nil || c.Lead != "moe" || !slices.Equal(c.Support, []string{"moj"}) || events() != n {
		t.Errorf("the same lead again: %+v, %v, %d events", c, err, events()-n)
	}
	long := strings.Repeat("é", MaxClusterName)
	if c, err := db.RenameCluster(ctx, "Police", long, admin); err != nil || c.Name != long {
		t.Errorf("a name of %d characters: %v", MaxClusterName, err)
	}
}

// TestAddMovesTheRuleLead: when the rule chose the lead and the members
// added make another ministry the owner of most, the lead moves, with
// every member, old and new, and the cluster's audit trail says so.
func TestAddMovesTheRuleLead(t *testing.T) {
	db, _ := clusterDB(t)
	ctx := context.Background()
	admin := Actor{Name: "Admin"}
	// mps owns 5.1, moj 5.3: a tie, the first listed leads.
	cl, err := db.CreateCluster(ctx, ClusterSpec{Name: "Police", Members: []string{"A/HRC/61/9:5.1", "A/HRC/61/9:5.3"}}, admin)
	if err != nil || cl.Lead != "mps" {
		t.Fatalf("cluster = %+v, %v", cl, err)
	}
	// Both are mps's now; the three added are moj's.
	cl, err = db.AddToCluster(ctx, cl.Name, []string{"CRC/C/XYZ/CO/1:14a", "CRC/C/XYZ/CO/1:14b", "CRC/C/XYZ/CO/1:8"}, admin)
	if err != nil {
		t.Fatal(err)
	}
	if cl.Lead != "moj" || !slices.Equal(cl.Support, []string{"mps"}) || cl.LeadBy != workflow.LeadByRule || cl.Members != 5 {
		t.Errorf("after the add: %+v", cl)
	}
	for _, ref := range []string{"A/HRC/61/9:5.1", "A/HRC/61/9:5.3", "CRC/C/XYZ/CO/1:14a", "CRC/C/XYZ/CO/1:14b", "CRC/C/XYZ/CO/1:8"} {
		if tk := task(t, db, ref); tk.Owner != "moj" || !slices.Equal(tk.Support, []string{"mps"}) || !tk.Manual {
			t.Errorf("%s: owner %q support %v manual %v", ref, tk.Owner, tk.Support, tk.Manual)
		}
	}
	d, err := db.Cluster(ctx, "Police")
	if err != nil {
		t.Fatal(err)
	}
	var leads []string
	for _, e := range d.Events {
		if e.Kind == "lead" {
			leads = append(leads, e.From+">"+e.To+" "+e.Note)
		}
	}
	if want := []string{">mps +moj " + workflow.LeadByRule, "mps +moj>moj +mps " + workflow.LeadByRule}; !slices.Equal(leads, want) {
		t.Errorf("lead events %q, want %q", leads, want)
	}
}
