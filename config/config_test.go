package config

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
)

func mustLoad(t *testing.T, path string, opts LoadOptions) *Config {
	t.Helper()
	c, err := Load(path, opts)
	if err != nil {
		t.Fatalf("Load(%s):\n%v", path, err)
	}
	return c
}

// comparable returns a copy of c without the values reflect.DeepEqual
// cannot compare meaningfully (a loaded *time.Location, a parsed cron
// schedule, a compiled regexp), and their text instead.
func comparable(c *Config) (Config, []string) {
	cp := *c
	texts := []string{cp.Location.String()}
	// Where a language is written is not part of what the config says.
	cp.Coordinator.LanguageAt = Pos{}
	cp.Ministries = append([]Body(nil), c.Ministries...)
	for i := range cp.Ministries {
		cp.Ministries[i].LanguageAt = Pos{}
	}
	cp.asksAt = nil
	cp.Location = nil
	for _, s := range []*Schedule{&cp.Schedules.Reminders, &cp.Schedules.CoordinatorDigest, &cp.Schedules.MinistryDigest} {
		if s.Schedule == nil {
			texts = append(texts, "nil schedule "+s.Spec)
		}
		s.Schedule = nil
	}
	cp.Assignment.Rules = append([]Rule(nil), c.Assignment.Rules...)
	for i := range cp.Assignment.Rules {
		if re := cp.Assignment.Rules[i].Regex; re != nil {
			texts = append(texts, re.String())
		}
		cp.Assignment.Rules[i].Regex = nil
	}
	return cp, texts
}

func assertSame(t *testing.T, got, want *Config) {
	t.Helper()
	g, gt := comparable(got)
	w, wt := comparable(want)
	if !reflect.DeepEqual(g, w) || !reflect.DeepEqual(gt, wt) {
		t.Errorf("configs differ:\n got: %+v %v\nwant: %+v %v", g, gt, w, wt)
	}
}

func TestDefaultIsValid(t *testing.T) {
	d := Default()
	if d.Path != "" || d.Dir != "" {
		t.Errorf("Default Path, Dir = %q, %q; want empty", d.Path, d.Dir)
	}
	if d.Database != "followup.db" || d.Mail.Dir != "mail" {
		t.Errorf("Default paths = %q, %q; want relative to the working directory", d.Database, d.Mail.Dir)
	}
	for _, s := range d.Stages {
		if !s.Final && s.Deadline == nil && (s.ID == "assigned" || s.ID == "acknowledged" || s.ID == "in_progress") {
			t.Errorf("default stage %s lost its deadline", s.ID)
		}
	}
	// Show's output of the defaults loads, and gives the defaults back.
	c, err := Parse("followup.yaml", d.Show(), LoadOptions{})
	if err != nil {
		t.Fatalf("Parse(Default().Show()):\n%v\n%s", err, d.Show())
	}
	c.Path, c.Dir = "", ""
	assertSame(t, c, d)
}

func TestMinimalFileGetsDefaults(t *testing.T) {
	path := writeConfig(t, "time_zone: Asia/Vientiane\n")
	c := mustLoad(t, path, LoadOptions{})
	dir := filepath.Dir(path)

	want := Default()
	want.Path, want.Dir = path, dir
	want.TimeZone = "Asia/Vientiane"
	want.Location, _ = time.LoadLocation("Asia/Vientiane")
	want.Database = filepath.Join(dir, "followup.db")
	want.Mail.Dir = filepath.Join(dir, "mail")
	want.Web.SecretFile = filepath.Join(dir, "followup-web.key")
	assertSame(t, c, want)

	if got := c.Reminders.LeadTimes; !reflect.DeepEqual(got, []civil.Span{{Days: 30}, {Days: 14}, {Days: 7}, {Days: 1}}) {
		t.Errorf("lead times = %v", got)
	}
	if c.InitialStage != "assigned" || len(c.Stages) != 8 {
		t.Errorf("stages: initial %q, %d stages", c.InitialStage, len(c.Stages))
	}
	if c.Coordinator.ID != "coordinator" || c.Coordinator.FocalPoints[0].Email != "coordinator@example.org" {
		t.Errorf("coordinator = %+v", c.Coordinator)
	}
	if c.Schedules.Grace != 36*time.Hour || c.Schedules.Heartbeat != 30*time.Second {
		t.Errorf("schedules = %+v", c.Schedules)
	}
	if c.Mail.SMTP.Port != 587 || c.Mail.SMTP.TLS != "starttls" || c.Mail.Retry.MaxAttempts != 10 {
		t.Errorf("mail = %+v", c.Mail)
	}
}

