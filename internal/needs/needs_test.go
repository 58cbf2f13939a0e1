package needs

import (
	"fmt"
	"strings"
	"testing"
)

// fakeTB records a skip or a failure and stops the helper, as testing.T
// does, without ending the real test.
type fakeTB struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Skipf(format string, args ...any) {
	f.skipped, f.msg = true, fmt.Sprintf(format, args...)
	panic(f)
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed, f.msg = true, fmt.Sprintf(format, args...)
	panic(f)
}

// call runs fn with a fake TB and returns it once fn returned or stopped.
func call(fn func(testing.TB) string) (f *fakeTB, got string) {
	f = &fakeTB{}
	defer func() {
		if r := recover(); r != nil && r != f {
			panic(r)
		}
	}()
	return f, fn(f)
}

func TestProgram(t *testing.T) {
	t.Setenv("CI", "")
	f, got := call(func(tb testing.TB) string { return Program(tb, "a shell", "dash", "no-such-program", "sh") })
	if f.skipped || f.failed || !strings.HasSuffix(got, "/sh") {
		t.Errorf("sh: %q, %+v", got, f)
	}
	f, _ = call(func(tb testing.TB) string {
		return Program(tb, "Frobnicator", "frob-utils", "no-such-program", "/no/such/path")
	})
	want := "skipping: Frobnicator (no-such-program or /no/such/path) is not installed (apt-get install frob-utils)"
	if !f.skipped || f.msg != want {
		t.Errorf("missing: %+v, want a skip %q", f, want)
	}
	t.Setenv("CI", "true")
	f, _ = call(func(tb testing.TB) string { return Program(tb, "Frobnicator", "frob-utils", "no-such-program") })
	if !f.failed || !strings.Contains(f.msg, "Frobnicator (no-such-program) is not installed (apt-get install frob-utils); CI must have it") {
		t.Errorf("missing under CI: %+v, want a failure", f)
	}
}

func TestShared(t *testing.T) {
	t.Setenv("CI", "")
	t.Chdir(t.TempDir()) // no go.mod above
	f, _ := call(Shared)
	if !f.skipped || !strings.Contains(f.msg, "no go.mod above the test's folder") {
		t.Errorf("no repository: %+v", f)
	}
}
