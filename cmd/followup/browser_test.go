package main

// The browser test: the real daemon (followup run, as a process, mail as
// .eml files) and a real Chromium driven by chromedp, with JavaScript
// turned off. A ministry's focal point opens the link from an e-mail the
// daemon wrote (its page, then its button), records a progress update with a PDF attached and moves
// the task; the coordinator then finds the change on the dashboard, and so
// do `followup task show` and the next coordinator overview. Every page is
// checked at 360 px wide (no horizontal scroll). With FOLLOWUP_SCREENSHOTS=1
// it writes the README's screenshots into docs/.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/followup-app/followup/internal/needs"
)

// freePort asks the kernel for a port nobody listens on.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// emlText returns the text parts of an .eml file, decoded.
func emlText(t *testing.T, path string) string {
	t.Helper()
	return emlPart(t, path, "text/")
}

// emlPart returns the parts of an .eml file whose type starts with want
// ("text/plain"), decoded.
func emlPart(t *testing.T, path, want string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out strings.Builder
	var walk func(ct string, enc string, body io.Reader)
	walk = func(ct, enc string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			return
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err != nil {
					return
				}
				walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
			}
		}
		if !strings.HasPrefix(mt, want) {
			return
		}
		if strings.EqualFold(enc, "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		b, _ := io.ReadAll(body)
		out.Write(b)
		out.WriteString("\n")
	}
	walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return out.String()
}

var reLink = regexp.MustCompile(`https?://[^\s"<>]+/l/[A-Za-z0-9_.~-]+`)

// linkIn finds the signed link in the newest .eml whose name starts with
// prefix, pointed at the test's server.
func linkIn(t *testing.T, mailDir, prefix, base string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(mailDir, prefix+"*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s*.eml in %s", prefix, mailDir)
	}
	for _, f := range files {
		if m := reLink.FindString(emlText(t, f)); m != "" {
			i := strings.Index(m, "/l/")
			return base + m[i:]
		}
	}
	return ""
}

