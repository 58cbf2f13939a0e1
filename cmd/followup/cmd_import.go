package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/ingest"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

const importUsage = "[--dry-run] [--json] [--strict] [--skip-bad] [--symbol S] FILE..."

func cmdImport(ctx context.Context, env *environment, args []string) (err error) {
	flags, g := newFlags(env, "import", importUsage)
	dryRun := flags.Bool("dry-run", false, "parse and print, write nothing")
	strict := flags.Bool("strict", false, "treat the self-check's warnings as errors: import nothing when there is one")
	skipBad := flags.Bool("skip-bad", false, "import a UHRI export whose rows cannot all be read, leaving those out (they are listed)")
	asJSON := flags.Bool("json", false, "print the parse as JSON (with --dry-run)")
	symbol := flags.String("symbol", "", "document `symbol`, for a text that does not carry it (one FILE only)")
	files, err := parseArgs(flags, args)
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
	pdfLog, err := newLogger(env.stderr, g.logLevel)
	if err != nil {
		pdfLog = slog.New(slog.DiscardHandler) // said again below, where it always was
	}
	pdf := pdfReader(env, pdfLog)
	defer pdf.Close()
	var items []store.ImportItem
	var exports []string // UHRI exports: read row by row, as they are written
	for _, f := range files {
		isExport, err := ingest.IsUHRIFile(f)
		if err != nil {
			return fileError(f, err)
		}
		if isExport {
			if *symbol != "" {
				return usageError("--symbol does not apply to %s, a UHRI export: its rows name their documents", f)
			}
			exports = append(exports, f)
			continue
		}
		doc, err := ingest.ReadFileContext(ctx, f, ingest.Options{Symbol: *symbol, PDF: pdf})
		if err != nil {
			if ctx.Err() != nil {
				return errInterrupted
			}
			return fileError(f, err)
		}
		items = append(items, store.ImportItem{Doc: doc, Source: f})
	}
	// An addendum whose report comes in the same command is checked
	// against it now; one whose report is stored, once the store is open.
	if err := matchAddenda(ctx, nil, items); err != nil {
		return err
	}

	if *dryRun {
		var cfg *config.Config
		if len(exports) > 0 {
			// Where a special procedure's deadlines would come from.
			if cfg, err = loadStateConfig(env, g); err != nil {
				return err
			}
		}
		var out io.Writer = env.stdout
		if *asJSON {
			out = nil
		}
		uhriDocs, err := dryRunUHRI(ctx, out, cfg, exports, *skipBad)
		if err != nil {
			if ctx.Err() != nil {
				return errInterrupted
			}
			return err
		}
		switch {
		case *asJSON && len(exports) > 0:
			all := []jsonDocument{}
			for _, it := range items {
				all = append(all, toJSONDocument(it.Doc))
			}
			if err := writeJSON(env.stdout, append(all, uhriDocs...)); err != nil {
				return err
			}
		case *asJSON && len(items) == 1:
			if err := writeJSON(env.stdout, toJSONDocument(items[0].Doc)); err != nil {
				return err
			}
		case *asJSON:
			var all []jsonDocument
			for _, it := range items {
				all = append(all, toJSONDocument(it.Doc))
			}
			if err := writeJSON(env.stdout, all); err != nil {
				return err
			}
		default:
			for _, it := range items {
				printParse(env.stdout, it)
			}
		}
		if *strict {
			return strictError(env.stderr, items, true)
		}
		return nil
	}
	if *strict {
		if err := strictError(env.stderr, items, false); err != nil {
			return err
		}
	}

	cfg, err := loadConfig(env, g)
	if err != nil {
		return err
	}
	logger, err := newLogger(env.stderr, g.logLevel)
	if err != nil {
		return err
	}
	_, statErr := os.Stat(cfg.Database)
	db, err := openStore(ctx, cfg, false, logger, env.clock())
	if err != nil {
		return err
	}
	defer db.Close()
	if len(exports) > 0 && errors.Is(statErr, fs.ErrNotExist) {
		// An export is refused only once it is read, inside the import's
		// transaction: a database made for it goes with it.
		defer func() {
			if err != nil {
				removeNewDatabase(db, cfg.Database)
			}
		}()
	}
	if err := matchAddenda(ctx, db, items); err != nil {
		return err
	}
	warnNoReport(cfg, items)
	if *strict {
		if err := strictError(env.stderr, items, false); err != nil {
			return err
		}
	}
	if err := syncRules(ctx, db, cfg, logger); err != nil {
		return err
	}
	var imports []uhriImport
	results, rows, err := db.ImportStream(ctx, items, planner(cfg), tagger(cfg), func(w *store.RowWriter) error {
		if len(exports) == 0 {
			return nil
		}
		var err error
		if imports, err = scanUHRI(ctx, w, exports, *skipBad); err != nil {
			return err
		}
		if *strict {
			return strictUHRI(env.stderr, cfg, w.Documents())
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return errInterrupted // the import is one transaction
		}
		return err
	}
	for i, r := range results {
		printImportResult(env.stdout, items[i], r)
	}
	printUHRIResult(env.stdout, cfg, rows, imports, *skipBad)
	return nil
}

func printParse(w io.Writer, it store.ImportItem) {
	d := it.Doc
	fmt.Fprintf(w, "%s (%s, %s): %s\n", d.Symbol, d.Body, d.State, it.Source)
	if d.Kind == workflow.UPRAddendum {
		counts := map[string]int{}
		bare := 0
		for _, p := range d.Positions {
			counts[p.Status]++
			if p.ID == "" {
				bare++
			}
		}
		fmt.Fprintf(w, "  positions on %s: %d (%s), %s\n", d.Parent, len(d.Positions), countsText(counts), warningsText(d.Warnings))
		if bare > 0 {
			fmt.Fprintf(w, "  %d cited by number alone: matched with %s's recommendations when it is imported with or before this addendum\n", bare, d.Parent)
		}
		printWarnings(w, "  ", d.Warnings)
		return
	}
	fmt.Fprintf(w, "  adopted %s; %d recommendations, %s\n", orDash(d.Adopted.String()), len(d.Recommendations), warningsText(d.Warnings))
	if d.FollowUp != nil {
		fmt.Fprintf(w, "  follow-up: paragraphs %v due %s\n", d.FollowUp.Paragraphs, d.FollowUp.Due)
	}
	fmt.Fprintf(w, "  next report due: %s\n", orDash(d.NextReport.Due.String()))
	printWarnings(w, "  ", d.Warnings)
}

// warningsText is the end of a document's one-line summary: "no
// warnings", "1 warning", "3 warnings".
func warningsText(ws []workflow.Warning) string {
	switch len(ws) {
	case 0:
		return "no warnings"
	case 1:
		return "1 warning"
	}
	return fmt.Sprintf("%d warnings", len(ws))
}

func printWarnings(w io.Writer, prefix string, ws []workflow.Warning) {
	for _, x := range ws {
		fmt.Fprintf(w, "%swarning: %s\n", prefix, x)
	}
}

// strictError is the refusal of --strict: every warning on standard error
// ("followup import: FILE: warning: line 30: …"), then one error that says
// nothing was imported. nil when no document has a warning.
func strictError(stderr io.Writer, items []store.ImportItem, dryRun bool) error {
	n, files := 0, 0
	for _, it := range items {
		if len(it.Doc.Warnings) == 0 {
			continue
		}
		files++
		for _, x := range it.Doc.Warnings {
			n++
			fmt.Fprintf(stderr, "followup import: %s: warning: %s\n", it.Source, x)
		}
	}
	if n == 0 {
		return nil
	}
	what := "nothing was imported"
	if dryRun {
		what = "the import would be refused"
	}
	return fmt.Errorf("--strict: %s in %d of %d files: %s", warningsText(make([]workflow.Warning, n)), files, len(items), what)
}

// matchAddenda checks each UPR addendum against its report, when the
// report is at hand: imported in the same command, or (db not nil) stored
// before. The positions cited by number alone get their ids there; what
// the check finds is added to the addendum's warnings.
func matchAddenda(ctx context.Context, db *store.DB, items []store.ImportItem) error {
	for _, it := range items {
		d := it.Doc
		if d.Kind != workflow.UPRAddendum || d.Parent == "" {
			continue
		}
		var report *workflow.Document
		for _, other := range items {
			if other.Doc.Symbol == d.Parent && other.Doc.Kind == workflow.UPRReport {
				report = other.Doc
			}
		}
		if report != nil && db != nil {
			continue // matched before the store was opened
		}
		if report == nil && db != nil {
			stored := &workflow.Document{Symbol: d.Parent, Kind: workflow.UPRReport}
			err := db.Recommendations(ctx, store.RecFilter{Document: d.Parent}, func(_ string, r workflow.Recommendation) error {
				stored.Recommendations = append(stored.Recommendations, r)
				return nil
			})
			if err != nil {
				return fmt.Errorf("%s: reading %s: %w", it.Source, d.Parent, err)
			}
			if len(stored.Recommendations) > 0 {
				report = stored
			}
		}
		if report != nil {
			ingest.ResolvePositions(d, report)
		}
	}
	return nil
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
			fmt.Fprintf(w, "%s: unchanged (positions on %d recommendations of %s already recorded), %s\n", r.Symbol, r.Total-len(r.Unknown), d.Parent, warningsText(d.Warnings))
		default:
			fmt.Fprintf(w, "%s: positions recorded for %d recommendations of %s (%s), %s\n", r.Symbol, len(r.Changed), d.Parent, countsText(counts), warningsText(d.Warnings))
		}
		printWarnings(w, r.Symbol+": ", d.Warnings)
		if len(r.Unknown) > 0 {
			fmt.Fprintf(w, "%s: not found in %s, left alone: %s\n", r.Symbol, d.Parent, strings.Join(r.Unknown, ", "))
		}
		return
	}
	switch {
	case r.New:
		fmt.Fprintf(w, "%s: imported %d recommendations from %s, %s\n", r.Symbol, len(r.Added), it.Source, warningsText(d.Warnings))
	case r.Unchanged():
		fmt.Fprintf(w, "%s: unchanged (%d recommendations already imported), %s\n", r.Symbol, r.Total, warningsText(d.Warnings))
	default:
		fmt.Fprintf(w, "%s: %d changed, %d added (the old texts are kept in each recommendation's history), %s\n", r.Symbol, len(r.Changed), len(r.Added), warningsText(d.Warnings))
	}
	printWarnings(w, r.Symbol+": ", d.Warnings)
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
