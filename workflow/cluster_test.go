package workflow

import (
	"slices"
	"testing"
)

func TestClusterLead(t *testing.T) {
	for _, c := range []struct {
		name    string
		members []Assignment
		lead    string
		support []string
	}{
		{"none", nil, "", nil},
		{"all unassigned", []Assignment{{}, {Support: []string{"moe"}}}, "", nil},
		{"most members", []Assignment{{Owner: "mps"}, {Owner: "moj"}, {Owner: "moj", Support: []string{"moe"}}}, "moj", []string{"mps", "moe"}},
		{"tie: first met", []Assignment{{Owner: "mps"}, {Owner: "moj"}}, "mps", []string{"moj"}},
		{"support by count", []Assignment{{Owner: "moj", Support: []string{"na"}}, {Owner: "moj", Support: []string{"moe", "moj"}},
			{Owner: "moj", Support: []string{"moe"}}, {Owner: "mps"}}, "moj", []string{"moe", "na", "mps"}},
		{"unassigned ignored", []Assignment{{}, {}, {Owner: "moe"}}, "moe", nil},
	} {
		lead, support := ClusterLead(c.members)
		if lead != c.lead || !slices.Equal(support, c.support) {
			t.Errorf("%s: %q %v, want %q %v", c.name, lead, support, c.lead, c.support)
		}
	}
}

func TestMemberRef(t *testing.T) {
	for _, c := range []struct {
		body, symbol, item string
		year, paragraph    int
		want               string
	}{
		{"UPR", "A/HRC/59/15", "6", 2025, 140, "UPR 2025, A/HRC/59/15, 140.6"},
		{"CRC", "CRC/C/LAO/CO/5-6", "a", 2018, 14, "CRC 2018, CRC/C/LAO/CO/5-6, 14 (a)"},
		{"SR", "A/HRC/50/1/Add.1", "", 0, 8, "SR, A/HRC/50/1/Add.1, 8"},
	} {
		if got := MemberRef(c.body, c.year, c.symbol, c.paragraph, c.item); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
	}
}