// run runs followup with args and returns its output; it must succeed.
func runBinary(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(binary(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("followup %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestBrowser(t *testing.T) {
	chromium := needs.Chromium(t)
	if testing.Short() {
		t.Skip("skipping the browser test in -short mode")
	}
	dir := t.TempDir()
	for _, f := range []string{"followup.yaml", "sample-co.txt"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", "lao-opsc", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfgPath := filepath.Join(dir, "followup.yaml")
	mailDir := filepath.Join(dir, "mail")
	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)

	p := &proc{cmd: exec.Command(binary(t), "run", "--config", cfgPath), logs: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	p.cmd.Env = append(os.Environ(), fmt.Sprintf("FOLLOWUP_WEB_LISTEN=127.0.0.1:%d", port))
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	p.waitLog(t, `msg="web server listening"`, 60*time.Second)
	deadline := time.Now().Add(30 * time.Second)
	for {
		m, _ := filepath.Glob(filepath.Join(mailDir, "ministry-digest_moj_*.eml"))
		c, _ := filepath.Glob(filepath.Join(mailDir, "coordinator-digest_*.eml"))
		if len(m) > 0 && len(c) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no digests in %s:\n%s", mailDir, p.logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	ministryLink := linkIn(t, mailDir, "ministry-digest_moj_", base)
	coordLink := linkIn(t, mailDir, "coordinator-digest_", base)
	if ministryLink == "" || coordLink == "" {
		t.Fatalf("no signed link in the digests (ministry %q, coordinator %q)", ministryLink, coordLink)
	}

	b := newBrowser(t, chromium, dir)
	ctx := b.ctx
	do, pageText, location, arrived, narrow := b.do, b.text, b.location, b.arrived, b.narrow
	screenshot := func(name string) { b.screenshot(name, 1280, 360) }

	// The ministry's focal point opens the link: a page with one button
	// (fetching a link opens nothing: mail scanners fetch them), whose
	// press opens a session and leads to a page without the token.
	do("open the ministry's link", chromedp.Navigate(ministryLink))
	if txt := pageText(); !strings.Contains(txt, "Ministry of Justice") {
		t.Fatalf("the link's page:\n%s", txt)
	}
	narrow("the link's page")
	do("press the link's button", chromedp.Click(chromedp.CSS(`form[action^="/l/"] button[type=submit]`)))
	arrived("/m/")
	if u := location(); strings.Contains(u, "/l/") || !strings.Contains(u, "/m/") {
		t.Fatalf("after the link, the browser is at %s", u)
	}
	if txt := pageText(); !strings.Contains(txt, "Ministry of Justice") {
		t.Fatalf("the ministry's page:\n%s", txt)
	}
	narrow("the ministry's page")
	screenshot("ministry")

	// Its first task.
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`a[href^="/m/task/"]`), "href"))
	if err != nil || href.Value == "" {
		t.Fatalf("no task on the ministry's page: %v\n%s", err, pageText())
	}
	taskID := strings.TrimPrefix(href.Value, "/m/task/")
	do("open the task", chromedp.Navigate(base+href.Value))
	narrow("the task's page")

	// A progress update with a PDF attached, sent with a click (no script
	// submits anything).
	pdf := filepath.Join(dir, "training-report.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const updateText = "Trained 120 border police officers in Savannakhet (browser test)."
	do("record the update",
		chromedp.SendKeys(chromedp.CSS(`#u-text`), updateText),
		chromedp.SetUploadFiles(chromedp.CSS(`#u-files`), []string{pdf}),
		chromedp.SendKeys(chromedp.CSS(`#u-name`), "Khamla S."),
		chromedp.Click(chromedp.CSS(`form[action$="/update"] button[type=submit]`)),
	)
	arrived("?done=update")
	if txt := pageText(); !strings.Contains(txt, updateText) || !strings.Contains(txt, "training-report.pdf") {
		t.Fatalf("the update is not on the task's page:\n%s", txt)
	}

	// Move the task to the first stage the workflow offers.
	stage, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#s-stage option`), "value"))
	if err != nil || stage.Value == "" {
		t.Fatalf("the task offers no stage to move to: %v", err)
	}
	do("move the task",
		chromedp.SendKeys(chromedp.CSS(`#s-name`), "Khamla S."),
		chromedp.Click(chromedp.CSS(`form[action$="/stage"] button[type=submit]`)),
	)
	arrived("?done=stage")
	// The task's history in the ministry's language (Lao): the note of
	// the move said "from the web page" in English, and at 1280 px the
	// "Who" column, squeezed by the Lao text beside it, wrapped "impo/rt".
	if txt := pageText(); strings.Contains(txt, "from the web page") || !strings.Contains(txt, "ຈາກໜ້າເວັບ") {
		t.Errorf("the history's note is not in Lao:\n%s", txt)
	}
	b.viewport(1280)
	for who, n := range b.whoLines() {
		if n != 1 {
			t.Errorf("the history's %q takes %d lines at 1280 px, want 1", who, n)
		}
	}

	// The coordinator's dashboard shows the update and the move.
	do("open the coordinator's link", chromedp.Navigate(coordLink))
	do("press the link's button", chromedp.Click(chromedp.CSS(`form[action^="/l/"] button[type=submit]`)))
	arrived("/c/")
	if u := location(); !strings.HasSuffix(u, "/c/") {
		t.Fatalf("after the coordinator's link, the browser is at %s", u)
	}
	// The example's coordinating body reads Lao: "Progress by ministry".
	txt := pageText()
	for _, want := range []string{"ຄວາມຄືບໜ້າຕາມກະຊວງ", updateText, "Ministry of Justice", "Khamla S."} {
		if !strings.Contains(txt, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	narrow("the dashboard")
	screenshot("dashboard")
	do("open the task on the dashboard", chromedp.Navigate(base+"/c/task/"+taskID))
	// The history names the move ("Stage: Assigned → Acknowledged", in Lao).
	if txt := pageText(); !strings.Contains(txt, updateText) || !strings.Contains(txt, "training-report.pdf") || !strings.Contains(txt, "ຂັ້ນຕອນ: ມອບໝາຍແລ້ວ → ") {
		t.Errorf("the dashboard's task page:\n%s", txt)
	}
	narrow("the dashboard's task page")
	do("open the task list", chromedp.Navigate(base+"/c/tasks?ministry=moj"))
	narrow("the task list")

	// followup task show, from another process on the same database.
	show := runBinary(t, "task", "show", taskID, "--config", cfgPath)
	for _, want := range []string{"Khamla S.", updateText[:40]} {
		if !strings.Contains(show, want) {
			t.Errorf("followup task show lacks %q:\n%s", want, show)
		}
	}
	// The next coordinator overview lists what changed: preview asks when
	// its next slot is, then plans it.
	probe := runBinary(t, "preview", "--config", cfgPath, "--at", time.Now().Add(time.Hour).UTC().Format(time.RFC3339), "--job", "coordinator_digest")
	m := regexp.MustCompile(`next (\d{4}-\d\d-\d\d \d\d:\d\d)`).FindStringSubmatch(probe)
	if m == nil {
		t.Fatalf("preview does not say when the next overview is:\n%s", probe)
	}
	preview := runBinary(t, "preview", "--config", cfgPath, "--at", m[1], "--job", "coordinator_digest", "--full")
	if !strings.Contains(preview, "Khamla S.") || !strings.Contains(preview, "coordinator") {
		t.Errorf("the next coordinator overview (%s) does not list the change:\n%s", m[1], preview)
	}
}

// browser is a headless Chromium for a test: a fresh profile, no network
// beyond the test's server, and no JavaScript at all (every page must
// work without it), at 1280 px unless a check says otherwise.
type browser struct {
	t     *testing.T
	ctx   context.Context
	shots bool // FOLLOWUP_SCREENSHOTS=1: screenshot writes docs/*.png
}

func newBrowser(t *testing.T, chromium, dir string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:0:0],
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(dir, "chromium-profile")),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancelBrowser)
	ctx, cancel := context.WithTimeout(bctx, 3*time.Minute)
	t.Cleanup(cancel)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, ctx: ctx, shots: os.Getenv("FOLLOWUP_SCREENSHOTS") == "1"}
	b.viewport(1280)
	return b
}

// do runs steps; a failure shows where the browser is and what it shows.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		body, _ := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("body")))
		at, _ := chromedp.Run(b.ctx, chromedp.Location())
		b.t.Fatalf("%s: %v\nat %s:\n%s", what, err, at, body)
	}
}

