package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/followup-app/followup/cluster"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// The usage of each subcommand, and of them all.
const (
	clusterSuggestUsage = "[--state NAME] [--json]"
	clusterAcceptUsage  = "KEY [--state NAME] [--name NAME] [--lead MINISTRY [--support ID,ID]] --by NAME"
	clusterCreateUsage  = "NAME REC_ID... [--lead MINISTRY [--support ID,ID]] --by NAME"
	clusterAddUsage     = "CLUSTER REC_ID... --by NAME"
	clusterRemoveUsage  = "CLUSTER REC_ID... --by NAME"
	clusterSplitUsage   = "CLUSTER REC_ID... --name NAME --by NAME"
	clusterRenameUsage  = "CLUSTER NAME --by NAME"
	clusterLeadUsage    = "CLUSTER MINISTRY [--support ID,ID] --by NAME"
	clusterListUsage    = "[--ministry ID] [--json]"
	clusterShowUsage    = "CLUSTER [--json]"
	clusterUsage        = "suggest " + clusterSuggestUsage + " | accept " + clusterAcceptUsage + " | create " + clusterCreateUsage +
		" | add " + clusterAddUsage + " | remove " + clusterRemoveUsage + " | split " + clusterSplitUsage +
		" | rename " + clusterRenameUsage + " | lead " + clusterLeadUsage + " | list " + clusterListUsage + " | show " + clusterShowUsage
)

// cmdCluster works with clusters: groups of recommendations, from any
// documents, that one action answers. CLUSTER is a cluster's number or
// its name.
func cmdCluster(ctx context.Context, env *environment, args []string) error {
	subs := map[string]func(context.Context, *environment, []string) error{
		"suggest": clusterSuggest, "accept": clusterAccept, "create": clusterCreate, "add": clusterAdd, "remove": clusterRemove,
		"split": clusterSplit, "rename": clusterRename, "lead": clusterLead, "list": clusterList, "show": clusterShow,
	}
	names := "suggest, accept, create, add, remove, split, rename, lead, list or show"
	if len(args) == 0 {
		return usageError("expected %s", names)
	}
	if f, ok := subs[args[0]]; ok {
		return f(ctx, env, args[1:])
	}
	switch args[0] {
	case "-h", "--help", "-help":
		fs, _ := newFlags(env, "cluster", clusterUsage)
		fs.SetOutput(env.stdout)
		fs.Usage()
		return nil
	}
	return usageError("unknown subcommand %q; expected %s", args[0], names)
}

// jsonSuggestion is a suggestion as `cluster suggest --json` prints it:
// package cluster's fields, the key to accept it by, and what is decided.
type jsonSuggestion struct {
	cluster.Suggestion
	Key     string   `json:"key"`
	Cluster int64    `json:"cluster,omitempty"` // the cluster holding every member: accepted
	Taken   []string `json:"taken,omitempty"`   // members other clusters hold
}

