package web

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/i18n"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/store"
)

// pageMsgIDs are the English sentences the pages and the code may show:
// the t calls of the templates, and in the package's code the sentences
// given to tr, fail and decision, the maps and lists of sentences and the
// messages assigned to a variable named msg.
func pageMsgIDs(t *testing.T) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	reT := regexp.MustCompile(`\{\{-?\s*(?:[^{}]*\()?t\s+("(?:[^"\\]|\\.)*")`)
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := fs.ReadFile(templateFiles, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range reT.FindAllStringSubmatch(string(b), -1) {
			s, err := strconv.Unquote(m[1])
			if err != nil {
				t.Fatalf("%s: %s: %v", n, m[1], err)
			}
			ids[s] = true
		}
	}
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	var parsed []*ast.File
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || false {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, sp := range g.Specs {
					vs := sp.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if i < len(vs.Values) {
							if s, ok := stringLit(vs.Values[i]); ok {
								consts[n.Name] = s
							}
						}
					}
				}
			}
		}
	}
	add := func(e ast.Expr) {
		if s, ok := stringLit(e); ok {
			ids[s] = true
		} else if id, ok := e.(*ast.Ident); ok && consts[id.Name] != "" {
			ids[consts[id.Name]] = true
		}
	}
	for _, f := range parsed {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				name := ""
				switch fn := n.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				}
				switch {
				case name == "tr" && len(n.Args) >= 2:
					add(n.Args[1])
				case name == "fail" && len(n.Args) >= 4:
					add(n.Args[3])
				case name == "decision" && len(n.Args) == 7:
					add(n.Args[2])
					add(n.Args[6])
				}
			case *ast.ValueSpec:
				for i, nm := range n.Names {
					if i >= len(n.Values) {
						continue
					}
					if cl, ok := n.Values[i].(*ast.CompositeLit); ok && slices.Contains([]string{"doneMessages", "statusTitles", "eventNames", "noteNames", "roleNames", "notices", "statusNames", "csvHeader", "valueNames", "clusterNotices"}, nm.Name) {
						for _, el := range cl.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok {
								el = kv.Value
							}
							add(el)
						}
					}
				}
			case *ast.CompositeLit:
				// What a page says for each kind of store error (storeFail).
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "failTexts" {
					for _, el := range n.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							add(kv.Value)
						}
					}
				}
			case *ast.AssignStmt:
				for i, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == "msg" && i < len(n.Rhs) {
						add(n.Rhs[i])
					}
				}
			}
			return true
		})
	}
	return ids
}

func stringLit(e ast.Expr) (string, bool) {
	bl, ok := e.(*ast.BasicLit)
	if !ok || bl.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(bl.Value)
	return s, err == nil
}

var reVerb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// TestPageTextComplete: every sentence a ministry may see has a French,
// Spanish and Lao version with the same fmt verbs in the same order, and
// no version is left over from a sentence the code no longer says.
func TestPageTextComplete(t *testing.T) {
	ids := pageMsgIDs(t)
	if len(ids) < 100 {
		t.Fatalf("found only %d sentences: the test no longer reads the code", len(ids))
	}
	for _, must := range []string{"Your tasks", "This link has expired. Open the link in your latest e-mail from followup, or ask the coordinating body for a new one.",
		msgNoTask, "Nothing was saved.", "Not found", "Progress update", "lead ministry", "Progress by ministry", "Choose to agree or to refuse.",
		"The decision was recorded.", "In stage since", "uncertain", "There is no stage “%s”.", "Unassigned"} {
		if !ids[must] {
			t.Errorf("the sentence %q was not found in the code", must)
		}
	}
	for _, lang := range pageLanguages {
		_, text, err := i18n.Sentences(i18n.Pages, lang)
		if err != nil {
			t.Fatal(err)
		}
		for id := range ids {
			m, ok := text[id]
			if !ok {
				if lang != "en" {
					t.Errorf("%s: no translation of %q", lang, id)
				}
				continue
			}
			forms := []string{m.Text}
			if m.Forms != nil {
				forms = nil
				for _, f := range m.Forms {
					forms = append(forms, f)
				}
			}
			for _, tr := range forms {
				if strings.TrimSpace(tr) == "" {
					t.Errorf("%s: empty translation of %q", lang, id)
				}
				if got, want := reVerb.FindAllString(tr, -1), reVerb.FindAllString(id, -1); !slices.Equal(got, want) {
					t.Errorf("%s: %q has verbs %v, the English %v", lang, tr, got, want)
				}
			}
		}
		for id := range text {
			if !ids[id] {
				t.Errorf("%s: %q is translated but nothing says it", lang, id)
			}
		}
	}
}

