package scheduler

import (
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

func mustSpec(t *testing.T, spec string) cron.Schedule {
	t.Helper()
	s, err := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor).Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDue(t *testing.T) {
	daily := mustSpec(t, "CRON_TZ=Europe/Berlin 0 8 * * *")
	minutely := mustSpec(t, "CRON_TZ=UTC * * * * *")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, berlin) }
	grace := 36 * time.Hour
	for _, tc := range []struct {
		name  string
		sched cron.Schedule
		last  time.Time
		ran   bool
		now   time.Time
		want  Decision
	}{
		{"never ran: run now", daily, time.Time{}, false, at(2027, 1, 4, 10, 30), Decision{Slot: at(2027, 1, 4, 10, 30), Run: true, Initial: true}},
		{"nothing due yet", daily, at(2027, 1, 4, 8, 0), true, at(2027, 1, 4, 23, 0), Decision{}},
		{"the slot itself", daily, at(2027, 1, 4, 8, 0), true, at(2027, 1, 5, 8, 0), Decision{Slot: at(2027, 1, 5, 8, 0), Run: true}},
		{"a heartbeat late", daily, at(2027, 1, 4, 8, 0), true, at(2027, 1, 5, 8, 1), Decision{Slot: at(2027, 1, 5, 8, 0), Run: true}},
		{"down two days: the latest runs once", daily, at(2027, 1, 4, 8, 0), true, at(2027, 1, 7, 9, 0),
			Decision{Slot: at(2027, 1, 7, 8, 0), Run: true, Missed: 2}},
		{"down a week: older slots are counted", daily, at(2027, 1, 4, 8, 0), true, at(2027, 1, 11, 9, 0),
			Decision{Slot: at(2027, 1, 11, 8, 0), Run: true, Missed: 6}},
		// Spring forward: 08:00 exists on 28 March 2027; the instants move
		// from UTC+1 to UTC+2.
		{"across spring forward", daily, at(2027, 3, 27, 8, 0), true, at(2027, 3, 28, 8, 0), Decision{Slot: at(2027, 3, 28, 8, 0), Run: true}},
		{"across fall back", daily, at(2027, 10, 30, 8, 0), true, at(2027, 10, 31, 8, 0), Decision{Slot: at(2027, 10, 31, 8, 0), Run: true}},
		{"a minute-level spec after a year down stays cheap", minutely, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), true,
			time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Decision{Slot: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Run: true, Missed: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Due(tc.sched, tc.last, tc.ran, tc.now, grace)
			if !got.Slot.Equal(tc.want.Slot) || got.Run != tc.want.Run || got.Skip != tc.want.Skip || got.Missed != tc.want.Missed || got.Initial != tc.want.Initial {
				t.Errorf("Due = %+v\n want %+v", got, tc.want)
			}
		})
	}
}

// After a skip, the recorded bookmark makes the next heartbeat see nothing
// old again, and the next real slot runs.
func TestDueAfterSkip(t *testing.T) {
	daily := mustSpec(t, "CRON_TZ=UTC 0 8 * * *")
	grace := 2 * time.Hour
	last := time.Date(2027, 1, 1, 8, 0, 0, 0, time.UTC)
	now := time.Date(2027, 1, 5, 12, 0, 0, 0, time.UTC)
	d := Due(daily, last, true, now, grace)
	if !d.Skip || d.Run || d.Missed != 4 || !d.Slot.Equal(now.Add(-grace)) {
		t.Fatalf("first decision = %+v, want a skip of 4 slots", d)
	}
	if again := Due(daily, d.Slot, true, now.Add(time.Minute), grace); again.Run || again.Skip {
		t.Errorf("after the skip = %+v, want nothing", again)
	}
	if next := Due(daily, d.Slot, true, time.Date(2027, 1, 6, 8, 0, 30, 0, time.UTC), grace); !next.Run || !next.Slot.Equal(time.Date(2027, 1, 6, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("next day = %+v", next)
	}
}

func TestMessageID(t *testing.T) {
	for _, tc := range []struct{ key, from, want string }{
		{"reminder:moj:1798768800", "Follow-up <followup@ncmc.example.org>", "reminder.moj.1798768800@ncmc.example.org"},
		{"coordinator-digest:ncmc:1", "bad address", "coordinator-digest.ncmc.1@followup.invalid"},
	} {
		if got := messageID(tc.key, tc.from); got != tc.want {
			t.Errorf("messageID(%q, %q) = %q, want %q", tc.key, tc.from, got, tc.want)
		}
	}
}
