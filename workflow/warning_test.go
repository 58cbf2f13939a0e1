package workflow_test

import (
	"testing"

	"github.com/followup-app/followup/workflow"
)

// TestWarningString: a warning says where it was found, as precisely as
// the text allows.
func TestWarningString(t *testing.T) {
	for _, tc := range []struct {
		w    workflow.Warning
		want string
	}{
		{workflow.Warning{Line: 212, Page: 5, Text: "item (c) of paragraph 14 follows (a)"}, "line 212 (page 5): item (c) of paragraph 14 follows (a)"},
		{workflow.Warning{Line: 12, Text: "paragraph 3 is missing"}, "line 12: paragraph 3 is missing"},
		{workflow.Warning{Text: "the addendum counts 190, the list 189"}, "the addendum counts 190, the list 189"},
	} {
		if got := tc.w.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}
