package cluster

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkSuggest times Suggest on n recommendations made from Slovenia's
// 729, each copy of a text dropping a different word so that no two are
// the same string: `go test ./cluster -run '^$' -bench Suggest -benchmem`.
// 10,000 is the size the issue names for one call; the similarities alone
// are n² float32, 400 MB at 10,000.
func BenchmarkSuggest(b *testing.B) {
	base := FromDocuments(sloveniaDocs(b))
	for _, n := range []int{729, 3000, 10000} {
		items := make([]Item, 0, n)
		for i := 0; len(items) < n; i++ {
			it := base[i%len(base)]
			copyNo := i / len(base)
			if copyNo > 0 {
				words := strings.Fields(it.Text)
				k := copyNo % len(words)
				it.Text = strings.Join(append(words[:k:k], words[k+1:]...), " ")
				it.ID = fmt.Sprintf("%s/%d", it.ID, copyNo)
				it.Symbol = fmt.Sprintf("%s/%d", it.Symbol, copyNo)
			}
			items = append(items, it)
		}
		if n > 3000 && testing.Short() {
			continue // CI runs every benchmark once with -short: 400 MB is not needed there
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				res := Suggest(items, Options{})
				if len(res.Clusters) == 0 {
					b.Fatal("no suggestions")
				}
			}
		})
	}
}
