// Package cluster suggests groups of recommendations that ask the same
// thing ("clusters"), across documents and mechanisms: the eighteen
// "ratify the Migrant Workers Convention" of four UPR cycles, or a treaty
// body's and the UPR's "restore the status of the erased". One government
// action and one progress report answer every member of a group; the
// coordinating body decides which suggestions to accept (decision 16 in
// DESIGN.md).
//
// It is pure: recommendations in, suggestions out, the same for the same
// recommendations whatever their order, nothing read or downloaded. It
// works in English, French and Spanish (its own stop words and light
// stemmers, in the binary).
//
// How: each recommendation becomes a weighted set of what it asks — the
// stems of its content words without the UN's phrasing of requests
// ("continue", "strengthen", "measures") or the recommending States, the
// pairs of adjacent stems, the treaties it names (to ratify, or
// otherwise), and its themes when it has some (from the UHRI or a matrix)
// — weighted by how rare each is among the recommendations given (tf-idf)
// and by how early it comes (the principal ask comes first). Each also
// gets the kind of action it asks (ratify, legislate, a strategy,
// prosecute, train, raise awareness, identify or assist victims, an
// institution, or none named: action.go). Two recommendations are as
// similar as the cosine of their sets, less when their kinds differ:
// "train the police on trafficking" and "prosecute traffickers" share
// the theme, not the ask. Groups are grown by average-link agglomeration, merging the two most similar
// groups while the average similarity of their members stays above a
// threshold. Average link, not single link: a chain of near neighbours
// ("hate speech" – "hate speech and racism" – "racism" – "racial
// discrimination of Roma" …) must not become one group. A second pass
// merges groups whose centroids are alike (see agglomerate), unless the
// merged group would have no feature that half its members share: a
// suggestion must name what its members ask.
//
// Use: build Items (FromDocuments does it for documents in memory; the
// store can build them row by row), call Suggest, print Result as JSON for
// `followup cluster suggest --json`:
//
//	{"clusters": [{"name": "…", "score": 0.61, "members": ["A/HRC/43/15:122.2", …], "reason": "…"}]}
//
// Members are recommendation ids as `followup recs list` writes them. The
// input should be one State's recommendations (hundreds to a few
// thousand): the similarities are a dense matrix of 4 bytes a pair (36 MB
// for 3,000 recommendations, 400 MB for 10,000), and 3,000 take about a
// second, 10,000 about ten (BenchmarkSuggest, BENCHMARKS.md).
package cluster

import (
	"cmp"
	"container/heap"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/followup-app/followup/workflow"
)

// Item is one recommendation to group.
type Item struct {
	ID       string // as workflow.RecID makes it
	Symbol   string // its document
	Body     string // the mechanism: CRC, CEDAW, UPR, a special procedure…
	Language string // "en", "fr", "es"; "" is English
	Text     string
	// States are the recommending States of a UPR recommendation, whose
	// names its text repeats in parentheses.
	States []string
	// Themes are its tags, when it has some (UHRI, a UPR matrix).
	Themes []string
}

// FromDocuments lists the recommendations of docs as Items. For a
// lettered item of a treaty body's paragraph the paragraph's lead-in is
// left out: it is the same for every item and says only who recommends.
func FromDocuments(docs []*workflow.Document) []Item {
	var out []Item
	for _, d := range docs {
		for _, r := range d.Recommendations {
			out = append(out, Item{
				ID: r.ID, Symbol: d.Symbol, Body: d.Body, Language: d.Language, Text: r.Text,
				States: r.RecommendingStates, Themes: r.Themes,
			})
		}
	}
	return out
}

// Options tune Suggest. The zero value is the tuned default.
type Options struct {
	// Threshold is the least average similarity (0 to 1) of two groups
	// merged in the first pass; DefaultThreshold when 0.
	Threshold float64
	// CentroidThreshold is the least similarity of two groups' centroids
	// merged in the second pass; DefaultCentroidThreshold when 0.
	CentroidThreshold float64

	// kindPenalty, for tuning from the tests: DefaultKindPenalty when 0.
	kindPenalty float64
}

