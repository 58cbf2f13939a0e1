package workflow

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
)

// Clusters: a group of recommendations, from any documents, that one
// government action answers (DESIGN.md, decision 16). The coordinating
// body decides the groups; a cluster has a lead ministry, which becomes
// the owner of every member's task, and supporting ones. Each member
// keeps its own task, deadlines and history.

// LeadByRule is how a cluster's lead is recorded when the rule chose it.
const LeadByRule = "rule"

// ClusterLead is the rule that chooses a cluster's lead and supporting
// ministries from its members' current assignments: the lead is the
// ministry that owns most members (on a tie, the one owning the member
// listed first); the supporting ministries are every other owner and
// every member's supporting ministries, most members first, then in the
// order met. Unassigned members count for nobody: with no owner at all,
// the lead is "" (the coordinating body holds the cluster).
func ClusterLead(members []Assignment) (lead string, support []string) {
	type tally struct {
		id          string
		owned, seen int
		first       int
	}
	var ts []*tally
	find := func(id string, at int) *tally {
		for _, t := range ts {
			if t.id == id {
				return t
			}
		}
		t := &tally{id: id, first: at}
		ts = append(ts, t)
		return t
	}
	for i, m := range members {
		if m.Owner != "" {
			t := find(m.Owner, i)
			t.owned++
			t.seen++
		}
		for _, s := range m.Support {
			if s != "" && s != m.Owner {
				find(s, i).seen++
			}
		}
	}
	var best *tally
	for _, t := range ts {
		if t.owned > 0 && (best == nil || t.owned > best.owned) {
			best = t
		}
	}
	if best == nil {
		return "", nil
	}
	rest := slices.DeleteFunc(slices.Clone(ts), func(t *tally) bool { return t == best })
	slices.SortStableFunc(rest, func(a, b *tally) int {
		if c := cmp.Compare(b.seen, a.seen); c != 0 {
			return c
		}
		return cmp.Compare(a.first, b.first)
	})
	for _, t := range rest {
		support = append(support, t.id)
	}
	return best.id, support
}

// MemberRef names a cluster's member for people: its mechanism and year,
// then where it stands in its document ("UPR 2025, A/HRC/59/15, 140.6";
// "CRC 2021, CRC/C/LAO/CO/5-6, 14 (a)"). A document without an adoption
// date names no year.
func MemberRef(body string, adopted int, symbol string, paragraph int, item string) string {
	s := body
	if adopted > 0 {
		s += " " + strconv.Itoa(adopted)
	}
	return s + ", " + symbol + ", " + ParagraphLabel(paragraph, item)
}

// ParagraphLabel writes a recommendation's place in its document for
// people: "14 (a)" for a lettered item, "122.17" for a UPR
// recommendation, "8" for a paragraph.
func ParagraphLabel(paragraph int, item string) string {
	switch {
	case item == "":
		return strconv.Itoa(paragraph)
	case item[0] >= '0' && item[0] <= '9':
		return strconv.Itoa(paragraph) + "." + item
	}
	return fmt.Sprintf("%d (%s)", paragraph, item)
}
