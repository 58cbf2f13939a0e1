package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/report"
)

const (
	reportDraftUsage   = "REPORT_ID [--format docx|md|html|xlsx] [--out FILE] [--only-public] [--follow-up] [--matrix] [--by NAME] [--repair-text]"
	reportListUsage    = "REPORT_ID [--json]"
	reportChangesUsage = "REPORT_ID --since-draft N [--json]"
	reportUsage        = "draft " + reportDraftUsage + " | list " + reportListUsage + " | changes " + reportChangesUsage
)

// cmdReport drafts the State's report, lists the drafts made, and says
// what arrived since one.
func cmdReport(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 {
		return usageError("expected draft, list or changes")
	}
	switch args[0] {
	case "draft":
		return reportDraft(ctx, env, args[1:])
	case "list":
		return reportList(ctx, env, args[1:])
	case "changes":
		return reportChanges(ctx, env, args[1:])
	case "-h", "--help", "-help":
		fs, _ := newFlags(env, "report", reportUsage)
		fs.SetOutput(env.stdout)
		fs.Usage()
		return nil
	}
	return usageError("unknown subcommand %q; expected draft, list or changes", args[0])
}

func oneReportID(rest []string) (string, error) {
	switch len(rest) {
	case 0:
		return "", usageError("expected a REPORT_ID (the id of one of the config's reports)")
	case 1:
		return rest[0], nil
	}
	return "", usageError("unexpected argument %q", rest[1])
}

func reportDraft(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "report draft", reportDraftUsage)
	format := fs.String("format", "", "`format` of the draft: docx, md, html, or xlsx (the matrix); default: from --out's extension, else docx")
	out := fs.String("out", "", "the `file` to write (\"-\" for standard output); default: REPORT_ID-draft-N.FORMAT in the current folder")
	onlyPublic := fs.Bool("only-public", false, "only the progress updates the coordinator marked public")
	followUp := fs.Bool("follow-up", false, "the follow-up report: only the paragraphs the committee asked follow-up information on")
	matrix := fs.Bool("matrix", false, "the implementation matrix (one row per recommendation) instead of the report")
	by := fs.String("by", "", "who drafts it, recorded with the draft (default: $USER)")
	repair := fs.Bool("repair-text", false, "replace characters a Word document cannot hold and cut texts over 50,000 characters, marking each place, instead of refusing")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	id, err := oneReportID(rest)
	if err != nil {
		return err
	}
	f := report.Format(strings.ToLower(*format))
	if f == "" {
		f = report.DOCX
		if ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), "."); ext != "" && *out != "-" {
			f = report.Format(ext)
			if ext == "markdown" {
				f = report.Markdown
			} else if ext == "htm" {
				f = report.HTML
			}
		}
	}
	switch f {
	case report.DOCX, report.Markdown, report.HTML, report.XLSX:
	default:
		return usageError("--format %q: expected docx, md, html or xlsx", f)
	}
	if f == report.XLSX {
		*matrix = true
	}
	if *matrix && *followUp {
		return usageError("--matrix and --follow-up: a draft is one or the other")
	}
	// An output folder that cannot take the file is refused before any
	// work is done.
	if *out != "" && *out != "-" {
		if err := checkOutDir(*out); err != nil {
			return err
		}
	}
	db, cfg, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	drafter := *by
	if drafter == "" {
		drafter = env.getenv("USER")
	}
	req := report.Request{Options: report.Options{Report: id, FollowUp: *followUp, Matrix: *matrix, OnlyPublic: *onlyPublic,
		RepairText: *repair, Now: env.clock()()}, Format: f, By: drafter}
	r, err := report.Render(ctx, db, cfg, req)
	if errors.Is(err, report.ErrBadText) {
		return fmt.Errorf("%w; draft with --repair-text to replace such characters with \uFFFD and cut such texts, marking each place", err)
	}
	if err != nil {
		return err
	}
	path := *out
	if path == "" {
		drafts, err := db.Drafts(ctx, id)
		if err != nil {
			return err
		}
		kind := "draft"
		switch {
		case *matrix:
			kind = "matrix"
		case *followUp:
			kind = "follow-up"
		}
		path = fmt.Sprintf("%s-%s-%d.%s", id, kind, len(drafts)+1, f)
	}
	if path == "-" {
		if _, err := env.stdout.Write(r.Bytes); err != nil {
			return err
		}
		path = ""
	} else if err := writeFileAtomic(path, r.Bytes); err != nil {
		return err
	}
	d, err := r.Record(ctx, db, path)
	if err != nil {
		return err
	}
	// Warnings once the draft is written: a failed write says one thing.
	for _, w := range r.Stats.Warnings {
		fmt.Fprintf(env.stderr, "followup report: warning: %s\n", w)
	}
	for _, w := range r.Stats.Repaired {
		fmt.Fprintf(env.stderr, "followup report: repaired: %s\n", w)
	}
	if path == "" {
		return nil
	}
	words := ", " + fmtInt(r.Stats.Words) + " words"
	switch {
	case *matrix:
		words = "" // a table: the word limit is the report's
	case r.Stats.WordLimit > 0:
		words += " of " + fmtInt(r.Stats.WordLimit)
	}
	fmt.Fprintf(env.stdout, "wrote %s: draft %d of %s, %d recommendations, %d progress updates, %d without information%s\n",
		path, d.N, id, r.Stats.Recommendations, r.Stats.Updates, r.Stats.Gaps, words)
	return nil
}

