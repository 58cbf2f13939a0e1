package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// TestDaemonServesLinksAndSendsReceipts: the daemon's own web server opens
// the link of a reminder it wrote, takes a progress update, and its next
// heartbeat delivers the receipt to the ministry's focal points.
func TestDaemonServesLinksAndSendsReceipts(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"followup.yaml", "sample-co.txt"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", "lao-opsc", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fc := clockwork.NewFakeClockAt(time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC))
	td := startDaemon(t, filepath.Join(dir, "followup.yaml"), fc, nil)
	emls, _ := filepath.Glob(filepath.Join(dir, "mail", "reminder_*.eml"))
	if len(emls) == 0 {
		t.Fatalf("no reminder written:\n%s", td.logs)
	}
	b, err := os.ReadFile(emls[0])
	if err != nil {
		t.Fatal(err)
	}
	raw := strings.ReplaceAll(strings.ReplaceAll(string(b), "=\r\n", ""), "=3D", "=")
	task := regexp.MustCompile(`http://127\.0\.0\.1:8080/l/[A-Za-z0-9_-]+\?to=%2Fm%2Ftask%2F([0-9]+)`).FindStringSubmatch(raw)
	if task == nil {
		t.Fatalf("no task link in %s", emls[0])
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	res := pressLink(t, client, strings.Replace(task[0], "127.0.0.1:8080", td.web, 1))
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/m/task/"+task[1] {
		t.Fatalf("the task link led to %d %s", res.StatusCode, res.Request.URL)
	}
	// Name a ministry other than the reminder's own (its key says whose).
	other := "moj"
	if regexp.MustCompile(`X-Followup-Key: reminder:moj:`).MatchString(raw) {
		other = "mps"
	}
	form := url.Values{"task": {task[1]}, "ministry": {other}, "reason": {"Courts are ours."}, "name": {"Souk"}}
	req, _ := http.NewRequest(http.MethodPost, "http://"+td.web+"/m/task/"+task[1]+"/not-ours", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://"+td.web)
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Request.URL.RawQuery, "done=not-ours") {
		t.Fatalf("not ours: %d %s", res.StatusCode, res.Request.URL)
	}
	td.advanceTo(fc.Now().Add(time.Minute))
	receipts, _ := filepath.Glob(filepath.Join(dir, "mail", "receipt_*.eml"))
	if len(receipts) != 1 {
		all, _ := filepath.Glob(filepath.Join(dir, "mail", "*"))
		t.Fatalf("receipts %v among %v:\n%s", receipts, all, td.logs)
	}
	rb, err := os.ReadFile(receipts[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rb), "Souk") || !strings.Contains(string(rb), "Courts are ours.") {
		t.Errorf("receipt:\n%s", rb)
	}
}
