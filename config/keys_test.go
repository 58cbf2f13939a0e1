package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// everyKey sets every key of the file to a value that is not its default.
const everyKey = `time_zone: Asia/Vientiane
database: data/f.db
documents: [doc1.txt, /abs/doc2.pdf]
coordinator:
  id: ncmc
  name: National Commission
  language: lo
  focal_points:
    - {name: Secretariat, unit: Office, email: sec@ncmc.example.org}
ministries:
  - id: mps
    name: Ministry of Public Security
    language: fr-CA
    focal_points:
      - {name: Border Police, unit: Border Department, email: border@mps.example.org}
  - id: moj
    name: Ministry of Justice
    focal_points:
      - {email: moj@example.org}
reports:
  - id: crc-next
    title: Next report
    due: 2028-01-31
    kind: upr
    word_limit: 500
    documents: [CRC/C/LAO/CO/5-6]
    milestones:
      - {name: Inputs, before: 9mo}
stages:
  - id: open
    name: Open
    labels: {fr: Ouvert}
    next: [closed, noted]
    deadline: import + 30d
    ask: Please answer the {coordinator} {by}.
    asks: {fr: "Veuillez répondre {by}."}
  - id: closed
    final: true
  - id: noted
    final: true
    only_status: [noted]
initial_stage: open
assignment:
  rules:
    - name: police
      ministry: mps
      support: [moj]
      sections: [Police]
      keywords: [border]
      regex: 'traffick(ing)?'
      themes: [Justice]
      affected_persons: [Children]
      sdgs: ["16.2", 5]
      documents: [CRC/C/LAO/CO/5-6]
  overrides:
    - {recommendation: "CRC/C/LAO/CO/5-6:12a", ministry: moj, support: [mps]}
tags:
  rules:
    - sections: [Police]
      keywords: [border]
      regex: 'traffick(ing)?'
      documents: [CRC/C/LAO/CO/5-6]
      themes: [Trafficking]
      affected_persons: [Migrants]
      sdgs: [16.2]
special_procedures:
  horizon: 2y
reminders:
  lead_times: [7d, 1mo, 2w]
  due_today: false
  overdue_every: 2w
  escalate_after: 2mo
schedules:
  reminders: "30 7 * * 1-5"
  coordinator_digest: "CRON_TZ=UTC 0 9 * * 1"
  ministry_digest: "@daily"
  grace: 12h
  heartbeat: 1m
digests:
  send_empty: true
  max_listed: 20
mail:
  from: Followup <followup@ncmc.example.org>
  transport: smtp
  dir: out/mail
  templates: tmpl
  smtp:
    host: smtp.example.org
    port: 2465
    tls: tls
    username: followup
    password_env: SMTP_PASSWORD
    timeout: 30s
    helo: ncmc.example.org
  retry:
    initial: 2m
    max: 3h
    max_attempts: 5
web:
  listen: 0.0.0.0:8443
  base_url: https://followup.example.org/
  secret_file: keys/web.key
  link_valid: 3mo
  tls_cert: cert.pem
  tls_key: key.pem
  public: true
  trusted_proxies: [10.0.0.0/8, 192.168.1.1]
`

