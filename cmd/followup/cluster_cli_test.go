package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/internal/needs"
)

// clusterFixtures are four documents, two UPR reports and two concluding
// observations, in which some recommendations ask the same thing.
var clusterFixtures = []string{"../../ingest/testdata/upr-report.txt", "../../ingest/testdata/upr-first-cycle.txt",
	"../../ingest/testdata/crc-wordtext.txt", "../../examples/lao-opsc/sample-co.txt"}

type suggestOut struct {
	Clusters []struct {
		Name    string   `json:"name"`
		Score   float64  `json:"score"`
		Members []string `json:"members"`
		Reason  string   `json:"reason"`
		Key     string   `json:"key"`
		Cluster int64    `json:"cluster"`
	} `json:"clusters"`
}

func suggestJSON(t *testing.T, c *cli, db string) (string, suggestOut) {
	t.Helper()
	raw := c.mustRun("cluster", "suggest", "--json", "--db", db)
	var out suggestOut
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, raw)
	}
	return raw, out
}

// TestClusterSuggestDeterministicCLI: on a real database, cluster suggest
// --json prints the same suggestions, byte for byte, every time, and the
// same whatever order the documents were imported in; accepting one
// leaves the others and their keys as they were.
func TestClusterSuggestDeterministicCLI(t *testing.T) {
	c := newCLI(t)
	dbA, dbB := filepath.Join(c.dir, "a.db"), filepath.Join(c.dir, "b.db")
	c.mustRun(append([]string{"import", "--db", dbA}, clusterFixtures...)...)
	rev := slices.Clone(clusterFixtures)
	slices.Reverse(rev)
	c.mustRun(append([]string{"import", "--db", dbB}, rev...)...)

	first, out := suggestJSON(t, c, dbA)
	if len(out.Clusters) < 2 {
		t.Fatalf("only %d suggestions:\n%s", len(out.Clusters), first)
	}
	for i := range 3 {
		if again, _ := suggestJSON(t, c, dbA); again != first {
			t.Fatalf("run %d differs:\n%s\nfirst:\n%s", i+2, again, first)
		}
	}
	if other, _ := suggestJSON(t, c, dbB); other != first {
		t.Fatalf("imported in another order, the suggestions differ:\n%s\nfirst:\n%s", other, first)
	}
	// The members are recommendation ids as recs list writes them.
	var ids []map[string]any
	if err := json.Unmarshal([]byte(c.mustRun("recs", "list", "--json", "--db", dbA)), &ids); err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, r := range ids {
		known[r["id"].(string)] = true
	}
	death := -1
	for i, s := range out.Clusters {
		for _, m := range s.Members {
			if !known[m] {
				t.Errorf("suggestion %s names %q, which recs list does not", s.Key, m)
			}
		}
		if s.Score <= 0 || s.Score > 1 || s.Reason == "" || !strings.HasPrefix(s.Key, "s-") {
			t.Errorf("suggestion %+v", s)
		}
		if slices.Equal(s.Members, []string{"A/HRC/13/9:3.4", "A/HRC/61/9:5.1"}) {
			death = i
		}
	}
	if death < 0 {
		t.Fatalf("the two calls to abolish the death penalty are not suggested together:\n%s", first)
	}

	// Accept it: the others keep their keys, this one is marked.
	key := out.Clusters[death].Key
	got := c.mustRun("cluster", "accept", key, "--by", "NCMC secretariat", "--db", dbA)
	if !strings.Contains(got, "cluster 1 “") || !strings.Contains(got, "2 recommendations") {
		t.Errorf("accept said %q", got)
	}
	after, out2 := suggestJSON(t, c, dbA)
	if len(out2.Clusters) != len(out.Clusters) {
		t.Fatalf("after accepting, %d suggestions, not %d:\n%s", len(out2.Clusters), len(out.Clusters), after)
	}
	for i, s := range out2.Clusters {
		if s.Key != out.Clusters[i].Key || (i == death) != (s.Cluster == 1) {
			t.Errorf("after accepting, suggestion %d is %s (cluster %d), was %s", i, s.Key, s.Cluster, out.Clusters[i].Key)
		}
	}
	_, errs, code := c.run("cluster", "accept", key, "--by", "NCMC secretariat", "--db", dbA)
	if code != 1 || !strings.Contains(errs, "accepted already: cluster 1") {
		t.Errorf("accepting twice: exit %d, %q", code, errs)
	}
}

// TestClusterSuggestDeterministicSloveniaCLI: the four UPR reports on
// Slovenia imported as a coordinating body would, suggested twice.
func TestClusterSuggestDeterministicSloveniaCLI(t *testing.T) {
	dir := filepath.Join(needs.Shared(t), "corpus")
	if testing.Short() {
		t.Skip("skipping the Slovenia corpus in -short mode")
	}
	c := newCLI(t)
	db := filepath.Join(c.dir, "svn.db")
	args := []string{"import", "--db", db}
	for _, f := range []string{"A_HRC_14_15.txt", "A_HRC_28_15.txt", "A_HRC_43_15.txt", "A_HRC_59_15.txt"} {
		args = append(args, filepath.Join(dir, f))
	}
	c.mustRun(args...)
	first, out := suggestJSON(t, c, db)
	if len(out.Clusters) < 50 {
		t.Fatalf("%d suggestions over 729 recommendations", len(out.Clusters))
	}
	if again, _ := suggestJSON(t, c, db); again != first {
		t.Fatal("a second run of cluster suggest --json differs from the first")
	}
}

