package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

const (
	docsUsage     = "[--json]"
	recsListUsage = "[--doc SYMBOL] [--section TEXT] [--theme T] [--person P] [--sdg N] [--json]"
	recsShowUsage = "ID [--json]"
	recsTagsUsage = "[--json]"
	recsUsage     = "list " + recsListUsage + " | show " + recsShowUsage + " | tags " + recsTagsUsage
)

func cmdDocs(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "docs", docsUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	db, cfg, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	docs, err := db.Documents(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		out := []map[string]any{}
		for _, d := range docs {
			j := toJSONDocument(&d.Document)
			out = append(out, map[string]any{
				"symbol": d.Symbol, "kind": j.Kind, "body": d.Body, "state": d.State, "title": d.Title,
				"adopted": j.Adopted, "next_report": j.NextReport, "follow_up": j.FollowUp, "parent": d.Parent,
				"recommendations": d.Recommendations, "source": d.Source,
				"imported_at": d.ImportedAt.Format(time.RFC3339),
			})
		}
		return writeJSON(env.stdout, out)
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SYMBOL\tBODY\tSTATE\tADOPTED\tRECS\tNEXT REPORT\tIMPORTED")
	for _, d := range docs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", d.Symbol, d.Body, d.State, orDash(d.Adopted.String()),
			d.Recommendations, orDash(d.NextReport.Due.String()), d.ImportedAt.In(cfg.Location).Format("2006-01-02"))
	}
	return tw.Flush()
}

func cmdRecs(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 {
		return usageError("expected list, show or tags")
	}
	switch args[0] {
	case "list":
		return recsList(ctx, env, args[1:])
	case "show":
		return recsShow(ctx, env, args[1:])
	case "tags":
		return recsTags(ctx, env, args[1:])
	case "-h", "--help", "-help":
		fs, _ := newFlags(env, "recs", recsUsage)
		fs.Usage()
		return nil
	}
	return usageError("unknown subcommand %q: expected list, show or tags", args[0])
}

func recsList(ctx context.Context, env *environment, args []string) (err error) {
	fs, g := newFlags(env, "recs list", recsListUsage)
	doc := fs.String("doc", "", "only the document with this `symbol`")
	section := fs.String("section", "", "only recommendations whose section or subsection contains `text`")
	tags := addTagFlags(fs)
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	db, _, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	tf, err := tags.filter(ctx, db)
	if err != nil {
		return err
	}
	filter := store.RecFilter{Document: *doc, Section: *section, Tags: tf}
	w := bufio.NewWriter(env.stdout)
	defer flush(w, &err)
	if *asJSON {
		// Streamed as one array: a million recommendations never sit in memory.
		first := true
		fmt.Fprint(w, "[")
		err := db.Recommendations(ctx, filter, func(symbol string, r workflow.Recommendation) error {
			b, err := json.Marshal(toJSONRecommendation(symbol, r))
			if err != nil {
				return err
			}
			if !first {
				w.WriteString(",")
			}
			first = false
			w.WriteString("\n  ")
			_, err = w.Write(b)
			return err
		})
		if err != nil {
			return err
		}
		if !first {
			w.WriteString("\n")
		}
		fmt.Fprintln(w, "]")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSECTION\tTEXT")
	n := 0
	err = db.Recommendations(ctx, filter, func(symbol string, r workflow.Recommendation) error {
		n++
		_, err := fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, clip(heading(r), 40), clip(r.Text, 70))
		return err
	})
	if err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintln(w, "(no recommendation matches)")
	}
	return nil
}

func recsShow(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "recs show", recsShowUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError("expected one recommendation ID, such as CRC/C/OPSC/LAO/CO/1:14a")
	}
	db, cfg, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := db.Recommendation(ctx, rest[0])
	if err != nil {
		return err
	}
	// The tags of the config's rules with the documents' own.
	d.Rec = withRuleTags(cfg, d.Document, d.Rec)
	if *asJSON {
		type change struct {
			At     string `json:"at"`
			Source string `json:"source"`
			Field  string `json:"field"`
			Old    string `json:"old"`
			New    string `json:"new"`
		}
		out := struct {
			jsonRecommendation
			History []change `json:"history"`
		}{toJSONRecommendation(d.Document, d.Rec), []change{}}
		for _, c := range d.Changes {
			out.History = append(out.History, change{c.At.Format(time.RFC3339), c.Source, c.Field, c.Old, c.New})
		}
		return writeJSON(env.stdout, out)
	}
	printRecommendation(env.stdout, d.Document, d.Rec)
	if len(d.Changes) > 0 {
		fmt.Fprintln(env.stdout, "\nHistory:")
		for _, c := range d.Changes {
			fmt.Fprintf(env.stdout, "  %s  %s changed by %s\n    was: %s\n    now: %s\n",
				c.At.In(cfg.Location).Format("2006-01-02 15:04"), c.Field, c.Source, clip(c.Old, 200), clip(c.New, 200))
		}
	}
	return nil
}

