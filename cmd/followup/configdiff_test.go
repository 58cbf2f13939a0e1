package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/followup-app/followup/config"
)

// TestHoldReasons: the reload rule on edits an admin makes and on files
// cut short. Values changed, settings added, a corrected address, a
// reordered list: applied. A section, a ministry or a focal point
// dropped, a file that ends inside a line, a transport switched: held.
func TestHoldReasons(t *testing.T) {
	moj := "  - {id: moj, name: Ministry of Justice, focal_points: [{name: J, email: justice@example.org}, {name: K, email: k@example.org}]}\n"
	base := strings.Replace(strings.Replace(faultConfig, "PORT", "2525", 1),
		"  - {id: moj, name: Ministry of Justice, focal_points: [{name: J, email: justice@example.org}]}\n", moj, 1)
	for _, tc := range []struct {
		name, edited string
		want         []string // parts of the reasons; none: applied
	}{
		{"a schedule changed", strings.Replace(base, `reminders: "0 8 * * *"`, `reminders: "30 7 * * *"`, 1), nil},
		{"a ministry added", strings.Replace(base, "stages:", "  - {id: mof, name: Ministry of Finance, focal_points: [{name: F, email: f@example.org}]}\nstages:", 1), nil},
		{"an address corrected", strings.Replace(base, "education@example.org", "education-office@example.org", 1), nil},
		{"ministries reordered", strings.Replace(strings.Replace(base, moj, "", 1), "  - {id: moh,", moj+"  - {id: moh,", 1), nil},
		{"cut before mail", base[:strings.Index(base, "\nmail:")+1], []string{"it drops mail", `it switches mail.transport "smtp" -> "file"`}},
		{"cut inside a line", base[:strings.Index(base, "heartbeat: 1m")+11], []string{"it drops digests, mail", "does not end with a line break"}},
		{"a ministry dropped", strings.Replace(strings.Replace(base, "  - {id: moh, name: Ministry of Health, focal_points: [{name: H, email: health@example.org}]}\n", "", 1),
			"{ministry: moh,", "{ministry: moe,", 1), []string{"it drops ministries[moh]"}},
		{"a focal point dropped", strings.Replace(base, ", {name: K, email: k@example.org}]", "]", 1), []string{"it drops ministries[moj].focal_points[1]"}},
		{"the transport switched", strings.Replace(base, "transport: smtp", "transport: file", 1), []string{`it switches mail.transport "smtp" -> "file"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "followup.yaml")
			old, err := config.Parse(path, []byte(base), config.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Parse(path, []byte(tc.edited), config.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			cfg.Assignment, old.Assignment = config.Assignment{}, config.Assignment{} // no database here: the owners are TestConfigDiffAndApply's
			d, err := diffConfigs(context.Background(), nil, []byte(base), []byte(tc.edited), old, cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(d.holdReasons(), "; ")
			if len(tc.want) == 0 && got != "" {
				t.Errorf("held: %s", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("reasons %q lack %q", got, w)
				}
			}
		})
	}
}
