package pdftext

import (
	"os"
	"path/filepath"
	"testing"
)

// The cache folder holds code the process runs: it is made private when
// missing, and refused when someone else could write into it.
func TestCacheDir(t *testing.T) {
	base := t.TempDir()
	missing := filepath.Join(base, "a", "followup")
	if got := New(Config{CacheDir: missing}).cacheDir(); got != missing {
		t.Errorf("missing folder: cacheDir = %q", got)
	}
	if st, err := os.Stat(missing); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("made %v, %v; want mode 0700", st, err)
	}
	if got := New(Config{}).cacheDir(); got != "" {
		t.Errorf("no folder configured: %q", got)
	}

	open := filepath.Join(base, "open")
	if err := os.Mkdir(open, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	refused := []string{open, file}
	if os.Geteuid() == 0 {
		other := filepath.Join(base, "other")
		if err := os.Mkdir(other, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(other, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		refused = append(refused, other)
	}
	for _, dir := range refused {
		if got := New(Config{CacheDir: dir}).cacheDir(); got != "" {
			t.Errorf("%s: cacheDir = %q, want it refused", dir, got)
		}
	}
}