// The thresholds and the kind penalty were chosen on two of Slovenia's
// four UPR cycles (testdata/README.md, the audited labels): the setting
// with the best B-cubed F1 whose precision stays above 0.85 there, on a
// grid (TestTuneSlovenia; positionDecay and dfCap on a smaller one).
// Suggestions are read by people who accept or refuse them, so a wrong
// member costs more than a missing one.
const (
	DefaultThreshold         = 0.3
	DefaultCentroidThreshold = 0.2
	// DefaultKindPenalty multiplies the similarity of two recommendations
	// that ask different kinds of action (action.go).
	DefaultKindPenalty = 0.3
)

// Suggestion is one proposed group.
type Suggestion struct {
	// Name says what the members ask, from the words (or the treaty) they
	// share most.
	Name string `json:"name"`
	// Score is the average similarity of the members' pairs, 0 to 1:
	// higher is surer.
	Score float64 `json:"score"`
	// Members are the recommendations' ids, sorted.
	Members []string `json:"members"`
	// Reason says why: the treaty, the terms and the themes the members
	// share, and how many documents and mechanisms they come from.
	Reason string `json:"reason"`
	// Why is Reason in parts, for a page that says it in another
	// language.
	Why Why `json:"-"`
}

// Why is what a suggestion's members share, in parts.
type Why struct {
	// Ratify is the treaty (its key: TreatyName names it) the members
	// ask to join, which names the suggestion; "" when they ask no such
	// thing.
	Ratify string
	// Treaties are the keys of the treaties most members name.
	Treaties []string
	// Terms and Themes are the words and the tags most members share,
	// the weightiest first.
	Terms, Themes []string
	// Documents counts the documents the members come from; Bodies are
	// their mechanisms, sorted.
	Documents int
	Bodies    []string
}

// Result is what Suggest proposes, as `cluster suggest --json` prints it.
type Result struct {
	Clusters []Suggestion `json:"clusters"`
}

// Feature weights relative to a word's tf-idf. A pair of adjacent words
// is a phrase ("hate speech", "trafficking persons") and counts a little
// more than its words; a treaty to ratify is the whole ask.
// minDF: a feature must be shared by this many recommendations to
// count at all.
const minDF = 2

const (
	// positionDecay: the k-th kept word of a recommendation weighs
	// 1/(1+k/positionDecay), the first word 1, the tenth about half.
	positionDecay = 10.0
	// dfCap: the share of the recommendations past which a word's idf
	// stops falling.
	dfCap         = 0.05
	pairWeight    = 1.0
	ratifyWeight  = 4.0
	mentionWeight = 1.0
	themeWeight   = 0.5
)

// vector is a sparse unit vector, sorted by feature.
type vector struct {
	f []int
	w []float64
}

// Suggest proposes groups of two or more recommendations that ask the same
// thing. The result depends only on the set of items, not on their order;
// items with the same ID are taken once.
func Suggest(items []Item, opts Options) Result {
	threshold := opts.Threshold
	if threshold == 0 {
		threshold = DefaultThreshold
	}
	centroid := opts.CentroidThreshold
	if centroid == 0 {
		centroid = DefaultCentroidThreshold
	}
	items = slices.Clone(items)
	slices.SortStableFunc(items, func(a, b Item) int { return strings.Compare(a.ID, b.ID) })
	items = slices.CompactFunc(items, func(a, b Item) bool { return a.ID == b.ID })
	if len(items) < 2 {
		return Result{Clusters: []Suggestion{}}
	}
	penalty := opts.kindPenalty
	if penalty == 0 {
		penalty = DefaultKindPenalty
	}
	sp := newSpace(items)
	sp.penalty = penalty
	groups := agglomerate(sp, threshold, centroid)
	out := Result{Clusters: []Suggestion{}}
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		out.Clusters = append(out.Clusters, sp.describe(g))
	}
	slices.SortStableFunc(out.Clusters, func(a, b Suggestion) int {
		if c := cmp.Compare(len(b.Members), len(a.Members)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.Members[0], b.Members[0])
	})
	return out
}

// space holds the items' vectors and what naming a group needs.
type space struct {
	items   []Item
	vecs    []vector
	kinds   []string       // the kind of action each item asks (action.go)
	penalty float64        // multiplies the similarity of two items of different kinds
	names   []string       // feature id -> feature
	surface map[string]int // "stem\x00word" -> count, to name a stem by its commonest word
}

