package config

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, must
// return either a Config or Errors with positions, and whatever it accepts
// must survive Show and Parse again.
//
//	go test -run XXX -fuzz FuzzParse -fuzztime 20s ./config/
func FuzzParse(f *testing.F) {
	if example, err := os.ReadFile("../examples/lao-opsc/followup.yaml"); err == nil {
		f.Add(example)
	}
	f.Add(Default().Show())
	for _, s := range []string{
		"",
		"time_zone: Asia/Vientiane\n",
		"schedules:\n  reminders: CRON_TZ=UTC\n",
		"schedules:\n  reminders: \"TZ=UTC\t0 8 * * *\"\n",
		"schedules:\n  reminders: \"@every 1h\"\n  grace: 0s\n",
		"ministries:\n  - id: a\n    name: A\n    focal_points: [{email: a@b.c}]\nassignment:\n  rules: [{ministry: a, regex: \"(?i)x\"}]\n",
		"stages:\n  - {id: a, next: [b], deadline: \"report - 9mo\"}\n  - {id: b, final: true}\n",
		"a: &x [*x]\n",
		"<<: {a: 1}\n",
		"? [a, b]\n: c\n",
		"documents: !!str 123\n",
		"mail:\n  smtp:\n    password_file: /dev/zero\n    username: u\n",
		"- - - -\n",
		"{",
		"reminders: {lead_times: [1y6mo, 2w]}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data, LoadOptions{Getenv: func(string) string { return "pw" }})
		if err != nil {
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("Parse returned %T %v, want non-empty Errors", err, err)
			}
			for _, e := range es {
				if e.Line < 1 || e.Column < 1 || strings.Contains(e.Error(), "\n") {
					t.Fatalf("error without a position or on several lines: %q", e.Error())
				}
			}
			return
		}
		for _, s := range []*Schedule{&c.Schedules.Reminders, &c.Schedules.CoordinatorDigest, &c.Schedules.MinistryDigest} {
			if s.Schedule == nil {
				t.Fatalf("accepted config has a nil schedule for %q", s.Spec)
			}
		}
		out := c.Show()
		if _, err := Parse("fuzz.yaml", out, LoadOptions{Getenv: func(string) string { return "pw" }}); err != nil {
			t.Fatalf("Show output does not load:\n%v\ninput:\n%q\nshow:\n%s", err, data, out)
		}
	})
}
