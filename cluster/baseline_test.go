package cluster

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/workflow"
)

// baseline is plain TF-IDF cosine with single-link grouping at one
// threshold, the yardstick the issue names: lower-cased words minus a few
// function words and the recommending States, no stemming, no treaties.
func baseline(items []Item, threshold float64) Result {
	stops := set(`a an the and or of to in on at by for from with as that this its it their is are be been was were has
		have will would should may can not no all any each such other also including into`)
	n := len(items)
	vec := make([]map[string]float64, n)
	df := map[string]int{}
	for i, it := range items {
		vec[i] = map[string]float64{}
		for _, w := range tokens(strings.ToLower(stripStates(it.Text, it.States))) {
			if len(w) > 1 && !stops[w] {
				vec[i][w]++
			}
		}
		for w := range vec[i] {
			df[w]++
		}
	}
	for _, v := range vec {
		norm := 0.0
		for w, c := range v {
			v[w] = c * math.Log(float64(n)/float64(df[w]))
			norm += v[w] * v[w]
		}
		for w := range v {
			v[w] /= math.Sqrt(norm)
		}
	}
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			x = parent[x]
		}
		return x
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			d := 0.0
			for w, x := range vec[i] {
				d += x * vec[j][w]
			}
			if d >= threshold {
				parent[find(i)] = find(j)
			}
		}
	}
	groups := map[int][]string{}
	for i, it := range items {
		groups[find(i)] = append(groups[find(i)], it.ID)
	}
	var res Result
	for _, g := range groups {
		if len(g) > 1 {
			res.Clusters = append(res.Clusters, Suggestion{Members: g})
		}
	}
	return res
}

// TestBaselineSlovenia scores the baseline on the same labels, at the
// threshold that suits it best on each set (a generous comparison), and
// checks that the suggestions do better on F1. Not on precision: on the
// audited labels the baseline's best-F1 threshold is a strict one, and on
// the held-out cycles it is more precise than the suggestions (0.853
// against 0.768) while finding less (recall 0.511 against 0.599).
func TestBaselineSlovenia(t *testing.T) {
	skipUnderRace(t)
	docs := sloveniaDocs(t)
	gold := labels(t)
	for _, c := range []struct {
		name    string
		symbols []string
	}{{"all four cycles", allFour}, {"tuning (cycles 1-2)", tuning}, {"held out (cycles 3-4)", heldOut}} {
		ours, _ := evaluate(t, docs, gold, c.symbols, Options{})
		var sel []*workflow.Document
		for _, d := range docs {
			if slices.Contains(c.symbols, d.Symbol) {
				sel = append(sel, d)
			}
		}
		items := FromDocuments(sel)
		var ids []string
		for _, it := range items {
			ids = append(ids, it.ID)
		}
		best, at := bcubed{}, 0.0
		for th := 0.1; th < 0.9; th += 0.05 {
			if b := scoreBCubed(baseline(items, th), gold, ids); b.F1 > best.F1 {
				best, at = b, th
			}
		}
		t.Logf("%-22s baseline (TF-IDF, single link, best threshold %.2f): precision %.3f recall %.3f F1 %.3f; suggestions: %.3f %.3f %.3f",
			c.name, at, best.P, best.R, best.F1, ours.P, ours.R, ours.F1)
		if ours.F1 <= best.F1 {
			t.Errorf("%s: the suggestions (F1 %.3f) do no better than the baseline (F1 %.3f)", c.name, ours.F1, best.F1)
		}
	}
}
