package main

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/internal/loadgen"
)

const genUsage = "--tasks N --ministries M --db PATH [--seed S] [--at TIME] [--config-out FILE] [--smtp HOST:PORT]"

// cmdGen writes a synthetic database for load tests: documents,
// recommendations, tasks in every stage with their histories, deadlines
// before and after --at; the same seed gives the same rows.
func cmdGen(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "gen", genUsage)
	tasks := fs.Int("tasks", 0, "`number` of recommendations, one task each")
	ministries := fs.Int("ministries", 20, "`number` of ministries owning the tasks (m001, m002…)")
	seed := fs.Int64("seed", 1, "random `seed`: the same seed and options give the same database")
	at := fs.String("at", "", "the generation's \"now\" (`time`): RFC 3339, \"2027-01-04 08:00\" (UTC) or a date; default: now")
	configOut := fs.String("config-out", "", "also write a config `file` for the database (refuses to overwrite one)")
	smtp := fs.String("smtp", "", "with --config-out: send mail to this `host:port` over SMTP without TLS, instead of .eml files")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	switch {
	case g.db == "":
		return usageError("--db is required: the new database file")
	case *tasks <= 0:
		return usageError("--tasks must be at least 1")
	case *ministries < 1 || *ministries > 999:
		return usageError("--ministries must be between 1 and 999")
	case *smtp != "" && !validHostPort(*smtp):
		return usageError("--smtp %q: expected host:port, e.g. 127.0.0.1:2525", *smtp)
	}
	start := env.clock()()
	if *at != "" {
		t, err := parseAt(*at, time.UTC)
		if err != nil {
			return usageError("%v", err)
		}
		start = t
	}
	dbPath, err := filepath.Abs(g.db)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dbPath); !errors.Is(err, iofs.ErrNotExist) {
		if err == nil {
			return fmt.Errorf("%s already exists: gen writes a new database only (remove it, or give another --db)", g.db)
		}
		return fileError(g.db, err)
	}
	cfgPath := filepath.Join(filepath.Dir(dbPath), "followup.yaml")
	if *configOut != "" {
		if cfgPath, err = filepath.Abs(*configOut); err != nil {
			return err
		}
		if _, err := os.Stat(cfgPath); err == nil {
			return fmt.Errorf("%s already exists: gen does not overwrite a config", *configOut)
		}
	}
	o := loadgen.Options{Tasks: *tasks, Ministries: *ministries, Seed: *seed, Start: start, SMTP: *smtp}
	// The config the database goes with: its rules are recorded as applied,
	// so the daemon keeps the generated owners.
	cfgData := loadgen.ConfigYAML(o, dbPath, filepath.Join(filepath.Dir(cfgPath), "mail"))
	cfg, err := config.Parse(cfgPath, cfgData, config.LoadOptions{Getenv: env.getenv})
	if err != nil {
		return fmt.Errorf("the generated config does not load (a bug): %w", err)
	}
	o.RulesID = cfg.RulesID()

	began := time.Now()
	res, err := generate(ctx, dbPath, o)
	if err != nil {
		return err
	}
	took := time.Since(began)
	if *configOut != "" {
		if err := os.WriteFile(cfgPath, cfgData, 0o644); err != nil {
			return fileError(*configOut, err)
		}
	}
	w := env.stdout
	fmt.Fprintf(w, "generated %s in %s (seed %d, as of %s):\n", g.db, took.Round(time.Millisecond), *seed, res.Start.Format(time.RFC3339))
	fmt.Fprintf(w, "  %d documents, %d recommendations and tasks (%d open, %d unassigned), %d task events, %d ministries\n",
		res.Documents, res.Tasks, res.Open, res.Unassigned, res.Events, *ministries)
	var stages []string
	for _, s := range cfg.Stages {
		if n := res.ByStage[s.ID]; n > 0 {
			stages = append(stages, fmt.Sprintf("%s %d", s.ID, n))
		}
	}
	fmt.Fprintf(w, "  by stage: %s\n", strings.Join(stages, ", "))
	fmt.Fprintf(w, "  tags: %d on the recommendations, %d distinct; clusters: %d, of %d recommendations\n",
		res.TagRows, res.Tags, res.Clusters, res.Clustered)
	if *configOut != "" {
		fmt.Fprintf(w, "config: %s (run: followup run --config %s)\n", *configOut, *configOut)
	}
	return nil
}

// generate creates the database and fills it; on failure the new file is
// removed, so that the next try does not find it "already there".
func generate(ctx context.Context, path string, o loadgen.Options) (loadgen.Result, error) {
	res, err := loadgen.Generate(ctx, path, o)
	if err != nil {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			_ = os.Remove(path + suffix) // best effort: the error that matters is err
		}
	}
	return res, err
}

func validHostPort(s string) bool {
	host, port, ok := strings.Cut(s, ":")
	if !ok || host == "" || port == "" {
		return false
	}
	for _, c := range port {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