func newSpace(items []Item) *space {
	sp := &space{items: items, surface: map[string]int{}, kinds: make([]string, len(items)), penalty: 1}
	ids := map[string]int{}
	raw := make([]map[string]float64, len(items))
	df := map[string]int{}
	for i, it := range items {
		counts := map[string]float64{}
		lang := it.Language
		if stopWords[lang] == nil {
			lang = "en"
		}
		text := stripStates(it.Text, it.States)
		folded := fold(text)
		ts := terms(text, lang)
		sp.kinds[i] = kindOf(folded, lang)
		for _, w := range tokens(folded) {
			if s := stem(w, lang); s != "" {
				sp.surface[s+"\x00"+w]++
			}
		}
		for k, t := range ts {
			// The principal ask comes first; what follows "including"
			// or "in particular" is detail (positionDecay).
			pw := 1 / (1 + float64(k)/positionDecay)
			counts["w:"+t] += pw
			if k > 0 && ts[k-1] != t {
				counts["p:"+ts[k-1]+" "+t] += pairWeight * pw
			}
		}
		for _, f := range treatyFeatures(folded) {
			if strings.HasPrefix(f, "ratify:") {
				counts[f] = ratifyWeight
			} else {
				counts[f] = mentionWeight
			}
		}
		for _, th := range it.Themes {
			counts["t:"+fold(th)] = themeWeight
		}
		raw[i] = counts
		for f := range counts {
			df[f]++
		}
	}
	n := float64(len(items))
	// Features in a fixed order, so that ids (and the sums below) do not
	// depend on map order.
	var all []string
	for f := range df {
		all = append(all, f)
	}
	sort.Strings(all)
	for _, f := range all {
		ids[f] = len(sp.names)
		sp.names = append(sp.names, f)
	}
	sp.vecs = make([]vector, len(items))
	for i, counts := range raw {
		var v vector
		keys := make([]string, 0, len(counts))
		for f := range counts {
			keys = append(keys, f)
		}
		sort.Slice(keys, func(a, b int) bool { return ids[keys[a]] < ids[keys[b]] })
		norm := 0.0
		for _, f := range keys {
			// A word shared by many of the recommendations given is
			// common, or it is the object of a large same-ask group
			// ("erased", "trafficking", "Roma"): past dfCap of them, it
			// keeps its weight (idf).
			d := math.Min(float64(df[f]), math.Max(dfCap*n, minDF))
			idf := math.Log((n+1)/(d+1)) + 1
			if df[f] < minDF {
				// A feature no other recommendation has cannot make two
				// alike, but it is part of what this one says: it counts in
				// the length, so that a recommendation whose only shared
				// word is "reduce" is not taken for one that asks only to
				// reduce.
				w := counts[f] * idf
				norm += w * w
				continue
			}
			w := counts[f] * idf
			if strings.HasPrefix(f, "ratify:") || strings.HasPrefix(f, "treaty:") {
				w = counts[f] * math.Log(n+1)
			}
			v.f = append(v.f, ids[f])
			v.w = append(v.w, w)
			norm += w * w
		}
		norm = math.Sqrt(norm)
		if norm == 0 {
			norm = 1
		}
		for k := range v.w {
			v.w[k] /= norm
		}
		sp.vecs[i] = v
	}
	return sp
}

// similarities returns the cosine of every pair, as a dense matrix of
// n×n float32 (row-major): 36 MB for 3,000 recommendations. Pairs are
// summed feature by feature from the postings, so pairs that share
// nothing cost nothing but their zero.
func (sp *space) similarities() []float32 {
	n := len(sp.vecs)
	postings := make([][]int, len(sp.names))
	weights := make([][]float64, len(sp.names))
	for i, v := range sp.vecs {
		for k, f := range v.f {
			postings[f] = append(postings[f], i)
			weights[f] = append(weights[f], v.w[k])
		}
	}
	sims := make([]float32, n*n)
	for f, post := range postings {
		ws := weights[f]
		for a := 0; a < len(post); a++ {
			row := post[a] * n
			for b := a + 1; b < len(post); b++ {
				sims[row+post[b]] += float32(ws[a] * ws[b])
			}
		}
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			if sp.kinds[i] != sp.kinds[j] {
				sims[i*n+j] *= float32(sp.penalty)
			}
			sims[j*n+i] = sims[i*n+j]
		}
	}
	return sims
}

// pair is a candidate merge in the heap.
type pair struct {
	sim    float64
	a, b   int // group ids, a < b
	va, vb int // their versions when pushed
}

type pairHeap []pair