func TestEmptyFileIsTheDefaults(t *testing.T) {
	for _, text := range []string{"", "# only a comment\n", "---\n"} {
		c, err := Parse("followup.yaml", []byte(text), LoadOptions{})
		if err != nil {
			t.Fatalf("Parse(%q): %v", text, err)
		}
		c.Path, c.Dir = "", ""
		assertSame(t, c, Default())
	}
}

func TestCronSpecsRunInTheConfigZone(t *testing.T) {
	path := writeConfig(t, `time_zone: Asia/Vientiane
schedules:
  reminders: "0 8 * * 1-5"
  coordinator_digest: "CRON_TZ=UTC 0 8 * * 1"
  ministry_digest: "@daily"
`)
	c := mustLoad(t, path, LoadOptions{})
	// Monday 6 January 2025, midnight UTC, is 07:00 in Vientiane (UTC+7).
	from := time.Date(2025, time.January, 6, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		s    Schedule
		spec string
		want time.Time
	}{
		// 08:00 in Vientiane is 01:00 UTC.
		{c.Schedules.Reminders, "0 8 * * 1-5", time.Date(2025, time.January, 6, 1, 0, 0, 0, time.UTC)},
		// Its own prefix wins over time_zone.
		{c.Schedules.CoordinatorDigest, "CRON_TZ=UTC 0 8 * * 1", time.Date(2025, time.January, 6, 8, 0, 0, 0, time.UTC)},
		// Midnight in Vientiane is 17:00 UTC the day before.
		{c.Schedules.MinistryDigest, "@daily", time.Date(2025, time.January, 6, 17, 0, 0, 0, time.UTC)},
	} {
		if tc.s.Spec != tc.spec {
			t.Errorf("Spec = %q, want it as written: %q", tc.s.Spec, tc.spec)
		}
		if got := tc.s.Schedule.Next(from); !got.Equal(tc.want) {
			t.Errorf("%s: Next(%v) = %v, want %v", tc.spec, from, got.UTC(), tc.want)
		}
	}
}

func TestDefaultSchedulesFollowTimeZone(t *testing.T) {
	c := mustLoad(t, writeConfig(t, "time_zone: Asia/Vientiane\n"), LoadOptions{})
	from := time.Date(2025, time.January, 6, 0, 0, 0, 0, time.UTC)
	if got, want := c.Schedules.Reminders.Schedule.Next(from), time.Date(2025, time.January, 6, 1, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("default reminders schedule: Next = %v, want %v", got.UTC(), want)
	}
}

const secret = "s3cr3t-Hunter2-\u0ea5\u0eb2\u0ea7-zz9"

func TestPasswordFromEnv(t *testing.T) {
	path := writeConfig(t, `mail:
  transport: smtp
  smtp:
    host: smtp.example.org
    username: followup
    password_env: FOLLOWUP_SMTP_PASSWORD
`)
	env := map[string]string{"FOLLOWUP_SMTP_PASSWORD": secret}
	c := mustLoad(t, path, LoadOptions{Getenv: func(k string) string { return env[k] }})
	if c.Mail.SMTP.Password != secret {
		t.Errorf("Password = %q, want the variable's value", c.Mail.SMTP.Password)
	}
	if c.Mail.SMTP.Port != 587 {
		t.Errorf("Port = %d, want 587", c.Mail.SMTP.Port)
	}
	assertRedacted(t, c, "the environment variable FOLLOWUP_SMTP_PASSWORD")

	// No environment at all: the variable is unset.
	got := loadErrors(t, "mail:\n  smtp:\n    username: u\n    password_env: FOLLOWUP_SMTP_PASSWORD\n", LoadOptions{})
	if want := `followup.yaml:4:19: mail.smtp.password_env: environment variable FOLLOWUP_SMTP_PASSWORD is not set or empty`; len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPasswordFromFile(t *testing.T) {
	path := writeConfig(t, `mail:
  transport: smtp
  smtp:
    host: smtp.example.org
    tls: tls
    username: followup
    password_file: secrets/smtp-password
`)
	dir := filepath.Dir(path)
	if err := os.Mkdir(filepath.Join(dir, "secrets"), 0o700); err != nil {
		t.Fatal(err)
	}
	pwFile := filepath.Join(dir, "secrets", "smtp-password")
	if err := os.WriteFile(pwFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := mustLoad(t, path, LoadOptions{})
	if c.Mail.SMTP.Password != secret {
		t.Errorf("Password = %q, want the file's content without the newline", c.Mail.SMTP.Password)
	}
	if c.Mail.SMTP.PasswordFile != pwFile {
		t.Errorf("PasswordFile = %q, want it resolved against the config's folder: %q", c.Mail.SMTP.PasswordFile, pwFile)
	}
	if c.Mail.SMTP.Port != 465 {
		t.Errorf("Port = %d, want 465 for implicit TLS", c.Mail.SMTP.Port)
	}
	assertRedacted(t, c, "the file "+pwFile)

	if err := os.Remove(pwFile); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), ":7:20: mail.smtp.password_file: cannot read password file: stat "+pwFile+": no such file or directory") {
		t.Errorf("missing password file: %v", err)
	}
}

