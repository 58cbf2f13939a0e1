package plan_test

import (
	"strings"
	"testing"

	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/workflow"
)

// TestUnassignedTaskIsNotAssigned: a task nobody owns, still in the
// initial stage, is shown as not yet assigned, not in the initial stage
// "Assigned" ("55 Attribuée" in a French overview): in the overview's
// progress and in its list of unassigned tasks. The task keeps its stage
// and its deadlines; moved on, an unassigned task shows its stage.
func TestUnassignedTaskIsNotAssigned(t *testing.T) {
	e := newEnv(t, 50)
	e.standard() // 6 is nobody's
	o := e.overview(at(2027, 1, 11), at(2027, 1, 10))
	last := o.Stages[len(o.Stages)-1]
	if last.ID != workflow.AwaitingOwner || len(o.Stages) != len(e.cfg.Stages)+1 {
		t.Fatalf("stages %+v: want the config's, then %q", o.Stages, workflow.AwaitingOwner)
	}
	un := o.Progress[len(o.Progress)-1]
	if un.Owner != "" || un.Counts[0] != 0 || un.Counts[len(o.Stages)-1] != 1 || len(un.Counts) != len(o.Stages) {
		t.Errorf("the unassigned row %+v: want its task under %q, none under %q", un, last.Name, o.Stages[0].Name)
	}
	for _, p := range o.Progress {
		if len(p.Counts) != len(o.Stages) {
			t.Errorf("%s: %d counts for %d stages", p.Owner, len(p.Counts), len(o.Stages))
		}
	}

	e.cfg.Coordinator.Language = "fr"
	msgs := e.run(plan.JobCoordinatorDigest, at(2027, 1, 11), false)
	if len(msgs) != 1 {
		t.Fatalf("overviews %q", summary(msgs))
	}
	text := msgs[0].Text
	if !strings.Contains(text, "CRC/C/TST/CO/1:6 (étape : Pas encore attribuée)") {
		t.Errorf("the list of unassigned tasks says another stage:\n%s", text)
	}
	_, row, _ := strings.Cut(text, "Tâches non attribuées : 1 tâche")
	row, _, _ = strings.Cut(row, "\n\n")
	if !strings.Contains(row, "1 Pas encore attribuée") || strings.Contains(row, "Attribuée") {
		t.Errorf("the progress of unassigned tasks: %q\n%s", row, text)
	}

	// Moved on without an owner: its own stage.
	e.exec(`UPDATE tasks SET stage = 'acknowledged' WHERE owner = ''`)
	o = e.overview(at(2027, 1, 11), at(2027, 1, 10))
	if len(o.Stages) != len(e.cfg.Stages) || o.Progress[len(o.Progress)-1].Counts[1] != 1 {
		t.Errorf("an unassigned task in stage acknowledged: stages %d, row %+v", len(o.Stages), o.Progress[len(o.Progress)-1])
	}
}