func clusterSuggest(ctx context.Context, env *environment, args []string) (err error) {
	fs, g := newFlags(env, "cluster suggest", clusterSuggestUsage)
	state := fs.String("state", "", "only the documents about this `State`")
	asJSON := fs.Bool("json", false, `print {"clusters": [{"name", "score", "members", "reason", "key"}]}`)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	db, _, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	sugs, err := db.SuggestClusters(ctx, store.SuggestFilter{State: *state})
	if err != nil {
		return fmt.Errorf("suggest clusters: %w", err)
	}
	if *asJSON {
		out := struct {
			Clusters []jsonSuggestion `json:"clusters"`
		}{Clusters: []jsonSuggestion{}}
		for _, s := range sugs {
			out.Clusters = append(out.Clusters, jsonSuggestion{Suggestion: s.Suggestion, Key: s.Key, Cluster: s.Cluster, Taken: s.Taken})
		}
		return writeJSON(env.stdout, out)
	}
	w := bufio.NewWriter(env.stdout)
	defer flush(w, &err)
	if len(sugs) == 0 {
		fmt.Fprintln(w, "No suggestion: no two recommendations ask the same thing closely enough.")
		return nil
	}
	open := 0
	for _, s := range sugs {
		fmt.Fprintf(w, "%s  %s  (score %.2f, %d recommendations)\n", s.Key, s.Name, s.Score, len(s.Members))
		switch {
		case s.Cluster != 0:
			fmt.Fprintf(w, "    accepted: cluster %d\n", s.Cluster)
		case !s.Open():
			fmt.Fprintln(w, "    its members are in other clusters")
		default:
			open++
		}
		fmt.Fprintf(w, "    %s\n", wrap(s.Reason, 72, "    "))
		for _, m := range s.Members {
			mark := ""
			if slices.Contains(s.Taken, m) {
				mark = "  (in another cluster)"
			}
			fmt.Fprintf(w, "    - %s%s\n", m, mark)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%d suggestions, %d open: accept one with followup cluster accept KEY --by NAME\n", len(sugs), open)
	return nil
}

// leadFlags are --lead and --support.
type leadFlags struct{ lead, support *string }

func addLeadFlags(fs *flag.FlagSet) leadFlags {
	return leadFlags{
		lead:    fs.String("lead", "", "the lead `ministry` (default: the one that owns most members)"),
		support: fs.String("support", "", "comma-separated `ids` of supporting ministries, with --lead"),
	}
}

// ministries checks --lead and --support against the config.
func (l leadFlags) ministries(cfg *config.Config) (string, []string, error) {
	lead := strings.TrimSpace(*l.lead)
	if lead == "" {
		if strings.TrimSpace(*l.support) != "" {
			return "", nil, usageError("--support goes with --lead: without --lead the rule chooses both")
		}
		return "", nil, nil
	}
	if _, ok := cfg.Ministry(lead); !ok || lead == cfg.Coordinator.ID {
		return "", nil, fmt.Errorf("--lead: unknown ministry %q; expected one of: %s", lead, strings.Join(ministryIDs(cfg), ", "))
	}
	sup, err := supportList(cfg, *l.support, lead)
	return lead, sup, err
}

func supportList(cfg *config.Config, list, lead string) ([]string, error) {
	var sup []string
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" || s == lead || slices.Contains(sup, s) {
			continue
		}
		if _, ok := cfg.Ministry(s); !ok || s == cfg.Coordinator.ID {
			return nil, fmt.Errorf("--support: unknown ministry %q; expected one of: %s", s, strings.Join(ministryIDs(cfg), ", "))
		}
		sup = append(sup, s)
	}
	return sup, nil
}

// clusterWriter is a subcommand that changes clusters: its flags, then
// --by, its arguments (at least min, at most max; max 0: any number),
// and the database opened for writing.
type clusterWriter struct {
	name, usage, args string // args: what the arguments are, for a mistake
	min, max          int
	flags             func(fs *flag.FlagSet)
}

func (c clusterWriter) open(ctx context.Context, env *environment, argv []string) (*store.DB, *config.Config, []string, store.Actor, error) {
	fs, g := newFlags(env, "cluster "+c.name, c.usage)
	if c.flags != nil {
		c.flags(fs)
	}
	byName := fs.String("by", "", "`name` of the person making the change (required)")
	rest, err := parseArgs(fs, argv)
	if err != nil {
		return nil, nil, nil, store.Actor{}, err
	}
	if len(rest) < c.min || (c.max > 0 && len(rest) > c.max) {
		return nil, nil, nil, store.Actor{}, usageError("expected %s", c.args)
	}
	if strings.TrimSpace(*byName) == "" {
		return nil, nil, nil, store.Actor{}, usageError("--by NAME is required: the history records who made each change")
	}
	db, cfg, err := openForWriting(ctx, env, g)
	if err != nil {
		return nil, nil, nil, store.Actor{}, err
	}
	return db, cfg, rest, store.Actor{Name: *byName}, nil
}