// TestPagePlurals: a count on a page takes the plural form of the page's
// language (the dashboard once said "1 days left").
func TestPagePlurals(t *testing.T) {
	for _, c := range []struct {
		lang, msg string
		n         int
		want      string
	}{
		{"en", "%d days left", 1, "1 day left"},
		{"en", "Overdue by %d days", 1, "Overdue by 1 day"},
		{"en", "%d tasks", 1, "1 task"},
		{"en", "%d tasks", 0, "0 tasks"},
		{"fr", "%d tasks", 0, "0 tâche"},
		{"fr", "%d days", 2, "2 jours"},
		{"es", "%d days left", 1, "Queda 1 día"},
		{"es", "%d tasks", 2, "2 tareas"},
		{"lo", "%d days", 1, "1 ມື້"},
		// The dashboard's figures per ministry (once "1 ouvertes").
		{"fr", "%d open", 1, "1 ouverte"},
		{"fr", "%d closed", 3, "3 closes"},
		{"es", "%d open", 1, "1 abierta"},
		{"es", "%d overdue", 1, "1 vencida"},
		{"es", "%d closed", 2, "2 cerradas"},
		{"en", "%d open", 1, "1 open"},
	} {
		if got := tr(c.lang, c.msg, c.n); got != c.want {
			t.Errorf("%s %q %d: %q, want %q", c.lang, c.msg, c.n, got, c.want)
		}
	}
}

// TestEveryLanguagesPagesParse: each language's pages parse with its
// functions.
func TestEveryLanguagesPagesParse(t *testing.T) {
	f := newFixture(t)
	for _, lang := range pageLanguages {
		pages, err := f.srv.pagesIn(lang)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		for _, name := range []string{"home.html", "message.html", "ministry.html", "task.html", "dashboard.html", "dashboard_task.html",
			"dashboard_tasks.html", "public.html", "public_doc.html"} {
			if pages[name] == nil {
				t.Errorf("%s: no %s", lang, name)
			}
		}
	}
}

func setLanguage(f *fixture, body, lang string) {
	for i := range f.cfg.Ministries {
		if f.cfg.Ministries[i].ID == body {
			f.cfg.Ministries[i].Language = lang
		}
	}
}

