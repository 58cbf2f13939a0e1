package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// TestFirstStartRecordsTheSlotThatRan (issue 10, item 8): on a new
// database the reminders run once at start, and the schedule records that
// run, not the next morning's slot: the next morning's reminders go out.
func TestFirstStartRecordsTheSlotThatRan(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Vientiane")
	if err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	co, err := os.ReadFile(fixtureCO)
	if err != nil {
		t.Fatal(err)
	}
	c.write("co.txt", co)
	cfg := c.write("followup.yaml", []byte(strings.Replace(rulesConfig, "%s", "", 1)+
		"documents: [co.txt]\nschedules: {reminders: \"0 8 * * 1-5\", heartbeat: 1m}\n"))
	// Monday 4 January 2027, 10:00: after the day's 08:00 slot. The tasks
	// are imported now; their first stage ends on 4 February, so their
	// 30-day reminder is due on Tuesday 5 January.
	start := time.Date(2027, 1, 4, 10, 0, 0, 0, loc)
	fc := clockwork.NewFakeClockAt(start)
	td := startDaemon(t, cfg, fc, nil)
	db := openRaw(t, filepath.Join(c.dir, "followup.db"))
	defer db.Close()
	var last int64
	if err := db.QueryRow(`SELECT last_slot FROM schedule_slots WHERE name = 'reminders'`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	if got := time.Unix(last, 0).In(loc); !got.Equal(start) {
		t.Errorf("after the first start the reminders schedule records %s, want the run at start, %s", got, start)
	}
	r := td.advanceTo(time.Date(2027, 1, 5, 8, 0, 0, 0, loc))
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	var reminded int
	if err := db.QueryRow(`SELECT COUNT(*) FROM reminder_log WHERE kind = 'lead:30d'`).Scan(&reminded); err != nil {
		t.Fatal(err)
	}
	var tasks int
	if err := db.QueryRow(`SELECT COUNT(*) FROM tasks`).Scan(&tasks); err != nil {
		t.Fatal(err)
	}
	if reminded != tasks || tasks == 0 {
		t.Errorf("Tuesday 08:00 reminded %d of the %d new tasks:\n%s", reminded, tasks, td.logs)
	}
	td.stop()
}