// run opens, runs do and says what the cluster is now.
func (c clusterWriter) run(ctx context.Context, env *environment, argv []string,
	do func(db *store.DB, cfg *config.Config, rest []string, by store.Actor) (store.Cluster, error)) error {
	db, cfg, rest, by, err := c.open(ctx, env, argv)
	if err != nil {
		return err
	}
	defer db.Close()
	cl, err := do(db, cfg, rest, by)
	if err != nil {
		return err
	}
	printMade(env.stdout, cfg, cl)
	return nil
}

func clusterAccept(ctx context.Context, env *environment, args []string) error {
	var name, state *string
	var lf leadFlags
	var taken []string
	err := clusterWriter{name: "accept", usage: clusterAcceptUsage,
		args: "one KEY, as cluster suggest prints it (s-…)", min: 1, max: 1, flags: func(fs *flag.FlagSet) {
			name = fs.String("name", "", "the cluster's `name` (default: the suggestion's)")
			state = fs.String("state", "", "the `State` the suggestions were made for (as cluster suggest --state)")
			lf = addLeadFlags(fs)
		}}.run(ctx, env, args, func(db *store.DB, cfg *config.Config, rest []string, by store.Actor) (store.Cluster, error) {
		lead, sup, err := lf.ministries(cfg)
		if err != nil {
			return store.Cluster{}, err
		}
		c, s, err := db.AcceptSuggestion(ctx, store.SuggestFilter{State: *state}, rest[0], store.ClusterSpec{Name: *name, Lead: lead, Support: sup}, by)
		var te *store.SuggestionTakenError
		if errors.As(err, &te) && te.Cluster != 0 {
			return c, fmt.Errorf("suggestion %s is accepted already: cluster %d (followup cluster show %d)", te.Key, te.Cluster, te.Cluster)
		}
		taken = s.Taken
		return c, err
	})
	if err == nil && len(taken) > 0 {
		fmt.Fprintf(env.stdout, "left out, in other clusters: %s\n", strings.Join(taken, ", "))
	}
	return err
}

// printMade says what a cluster is now.
func printMade(w io.Writer, cfg *config.Config, c store.Cluster) {
	fmt.Fprintf(w, "cluster %d “%s”: %d recommendations, lead %s", c.ID, c.Name, c.Members, ministryName(cfg, c.Lead))
	if len(c.Support) > 0 {
		var names []string
		for _, s := range c.Support {
			names = append(names, ministryName(cfg, s))
		}
		fmt.Fprintf(w, ", supported by %s", strings.Join(names, ", "))
	}
	if c.LeadBy == workflow.LeadByRule {
		fmt.Fprint(w, " (by rule: the owner of most members)")
	}
	fmt.Fprintln(w)
}

func clusterCreate(ctx context.Context, env *environment, args []string) error {
	var lf leadFlags
	return clusterWriter{name: "create", usage: clusterCreateUsage,
		args: "a NAME and two or more recommendation ids", min: 3, flags: func(fs *flag.FlagSet) { lf = addLeadFlags(fs) }}.
		run(ctx, env, args, func(db *store.DB, cfg *config.Config, rest []string, by store.Actor) (store.Cluster, error) {
			lead, sup, err := lf.ministries(cfg)
			if err != nil {
				return store.Cluster{}, err
			}
			return db.CreateCluster(ctx, store.ClusterSpec{Name: rest[0], Members: rest[1:], Lead: lead, Support: sup}, by)
		})
}

const membersArgs = "a CLUSTER (its number or name) and one or more recommendation ids"

