package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeConfig writes text as followup.yaml in a fresh folder and returns its
// path.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "followup.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// loadErrors loads text and returns the error lines, with the file's path
// replaced by "followup.yaml" so the expectations read like the manual.
func loadErrors(t *testing.T, text string, opts LoadOptions) []string {
	t.Helper()
	path := writeConfig(t, text)
	c, err := Load(path, opts)
	if err == nil {
		t.Fatalf("Load accepted:\n%s\nShow:\n%s", text, c.Show())
	}
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("Load returned %T (%v), want Errors", err, err)
	}
	var lines []string
	for _, line := range strings.Split(err.Error(), "\n") {
		if !strings.HasPrefix(line, path+":") {
			t.Errorf("error line does not start with the path given to Load (%s): %s", path, line)
		}
		lines = append(lines, "followup.yaml"+strings.TrimPrefix(line, path))
	}
	if len(lines) != len(es) {
		t.Errorf("Error() has %d lines for %d errors", len(lines), len(es))
	}
	return lines
}

// wantErrors checks the exact, whole error lines.
func wantErrors(t *testing.T, text string, want ...string) {
	t.Helper()
	got := loadErrors(t, text, LoadOptions{})
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("config:\n%s\ngot errors:\n%s\nwant:\n%s", text, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// ministry is a valid ministries entry, for tests about something else.
const ministry = `
  - id: mps
    name: Ministry of Public Security
    focal_points:
      - {name: Border Police, email: border@mps.example.org}
`

func TestUnknownKey(t *testing.T) {
	wantErrors(t, `time_zone: UTC
ministries:
  - id: mps
    name: Ministry of Public Security
    focal_points: [{email: a@mps.example.org}]
  - id: moj
    name: Ministry of Justice
    emial: justice@moj.example.org
    focal_points: [{email: a@moj.example.org}]
`,
		`followup.yaml:8:5: ministries[1]: unknown key "emial"; expected one of: id, name, language, focal_points`)
}

func TestUnknownTopLevelKey(t *testing.T) {
	wantErrors(t, "time_zone: UTC\ntimezone: UTC\n",
		`followup.yaml:2:1: unknown key "timezone"; expected one of: time_zone, database, documents, coordinator, ministries, reports, stages, initial_stage, assignment, tags, special_procedures, reminders, schedules, digests, mail, web`)
}

func TestDuplicateKey(t *testing.T) {
	wantErrors(t, "digests:\n  max_listed: 10\n  send_empty: true\n  max_listed: 20\n",
		`followup.yaml:4:3: digests: duplicate key "max_listed" (first defined at line 2)`)
}

func TestCronTimeZonePrefixWithoutFields(t *testing.T) {
	// robfig/cron panics on this spec; Load must report it instead.
	wantErrors(t, "time_zone: UTC\nschedules:\n  reminders: CRON_TZ=UTC\n",
		`followup.yaml:3:14: schedules.reminders: invalid cron spec "CRON_TZ=UTC": time zone prefix without fields; expected 5 fields (minute hour day-of-month month day-of-week) or a descriptor such as @daily`)
	wantErrors(t, "schedules:\n  coordinator_digest: TZ=Asia/Vientiane\n",
		`followup.yaml:2:23: schedules.coordinator_digest: invalid cron spec "TZ=Asia/Vientiane": time zone prefix without fields; expected 5 fields (minute hour day-of-month month day-of-week) or a descriptor such as @daily`)
}

func TestCronParseErrors(t *testing.T) {
	wantErrors(t, `schedules:
  reminders: "0 8 * *"
  coordinator_digest: "0 25 * * 1"
  ministry_digest: "0 0 30 2 *"
`,
		`followup.yaml:2:14: schedules.reminders: invalid cron spec "0 8 * *": expected exactly 5 fields, found 4: [0 8 * *]; expected 5 fields (minute hour day-of-month month day-of-week) or a descriptor such as @daily`,
		`followup.yaml:3:23: schedules.coordinator_digest: invalid cron spec "0 25 * * 1": end of range (25) above maximum (23): 25; expected 5 fields (minute hour day-of-month month day-of-week) or a descriptor such as @daily`,
		`followup.yaml:4:20: schedules.ministry_digest: invalid cron spec "0 0 30 2 *": it never fires (no date matches all its fields)`)
}

func TestCronPrefixZone(t *testing.T) {
	wantErrors(t, "schedules:\n  reminders: CRON_TZ=Mars/Olympus 0 8 * * *\n",
		`followup.yaml:2:14: schedules.reminders: invalid cron spec "CRON_TZ=Mars/Olympus 0 8 * * *": unknown time zone "Mars/Olympus"; expected an IANA name such as Asia/Vientiane`)
	wantErrors(t, "schedules:\n  reminders: CRON_TZ=Local 0 8 * * *\n",
		`followup.yaml:2:14: schedules.reminders: invalid cron spec "CRON_TZ=Local 0 8 * * *": unknown time zone "Local"; expected an IANA name such as Asia/Vientiane`)
}

func TestUnknownTimeZone(t *testing.T) {
	wantErrors(t, "time_zone: Asia/Vientian\n",
		`followup.yaml:1:12: time_zone: unknown time zone "Asia/Vientian"; expected an IANA name such as Asia/Vientiane`)
	wantErrors(t, "time_zone: Local\n",
		`followup.yaml:1:12: time_zone: unknown time zone "Local"; expected an IANA name such as Asia/Vientiane`)
	wantErrors(t, "time_zone: \"\"\n",
		`followup.yaml:1:12: time_zone: unknown time zone ""; expected an IANA name such as Asia/Vientiane`)
}

func TestRuleUnknownMinistry(t *testing.T) {
	wantErrors(t, `coordinator:
  id: ncmc
  name: National Commission for Mothers and Children
  focal_points: [{email: secretariat@ncmc.example.org}]
ministries:`+ministry+`  - id: moj
    name: Ministry of Justice
    focal_points: [{email: legislation@moj.example.org}]
assignment:
  rules:
    - ministry: moj
      keywords: [penal code]
    - ministry: mjo
      support: [mps, na]
      keywords: [criminal]
`,
		`followup.yaml:17:17: assignment.rules[1].ministry: unknown ministry "mjo"; expected one of: ncmc, mps, moj`,
		`followup.yaml:18:22: assignment.rules[1].support[1]: unknown ministry "na"; expected one of: ncmc, mps, moj`)
}

func TestUnknownStage(t *testing.T) {
	wantErrors(t, `stages:
  - id: open
    next: [doing]
  - id: done
    final: true
initial_stage: start
`,
		`followup.yaml:3:12: stages[0].next[0]: unknown stage "doing"; expected one of: open, done`,
		`followup.yaml:6:16: initial_stage: unknown stage "start"; expected one of: open, done`)
	wantErrors(t, "stages:\n  - {id: done, final: true}\n  - {id: open, next: [done]}\n",
		`followup.yaml:2:5: stages[0]: new tasks start in the first stage, which is final; put a stage that is not final first or set initial_stage`)
	// With the default stages.
	wantErrors(t, "initial_stage: reported\n",
		`followup.yaml:1:16: initial_stage: stage "reported" is final; new tasks need a stage that is not final`)
}

func TestInlinePassword(t *testing.T) {
	wantErrors(t, `mail:
  transport: smtp
  smtp:
    host: smtp.example.org
    username: followup
    password_env: FOLLOWUP_SMTP_PASSWORD
    password: hunter2
`,
		`followup.yaml:6:19: mail.smtp.password_env: environment variable FOLLOWUP_SMTP_PASSWORD is not set or empty`,
		`followup.yaml:7:15: mail.smtp.password: the SMTP password may not be written in the config file; set password_env (name of an environment variable) or password_file (path of a file) instead`)
}

func TestPasswordSources(t *testing.T) {
	wantErrors(t, `mail:
  smtp:
    host: smtp.example.org
    username: followup
`,
		`followup.yaml:4:15: mail.smtp.username: username "followup" has no password; set password_env or password_file`)
	wantErrors(t, `mail:
  smtp:
    host: smtp.example.org
    username: followup
    password_env: PW
    password_file: pw.txt
`,
		`followup.yaml:6:20: mail.smtp.password_file: set password_env or password_file, not both`)
}

func TestDuplicateMinistryID(t *testing.T) {
	wantErrors(t, `coordinator:
  id: ncmc
  name: National Commission for Mothers and Children
  focal_points: [{email: secretariat@ncmc.example.org}]
ministries:`+ministry+`  - id: moj
    name: Ministry of Justice
    focal_points: [{email: legislation@moj.example.org}]
  - id: moj
    name: Ministry of Justice (again)
    focal_points: [{email: other@moj.example.org}]
  - id: ncmc
    name: Commission
    focal_points: [{email: other@ncmc.example.org}]
`,
		`followup.yaml:13:9: ministries[2].id: duplicate id "moj" (first defined at line 10)`,
		`followup.yaml:16:9: ministries[3].id: duplicate id "ncmc" (first defined at line 2)`)
}

func TestInvalidEmail(t *testing.T) {
	wantErrors(t, `ministries:
  - id: moj
    name: Ministry of Justice
    focal_points:
      - name: Legislation
        email: justice.example.org
`,
		`followup.yaml:6:16: ministries[0].focal_points[0].email: invalid e-mail address "justice.example.org"`)
}

func TestMalformedYAML(t *testing.T) {
	// The error points at the real place of the mistake, not at line 1.
	wantErrors(t, `time_zone: UTC
database: followup.db
ministries:
  - id: mps
    name: Ministry of Public Security
  focal_points: [x
`,
		`followup.yaml:6:3: malformed YAML: this line's indentation does not match the lines above it: its key starts at column 3, the key above it at column 5; keys of one section must line up exactly, with spaces (value is not allowed in this context)`)
	// One space too many: the parser blames the line above; the admin is
	// told which line is wrong and what to do.
	wantErrors(t, `time_zone: UTC
mail:
  transport: smtp
   smtp:
    host: relay.example.org
`,
		`followup.yaml:4:4: malformed YAML: this line is indented more than line 3 above it, whose key already has a value: line its key up with the keys above it (column 3), or remove the value of the key it belongs under (mapping value is not allowed in this context)`)
	wantErrors(t, "time_zone: UTC\ndocuments: [a.txt, b.txt\n",
		`followup.yaml:2:12: malformed YAML: sequence end token ']' not found`)
	wantErrors(t, "time_zone: UTC\nmail:\n\tdir: mail\n",
		`followup.yaml:3:1: malformed YAML: found character '\t' that cannot start any token`)
}

func TestWrongTypes(t *testing.T) {
	wantErrors(t, `reminders:
  lead_times: [30d, 3 days, 7d]
  due_today: yes
  overdue_every: [7d]
documents: co.txt
schedules:
  grace: 2d
digests:
  max_listed: fifty
reports:
  - id: crc-next
    due: 30/06/2027
`,
		`followup.yaml:2:21: reminders.lead_times[1]: invalid span "3 days": expected a number and a unit (d, w, mo, y), e.g. 30d or 9mo`,
		`followup.yaml:3:14: reminders.due_today: expected true or false`,
		`followup.yaml:4:18: reminders.overdue_every: expected a span such as 30d, 2w or 9mo`,
		`followup.yaml:5:12: documents: expected a list`,
		`followup.yaml:7:10: schedules.grace: invalid duration "2d": expected a duration such as 36h`,
		`followup.yaml:9:15: digests.max_listed: expected a whole number`,
		`followup.yaml:12:10: reports[0].due: invalid date "30/06/2027": expected a date YYYY-MM-DD`)
}

func TestRangeAndDuplicates(t *testing.T) {
	wantErrors(t, `reminders:
  lead_times: [30d, 1w, 7d, 0d]
schedules:
  heartbeat: 2h
digests:
  max_listed: 0
mail:
  transport: sendmail
  smtp:
    port: 70000
    tls: ssl
`,
		`followup.yaml:2:25: reminders.lead_times[2]: duplicate lead time "7d" (first defined at line 2)`,
		`followup.yaml:2:29: reminders.lead_times[3]: must be longer than zero`,
		`followup.yaml:4:14: schedules.heartbeat: 2h is out of range; expected from 1s to 1h`,
		`followup.yaml:6:15: digests.max_listed: 0 is out of range; expected a whole number from 1 to 10000`,
		`followup.yaml:8:14: mail.transport: unknown transport "sendmail"; expected one of: file, smtp`,
		`followup.yaml:10:11: mail.smtp.port: 70000 is out of range; expected a whole number from 1 to 65535`,
		`followup.yaml:11:10: mail.smtp.tls: unknown TLS mode "ssl"; expected one of: starttls, opportunistic, none, tls`)
}

func TestMissingRequired(t *testing.T) {
	wantErrors(t, `ministries:`+ministry+`  - name: Ministry of Justice
    focal_points: [{email: legislation@moj.example.org}]
  - id: moes
    name: Ministry of Education and Sports
    focal_points:
      - name: No address
`,
		`followup.yaml:6:5: ministries[1]: missing required key "id"`,
		`followup.yaml:11:9: ministries[2].focal_points[0]: missing required key "email"`)
	wantErrors(t, "mail:\n  transport: smtp\n  smtp:\n    port: 25\n",
		`followup.yaml:4:5: mail.smtp: missing required key "host" (needed when transport is smtp)`)
}

func TestRuleChecks(t *testing.T) {
	wantErrors(t, `ministries:`+ministry+`assignment:
  rules:
    - name: no criteria
      ministry: mps
      sections: []
    - ministry: mps
      support: [mps]
      regex: "(unclosed"
  overrides:
    - recommendation: "26b"
      ministry: mps
`,
		`followup.yaml:8:7: assignment.rules[0]: a rule must set at least one of sections, keywords, regex, themes, affected_persons or sdgs`,
		`followup.yaml:12:17: assignment.rules[1].support[0]: "mps" is already the lead ministry (ministry:)`,
		"followup.yaml:13:14: assignment.rules[1].regex: invalid regular expression \"(unclosed\": error parsing regexp: missing closing ): `(unclosed`",
		`followup.yaml:15:23: assignment.overrides[0].recommendation: invalid recommendation id "26b"; expected <document symbol>:<paragraph>[item], e.g. CRC/C/OPSC/LAO/CO/1:26b`)
}

func TestStageChecks(t *testing.T) {
	wantErrors(t, `stages:
  - id: open
    next: [open, done]
    deadline: adoptoin + 2mo
  - id: stuck
  - id: done
    final: true
    deadline: report
    only_status: [accepted]
`,
		`followup.yaml:3:12: stages[0].next[0]: a stage cannot move to itself`,
		`followup.yaml:4:15: stages[0].deadline: invalid deadline "adoptoin + 2mo": unknown starting point "adoptoin"; expected one of: adoption, report, follow_up, import, optionally followed by + or - and a span such as 3mo`,
		`followup.yaml:5:5: stages[1]: a stage that is not final needs next stages (where its tasks can move)`,
		`followup.yaml:8:15: stages[2].deadline: a final stage closes the task, so it has no deadline`,
		`followup.yaml:9:19: stages[2].only_status[0]: unknown status "accepted"; expected one of: supported, noted, pending`)
}

func TestAllErrorsInFileOrder(t *testing.T) {
	// Sections are checked in dependency order (mail last, time zone
	// first) but reported in file order, one per line.
	wantErrors(t, `mail:
  from: not an address
ministries:
  - id: MPS
    name: Ministry of Public Security
    focal_points: [{email: border@mps.example.org}]
time_zone: Asia/Vientian
schedules:
  reminders: CRON_TZ=UTC
unknown: 1
`,
		`followup.yaml:2:9: mail.from: invalid e-mail address "not an address"`,
		`followup.yaml:4:9: ministries[0].id: invalid id "MPS"; expected 1 to 32 lowercase letters, digits, "-" or "_", starting with a letter`,
		`followup.yaml:7:12: time_zone: unknown time zone "Asia/Vientian"; expected an IANA name such as Asia/Vientiane`,
		`followup.yaml:9:14: schedules.reminders: invalid cron spec "CRON_TZ=UTC": time zone prefix without fields; expected 5 fields (minute hour day-of-month month day-of-week) or a descriptor such as @daily`,
		`followup.yaml:10:1: unknown key "unknown"; expected one of: time_zone, database, documents, coordinator, ministries, reports, stages, initial_stage, assignment, tags, special_procedures, reminders, schedules, digests, mail, web`)
}

func TestYAMLOddities(t *testing.T) {
	wantErrors(t, "- just\n- a list\n",
		`followup.yaml:1:1: expected a mapping (key: value lines), found a list`)
	wantErrors(t, "time_zone: UTC\n---\ntime_zone: UTC\n",
		`followup.yaml:2:1: malformed YAML: found a second document (---); the config is one document`)
	wantErrors(t, "documents: [*nope]\n",
		`followup.yaml:1:13: malformed YAML: alias *nope refers to no anchor &nope defined above it`)
}

func TestReadError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.yaml")
	_, err := Load(path, LoadOptions{})
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load(missing) = %v, want an fs.ErrNotExist", err)
	}
	if want := "read config " + path + ": "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not start with %q", err, want)
	}
	var es Errors
	if errors.As(err, &es) {
		t.Errorf("an I/O error must not be a list of config errors")
	}
}

