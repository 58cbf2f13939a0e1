package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// globals are the flags every command takes.
type globals struct {
	config   string
	db       string
	logLevel string
}

// newFlags makes a command's flag set with the common flags; errors go to
// stderr in the flag package's own words.
func newFlags(env *environment, name, usage string) (*flag.FlagSet, *globals) {
	fs := flag.NewFlagSet("followup "+name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	g := &globals{}
	fs.StringVar(&g.config, "config", "", "configuration `file` (default: $FOLLOWUP_CONFIG, else the built-in defaults)")
	fs.StringVar(&g.db, "db", "", "database `path`, instead of the config's")
	level := "warn" // one-shot commands stay quiet; the daemon logs what it does
	if name == "run" {
		level = "info"
	}
	fs.StringVar(&g.logLevel, "log-level", level, "log `level`: debug, info, warn or error")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: followup %s %s\n\nflags:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs, g
}

// parseArgs parses flags wherever they stand among the arguments
// ("import FILE --dry-run" as well as "import --dry-run FILE") and returns
// the arguments.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &exitError{2, errors.New("")}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// parseNoArgs parses flags for a command that takes no arguments.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("unexpected argument %q", rest[0])
	}
	return nil
}

// loadConfig reads the config the flags or $FOLLOWUP_CONFIG name, or the
// built-in defaults.
func loadConfig(env *environment, g *globals) (*config.Config, error) {
	return loadConfigWith(env, g, config.LoadOptions{Getenv: env.getenv})
}

// loadStateConfig is loadConfig for the commands that read the state and
// never log in to the relay: the mail secrets are not read, so that they
// run from cron or a monitoring agent without them.
func loadStateConfig(env *environment, g *globals) (*config.Config, error) {
	return loadConfigWith(env, g, config.LoadOptions{Getenv: env.getenv, NoSecrets: true})
}

func loadConfigWith(env *environment, g *globals, opts config.LoadOptions) (*config.Config, error) {
	path := g.config
	if path == "" {
		path = env.getenv("FOLLOWUP_CONFIG")
	}
	var cfg *config.Config
	if path == "" {
		cfg = config.Default()
	} else {
		var err error
		if cfg, err = config.Load(path, opts); err != nil {
			return nil, err
		}
	}
	if g.db != "" {
		cfg.Database = g.db
	}
	return cfg, nil
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError("--log-level %q: expected debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// openStore opens the config's database. Commands that only read refuse to
// create an empty one.
func openStore(ctx context.Context, cfg *config.Config, mustExist bool, logger *slog.Logger, now func() time.Time) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.Database, store.Options{MustExist: mustExist, Now: now, Location: cfg.Location, Logger: logger})
	if errors.Is(err, store.ErrNoDatabase) {
		return nil, fmt.Errorf("no database at %s: import a document first (followup import FILE), or give --db or --config", cfg.Database)
	}
	return db, err
}

// planner adapts the config's rules to the store. The assignment rules
// match on the tags the tag rules give too (the store hands over a
// recommendation with its documents' tags).
func planner(cfg *config.Config) store.Planner {
	a := workflow.NewAssigner(cfg.InitialStage, cfg.Assignment)
	if len(cfg.Tags.Rules) == 0 {
		return a.Assign
	}
	t := workflow.NewTagger(cfg.Tags.Rules)
	return func(symbol string, rec workflow.Recommendation) workflow.Assignment {
		return a.Assign(symbol, t.Apply(symbol, rec))
	}
}

// tagger adapts the config's tag rules to the store; nil when there are
// none.
func tagger(cfg *config.Config) store.Tagger {
	if len(cfg.Tags.Rules) == 0 {
		return nil
	}
	return workflow.NewTagger(cfg.Tags.Rules).Tags
}

