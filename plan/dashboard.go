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
	next := p.nextDeadlines(groups, today)
	var out []OverdueGroup
	for _, g := range groups {
		gn := next[groupKey{g.Document, g.Stage}]
		outLate := gn.outOK && gn.out.Overdue(today)
		inLate := gn.paragraphs != nil && gn.inOK && gn.in.Overdue(today)
		switch {
		case outLate && (gn.paragraphs == nil || inLate):
			out = append(out, OverdueGroup{Document: g.Document, Stage: g.Stage})
		case inLate:
			out = append(out, OverdueGroup{Document: g.Document, Stage: g.Stage, Paragraphs: gn.paragraphs})
		case outLate:
			out = append(out, OverdueGroup{Document: g.Document, Stage: g.Stage, Except: gn.paragraphs})
		}
	}
	return out, nil
}

// ParagraphLabel writes a recommendation's place as people cite it:
// "14 (a)", "122.17", "8".
func ParagraphLabel(paragraph int, item string) string { return paragraphLabel(paragraph, item) }