func fmtInt(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// checkOutDir says, in the admin's words, why a file cannot be written
// where --out points.
func checkOutDir(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("--out %s: is a folder; give a file name", path)
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("--out %s: the folder %s does not exist", path, dir)
	case err != nil:
		return fmt.Errorf("--out %s: %w", path, err)
	case !st.IsDir():
		return fmt.Errorf("--out %s: %s is not a folder", path, dir)
	}
	return nil
}

// writeFileAtomic writes data to a temporary file in path's folder and
// renames it into place, readable by its owner only: a reader never sees
// half a draft, and a failure leaves the old file (or none) and no
// temporary behind.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("--out %s: cannot write in the folder %s (permission denied)", path, dir)
		}
		return fmt.Errorf("--out %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("--out %s: %w", path, err)
	}
	// The temporary file is 0600 and stays so: a draft holds what the
	// ministries reported and who did, like the database and its backups.
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("--out %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("--out %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("--out %s: %w", path, err)
	}
	return nil
}

func reportList(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "report list", reportListUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	id, err := oneReportID(rest)
	if err != nil {
		return err
	}
	db, cfg, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := knownReport(cfg.Reports, id); err != nil {
		return err
	}
	drafts, err := db.Drafts(ctx, id)
	if err != nil {
		return err
	}
	if *asJSON {
		type jd struct {
			N            int      `json:"n"`
			At           string   `json:"at"`
			By           string   `json:"by"`
			Format       string   `json:"format"`
			Options      []string `json:"options"`
			File         string   `json:"file"`
			SHA256       string   `json:"sha256"`
			LastUpdateID int64    `json:"last_update_id"`
			Updates      int      `json:"updates"`
			Words        int      `json:"words"`
		}
		out := []jd{}
		for _, d := range drafts {
			out = append(out, jd{d.N, d.At.Format(time.RFC3339), d.By, d.Format, nonNil(d.Options), d.File, d.SHA256, d.LastUpdateID, d.Updates, d.Words})
		}
		return writeJSON(env.stdout, out)
	}
	if len(drafts) == 0 {
		fmt.Fprintf(env.stdout, "no drafts of %s yet (followup report draft %s)\n", id, id)
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "N\tDRAFTED\tBY\tFORMAT\tOPTIONS\tWORDS\tUPDATES\tLAST UPDATE\tSHA-256\tFILE")
	for _, d := range drafts {
		opts := strings.Join(d.Options, ",")
		if opts == "" {
			opts = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", d.N, d.At.In(cfg.Location).Format("2006-01-02 15:04"), d.By, d.Format, opts,
			fmtInt(d.Words), d.Updates, d.LastUpdateID, d.SHA256[:min(12, len(d.SHA256))], d.File)
	}
	return tw.Flush()
}

func knownReport(reports []config.Report, id string) error {
	var ids []string
	for _, r := range reports {
		if r.ID == id {
			return nil
		}
		ids = append(ids, r.ID)
	}
	if len(ids) == 0 {
		return fmt.Errorf("unknown report %q: the config has no reports (add one under reports:)", id)
	}
	return fmt.Errorf("unknown report %q; expected one of: %s", id, strings.Join(ids, ", "))
}

func reportChanges(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "report changes", reportChangesUsage)
	since := fs.Int("since-draft", 0, "the draft `N` to compare with (see followup report list)")
	asJSON := fs.Bool("json", false, "print JSON")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	id, err := oneReportID(rest)
	if err != nil {
		return err
	}
	if *since < 1 {
		return usageError("--since-draft: expected the number of a draft (1, 2, …; see followup report list %s)", id)
	}
	db, cfg, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	d, ups, err := report.Changes(ctx, db, cfg, id, *since)
	if err != nil {
		return err
	}
	if *asJSON {
		type ju struct {
			ID       int64  `json:"id"`
			Rec      string `json:"recommendation"`
			Ministry string `json:"ministry"`
			Author   string `json:"author"`
			At       string `json:"at"`
			Public   bool   `json:"public"`
			Evidence int    `json:"evidence"`
			Text     string `json:"text"`
		}
		out := []ju{}
		for _, u := range ups {
			out = append(out, ju{u.ID, u.RecID, u.Ministry, u.Author, u.At.Format(time.RFC3339), u.Public, len(u.Evidence), u.Text})
		}
		return writeJSON(env.stdout, out)
	}
	fmt.Fprintf(env.stdout, "%d progress updates since draft %d of %s (%s)\n", len(ups), d.N, id, d.At.In(cfg.Location).Format("2006-01-02 15:04"))
	if len(ups) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "UPDATE\tRECORDED\tMINISTRY\tRECOMMENDATION\tPUBLIC\tTEXT")
	for _, u := range ups {
		pub := "no"
		if u.Public {
			pub = "yes"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.At.In(cfg.Location).Format("2006-01-02"), u.Ministry, u.RecID, pub, notify.Shorten(u.Text, 70))
	}
	return tw.Flush()
}
