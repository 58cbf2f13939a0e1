package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
)

// PlanAt runs (or, with dryRun, only computes) each schedule's due slot at
// now: what the daemon does at a heartbeat.
func PlanAt(ctx context.Context, db *store.DB, p *plan.Planner, now time.Time, dryRun bool, logger *slog.Logger) ([]plan.Message, error) {
	var all []plan.Message
	var errs []error
	for _, job := range plan.Jobs {
		sched := schedule(p.Config, job)
		last, ran, err := db.LastSlot(ctx, job)
		if err != nil {
			return all, err
		}
		dec := Due(sched, last, ran, now, p.Config.Schedules.Grace)
		switch {
		case dec.Skip:
			logger.Warn("missed slots are older than the grace window; skipped", "job", job, "missed", dec.Missed, "grace", p.Config.Schedules.Grace.String())
			if !dryRun {
				if err := db.SetLastSlot(ctx, job, dec.Slot); err != nil {
					errs = append(errs, err)
				}
			}
			continue
		case !dec.Run:
			continue
		}
		if dec.Missed != 0 {
			logger.Warn("missed slots skipped; running the latest once", "job", job, "slot", dec.Slot, "missed", dec.Missed)
		}
		var msgs []plan.Message
		err = db.RunSlot(ctx, job, dec.Slot, dryRun, func(tx *store.SlotTx) error {
			var err error
			msgs, err = p.Run(ctx, tx, job, dec.Slot)
			return err
		})
		if errors.Is(err, store.ErrSlotDone) {
			continue // another process ran it first
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s at %s: %w", job, dec.Slot.Format(time.RFC3339), err))
			continue
		}
		if !dryRun {
			logger.Info("slot ran", "job", job, "slot", dec.Slot.In(p.Config.Location).Format(time.RFC3339), "messages", len(msgs), "initial", dec.Initial)
			if next := standIn(job, sched, dec); !next.IsZero() {
				if err := db.SetLastSlot(ctx, job, next); err != nil {
					errs = append(errs, err)
				}
			}
		}
		all = append(all, msgs...)
	}
	return all, errors.Join(errs...)
}

// standIn is the scheduled slot a digest's first run on a new database
// stands in for: started at 07:00, the daemon does not send the same
// overview again at 08:00 (zero: none). The reminders do not skip their
// next slot: it reminds what was imported since, and what was reminded
// already is never reminded twice (the reminder log).
func standIn(job string, sched cron.Schedule, dec Decision) time.Time {
	if !dec.Initial || job == plan.JobReminders {
		return time.Time{}
	}
	if next := Next(sched, dec.Slot); !next.IsZero() && next.Sub(dec.Slot) <= 24*time.Hour {
		return next
	}
	return time.Time{}
}

func schedule(cfg *config.Config, job string) cron.Schedule { return Spec(cfg, job).Schedule }

// Spec is the schedule the config gives a job (plan.Jobs).
func Spec(cfg *config.Config, job string) config.Schedule {
	switch job {
	case plan.JobCoordinatorDigest:
		return cfg.Schedules.CoordinatorDigest
	case plan.JobMinistryDigest:
		return cfg.Schedules.MinistryDigest
	}
	return cfg.Schedules.Reminders
}
