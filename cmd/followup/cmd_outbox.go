package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
)

// validStatuses are the statuses --status accepts.
var validStatuses = []string{store.StatusPending, store.StatusSending, store.StatusSent, store.StatusFailed, store.StatusUncertain}

const (
	outboxResendUsage = "ID... | --failed | --uncertain"
	outboxUsage       = "[--status pending|sent|failed|uncertain] [--limit N] [--json] | resend " + outboxResendUsage
)

// cmdOutbox lists the outbox and puts failed or uncertain messages back in
// line at the admin's request: the daemon never resends an uncertain
// message by itself, since the server may have it already.
func cmdOutbox(ctx context.Context, env *environment, args []string) error {
	if len(args) > 0 && args[0] == "resend" {
		return outboxResend(ctx, env, args[1:])
	}
	fs, g := newFlags(env, "outbox", outboxUsage)
	status := fs.String("status", "", "only messages with this `status`")
	limit := fs.Int("limit", 50, "at most `N` messages, newest first")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *status != "" && !slices.Contains(validStatuses, *status) {
		return usageError("--status %q: expected one of: %s", *status, strings.Join(validStatuses, ", "))
	}
	db, cfg, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	msgs, err := db.Outbox(ctx, *status, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		type jm struct {
			ID        int64    `json:"id"`
			Key       string   `json:"key"`
			Kind      string   `json:"kind"`
			Recipient string   `json:"recipient"`
			To        []string `json:"to"`
			Subject   string   `json:"subject"`
			Status    string   `json:"status"`
			Attempts  int      `json:"attempts"`
			Error     string   `json:"error"`
			Created   string   `json:"created"`
			Sent      string   `json:"sent"`
		}
		out := []jm{}
		for _, m := range msgs {
			sent := ""
			if !m.SentAt.IsZero() {
				sent = m.SentAt.Format(time.RFC3339)
			}
			out = append(out, jm{m.ID, m.Key, m.Kind, m.Recipient, nonNil(m.To), m.Subject, m.Status, m.Attempts, m.LastError, m.CreatedAt.Format(time.RFC3339), sent})
		}
		return writeJSON(env.stdout, out)
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tKIND\tTO\tSTATUS\tSUBJECT / ERROR")
	for _, m := range msgs {
		detail := m.Subject
		if m.LastError != "" && m.Status != store.StatusSent {
			detail = m.LastError
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.CreatedAt.In(cfg.Location).Format("2006-01-02 15:04"), m.Kind,
			m.Recipient, m.Status, clip(detail, 70))
	}
	return tw.Flush()
}

func outboxResend(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "outbox resend", outboxResendUsage)
	failed := fs.Bool("failed", false, "every failed message")
	uncertain := fs.Bool("uncertain", false, "every uncertain message (check first that the recipient did not get it)")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 && !*failed && !*uncertain {
		return usageError("give message IDs (see followup outbox), --failed or --uncertain")
	}
	var ids []int64
	for _, a := range rest {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return usageError("%q is not a message ID", a)
		}
		ids = append(ids, id)
	}
	db, cfg, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, st := range []struct {
		on     bool
		status string
	}{{*failed, store.StatusFailed}, {*uncertain, store.StatusUncertain}} {
		if !st.on {
			continue
		}
		msgs, err := db.Outbox(ctx, st.status, 1<<30)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			ids = append(ids, m.ID)
		}
	}
	// Resent to the addresses in force: the admin may have corrected the
	// one that failed.
	res, err := db.Requeue(ctx, ids, func(m store.OutboxMessage) ([]byte, []string, bool, error) {
		return plan.Readdress(cfg, m.Kind, m.Recipient, m.Raw)
	})
	if err != nil {
		return err
	}
	n := res.Requeued
	fmt.Fprintf(env.stdout, "%d %s queued again; the daemon sends %s at its next heartbeat\n", n, plural(n, "message", "messages"),
		strings.TrimSpace(plural(n, "it", "them")))
	if res.Readdressed > 0 {
		fmt.Fprintf(env.stdout, "%d of them to the addresses now in the config\n", res.Readdressed)
	}
	if res.Replanned > 0 {
		fmt.Fprintf(env.stdout, "%d failed %s not queued: the tasks were already reminded again by a later reminder\n",
			res.Replanned, plural(res.Replanned, "reminder", "reminders"))
	}
	return nil
}
