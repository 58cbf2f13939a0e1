package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// testLanguages gives four ministries of the example config the four
// languages followup ships templates for.
var testLanguages = map[string]string{"moes": "en", "mps": "fr", "moj": "es", "moha": "lo"}

// setLanguages rewrites the language: of the ministries in langs, in the
// text of a config file.
func setLanguages(t *testing.T, yaml string, langs map[string]string) string {
	t.Helper()
	for id, lang := range langs {
		re := regexp.MustCompile(`(?s)(- id: ` + regexp.QuoteMeta(id) + `\n.*?\n\s+language: )\w+`)
		if !re.MatchString(yaml) {
			t.Fatalf("no language: for %s in the example config", id)
		}
		yaml = re.ReplaceAllString(yaml, "${1}"+lang)
	}
	return yaml
}

// languageSetup is exampleSetup with the ministries of testLanguages in
// their languages.
func languageSetup(t *testing.T, seed string, at time.Time) (*cli, string) {
	t.Helper()
	c := newCLI(t)
	for _, f := range []string{"followup.yaml", "sample-co.txt"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", "lao-opsc", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "followup.yaml" {
			b = []byte(setLanguages(t, string(b), testLanguages))
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

// TestPreviewLanguages: a reminder and a ministry's overview in each
// language, for the seed's tasks under the example config, compared with
// testdata/preview-lang-LANG.golden.
func TestPreviewLanguages(t *testing.T) {
	seed := seedPath(t)
	loc, _ := time.LoadLocation("Asia/Vientiane")
	c, cfg := languageSetup(t, seed, time.Date(2026, 12, 1, 7, 0, 0, 0, loc))
	// The first of a month: reminders and the ministries' overviews.
	var js jsonPreview
	if err := json.Unmarshal([]byte(c.mustRun("preview", "--config", cfg, "--at", "2027-02-01 08:00", "--json")), &js); err != nil {
		t.Fatal(err)
	}
	for id, lang := range testLanguages {
		t.Run(lang, func(t *testing.T) {
			var b strings.Builder
			kinds := map[string]bool{}
			for _, m := range js.Messages {
				if m.Recipient != id || (m.Kind != "reminder" && m.Kind != "ministry-digest") {
					continue
				}
				kinds[m.Kind] = true
				b.WriteString("----- " + m.Kind + " to " + id + " -----\nSubject: " + m.Subject + "\n\n" + m.Text + "\n")
			}
			if !kinds["reminder"] || !kinds["ministry-digest"] {
				t.Fatalf("want a reminder and an overview for %s, got %v", id, kinds)
			}
			golden(t, filepath.Join("testdata", "preview-lang-"+lang+".golden"), b.String())
		})
	}
}

// TestMailLanguageHeaders: the .eml files the daemon writes say their
// language (Content-Language, <html lang>), and a Lao subject is encoded
// (RFC 2047) so that it reads back exactly.
func TestMailLanguageHeaders(t *testing.T) {
	seed := seedPath(t)
	loc, _ := time.LoadLocation("Asia/Vientiane")
	// The daemon's first heartbeat runs every schedule: the ministries get
	// their overviews, as .eml files in the example's mail folder.
	c, _ := languageSetup(t, seed, time.Date(2026, 12, 1, 7, 0, 0, 0, loc))
	files, err := filepath.Glob(filepath.Join(c.dir, "mail", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .eml written (%v)", err)
	}
	sort.Strings(files)
	seen := map[string]bool{}
	dec := new(mime.WordDecoder)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		lang := msg.Header.Get("Content-Language")
		if lang == "" {
			t.Errorf("%s: no Content-Language header", filepath.Base(f))
			continue
		}
		seen[lang] = true
		rawSubject := msg.Header.Get("Subject")
		for _, r := range rawSubject {
			if r > 0x7e {
				t.Errorf("%s: the Subject header is not 7-bit (RFC 2047 encoding missing): %q", filepath.Base(f), rawSubject)
				break
			}
		}
		subject, err := dec.DecodeHeader(rawSubject)
		if err != nil {
			t.Errorf("%s: subject %q: %v", filepath.Base(f), rawSubject, err)
		}
		html := findPart(t, raw, "text/html")
		if !strings.Contains(html, `<html lang="`+lang+`">`) {
			t.Errorf("%s: Content-Language %s but the HTML does not declare lang=%q", filepath.Base(f), lang, lang)
		}
		if lang == "lo" && strings.HasPrefix(filepath.Base(f), "reminder_") {
			// The calendar attached to a Lao reminder names its deadlines
			// in Lao too, after the ministry's name (lines of an .ics are
			// folded at 75 octets).
			ics := strings.ReplaceAll(findPart(t, raw, "text/calendar"), "\r\n ", "")
			if !regexp.MustCompile(`(?m)^SUMMARY:[^\r\n]*: ມອບໝາຍແລ້ວ → ຮັບຊາບແລ້ວ`).MatchString(ics) {
				t.Errorf("%s: the calendar's events are not in Lao:\n%s", filepath.Base(f), ics)
			}
			seen["lo-ics"] = true
		}
		if lang == "lo" {
			// The ministry's overview: "[followup] NAME: ບົດສະຫຼຸບ ວັນທີ …".
			if !strings.Contains(subject, "ບົດສະຫຼຸບ ວັນທີ") && !strings.Contains(subject, "ໜ້າວຽກ") {
				t.Errorf("%s: Lao subject decoded as %q", filepath.Base(f), subject)
			}
			if !strings.Contains(rawSubject, "=?UTF-8?") && !strings.Contains(rawSubject, "=?utf-8?") {
				t.Errorf("%s: Lao subject not RFC 2047-encoded: %q", filepath.Base(f), rawSubject)
			}
		}
	}
	for _, lang := range []string{"en", "fr", "es", "lo", "lo-ics"} {
		if !seen[lang] {
			t.Errorf("no message in %s among %d files (seen %v)", lang, len(files), seen)
		}
	}
}

// findPart returns the decoded body of the first part of a multipart
// message (raw) whose type starts with ct.
func findPart(t *testing.T, raw []byte, ct string) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var find func(r io.Reader, h textproto.MIMEHeader) string
	find = func(r io.Reader, h textproto.MIMEHeader) string {
		mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
		if err != nil {
			t.Fatalf("content type %q: %v", h.Get("Content-Type"), err)
		}
		if strings.HasPrefix(mt, ct) {
			if strings.EqualFold(h.Get("Content-Transfer-Encoding"), "base64") {
				r = base64.NewDecoder(base64.StdEncoding, r)
			}
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		if !strings.HasPrefix(mt, "multipart/") {
			return ""
		}
		mr := multipart.NewReader(r, params["boundary"])
		for {
			p, err := mr.NextPart() // decodes quoted-printable parts
			if err == io.EOF {
				return ""
			}
			if err != nil {
				t.Fatal(err)
			}
			if s := find(p, p.Header); s != "" {
				return s
			}
		}
	}
	return find(msg.Body, textproto.MIMEHeader(msg.Header))
}

// deConfig is a small valid config but for a ministry in German, for which
// followup has no templates.
const deConfig = `coordinator:
  id: ncmc
  name: National Commission
  language: en
  focal_points:
    - email: secretariat@ncmc.example.org
ministries:
  - id: moj
    name: Ministry of Justice
    language: de
    focal_points:
      - email: legislation@moj.example.org
`

// TestConfigCheckRefusesLanguageWithoutTemplates: `config check` refuses a
// ministry whose language has no templates, at its language: value, and
// writes nothing; the daemon refuses to start on it.
func TestConfigCheckRefusesLanguageWithoutTemplates(t *testing.T) {
	c := newCLI(t)
	cfg := c.write("followup.yaml", []byte(deConfig))
	out, errs, code := c.run("config", "check", cfg)
	if code != 1 || !strings.Contains(out, "FAILED: 1 error(s)") {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	want := cfg + `:10:15: ministries[0].language: no mail templates for language "de"; followup has templates for en, es, fr, lo`
	if !strings.HasPrefix(errs, want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("stderr:\n%s\nwant one line starting with\n%s", errs, want)
	}
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("config check wrote files: %v", names)
	}

	// The daemon does not start on it.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	e := &environment{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }, now: time.Now}
	if code := run(ctx, []string{"run", "--config", cfg}, e); code == 0 || ctx.Err() != nil {
		t.Errorf("run: exit %d (context: %v)", code, ctx.Err())
	}
	if !strings.Contains(stderr.String()+stdout.String(), `ministries[0].language: no mail templates for language \"de\"`) &&
		!strings.Contains(stderr.String()+stdout.String(), `ministries[0].language: no mail templates for language "de"`) {
		t.Errorf("run does not say why:\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
	}

	// With German templates in the override folder, it is fine.
	if err := os.Mkdir(filepath.Join(c.dir, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"reminder", "ministry-digest"} {
		c.write("templates/"+k+".de.txt", []byte("{{define \"subject\"}}Erinnerung{{end}}{{define \"body\"}}Sehr geehrte Damen und Herren,{{end}}"))
	}
	c.write("followup.yaml", []byte(deConfig+"mail:\n  templates: templates\n"))
	// The web pages are not written in German: config check says they are
	// English, without failing.
	if out := c.mustRun("config", "check", cfg); !strings.Contains(out, "OK") ||
		!strings.Contains(out, "note: the web pages of moj (de) are in English") {
		t.Errorf("with German templates: %q", out)
	}
}

// TestReloadRefusesLanguageWithoutTemplates: a reload to a config with a
// ministry in a language without templates is refused; the previous config
// stays in force.
func TestReloadRefusesLanguageWithoutTemplates(t *testing.T) {
	seed := seedPath(t)
	loc, _ := time.LoadLocation("Asia/Vientiane")
	start := time.Date(2026, 12, 1, 7, 0, 0, 0, loc)
	_, cfg := languageSetup(t, seed, start)
	fc := clockwork.NewFakeClockAt(start.Add(time.Hour))
	td := startDaemon(t, cfg, fc, nil)
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(setLanguages(t, string(b), map[string]string{"mps": "de"})), 0o600); err != nil {
		t.Fatal(err)
	}
	td.reload <- struct{}{}
	td.advanceTo(start.Add(time.Hour + time.Minute))
	td.advanceTo(start.Add(time.Hour + 2*time.Minute))
	if m, _ := td.d.Config().Ministry("mps"); m.Language != "fr" {
		t.Errorf("mps speaks %q after the refused reload, want fr", m.Language)
	}
	logs := td.logs.String()
	if !strings.Contains(logs, "config reload refused") || !strings.Contains(logs, `language \"de\"`) {
		t.Errorf("the refusal is not logged with its reason:\n%s", logs)
	}
}
