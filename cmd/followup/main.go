// Command followup imports UN human-rights recommendations, tracks each as a
// task owned by a ministry, and runs the daemon that reminds ministries and
// sends digests to the coordinating body.
//
// Only this package reads flags, the environment and signals; everything
// below it takes what it needs as arguments.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &environment{
		stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		// SIGHUP reloads the daemon's config; reloads coalesce.
		reload: make(chan struct{}, 1),
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for range hup {
			select {
			case env.reload <- struct{}{}:
			default:
			}
		}
	}()
	code := run(ctx, os.Args[1:], env)
	stop()
	os.Exit(code)
}

// environment is what a command may use of the outside world. Tests build
// their own.
type environment struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	reload         chan struct{} // SIGHUP
	now            func() time.Time
	// hooks for tests of the daemon: nil in production
	daemonHooks *daemonHooks
}

// clock is the time source: the real clock unless a test sets one.
func (e *environment) clock() func() time.Time {
	if e.now != nil {
		return e.now
	}
	return time.Now
}

// exitError carries an exit status: 1 for failures, 2 for usage errors.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{2, fmt.Errorf(format, args...)}
}

type command struct {
	name    string
	summary string
	// usage is the arguments and flags after the command's name, printed
	// after a mistake in the command; the command's own flag set prints
	// the same constant (or its subcommand's part of it) on --help.
	usage string
	run   func(ctx context.Context, env *environment, args []string) error
}

func commands() []command {
	return []command{
		{"import", "import concluding observations, UPR reports and addenda, UHRI exports", importUsage, cmdImport},
		{"docs", "list the imported documents", docsUsage, cmdDocs},
		{"recs", "list or show recommendations, list their tags", recsUsage, cmdRecs},
		{"cluster", "suggest, accept and edit clusters: recommendations one action answers", clusterUsage, cmdCluster},
		{"tasks", "list tasks: owner, stage, next deadline", tasksUsage, cmdTasks},
		{"task", "show a task, move it to a stage, or assign it", taskUsage, cmdTask},
		{"config", "check a config file, show the effective config, or what an edit changes and apply it", configUsage, cmdConfig},
		{"run", "run the daemon: scheduled checks, reminders and digests", runUsage, cmdRun},
		{"preview", "show what the daemon would send at a time, sending nothing", previewUsage, cmdPreview},
		{"send", "send a digest now", sendUsage, cmdSend},
		{"mail", "send a test message and say what fails: DNS, connection, TLS, token, sign-in, relay", mailUsage, cmdMail},
		{"outbox", "list the messages, or queue failed and uncertain ones again", outboxUsage, cmdOutbox},
		{"report", "draft the State's report from the progress updates; list drafts; what changed since one", reportUsage, cmdReport},
		{"link", "print a signed link for a focal point; revoke links; list sessions", linkUsage, cmdLink},
		{"gen", "write a synthetic database for load tests", genUsage, cmdGen},
		{"status", "say whether mail is going out: the daemon, delivery, what waits", statusUsage, cmdStatus},
		{"backup", "write a consistent copy of the database, while the daemon runs", backupUsage, cmdBackup},
		{"version", "print the version", "", cmdVersion},
	}
}

const intro = `followup tracks the follow-up of UN human-rights recommendations: it imports
concluding observations and UPR reports, holds each recommendation as a task
owned by a ministry, and e-mails reminders and digests.
`

const commonFlagsHelp = `Flags every command takes:
  --config FILE   the configuration file (default: $FOLLOWUP_CONFIG, else the
                  built-in defaults: database ./followup.db, mail to ./mail/)
  --db PATH       the database file, instead of the config's`

func printUsage(w io.Writer) {
	fmt.Fprint(w, intro)
	fmt.Fprintln(w, "\nUsage: followup COMMAND [flags] [arguments]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\n%s\n\nRun 'followup help COMMAND' (or COMMAND --help) for a command's flags.\n", commonFlagsHelp)
}

func run(ctx context.Context, args []string, env *environment) int {
	if len(args) == 0 {
		printUsage(env.stderr)
		return 2
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "--help", "-help", "help":
		if len(rest) > 0 {
			for _, c := range commands() {
				if c.name == rest[0] {
					return run(ctx, []string{c.name, "--help"}, env)
				}
			}
		}
		printUsage(env.stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, env, rest)
		if err == nil {
			return 0
		}
		code := exitCode(err)
		if code == 0 {
			return 0
		}
		msg := err.Error()
		if msg != "" {
			fmt.Fprintf(env.stderr, "followup %s: %s\n", name, oneLine(msg))
		}
		if code == 2 {
			fmt.Fprintf(env.stderr, "usage: followup %s %s\n", c.name, c.usage)
		}
		return code
	}
	fmt.Fprintf(env.stderr, "followup: unknown command %q; run 'followup help' for the list\n", name)
	return 2
}

// exitCode is the one mapping from a command's error to its exit status,
// as the README says: 0 for none (or --help), 2 for a mistake in the
// command itself (a usageError), 1 for every other failure. The store's
// kinds all fail with 1, whatever they are (not found, invalid, conflict,
// or the database busy, read-only, full or damaged): the one line on
// standard error says which, and what to do.
func exitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ee):
		return ee.code
	}
	return 1
}

// oneLine keeps an admin's error to one line, except for config errors,
// which are one mistake per line by design.
func oneLine(s string) string {
	if strings.Count(s, "\n") > 0 && !strings.Contains(s, ".yaml:") && !strings.Contains(s, ".yml:") {
		return strings.ReplaceAll(s, "\n", "; ")
	}
	return s
}