func clusterAdd(ctx context.Context, env *environment, args []string) error {
	return clusterWriter{name: "add", usage: clusterAddUsage, args: membersArgs, min: 2}.
		run(ctx, env, args, func(db *store.DB, _ *config.Config, rest []string, by store.Actor) (store.Cluster, error) {
			return db.AddToCluster(ctx, rest[0], rest[1:], by)
		})
}

func clusterRemove(ctx context.Context, env *environment, args []string) error {
	return clusterWriter{name: "remove", usage: clusterRemoveUsage, args: membersArgs, min: 2}.
		run(ctx, env, args, func(db *store.DB, _ *config.Config, rest []string, by store.Actor) (store.Cluster, error) {
			return db.RemoveFromCluster(ctx, rest[0], rest[1:], by)
		})
}

func clusterSplit(ctx context.Context, env *environment, args []string) error {
	var name *string
	return clusterWriter{name: "split", usage: clusterSplitUsage, args: membersArgs, min: 2,
		flags: func(fs *flag.FlagSet) { name = fs.String("name", "", "the new cluster's `name` (required)") }}.
		run(ctx, env, args, func(db *store.DB, _ *config.Config, rest []string, by store.Actor) (store.Cluster, error) {
			if strings.TrimSpace(*name) == "" {
				return store.Cluster{}, usageError("--name NAME is required: the new cluster's name")
			}
			return db.SplitCluster(ctx, rest[0], rest[1:], *name, by)
		})
}

func clusterRename(ctx context.Context, env *environment, args []string) error {
	return clusterWriter{name: "rename", usage: clusterRenameUsage, args: "a CLUSTER (its number or name) and its new NAME", min: 2, max: 2}.
		run(ctx, env, args, func(db *store.DB, _ *config.Config, rest []string, by store.Actor) (store.Cluster, error) {
			return db.RenameCluster(ctx, rest[0], rest[1], by)
		})
}

func clusterLead(ctx context.Context, env *environment, args []string) error {
	var support *string
	return clusterWriter{name: "lead", usage: clusterLeadUsage, args: "a CLUSTER (its number or name) and the lead MINISTRY",
		min: 2, max: 2, flags: func(fs *flag.FlagSet) {
			support = fs.String("support", "", "comma-separated `ids` of supporting ministries")
		}}.
		run(ctx, env, args, func(db *store.DB, cfg *config.Config, rest []string, by store.Actor) (store.Cluster, error) {
			lead, sup, err := leadFlags{lead: &rest[1], support: support}.ministries(cfg)
			if err != nil {
				return store.Cluster{}, err
			}
			return db.SetClusterLead(ctx, rest[0], lead, sup, by)
		})
}

type jsonCluster struct {
	ID         int64          `json:"id"`
	Name       string         `json:"name"`
	Lead       string         `json:"lead"`
	Support    []string       `json:"support"`
	LeadBy     string         `json:"lead_by"`
	Suggestion string         `json:"suggestion,omitempty"`
	Score      float64        `json:"score,omitempty"`
	Reason     string         `json:"reason,omitempty"`
	Members    int            `json:"members"`
	CreatedAt  string         `json:"created_at"`
	CreatedBy  string         `json:"created_by"`
	Recs       []jsonMember   `json:"recommendations,omitempty"`
	History    []jsonClusterE `json:"history,omitempty"`
}

type jsonMember struct {
	ID        string   `json:"id"`
	Mechanism string   `json:"mechanism"`
	Year      int      `json:"year,omitempty"`
	Document  string   `json:"document"`
	Paragraph string   `json:"paragraph"`
	Owner     string   `json:"owner"`
	Support   []string `json:"support"`
	Stage     string   `json:"stage"`
	Text      string   `json:"text"`
}

