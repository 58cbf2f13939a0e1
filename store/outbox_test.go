package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/report/source"
)

// A delivery that reached some recipients: sent; the one refused for good
// is a failure of its own, the one refused for now gets the message again
// in a row of its own (once, however often the outcome is recorded).
func TestMarkSentExceptAndRefusedRecipients(t *testing.T) {
	db, c := openTest(t)
	ctx := context.Background()
	id, _, err := db.Enqueue(ctx, OutboxMessage{Key: "digest:1", Kind: "digest", Recipient: "ncmc", Subject: "Digest", MessageID: "m1@x",
		From: "f@x.org", To: []string{"a@x.org", "gone@x.org", "full@x.org"}, Raw: []byte("body")})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := db.ClaimKeys(ctx, []string{"digest:1", "no-such-key"}); err != nil || len(got) != 1 || string(got[0].Raw) != "body" {
		t.Fatalf("ClaimKeys = %+v, %v", got, err)
	}
	refused := []RecipientFailure{{Address: "gone@x.org", Code: 550, Error: "no such user"}, {Address: "full@x.org", Code: 452, Temporary: true}}
	retry := c.t.Add(10 * time.Minute)
	for range 2 {
		if err := db.MarkSentExcept(ctx, id, "250 ok", refused, retry); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.MarkSentExcept(ctx, 999, "250 ok", nil, retry); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown row: %v", err)
	}
	n, rs, err := db.refusedRecipients(ctx, 10)
	if err != nil || n != 1 || len(rs) != 1 || rs[0].Address != "gone@x.org" || rs[0].Code != 550 || rs[0].Key != "digest:1" || rs[0].Error != "no such user" {
		t.Errorf("refused recipients = %d %+v, %v", n, rs, err)
	}
	all, err := db.Outbox(ctx, "", 10)
	if err != nil || len(all) != 2 {
		t.Fatalf("outbox = %+v, %v", all, err)
	}
	again := all[0]
	if again.Key != "digest:1/again:full@x.org" || again.Status != StatusPending || strings.Join(again.To, ",") != "full@x.org" ||
		!again.NextAttempt.Equal(retry) || again.MessageID != "m1@x" || all[1].Status != StatusSent || all[1].SentAt.IsZero() {
		t.Errorf("after a partial delivery: %+v", all)
	}
	if n, oldest, err := db.pendingSummary(ctx); err != nil || n != 1 || !oldest.Equal(c.t) {
		t.Errorf("pending = %d since %v, %v", n, oldest, err)
	}
	counts, err := db.MessageCounts(ctx)
	if err != nil || fmt.Sprint(counts) != "[{digest pending 1} {digest sent 1}]" {
		t.Errorf("message counts = %v, %v", counts, err)
	}
	// The retry's body is the message's.
	c.t = retry
	batch, err := db.ClaimBatch(ctx, 5)
	if err != nil || len(batch) != 1 || string(batch[0].Raw) != "body" {
		t.Fatalf("claim the retry = %+v, %v", batch, err)
	}
}

