package cluster

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/followup-app/followup/ingest"
	"github.com/followup-app/followup/internal/needs"
	"github.com/followup-app/followup/workflow"
)

// The four UPR reports on Slovenia, labelled in testdata.
var sloveniaReports = []string{"A_HRC_14_15.txt", "A_HRC_28_15.txt", "A_HRC_43_15.txt", "A_HRC_59_15.txt"}

// corpusDir finds ../shared/corpus; without it the test skips, saying so,
// except in CI, where the corpus is always beside the checkout.
func corpusDir(t testing.TB) string {
	t.Helper()
	return filepath.Join(needs.Shared(t), "corpus")
}

func sloveniaDocs(t testing.TB) []*workflow.Document {
	t.Helper()
	dir := corpusDir(t)
	var docs []*workflow.Document
	for _, f := range sloveniaReports {
		d, err := ingest.ReadFile(filepath.Join(dir, f), ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	return docs
}

// labels reads testdata/slovenia-upr-groups.tsv: id -> group, a
// singleton ("-") getting a group of its own.
func labels(t testing.TB) map[string]string {
	t.Helper()
	return readLabels(t, "slovenia-upr-groups.tsv")
}

// readLabels reads a labels file of testdata, as labels says.
func readLabels(t testing.TB, name string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, group, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad label line %q", line)
		}
		if group == "-" {
			group = "-" + id
		}
		out[id] = group
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

type bcubed struct{ P, R, F1 float64 }

// scoreBCubed compares suggested groups with the labels over ids: each
// id's precision is the share of its suggested group that shares its
// label, its recall the share of its labelled group that was suggested
// with it; an id in no suggestion is a group of its own. Both are averaged
// over the ids.
func scoreBCubed(res Result, gold map[string]string, ids []string) bcubed {
	pred := map[string]string{}
	for i, c := range res.Clusters {
		for _, m := range c.Members {
			pred[m] = string(rune('A'+i%26)) + strings.Repeat("#", i/26)
		}
	}
	for _, id := range ids {
		if _, ok := pred[id]; !ok {
			pred[id] = "-" + id
		}
	}
	byPred := map[string][]string{}
	byGold := map[string][]string{}
	for _, id := range ids {
		byPred[pred[id]] = append(byPred[pred[id]], id)
		byGold[gold[id]] = append(byGold[gold[id]], id)
	}
	var p, r float64
	for _, id := range ids {
		both := 0
		for _, o := range byPred[pred[id]] {
			if gold[o] == gold[id] {
				both++
			}
		}
		p += float64(both) / float64(len(byPred[pred[id]]))
		r += float64(both) / float64(len(byGold[gold[id]]))
	}
	n := float64(len(ids))
	b := bcubed{P: p / n, R: r / n}
	b.F1 = 2 * b.P * b.R / (b.P + b.R)
	return b
}

// evaluate suggests over the recommendations of the documents whose
// symbols are given and scores the result against their labels.
func evaluate(t testing.TB, docs []*workflow.Document, gold map[string]string, symbols []string, opts Options) (bcubed, Result) {
	t.Helper()
	var sel []*workflow.Document
	for _, d := range docs {
		for _, s := range symbols {
			if d.Symbol == s {
				sel = append(sel, d)
			}
		}
	}
	items := FromDocuments(sel)
	var ids []string
	for _, it := range items {
		if _, ok := gold[it.ID]; !ok {
			t.Fatalf("%s has no label", it.ID)
		}
		ids = append(ids, it.ID)
	}
	res := Suggest(items, opts)
	return scoreBCubed(res, gold, ids), res
}

var (
	tuning  = []string{"A/HRC/14/15", "A/HRC/28/15"}
	heldOut = []string{"A/HRC/43/15", "A/HRC/59/15"}
	allFour = []string{"A/HRC/14/15", "A/HRC/28/15", "A/HRC/43/15", "A/HRC/59/15"}
)

// The targets are precision 0.85 and F1 0.75. They are not met
// (BENCHMARKS.md has the figures); the floors below are the figures
// measured on the audited labels (testdata/README.md) when the kind of
// action was added, less 0.01, so that a change that makes the
// suggestions worse fails here.
var floors = map[string]bcubed{
	"all four cycles":       {P: 0.813, F1: 0.607},
	"tuning (cycles 1-2)":   {P: 0.867, F1: 0.703},
	"held out (cycles 3-4)": {P: 0.758, F1: 0.663},
}

// skipUnderRace: scoring the corpus is single-threaded arithmetic that
// takes half a minute under the race detector and finds no race there;
// CI runs these tests without -race first.
func skipUnderRace(t *testing.T) {
	t.Helper()
	if raceDetector {
		t.Skip("scoring the labelled corpus: run without -race (CI does, before the -race pass)")
	}
}

// TestBCubedSlovenia measures the suggestions against the hand-labelled
// groups: on all four cycles, on the two cycles the thresholds were tuned
// on, and on the two held out. `go test ./cluster -run BCubed -v` prints
// the figures.
func TestBCubedSlovenia(t *testing.T) {
	skipUnderRace(t)
	docs := sloveniaDocs(t)
	gold := labels(t)
	if len(gold) != 729 {
		t.Fatalf("%d labels, want 729", len(gold))
	}
	for _, c := range []struct {
		name    string
		symbols []string
	}{{"all four cycles", allFour}, {"tuning (cycles 1-2)", tuning}, {"held out (cycles 3-4)", heldOut}} {
		b, res := evaluate(t, docs, gold, c.symbols, Options{})
		t.Logf("%-22s B-cubed precision %.3f recall %.3f F1 %.3f (%d suggestions; targets: precision 0.85, F1 0.75)", c.name, b.P, b.R, b.F1, len(res.Clusters))
		if f := floors[c.name]; b.P < f.P || b.F1 < f.F1 {
			t.Errorf("%s: precision %.3f, F1 %.3f: worse than when measured (%.3f, %.3f)", c.name, b.P, b.F1, f.P+0.01, f.F1+0.01)
		}
	}
}

// TestEverySuggestionNamesItsAsk: a suggestion is read by people who
// accept or refuse it, so each must share something most of its members
// say. Across the four cycles the second pass once joined 77
// recommendations of Roma, minorities, persons with disabilities and
// women whose centroids shared "access to education, health and
// housing" but no word half of them used ("similar wording").
func TestEverySuggestionNamesItsAsk(t *testing.T) {
	skipUnderRace(t)
	docs := sloveniaDocs(t)
	res := Suggest(FromDocuments(docs), Options{})
	for _, c := range res.Clusters {
		if c.Name == "similar wording" || !strings.Contains(c.Reason, "shared ") {
			t.Errorf("suggestion of %d (%s) names no ask: %q, %q", len(c.Members), c.Members[0], c.Name, c.Reason)
		}
		if len(c.Members) > 40 {
			t.Errorf("suggestion %q has %d members: no ask of Slovenia's four cycles has more than 28", c.Name, len(c.Members))
		}
	}
}

// TestSecondLabellerAgreement: how far two people applying the same
// guideline agree, which bounds what a suggester can be expected to reach.
// A second annotator, who saw only the guideline and the texts, grouped
// A/HRC/28/15 on their own (testdata/slovenia-28-15-second-pass.tsv); the
// committed labels, restricted to that document, are scored against theirs
// as a suggestion would be. Measured: P 0.814, R 0.905, F1 0.858.
func TestSecondLabellerAgreement(t *testing.T) {
	gold := labels(t)
	second := readLabels(t, "slovenia-28-15-second-pass.tsv")
	var ids []string
	groups := map[string][]string{}
	for id, g := range second {
		if _, ok := gold[id]; !ok {
			t.Fatalf("%s: in the second pass, not in the labels", id)
		}
		ids = append(ids, id)
		groups[g] = append(groups[g], id)
	}
	if len(ids) != 163 {
		t.Fatalf("the second pass has %d recommendations, want A/HRC/28/15's 163", len(ids))
	}
	sort.Strings(ids)
	// The second pass as a suggestion, its groups in a fixed order.
	var names []string
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	var res Result
	for _, g := range names {
		if !strings.HasPrefix(g, "-") {
			sort.Strings(groups[g])
			res.Clusters = append(res.Clusters, Suggestion{Members: groups[g]})
		}
	}
	b := scoreBCubed(res, gold, ids)
	t.Logf("second pass against the labels, A/HRC/28/15: P %.3f R %.3f F1 %.3f", b.P, b.R, b.F1)
	if b.P < 0.80 || b.R < 0.89 || b.F1 < 0.85 {
		t.Errorf("agreement P %.3f R %.3f F1 %.3f, measured 0.814 / 0.905 / 0.858: did a labels file change?", b.P, b.R, b.F1)
	}
}
