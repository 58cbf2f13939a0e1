package store

// Suggestions of clusters (package cluster) over the stored
// recommendations, each with a key that names it until the
// recommendations change, and what the coordinating body already decided
// about its members.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/followup-app/followup/cluster"
	"github.com/followup-app/followup/workflow"
)

// MaxSuggestItems bounds the recommendations compared at once: package
// cluster holds a dense matrix of their similarities (4 bytes a pair: 100
// MB for 5,000) and takes seconds for a few thousand. One State's whole
// follow-up is hundreds to a few thousand.
const MaxSuggestItems = 5000

// SuggestFilter selects the recommendations suggestions are made from.
type SuggestFilter struct {
	State string // only documents about this State ("" for all)
}

// ClusterItems reads the recommendations f selects as package cluster's
// items, in the documents' order: addenda hold positions, not
// recommendations, and are left out. More than MaxSuggestItems is
// ErrInvalid, counted before any text is read.
func (db *DB) ClusterItems(ctx context.Context, f SuggestFilter) ([]cluster.Item, error) {
	where, args := `d.kind <> ?`, []any{string(workflow.UPRAddendum)}
	if f.State != "" {
		where += ` AND lower(d.state) = lower(?)`
		args = append(args, f.State)
	}
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM recommendations r JOIN documents d ON d.id = r.document_id WHERE `+where,
		args...).Scan(&n); err != nil {
		return nil, fmt.Errorf("count recommendations: %w", err)
	}
	if n > MaxSuggestItems {
		return nil, fmt.Errorf("%w: %d recommendations are more than the %d that can be compared at once; choose one State's", ErrInvalid, n, MaxSuggestItems)
	}
	rows, err := db.db.QueryContext(ctx, `SELECT r.rec_id, d.symbol, d.body, d.language, r.text, r.recommending_states, r.themes
		FROM recommendations r JOIN documents d ON d.id = r.document_id WHERE `+where+` ORDER BY d.id, r.seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("read recommendations: %w", err)
	}
	defer rows.Close()
	out := make([]cluster.Item, 0, n)
	for rows.Next() {
		var it cluster.Item
		var states, themes string
		if err := rows.Scan(&it.ID, &it.Symbol, &it.Body, &it.Language, &it.Text, &states, &themes); err != nil {
			return nil, fmt.Errorf("read recommendations: %w", err)
		}
		if it.States, err = decodeStates(states); err != nil {
			return nil, fmt.Errorf("%s: %w", it.ID, err)
		}
		if it.Themes, err = decodeStates(themes); err != nil {
			return nil, fmt.Errorf("%s themes: %w", it.ID, err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Suggestion is a suggested cluster with what is decided about it.
type Suggestion struct {
	cluster.Suggestion
	// Key names the suggestion (from its members) for accepting it: the
	// same while the recommendations stay the same.
	Key string `json:"key"`
	// Cluster is the cluster that holds every member: it was accepted.
	Cluster int64 `json:"cluster,omitempty"`
	// Taken are the members other clusters hold already: accepting the
	// suggestion groups the others.
	Taken []string `json:"taken,omitempty"`
}

// Open reports whether accepting the suggestion would still group two or
// more recommendations.
func (s Suggestion) Open() bool { return s.Cluster == 0 && len(s.Members)-len(s.Taken) >= 2 }

// Free are the members no cluster holds.
func (s Suggestion) Free() []string {
	return slices.DeleteFunc(slices.Clone(s.Members), func(m string) bool { return slices.Contains(s.Taken, m) })
}

// SuggestionKey names a group of recommendations: "s-" and 10 hex digits
// of the SHA-256 of their sorted ids.
func SuggestionKey(members []string) string {
	ms := slices.Clone(members)
	slices.Sort(ms)
	h := sha256.Sum256([]byte(strings.Join(ms, "\n")))
	return "s-" + hex.EncodeToString(h[:5])
}

// SuggestClusters suggests clusters over the recommendations f selects
// (package cluster, default options), all of them, including those
// already in clusters: so the suggestions, and their keys, do not move as
// the coordinating body accepts them. Each says which cluster holds it
// whole, or which members others hold.
func (db *DB) SuggestClusters(ctx context.Context, f SuggestFilter) ([]Suggestion, error) {
	items, err := db.ClusterItems(ctx, f)
	if err != nil {
		return nil, err
	}
	return db.Decided(ctx, cluster.Suggest(items, cluster.Options{}))
}

// Decided turns package cluster's suggestions into Suggestions, with what
// the coordinating body decided about their members: reading it is cheap,
// suggesting is not, so a caller that keeps res while the recommendations
// stay the same calls this alone.
func (db *DB) Decided(ctx context.Context, res cluster.Result) ([]Suggestion, error) {
	in, err := db.ClusterMembership(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Suggestion, 0, len(res.Clusters))
	for _, c := range res.Clusters {
		s := Suggestion{Suggestion: c, Key: SuggestionKey(c.Members)}
		holders := map[int64]int{}
		for _, m := range c.Members {
			if id, ok := in[m]; ok {
				holders[id]++
				s.Taken = append(s.Taken, m)
			}
		}
		for id, n := range holders {
			if n == len(c.Members) {
				s.Cluster, s.Taken = id, nil
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// Suggested finds the suggestion with key among the current ones.
func (db *DB) Suggested(ctx context.Context, f SuggestFilter, key string) (Suggestion, error) {
	all, err := db.SuggestClusters(ctx, f)
	if err != nil {
		return Suggestion{}, err
	}
	for _, s := range all {
		if s.Key == key {
			return s, nil
		}
	}
	return Suggestion{}, fmt.Errorf("suggestion %s: %w: the recommendations changed since it was made; list the suggestions again", key, ErrNotFound)
}

// SuggestionTakenError refuses to accept a suggestion that was accepted
// already (Cluster is the cluster that holds it) or whose members other
// clusters hold but one (Taken). It is ErrConflict.
type SuggestionTakenError struct {
	Suggestion
}

func (e *SuggestionTakenError) Error() string {
	if e.Cluster != 0 {
		return fmt.Sprintf("suggestion %s is accepted already: cluster %d", e.Key, e.Cluster)
	}
	return fmt.Sprintf("suggestion %s: other clusters hold %s; fewer than two of its recommendations are left to group",
		e.Key, strings.Join(e.Taken, ", "))
}

func (e *SuggestionTakenError) Unwrap() error { return ErrConflict }

// AcceptSuggestion makes the cluster the suggestion key (among those f
// selects) proposes: the one way a suggestion becomes a cluster, for the
// command line and the dashboard alike. The cluster groups the members no
// other cluster holds, under spec.Name (the suggestion's name when
// empty), with spec.Lead and spec.Support ("" lets the rule choose); the
// suggestion's key, score and reason are recorded with it. It returns the
// suggestion too, whose Taken says which members were left out. A
// suggestion accepted already, or with fewer than two members left, is a
// *SuggestionTakenError.
func (db *DB) AcceptSuggestion(ctx context.Context, f SuggestFilter, key string, spec ClusterSpec, by Actor) (Cluster, Suggestion, error) {
	s, err := db.Suggested(ctx, f, key)
	if err != nil {
		return Cluster{}, s, err
	}
	if !s.Open() {
		return Cluster{}, s, &SuggestionTakenError{s}
	}
	if strings.TrimSpace(spec.Name) == "" {
		spec.Name = s.Name
	}
	spec.Members, spec.Suggestion, spec.Score, spec.Reason = s.Free(), s.Key, s.Score, s.Reason
	c, err := db.CreateCluster(ctx, spec, by)
	return c, s, err
}
