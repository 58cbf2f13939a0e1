package plan

import (
	"context"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/workflow"
)

// OverdueGroup is a (document, stage) group whose open tasks are overdue:
// all of them, only those of Paragraphs, or all but those of Except (a
// deadline limited to some paragraphs, the follow-up procedure's, gives
// them another next deadline than the rest).
type OverdueGroup struct {
	Document   int64
	Stage      string
	Paragraphs []int
	Except     []int
}

// OverdueGroups lists the groups whose tasks are overdue at instant at, by
// the same rule as the overview (each task's next deadline, from its
// group's): the dashboard's "overdue" filter selects their tasks in SQL,
// since deadlines are not stored per task.
func OverdueGroups(ctx context.Context, cfg *config.Config, r Reader, at time.Time) ([]OverdueGroup, error) {
	p := &Planner{Config: cfg}
	today := workflow.Today(p.Config, at)
	groups, err := r.TaskGroups(ctx, p.openStage)
	if err != nil {
		return nil, err
	}
	cal := workflow.NewCalendar(p.Config)
	var out []OverdueGroup
	for _, g := range groups {
		ds := cal.Group(g.Doc, g.Stage)
		var paragraphs []int
		for _, d := range ds {
			if d.Paragraphs != nil {
				paragraphs = d.Paragraphs
			}
		}
		outD, outOK := workflow.Next(ds, 0, today)
		outLate := outOK && outD.Overdue(today)
		if paragraphs == nil {
			if outLate {
				out = append(out, OverdueGroup{Document: g.Document, Stage: g.Stage})
			}
			continue
		}
		inD, inOK := workflow.Next(ds, paragraphs[0], today)
		inLate := inOK && inD.Overdue(today)
		switch {
		case inLate && outLate:
			out = append(out, OverdueGroup{Document: g.Document, Stage: g.Stage})
		case inLate:
			out = append(out, OverdueGroup{Document: g.Document, Stage: g.Stage, Paragraphs: paragraphs})
		case outLate:
			out = append(out, OverdueGroup{Document: g.Document, Stage: g.Stage, Except: paragraphs})
		}
	}
	return out, nil
}

// ParagraphLabel writes a recommendation's place as people cite it:
// "14 (a)", "122.17", "8".
func ParagraphLabel(paragraph int, item string) string { return paragraphLabel(paragraph, item) }
