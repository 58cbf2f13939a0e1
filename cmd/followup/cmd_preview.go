package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/delivery"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/scheduler"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/web"
)

type jsonPlanned struct {
	Kind      string   `json:"kind"`
	Recipient string   `json:"recipient"`
	To        []string `json:"to"`
	Cc        []string `json:"cc"`
	Subject   string   `json:"subject"`
	Tasks     int      `json:"tasks"`
	Text      string   `json:"text"`
}

type jsonPreview struct {
	At       string        `json:"at"`
	TimeZone string        `json:"time_zone"`
	Messages []jsonPlanned `json:"messages"`
	Pending  int           `json:"pending_in_outbox"`
	// RulesChanged: the assignment rules will be applied again before
	// these are sent; owners may change.
	RulesChanged bool `json:"rules_changed"`
}

const (
	previewUsage    = "--at TIME [--full] [--json] [--job JOB]"
	sendDigestUsage = "--to coordinator|MINISTRY"
	sendUsage       = "digest " + sendDigestUsage
)

func cmdPreview(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "preview", previewUsage)
	at := fs.String("at", "", "the `time` to preview: 2027-01-04T08:00:00+07:00, \"2027-01-04 08:00\" in the config's zone, or a date (its end)")
	full := fs.Bool("full", false, "print each message's text")
	asJSON := fs.Bool("json", false, "print JSON, with each message's text")
	only := fs.String("job", "", "only this `job`: reminders, coordinator_digest or ministry_digest")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	db, cfg, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	now := env.clock()()
	when := now
	if *at != "" {
		if when, err = parseAt(*at, cfg.Location); err != nil {
			return usageError("%v", err)
		}
	}
	renderer, err := notify.NewRendererFor(cfg)
	if err != nil {
		return fmt.Errorf("mail templates: %w", err)
	}
	jobs := plan.Jobs
	if *only != "" {
		if !slices.Contains(plan.Jobs, *only) {
			return usageError("--job %q: expected one of: %s", *only, strings.Join(plan.Jobs, ", "))
		}
		jobs = []string{*only}
	}
	rulesChanged, err := rulesPending(ctx, db, cfg)
	if err != nil {
		return err
	}
	planned, err := previewJobs(ctx, db, cfg, renderer, jobs, when, now)
	if err != nil {
		return err
	}
	counts, err := db.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		out := jsonPreview{At: when.In(cfg.Location).Format(time.RFC3339), TimeZone: cfg.TimeZone, Messages: []jsonPlanned{},
			Pending: counts[store.StatusPending], RulesChanged: rulesChanged}
		for _, m := range planned {
			out.Messages = append(out.Messages, jsonPlanned{m.Kind, m.Recipient, nonNil(m.To), nonNil(m.Cc), m.Subject, m.Tasks, m.Text})
		}
		return writeJSON(env.stdout, out)
	}
	w := env.stdout
	fmt.Fprintf(w, "At %s (%s): %d %s would be sent. Nothing is sent or recorded.\n",
		when.In(cfg.Location).Format("2006-01-02 15:04"), cfg.TimeZone, len(planned), plural(len(planned), "message", "messages"))
	if rulesChanged {
		fmt.Fprintln(w, "The assignment rules changed since they were last applied: the daemon applies them again at its next"+
			" heartbeat (so does any command that writes), and owners may change. This preview shows the owners as stored.")
	}
	if n := counts[store.StatusPending]; n > 0 {
		fmt.Fprintf(w, "The outbox also holds %d pending %s.\n", n, plural(n, "message", "messages"))
	}
	for _, job := range jobs {
		fmt.Fprintf(w, "\n%s: %s\n", job, nextRunText(ctx, db, cfg, job, when, now))
		for _, m := range planned {
			if plan.JobOf(m.Kind) != job {
				continue
			}
			fmt.Fprintf(w, "  %-18s to %s: %q (%d %s)\n", m.Kind, strings.Join(m.To, ", "), m.Subject, m.Tasks, plural(m.Tasks, "task", "tasks"))
		}
	}
	if *full {
		for _, m := range planned {
			fmt.Fprintf(w, "\n----- %s to %s -----\nSubject: %s\n\n%s\n", m.Kind, m.Recipient, m.Subject, strings.TrimRight(m.Text, "\n"))
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// previewJobs runs each job's due slot at when as the daemon would, in a
// transaction that is rolled back.
func previewJobs(ctx context.Context, db *store.DB, cfg *config.Config, renderer *notify.Renderer, jobs []string, when, now time.Time) ([]plan.Message, error) {
	p := &plan.Planner{Config: cfg, Renderer: renderer, Now: func() time.Time { return when }}
	var out []plan.Message
	for _, job := range jobs {
		dec, _, err := previewDue(ctx, db, cfg, job, when, now)
		if err != nil {
			return nil, err
		}
		if !dec.Run {
			continue
		}
		err = db.RunSlot(ctx, job, dec.Slot, true, func(tx *store.SlotTx) error {
			msgs, err := p.Run(ctx, tx, job, dec.Slot)
			out = append(out, msgs...)
			return err
		})
		if errors.Is(err, store.ErrSlotDone) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s at %s: %w", job, dec.Slot.In(cfg.Location).Format(time.RFC3339), err)
		}
	}
	return out, nil
}

// previewDue is what a schedule does at when. At a time to come, the
// daemon, running from now until then, has run every slot before when's
// grace window: only a slot in that window is due, and none is "missed"
// (the stored last slot is from before the preview's date, not from a
// daemon that was down). At now or before, it is what the daemon would
// decide with what is stored. last is the slot the schedule last ran for,
// stored or, at a time to come, that the daemon would have run.
func previewDue(ctx context.Context, db *store.DB, cfg *config.Config, job string, when, now time.Time) (dec scheduler.Decision, last time.Time, err error) {
	spec := scheduler.Spec(cfg, job).Schedule
	last, ran, err := db.LastSlot(ctx, job)
	if err != nil {
		return dec, last, err
	}
	if ran && when.After(now) {
		floor := when.Add(-cfg.Schedules.Grace)
		for s := scheduler.Next(spec, last); !s.IsZero() && s.Before(floor); s = scheduler.Next(spec, s) {
			last = s
		}
	}
	return scheduler.Due(spec, last, ran, when, cfg.Schedules.Grace), last, nil
}

// nextRunText says when a schedule last ran and runs next.
func nextRunText(ctx context.Context, db *store.DB, cfg *config.Config, job string, when, now time.Time) string {
	spec := scheduler.Spec(cfg, job)
	dec, last, err := previewDue(ctx, db, cfg, job, when, now)
	if err != nil {
		return err.Error()
	}
	next := scheduler.Next(spec.Schedule, when).In(cfg.Location).Format("2006-01-02 15:04")
	switch {
	case dec.Initial:
		return fmt.Sprintf("never ran in this database: runs at once when the daemon starts (%q; then next %s)", spec.Spec, next)
	case dec.Run:
		return fmt.Sprintf("due (slot %s, %q)", dec.Slot.In(cfg.Location).Format("2006-01-02 15:04"), spec.Spec)
	case dec.Skip:
		return fmt.Sprintf("missed slots older than the grace window are skipped; next %s", next)
	}
	return fmt.Sprintf("not due (%q; last ran for %s; next %s)", spec.Spec, last.In(cfg.Location).Format("2006-01-02 15:04"), next)
}

func cmdSend(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] != "digest" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fs, _ := newFlags(env, "send", sendUsage)
			fs.Usage()
			return nil
		}
		return usageError("expected: send digest --to coordinator|MINISTRY")
	}
	fs, g := newFlags(env, "send digest", sendDigestUsage)
	to := fs.String("to", "", "`coordinator`, or a ministry id")
	if err := parseNoArgs(fs, args[1:]); err != nil {
		return err
	}
	if *to == "" {
		return usageError("--to is required: coordinator, or a ministry id")
	}
	db, cfg, err := openForWriting(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	job, recipient := plan.JobMinistryDigest, *to
	if *to == "coordinator" || *to == cfg.Coordinator.ID {
		job, recipient = plan.JobCoordinatorDigest, cfg.Coordinator.ID
	} else if _, ok := cfg.Ministry(*to); !ok {
		return usageError("--to: unknown ministry %q; expected coordinator or one of: %s", *to, strings.Join(ministryIDs(cfg), ", "))
	}
	renderer, err := notify.NewRendererFor(cfg)
	if err != nil {
		return fmt.Errorf("mail templates: %w", err)
	}
	now := env.clock()().Truncate(time.Second)
	p := &plan.Planner{Config: cfg, Renderer: renderer, Now: env.clock(), Only: recipient, Force: true}
	if cfg.Web.Listen != config.WebOff {
		// As from the daemon: one message per focal point, with its link.
		srv, err := web.New(cfg, db, nil, cliClock(env))
		if err != nil {
			return err
		}
		p.Links = srv
	}
	var planned []plan.Message
	// A slot of its own: sending by hand does not move the schedule.
	err = db.RunSlot(ctx, "manual:"+job, now, false, func(tx *store.SlotTx) error {
		var err error
		planned, err = p.Run(ctx, tx, job, now)
		return err
	})
	if errors.Is(err, store.ErrSlotDone) {
		return errors.New("a digest was sent by hand this very second; try again")
	}
	if err != nil {
		return err
	}
	if len(planned) == 0 {
		return fmt.Errorf("nothing to send to %s", recipient)
	}
	logger, err := newLogger(env.stderr, g.logLevel)
	if err != nil {
		return err
	}
	tr, err := notify.TransportFor(cfg, logger)
	if err != nil {
		return err
	}
	// Only the holder of the database's lock delivers: while the daemon
	// runs, it sends what was just queued.
	err = db.Lock("followup send")
	var locked *store.LockedError
	if errors.As(err, &locked) {
		who := "the daemon, " + locked.Holder.String() + ","
		if locked.Holder.Command != "followup run" {
			who = "the daemon (" + locked.Holder.String() + " is delivering now)"
		}
		for _, m := range planned {
			fmt.Fprintf(env.stdout, "queued %s to %s: %q; %s sends it at its next heartbeat\n",
				m.Kind, strings.Join(m.To, ", "), m.Subject, who)
		}
		return nil
	}
	if err != nil {
		return err
	}
	var keys []string
	for _, m := range planned {
		keys = append(keys, m.Key)
	}
	batch, err := db.ClaimKeys(ctx, keys)
	if err != nil {
		return err
	}
	n, err := delivery.Batch(ctx, db, tr, batch, cfg.Mail.Retry, env.clock(), logger, nil)
	if err != nil {
		return fmt.Errorf("the digest is in the outbox but was not delivered yet (the daemon will retry): %w", err)
	}
	for _, m := range planned {
		if n > 0 {
			fmt.Fprintf(env.stdout, "sent %s to %s: %q\n", m.Kind, strings.Join(m.To, ", "), m.Subject)
		} else {
			fmt.Fprintf(env.stdout, "%s to %s not delivered: see followup outbox\n", m.Kind, strings.Join(m.To, ", "))
		}
	}
	return nil
}
