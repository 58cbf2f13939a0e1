package main

// The browser test of "one answer for many" (issue 19): the daemon
// in-process on a fake clock (mail as .eml files), the example's CRC
// concluding observations and a UPR report that asks the same thing
// (free birth registration), and a real Chromium without JavaScript.
// The coordinating body accepts the suggestion on its dashboard; the
// lead ministry's next reminder lists the group once and links its page;
// the focal point records there one update with a file; the CRC draft and
// the UPR draft both quote it under their member. With
// FOLLOWUP_SCREENSHOTS=1 it writes docs/cluster-1280.png.

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/internal/needs"
)

// clusterDocs writes into dir the example's config and CRC document, and
// a UPR report (the ingest tests' A/HRC/61/9) whose 4.3 asks what the
// CRC's paragraph 6 asks; the config imports both and drafts a UPR
// national report from the UPR's.
func clusterDocs(t *testing.T, dir string) string {
	t.Helper()
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	upr := read(filepath.Join("..", "..", "ingest", "testdata", "upr-report.txt"))
	const ilo = "                    4.3     Consider ratifying the ILO Domestic Workers Convention, 2011 (No. 189)\n                    (Philippines)."
	if !strings.Contains(upr, ilo) {
		t.Fatal("upr-report.txt changed: its 4.3 is not the ILO convention's")
	}
	write("upr.txt", strings.Replace(upr, ilo, "                    4.3     Ensure free and universal birth registration, including through mobile\n"+
		"                    registration services in remote areas (Thailand).", 1))
	write("sample-co.txt", read(filepath.Join("..", "..", "examples", "lao-opsc", "sample-co.txt")))
	cfg := read(filepath.Join("..", "..", "examples", "lao-opsc", "followup.yaml"))
	for old, repl := range map[string]string{
		"documents: [sample-co.txt]": "documents: [sample-co.txt, upr.txt]",
		"    documents: [CRC/C/OPSC/LAO/CO/1, CRC/C/LAO/CO/EX-1]\n": "    documents: [CRC/C/OPSC/LAO/CO/1, CRC/C/LAO/CO/EX-1]\n" +
			"  - id: upr-4\n    title: National report to the Universal Periodic Review, fourth cycle\n    due: 2029-05-01\n    kind: upr\n    documents: [A/HRC/61/9]\n",
	} {
		if !strings.Contains(cfg, old) {
			t.Fatalf("the example's config no longer holds %q", old)
		}
		cfg = strings.Replace(cfg, old, repl, 1)
	}
	write("followup.yaml", cfg)
	return filepath.Join(dir, "followup.yaml")
}

