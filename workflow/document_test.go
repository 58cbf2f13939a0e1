package workflow_test

import (
	"strconv"
	"testing"

	"github.com/followup-app/followup/workflow"
)

func TestRecIDRoundTrip(t *testing.T) {
	tests := []struct {
		symbol    string
		paragraph int
		item      string
		want      string
		wantLocal string
	}{
		{coSymbol, 14, "", "CRC/C/OPSC/LAO/CO/1:14", "14"},
		{coSymbol, 14, "a", "CRC/C/OPSC/LAO/CO/1:14a", "14a"},
		{coSymbol, 26, "b", "CRC/C/OPSC/LAO/CO/1:26b", "26b"},
		{"CRC/C/LAO/CO/3-6", 8, "aa", "CRC/C/LAO/CO/3-6:8aa", "8aa"},
		{uprSymbol, 122, "17", "A/HRC/43/15:122.17", "122.17"},
		{uprSymbol, 122, "1", "A/HRC/43/15:122.1", "122.1"},
		{"A/HRC/43/15/Add.1", 5, "", "A/HRC/43/15/Add.1:5", "5"},
		// A symbol with a colon of its own: the last colon separates.
		{"X:Y", 3, "c", "X:Y:3c", "3c"},
	}
	for _, tc := range tests {
		id := workflow.RecID(tc.symbol, tc.paragraph, tc.item)
		if id != tc.want {
			t.Errorf("RecID(%q, %d, %q) = %q, want %q", tc.symbol, tc.paragraph, tc.item, id, tc.want)
			continue
		}
		sym, local, ok := workflow.SplitRecID(id)
		if !ok || sym != tc.symbol || local != tc.wantLocal {
			t.Errorf("SplitRecID(%q) = %q, %q, %v; want %q, %q, true", id, sym, local, ok, tc.symbol, tc.wantLocal)
		}
		// Back again: the symbol and local part make the same id.
		if got := sym + ":" + local; got != id {
			t.Errorf("SplitRecID(%q) joined = %q, want %q", id, got, id)
		}
	}
}

func TestSplitRecIDInvalid(t *testing.T) {
	for _, id := range []string{"", "no colon", ":14", "CRC/C/OPSC/LAO/CO/1:", ":"} {
		if sym, local, ok := workflow.SplitRecID(id); ok || sym != "" || local != "" {
			t.Errorf("SplitRecID(%q) = %q, %q, %v; want \"\", \"\", false", id, sym, local, ok)
		}
	}
}

// TestRecIDAcceptedByOverrides: the ids RecID makes are the ids an admin
// copies into assignment.overrides, so the config must accept them and the
// override must then find the recommendation.
func TestRecIDAcceptedByOverrides(t *testing.T) {
	for _, tc := range []struct {
		symbol    string
		paragraph int
		item      string
	}{
		{coSymbol, 14, ""},
		{coSymbol, 26, "b"},
		{uprSymbol, 122, "17"},
	} {
		id := workflow.RecID(tc.symbol, tc.paragraph, tc.item)
		cfg := mustParse(t, ministriesYAML+`
assignment:
  overrides:
    - recommendation: "`+id+`"
      ministry: mofa
`)
		got := workflow.NewAssigner(cfg.InitialStage, cfg.Assignment).Assign(tc.symbol, workflow.Recommendation{ID: id, Paragraph: tc.paragraph, Item: tc.item})
		if got.Owner != "mofa" || got.By != "override" {
			t.Errorf("override for %q: Assign = owner %q by %q, want mofa by override", id, got.Owner, got.By)
		}
		if _, local, _ := workflow.SplitRecID(id); local[:len(strconv.Itoa(tc.paragraph))] != strconv.Itoa(tc.paragraph) {
			t.Errorf("SplitRecID(%q) local part %q does not start with the paragraph %d", id, local, tc.paragraph)
		}
	}
}