// TestControlCharactersInNames (issue 10, case 13): names, units and the
// sender go into mail headers; a control character there is refused, at
// its place in the file.
func TestControlCharactersInNames(t *testing.T) {
	wantErrors(t, `time_zone: UTC
coordinator:
  id: ncmc
  name: "National Commission\tfor Mothers and Children"
  focal_points: [{name: Secretariat, email: s@ncmc.example.org}]
ministries:
  - id: mps
    name: Ministry of Public Security
    focal_points:
      - {name: "Border\u0085Police", unit: "Department\r\nBcc: x@evil.example", email: border@mps.example.org}
mail:
  from: "Follow-up\u2028<followup@example.org>"
`,
		`followup.yaml:4:9: coordinator.name: contains a control character (U+0009 at byte 19); names go into e-mail headers: write them on one line, without tabs or line breaks`,
		`followup.yaml:10:16: ministries[0].focal_points[0].name: contains a control character (U+0085 at byte 6); names go into e-mail headers: write them on one line, without tabs or line breaks`,
		`followup.yaml:10:44: ministries[0].focal_points[0].unit: contains a control character (U+000D at byte 10); names go into e-mail headers: write them on one line, without tabs or line breaks`,
		`followup.yaml:12:9: mail.from: contains a control character (U+2028 at byte 9); names go into e-mail headers: write them on one line, without tabs or line breaks`)
}

