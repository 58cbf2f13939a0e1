package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestUsageNamesEveryFlag: the usage line a command prints, on --help and
// after a mistake in the command (the table's, in commands()), names every
// flag the command takes but the ones every command takes. `followup
// preview`'s left out --full and --job.
func TestUsageNamesEveryFlag(t *testing.T) {
	c := newCLI(t)
	reFlag := regexp.MustCompile(`(?m)^  -([a-z][a-z0-9-]*)`)
	reSub := regexp.MustCompile(`^[a-z][a-z-]*$`)
	common := map[string]bool{"config": true, "db": true, "log-level": true}
	for _, cmd := range commands() {
		// The command itself, and each subcommand its usage names ("list
		// [--doc SYMBOL] | show ID": list, show).
		var calls [][]string
		alts := strings.Split(cmd.usage, " | ")
		for _, alt := range alts {
			if f := strings.Fields(alt); len(f) > 0 && reSub.MatchString(f[0]) {
				calls = append(calls, []string{cmd.name, f[0]})
			}
		}
		if f := strings.Fields(alts[0]); len(f) == 0 || !reSub.MatchString(f[0]) {
			// Not a command of subcommands only ("link MINISTRY"): it
			// has flags of its own.
			calls = append(calls, []string{cmd.name})
		}
		for _, call := range calls {
			out, errs, code := c.run(append(call, "--help")...)
			if code != 0 {
				t.Errorf("%s --help: exit %d\n%s%s", strings.Join(call, " "), code, out, errs)
				continue
			}
			help := out + errs
			line := ""
			for _, l := range strings.Split(help, "\n") {
				if strings.HasPrefix(l, "usage: followup "+strings.Join(call, " ")+" ") || l == "usage: followup "+strings.Join(call, " ") {
					line = l
					break
				}
			}
			if line == "" {
				t.Errorf("%s --help prints no usage line:\n%s", strings.Join(call, " "), help)
				continue
			}
			for _, m := range reFlag.FindAllStringSubmatch(help, -1) {
				name := m[1]
				if common[name] {
					continue
				}
				if !regexp.MustCompile(`--` + name + `\b`).MatchString(line) {
					t.Errorf("%q does not name --%s", line, name)
				}
				if !regexp.MustCompile(`--` + name + `\b`).MatchString(cmd.usage) {
					t.Errorf("the usage of %s after a mistake, %q, does not name --%s (of %s)", cmd.name, cmd.usage, name, strings.Join(call, " "))
				}
			}
		}
	}
}
