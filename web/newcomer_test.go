package web

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/followup-app/followup/i18n"
	"github.com/followup-app/followup/store"
)

// TestEvidenceCountsAndSizes: an update with one file and one link is
// "files: 1 · links: 1" on the dashboard (it said "files: 2"), and the
// file's size reads the same on the coordinator's and the ministry's task
// pages as in the report's draft (9,800 bytes: the pages said 9 KB, the
// draft 10 KB).
func TestEvidenceCountsAndSizes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.db.AddUpdate(ctx, store.Update{TaskID: f.task("8"), Ministry: "moj", Role: store.RoleLead, Author: "Ms Justice", Text: "Minutes.",
		Evidence: []store.Evidence{{Kind: store.EvidenceFile, Title: "minutes.pdf", ContentType: "application/pdf", Data: bytes.Repeat([]byte("x"), 9800)},
			{Kind: store.EvidenceLink, URL: "https://example.org/decree", Title: "Decree"}}}); err != nil {
		t.Fatal(err)
	}
	coord := f.login("ncmc", coordEmail)
	_, body := f.get(coord, f.ts.URL+"/c/")
	if !strings.Contains(body, "files: 1") || !strings.Contains(body, "links: 1") || strings.Contains(body, "files: 2") {
		t.Errorf("the dashboard's recent updates:\n%s", grepLines(body, "c/task/"))
	}
	size := i18n.FileSize(9800)
	if size != "10 KB" {
		t.Errorf("FileSize(9800) = %q, want 10 KB (the nearest)", size)
	}
	_, body = f.get(coord, fmt.Sprintf("%s/c/task/%d", f.ts.URL, f.task("8")))
	if !strings.Contains(body, "(application/pdf, "+size+")") {
		t.Errorf("the coordinator's task page:\n%s", grepLines(body, "minutes.pdf"))
	}
	_, body = f.get(f.login("moj", "focal@moj.example"), fmt.Sprintf("%s/m/task/%d", f.ts.URL, f.task("8")))
	if !strings.Contains(body, "minutes.pdf</a> ("+size+")") {
		t.Errorf("the ministry's task page:\n%s", grepLines(body, "minutes.pdf"))
	}
}
