package config

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/followup-app/followup/civil"
)

// Show returns the effective configuration as YAML in the schema Load
// reads, with every default filled in and relative paths resolved, so the
// admin sees exactly what the daemon will do. Each key is written by its
// row in the tables (keys.go), in their order. Secrets are never printed:
// where they come from is (password_env, password_file), and a comment
// says that one was loaded. Parse accepts the output and gives the same
// Config.
func (c *Config) Show() []byte {
	w := &yamlWriter{}
	if c.Path == "" {
		w.comment(0, "Built-in defaults (no --config given). Secrets are never shown.")
	} else {
		w.comment(0, "Effective configuration of "+c.Path+", every default filled in. Secrets are never shown.")
	}
	configSection.show(w, 0, c, c)
	return w.buf.Bytes()
}

// rel turns a resolved path back into one that means the same when the
// output is loaded from c.Path: absolute paths stay absolute (they are
// when the config was loaded by an absolute path, as a service does), and
// a path resolved against a relative Dir is written relative to it again.
// Without this, Show's output of a config loaded as "conf/followup.yaml"
// would say "conf/followup.db", which Load reads as conf/conf/followup.db.
func (c *Config) rel(p string) string {
	if p == "" || c.Dir == "" || filepath.IsAbs(p) {
		return p
	}
	if r, err := filepath.Rel(c.Dir, p); err == nil {
		return r
	}
	return p
}

// yamlWriter writes block YAML line by line. Every string is written
// double-quoted, so no value can be misread as a number, a boolean, a
// comment or a key, whatever it contains.
type yamlWriter struct {
	buf     bytes.Buffer
	pending bool // an item dash was written; the next key goes on its line
}

func (w *yamlWriter) indent(n int) {
	if w.pending {
		w.pending = false
		return
	}
	w.buf.WriteString(strings.Repeat(" ", n))
}

func (w *yamlWriter) key(n int, k string) {
	w.indent(n)
	fmt.Fprintf(&w.buf, "%s:\n", k)
}

func (w *yamlWriter) kv(n int, k, v string) {
	w.indent(n)
	fmt.Fprintf(&w.buf, "%s: %s\n", k, v)
}

// item starts a list item whose first key follows the dash on the same
// line.
func (w *yamlWriter) item(n int) {
	w.buf.WriteString(strings.Repeat(" ", n) + "- ")
	w.pending = true
}

func (w *yamlWriter) comment(n int, text string) {
	w.indent(n)
	w.buf.WriteString("# " + oneLine(text) + "\n")
}

// q quotes a string for YAML. Go's quoting is a subset of YAML's
// double-quoted style (\", \\, \n, \t, \xXX, \uXXXX, \UXXXXXXXX), and it
// keeps printable non-ASCII text such as Lao as it is.
func q(s string) string { return strconv.Quote(s) }

func qlist(list []string) string {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = q(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func spanList(list []civil.Span) string {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = q(s.String())
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
