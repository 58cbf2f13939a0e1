package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// everyStage is a config with a mistake for each step that checks a
// config: the YAML tree (an alias to no anchor, a merge key), the keys and
// values of each section, references between sections (a rule naming no
// ministry, a next stage that does not exist), secrets (a password file
// others can read), the languages' mail templates (language: de), the
// asks' languages (an ask of the admin's own without a Lao version), and a
// malformed language tag, which must be reported once and not again as a
// language without templates. %s is the folder of the test.
const everyStage = `time_zone: Asia/Vientiane
coordinator:
  id: ncmc
  name: National Commission
  focal_points:
    - email: secretariat@ncmc.example.org
ministries:
  - id: moj
    name: Ministry of Justice
    language: de
    focal_points:
      - email: legislation@moj.example.org
  - id: mps
    name: Ministry of Public Security
    language: lo
    focal_points:
      - email: border@mps.example.org
  - id: moe
    name: Ministry of Education
    language: "e!"
    focal_points:
      - email: *nowhere
  - id: mof
    <<: {name: Ministry of Finance}
    focal_points:
      - email: budget@mof.example.org
stages:
  - id: assigned
    next: [acknowledged, closed]
    deadline: import + 1mo
    ask: Please answer the {coordinator} {by}.
  - id: acknowledged
    next: [done]
  - id: done
    final: true
assignment:
  rules:
    - ministry: mjo
      keywords: [court]
digests:
  max_listed: many
mail:
  templates: templates
  smtp:
    host: smtp.example.org
    username: followup
    password_file: %s/password
  colour: blue
`

// TestConfigCheckEveryMistakeInOneRun: `config check` reports every
// mistake of a file in one run, whatever step finds it, in file order
// (the template file's own error last), and says how many.
func TestConfigCheckEveryMistakeInOneRun(t *testing.T) {
	c := newCLI(t)
	if err := os.Mkdir(filepath.Join(c.dir, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	c.write("templates/reminder.txt", []byte("{{define \"subject\"}}Reminder{{end}}\n{{define \"body\"}}\n{{.Ministry.Nmae}}\n{{end}}\n"))
	c.write("password", []byte("secret\n")) // 0644: others can read it
	cfg := c.write("followup.yaml", []byte(strings.ReplaceAll(everyStage, "%s", c.dir)))
	out, errs, code := c.run("config", "check", cfg)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	want := []string{
		`:10:15: ministries[0].language: no mail templates for language "de"`,
		`:20:15: ministries[2].language: invalid language tag "e!"`,
		`:22:16: malformed YAML: alias *nowhere refers to no anchor &nowhere defined above it`,
		`:24:5: malformed YAML: merge keys (<<) are not supported`,
		`:29:26: stages[0].next[1]: unknown stage "closed"`,
		`:31:10: stages[0].ask: this ask has no version in de, lo, the language of moj, mps`,
		`:38:17: assignment.rules[0].ministry: unknown ministry "mjo"`,
		`:41:15: digests.max_listed: expected a whole number`,
		`:47:20: mail.smtp.password_file: password file ` + filepath.Join(c.dir, "password") + ` can be read by other users (mode 0644)`,
		`:48:3: mail: unknown key "colour"`,
		filepath.Join(c.dir, "templates", "reminder.txt") + ":3:",
	}
	lines := strings.Split(strings.TrimRight(errs, "\n"), "\n")
	for _, w := range want {
		found := false
		for _, l := range lines {
			if strings.Contains(l, w) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("stderr lacks %q", w)
		}
	}
	if len(lines) != len(want) || t.Failed() {
		t.Errorf("%d lines, want %d (one per mistake, none twice):\n%s", len(lines), len(want), errs)
	}
	if n := len(want) - 1; !strings.Contains(out, "FAILED: "+strconv.Itoa(n)+" error(s) in the file, 1 in the mail templates") {
		t.Errorf("stdout = %q", out)
	}
	// Nothing was written beside the config.
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Errorf("config check left %d entries in the folder, want 3 (config, password, templates)", len(entries))
	}
}