// emlNames lists the .eml files of mailDir whose names start with prefix.
func emlNames(t *testing.T, mailDir, prefix string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(mailDir, prefix+"*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestBrowserClusters(t *testing.T) {
	chromium := needs.Chromium(t)
	if testing.Short() {
		t.Skip("skipping the browser test in -short mode")
	}
	dir := t.TempDir()
	cfgPath := clusterDocs(t, dir)
	mailDir := filepath.Join(dir, "mail")
	// Monday 7 December 2026, 09:00 in Vientiane: the week's overview for
	// the coordinating body goes out at the start. The documents are
	// imported then; their first deadline (import + 3 weeks) is 28
	// December, whose 30-day reminder goes out at once (each member a
	// task of its own) and 14-day reminder on Monday 14 December.
	fc := clockwork.NewFakeClockAt(time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC))
	td := startDaemon(t, cfgPath, fc, map[string]string{"FOLLOWUP_WEB_LISTEN": "127.0.0.1:0"})
	base := "http://" + td.web
	coordLink := linkIn(t, mailDir, "coordinator-digest_", base)
	if coordLink == "" {
		t.Fatalf("no signed link in the coordinator's overview:\n%s", td.logs)
	}
	before := emlNames(t, mailDir, "reminder_moha_")

	b := newBrowser(t, chromium, dir)

	// The coordinating body accepts the suggestion on its dashboard.
	b.do("open the coordinator's link", chromedp.Navigate(coordLink))
	b.do("press the link's button", chromedp.Click(chromedp.CSS(`form[action^="/l/"] button[type=submit]`)))
	b.arrived("/c/")
	txt := b.text()
	for _, want := range []string{"CRC/C/LAO/CO/EX-1:6", "A/HRC/61/9:4.3", "UPR 2025, A/HRC/61/9, 4.3", "CRC 2026, CRC/C/LAO/CO/EX-1, 6"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the dashboard's suggestions lack %q", want)
		}
	}
	b.narrow("the dashboard with suggestions")
	const group = "Free birth registration"
	b.do("accept the suggestion",
		chromedp.SendKeys(chromedp.CSS(`form[action="/c/clusters/accept"] input[name=group]`), group),
		chromedp.SendKeys(chromedp.CSS(`form[action="/c/clusters/accept"] input[name=name]`), "NCMC secretariat"),
		chromedp.Click(chromedp.CSS(`form[action="/c/clusters/accept"] button[type=submit]`)),
	)
	b.arrived("?done=accepted")
	m := regexp.MustCompile(`/c/cluster/(\d+)`).FindStringSubmatch(b.location())
	if m == nil {
		t.Fatalf("after accepting, the browser is at %s", b.location())
	}
	clusterID := m[1]
	if txt := b.text(); !strings.Contains(txt, group) || !strings.Contains(txt, "Ministry of Home Affairs") {
		t.Errorf("the cluster's page:\n%s", txt)
	}
	b.narrow("the coordinator's cluster page")

	// The next Monday's reminder to the lead ministry lists the group
	// once, with both members, and links the group's page.
	td.advanceTo(time.Date(2026, 12, 14, 1, 0, 30, 0, time.UTC))
	rems := slices.DeleteFunc(emlNames(t, mailDir, "reminder_moha_"), func(f string) bool { return slices.Contains(before, f) })
	if len(rems) != 1 {
		all, _ := filepath.Glob(filepath.Join(mailDir, "*.eml"))
		t.Fatalf("reminders to moha: %v among %v\n%s", rems, all, td.logs)
	}
	plain := emlPart(t, rems[0], "text/plain")
	if n := strings.Count(plain, "“"+group+"”"); n != 1 {
		t.Errorf("the reminder names the group %d times, not once:\n%s", n, plain)
	}
	for _, want := range []string{"CRC/C/LAO/CO/EX-1, 6", "A/HRC/61/9, 4.3"} {
		if strings.Count(plain, want) != 1 {
			t.Errorf("the reminder names %q %d times:\n%s", want, strings.Count(plain, want), plain)
		}
	}
	link := regexp.MustCompile(`https?://[^/\s]+(/l/[A-Za-z0-9_.~-]+\?to=%2Fm%2Fcluster%2F` + clusterID + `)\b`).FindStringSubmatch(plain)
	if link == nil {
		t.Fatalf("the reminder does not link the group's page:\n%s", plain)
	}

	// The focal point follows it and records one update with a file.
	b.do("open the reminder's link", chromedp.Navigate(base+link[1]))
	b.do("press the link's button", chromedp.Click(chromedp.CSS(`form[action^="/l/"] button[type=submit]`)))
	b.arrived("/m/cluster/" + clusterID)
	pdf := filepath.Join(dir, "mobile-registration.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const did = "Mobile registration teams registered 4,200 children in Phongsaly and Houaphanh (browser test)."
	b.do("record the update",
		chromedp.SendKeys(chromedp.CSS(`#u-text`), did),
		chromedp.SetUploadFiles(chromedp.CSS(`#u-files`), []string{pdf}),
		chromedp.SendKeys(chromedp.CSS(`#u-name`), "Vanh P."),
		chromedp.Click(chromedp.CSS(`form[action$="/update"] button[type=submit]`)),
	)
	b.arrived("?done=update")
	if txt := b.text(); !strings.Contains(txt, did) || !strings.Contains(txt, "mobile-registration.pdf") {
		t.Fatalf("the update is not on the group's page:\n%s", txt)
	}
	b.narrow("the ministry's cluster page")
	b.screenshot("cluster", 1280)

	// Each mechanism's draft quotes it under its member and names the
	// other recommendation the same work answers.
	for _, c := range []struct{ report, member, also string }{
		{"crc-next", "free and universal birth registration", "This also answers A/HRC/61/9, 4.3 (UPR, 2025)."},
		{"upr-4", "Ensure free and universal birth registration", "This also answers CRC/C/LAO/CO/EX-1, 6 (CRC, 2026)."},
	} {
		md := runBinary(t, "report", "draft", c.report, "--format", "md", "--out", "-", "--by", "NCMC secretariat", "--config", cfgPath)
		at := strings.Index(md, c.member)
		if at < 0 {
			t.Errorf("%s: the draft lacks its member:\n%s", c.report, md)
			continue
		}
		after := md[at:]
		if !strings.Contains(after, did) || !strings.Contains(after, "mobile-registration.pdf") || !strings.Contains(after, c.also) {
			t.Errorf("%s: the member's reply lacks the group's update, its file or %q:\n%s", c.report, c.also, after)
		}
	}
}
