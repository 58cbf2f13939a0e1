package config

import "log/slog"

// Secret is a password or a key read from where the config says (an
// environment variable, a file). It prints as <redacted> whatever prints
// it (fmt's verbs, slog, encoding/json), so that a secret never reaches a
// log, an error or `config show` by accident; Reveal gives the value to
// the code that sends it.
type Secret string

const redacted = "<redacted>"

// Reveal returns the secret itself.
func (s Secret) Reveal() string { return string(s) }

// String is <redacted> (empty for no secret).
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString is <redacted> for %#v.
func (s Secret) GoString() string { return `config.Secret("` + s.String() + `")` }

// MarshalText is <redacted>, for encoding/json and the like.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogValue is <redacted>, for log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
