package main

// The import of UHRI exports (the Universal Human Rights Index's "Export to
// Excel", or the same columns as .csv or .json): read row by row and
// written in the import's one transaction as they are read, never the
// whole file in memory; committed only if every row was read (or
// --skip-bad says to leave out those that were not).

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/ingest"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// uhriImport is what the import of one export read and wrote.
type uhriImport struct {
	path     string
	u        *ingest.UHRI
	concerns int // recommendations given the paragraph of their concern
}

// badRowsError refuses an export with rows that cannot be read: nothing
// is written.
type badRowsError struct {
	path string
	err  error
}

func (e *badRowsError) Error() string {
	return fmt.Sprintf("%s: %v; nothing was imported (--skip-bad imports the rows that can be read and leaves these out)", e.path, e.err)
}

// scanUHRI is the import's part of ImportStream: every export, row by row.
func scanUHRI(ctx context.Context, w *store.RowWriter, paths []string, skipBad bool) ([]uhriImport, error) {
	var out []uhriImport
	for _, path := range paths {
		w.SetSource(path)
		u, read, err := scanPipelined(ctx, path, func(it ingest.UHRIItem) error {
			if it.Recommendation == nil {
				return nil // a concern: linked once the whole file is read
			}
			return w.Recommendation(ctx, it.Document, *it.Recommendation, it.Again)
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			if !read {
				return nil, exportError(path, err)
			}
			return nil, fileError(path, err)
		}
		if err := u.Err(); err != nil && !skipBad {
			return nil, &badRowsError{path, err}
		}
		imp := uhriImport{path: path, u: u}
		for _, c := range u.Concerns {
			if len(c.Context) == 0 {
				continue
			}
			// The recommendations of one paragraph: their ids say which.
			_, local, _ := workflow.SplitRecID(c.Context[0])
			para, _ := strconv.Atoi(strings.TrimRightFunc(local, func(r rune) bool { return r < '0' || r > '9' }))
			if i := strings.IndexByte(local, '.'); i > 0 {
				para, _ = strconv.Atoi(local[:i])
			}
			n, err := w.Concern(ctx, c.Symbol, c.Paragraph, para)
			if err != nil {
				return nil, err
			}
			imp.concerns += n
		}
		out = append(out, imp)
	}
	return out, nil
}

// scanBatch is how many rows the reader hands the writer at a time: one
// channel operation for each, not for each row.
const scanBatch = 256

// scanPipelined is ingest.ScanUHRIFile with the rows read on a goroutine
// of its own and handed to fn, in their order, on the caller's: reading
// the workbook (its XML) and writing the rows (SQLite) each take
// about half the CPU of an import, and a server has two cores or more.
// A few batches wait between the two, no more. read says whether the
// reader handed over any row. An error of fn stops the reader and is the
// one returned.
func scanPipelined(ctx context.Context, path string, fn func(ingest.UHRIItem) error) (u *ingest.UHRI, read bool, err error) {
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	batches := make(chan []ingest.UHRIItem, 4)
	type result struct {
		u   *ingest.UHRI
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer close(batches)
		batch := make([]ingest.UHRIItem, 0, scanBatch)
		send := func() error {
			select {
			case batches <- batch:
				batch = make([]ingest.UHRIItem, 0, scanBatch)
				return nil
			case <-rctx.Done():
				return rctx.Err()
			}
		}
		u, err := ingest.ScanUHRIFile(rctx, path, func(it ingest.UHRIItem) error {
			read = true // read by the caller after done
			batch = append(batch, it)
			if len(batch) == scanBatch {
				return send()
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			err = send()
		}
		done <- result{u, err}
	}()
	var werr error
	for batch := range batches {
		for _, it := range batch {
			if werr != nil {
				break
			}
			if werr = fn(it); werr != nil {
				stop() // the reader's next handing over ends it
			}
		}
	}
	r := <-done
	if werr != nil {
		return nil, read, werr
	}
	return r.u, read, r.err
}

// noDeadline is the warning for a UHRI export's document whose new tasks
// go into no report of the config (noReport), none when it adds none.
func noDeadline(cfg *config.Config, d store.DocRows) (workflow.Warning, bool) {
	if d.Added == 0 {
		return workflow.Warning{}, false
	}
	return noReport(cfg, d.Facts, d.Body, d.State)
}

// printUHRIResult says what an import of exports did: a line for each
// document, then each export's summary.
func printUHRIResult(w io.Writer, cfg *config.Config, docs []store.DocRows, imports []uhriImport, skipBad bool) {
	for _, d := range docs {
		var warns []workflow.Warning
		if x, ok := noDeadline(cfg, d); ok {
			warns = append(warns, x)
		}
		if d.New {
			fmt.Fprintf(w, "%s: imported %d recommendations from %s, %s\n", d.Symbol, d.Added, d.Source, warningsText(warns))
		} else {
			var parts []string
			switch {
			case d.Merged > 0 && d.Unchanged > 0:
				parts = append(parts, fmt.Sprintf("the export's tags added to %d recommendations already imported, %d had them already", d.Merged, d.Unchanged))
			case d.Merged > 0:
				parts = append(parts, fmt.Sprintf("the export's tags added to %d recommendations already imported", d.Merged))
			case d.Unchanged > 0:
				parts = append(parts, fmt.Sprintf("%d recommendations already imported, with the export's tags already", d.Unchanged))
			}
			if d.Items > 0 && len(parts) > 0 {
				// The UHRI annotates a paragraph whole; the document's
				// own import split it into items.
				parts[0] += fmt.Sprintf(" (%d of them items of a paragraph the UHRI annotates whole)", d.Items)
			}
			if d.Added > 0 {
				parts = append(parts, fmt.Sprintf("%d recommendations added", d.Added))
			}
			fmt.Fprintf(w, "%s: %s, %s\n", d.Symbol, strings.Join(parts, ", "), warningsText(warns))
		}
		if d.Kind == workflow.SpecialProcedures && d.Added > 0 && len(warns) == 0 {
			fmt.Fprintf(w, "%s: deadlines: %s\n", d.Symbol, spDeadline(cfg, d.Facts))
		}
		printWarnings(w, d.Symbol+": ", warns)
	}
	for _, imp := range imports {
		fmt.Fprintf(w, "%s: %s", imp.path, imp.u.Summary())
		if imp.concerns > 0 {
			fmt.Fprintf(w, "  %d recommendations given the paragraph of the concern they answer\n", imp.concerns)
		}
		if skipped := skippedConcerns(imp.u); skipped != "" {
			fmt.Fprintf(w, "  concerns skipped: %s\n", skipped)
		}
		if err := imp.u.Err(); err != nil && skipBad {
			fmt.Fprintf(w, "  left out (--skip-bad): %v\n", err)
		}
	}
}

// spDeadline says where a special procedure's document's deadlines come
// from.
func spDeadline(cfg *config.Config, facts workflow.DocFacts) string {
	if rs := workflow.Reports(cfg.Reports, facts.Symbol); len(rs) > 0 {
		return "the report " + rs[0].ID
	}
	return cfg.NoReportDeadline() + " (special_procedures)"
}

// skippedConcerns names the first concern rows that give context to no
// recommendation, by row number.
func skippedConcerns(u *ingest.UHRI) string {
	unit := "row"
	if u.Format == "json" {
		unit = "record"
	}
	var rows []int
	n := 0
	for _, c := range u.Concerns {
		if len(c.Context) == 0 {
			n++
			if len(rows) < 10 {
				rows = append(rows, c.Row)
			}
		}
	}
	if n == 0 {
		return ""
	}
	sort.Ints(rows)
	var b strings.Builder
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(r))
	}
	s := unit + "s " + b.String()
	if n > len(rows) {
		s += fmt.Sprintf(" and %d more", n-len(rows))
	}
	return s
}

// dryRunUHRI reads each export whole and prints what the import would do:
// its summary and a line for each document, or its documents as JSON
// with their recommendations' tags. Rows that cannot be read are
// refused, as the import refuses them, unless skipBad.
func dryRunUHRI(ctx context.Context, w io.Writer, cfg *config.Config, paths []string, skipBad bool) ([]jsonDocument, error) {
	var docs []jsonDocument
	for _, path := range paths {
		u, err := ingest.ReadUHRIFile(ctx, path)
		if err != nil {
			return nil, exportError(path, err)
		}
		if err := u.Err(); err != nil && !skipBad {
			return nil, &badRowsError{path, err}
		}
		for _, d := range u.Documents {
			if w == nil {
				docs = append(docs, toJSONDocument(d))
				continue
			}
			fmt.Fprintf(w, "%s (%s, %s): %s\n", d.Symbol, d.Body, orDash(d.State), path)
			fmt.Fprintf(w, "  %s; %d recommendations from the UHRI export\n", d.Kind, len(d.Recommendations))
			if cfg != nil {
				facts := workflow.DocFacts{Symbol: d.Symbol, Kind: d.Kind, Adopted: d.Adopted, NextReport: d.NextReport.Due}
				if x, ok := noReport(cfg, facts, d.Body, d.State); ok {
					printWarnings(w, "  ", []workflow.Warning{x})
				} else if d.Kind == workflow.SpecialProcedures {
					fmt.Fprintf(w, "  deadlines: %s\n", spDeadline(cfg, facts))
				}
			}
		}
		if w != nil {
			fmt.Fprintf(w, "%s: %s", path, u.Summary())
			if skipped := skippedConcerns(u); skipped != "" {
				fmt.Fprintf(w, "  concerns skipped: %s\n", skipped)
			}
			if err := u.Err(); err != nil {
				fmt.Fprintf(w, "  left out (--skip-bad): %v\n", err)
			}
		}
	}
	return docs, nil
}

// strictUHRI is --strict's refusal of an export whose documents have
// warnings, as strictError's of a document's.
func strictUHRI(stderr io.Writer, cfg *config.Config, docs []store.DocRows) error {
	n := 0
	for _, d := range docs {
		if x, ok := noDeadline(cfg, d); ok {
			n++
			fmt.Fprintf(stderr, "followup import: %s: %s: warning: %s\n", d.Source, d.Symbol, x)
		}
	}
	if n == 0 {
		return nil
	}
	return fmt.Errorf("--strict: %s in %d of %d documents of the UHRI export: nothing was imported", warningsText(make([]workflow.Warning, n)), n, len(docs))
}

// removeNewDatabase closes and removes a database this command created and
// wrote nothing into.
func removeNewDatabase(db *store.DB, path string) {
	_ = db.Close() // closed twice is nothing: the deferred Close then reports nothing anyone reads
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		_ = os.Remove(p) // a file that is not there is what is wanted
	}
}

// exportError says what is wrong with a file taken for a UHRI export that
// could not be read as one: a workbook is either an export or nothing the
// importer reads.
func exportError(path string, err error) error {
	if strings.HasSuffix(strings.ToLower(path), ".xlsx") && !strings.Contains(err.Error(), "UHRI") {
		return fmt.Errorf("%s: a spreadsheet (.xlsx) that cannot be read as a UHRI export (%v); a document itself is read as .docx, PDF or text", path, err)
	}
	return fileError(path, err)
}
