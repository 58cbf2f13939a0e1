package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/followup-app/followup/report/source"
)

func TestReportQueries(t *testing.T) {
	db, c, ids := importedTasks(t)
	ctx := context.Background()
	rep, add := uprDocs()
	if _, err := db.Import(ctx, []ImportItem{{Doc: rep, Source: "rep.txt"}, {Doc: add, Source: "add.txt"}}, planAll("mofa")); err != nil {
		t.Fatal(err)
	}

	docs, err := db.ReportDocuments(ctx, []string{"A/HRC/61/9", "NOT/STORED/1", "CRC/C/XYZ/CO/1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[0].Symbol != "A/HRC/61/9" || docs[1].Symbol != "CRC/C/XYZ/CO/1" || docs[1].State != "Mongolia" || docs[1].Adopted.String() != "2026-06-05" {
		t.Fatalf("documents in the order asked, unknown left out: %+v", docs)
	}
	all, err := db.ReportDocuments(ctx, nil)
	if err != nil || len(all) != 3 || all[2].Symbol != "A/HRC/61/9/Add.1" {
		t.Fatalf("all documents = %+v, %v", all, err)
	}

	// Items in document order, with the addendum that gave each position.
	var items []source.Item
	if err := db.ReportItems(ctx, docs[0].ID, func(it source.Item) error { items = append(items, it); return nil }); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		got = append(got, it.Task.Rec.ID+" "+it.Task.Rec.Status+" "+it.PositionSource+" "+it.Task.Owner)
	}
	want := []string{"A/HRC/61/9:5.1 supported  mofa", "A/HRC/61/9:5.2 supported A/HRC/61/9/Add.1 mofa", "A/HRC/61/9:5.3 noted A/HRC/61/9/Add.1 mofa"}
	if !slices.Equal(got, want) {
		t.Errorf("items:\n got %q\nwant %q", got, want)
	}

	// Updates since an id.
	first, err := db.AddUpdate(ctx, Update{TaskID: ids["CRC/C/XYZ/CO/1:14a"], Ministry: "moj", Role: RoleLead, Author: "K", Text: "One.",
		Evidence: []Evidence{{Kind: EvidenceLink, URL: "https://example.org/a", Title: "A"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddUpdate(ctx, Update{TaskID: ids["CRC/C/XYZ/CO/1:8"], Ministry: "moj", Role: RoleLead, Author: "K", Text: "Two."}); err != nil {
		t.Fatal(err)
	}
	var ups []string
	collect := func(u source.Update) error { ups = append(ups, u.RecID+" "+u.Text); return nil }
	if err := db.ReportUpdates(ctx, docs[1].ID, 0, collect); err != nil {
		t.Fatal(err)
	}
	if want := []string{"CRC/C/XYZ/CO/1:8 Two.", "CRC/C/XYZ/CO/1:14a One."}; !slices.Equal(ups, want) {
		t.Errorf("updates = %q, want %q", ups, want)
	}
	ups = nil
	if err := db.ReportUpdates(ctx, docs[1].ID, first, collect); err != nil || !slices.Equal(ups, []string{"CRC/C/XYZ/CO/1:8 Two."}) {
		t.Errorf("updates since %d = %q, %v", first, ups, err)
	}

	// Last reminded: only reminders the relay accepted count.
	remind := func(key string, task int64, at time.Time, sent bool) {
		c.t = at
		id, _, err := db.Enqueue(ctx, OutboxMessage{Key: key, Kind: "reminder", Recipient: "moj", Subject: "s", MessageID: key,
			From: "f@x.org", To: []string{"t@x.org"}, Raw: []byte("x")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.db.raw.Exec(`INSERT INTO reminder_log (task_id, deadline, kind, outbox_id, at) VALUES (?, ?, 'due', ?, ?)`, task, key, id, at.Unix()); err != nil {
			t.Fatal(err)
		}
		if sent {
			if err := db.MarkSent(ctx, id, "250 ok"); err != nil {
				t.Fatal(err)
			}
		}
	}
	march := time.Date(2027, 3, 3, 1, 0, 0, 0, time.UTC)
	remind("r1", ids["CRC/C/XYZ/CO/1:14a"], march.AddDate(0, -1, 0), true)
	remind("r2", ids["CRC/C/XYZ/CO/1:14a"], march, true)
	remind("r3", ids["CRC/C/XYZ/CO/1:14a"], march.AddDate(0, 0, 7), false) // queued, not sent
	last, err := db.LastReminded(ctx, docs[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(last) != 1 || last[0].TaskID != ids["CRC/C/XYZ/CO/1:14a"] || last[0].Ministry != "moj" || !last[0].At.Equal(march) {
		t.Errorf("last reminded = %+v, want moj on %v", last, march)
	}

	// Drafts are numbered per report.
	for i, r := range []string{"crc-next", "crc-next", "upr"} {
		d, err := db.RecordDraft(ctx, source.Draft{Report: r, By: "NCMC", Format: "docx", Options: []string{"only-public"}, SHA256: "ab", LastUpdateID: int64(i)})
		if err != nil {
			t.Fatal(err)
		}
		if want := []int{1, 2, 1}[i]; d.N != want || d.ID == 0 {
			t.Errorf("draft %d of %s numbered %d, want %d", i, r, d.N, want)
		}
	}
	drafts, err := db.Drafts(ctx, "crc-next")
	if err != nil || len(drafts) != 2 || drafts[1].N != 2 || drafts[1].LastUpdateID != 1 || !slices.Equal(drafts[1].Options, []string{"only-public"}) || !drafts[1].At.Equal(c.t) {
		t.Errorf("drafts = %+v, %v", drafts, err)
	}
}
