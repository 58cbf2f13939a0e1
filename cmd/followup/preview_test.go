package main

import (
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/internal/needs"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// seedPath is the project's seed document in the team's shared folder.
func seedPath(t *testing.T) string {
	t.Helper()
	return filepath.Join(needs.Shared(t), "seeds", "000_184c6d66c37e6cc3.txt")
}

// exampleSetup copies the Lao PDR example config next to a fresh database
// with the seed imported, and lets the daemon run its first heartbeat
// there (every schedule runs once on a new database), on a fixed date.
func exampleSetup(t *testing.T, seed string, at time.Time) (*cli, string) {
	t.Helper()
	c := newCLI(t)
	for _, f := range []string{"followup.yaml", "sample-co.txt"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", "lao-opsc", f))
		if err != nil {
			t.Fatal(err)
		}
		c.write(f, b)
	}
	cfg := filepath.Join(c.dir, "followup.yaml")
	c.now = at
	c.mustRun("import", "--config", cfg, seed)
	td := startDaemon(t, cfg, clockwork.NewFakeClockAt(at), nil)
	td.stop()
	return c, cfg
}

// TestPreviewGolden: what would go out on three dates, for the seed's tasks
// under the example config.
func TestPreviewGolden(t *testing.T) {
	seed := seedPath(t)
	loc, _ := time.LoadLocation("Asia/Vientiane")
	c, cfg := exampleSetup(t, seed, time.Date(2026, 12, 1, 7, 0, 0, 0, loc))
	for _, tc := range []struct{ name, at string }{
		// A Monday, a month into the tasks: the first reminders about
		// acknowledging, and the weekly overview.
		{"2026-12-28", "2026-12-28 08:00"},
		// The first of a month: the ministries' monthly digests too.
		{"2027-02-01", "2027-02-01 08:00"},
		// A month before the ministries' inputs are due: overdue tasks
		// and escalations.
		{"2027-03-31", "2027-03-31 08:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := c.mustRun("preview", "--config", cfg, "--at", tc.at, "--full")
			golden(t, filepath.Join("testdata", "preview-"+tc.name+".golden"), out)
			// --json carries the same messages.
			var js jsonPreview
			if err := json.Unmarshal([]byte(c.mustRun("preview", "--config", cfg, "--at", tc.at, "--json")), &js); err != nil {
				t.Fatal(err)
			}
			for _, m := range js.Messages {
				if !strings.Contains(out, m.Subject) || m.Text == "" || len(m.To) == 0 {
					t.Errorf("JSON message %q (%d to) not in the text output", m.Subject, len(m.To))
				}
			}
		})
	}
	// A preview records nothing: the same preview twice is the same.
	a := c.mustRun("preview", "--config", cfg, "--at", "2027-02-01 08:00", "--json")
	b := c.mustRun("preview", "--config", cfg, "--at", "2027-02-01 08:00", "--json")
	if a != b {
		t.Error("a second preview differs from the first: something was recorded")
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/followup -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d:\n got %q\nwant %q\n(go test ./cmd/followup -run %s -update rewrites it)", path, i+1, g, w, t.Name())
			}
		}
	}
}

// TestQuickstart runs the README's quick start on a copy of the example: the
// daemon imports the example document at start, and within its first
// heartbeat the digests and reminders are .eml files in the mail folder.
func TestQuickstart(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"followup.yaml", "sample-co.txt"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", "lao-opsc", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	fc := clockwork.NewFakeClockAt(time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC))
	td := startDaemon(t, filepath.Join(dir, "followup.yaml"), fc, nil)
	emls, _ := filepath.Glob(filepath.Join(dir, "mail", "*.eml"))
	kinds := map[string]int{}
	for _, e := range emls {
		kinds[strings.SplitN(filepath.Base(e), "_", 2)[0]]++
	}
	// One message per focal point: each carries that person's link (the
	// example's coordinating body has two).
	if kinds["coordinator-digest"] != 2 || kinds["ministry-digest"] < 5 || kinds["reminder"] < 1 {
		t.Errorf("mail folder holds %v:\n%s", kinds, td.logs)
	}
	// The link in a reminder opens that ministry's page on the daemon's
	// web server, and its task lines open the task.
	var reminder string
	for _, e := range emls {
		if strings.HasPrefix(filepath.Base(e), "reminder") {
			b, err := os.ReadFile(e)
			if err != nil {
				t.Fatal(err)
			}
			// Undo quoted-printable where a link is: soft breaks, and "=" as =3D.
			reminder = strings.ReplaceAll(strings.ReplaceAll(string(b), "=\r\n", ""), "=3D", "=")
			break
		}
	}
	links := regexp.MustCompile(`http://127\.0\.0\.1:8080/l/[A-Za-z0-9_-]+(\?to=%2Fm%2Ftask%2F[0-9]+)?`).FindAllString(reminder, -1)
	var personal, task string
	for _, l := range links {
		if strings.Contains(l, "?to=") {
			task = l
		} else {
			personal = l
		}
	}
	if personal == "" || task == "" {
		t.Fatalf("the reminder has no personal link or no task link (%q):\n%s", links, reminder)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for link, want := range map[string]string{personal: "/m/", task: "/m/task/"} {
		res := pressLink(t, client, strings.Replace(link, "127.0.0.1:8080", td.web, 1))
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), want) {
			t.Errorf("%s: %d to %q, want 303 to %s", link, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
	td.stop()
	if _, err := os.Stat(filepath.Join(dir, "followup.db")); err != nil {
		t.Errorf("no database next to the config: %v", err)
	}
}
