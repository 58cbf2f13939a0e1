package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/i18n"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/web"
)

const (
	configCheckUsage = "FILE..."
	configShowUsage  = "[--config FILE]"
	configDiffUsage  = "[FILE] [--config FILE] [--db PATH]"
	configUsage      = "check " + configCheckUsage + " | show " + configShowUsage + " | diff " + configDiffUsage + " | apply " + configDiffUsage
)

func cmdConfig(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 {
		return usageError("expected check, show, diff or apply")
	}
	switch args[0] {
	case "check":
		return configCheck(env, args[1:])
	case "show":
		return configShow(env, args[1:])
	case "diff":
		return configDiffCmd(ctx, env, args[1:], false)
	case "apply":
		return configDiffCmd(ctx, env, args[1:], true)
	case "-h", "--help", "-help":
		fs, _ := newFlags(env, "config", configUsage)
		fs.Usage()
		return nil
	}
	return usageError("unknown subcommand %q: expected check, show, diff or apply", args[0])
}

// configCheck validates files the way promtool does: one line per mistake,
// exit status 1 if any.
func configCheck(env *environment, args []string) error {
	fs, g := newFlags(env, "config check", configCheckUsage)
	files, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 && g.config != "" {
		files = []string{g.config}
	}
	if len(files) == 0 {
		return usageError("expected a config FILE")
	}
	failed := false
	for _, f := range files {
		if !checkFile(env, f) {
			failed = true
		}
	}
	if failed {
		return &exitError{1, errors.New("")}
	}
	return nil
}

// checkFile checks one config file and says what it found; it reports
// whether the file is fine. Every mistake comes out in one run: the file's
// own (config.Check reads on past them) and those of the mail templates
// and of each body's language, which need the config as far as it could
// be read.
func checkFile(env *environment, f string) bool {
	cfg, err := config.Check(f, config.LoadOptions{Getenv: env.getenv})
	var errs config.Errors
	if err != nil && !errors.As(err, &errs) {
		fmt.Fprintf(env.stderr, "%s\n", fileError(f, err))
		fmt.Fprintf(env.stdout, "%s: FAILED\n", f)
		return false
	}
	var templateLines []string
	if cfg != nil {
		// The templates the config names are loaded and rendered with
		// sample data, as the daemon does at start: a broken one fails
		// here, with its file and line, not at the next reload. A body
		// whose language has no templates is a mistake in the config file,
		// reported at its language: value.
		if _, terr := notify.NewRendererFor(cfg); terr != nil {
			more, lines := splitCheckError(terr)
			errs = errs.Merge(more)
			templateLines = lines
		}
	}
	for _, e := range errs {
		fmt.Fprintln(env.stderr, e.Error())
	}
	for _, l := range templateLines {
		fmt.Fprintln(env.stderr, l)
	}
	switch {
	case len(errs) > 0 && len(templateLines) > 0:
		fmt.Fprintf(env.stdout, "%s: FAILED: %d error(s) in the file, %d in the mail templates\n", f, len(errs), len(templateLines))
	case len(errs) > 0:
		fmt.Fprintf(env.stdout, "%s: FAILED: %d error(s)\n", f, len(errs))
	case len(templateLines) > 0:
		fmt.Fprintf(env.stdout, "%s: FAILED: %d error(s) in the mail templates\n", f, len(templateLines))
	default:
		fmt.Fprintf(env.stdout, "%s: OK\n", f)
		if ids := web.EnglishPagesFor(cfg); len(ids) > 0 && cfg.Web.Listen != config.WebOff {
			fmt.Fprintf(env.stdout, "%s: note: the web pages of %s are in English (followup writes pages in %s)\n",
				f, strings.Join(ids, ", "), i18n.LanguageList())
		}
		return true
	}
	return false
}

// splitCheckError separates what notify.NewRendererFor found into the
// config's own errors (a language without templates, at its value) and
// the lines about template files.
func splitCheckError(err error) (config.Errors, []string) {
	switch e := err.(type) {
	case config.Errors:
		return e, nil
	case interface{ Unwrap() []error }:
		var errs config.Errors
		var lines []string
		for _, c := range e.Unwrap() {
			ce, l := splitCheckError(c)
			errs, lines = append(errs, ce...), append(lines, l...)
		}
		return errs, lines
	}
	return nil, strings.Split(err.Error(), "\n")
}