// TestMinistryPagesInTheMinistrysLanguage: a Lao ministry's pages are in
// Lao, from the heading to the stage names, the dates and a refused
// form's message; a French ministry's in French.
func TestMinistryPagesInTheMinistrysLanguage(t *testing.T) {
	f := newFixture(t)
	setLanguage(f, "moj", "lo")
	setLanguage(f, "mps", "fr")
	moj := f.login("moj", "focal@moj.example")
	id := f.task("8")

	english := []string{"Your tasks", "As lead ministry", "In support", "Next step", "Record progress", "What was done",
		"Your name", "Move the task", "This is not ours", "History", "Sign out", "Document", "Deadlines", "since", "January"}
	noEnglish := func(name, body string) {
		t.Helper()
		for _, w := range english {
			if strings.Contains(body, w) {
				t.Errorf("%s: English %q on a Lao page", name, w)
			}
		}
	}
	res, body := f.get(moj, f.ts.URL+"/m/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/m/: %d", res.StatusCode)
	}
	for _, want := range []string{`<html lang="lo">`, "Ministry of Justice: ໜ້າວຽກຂອງທ່ານ", "ໃນຖານະກະຊວງຮັບຜິດຊອບຫຼັກ",
		"ມອບໝາຍແລ້ວ", "ຂັ້ນຕອນຕໍ່ໄປ: ຮັບຊາບແລ້ວ, ພາຍໃນວັນທີ", "ອອກຈາກລະບົບ"} {
		if !strings.Contains(body, want) {
			t.Errorf("the Lao ministry page lacks %q:\n%s", want, body)
		}
	}
	noEnglish("/m/", body)

	res, body = f.get(moj, fmt.Sprintf("%s/m/task/%d", f.ts.URL, id))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("task page: %d", res.StatusCode)
	}
	for _, want := range []string{`<html lang="lo">`, "ບັນທຶກຄວາມຄືບໜ້າ", "ສິ່ງທີ່ໄດ້ເຮັດ", "ຊື່ຂອງທ່ານ", "ຍ້າຍໜ້າວຽກ",
		"ບໍ່ແມ່ນໜ້າວຽກຂອງພວກເຮົາ", "ປະຫວັດ", "ມອບໝາຍແລ້ວ (ຕັ້ງແຕ່ວັນທີ ", "ມັງກອນ 2027", "ສ້າງ",
		`<option value="acknowledged">ຮັບຊາບແລ້ວ</option>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the Lao task page lacks %q:\n%s", want, body)
		}
	}
	noEnglish("task page", body)

	// A refused form says why in Lao; nothing is written.
	before := f.checksum()
	res, body = f.post(moj, fmt.Sprintf("/m/task/%d/not-ours", id), url.Values{"task": {fmt.Sprint(id)}, "ministry": {"mps"}, "name": {"ທ. ຄຳລາ"}})
	refused(t, f, "not-ours without a reason", before, res, body, http.StatusUnprocessableEntity, "ກະລຸນາບອກເຫດຜົນ: ອົງການປະສານງານຕັດສິນຕາມເຫດຜົນຂອງທ່ານ.")
	res, body = f.post(moj, fmt.Sprintf("/m/task/%d/stage", id), url.Values{"task": {fmt.Sprint(id)}, "stage": {"closed-implemented"}, "name": {"ທ. ຄຳລາ"}})
	refused(t, f, "a stage not allowed", before, res, body, http.StatusUnprocessableEntity, "ໜ້າວຽກນີ້ຍ້າຍໄປຂັ້ນຕອນນັ້ນບໍ່ໄດ້. ຈາກ “ມອບໝາຍແລ້ວ” ສາມາດຍ້າຍໄປ: ")
	res, body = f.get(moj, fmt.Sprintf("%s/m/task/%d", f.ts.URL, f.task("14b")))
	refused(t, f, "another ministry's task", before, res, body, http.StatusNotFound, "ບໍ່ມີໜ້າວຽກນີ້ໃນບັນດາໜ້າວຽກຂອງກະຊວງທ່ານ.")
	if !strings.Contains(body, "<h1>ບໍ່ພົບ</h1>") {
		t.Errorf("the 404 page's heading is not Lao:\n%s", body)
	}

	// After a move, the page says so in Lao, and the history names the
	// stages in Lao.
	res, body = f.post(moj, fmt.Sprintf("/m/task/%d/stage", id), url.Values{"task": {fmt.Sprint(id)}, "stage": {"acknowledged"}, "name": {"ທ. ຄຳລາ"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("move: %d\n%s", res.StatusCode, body)
	}
	_, body = f.get(moj, f.ts.URL+res.Header.Get("Location"))
	for _, want := range []string{"ໄດ້ຍ້າຍໜ້າວຽກແລ້ວ.", "ຂັ້ນຕອນ: ມອບໝາຍແລ້ວ → ຮັບຊາບແລ້ວ"} {
		if !strings.Contains(body, want) {
			t.Errorf("after the move, the page lacks %q:\n%s", want, body)
		}
	}

	// A French ministry reads French.
	mps := f.login("mps", "focal@mps.example")
	_, body = f.get(mps, f.ts.URL+"/m/")
	for _, want := range []string{`<html lang="fr">`, "Ministry of Public Security : vos tâches", "Comme ministère chef de file", "Attribuée"} {
		if !strings.Contains(body, want) {
			t.Errorf("the French ministry page lacks %q:\n%s", want, body)
		}
	}

}

// TestDashboardInTheCoordinatorsLanguage: the coordinating body's pages
// are in its language, as its overview e-mail is: the dashboard, the task
// list, a task's page and what a refused form says.
func TestDashboardInTheCoordinatorsLanguage(t *testing.T) {
	f := newFixture(t)
	f.cfg.Coordinator.Language = "lo"
	coord := f.login("ncmc", "secretariat@ncmc.example")
	_, body := f.get(coord, f.ts.URL+"/c/")
	for _, want := range []string{`<html lang="lo">`, "<h1>ໜ້າພາບລວມ</h1>", "ຄວາມຄືບໜ້າຕາມກະຊວງ", "ຍັງດຳເນີນຢູ່ 2, ປິດແລ້ວ 0",
		"ມອບໝາຍແລ້ວ", "ສິ່ງທີ່ປ່ຽນແປງໃນອາທິດນີ້"} {
		if !strings.Contains(body, want) {
			t.Errorf("the Lao dashboard lacks %q:\n%s", want, body)
		}
	}
	for _, w := range []string{"Progress by ministry", "open tasks of", "Dashboard", "What changed", "Overdue ("} {
		if strings.Contains(body, w) {
			t.Errorf("English %q on the Lao dashboard", w)
		}
	}
	_, body = f.get(coord, f.ts.URL+"/c/tasks?ministry=moj")
	for _, want := range []string{"<h1>ໜ້າວຽກທັງໝົດ</h1>", "ທຸກຂັ້ນຕອນ", "2 ໜ້າວຽກ", "ດາວໂຫຼດເປັນ CSV (Excel)"} {
		if !strings.Contains(body, want) {
			t.Errorf("the Lao task list lacks %q:\n%s", want, body)
		}
	}
	res, body := f.get(coord, f.ts.URL+"/c/tasks?stage=nope")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "ບໍ່ມີຂັ້ນຕອນ “nope”.") {
		t.Errorf("a stage the form never offers: %d\n%s", res.StatusCode, body)
	}
	id := f.task("8")
	_, body = f.get(coord, fmt.Sprintf("%s/c/task/%d", f.ts.URL, id))
	for _, want := range []string{"ກະຊວງຮັບຜິດຊອບຫຼັກ", "ບັນທຶກການມອບໝາຍ", "ປະຫວັດ", "ມັງກອນ 2027"} {
		if !strings.Contains(body, want) {
			t.Errorf("the Lao task page lacks %q:\n%s", want, body)
		}
	}
	before := f.checksum()
	res, body = f.post(coord, fmt.Sprintf("/c/task/%d/stage", id), url.Values{"to": {"acknowledged"}})
	refused(t, f, "a move without a name", before, res, body, http.StatusUnprocessableEntity, "ກະລຸນາຂຽນຊື່ຂອງທ່ານ: ທຸກການປ່ຽນແປງຈະບັນທຶກວ່າໃຜເປັນຜູ້ເຮັດ.")
}

// TestPublicPageLanguages: the public pages are in the coordinating
// body's language unless the reader picks another from the links atop
// the page.
func TestPublicPageLanguages(t *testing.T) {
	f := newFixture(t)
	cfg := *f.cfg
	cfg.Web.Public = true
	cfg.Coordinator.Language = "lo"
	f.srv.SetConfig(&cfg)
	_, body := f.get(f.client(), f.ts.URL+"/public/")
	for _, want := range []string{`<html lang="lo">`, "ການຕິດຕາມຂໍ້ສະເໜີແນະ: ຄວາມຄືບໜ້າ", `<a href="?lang=fr" lang="fr" hreflang="fr">Français</a>`,
		`<a href="/public/doc/1?lang=lo">`} {
		if !strings.Contains(body, want) {
			t.Errorf("the public index lacks %q:\n%s", want, body)
		}
	}
	_, body = f.get(f.client(), f.ts.URL+"/public/doc/1?lang=fr")
	for _, want := range []string{`<html lang="fr">`, "Paragraphe 8", "Attribuée", "Ministry of Justice", `<a href="/public/?lang=fr">`} {
		if !strings.Contains(body, want) {
			t.Errorf("the French public page lacks %q:\n%s", want, body)
		}
	}
	_, body = f.get(f.client(), f.ts.URL+"/public/?lang=xx")
	if !strings.Contains(body, `<html lang="lo">`) {
		t.Errorf("an unknown ?lang= does not fall back to the coordinator's language:\n%s", body)
	}
	res, body := f.get(f.client(), f.ts.URL+"/public/doc/99?lang=es")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "Ese documento no existe.") {
		t.Errorf("a missing document in Spanish: %d\n%s", res.StatusCode, body)
	}
}

// TestLinkRefusedInTheReadersLanguage: a link that no longer works is
// explained in its ministry's language when it can be read, else in the
// browser's.
func TestLinkRefusedInTheReadersLanguage(t *testing.T) {
	f := newFixture(t)
	setLanguage(f, "moj", "lo")
	link, err := f.srv.Link(context.Background(), "moj", "focal@moj.example")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(61 * 24 * time.Hour)
	before := f.checksum()
	res, body := f.get(f.client(), f.local(link))
	refused(t, f, "expired Lao link", before, res, body, http.StatusForbidden, "ລິ້ງນີ້ໝົດອາຍຸແລ້ວ.")
	if !strings.Contains(body, `<html lang="lo">`) {
		t.Errorf("the page is not marked Lao:\n%s", body)
	}

	req, err := http.NewRequest(http.MethodGet, f.ts.URL+"/l/not-a-token", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Language", "es-MX,es;q=0.9,en;q=0.5")
	res, body = f.do(f.client(), req)
	refused(t, f, "forged link, Spanish browser", before, res, body, http.StatusForbidden, "Este enlace no es válido")

	res, body = f.get(f.client(), f.ts.URL+"/l/not-a-token")
	refused(t, f, "forged link, no language", before, res, body, http.StatusForbidden, "This link is not valid")
}

// TestAcceptLanguage: the browser's language picks the pages' (the cases
// are i18n.MatchAccept's).
func TestAcceptLanguage(t *testing.T) {
	if got := acceptLanguage("de-DE,fr;q=0.8"); got != "fr" {
		t.Errorf("acceptLanguage = %s, want fr", got)
	}
}

// TestFromTo: a history entry names stages and ministries, not ids.
func TestFromTo(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct{ lang, kind, from, to, want string }{
		{"en", "stage", "assigned", "acknowledged", ": Assigned → Acknowledged"},
		{"fr", "stage", "assigned", "acknowledged", ": Attribuée → Prise en charge"},
		{"en", "assign", "unassigned", "moj +mps", ": Unassigned → Ministry of Justice (with Ministry of Public Security)"},
		{"lo", "assign", "moj", "unassigned", ": Ministry of Justice → ຍັງບໍ່ໄດ້ມອບໝາຍ"},
		{"en", "update", "", "moj", ": Ministry of Justice"},
		{"es", "not-ours-decided", "mps", "refused", ": Ministry of Public Security → rechazada"},
		{"fr", "public", "private", "public", ": privé → public"},
		{"en", "created", "", "", ""},
		{"en", "other", "a", "gone", ": a → gone"},
	} {
		if got := fromTo(f.cfg, notify.WordingFor(c.lang, f.cfg.Stages), c.kind, c.from, c.to); got != c.want {
			t.Errorf("fromTo(%s, %s, %q, %q) = %q, want %q", c.lang, c.kind, c.from, c.to, got, c.want)
		}
	}
}

// TestOldSessionsPurged: a session that ended more than 90 days ago is
// deleted; one that ended since, or is still open, stays listed.
func TestOldSessionsPurged(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.login("moj", "focal@moj.example") // ends after sessionMax (14 days)
	f.clock.Advance(sessionMax + SessionKeep + time.Hour)
	f.login("moj", "deputy@moj.example") // open
	recent := f.login("mps", "focal@mps.example")
	if res, _ := f.post(recent, "/logout", url.Values{}); res.StatusCode >= 400 {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	// What the daemon's heartbeat does once a day (cmd/followup).
	if _, err := f.db.PurgeSessions(ctx, f.clock.Now().Add(-SessionKeep)); err != nil {
		t.Fatal(err)
	}
	got, err := f.db.Sessions(ctx, store.SessionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, s := range got {
		left = append(left, s.FocalPoint)
	}
	slices.Sort(left)
	if fmt.Sprint(left) != "[deputy@moj.example focal@mps.example]" {
		t.Errorf("sessions left: %v, want the open one and the one signed out today", left)
	}
}

// TestEnglishPagesFor: a body in a language the pages are not written in
// is named (its pages are English); tags are matched by their first part.
func TestEnglishPagesFor(t *testing.T) {
	f := newFixture(t)
	cfg := *f.cfg
	cfg.Ministries = append([]config.Body(nil), f.cfg.Ministries...)
	cfg.Ministries[0].Language = "de"
	cfg.Ministries[1].Language = "fr-CA"
	cfg.Coordinator.Language = "LO"
	if got := EnglishPagesFor(&cfg); fmt.Sprint(got) != "[moj (de)]" {
		t.Errorf("EnglishPagesFor = %v, want [moj (de)]", got)
	}
	if got := EnglishPagesFor(f.cfg); len(got) != 0 {
		t.Errorf("the fixture's bodies (no language: English) = %v", got)
	}
}
