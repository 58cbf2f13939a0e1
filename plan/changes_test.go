package plan_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// TestOverviewNamesOwnersAndStages: what people did is told with the
// ministries' and stages' names: an owner with supporting ministries,
// supporting ministries without an owner, no owner at all, and a stage
// the config no longer has (by its id).
func TestOverviewNamesOwnersAndStages(t *testing.T) {
	e := newEnv(t, 50)
	e.standard()
	ctx := context.Background()
	admin := store.Actor{Name: "admin"}
	e.now = time.Date(2027, 1, 6, 9, 0, 0, 0, loc)
	for _, a := range []struct {
		owner   string
		support []string
	}{{"moj", []string{"moe"}}, {"", []string{"moe"}}, {"", nil}, {"moe", nil}} {
		if _, err := e.db.Assign(ctx, symbol+":6", a.owner, a.support, admin, ""); err != nil {
			t.Fatal(err)
		}
		e.now = e.now.Add(time.Minute)
	}
	if _, err := e.db.Advance(ctx, symbol+":7", "archived", admin, "", func(workflow.Task) error { return nil }); err != nil {
		t.Fatal(err)
	}
	msgs := e.run(plan.JobCoordinatorDigest, at(2027, 1, 8), false)
	if len(msgs) != 1 {
		t.Fatalf("coordinator digest: %q", summary(msgs))
	}
	text := msgs[0].Text
	for _, want := range []string{
		symbol + ":6: assigned to Ministry of Justice, supported by Ministry of Education, by admin",
		symbol + ":6: reassigned from Ministry of Justice, supported by Ministry of Education to Unassigned, supported by Ministry of Education, by admin",
		symbol + ":6: reassigned from Unassigned, supported by Ministry of Education to Unassigned, by admin",
		// From no owner at all, "assigned to", not "reassigned from".
		symbol + ":6: assigned to Ministry of Education, by admin",
		symbol + ":7: moved from Assigned to archived, by admin",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the overview lacks %q:\n%s", want, text)
		}
	}
}