// syncRules applies the config's rules to the stored tasks when they
// changed since they were last applied (and creates any missing task). It
// is a step of the commands that write, and of the daemon, never of a
// command that only reads; it says what it changed.
func syncRules(ctx context.Context, db *store.DB, cfg *config.Config, logger *slog.Logger) error {
	tagsBefore, err := db.TagRulesApplied(ctx)
	if err != nil {
		return err
	}
	// The tags first: the assignment rules match on them.
	if tagsBefore != cfg.TagRulesID() {
		n, err := db.ApplyTagRules(ctx, cfg.TagRulesID(), tagger(cfg))
		if err != nil {
			return fmt.Errorf("apply tag rules: %w", err)
		}
		if tagsBefore != "" || n > 0 {
			logger.Info("the tag rules changed: applied them again", "component", "cli", "recommendations_tagged", n)
		}
	}
	before, err := db.RulesApplied(ctx)
	if err != nil {
		return err
	}
	n, err := db.ApplyRules(ctx, cfg.RulesID(), planner(cfg))
	if err != nil {
		return fmt.Errorf("apply assignment rules: %w", err)
	}
	switch {
	case n > 0 && before != "":
		logger.Warn("the assignment rules changed: applied them again", "component", "cli", "tasks_changed", n)
	case n > 0:
		logger.Info("tasks created for recommendations that had none", "component", "cli", "tasks", n)
	case before != cfg.RulesID() && before != "":
		logger.Info("the assignment rules changed: applied them again; no task changed owner", "component", "cli")
	}
	return nil
}

// rulesPending reports whether the stored tasks were assigned by other
// rules than the config's: the next command that writes, or the daemon,
// applies these.
func rulesPending(ctx context.Context, db *store.DB, cfg *config.Config) (bool, error) {
	applied, err := db.RulesApplied(ctx)
	if err != nil {
		return false, err
	}
	return applied != cfg.RulesID(), nil
}

// flush writes out what a command buffered; a failure (a closed pipe, a
// full disk under a redirection) fails the command if nothing else did.
func flush(w *bufio.Writer, err *error) {
	if ferr := w.Flush(); ferr != nil && *err == nil {
		*err = fmt.Errorf("write the output: %w", ferr)
	}
}

// ministryName gives the name of a ministry id, or "unassigned".
func ministryName(cfg *config.Config, id string) string {
	if id == "" {
		return "unassigned (" + cfg.Coordinator.ID + ")"
	}
	if b, ok := cfg.Ministry(id); ok {
		return b.Name
	}
	return id + " (not in the config)"
}

// fileError names a file in an error the way admins read it.
// errInterrupted ends a command stopped by Ctrl-C or SIGTERM before it
// wrote anything.
var errInterrupted = errors.New("interrupted: nothing was imported")

func fileError(path string, err error) error {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s: no such file", path)
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("%s: permission denied", path)
	}
	msg := err.Error()
	// os errors repeat the path: "open x: is a directory".
	msg = strings.TrimPrefix(msg, "open "+path+": ")
	return fmt.Errorf("%s: %s", path, msg)
}

// openForReading loads the config and opens an existing database. It
// writes nothing: a command that only reads leaves the file as it was,
// even when the assignment rules changed (see openForWriting).
func openForReading(ctx context.Context, env *environment, g *globals) (*store.DB, *config.Config, error) {
	return openWith(ctx, env, g, loadConfig)
}

// openStateForReading is openForReading for the commands that read the
// state only: the mail secrets are not read (loadStateConfig).
func openStateForReading(ctx context.Context, env *environment, g *globals) (*store.DB, *config.Config, error) {
	return openWith(ctx, env, g, loadStateConfig)
}

// openWith is the one way a command opens the database: the config by
// load, the log level of --log-level, the database that must exist.
func openWith(ctx context.Context, env *environment, g *globals, load func(*environment, *globals) (*config.Config, error)) (*store.DB, *config.Config, error) {
	cfg, err := load(env, g)
	if err != nil {
		return nil, nil, err
	}
	logger, err := newLogger(env.stderr, g.logLevel)
	if err != nil {
		return nil, nil, err
	}
	db, err := openStore(ctx, cfg, true, logger, env.clock())
	if err != nil {
		return nil, nil, err
	}
	return db, cfg, nil
}

// openForWriting is openForReading for a command that changes the
// database: it first applies the assignment rules if they changed.
func openForWriting(ctx context.Context, env *environment, g *globals) (*store.DB, *config.Config, error) {
	db, cfg, err := openForReading(ctx, env, g)
	if err != nil {
		return nil, nil, err
	}
	logger, _ := newLogger(env.stderr, g.logLevel) // the level was checked above
	if err := syncRules(ctx, db, cfg, logger); err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, cfg, nil
}