// Failed and uncertain messages go back to pending at the admin's
// request, to the addresses the config now gives; a failed reminder's
// log rows come back with it, unless the sweep planned its tasks again.
func TestRequeue(t *testing.T) {
	db, c, ids := importedTasks(t)
	ctx := context.Background()
	task := ids["CRC/C/XYZ/CO/1:8"]
	var outs [3]int64
	if err := db.RunSlot(ctx, "reminders", c.t, false, func(s *SlotTx) error {
		for i := range outs {
			id, _, err := s.Enqueue(ctx, plan.Outgoing{Key: fmt.Sprintf("reminder:moj:%d", i), Kind: "reminder", Recipient: "moj",
				To: []string{"old@moj.example"}, Raw: []byte("to old")})
			if err != nil {
				return err
			}
			outs[i] = id
		}
		// The first two messages each remind task 8 of one deadline.
		q := func(deadline string) plan.SweepQuery {
			return plan.SweepQuery{Fires: []plan.Fire{{Document: 1, Stage: "assigned", Paragraphs: []int{8}, Deadline: deadline, Kind: "due"}}}
		}
		if err := s.LogSweep(ctx, q("d0"), map[plan.Channel]int64{{Owner: "moj"}: outs[0]}); err != nil {
			return err
		}
		return s.LogSweep(ctx, q("d1"), map[plan.Channel]int64{{Owner: "moj"}: outs[1]})
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkFailed(ctx, outs[0], "550 refused"); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkFailed(ctx, outs[1], "550 refused"); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkUncertain(ctx, outs[2], "connection lost after the final dot"); err != nil {
		t.Fatal(err)
	}
	for _, mark := range []func() error{
		func() error { return db.MarkFailed(ctx, 999, "x") },
		func() error { return db.MarkUncertain(ctx, 999, "x") },
		func() error { return db.MarkRetry(ctx, 999, "x", c.t, 3) },
	} {
		if err := mark(); !errors.Is(err, ErrNotFound) {
			t.Errorf("marking an unknown row: %v", err)
		}
	}
	// The failures moved the log rows aside (a trigger); the sweep then
	// plans the second deadline again, under another message.
	if n := count(t, db, "reminder_log"); n != 0 {
		t.Fatalf("%d log rows left after the failures", n)
	}
	if _, err := db.db.raw.Exec(`INSERT INTO reminder_log (task_id, deadline, kind, outbox_id, at) VALUES (?, 'd1', 'due', ?, 0)`, task, outs[2]); err != nil {
		t.Fatal(err)
	}
	readdress := func(m OutboxMessage) ([]byte, []string, bool, error) {
		if m.ID == outs[2] {
			return nil, nil, false, nil // kept as it was
		}
		return []byte("to new"), []string{"new@moj.example"}, true, nil
	}
	res, err := db.Requeue(ctx, []int64{outs[0], outs[1], outs[2], 999}, readdress)
	if err != nil || res != (RequeueResult{Requeued: 2, Readdressed: 1, Replanned: 1}) {
		t.Fatalf("requeue = %+v, %v", res, err)
	}
	ms, err := db.Outbox(ctx, StatusPending, 10)
	if err != nil || len(ms) != 2 || strings.Join(ms[1].To, ",") != "new@moj.example" || ms[1].Attempts != 0 || strings.Join(ms[0].To, ",") != "old@moj.example" {
		t.Errorf("pending after requeue = %+v, %v", ms, err)
	}
	if n := count(t, db, "reminder_log"); n != 2 {
		t.Errorf("%d log rows, want the first deadline's back beside the replanned one", n)
	}
	// A readdressing that fails leaves everything as it was.
	if err := db.MarkFailed(ctx, outs[0], "550 again"); err != nil {
		t.Fatal(err)
	}
	_, err = db.Requeue(ctx, []int64{outs[0]}, func(OutboxMessage) ([]byte, []string, bool, error) {
		return nil, nil, false, errors.New("no address for moj")
	})
	if err == nil || !strings.Contains(err.Error(), "no address for moj") {
		t.Errorf("requeue with a failing readdress: %v", err)
	}
	// Failed: that one, and the replanned one, which stays so.
	if ms, _ := db.Outbox(ctx, StatusFailed, 10); len(ms) != 2 || ms[0].LastError != "550 refused" || ms[1].LastError != "550 again" {
		t.Errorf("after a failed requeue: %+v", ms)
	}
	// The file transport cannot duplicate: a crash sends it again.
	batch, err := db.ClaimBatch(ctx, 10)
	if err != nil || len(batch) != 1 || batch[0].ID != outs[2] {
		t.Fatal(batch, err)
	}
	if unc, pend, err := db.Recover(ctx, true); err != nil || unc != 0 || pend != 1 {
		t.Errorf("recover with resend = %d uncertain, %d pending, %v", unc, pend, err)
	}
}

// What the overview reads of the outbox: the last message of a kind, the
// reminders delivered, the failures no overview reported, the changes to
// where mail goes; listed in an overview, they are reported once it is
// delivered.
func TestOverviewOfDelivery(t *testing.T) {
	db, c := openTest(t)
	ctx := context.Background()
	enqueue := func(key, kind, recipient string) int64 {
		t.Helper()
		id, _, err := db.Enqueue(ctx, OutboxMessage{Key: key, Kind: kind, Recipient: recipient, Subject: "about " + key, To: []string{recipient + "@x.org"}, Raw: []byte("x")})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	r1, r2, f := enqueue("r1", "reminder", "moj"), enqueue("r2", "reminder", "moj"), enqueue("f", "reminder", "mps")
	if _, err := db.ClaimBatch(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(ctx, r1, "250"); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Hour)
	if err := db.MarkSent(ctx, r2, "250"); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(ctx, 999, "250"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown row: %v", err)
	}
	if err := db.MarkFailed(ctx, f, "550 no such user"); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordMailChange(ctx, "moj: old@moj.example -> new@moj.example\nmps: added"); err != nil {
		t.Fatal(err)
	}
	read := func(fn func(plan.Reader) error) {
		t.Helper()
		if err := db.Read(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Date(2027, 1, 4, 1, 0, 0, 0, time.UTC)
	read(func(r plan.Reader) error {
		if last, err := r.LastSent(ctx, "reminder", "moj"); err != nil || !last.Equal(start) {
			t.Errorf("last sent = %v, %v", last, err)
		}
		if last, err := r.LastSent(ctx, "digest", "moj"); err != nil || !last.IsZero() {
			t.Errorf("never sent = %v, %v", last, err)
		}
		d, err := r.DeliveredReminders(ctx, []string{"moj", "mps"})
		if err != nil || len(d) != 1 || d["moj"].Count != 2 || !d["moj"].Last.Equal(start.Add(time.Hour)) {
			t.Errorf("delivered = %+v, %v", d, err)
		}
		fs, total, err := r.Failures(ctx, 10)
		if err != nil || total != 1 || len(fs) != 1 || fs[0].Subject != "about f" || fs[0].Status != StatusFailed || fs[0].Error != "550 no such user" {
			t.Errorf("failures = %+v %d, %v", fs, total, err)
		}
		mc, err := r.MailChanges(ctx)
		if err != nil || len(mc) != 1 || len(mc[0].Changes) != 2 || mc[0].Changes[1] != "mps: added" {
			t.Errorf("mail changes = %+v, %v", mc, err)
		}
		return nil
	})
	// An overview lists them; delivered, it takes them with it.
	var digest int64
	if err := db.RunSlot(ctx, "overview", c.t, false, func(s *SlotTx) error {
		var err error
		if digest, _, err = s.Enqueue(ctx, plan.Outgoing{Key: "overview:1", Kind: "coordinator-digest", Recipient: "ncmc", Raw: []byte("x")}); err != nil {
			return err
		}
		return s.ListInOverview(ctx, digest)
	}); err != nil {
		t.Fatal(err)
	}
	read(func(r plan.Reader) error {
		if _, total, _ := r.Failures(ctx, 10); total != 1 {
			t.Errorf("listed in an overview not yet delivered, the failure is gone: %d", total)
		}
		return nil
	})
	if _, err := db.ClaimBatch(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(ctx, digest, "250"); err != nil {
		t.Fatal(err)
	}
	read(func(r plan.Reader) error {
		fs, total, err := r.Failures(ctx, 10)
		mc, err2 := r.MailChanges(ctx)
		if err != nil || err2 != nil || total != 0 || len(fs) != 0 || len(mc) != 0 {
			t.Errorf("after the overview was delivered: %+v %d %+v, %v %v", fs, total, mc, err, err2)
		}
		return nil
	})
}

func TestDeliveryStateAndHeartbeat(t *testing.T) {
	db, c := openTest(t)
	ctx := context.Background()
	if st, err := db.Delivery(ctx); err != nil || st.State != "" {
		t.Errorf("no state yet: %+v, %v", st, err)
	}
	if at, pid, err := db.LastHeartbeat(ctx); err != nil || !at.IsZero() || pid != "" {
		t.Errorf("no heartbeat yet: %v %q %v", at, pid, err)
	}
	start := c.t
	if err := db.SetDeliveryState(ctx, DeliveryFailing, "dial tcp: refused"); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Minute)
	// A new error in the same state keeps its start.
	if err := db.SetDeliveryState(ctx, DeliveryFailing, "dial tcp: timeout"); err != nil {
		t.Fatal(err)
	}
	st, err := db.Delivery(ctx)
	if err != nil || st.State != DeliveryFailing || st.Err != "dial tcp: timeout" || !st.Since.Equal(start) || !st.At.Equal(c.t) {
		t.Errorf("delivery = %+v, %v", st, err)
	}
	if err := db.SetDeliveryState(ctx, DeliveryOK, ""); err != nil {
		t.Fatal(err)
	}
	if st, _ := db.Delivery(ctx); st.State != DeliveryOK || st.Err != "" || !st.Since.Equal(c.t) {
		t.Errorf("back to ok = %+v", st)
	}
	if err := db.Heartbeat(ctx, 4242); err != nil {
		t.Fatal(err)
	}
	if at, pid, err := db.LastHeartbeat(ctx); err != nil || !at.Equal(c.t) || pid != "4242" {
		t.Errorf("heartbeat = %v %q %v", at, pid, err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Error(err)
	}
	if err := db.ReleaseMemory(ctx); err != nil {
		t.Error(err)
	}
	if err := db.SetLastSlot(ctx, "overview", start); err != nil {
		t.Fatal(err)
	}
	if last, ok, err := db.LastSlot(ctx, "overview"); err != nil || !ok || !last.Equal(start) {
		t.Errorf("last slot = %v %v %v", last, ok, err)
	}
}

func TestDrafts(t *testing.T) {
	db, c := openTest(t)
	ctx := context.Background()
	for i, d := range []source.Draft{
		{Report: "crc", By: "NCMC", Format: "docx", Options: []string{"only-public"}, File: "/tmp/a.docx", SHA256: "aa", Updates: 3, Words: 100},
		{Report: "crc", By: "focal@ncmc.example", Format: "md", Data: []byte("# draft"), At: c.t.Add(time.Hour)},
		{Report: "upr", By: "NCMC", Format: "md"},
	} {
		got, err := db.RecordDraft(ctx, d)
		if err != nil || got.ID == 0 || got.N != []int{1, 2, 1}[i] {
			t.Fatalf("draft %d = %+v, %v", i, got, err)
		}
	}
	ds, err := db.Drafts(ctx, "crc")
	if err != nil || len(ds) != 2 || ds[0].N != 1 || ds[0].Options[0] != "only-public" || !ds[0].At.Equal(c.t) || ds[1].By != "focal@ncmc.example" || !ds[1].At.Equal(c.t.Add(time.Hour)) {
		t.Errorf("drafts of crc = %+v, %v", ds, err)
	}
	if d, data, err := db.DraftFile(ctx, "crc", 2); err != nil || string(data) != "# draft" || d.N != 2 || d.Data != nil {
		t.Errorf("draft file 2 = %+v %q, %v", d, data, err)
	}
	if _, data, err := db.DraftFile(ctx, "crc", 1); err != nil || data != nil {
		t.Errorf("a draft written to a file keeps no bytes: %q, %v", data, err)
	}
	if _, _, err := db.DraftFile(ctx, "crc", 3); !errors.Is(err, ErrNotFound) {
		t.Errorf("no draft 3: %v", err)
	}
}