// assertRedacted checks that Show never prints the password but says where
// it came from, and that its output loads back to the same Config.
func assertRedacted(t *testing.T, c *Config, source string) {
	t.Helper()
	out := c.Show()
	if bytes.Contains(out, []byte(secret)) || bytes.Contains(out, []byte("Hunter2")) {
		t.Fatalf("Show leaks the password:\n%s", out)
	}
	if want := "    # password: <redacted> (loaded from " + source + ")\n"; !bytes.Contains(out, []byte(want)) {
		t.Errorf("Show lacks %q:\n%s", want, out)
	}
	c2, err := Parse(c.Path, out, LoadOptions{Getenv: func(string) string { return secret }})
	if err != nil {
		t.Fatalf("Parse(Show()):\n%v\n%s", err, out)
	}
	assertSame(t, c2, c)
}

func TestExampleConfigLoads(t *testing.T) {
	const path = "../examples/lao-opsc/followup.yaml"
	c := mustLoad(t, path, LoadOptions{})
	if c.TimeZone != "Asia/Vientiane" || c.Coordinator.ID != "ncmc" {
		t.Errorf("time zone %q, coordinator %q", c.TimeZone, c.Coordinator.ID)
	}
	if got, want := len(c.Ministries), 13; got != want {
		t.Errorf("%d ministries, want %d", got, want)
	}
	if want := filepath.Join("../examples/lao-opsc", "sample-co.txt"); len(c.Documents) != 1 || c.Documents[0] != want {
		t.Errorf("Documents = %q, want [%q]", c.Documents, want)
	}
	if len(c.Reports) != 1 || c.Reports[0].Due != civil.D(2028, time.January, 31) || len(c.Reports[0].Milestones) != 3 {
		t.Errorf("Reports = %+v", c.Reports)
	}
	// Written out explicitly, the stages are the built-in ones, but for the
	// first deadline: three weeks, so the quick start shows reminders at once.
	want := defaultStages()
	want[0].Deadline, _ = parseAnchor("import + 3w")
	if !reflect.DeepEqual(c.Stages, want) {
		t.Errorf("example stages differ from the defaults:\n%+v", c.Stages)
	}
	// Show round-trips on a full, real config.
	c2, err := Parse(path, c.Show(), LoadOptions{})
	if err != nil {
		t.Fatalf("Parse(Show()):\n%v", err)
	}
	assertSame(t, c2, c)
	if !bytes.Equal(c2.Show(), c.Show()) {
		t.Errorf("Show is not stable")
	}
}

// The example's commented-out smtp block must work once the admin removes
// the "# " in front of its lines, as its comment tells them to.
func TestExampleSMTPBlockUncommented(t *testing.T) {
	data, err := os.ReadFile("../examples/lao-opsc/followup.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case line == "  # smtp:":
			in = true
		case in && strings.TrimSpace(line) == "":
			in = false
		}
		if in {
			line = strings.Replace(line, "# ", "", 1)
		}
		if line == "  transport: file" {
			line = "  transport: smtp"
		}
		out = append(out, line)
	}
	text := strings.Join(out, "\n")
	if !strings.Contains(text, "\n  smtp:\n    # The server's name") {
		t.Fatalf("did not find the smtp block to uncomment")
	}
	path := filepath.Join("../examples/lao-opsc", "followup.yaml")
	c, err := Parse(path, []byte(text), LoadOptions{Getenv: func(k string) string {
		if k == "FOLLOWUP_SMTP_PASSWORD" {
			return secret
		}
		return ""
	}})
	if err != nil {
		t.Fatalf("uncommented smtp block:\n%v", err)
	}
	if c.Mail.Transport != "smtp" || c.Mail.SMTP.Host != "smtp.ncmc.example.org" || c.Mail.SMTP.Password != secret {
		t.Errorf("mail = %+v", c.Mail)
	}
}