func printRecommendation(w io.Writer, symbol string, r workflow.Recommendation) {
	fmt.Fprintf(w, "%s\n", r.ID)
	fmt.Fprintf(w, "  Document:   %s, paragraph %d", symbol, r.Paragraph)
	if r.Item != "" {
		fmt.Fprintf(w, ", item %s", r.Item)
	}
	fmt.Fprintln(w)
	if r.Section != "" {
		fmt.Fprintf(w, "  Section:    %s\n", r.Section)
	}
	if r.Subsection != "" {
		fmt.Fprintf(w, "  Subsection: %s\n", r.Subsection)
	}
	if r.Status != "" {
		fmt.Fprintf(w, "  Status:     %s\n", r.Status)
	}
	if len(r.RecommendingStates) > 0 {
		fmt.Fprintf(w, "  Recommended by: %s\n", strings.Join(r.RecommendingStates, ", "))
	}
	if len(r.Themes) > 0 {
		fmt.Fprintf(w, "  Themes:     %s\n", strings.Join(r.Themes, "; "))
	}
	if len(r.AffectedPersons) > 0 {
		fmt.Fprintf(w, "  Affected persons: %s\n", strings.Join(r.AffectedPersons, "; "))
	}
	if len(r.SDGs) > 0 {
		fmt.Fprintf(w, "  SDG targets: %s\n", strings.Join(r.SDGs, ", "))
	}
	if r.Concern > 0 {
		fmt.Fprintf(w, "  Answers the concern of paragraph %d\n", r.Concern)
	}
	if r.Lead != "" && r.Item != "" && !strings.Contains(r.ID, ".") {
		fmt.Fprintf(w, "\n  %s\n", wrap(r.Lead, 76, "  "))
	}
	fmt.Fprintf(w, "\n  %s\n", wrap(r.Text, 76, "  "))
}

func heading(r workflow.Recommendation) string {
	if r.Subsection != "" {
		return r.Subsection
	}
	return r.Section
}

// clip shortens s to n runes for a table cell.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// wrap breaks s into lines of at most width runes, each after the first
// prefixed with indent.
func wrap(s string, width int, indent string) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		l := len([]rune(w))
		if i > 0 && n+1+l > width {
			b.WriteString("\n" + indent)
			n = 0
		} else if i > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += l
	}
	return b.String()
}

// withRuleTags is a recommendation with the tags the config's tag rules
// give it added to its documents' own, as the lists and filters have them.
func withRuleTags(cfg *config.Config, symbol string, r workflow.Recommendation) workflow.Recommendation {
	if len(cfg.Tags.Rules) == 0 {
		return r
	}
	return workflow.NewTagger(cfg.Tags.Rules).Apply(symbol, r)
}

// recsTags lists the tags in use: each theme, group of affected persons
// and SDG with how many recommendations have it (and how many of them from
// the config's tag rules alone).
func recsTags(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "recs tags", recsTagsUsage)
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	db, _, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	counts, err := db.TagCounts(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		type jsonTag struct {
			Kind            string `json:"kind"`
			Name            string `json:"name"`
			Recommendations int    `json:"recommendations"`
			ByRule          int    `json:"by_rule"`
		}
		out := []jsonTag{}
		for _, c := range counts {
			out = append(out, jsonTag{tagKindFlag[c.Kind], c.Name, c.Recommendations, c.ByRule})
		}
		return writeJSON(env.stdout, out)
	}
	if len(counts) == 0 {
		fmt.Fprintln(env.stdout, "(no recommendation has a tag: import a UHRI export or a UPR matrix, or write tag rules in the config)")
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FILTER\tTAG\tRECS\tBY RULE ONLY")
	for _, c := range counts {
		fmt.Fprintf(tw, "--%s\t%s\t%d\t%d\n", tagKindFlag[c.Kind], c.Name, c.Recommendations, c.ByRule)
	}
	return tw.Flush()
}

// tagKindFlag is the filter flag of each kind of tag.
var tagKindFlag = map[string]string{store.TagTheme: "theme", store.TagPerson: "person", store.TagSDG: "sdg"}