// text is the visible text of the page.
func (b *browser) text() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

func (b *browser) location() string {
	b.t.Helper()
	u, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

// arrived waits until the browser is at an address holding want: the
// page a form's POST redirects to (a click does not wait for it).
func (b *browser) arrived(want string) {
	b.t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if u := b.location(); strings.Contains(u, want) {
			if _, err := chromedp.Run(b.ctx, chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
				b.t.Fatal(err)
			}
			return
		}
	}
	b.t.Fatalf("the browser did not reach %s; it is at %s:\n%s", want, b.location(), b.text())
}

func (b *browser) viewport(width int64) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: width, Height: 800, DeviceScaleFactor: 1, Mobile: width < 600}); err != nil {
		b.t.Fatal(err)
	}
}

// narrow checks the page at 360 px: nothing wider than the screen.
func (b *browser) narrow(name string) {
	b.t.Helper()
	b.viewport(360)
	m, err := chromedp.Call(b.ctx, page.GetLayoutMetrics, cdp.Empty{})
	if err != nil {
		b.t.Fatal(err)
	}
	if w := m.CSSContentSize.Width; w > 360 {
		b.t.Errorf("%s at 360 px is %.0f px wide: it scrolls sideways", name, w)
	}
	b.viewport(1280)
}

// screenshot writes docs/NAME-WIDTH.png at each width when asked
// (FOLLOWUP_SCREENSHOTS=1).
func (b *browser) screenshot(name string, widths ...int64) {
	b.t.Helper()
	if !b.shots {
		return
	}
	for _, width := range widths {
		b.viewport(width)
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.t.Fatal(err)
		}
		out := filepath.Join("..", "..", "docs", fmt.Sprintf("%s-%d.png", name, width))
		if err := os.WriteFile(out, png, 0o644); err != nil {
			b.t.Fatal(err)
		}
		b.t.Logf("wrote %s", out)
	}
	b.viewport(1280)
}

// whoLines is how many lines each name in the "Who" column of a task's
// history takes. Scripts run for the measurement only: the pages have
// none.
func (b *browser) whoLines() map[string]int {
	b.t.Helper()
	script := func(on bool) {
		if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
			b.t.Fatal(err)
		}
	}
	script(true)
	defer script(false)
	lines, err := chromedp.Run(b.ctx, chromedp.Evaluate[map[string]int](`(() => {
		const out = {};
		for (const td of document.querySelectorAll("#history + .table-wrap tbody td:nth-child(2)")) {
			const r = document.createRange();
			r.selectNodeContents(td);
			const who = td.textContent.trim();
			out[who] = Math.max(out[who] || 0, r.getClientRects().length);
		}
		return out;
	})()`))
	if err != nil || len(lines) == 0 {
		b.t.Fatalf("the history's names: %v, %v\n%s", lines, err, b.text())
	}
	return lines
}
