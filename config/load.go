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
	errs := &errorList{file: name}
	root := parseYAML(data, errs)
	if root == nil { // a syntax error: nothing to walk
		return nil, errs.sorted()
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	d := &decoder{errs: errs, dir: filepath.Dir(name), getenv: getenv}
	c := d.config(root)
	if len(errs.errs) > 0 {
		return nil, errs.sorted()
	}
	c.Path, c.Dir = name, d.dir
	return c, nil
}
