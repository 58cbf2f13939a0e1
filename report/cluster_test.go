package report_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/report"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// TestClusterUpdateInEachMechanismsDraft: an update made on a cluster of
// a CRC recommendation and a UPR one is quoted under each member in its
// mechanism's draft, which names the other recommendation the same work
// answers; a member without the cluster's update gets no such sentence.
func TestClusterUpdateInEachMechanismsDraft(t *testing.T) {
	s := synth(t)
	ctx := context.Background()
	cfg, db := s.f.cfg, s.f.db
	upr := &workflow.Document{Symbol: "A/HRC/59/15", Body: "UPR", Kind: workflow.UPRReport, State: "Lao People's Democratic Republic",
		Title: "Report of the Working Group on the Universal Periodic Review", Adopted: civil.D(2025, 7, 2), Language: "en"}
	for _, r := range []workflow.Recommendation{
		{Paragraph: 140, Item: "6", Text: "Train border police to identify child victims of trafficking", Status: "supported",
			RecommendingStates: []string{"Thailand"}},
		{Paragraph: 140, Item: "7", Text: "Ratify the Convention on migrant workers", Status: "noted"},
	} {
		r.ID = workflow.RecID(upr.Symbol, r.Paragraph, r.Item)
		upr.Recommendations = append(upr.Recommendations, r)
	}
	importDocs(t, db, cfg, store.ImportItem{Doc: upr, Source: "upr.txt"})
	cfg.Reports = append(cfg.Reports, workflow.Report{ID: "upr-5", Title: "National report, fifth cycle", Kind: config.ReportUPR,
		Due: civil.D(2029, 5, 1), Documents: []string{"A/HRC/59/15"}})

	cl, err := db.CreateCluster(ctx, store.ClusterSpec{Name: "Border police training",
		Members: []string{synthSymbol + ":14b", "A/HRC/59/15:140.6"}}, store.Actor{Name: "NCMC secretariat"})
	if err != nil {
		t.Fatal(err)
	}
	s.f.clock.t = s.f.clock.t.Add(24 * time.Hour)
	const did = "Trained 120 border police officers in Savannakhet to identify child victims."
	if _, _, err := db.AddClusterUpdate(ctx, cl.ID, store.Update{Ministry: cl.Lead, Role: store.RoleLead, Author: "Khamla S.", Text: did,
		Evidence: []store.Evidence{{Kind: store.EvidenceFile, Title: "training.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 x")}}}); err != nil {
		t.Fatal(err)
	}
	s.f.clock.t = s.f.clock.t.Add(24 * time.Hour)

	draft := func(id string) string {
		t.Helper()
		r, err := report.Render(ctx, db, cfg, report.Request{Options: report.Options{Report: id, Now: s.f.clock.t}, Format: report.Markdown, By: "NCMC"})
		if err != nil {
			t.Fatal(err)
		}
		return string(r.Bytes)
	}
	// Each draft: the member's reply holds the update, then the sentence.
	for _, c := range []struct{ report, member, next, also string }{
		{"crc-next", "Train border police in identifying child victims.", "Set up child-friendly courts.",
			"This also answers A/HRC/59/15, 140.6 (UPR, 2025)."},
		{"upr-5", "Train border police to identify child victims of trafficking", "Ratify the Convention on migrant workers",
			"This also answers CRC/C/OPSC/LAO/CO/1, 14 (b) (CRC, 2026)."},
	} {
		md := draft(c.report)
		at, next := strings.Index(md, c.member), strings.Index(md, c.next)
		if at < 0 || next < at {
			t.Fatalf("%s: the member or the next recommendation is missing:\n%s", c.report, md)
		}
		reply := md[at:next]
		if !strings.Contains(reply, did) || !strings.Contains(md, "Attached file: training.pdf") || !strings.Contains(reply, c.also) {
			t.Errorf("%s: the member's reply lacks the cluster's update or %q:\n%s", c.report, c.also, reply)
		}
		if n := strings.Count(md, "This also answers"); n != 1 {
			t.Errorf("%s: %d sentences naming other recommendations", c.report, n)
		}
	}
}
