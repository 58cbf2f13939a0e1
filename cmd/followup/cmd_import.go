package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/followup-app/followup/ingest"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

func cmdImport(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "import", "[--dry-run] [--json] [--symbol S] FILE...")
	dryRun := fs.Bool("dry-run", false, "parse and print, write nothing")
	asJSON := fs.Bool("json", false, "print the parse as JSON (with --dry-run)")
	symbol := fs.String("symbol", "", "document `symbol`, for a text that does not carry it (one FILE only)")
	files, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usageError("no FILE to import")
	}
	if *symbol != "" && len(files) > 1 {
		return usageError("--symbol applies to one FILE only")
	}
	if *asJSON && !*dryRun {
		return usageError("--json prints the parse: use it with --dry-run")
	}

	// Parse everything first: a bad file stops the command before the
	// database is touched.
	var items []store.ImportItem
	for _, f := range files {
		doc, err := ingest.ReadFileContext(ctx, f, ingest.Options{Symbol: *symbol})
		if err != nil {
			if ctx.Err() != nil {
				return errInterrupted
			}
			return fileError(f, err)
		}
		items = append(items, store.ImportItem{Doc: doc, Source: f})
	}

	if *dryRun {
		if *asJSON {
			if len(items) == 1 {
				return writeJSON(env.stdout, toJSONDocument(items[0].Doc))
			}
			var all []jsonDocument
			for _, it := range items {
				all = append(all, toJSONDocument(it.Doc))
			}
			return writeJSON(env.stdout, all)
		}
		for _, it := range items {
			printParse(env.stdout, it)
		}
		return nil
	}

	cfg, err := loadConfig(env, g)
	if err != nil {
		return err
	}
	logger, err := newLogger(env.stderr, g.logLevel)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, false, logger, env.clock())
	if err != nil {
		return err
	}
	defer db.Close()
	if err := syncRules(ctx, db, cfg, logger); err != nil {
		return err
	}
	results, err := db.Import(ctx, items, planner(cfg))
	if err != nil {
		if ctx.Err() != nil {
			return errInterrupted // the import is one transaction
		}
		return err
	}
	for i, r := range results {
		printImportResult(env.stdout, items[i], r)
	}
	return nil
}

func printParse(w io.Writer, it store.ImportItem) {
	d := it.Doc
	fmt.Fprintf(w, "%s (%s, %s): %s\n", d.Symbol, d.Body, d.State, it.Source)
	if d.Kind == workflow.UPRAddendum {
		counts := map[string]int{}
		for _, p := range d.Positions {
			counts[p.Status]++
		}
		fmt.Fprintf(w, "  positions on %s: %d (%s)\n", d.Parent, len(d.Positions), countsText(counts))
		return
	}
	fmt.Fprintf(w, "  adopted %s; %d recommendations\n", orDash(d.Adopted.String()), len(d.Recommendations))
	if d.FollowUp != nil {
		fmt.Fprintf(w, "  follow-up: paragraphs %v due %s\n", d.FollowUp.Paragraphs, d.FollowUp.Due)
	}
	fmt.Fprintf(w, "  next report due: %s\n", orDash(d.NextReport.Due.String()))
}

func printImportResult(w io.Writer, it store.ImportItem, r store.ImportResult) {
	d := it.Doc
	if d.Kind == workflow.UPRAddendum {
		counts := map[string]int{}
		for _, p := range d.Positions {
			if slices.Contains(r.Changed, p.ID) {
				counts[p.Status]++
			}
		}
		switch {
		case len(r.Changed) == 0:
			fmt.Fprintf(w, "%s: unchanged (positions on %d recommendations of %s already recorded)\n", r.Symbol, r.Total-len(r.Unknown), d.Parent)
		default:
			fmt.Fprintf(w, "%s: positions recorded for %d recommendations of %s (%s)\n", r.Symbol, len(r.Changed), d.Parent, countsText(counts))
		}
		if len(r.Unknown) > 0 {
			fmt.Fprintf(w, "%s: not found in %s, left alone: %s\n", r.Symbol, d.Parent, strings.Join(r.Unknown, ", "))
		}
		return
	}
	switch {
	case r.New:
		fmt.Fprintf(w, "%s: imported %d recommendations from %s\n", r.Symbol, len(r.Added), it.Source)
	case r.Unchanged():
		fmt.Fprintf(w, "%s: unchanged (%d recommendations already imported)\n", r.Symbol, r.Total)
	default:
		fmt.Fprintf(w, "%s: %d changed, %d added (the old texts are kept in each recommendation's history)\n", r.Symbol, len(r.Changed), len(r.Added))
	}
	if len(r.Missing) > 0 {
		fmt.Fprintf(w, "%s: not in this version, kept: %s\n", r.Symbol, strings.Join(r.Missing, ", "))
	}
}

func countsText(counts map[string]int) string {
	var parts []string
	for _, s := range []string{workflow.StatusSupported, workflow.StatusNoted, workflow.StatusPending} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