type jsonClusterE struct {
	At    string `json:"at"`
	Actor string `json:"actor"`
	Kind  string `json:"kind"`
	Rec   string `json:"recommendation,omitempty"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
	Note  string `json:"note,omitempty"`
}

func toJSONCluster(c store.Cluster) jsonCluster {
	sup := c.Support
	if sup == nil {
		sup = []string{}
	}
	return jsonCluster{ID: c.ID, Name: c.Name, Lead: c.Lead, Support: sup, LeadBy: c.LeadBy, Suggestion: c.Suggestion,
		Score: c.Score, Reason: c.Reason, Members: c.Members, CreatedAt: c.CreatedAt.Format(time.RFC3339), CreatedBy: c.CreatedBy}
}

func clusterList(ctx context.Context, env *environment, args []string) (err error) {
	fs, g := newFlags(env, "cluster list", clusterListUsage)
	ministry := fs.String("ministry", "", "only the clusters this `ministry` leads or supports")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	db, _, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	cs, err := db.Clusters(ctx, store.ClusterFilter{Ministry: *ministry})
	if err != nil {
		return err
	}
	if *asJSON {
		out := []jsonCluster{}
		for _, c := range cs {
			out = append(out, toJSONCluster(c))
		}
		return writeJSON(env.stdout, out)
	}
	w := bufio.NewWriter(env.stdout)
	defer flush(w, &err)
	if len(cs) == 0 {
		fmt.Fprintln(w, "No cluster yet: see followup cluster suggest.")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CLUSTER\tRECS\tLEAD\tNAME")
	for _, c := range cs {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\n", c.ID, c.Members, orDash(c.Lead), clip(c.Name, 70))
	}
	return tw.Flush()
}

func clusterShow(ctx context.Context, env *environment, args []string) (err error) {
	fs, g := newFlags(env, "cluster show", clusterShowUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError("expected one CLUSTER (its number or name)")
	}
	db, cfg, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := db.Cluster(ctx, rest[0])
	if err != nil {
		return err
	}
	if *asJSON {
		out := toJSONCluster(d.Cluster)
		for _, m := range d.Members {
			sup := m.Support
			if sup == nil {
				sup = []string{}
			}
			out.Recs = append(out.Recs, jsonMember{ID: m.RecID, Mechanism: m.Body, Year: m.Year, Document: m.Symbol,
				Paragraph: workflow.ParagraphLabel(m.Paragraph, m.Item), Owner: m.Owner, Support: sup, Stage: m.Stage, Text: m.Text})
		}
		for _, e := range d.Events {
			out.History = append(out.History, jsonClusterE{At: e.At.Format(time.RFC3339), Actor: e.Actor, Kind: e.Kind, Rec: e.RecID,
				From: e.From, To: e.To, Note: e.Note})
		}
		return writeJSON(env.stdout, out)
	}
	w := bufio.NewWriter(env.stdout)
	defer flush(w, &err)
	printMade(w, cfg, d.Cluster)
	if d.Suggestion != "" {
		fmt.Fprintf(w, "  Accepted from suggestion %s (score %.2f): %s\n", d.Suggestion, d.Score, wrap(d.Reason, 70, "    "))
	}
	fmt.Fprintln(w, "\nRecommendations:")
	for _, m := range d.Members {
		fmt.Fprintf(w, "  %s  (%s; %s, stage %s)\n    %s\n", m.RecID, m.Ref(), ministryName(cfg, m.Owner), stageName(cfg, m.Stage),
			wrap(clip(m.Text, 300), 72, "    "))
	}
	if len(d.Events) > 0 {
		fmt.Fprintln(w, "\nHistory:")
		for _, e := range d.Events {
			what := e.Kind
			if e.RecID != "" {
				what += " " + e.RecID
			}
			switch {
			case e.From != "" && e.To != "":
				what += ": " + e.From + " → " + e.To
			case e.To != "":
				what += ": " + e.To
			}
			if e.Note != "" {
				what += " (" + e.Note + ")"
			}
			fmt.Fprintf(w, "  %s  %s, by %s\n", e.At.In(cfg.Location).Format("2006-01-02 15:04"), what, e.Actor)
		}
	}
	return nil
}
