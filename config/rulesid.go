package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// RulesID identifies what decides a task's owner and first stage: the
// assignment rules, the overrides and the initial stage. The store keeps
// the id of the rules it last applied and applies them again when it
// differs.
//
// It hashes the JSON encoding of the config's own types, so every field of
// Rule and Override takes part, including fields added later, without
// being listed here (a regular expression encodes as its source text).
func (c *Config) RulesID() string {
	// The tag rules take part: assignment rules match on the tags they
	// give.
	return hashJSON(struct {
		InitialStage string
		Assignment   Assignment
		Tags         Tagging
	}{c.InitialStage, c.Assignment, c.Tags})
}

func hashJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Only a field of a type JSON cannot encode (a func, a channel)
		// gets here; TestRulesIDCoversEveryField catches it first. An id
		// that never matches a stored one applies the rules every time,
		// which is slow but never wrong.
		return "unencodable: " + err.Error()
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
