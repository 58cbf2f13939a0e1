package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
)

func importedTasks(t *testing.T) (*DB, *clock, map[string]int64) {
	t.Helper()
	db, c := openTest(t)
	ctx := context.Background()
	if _, err := db.Import(ctx, []ImportItem{{Doc: coDoc(), Source: "co.txt"}}, planAll("moj")); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, ref := range []string{"CRC/C/XYZ/CO/1:8", "CRC/C/XYZ/CO/1:14a", "CRC/C/XYZ/CO/1:14b"} {
		tk, err := db.Task(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		ids[ref] = tk.ID
	}
	return db, c, ids
}

func TestAddUpdateWithEvidence(t *testing.T) {
	db, c, ids := importedTasks(t)
	ctx := context.Background()
	c.t = time.Date(2027, 3, 3, 9, 30, 0, 0, time.UTC)
	pdf := []byte("%PDF-1.4 a decree")
	id, err := db.AddUpdate(ctx, Update{TaskID: ids["CRC/C/XYZ/CO/1:14a"], Ministry: "moj", Role: RoleLead,
		FocalPoint: "legislation@moj.example.org", Author: "  Khamla S.  ", ClientAddr: "192.0.2.7",
		DoneOn: civil.D(2027, 2, 20), Text: "Trained 120 border police officers.\n\nSecond paragraph.",
		Evidence: []Evidence{
			{Kind: EvidenceLink, URL: "https://example.org/decree", Title: "Decree No. 12"},
			{Kind: EvidenceFile, Title: "training-report.pdf", ContentType: "application/pdf", Data: pdf},
		}})
	if err != nil {
		t.Fatal(err)
	}
	// A second update on another task, and one on the first task later.
	if _, err := db.AddUpdate(ctx, Update{TaskID: ids["CRC/C/XYZ/CO/1:8"], Ministry: "moj", Role: RoleLead, Author: "Admin", Text: "Data collected."}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddUpdate(ctx, Update{TaskID: ids["CRC/C/XYZ/CO/1:14a"], Ministry: "mps", Role: RoleSupport, Author: "Vong", Text: "Joint training."}); err != nil {
		t.Fatal(err)
	}

	var got []Update
	if err := db.Updates(ctx, UpdateFilter{}, func(u Update) error { got = append(got, u); return nil }); err != nil {
		t.Fatal(err)
	}
	// Document order: paragraph 8 first, then 14a's two updates as recorded.
	var order []string
	for _, u := range got {
		order = append(order, u.RecID+"/"+u.Ministry)
	}
	if want := "CRC/C/XYZ/CO/1:8/moj CRC/C/XYZ/CO/1:14a/moj CRC/C/XYZ/CO/1:14a/mps"; strings.Join(order, " ") != want {
		t.Errorf("order %v, want %s", order, want)
	}
	u := got[1]
	if u.ID != id || u.Author != "Khamla S." || u.DoneOn != civil.D(2027, 2, 20) || !u.At.Equal(c.t) || u.Public {
		t.Errorf("update = %+v", u)
	}
	if len(u.Evidence) != 2 || u.Evidence[0].Kind != EvidenceLink || u.Evidence[1].Size != int64(len(pdf)) ||
		u.Evidence[1].Data != nil || len(u.Evidence[1].SHA256) != 64 {
		t.Fatalf("evidence = %+v", u.Evidence)
	}
	e, taskID, err := db.EvidenceData(ctx, u.Evidence[1].ID)
	if err != nil || taskID != ids["CRC/C/XYZ/CO/1:14a"] || string(e.Data) != string(pdf) || e.ContentType != "application/pdf" {
		t.Errorf("EvidenceData = %+v, %d, %v", e, taskID, err)
	}

	// The audit trail says who, through which link, from where.
	hist, err := db.History(ctx, ids["CRC/C/XYZ/CO/1:14a"])
	if err != nil {
		t.Fatal(err)
	}
	last := hist[len(hist)-2]
	if last.Kind != "update" || last.Actor != "Khamla S." || last.FocalPoint != "legislation@moj.example.org" ||
		last.ClientAddr != "192.0.2.7" || !strings.HasPrefix(last.Note, "Trained 120") || strings.Contains(last.Note, "\n") {
		t.Errorf("event = %+v", last)
	}

	// Public: recorded with who decided; OnlyPublic and SinceID filter.
	if _, err := db.SetUpdatePublic(ctx, id, true, Actor{Name: "Coordinator"}); err != nil {
		t.Fatal(err)
	}
	var public []int64
	if err := db.Updates(ctx, UpdateFilter{OnlyPublic: true}, func(u Update) error { public = append(public, u.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(public) != 1 || public[0] != id {
		t.Errorf("public updates %v, want [%d]", public, id)
	}
	var since []int64
	if err := db.Updates(ctx, UpdateFilter{SinceID: id}, func(u Update) error { since = append(since, u.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(since) != 2 {
		t.Errorf("updates after %d: %v", id, since)
	}
}

func TestAddUpdateRefusesAndWritesNothing(t *testing.T) {
	db, _, ids := importedTasks(t)
	ctx := context.Background()
	before := count(t, db, "task_events")
	for name, u := range map[string]Update{
		"empty text":   {TaskID: ids["CRC/C/XYZ/CO/1:8"], Ministry: "moj", Role: RoleLead, Author: "A", Text: " \n\t "},
		"no author":    {TaskID: ids["CRC/C/XYZ/CO/1:8"], Ministry: "moj", Role: RoleLead, Text: "Done."},
		"bad role":     {TaskID: ids["CRC/C/XYZ/CO/1:8"], Ministry: "moj", Role: "owner", Author: "A", Text: "Done."},
		"bad evidence": {TaskID: ids["CRC/C/XYZ/CO/1:8"], Ministry: "moj", Role: RoleLead, Author: "A", Text: "Done.", Evidence: []Evidence{{Kind: "video"}}},
		"missing task": {TaskID: 999999, Ministry: "moj", Role: RoleLead, Author: "A", Text: "Done."},
		"no ministry":  {TaskID: ids["CRC/C/XYZ/CO/1:8"], Role: RoleLead, Author: "A", Text: "Done."},
	} {
		_, err := db.AddUpdate(ctx, u)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if name == "missing task" && !errors.Is(err, ErrNotFound) || name != "missing task" && !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: error %v", name, err)
		}
	}
	if n := count(t, db, "task_updates"); n != 0 {
		t.Errorf("%d updates written", n)
	}
	if n := count(t, db, "task_events"); n != before {
		t.Errorf("events %d, want %d", n, before)
	}
}

func TestUpdatesAreNeverEdited(t *testing.T) {
	db, _, ids := importedTasks(t)
	ctx := context.Background()
	id, err := db.AddUpdate(ctx, Update{TaskID: ids["CRC/C/XYZ/CO/1:8"], Ministry: "moj", Role: RoleLead, Author: "A", Text: "Done."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.db.raw.Exec(`UPDATE task_updates SET text = 'rewritten' WHERE id = ?`, id); err == nil {
		t.Error("an update's text was rewritten")
	}
	if _, err := db.db.raw.Exec(`DELETE FROM task_updates WHERE id = ?`, id); err == nil {
		t.Error("an update was deleted")
	}
}

func TestUpdateWithDamagedDateNamesIt(t *testing.T) {
	db, _, ids := importedTasks(t)
	ctx := context.Background()
	id, err := db.AddUpdate(ctx, Update{TaskID: ids["CRC/C/XYZ/CO/1:8"], Ministry: "moj", Role: RoleLead, Author: "A", Text: "Done.",
		DoneOn: civil.D(2027, 1, 2)})
	if err != nil {
		t.Fatal(err)
	}
	// Damage the stored date behind the trigger's back.
	if _, err := db.db.raw.Exec(`DROP TRIGGER task_updates_keep_text`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.db.raw.Exec(`UPDATE task_updates SET done_on = '2027-13-45' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	err = db.Updates(ctx, UpdateFilter{}, func(Update) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "CRC/C/XYZ/CO/1:8") || !strings.Contains(err.Error(), "2027-13-45") {
		t.Errorf("error %v: want one naming the update's recommendation and the stored value", err)
	}
}
