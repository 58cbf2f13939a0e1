package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/report/source"
)

// Request asks for a draft of a report in a format.
type Request struct {
	Options
	Format Format
	By     string // who drafts it, recorded
}

// Rendered is a draft written in memory, not yet delivered or recorded.
type Rendered struct {
	Request Request
	Doc     *Doc
	Stats   *Stats
	Bytes   []byte
	SHA256  string
}

// Render builds a draft and writes it in its format, in memory: nothing
// reaches a file or a client until the whole draft is known to be good.
func Render(ctx context.Context, src source.Store, cfg *config.Config, req Request) (*Rendered, error) {
	if !slices.Contains(Formats, req.Format) {
		return nil, fmt.Errorf("unknown format %q; expected one of: docx, md, html, xlsx", req.Format)
	}
	if req.Format == XLSX {
		req.Matrix = true
	}
	if req.Matrix && req.FollowUp {
		return nil, fmt.Errorf("a draft is the follow-up report or the matrix, not both")
	}
	doc, stats, err := Build(ctx, src, cfg, req.Options)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	creator := cfg.Coordinator.Name
	if err := doc.Write(&buf, req.Format, Meta{Creator: creator, Created: req.Now}); err != nil {
		return nil, fmt.Errorf("write the draft as %s: %w", req.Format, err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return &Rendered{Request: req, Doc: doc, Stats: stats, Bytes: buf.Bytes(), SHA256: hex.EncodeToString(sum[:])}, nil
}

// Options lists the options a draft was made with, as recorded.
func (r *Rendered) Options() []string {
	var out []string
	if r.Request.FollowUp {
		out = append(out, "follow-up")
	}
	if r.Request.Matrix {
		out = append(out, "matrix")
	}
	if r.Request.OnlyPublic {
		out = append(out, "only-public")
	}
	if r.Request.RepairText {
		out = append(out, "repair-text")
	}
	return out
}

// Record records the draft as written to file ("" when streamed).
func (r *Rendered) Record(ctx context.Context, src source.Store, file string) (source.Draft, error) {
	return src.RecordDraft(ctx, r.record(file))
}

// Keep records the draft with its bytes, for a download afterwards: what
// the dashboard does, so that making a draft is one request that writes
// and fetching it another that does not.
func (r *Rendered) Keep(ctx context.Context, src source.Store) (source.Draft, error) {
	d := r.record("")
	d.Data = r.Bytes
	return src.RecordDraft(ctx, d)
}

func (r *Rendered) record(file string) source.Draft {
	return source.Draft{Report: r.Request.Report, At: r.Request.Now, By: r.Request.By, Format: string(r.Request.Format),
		Options: r.Options(), File: file, SHA256: r.SHA256, LastUpdateID: r.Stats.LastUpdateID, Updates: r.Stats.Updates, Words: r.Stats.Words}
}

// Draft renders a draft, writes it to w and records it: what a web
// handler calls (the coordinator's dashboard links to it). Nothing is
// written to w when the draft cannot be made.
func Draft(ctx context.Context, w io.Writer, src source.Store, cfg *config.Config, req Request) (*Rendered, source.Draft, error) {
	r, err := Render(ctx, src, cfg, req)
	if err != nil {
		return nil, source.Draft{}, err
	}
	if _, err := w.Write(r.Bytes); err != nil {
		return r, source.Draft{}, fmt.Errorf("send the draft: %w", err)
	}
	d, err := r.Record(ctx, src, "")
	return r, d, err
}

// Changes returns the progress updates on a report's documents recorded
// after its draft n: what the next draft will add.
func Changes(ctx context.Context, src source.Store, cfg *config.Config, reportID string, n int) (source.Draft, []source.Update, error) {
	var rep *config.Report
	var ids []string
	for i := range cfg.Reports {
		ids = append(ids, cfg.Reports[i].ID)
		if cfg.Reports[i].ID == reportID {
			rep = &cfg.Reports[i]
		}
	}
	if rep == nil {
		return source.Draft{}, nil, fmt.Errorf("%w %q; expected one of: %s", ErrUnknownReport, reportID, joinOr(ids, "none in the config"))
	}
	drafts, err := src.Drafts(ctx, reportID)
	if err != nil {
		return source.Draft{}, nil, err
	}
	var since *source.Draft
	for i := range drafts {
		if drafts[i].N == n {
			since = &drafts[i]
		}
	}
	switch {
	case since == nil && len(drafts) == 0:
		return source.Draft{}, nil, fmt.Errorf("report %s has no drafts yet (followup report draft %s)", reportID, reportID)
	case since == nil:
		return source.Draft{}, nil, fmt.Errorf("report %s has no draft %d; its drafts are numbered 1 to %d", reportID, n, drafts[len(drafts)-1].N)
	}
	docs, err := src.ReportDocuments(ctx, rep.Documents)
	if err != nil {
		return *since, nil, err
	}
	var out []source.Update
	for _, d := range docs {
		if err := src.ReportUpdates(ctx, d.ID, since.LastUpdateID, func(u source.Update) error { out = append(out, u); return nil }); err != nil {
			return *since, nil, err
		}
	}
	return *since, out, nil
}

func joinOr(s []string, none string) string {
	if len(s) == 0 {
		return none
	}
	return strings.Join(s, ", ")
}
