// Package scheduler is the daemon's clock: a gocron heartbeat that
// records that the daemon is alive and starts a round of work at every
// beat (Heartbeat), and the schedules' slots: which cron slot is due now,
// and what to do about the slots missed while the daemon was down (Due,
// PlanAt). What the messages say is plan's business; delivering them is
// package delivery's; cmd/followup builds the daemon from these parts.
//
// The database is the source of truth; gocron is only a heartbeat. gocron
// keeps schedules in memory and never catches up a run missed while the
// process was down, so each slot a schedule ran for is stored, and each
// heartbeat walks the cron spec from the stored slot to now: the latest
// missed slot runs once if it is within the grace window; older ones are
// logged and skipped. The slot advances in the same transaction that
// enqueues its messages, so a restart neither repeats nor loses a run.
package scheduler

import (
	"time"

	"github.com/robfig/cron/v3"
)

// Decision says what a schedule should do at a heartbeat.
type Decision struct {
	Slot time.Time // the slot to run, or the bookmark to record when skipping
	Run  bool      // run the slot
	Skip bool      // record Slot without running anything: what was missed is older than the grace window
	// Missed counts the slots passed over without running: older ones in
	// the grace window, and those before it; -1 when there were too many
	// to count.
	Missed  int
	Initial bool // the schedule never ran in this database
}

// countLimit bounds the counting of missed slots: a minute-level spec
// after a long downtime must not cost a million steps.
const countLimit = 10000

// Due decides what a schedule does at now, given the last slot it ran for.
//
//   - Never ran: run once now, so a new installation sends the current
//     state at once (the slot is now itself); then follow the spec.
//   - Otherwise run the latest slot after the last one, up to now, if it is
//     at most grace old. Older missed slots are only counted: after
//     downtime a schedule runs once, not once per missed slot. When every
//     missed slot is older than grace, nothing runs and the start of the
//     grace window is recorded, so they are not looked at again.
func Due(sched cron.Schedule, last time.Time, ran bool, now time.Time, grace time.Duration) Decision {
	sched = OnWallClock(sched)
	if !ran {
		return Decision{Slot: now.Truncate(time.Second), Run: true, Initial: true}
	}
	floor := now.Add(-grace)
	from := last
	old := 0 // slots after last but before the grace window
	if floor.After(last) {
		from = floor.Add(-time.Second) // cron slots are whole seconds; Next is strictly after
		for s := sched.Next(last); !s.IsZero() && s.Before(floor); s = sched.Next(s) {
			if old++; old == countLimit {
				old = -1
				break
			}
		}
	}
	var latest time.Time
	inWindow := 0
	for s := sched.Next(from); !s.IsZero() && !s.After(now); s = sched.Next(s) {
		latest = s
		if inWindow++; inWindow == countLimit {
			break
		}
	}
	missed := func(extra int) int {
		if old < 0 {
			return -1
		}
		return old + extra
	}
	switch {
	case !latest.IsZero():
		return Decision{Slot: latest, Run: true, Missed: missed(inWindow - 1)}
	case old != 0:
		return Decision{Slot: floor.Truncate(time.Second), Skip: true, Missed: missed(0)}
	}
	return Decision{}
}

// Next is the next slot of a schedule after t: for logs and `followup
// preview`, never gocron's own idea of it.
func Next(sched cron.Schedule, t time.Time) time.Time { return OnWallClock(sched).Next(t) }

// OnWallClock makes a cron spec fire once on every local day across
// daylight-saving changes. robfig/cron walks instants in the spec's zone:
// a slot in the hour that spring-forward skips never fires that day, and
// one in the hour fall-back repeats fires twice. The schedule returned
// matches the spec against the wall clock instead and maps each matching
// wall time to the first instant that shows it: in the skipped hour, the
// first valid instant after it (02:30 on Berlin's spring day fires at
// 03:00); in the repeated hour, its first occurrence only. Specs without
// a zone of their own (UTC, @every) are returned as they are.
func OnWallClock(sched cron.Schedule) cron.Schedule {
	spec, ok := sched.(*cron.SpecSchedule)
	if !ok || spec.Location == nil || spec.Location == time.UTC {
		return sched
	}
	utc := *spec
	utc.Location = time.UTC
	return wallSchedule{spec: &utc, loc: spec.Location}
}

// wallSchedule is a spec matched in a zone's wall-clock time; spec runs
// in UTC, which has no daylight saving, on wall times written as UTC.
type wallSchedule struct {
	spec *cron.SpecSchedule
	loc  *time.Location
}

func (w wallSchedule) Next(t time.Time) time.Time {
	wall := asUTC(t.In(w.loc))
	// A wall time whose first instant is not after t (t is in the second
	// occurrence of a repeated hour, or at the end of a skipped one the
	// slot was moved to) is passed over; a spec matches at most a few
	// hundred wall times an hour, so the loop is short.
	for i := 0; i < 10000; i++ {
		wall = w.spec.Next(wall)
		if wall.IsZero() {
			return wall
		}
		if at := w.instant(wall); at.After(t) {
			return at
		}
	}
	return time.Time{}
}

// instant is the first instant whose wall clock in w.loc reads wall (given
// as UTC), or, when the wall time does not exist, the end of the gap.
func (w wallSchedule) instant(wall time.Time) time.Time {
	// The offsets around wall; zone changes are months apart.
	_, o1 := wall.Add(-36 * time.Hour).In(w.loc).Zone()
	_, o2 := wall.Add(36 * time.Hour).In(w.loc).Zone()
	hi, lo := max(o1, o2), min(o1, o2)
	for _, off := range []int{hi, lo} { // the larger offset gives the earlier instant
		at := wall.Add(-time.Duration(off) * time.Second).In(w.loc)
		if asUTC(at).Equal(wall) {
			return at
		}
	}
	// Skipped: the clock jumped from before wall to after it at the
	// start of the zone that the later candidate is in.
	start, _ := wall.Add(-time.Duration(lo) * time.Second).In(w.loc).ZoneBounds()
	return start.In(w.loc)
}

// asUTC writes t's wall clock as a UTC time.
func asUTC(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}
