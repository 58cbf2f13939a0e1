package config

import (
	"fmt"
	"os"
	"path/filepath"
)

// LoadOptions carries what Load needs from the outside world; the config
// package never reads the environment itself, so tests and `config check`
// decide what it sees.
type LoadOptions struct {
	// Getenv looks up an environment variable (mail.smtp.password_env).
	// nil means no environment: every variable is unset.
	Getenv func(string) string
	// NoSecrets leaves the mail secrets unread (the password's variable
	// or file, OAuth2's secret files): for commands that read the state
	// and never log in to the relay (`followup status`), which must run
	// from cron or a monitoring agent without them. How the config names
	// them is still checked.
	NoSecrets bool
}

// Load reads the config file at path, applies the defaults and validates
// everything. A file that cannot be read is a single wrapped error; mistakes
// in the file are returned as Errors, all of them, in file order.
func Load(path string, opts LoadOptions) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", path, err)
	}
	return Parse(path, data, opts)
}

// Parse is Load from bytes. name is used in messages and as Path, and
// relative paths in the file are resolved against filepath.Dir(name).
func Parse(name string, data []byte, opts LoadOptions) (*Config, error) {
	c, errs := parse(name, data, opts)
	if len(errs) > 0 {
		return nil, errs
	}
	return c, nil
}

// Check is Load for `followup config check`. Besides the mistakes, it
// returns the configuration as far as the file could be read (the default
// wherever a value is wrong), so that the checks that need a Config, such
// as whether each body's language has mail templates, run in the same pass
// and the admin sees every mistake at once. The Config is nil only when the
// file cannot be read or is not YAML. It is for checking: nothing should
// run on a Config that came with errors.
func Check(path string, opts LoadOptions) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", path, err)
	}
	c, errs := parse(path, data, opts)
	if len(errs) > 0 {
		return c, errs
	}
	return c, nil
}

// parse decodes and checks data. The Config is nil after a syntax error
// and otherwise filled as far as it could be.
func parse(name string, data []byte, opts LoadOptions) (*Config, Errors) {
	errs := &errorList{file: name}
	root := parseYAML(data, errs)
	if root == nil { // a syntax error: nothing to walk
		return nil, errs.sorted()
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	d := &decoder{errs: errs, dir: filepath.Dir(name), getenv: getenv, noSecrets: opts.NoSecrets}
	c := d.config(root)
	c.Path, c.Dir = name, d.dir
	return c, errs.sorted()
}