func (h pairHeap) Len() int { return len(h) }
func (h pairHeap) Less(i, j int) bool {
	if h[i].sim != h[j].sim {
		return h[i].sim > h[j].sim
	}
	if h[i].a != h[j].a {
		return h[i].a < h[j].a
	}
	return h[i].b < h[j].b
}
func (h pairHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pairHeap) Push(x any)   { *h = append(*h, x.(pair)) }
func (h *pairHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// agglomerate groups the items in two passes over one matrix of sums.
//
// First by average link: the two groups whose members are most alike on
// average merge, while that average is at least threshold.
//
// Then by centroid: two groups (of two or more members each) whose
// centroids, the sums of their members' vectors, are alike merge, the most
// alike first, while their cosine is at least centroid. Averaging cancels
// what one member says in passing and keeps what they all say: two small
// groups that ask for the same institution, one worded "Paris
// Principles", the other "A status", share the Ombudsman in their
// centroids more than any two members share it. A lone
// recommendation's vector is not an average: it joins a group in the
// first pass or not at all. The centroids' cosines come from the same
// sums: ⟨ΣA, ΣB⟩ is the sum of the members' pairwise similarities, and
// |ΣA|² the sum within A.
//
// A group's id is its first item's index, so that ties break the same way
// every time.
func agglomerate(sp *space, threshold, centroid float64) [][]int {
	n := len(sp.vecs)
	// sum[g*n+h]: the sum of the similarities between g's and h's items,
	// kept for live groups only; self[g]: the sum within g, each item
	// with itself included.
	sum := sp.similarities()
	self := make([]float64, n)
	members := make([][]int, n)
	version := make([]int, n)
	alive := make([]bool, n)
	for i := range n {
		members[i] = []int{i}
		alive[i] = true
		self[i] = dot(sp.vecs[i], sp.vecs[i])
	}
	average := func(a, b int) (float64, bool) {
		return float64(sum[a*n+b]) / float64(len(members[a])*len(members[b])), true
	}
	centroids := func(a, b int) (float64, bool) {
		if len(members[a]) < 2 || len(members[b]) < 2 || self[a] <= 0 || self[b] <= 0 {
			return 0, false
		}
		return float64(sum[a*n+b]) / math.Sqrt(self[a]*self[b]), true
	}
	run := func(score func(a, b int) (float64, bool), least float64) {
		h := &pairHeap{}
		push := func(a, b int) {
			if a > b {
				a, b = b, a
			}
			if s, ok := score(a, b); ok && s >= least {
				heap.Push(h, pair{s, a, b, version[a], version[b]})
			}
		}
		for i := range n {
			if !alive[i] {
				continue
			}
			for j := i + 1; j < n; j++ {
				if alive[j] && sum[i*n+j] > 0 {
					push(i, j)
				}
			}
		}
		for h.Len() > 0 {
			p := heap.Pop(h).(pair)
			if !alive[p.a] || !alive[p.b] || version[p.a] != p.va || version[p.b] != p.vb {
				continue
			}
			// Merge b into a.
			a, b := p.a, p.b
			self[a] += self[b] + 2*float64(sum[a*n+b])
			members[a] = append(members[a], members[b]...)
			alive[b] = false
			version[a]++
			for k := range n {
				if !alive[k] || k == a {
					continue
				}
				s := sum[a*n+k] + sum[b*n+k]
				sum[a*n+k], sum[k*n+a] = s, s
				if s > 0 {
					push(a, k)
				}
			}
		}
	}
	run(average, threshold)
	first := make([]int, n) // each item's group after the first pass
	for g := range n {
		if alive[g] {
			for _, i := range members[g] {
				first[i] = g
			}
		}
	}
	run(centroids, centroid)
	var out [][]int
	for i := range n {
		if !alive[i] {
			continue
		}
		g := slices.Clone(members[i])
		sort.Ints(g)
		if sp.coherent(g) {
			out = append(out, g)
			continue
		}
		// Centroids alike, members not: the second pass joined groups
		// whose words add up without any of them being shared by most
		// members ("access to education, health and housing" for Roma,
		// for persons with disabilities, for women). Such a group names
		// no ask; its first-pass groups are suggested instead.
		parts := map[int][]int{}
		var roots []int
		for _, m := range g {
			if _, ok := parts[first[m]]; !ok {
				roots = append(roots, first[m])
			}
			parts[first[m]] = append(parts[first[m]], m)
		}
		for _, r := range roots {
			out = append(out, parts[r])
		}
	}
	return out
}

// coherent reports whether some feature is shared by at least half of the
// group g's members: what a suggestion's name and reason are made of.
func (sp *space) coherent(g []int) bool {
	count := map[int]int{}
	for _, i := range g {
		for _, f := range sp.vecs[i].f {
			count[f]++
			if 2*count[f] >= len(g) {
				return true
			}
		}
	}
	return false
}

// describe names a group and says why its members belong together.
func (sp *space) describe(g []int) Suggestion {
	s := Suggestion{}
	for _, i := range g {
		s.Members = append(s.Members, sp.items[i].ID)
	}
	sort.Strings(s.Members)
	// Score: the average similarity of the members' pairs.
	total, pairs := 0.0, 0
	for x := 0; x < len(g); x++ {
		for y := x + 1; y < len(g); y++ {
			total += dot(sp.vecs[g[x]], sp.vecs[g[y]])
			pairs++
		}
	}
	s.Score = math.Round(total/float64(pairs)*1000) / 1000
	// What the members share: features in at least half of them, by
	// summed weight.
	weight := map[int]float64{}
	count := map[int]int{}
	for _, i := range g {
		v := sp.vecs[i]
		for k, f := range v.f {
			weight[f] += v.w[k]
			count[f]++
		}
	}
	var shared []int
	for f, c := range count {
		if 2*c >= len(g) {
			shared = append(shared, f)
		}
	}
	sort.Slice(shared, func(a, b int) bool {
		if weight[shared[a]] != weight[shared[b]] {
			return weight[shared[a]] > weight[shared[b]]
		}
		return shared[a] < shared[b]
	})
	var treaty, words, themes []string
	for _, f := range shared {
		name := sp.names[f]
		kind, val, _ := strings.Cut(name, ":")
		switch kind {
		case "ratify", "treaty":
			treaty = append(treaty, treatyName(name))
			s.Why.Treaties = append(s.Why.Treaties, val)
		case "w":
			if len(words) < 5 {
				words = append(words, sp.word(val))
			}
		case "t":
			themes = append(themes, val)
		}
	}
	switch {
	case len(treaty) > 0 && strings.HasPrefix(sp.names[shared[0]], "ratify:"):
		s.Name = "ratify the " + treaty[0]
		s.Why.Ratify = s.Why.Treaties[0]
	case len(words) > 0:
		s.Name = strings.Join(words[:min(len(words), 4)], " ")
	default:
		s.Name = "similar wording"
	}
	docs := map[string]bool{}
	bodies := map[string]bool{}
	for _, i := range g {
		docs[sp.items[i].Symbol] = true
		if b := sp.items[i].Body; b != "" {
			bodies[b] = true
		}
	}
	var reason []string
	if len(treaty) > 0 {
		reason = append(reason, "shared treaty: "+strings.Join(treaty, ", "))
	}
	if len(words) > 0 {
		reason = append(reason, "shared terms: "+strings.Join(words, ", "))
	}
	if len(themes) > 0 {
		reason = append(reason, "shared themes: "+strings.Join(themes[:min(len(themes), 3)], ", "))
	}
	var bl []string
	for b := range bodies {
		bl = append(bl, b)
	}
	sort.Strings(bl)
	s.Why.Terms, s.Why.Themes, s.Why.Documents, s.Why.Bodies = words, themes[:min(len(themes), 3)], len(docs), bl
	from := fmt.Sprintf("%d recommendations from %d documents", len(g), len(docs))
	if len(docs) == 1 {
		from = fmt.Sprintf("%d recommendations from 1 document", len(g))
	}
	if len(bl) > 0 {
		from += " (" + strings.Join(bl, ", ") + ")"
	}
	s.Reason = strings.Join(append(reason, from), "; ")
	return s
}

// word names a stem by the word it most often stands for.
func (sp *space) word(stem string) string {
	best, n := stem, 0
	prefix := stem + "\x00"
	for k, c := range sp.surface {
		if w, ok := strings.CutPrefix(k, prefix); ok && (c > n || c == n && w < best) {
			best, n = w, c
		}
	}
	return best
}

func dot(a, b vector) float64 {
	s := 0.0
	for i, j := 0, 0; i < len(a.f) && j < len(b.f); {
		switch {
		case a.f[i] == b.f[j]:
			s += a.w[i] * b.w[j]
			i++
			j++
		case a.f[i] < b.f[j]:
			i++
		default:
			j++
		}
	}
	return s
}
