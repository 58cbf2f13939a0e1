package report_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/report"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// BenchmarkDraftSeed drafts the seed's report (43 recommendations, a few
// updates) in each format.
func BenchmarkDraftSeed(b *testing.B) {
	f := seed(b)
	for _, format := range []report.Format{report.DOCX, report.Markdown, report.HTML} {
		b.Run(string(format), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := report.Render(context.Background(), f.db, f.cfg, f.request(format)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// bigReport stores one document of 300 recommendations in 10 sections of
// 3 subsections, with 3,000 progress updates (ten per recommendation, from
// the lead and two supporting ministries), a third with a link and a
// tenth with a file as evidence.
func bigReport(b *testing.B) (*store.DB, *config.Config) {
	b.Helper()
	cfg := exampleConfig(b)
	c := &clock{time.Date(2027, 1, 4, 1, 0, 0, 0, time.UTC)}
	db := openDB(b, cfg, c)
	doc := &workflow.Document{Symbol: "CRC/C/BIG/CO/1", Body: "CRC", Kind: workflow.ConcludingObservations, State: "Lao People's Democratic Republic",
		Adopted: civil.D(2025, 6, 5)}
	sentence := "Take all measures necessary to ensure that every child victim of the offences under the Optional Protocol is identified, referred to services and protected, including by training the professionals concerned. "
	for i := range 300 {
		para, item := 8+i/3, string(rune('a'+i%3))
		doc.Recommendations = append(doc.Recommendations, workflow.Recommendation{ID: workflow.RecID(doc.Symbol, para, item), Paragraph: para, Item: item,
			Section: fmt.Sprintf("%s. Section %d", string(rune('A'+i/30)), i/30), Subsection: fmt.Sprintf("Subsection %d", i/10),
			Lead: "The Committee recommends that the State party:", Text: strings.Repeat(sentence, 1+i%2)})
	}
	owner := func(string, workflow.Recommendation) workflow.Assignment {
		return workflow.Assignment{Owner: "moj", Support: []string{"mps", "molsw"}, By: "bench", Stage: "assigned"}
	}
	if _, err := db.Import(context.Background(), []store.ImportItem{{Doc: doc, Source: "big"}}, owner); err != nil {
		b.Fatal(err)
	}
	cfg.Reports = []config.Report{{ID: "big", Title: "Big report", Due: civil.D(2029, 1, 31), Documents: []string{doc.Symbol}, WordLimit: 21200}}
	ts := tasks(b, db, doc.Symbol)
	ministries := []string{"moj", "mps", "molsw"}
	for i := range 3000 {
		tk := ts[i%300]
		m := ministries[i%3]
		u := store.Update{TaskID: tk.ID, Ministry: m, Role: store.RoleSupport, Author: "Focal point",
			Text: fmt.Sprintf("Progress report %d: 120 officers were trained in %d provinces, and a referral guideline was issued to the police, prosecutors and social workers.", i, 1+i%17)}
		if m == "moj" {
			u.Role = store.RoleLead
		}
		if i%3 == 0 {
			u.Evidence = append(u.Evidence, store.Evidence{Kind: store.EvidenceLink, URL: fmt.Sprintf("https://moj.example.org/doc/%d", i), Title: "Decree"})
		}
		if i%10 == 0 {
			u.Evidence = append(u.Evidence, store.Evidence{Kind: store.EvidenceFile, Title: fmt.Sprintf("report-%d.pdf", i), ContentType: "application/pdf", Data: []byte("%PDF-1.4")})
		}
		if _, err := db.AddUpdate(context.Background(), u); err != nil {
			b.Fatal(err)
		}
	}
	return db, cfg
}

// BenchmarkDraft300x3000 drafts a report over 300 recommendations and
// 3,000 updates (target: under 1 s), and its matrix.
func BenchmarkDraft300x3000(b *testing.B) {
	db, cfg := bigReport(b)
	for _, tc := range []struct {
		name   string
		format report.Format
		matrix bool
	}{{"docx", report.DOCX, false}, {"md", report.Markdown, false}, {"html", report.HTML, false}, {"matrix-xlsx", report.XLSX, true}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r, err := report.Render(context.Background(), db, cfg, report.Request{Options: report.Options{Report: "big", Matrix: tc.matrix}, Format: tc.format})
				if err != nil {
					b.Fatal(err)
				}
				if !tc.matrix && r.Stats.Updates != 3000 {
					b.Fatalf("%d updates in the draft", r.Stats.Updates)
				}
				b.ReportMetric(float64(len(r.Bytes)), "bytes/draft")
			}
		})
	}
}
