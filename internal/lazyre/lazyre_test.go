package lazyre

import (
	"sync"
	"testing"
)

func TestCompiledOnFirstUseOnce(t *testing.T) {
	r := New(`(?P<n>\d+) days`)
	if r.re != nil {
		t.Fatal("compiled before use")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if m := r.FindStringSubmatch("in 12 days"); len(m) != 2 || m[r.SubexpIndex("n")] != "12" {
				t.Errorf("match %q", m)
			}
		}()
	}
	wg.Wait()
	if first := r.Regexp(); r.Regexp() != first {
		t.Error("compiled twice")
	}
	if got := r.ReplaceAllString("3 days", "x"); got != "x" {
		t.Errorf("ReplaceAllString: %q", got)
	}
}

func TestCheckFindsABadPattern(t *testing.T) {
	if err := Check(); err != nil {
		t.Fatalf("before: %v", err)
	}
	New(`(unclosed`)
	if err := Check(); err == nil {
		t.Error("Check passed an invalid pattern")
	}
	mu.Lock()
	all = all[:len(all)-1]
	mu.Unlock()
}