// TestClusterCommands: create, add, remove, split, rename, lead, list and
// show on a real database, and the mistakes each refuses with what to do.
func TestClusterCommands(t *testing.T) {
	c := newCLI(t)
	cfg := c.write("followup.yaml", []byte(`database: f.db
coordinator: {id: ncmc, name: National Commission, focal_points: [{name: S, email: s@ncmc.example.org}]}
ministries:
  - {id: moj, name: Ministry of Justice, focal_points: [{name: J, email: j@moj.example.org}]}
  - {id: mps, name: Ministry of Public Security, focal_points: [{name: P, email: p@mps.example.org}]}
assignment:
  rules:
    - {name: death penalty, ministry: mps, keywords: [death penalty]}
    - {name: all to justice, ministry: moj, regex: "."}
`))
	run := func(args ...string) string {
		t.Helper()
		return c.mustRun(append(args, "--config", cfg)...)
	}
	fail := func(want string, code int, args ...string) {
		t.Helper()
		_, errs, got := c.run(append(args, "--config", cfg)...)
		if got != code || !strings.Contains(errs, want) {
			t.Errorf("followup %s: exit %d, %q; want %d saying %q", strings.Join(args, " "), got, errs, code, want)
		}
	}
	run(append([]string{"import"}, clusterFixtures...)...)
	out := run("cluster", "create", "Abolish the death penalty", "A/HRC/13/9:3.4", "A/HRC/61/9:5.1", "--by", "Admin")
	if !strings.Contains(out, "cluster 1 “Abolish the death penalty”: 2 recommendations, lead Ministry of Public Security (by rule") {
		t.Errorf("create said %q", out)
	}
	fail("--by NAME is required", 2, "cluster", "create", "X", "A/HRC/61/9:5.2", "A/HRC/61/9:5.3")
	fail("already in cluster 1", 1, "cluster", "create", "X", "A/HRC/61/9:5.1", "A/HRC/61/9:5.2", "--by", "Admin")
	fail("--lead: unknown ministry \"mfa\"", 1, "cluster", "create", "X", "A/HRC/61/9:5.2", "A/HRC/61/9:5.3", "--lead", "mfa", "--by", "Admin")
	fail("--support goes with --lead", 2, "cluster", "create", "X", "A/HRC/61/9:5.2", "A/HRC/61/9:5.3", "--support", "mps", "--by", "Admin")
	fail("expected a NAME and two or more", 2, "cluster", "create", "X", "A/HRC/61/9:5.2", "--by", "Admin")
	fail("cluster 9: not found", 1, "cluster", "add", "9", "A/HRC/61/9:5.2", "--by", "Admin")
	fail("unknown subcommand \"merge\"", 2, "cluster", "merge")

	out = run("cluster", "add", "1", "A/HRC/61/9:5.2", "CRC/C/MNG/CO/5-6:6", "--by", "Admin")
	if !strings.Contains(out, "4 recommendations") {
		t.Errorf("add said %q", out)
	}
	out = run("cluster", "split", "abolish the DEATH penalty", "A/HRC/61/9:5.2", "CRC/C/MNG/CO/5-6:6", "--name", "Other", "--by", "Admin")
	if !strings.Contains(out, "cluster 2 “Other”: 2 recommendations") {
		t.Errorf("split said %q", out)
	}
	fail("--name NAME is required", 2, "cluster", "split", "1", "A/HRC/61/9:5.1", "--by", "Admin")
	run("cluster", "remove", "Other", "CRC/C/MNG/CO/5-6:6", "--by", "Admin")
	run("cluster", "rename", "2", "Moratorium on executions", "--by", "Admin")
	run("cluster", "lead", "Moratorium on executions", "mps", "--by", "Admin")
	out = run("cluster", "lead", "1", "moj", "--support", "mps", "--by", "Coordinator")
	if !strings.Contains(out, "lead Ministry of Justice, supported by Ministry of Public Security") || strings.Contains(out, "by rule") {
		t.Errorf("lead said %q", out)
	}
	if out := run("task", "show", "A/HRC/61/9:5.1"); !strings.Contains(out, "Ministry of Justice") {
		t.Errorf("the member's task after the lead changed:\n%s", out)
	}
	out = run("cluster", "list")
	if !strings.Contains(out, "Moratorium on executions") || !strings.Contains(out, "Abolish the death penalty") {
		t.Errorf("list:\n%s", out)
	}
	if out := run("cluster", "list", "--ministry", "moj"); strings.Contains(out, "Moratorium") || !strings.Contains(out, "Abolish") {
		t.Errorf("list --ministry moj:\n%s", out)
	}
	out = run("cluster", "show", "1")
	for _, want := range []string{"UPR 2009, A/HRC/13/9, 3.4", "A/HRC/61/9:5.1", "History:", "joined A/HRC/61/9:5.1", "lead: mps +moj → moj +mps (Coordinator)", "left A/HRC/61/9:5.2"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	var js map[string]any
	if err := json.Unmarshal([]byte(run("cluster", "show", "2", "--json")), &js); err != nil {
		t.Fatal(err)
	}
	if js["name"] != "Moratorium on executions" || js["members"] != 1.0 || len(js["recommendations"].([]any)) != 1 {
		t.Errorf("show --json: %v", js)
	}
}