func TestShowQuotesAwkwardStrings(t *testing.T) {
	// Values a naive YAML writer would break: colons, #, quotes, "true",
	// numbers, backslashes, Lao text.
	path := writeConfig(t, `coordinator:
  id: ncmc
  name: "Commission: \"Mothers & Children\" #1"
  language: lo
  focal_points:
    - name: "ຄະນະກຳມະການແຫ່ງຊາດ"
      unit: "true"
      email: "Secretariat.NCMC+followup@ncmc.example.org"
ministries:
  - id: m1
    name: "123"
    focal_points: [{name: "a\\b", unit: "- x", email: a@b.example.org}]
assignment:
  rules:
    - ministry: m1
      regex: '(?i)\bnational (plan|strategy)\b'
      keywords: ["null", "~"]
`)
	c := mustLoad(t, path, LoadOptions{})
	if c.Coordinator.Name != `Commission: "Mothers & Children" #1` || c.Ministries[0].FocalPoints[0].Name != `a\b` {
		t.Fatalf("loaded %+v", c)
	}
	c2, err := Parse(path, c.Show(), LoadOptions{})
	if err != nil {
		t.Fatalf("Parse(Show()):\n%v\n%s", err, c.Show())
	}
	assertSame(t, c2, c)
}

func TestParseResolvesPathsAgainstTheFile(t *testing.T) {
	c, err := Parse("/etc/followup/followup.yaml", []byte(`database: data/followup.db
documents: [co.txt, /srv/docs/upr.txt]
mail:
  dir: ../mail
  templates: tmpl
`), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Dir != "/etc/followup" || c.Database != "/etc/followup/data/followup.db" ||
		!reflect.DeepEqual(c.Documents, []string{"/etc/followup/co.txt", "/srv/docs/upr.txt"}) ||
		c.Mail.Dir != "/etc/mail" || c.Mail.Templates != "/etc/followup/tmpl" {
		t.Errorf("paths: dir %q db %q docs %q mail %q templates %q", c.Dir, c.Database, c.Documents, c.Mail.Dir, c.Mail.Templates)
	}
}

func TestLeadTimesSortedLongestFirst(t *testing.T) {
	c, err := Parse("f.yaml", []byte("reminders:\n  lead_times: [1d, 1mo, 2w, 30d, 1y]\n"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []civil.Span{{Months: 12}, {Months: 1}, {Days: 30}, {Days: 14}, {Days: 1}}
	if !reflect.DeepEqual(c.Reminders.LeadTimes, want) {
		t.Errorf("LeadTimes = %v, want %v", c.Reminders.LeadTimes, want)
	}
	// An empty list means no reminders before the deadline.
	c, err = Parse("f.yaml", []byte("reminders:\n  lead_times: []\n"), LoadOptions{})
	if err != nil || c.Reminders.LeadTimes != nil {
		t.Errorf("empty lead_times: %v, %v", c.Reminders.LeadTimes, err)
	}
}

func TestAnchors(t *testing.T) {
	for text, want := range map[string]Anchor{
		"adoption + 2mo": {From: "adoption", Sign: 1, Span: civil.Span{Months: 2}, Text: "adoption + 2mo"},
		"report - 9mo":   {From: "report", Sign: -1, Span: civil.Span{Months: 9}, Text: "report - 9mo"},
		"follow_up":      {From: "follow_up", Sign: 1, Text: "follow_up"},
		"import+30d":     {From: "import", Sign: 1, Span: civil.Span{Days: 30}, Text: "import+30d"},
	} {
		got, err := parseAnchor(text)
		if err != nil || *got != want {
			t.Errorf("parseAnchor(%q) = %+v, %v; want %+v", text, got, err, want)
		}
	}
}

func TestYAMLAnchorsAndAliases(t *testing.T) {
	c, err := Parse("f.yaml", []byte(`ministries:
  - id: moj
    name: Ministry of Justice
    focal_points: &shared
      - {name: Desk, email: desk@gov.example.org}
  - id: mps
    name: Ministry of Public Security
    focal_points: *shared
`), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Ministries) != 2 || c.Ministries[1].FocalPoints[0].Email != "desk@gov.example.org" {
		t.Errorf("ministries = %+v", c.Ministries)
	}
}

// A config named by a relative path (as the README's quick start runs it)
// has its paths resolved against its folder once: the web section's
// default key was resolved twice (examples/x/examples/x/followup-web.key),
// and the daemon could not create it.
func TestRelativeConfigPathResolvesOnce(t *testing.T) {
	for text, want := range map[string]string{
		"":                                  "ex/lao/followup-web.key",
		"web:\n  listen: 127.0.0.1:8080\n":  "ex/lao/followup-web.key",
		"web:\n  secret_file: keys/k.key\n": "ex/lao/keys/k.key",
		"web:\n  secret_file: /srv/k.key\n": "/srv/k.key",
	} {
		c, err := Parse("ex/lao/followup.yaml", []byte("database: f.db\n"+text), LoadOptions{})
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if c.Web.SecretFile != want || c.Database != "ex/lao/f.db" {
			t.Errorf("%q: secret_file %q database %q, want %q and ex/lao/f.db", text, c.Web.SecretFile, c.Database, want)
		}
	}
}