// TestPasswordFileReadableByOthers (issue 10, case 13): a password file
// other users can read is refused, at the line of password_file.
func TestPasswordFileReadableByOthers(t *testing.T) {
	path := writeConfig(t, `mail:
  transport: smtp
  smtp:
    host: smtp.example.org
    username: followup
    password_file: smtp-password
`)
	pw := filepath.Join(filepath.Dir(path), "smtp-password")
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		if err := os.WriteFile(pw, []byte("secret\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(pw, mode); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path, LoadOptions{})
		want := fmt.Sprintf(":6:20: mail.smtp.password_file: password file %s can be read by other users (mode %04o); make it readable by the daemon's user only: chmod 600 %s", pw, mode, pw)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("mode %04o: %v", mode, err)
		}
	}
	os.Chmod(pw, 0o400)
	if _, err := Load(path, LoadOptions{}); err != nil {
		t.Errorf("mode 0400: %v", err)
	}
}

func TestReportKindAndWordLimit(t *testing.T) {
	wantErrors(t, `reports:
  - id: crc-next
    due: 2028-01-31
    kind: periodical
    word_limit: -5
`,
		`followup.yaml:4:11: reports[0].kind: unknown kind of report "periodical"; expected one of: periodic, initial, upr, upr-mid-term`,
		`followup.yaml:5:17: reports[0].word_limit: -5 is out of range; expected a whole number from 0 to 1000000`)

	for _, tc := range []struct {
		text string
		kind string
		want int
	}{
		{"", "periodic", 21200},
		{"    kind: initial\n", "initial", 31800},
		{"    kind: upr\n", "upr", 10700},
		{"    kind: upr-mid-term\n", "upr-mid-term", 0},
		{"    kind: upr\n    word_limit: 5000\n", "upr", 5000},
	} {
		c, err := Load(writeConfig(t, "reports:\n  - id: r\n    due: 2028-01-31\n"+tc.text), LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if r := c.Reports[0]; r.Kind != tc.kind || r.WordLimit != tc.want {
			t.Errorf("%q: kind %q limit %d, want %q %d", tc.text, r.Kind, r.WordLimit, tc.kind, tc.want)
		}
	}
}

func TestStageLabels(t *testing.T) {
	wantErrors(t, `stages:
  - id: open
    labels: {fr: Ouverte, es: "", "not a tag": x}
    next: [done]
  - id: done
    labels: [Terminée]
    final: true
`,
		`followup.yaml:3:31: stages[0].labels.es: expected the stage's name in this language`,
		`followup.yaml:3:35: stages[0].labels.not a tag: invalid language tag "not a tag"; expected a code such as fr, es or lo`,
		`followup.yaml:6:13: stages[1].labels: expected a mapping of language to name, e.g. labels: {fr: Attribuée, lo: ມອບໝາຍແລ້ວ}; found a list`)

	// Labels of the file, the built-in ones for a built-in stage the file
	// writes as it is, and none for a renamed one.
	c, err := Load(writeConfig(t, `stages:
  - id: assigned
    name: Assigned
    labels: {fr: Confiée}
    next: [in_progress]
  - id: in_progress
    name: Under way
    next: [reported]
  - id: reported
    final: true
    labels: {lo-LA: ລາຍງານແລ້ວ}
`), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ stage, lang, want string }{
		{"assigned", "fr", "Confiée"},
		{"assigned", "fr-CA", "Confiée"},
		{"assigned", "es", "Asignada"},
		{"assigned", "lo", "ມອບໝາຍແລ້ວ"},
		{"assigned", "de", "Assigned"},
		{"in_progress", "fr", "Under way"},
		{"reported", "lo-LA", "ລາຍງານແລ້ວ"},
		{"reported", "lo", "reported"},
	} {
		s, _ := c.Stage(tc.stage)
		if got := s.Label(tc.lang); got != tc.want {
			t.Errorf("%s in %s: %q, want %q", tc.stage, tc.lang, got, tc.want)
		}
	}
	// config show writes them, and reads them back the same.
	out := c.Show()
	for _, want := range []string{"labels:\n      es: \"Asignada\"\n      fr: \"Confiée\"", `lo-la: "ລາຍງານແລ້ວ"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("config show lacks %q:\n%s", want, out)
		}
	}
	back, err := Parse("shown.yaml", out, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range c.Stages {
		if !reflectEqual(c.Stages[i].Labels, back.Stages[i].Labels) {
			t.Errorf("stage %s: labels %v after show and parse, want %v", c.Stages[i].ID, back.Stages[i].Labels, c.Stages[i].Labels)
		}
	}
}

func reflectEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestBrokenTreeHidesNothing: an alias to no anchor, a merge key or a
// second document is reported with the file's other mistakes, not alone
// (the walker reads on around it), and causes no second error of its own
// (the mapping that lost its merged keys is not said to miss them).
func TestBrokenTreeHidesNothing(t *testing.T) {
	wantErrors(t, `documents: [*nope]
digests:
  max_listed: 0
ministries:
  - id: mps
    <<: {name: Ministry of Public Security}
    focal_points: [{email: border@mps.example.org}]
  - id: moj
    name: *gone
    focal_points: [{email: not an address}]
---
time_zone: UTC
`,
		`followup.yaml:1:13: malformed YAML: alias *nope refers to no anchor &nope defined above it`,
		`followup.yaml:3:15: digests.max_listed: 0 is out of range; expected a whole number from 1 to 10000`,
		`followup.yaml:6:5: malformed YAML: merge keys (<<) are not supported; write the keys out`,
		`followup.yaml:9:11: malformed YAML: alias *gone refers to no anchor &gone defined above it`,
		`followup.yaml:10:28: ministries[1].focal_points[0].email: invalid e-mail address "not an address"`,
		`followup.yaml:11:1: malformed YAML: found a second document (---); the config is one document`)
}

// TestCheckReturnsWhatItCouldRead: Check gives the mistakes and the config
// as far as it could be read, for the checks that need one; Load and Parse
// give no config with mistakes; a syntax error gives none either.
func TestCheckReturnsWhatItCouldRead(t *testing.T) {
	path := writeConfig(t, "time_zone: Asia/Vientiane\nministries:\n  - id: moj\n    name: Ministry of Justice\n    language: de\n    focal_points: []\ndigests: {max_listed: many}\n")
	c, err := Check(path, LoadOptions{})
	var es Errors
	if !errors.As(err, &es) || len(es) != 2 {
		t.Fatalf("Check: %v, want 2 Errors", err)
	}
	if c == nil || c.TimeZone != "Asia/Vientiane" || len(c.Ministries) != 1 || c.Ministries[0].Language != "de" ||
		c.Ministries[0].LanguageAt.Line != 5 || c.Digests.MaxListed != 50 || c.Path != path {
		t.Errorf("Check's config: %+v", c)
	}
	if c, err := Load(path, LoadOptions{}); c != nil || err == nil {
		t.Errorf("Load: %v, %v; want no config and the errors", c, err)
	}
	if c, err := Check(writeConfig(t, "time_zone: [UTC\n"), LoadOptions{}); c != nil || err == nil {
		t.Errorf("Check of a syntax error: %v, %v", c, err)
	}
	if _, err := Check(filepath.Join(t.TempDir(), "none.yaml"), LoadOptions{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Check of no file: %v", err)
	}
	if c, err := Check(writeConfig(t, "time_zone: UTC\n"), LoadOptions{}); c == nil || err != nil {
		t.Errorf("Check of a good file: %v, %v", c, err)
	}
}

func TestErrorsMerge(t *testing.T) {
	a := Errors{{File: "f", Line: 3, Column: 1, Msg: "a"}, {File: "f", Line: 9, Column: 2, Msg: "b"}}
	b := Errors{{File: "f", Line: 9, Column: 2, Msg: "same place"}, {File: "f", Line: 1, Column: 1, Msg: "c"}, {File: "f", Msg: "whole file"}}
	got := a.Merge(b).Error()
	if want := "f: whole file\nf:1:1: c\nf:3:1: a\nf:9:2: b"; got != want {
		t.Errorf("Merge:\n%s\nwant:\n%s", got, want)
	}
}
