package scheduler

import (
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
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

// TestDueAcrossDST: a daily schedule, driven heartbeat by heartbeat on a
// fake clock through the days clocks change, runs exactly once on every
// local day: in the skipped hour at the first valid instant after it, in
// the repeated hour only once.
func TestDueAcrossDST(t *testing.T) {
	for _, tc := range []struct {
		zone, spec string
		from, to   time.Time // UTC
		moved      string    // the local day and time the skipped slot runs at, "" when none
	}{
		{"Europe/Berlin", "30 2 * * *", time.Date(2027, 3, 25, 12, 0, 0, 0, time.UTC), time.Date(2027, 3, 31, 12, 0, 0, 0, time.UTC), "2027-03-28 03:00"},
		{"Europe/Berlin", "0 2 * * *", time.Date(2027, 3, 25, 12, 0, 0, 0, time.UTC), time.Date(2027, 3, 31, 12, 0, 0, 0, time.UTC), "2027-03-28 03:00"},
		{"Europe/Berlin", "30 2 * * *", time.Date(2027, 10, 28, 12, 0, 0, 0, time.UTC), time.Date(2027, 11, 3, 12, 0, 0, 0, time.UTC), ""},
		{"Europe/Berlin", "*/20 2 * * *", time.Date(2027, 10, 28, 12, 0, 0, 0, time.UTC), time.Date(2027, 11, 3, 12, 0, 0, 0, time.UTC), ""},
		// Santiago changes at midnight: 00:00 is skipped on 5 September
		// 2027, and 23:00-24:00 of 3 April 2027 comes twice.
		{"America/Santiago", "0 0 * * *", time.Date(2027, 9, 2, 12, 0, 0, 0, time.UTC), time.Date(2027, 9, 8, 12, 0, 0, 0, time.UTC), "2027-09-05 01:00"},
		{"America/Santiago", "30 23 * * *", time.Date(2027, 3, 31, 12, 0, 0, 0, time.UTC), time.Date(2027, 4, 6, 12, 0, 0, 0, time.UTC), ""},
		{"America/Santiago", "0 8 * * *", time.Date(2027, 3, 31, 12, 0, 0, 0, time.UTC), time.Date(2027, 9, 10, 12, 0, 0, 0, time.UTC), ""},
	} {
		t.Run(tc.zone+" "+tc.spec+" "+tc.from.Format("2006-01"), func(t *testing.T) {
			loc, err := time.LoadLocation(tc.zone)
			if err != nil {
				t.Fatal(err)
			}
			sched := mustSpec(t, "CRON_TZ="+tc.zone+" "+tc.spec)
			perSlot := 1
			if tc.spec == "*/20 2 * * *" {
				perSlot = 3
			}
			clock := clockwork.NewFakeClockAt(tc.from)
			last, ran := tc.from, true
			runs := map[string][]string{} // local day -> local times it ran at
			for clock.Now().Before(tc.to) {
				clock.Advance(time.Minute) // the heartbeat
				dec := Due(sched, last, ran, clock.Now(), 36*time.Hour)
				if dec.Run {
					l := dec.Slot.In(loc)
					day := l.Format("2006-01-02")
					runs[day] = append(runs[day], l.Format("15:04 MST"))
					last = dec.Slot
					if tc.moved != "" && l.Format("2006-01-02 15:04") == tc.moved {
						tc.moved = ""
					}
				}
			}
			for d := tc.from.In(loc).AddDate(0, 0, 1); d.Before(tc.to.In(loc).AddDate(0, 0, -1)); d = d.AddDate(0, 0, 1) {
				day := d.Format("2006-01-02")
				if len(runs[day]) != perSlot {
					t.Errorf("%s: ran %d times (%v), want %d", day, len(runs[day]), runs[day], perSlot)
				}
			}
			if tc.moved != "" {
				t.Errorf("the slot in the skipped hour did not run at %s: %v", tc.moved, runs)
			}
		})
	}
}

// The wall-clock schedule leaves ordinary days alone: the same instants
// as robfig/cron's own on a day without a change.
func TestOnWallClockOrdinaryDays(t *testing.T) {
	sched := mustSpec(t, "CRON_TZ=Europe/Berlin 15 8,20 * * 1-5")
	from := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	a, b := from, from
	for i := 0; i < 500; i++ {
		a, b = sched.Next(a), OnWallClock(sched).Next(b)
		if !a.Equal(b) {
			t.Fatalf("slot %d: robfig %v, wall clock %v", i, a, b)
		}
		if a.Month() == time.March && a.Day() > 20 {
			break // the change is tested above
		}
	}
}
