// Command crpd imports every concluding-observations PDF of a folder
// (files named *_CO_*.pdf, as in the CRPD collection of
// github.com/LinusConradM/test_crpd_dashboard, data/pdfs) with the
// importer, writing nothing, and prints a Markdown table: each document's
// symbol, language and outcome (its recommendations and the self-check's
// warnings, or why it was refused), then the totals. bench/crpd.sh runs
// it; BENCHMARKS.md keeps its table.
//
//	go run ./bench/crpd [-v] FOLDER
//
// With -v each warning is printed under its document's row.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/followup-app/followup/ingest"
)

func main() {
	verbose := flag.Bool("v", false, "print each warning under its document")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go run ./bench/crpd [-v] FOLDER")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "crpd:", err)
		os.Exit(1)
	}
}

type totals struct {
	docs, clean, warned, recs, warnings, language, reply, failed int
	languages                                                    map[string]int
}

func run(dir string, verbose bool) error {
	files, err := filepath.Glob(filepath.Join(dir, "*_CO_*.pdf"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("%s: no *_CO_*.pdf files", dir)
	}
	sort.Strings(files)
	t := totals{languages: map[string]int{}}
	fmt.Println("| document | symbol | language | outcome |")
	fmt.Println("|---|---|---|---|")
	for _, f := range files {
		t.docs++
		name := strings.TrimSuffix(filepath.Base(f), ".pdf")
		doc, err := ingest.ReadFileContext(context.Background(), f, ingest.Options{})
		switch {
		case errors.Is(err, ingest.ErrOtherLanguage):
			t.language++
			fmt.Printf("| %s | | | refused: %s |\n", name, cell(after(err.Error(), "the document is in ")))
		case errors.Is(err, ingest.ErrFollowUpReply):
			t.reply++
			fmt.Printf("| %s | | | refused: follow-up reply |\n", name)
		case err != nil:
			t.failed++
			fmt.Printf("| %s | | | error: %s |\n", name, cell(err.Error()))
		default:
			n := len(doc.Recommendations)
			t.recs += n
			t.languages[doc.Language]++
			outcome := fmt.Sprintf("%d recommendations, no warnings", n)
			if w := len(doc.Warnings); w > 0 {
				t.warned++
				t.warnings += w
				outcome = fmt.Sprintf("%d recommendations, **%d warning%s**", n, w, plural(w))
			} else {
				t.clean++
			}
			fmt.Printf("| %s | %s | %s | %s |\n", name, doc.Symbol, doc.Language, outcome)
			if verbose {
				for _, w := range doc.Warnings {
					fmt.Printf("|  |  |  | %s |\n", cell(w.String()))
				}
			}
		}
	}
	fmt.Println()
	fmt.Printf("%d documents: %d imported (%d English, %d French, %d Spanish; %d recommendations), %d of them with no warning, %d with %d warnings; %d refused by language, %d refused as follow-up replies, %d other errors.\n",
		t.docs, t.clean+t.warned, t.languages["en"], t.languages["fr"], t.languages["es"], t.recs, t.clean, t.warned, t.warnings, t.language, t.reply, t.failed)
	return nil
}

// after returns what follows the first sep in s, up to the next ";".
func after(s, sep string) string {
	if i := strings.Index(s, sep); i >= 0 {
		s = s[i+len(sep):]
	}
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[:i]
	}
	return s
}

// cell makes s safe inside a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
