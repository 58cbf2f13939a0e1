package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/followup-app/followup/store"
)

const (
	statusUsage = "[--json]"
	backupUsage = "FILE [--force]"
)

// cmdStatus says whether the daemon is alive and whether mail is going
// out, for an admin who gets no mail about it: the daemon, its heartbeat,
// the state of delivery and the relay's last reply, what waits, a held
// reload. Exit status 1 when something needs the admin (a daemon that
// stopped beating, mail not going out, a held reload), so that cron or a
// monitoring agent can run it: it reads the state only, and needs neither
// the mail secrets nor the relay.
func cmdStatus(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "status", statusUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	db, cfg, err := openStateForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	now := env.clock()()
	h, err := db.Health(ctx, cfg.Schedules.Heartbeat, now)
	if err != nil {
		return err
	}
	if *asJSON {
		type jr struct {
			Address string `json:"address"`
			Code    int    `json:"code"`
			Error   string `json:"error"`
			Key     string `json:"key"`
			At      string `json:"at"`
		}
		type jheld struct {
			Since   string `json:"since"`
			Reasons string `json:"reasons"`
		}
		type jh struct {
			Running       bool     `json:"running"`
			PID           int      `json:"pid,omitempty"`
			Host          string   `json:"host,omitempty"`
			Since         string   `json:"since,omitempty"`
			LastHeartbeat string   `json:"last_heartbeat"`
			Delivery      string   `json:"delivery"`
			DeliveryError string   `json:"delivery_error"`
			DeliverySince string   `json:"delivery_since"`
			Pending       int      `json:"pending"`
			OldestPending string   `json:"oldest_pending"`
			Failed        int      `json:"failed"`
			Uncertain     int      `json:"uncertain"`
			Refused       int      `json:"refused_recipients"`
			RefusedLatest []jr     `json:"refused_latest"`
			Alive         bool     `json:"alive"`
			MailGoingOut  bool     `json:"mail_going_out"`
			ReloadHeld    *jheld   `json:"reload_held"`
			Stuck         bool     `json:"stuck"`
			Problems      []string `json:"problems"`
		}
		out := jh{Running: h.Running, LastHeartbeat: rfc(h.LastHeartbeat), Delivery: h.Delivery.State, DeliveryError: h.Delivery.Err,
			DeliverySince: rfc(h.Delivery.Since), Pending: h.Pending, OldestPending: rfc(h.OldestPending), Failed: h.Failed,
			Uncertain: h.Uncertain, Refused: h.Refused, RefusedLatest: []jr{}, Alive: h.Alive, MailGoingOut: h.Going,
			Stuck: h.Stuck, Problems: nonNil(h.Problems)}
		if r := h.HeldReload; r != nil {
			out.ReloadHeld = &jheld{Since: rfc(r.Since), Reasons: r.Reasons}
		}
		for _, r := range h.RefusedLatest {
			out.RefusedLatest = append(out.RefusedLatest, jr{Address: r.Address, Code: r.Code, Error: r.Error, Key: r.Key, At: rfc(r.At)})
		}
		if h.Running {
			out.PID, out.Host, out.Since = h.Holder.PID, h.Holder.Host, rfc(h.Holder.Since)
		}
		if err := writeJSON(env.stdout, out); err != nil {
			return err
		}
	} else {
		loc := cfg.Location
		at := func(t time.Time) string {
			if t.IsZero() {
				return "never"
			}
			return t.In(loc).Format("2006-01-02 15:04:05 MST") + " (" + ago(now.Sub(t)) + ")"
		}
		tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
		if h.Running {
			fmt.Fprintf(tw, "daemon:\trunning: %s\n", h.Holder)
		} else {
			fmt.Fprintf(tw, "daemon:\tnot running\n")
		}
		fmt.Fprintf(tw, "last heartbeat:\t%s\n", at(h.LastHeartbeat))
		// Two separate facts: the daemon is alive (it beats, also while a
		// slow relay takes its time), and mail is going out.
		switch {
		case h.Alive:
			fmt.Fprintf(tw, "alive:\tyes\n")
		case !h.Running:
			fmt.Fprintf(tw, "alive:\tno: no daemon holds the database\n")
		case h.LastHeartbeat.IsZero():
			fmt.Fprintf(tw, "alive:\tstarting: no heartbeat yet\n")
		default:
			fmt.Fprintf(tw, "alive:\tNO: no heartbeat since %s\n", at(h.LastHeartbeat))
		}
		switch h.Delivery.State {
		case "":
			fmt.Fprintf(tw, "delivery:\tnever attempted\n")
		case store.DeliveryOK:
			fmt.Fprintf(tw, "delivery:\tok since %s\n", at(h.Delivery.Since))
		default:
			fmt.Fprintf(tw, "delivery:\t%s since %s\n", strings.ToUpper(h.Delivery.State), at(h.Delivery.Since))
			fmt.Fprintf(tw, "last error:\t%s\n", h.Delivery.Err)
		}
		switch {
		case h.Going:
			fmt.Fprintf(tw, "mail going out:\tyes\n")
		case h.Delivery.State == store.DeliveryFailing || h.Delivery.State == store.DeliveryStopped:
			fmt.Fprintf(tw, "mail going out:\tNO: delivery %s since %s\n", h.Delivery.State, at(h.Delivery.Since))
		default:
			fmt.Fprintf(tw, "mail going out:\tNO: no daemon runs to send what waits\n")
		}
		if h.Pending == 0 {
			fmt.Fprintf(tw, "waiting:\tnothing\n")
		} else {
			fmt.Fprintf(tw, "waiting:\t%d %s, the oldest queued %s\n", h.Pending, plural(h.Pending, "message", "messages"), at(h.OldestPending))
		}
		fmt.Fprintf(tw, "failed:\t%d\n", h.Failed)
		fmt.Fprintf(tw, "uncertain:\t%d\n", h.Uncertain)
		if h.Refused > 0 {
			fmt.Fprintf(tw, "refused recipients:\t%d (the others got those messages)\n", h.Refused)
		}
		if r := h.HeldReload; r != nil {
			fmt.Fprintf(tw, "reload held:\tsince %s: %s\n", at(r.Since), r.Reasons)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, r := range h.RefusedLatest {
			fmt.Fprintf(env.stdout, "  %s  refused %s: %s (%s)\n", r.At.In(loc).Format("2006-01-02 15:04"), r.Address, oneLine(r.Error), r.Key)
		}
		if h.Refused > len(h.RefusedLatest) {
			fmt.Fprintf(env.stdout, "  and %d more\n", h.Refused-len(h.RefusedLatest))
		}
		if h.Failed+h.Uncertain > 0 {
			fmt.Fprintln(env.stdout, "(followup outbox --status failed, or --status uncertain, lists them)")
		}
		if h.HeldReload != nil {
			fmt.Fprintln(env.stdout, "(followup config diff shows what the held config would change; followup config apply applies it)")
		}
	}
	if h.Stuck {
		what := "delivery is stuck: "
		if h.Going && h.HeldReload != nil && len(h.Problems) == 1 {
			what = "the config in force is not the file's: "
		}
		return &exitError{1, errors.New(what + strings.Join(h.Problems, "; "))}
	}
	return nil
}

func rfc(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ago is a duration as an admin reads it: "12s ago", "3h05m ago".
func ago(d time.Duration) string {
	if d < 0 {
		return "in the future"
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm ago", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

// cmdBackup writes a consistent copy of the database while the daemon
// runs (SQLite's online backup), readable by the owner only.
func cmdBackup(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "backup", backupUsage)
	force := fs.Bool("force", false, "replace FILE if it exists")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError("expected one FILE to write the backup to")
	}
	db, cfg, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, rest[0], *force); err != nil {
		return err
	}
	st, err := os.Stat(rest[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "backed up %s to %s (%d bytes)\n", cfg.Database, rest[0], st.Size())
	return nil
}
