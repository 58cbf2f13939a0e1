package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
)

// csvBatch is how many tasks the export reads at a time.
const csvBatch = 1000

// csvHeader is the export's first row, in English (the file's columns
// are then written in the coordinator's language).
var csvHeader = []string{"Recommendation", "Document", "Paragraph", "Section", "Subsection", "Text",
	"Lead ministry", "Supporting ministries", "Stage", "In stage since", "Progress updates", "Last update",
	"Themes", "Affected persons", "SDG targets"}

// WriteTasksCSV writes the tasks q selects (every page of them) as CSV for
// Excel: UTF-8 with a byte-order mark, without which Excel reads the file
// in the system's code page and Lao script turns to mojibake, and CRLF
// line ends. Ministries and stages are written by name, dates in the
// config's zone. It streams, a thousand tasks at a time: a million tasks
// never sit in memory.
func WriteTasksCSV(ctx context.Context, w io.Writer, db *store.DB, cfg *config.Config, q store.TaskQuery) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	lang := coordLang(cfg)
	header := make([]string, len(csvHeader))
	for i, h := range csvHeader {
		header[i] = tr(lang, h)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	// A batch at a time: the database has one connection, which must not
	// wait on a slow download (the daemon's heartbeat needs it too).
	q.After, q.Limit = "", csvBatch
	batch := make([]store.DashTask, 0, csvBatch)
	for {
		batch = batch[:0]
		err := db.EachTask(ctx, q, func(t store.DashTask) error {
			batch = append(batch, t)
			return nil
		})
		if err != nil {
			return fmt.Errorf("export tasks: %w", err)
		}
		tags, err := db.TagsOf(ctx, taskIDs(batch))
		if err != nil {
			return fmt.Errorf("export tasks: %w", err)
		}
		for _, t := range batch {
			tg := tags[t.ID]
			var support []string
			for _, s := range t.Support {
				support = append(support, dashBodyNameIn(cfg, s, lang))
			}
			last := ""
			if !t.LastUpdate.IsZero() {
				last = t.LastUpdate.In(cfg.Location).Format("2006-01-02")
			}
			if err := cw.Write(csvCells(t.RecID, t.Symbol, plan.ParagraphLabel(t.Paragraph, t.Item), t.Section, t.Subsection, t.Text,
				dashBodyNameIn(cfg, t.Owner, lang), strings.Join(support, "; "), cfg.ShownStage(t.Owner, t.Stage).Label(lang),
				t.StageSince.In(cfg.Location).Format("2006-01-02"), strconv.Itoa(t.Updates), last,
				strings.Join(tg.Themes, "; "), strings.Join(tg.AffectedPersons, "; "), strings.Join(tg.SDGs, "; "))); err != nil {
				return err
			}
		}
		if len(batch) < csvBatch {
			break
		}
		q.After = batch[len(batch)-1].Cursor()
	}
	cw.Flush()
	return cw.Error()
}

// csvCells guards against formula injection: a cell Excel would read as a
// formula (=, +, -, @, or a tab or CR first) gets a leading apostrophe,
// which Excel shows as text. Recommendation texts and update texts come
// from outside and must never run in the coordinator's spreadsheet.
func csvCells(vs ...string) []string {
	for i, v := range vs {
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			vs[i] = "'" + v
		}
	}
	return vs
}

// dashBodyName is a ministry's name ("Unassigned" for none, in the
// coordinator's language; the id of one no longer in the config).
func dashBodyName(cfg *config.Config, id string) string {
	return dashBodyNameIn(cfg, id, coordLang(cfg))
}

// dashBodyNameIn is dashBodyName with "Unassigned" in lang.
func dashBodyNameIn(cfg *config.Config, id, lang string) string {
	if id == "" {
		return tr(lang, "Unassigned")
	}
	if id == cfg.Coordinator.ID {
		return cfg.Coordinator.Name
	}
	if b, ok := cfg.Ministry(id); ok && b.Name != "" {
		return b.Name
	}
	return id
}

// dashStageName is a stage's name in the coordinator's language, or its
// id when the config has no such stage.
func dashStageName(cfg *config.Config, id string) string {
	return stageLabel(cfg, id, coordLang(cfg))
}

// dashShownStage is the stage a task of owner in stage is shown in
// (config.ShownStage: "Not yet assigned" for one nobody owns still in the
// initial stage), in the coordinator's language.
func dashShownStage(cfg *config.Config, owner, stage string) string {
	return cfg.ShownStage(owner, stage).Label(coordLang(cfg))
}

func taskIDs(ts []store.DashTask) []int64 {
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return ids
}
