// Command deliver is bench/run.sh's helper for the delivery benchmark.
//
//	deliver enqueue --db PATH -n 10000
//	    renders real reminders (followup gen's data, the daemon's planner)
//	    and enqueues n of them, each with its own key and Message-ID, into
//	    the outbox of a new database; prints the mean message size in bytes.
//	deliver send --db PATH --smtp HOST:PORT
//	    delivers the outbox as the daemon does (claim 100, delivery.Batch,
//	    each outcome recorded) until it is empty, over SMTP without TLS;
//	    prints the count, the seconds and the rate, and checks in SQLite that
//	    every message is marked sent.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/delivery"
	"github.com/followup-app/followup/internal/loadgen"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: deliver enqueue --db PATH -n N | deliver send --db PATH --smtp HOST:PORT")
		os.Exit(2)
	}
	fs := flag.NewFlagSet("deliver "+os.Args[1], flag.ExitOnError)
	dbPath := fs.String("db", "", "the outbox database `path`")
	n := fs.Int("n", 10000, "enqueue: `number` of messages")
	smtp := fs.String("smtp", "127.0.0.1:2525", "send: the SMTP server's `host:port` (no TLS)")
	transportOnly := fs.Bool("transport-only", false, "send: time the SMTP transport alone (messages read first, outcomes not recorded)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to `file`")
	_ = fs.Parse(os.Args[2:]) // ExitOnError: it exits rather than return an error
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "deliver:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "deliver:", err)
			os.Exit(1)
		}
	}
	var err error
	switch os.Args[1] {
	case "enqueue":
		err = enqueue(*dbPath, *n)
	case "send":
		err = send(*dbPath, *smtp, *transportOnly)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "deliver:", err)
		os.Exit(1)
	}
}

// reminders renders the reminders of a small generated database (one
// State: 2,000 tasks, 15 ministries) with the daemon's planner and returns
// them from its outbox.
func reminders(ctx context.Context) ([]store.OutboxMessage, error) {
	dir, err := os.MkdirTemp("", "followup-deliver-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(dir) }() // a temporary folder left behind is harmless
	now := time.Now().UTC().Truncate(time.Second)
	o := loadgen.Options{Tasks: 2000, Ministries: 15, Seed: 1, Start: now}
	path := filepath.Join(dir, "state.db")
	cfg, err := config.Parse(filepath.Join(dir, "followup.yaml"), loadgen.ConfigYAML(o, path, filepath.Join(dir, "mail")), config.LoadOptions{})
	if err != nil {
		return nil, err
	}
	if _, err := loadgen.Generate(ctx, path, o); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, path, store.Options{Location: cfg.Location, Now: func() time.Time { return now }})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	renderer, err := notify.NewRenderer(cfg.Mail.Templates, cfg.Location)
	if err != nil {
		return nil, err
	}
	p := &plan.Planner{Config: cfg, Renderer: renderer, Now: func() time.Time { return now }}
	err = db.RunSlot(ctx, plan.JobReminders, now, false, func(tx *store.SlotTx) error {
		_, err := p.Run(ctx, tx, plan.JobReminders, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	// Claimed as the daemon does, which reads the messages' bodies too.
	all, err := db.ClaimBatch(ctx, 1000)
	if err != nil {
		return nil, err
	}
	var out []store.OutboxMessage
	for _, m := range all {
		if m.Kind == plan.KindReminder {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("the generated State has no reminder due")
	}
	return out, nil
}

func enqueue(path string, n int) error {
	if path == "" {
		return errors.New("--db is required")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s exists: enqueue fills a new database", path)
	}
	ctx := context.Background()
	templates, err := reminders(ctx)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	total := 0
	for i := 0; i < n; i++ {
		m := templates[i%len(templates)]
		key := fmt.Sprintf("%s-%d", m.Key, i)
		id := strings.ReplaceAll(strings.ReplaceAll(key, ":", "."), "-", ".") + "@example.org"
		raw := bytes.Replace(m.Raw, []byte("<"+m.MessageID+">"), []byte("<"+id+">"), 1)
		msg := store.OutboxMessage{Key: key, Kind: m.Kind, Recipient: m.Recipient, Subject: m.Subject, MessageID: id,
			From: m.From, To: m.To, Raw: raw}
		if _, _, err := db.Enqueue(ctx, msg); err != nil {
			return err
		}
		total += len(raw)
	}
	fmt.Println(total / n)
	return nil
}

func send(path, addr string, transportOnly bool) error {
	host, portText, ok := strings.Cut(addr, ":")
	port, err := strconv.Atoi(portText)
	if !ok || err != nil {
		return fmt.Errorf("--smtp %q: expected host:port", addr)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path, store.Options{MustExist: true})
	if err != nil {
		return err
	}
	defer db.Close()
	tr, err := notify.NewSMTP(config.SMTP{Host: host, Port: port, TLS: "none", Timeout: 60 * time.Second}, nil)
	if err != nil {
		return err
	}
	if transportOnly {
		return sendTransportOnly(ctx, db, tr)
	}
	retry := config.Default().Mail.Retry
	logger := slog.New(slog.DiscardHandler)
	began := time.Now()
	sent := 0
	for {
		batch, err := db.ClaimBatch(ctx, 100)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		k, err := delivery.Batch(ctx, db, tr, batch, retry, time.Now, logger, nil)
		sent += k
		if err != nil {
			return err
		}
	}
	took := time.Since(began).Seconds()
	counts, err := db.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	total := 0
	for _, c := range counts {
		total += c
	}
	fmt.Printf("sent=%d seconds=%.3f rate=%.0f marked_sent=%d of=%d\n", sent, took, float64(sent)/took, counts[store.StatusSent], total)
	if counts[store.StatusSent] != total {
		return fmt.Errorf("only %d of %d messages are marked sent: %v", counts[store.StatusSent], total, counts)
	}
	return nil
}

// sendTransportOnly reads every pending message first, then times the SMTP
// transport alone, in batches of 100 over one connection each, as
// delivery.Batch hands them over, without recording outcomes: the
// difference with send is the outbox's bookkeeping.
func sendTransportOnly(ctx context.Context, db *store.DB, tr notify.Transport) error {
	var batches [][]notify.Message
	for {
		batch, err := db.ClaimBatch(ctx, 100)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		msgs := make([]notify.Message, len(batch))
		for i, m := range batch {
			msgs[i] = notify.Message{ID: m.ID, Key: m.Key, MessageID: m.MessageID, From: m.From, To: m.To, Raw: m.Raw}
		}
		batches = append(batches, msgs)
	}
	began := time.Now()
	sent := 0
	for _, msgs := range batches {
		err := tr.Deliver(ctx, msgs, func(_ int, r notify.Result) {
			if r.Outcome == notify.Sent {
				sent++
			}
		})
		if err != nil {
			return err
		}
	}
	took := time.Since(began).Seconds()
	fmt.Printf("transport_only sent=%d seconds=%.3f rate=%.0f\n", sent, took, float64(sent)/took)
	return nil
}