// TestEveryFieldHasAKey: every field of the Config can be set from the
// file, so a field added without its row in a table (keys.go) fails here.
// A file that sets every key is loaded; each field must differ from its
// default (for a list of mappings, in at least one item), and Show's
// output must load back to the same Config.
func TestEveryFieldHasAKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "followup.yaml")
	getenv := func(k string) string {
		if k == "SMTP_PASSWORD" {
			return "s3cret-value"
		}
		return ""
	}
	c, err := Parse(path, []byte(everyKey), LoadOptions{Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	// password_file is the other way to set the password (tested by
	// TestPasswordFromFile), oauth2 the way without one
	// (TestOAuth2EveryField); web.acme replaces tls_cert and tls_key
	// (TestACMESettings); special_procedures.report is the other way to
	// give their deadlines (TestSpecialProceduresReport).
	unset := map[string]bool{"Mail.SMTP.PasswordFile": true, "Mail.SMTP.OAuth2": true, "Web.ACME": true, "SpecialProcedures.Report": true}
	var walk func(path string, got, def reflect.Value)
	walk = func(path string, got, def reflect.Value) {
		switch {
		case got.Kind() == reflect.Struct && got.Type().PkgPath() == "github.com/followup-app/followup/civil":
			// A date or a span: one value.
		case got.Kind() == reflect.Struct:
			for i := 0; i < got.NumField(); i++ {
				if f := got.Type().Field(i); f.IsExported() {
					walk(path+"."+f.Name, got.Field(i), def.Field(i))
				}
			}
			return
		case got.Kind() == reflect.Slice && got.Type().Elem().Kind() == reflect.Struct && got.Type().Elem().PkgPath() != "github.com/followup-app/followup/civil":
			if got.Len() == 0 {
				t.Errorf("%s: empty", strings.TrimPrefix(path, "."))
				return
			}
			et := got.Type().Elem()
			for i := 0; i < et.NumField(); i++ {
				if !et.Field(i).IsExported() {
					continue
				}
				set := false
				for j := 0; j < got.Len(); j++ {
					set = set || !got.Index(j).Field(i).IsZero()
				}
				if !set && !unset[path+"."+et.Field(i).Name] {
					t.Errorf("%s[].%s: no item sets it; does it have a key?", strings.TrimPrefix(path, "."), et.Field(i).Name)
				}
			}
			return
		}
		if unset[strings.TrimPrefix(path, ".")] {
			return
		}
		if reflect.DeepEqual(got.Interface(), def.Interface()) {
			t.Errorf("%s = %v, the default: does it have a key?", strings.TrimPrefix(path, "."), got.Interface())
		}
	}
	walk("", reflect.ValueOf(*c), reflect.ValueOf(*Default()))

	again, err := Parse(path, c.Show(), LoadOptions{Getenv: getenv})
	if err != nil {
		t.Fatalf("Show's output does not load: %v\n%s", err, c.Show())
	}
	assertSame(t, again, c)
	if strings.Contains(string(c.Show()), "s3cret-value") {
		t.Errorf("Show prints the password:\n%s", c.Show())
	}
}

// TestSecretNeverPrints: a Secret is <redacted> however it is printed,
// logged or encoded; Reveal gives it.
func TestSecretNeverPrints(t *testing.T) {
	s := Secret("hunter2")
	smtp := SMTP{Host: "relay", Username: "u", Password: s}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "password", s, "smtp", smtp)
	js, err := json.Marshal(smtp)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{
		fmt.Sprint(s), fmt.Sprintf("%s %v %q %+v %#v", s, s, s, s, s),
		fmt.Sprintf("%v %+v %#v", smtp, smtp, smtp), fmt.Errorf("login: %v", s).Error(),
		logged.String(), string(js),
	} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("the secret shows: %s", out)
		}
		if !strings.Contains(out, "redacted") {
			t.Errorf("no <redacted> in %s", out)
		}
	}
	if s.Reveal() != "hunter2" || Secret("").String() != "" {
		t.Errorf("Reveal = %q, empty String = %q", s.Reveal(), Secret("").String())
	}
}

// TestTablesListTheirKeys: the keys a section accepts are its rows, in
// order, hidden ones marked; an unknown key is refused with that list.
func TestTablesListTheirKeys(t *testing.T) {
	if got := strings.Join(smtpSection.names(), ","); !strings.HasPrefix(got, "host,port,tls,username,!password,password_env,password_file,") {
		t.Errorf("smtp keys: %s", got)
	}
	wantErrors(t, "digests:\n  max_listd: 5\n",
		`followup.yaml:2:3: digests: unknown key "max_listd"; expected one of: send_empty, max_listed`)
}