// configShow prints the effective config, defaults filled in and secrets
// redacted.
func configShow(env *environment, args []string) error {
	fs, g := newFlags(env, "config show", configShowUsage)
	if rest, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(rest) == 1 && g.config == "" {
		g.config = rest[0]
	} else if len(rest) > 0 {
		return usageError("unexpected argument %q", rest[0])
	}
	cfg, err := loadConfig(env, g)
	if err != nil {
		return err
	}
	_, err = env.stdout.Write(cfg.Show())
	return err
}

// configDiffCmd is `followup config diff` and `followup config apply`:
// what the config file (--config, $FOLLOWUP_CONFIG, or FILE) changes
// compared with the config the daemon has in force (recorded in the
// database): settings dropped, where mail goes, recipients added,
// schedules, the tasks that change owner; and whether the daemon holds
// it (the reload rule, configdiff.go). apply then confirms that file:
// the daemon applies it at its next heartbeat. Neither needs the mail
// secrets or writes anything but the confirmation.
func configDiffCmd(ctx context.Context, env *environment, args []string, apply bool) error {
	name := "config diff"
	if apply {
		name = "config apply"
	}
	fs, g := newFlags(env, name, configDiffUsage)
	if rest, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(rest) == 1 && g.config == "" {
		g.config = rest[0]
	} else if len(rest) > 0 {
		return usageError("unexpected argument %q", rest[0])
	}
	path := g.config
	if path == "" {
		path = env.getenv("FOLLOWUP_CONFIG")
	}
	if path == "" {
		return usageError("expected the config FILE (or --config, or $FOLLOWUP_CONFIG)")
	}
	g.config = path
	text, err := os.ReadFile(path)
	if err != nil {
		return fileError(path, err)
	}
	cfg, err := loadStateConfig(env, g)
	if err != nil {
		return err
	}
	if again, err := os.ReadFile(path); err != nil || !bytes.Equal(text, again) {
		return errors.New(path + " changed while it was read; try again once it is saved")
	}
	logger, err := newLogger(env.stderr, g.logLevel)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, true, logger, env.clock())
	if err != nil {
		return err
	}
	defer db.Close()
	inForce, since, err := db.AppliedConfig(ctx)
	if err != nil {
		return err
	}
	if inForce == nil {
		return errors.New("no config in force is recorded in " + cfg.Database + ": the daemon records the file it applies when it starts or reloads; start followup run")
	}
	old, err := config.Parse(path, inForce, config.LoadOptions{Getenv: env.getenv, NoSecrets: true})
	if err != nil {
		return fmt.Errorf("the config in force (recorded in the database) no longer loads: %w", err)
	}
	if g.db != "" {
		old.Database = g.db
	}
	d, err := diffConfigs(ctx, db, inForce, text, old, cfg)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(env.stdout)
	defer flush(w, &err)
	fmt.Fprintf(w, "%s compared with the config in force since %s:\n", path, since.In(cfg.Location).Format("2006-01-02 15:04:05 MST"))
	d.print(w)
	reasons := d.holdReasons()
	if bytes.Equal(text, inForce) {
		fmt.Fprintln(w, "this is the config in force")
		return nil
	}
	if len(reasons) > 0 {
		fmt.Fprintf(w, "the daemon holds this file until it is confirmed: %s\n", strings.Join(reasons, "; "))
	} else {
		fmt.Fprintln(w, "the daemon applies this file by itself at its next heartbeat")
	}
	if !apply {
		if len(reasons) > 0 {
			fmt.Fprintf(w, "if it is the file you meant, run: followup config apply --config %s\n", path)
		}
		return nil
	}
	sum := sha256.Sum256(text)
	if err := db.ConfirmReload(ctx, hex.EncodeToString(sum[:])); err != nil {
		return err
	}
	holder, running, err := db.LockHolder()
	switch {
	case err != nil:
		return err
	case running:
		fmt.Fprintf(w, "confirmed: the daemon, %s, applies it at its next heartbeat (within %s); followup status says when\n",
			holder, cfg.Schedules.Heartbeat)
	default:
		fmt.Fprintln(w, "confirmed: no daemon runs now; the next followup run applies this file")
	}
	return nil
}
