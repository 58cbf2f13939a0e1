package ingest

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/followup-app/followup/workflow"

	"github.com/followup-app/followup/internal/lazyre"
)

// The self-check (design decision 15: nothing lost in silence). A UN
// document numbers what it says: paragraphs 1, 2, 3… throughout, items
// (a), (b), (c)… inside a paragraph, UPR recommendations 115.1, 115.2…,
// and an addendum states how many recommendations it supports and notes.
// After a parse, what was found is checked against that numbering, and
// every place where the two disagree becomes a warning naming the line:
// that is where a converter's noise (a page header inside an item, a
// heading wrapped over two lines) makes an importer lose text, and where
// the admin should look.

// maxWarnings bounds the warnings of one document: a file that is not
// what it seems would otherwise print thousands of lines.
const maxWarnings = 50

type checker struct {
	warnings []workflow.Warning
	more     int // warnings past maxWarnings, counted only
}

func (c *checker) add(code string, line, page int, format string, args ...any) {
	if len(c.warnings) >= maxWarnings {
		c.more++
		return
	}
	c.warnings = append(c.warnings, workflow.Warning{Code: code, Line: line, Page: page, Text: fmt.Sprintf(format, args...)})
}

// done returns the warnings in the order of the text, those about the
// document as a whole last.
func (c *checker) done() []workflow.Warning {
	sort.SliceStable(c.warnings, func(i, j int) bool {
		a, b := c.warnings[i].Line, c.warnings[j].Line
		if a == 0 || b == 0 {
			return a != 0 && b == 0
		}
		return a < b
	})
	if c.more > 0 {
		c.warnings = append(c.warnings, workflow.Warning{Code: "more", Text: fmt.Sprintf("and %d more warnings", c.more)})
	}
	return c.warnings
}

// checkLayout checks the numbering of paragraphs, items and UPR
// recommendations as the tokenizer found them.
func checkLayout(c *checker, lay layout, kind workflow.Kind) {
	strayAt := map[string]stray{} // "12." → the line that started like it
	for _, s := range lay.strays {
		if s.kind == bPara {
			if _, ok := strayAt[s.marker]; !ok {
				strayAt[s.marker] = s
			}
		}
	}
	for i, p := range lay.paragraphs {
		if i > 0 {
			prev := lay.paragraphs[i-1].num
			if p.num != prev+1 {
				missing := strconv.Itoa(prev + 1)
				if p.num > prev+2 {
					missing += "–" + strconv.Itoa(p.num-1)
				}
				msg := fmt.Sprintf("paragraph %d follows paragraph %d: no paragraph %s was found", p.num, prev, missing)
				if s, ok := strayAt[strconv.Itoa(prev+1)+"."]; ok {
					msg += fmt.Sprintf(` (a line starting "%s" at line %d was read as text of paragraph %d)`, s.marker, s.line, s.para)
				}
				c.add("paragraph-gap", p.line, p.page, "%s", msg)
			}
		}
		if kind == workflow.UPRAddendum {
			continue
		}
		for _, seg := range p.segments {
			for k, it := range seg.items {
				if k > 0 && it.label != nextLetter(seg.items[k-1].label) {
					c.add("item-gap", it.line, it.page, "item (%s) of paragraph %d follows (%s): no item (%s) was found",
						it.label, p.num, seg.items[k-1].label, nextLetter(seg.items[k-1].label))
				}
				if strings.TrimSpace(it.text) == "" {
					c.add("item-empty", it.line, it.page, "item (%s) of paragraph %d has no text", it.label, p.num)
				}
			}
			if len(seg.items) == 0 && len(p.upr) == 0 && strings.HasSuffix(strings.TrimSpace(seg.text), ":") {
				c.add("lead-in-without-items", seg.line, seg.page, "paragraph %d: a lead-in ends with \":\" but no lettered item follows it", p.num)
			}
		}
		for k, u := range p.upr {
			want := 1
			if k > 0 {
				want = p.upr[k-1].num + 1
			}
			if u.num != want {
				if k == 0 {
					c.add("upr-gap", u.line, u.page, "recommendation %d.%d is the first of paragraph %d: no %d.1 was found", p.num, u.num, p.num, p.num)
				} else {
					c.add("upr-gap", u.line, u.page, "recommendation %d.%d follows %d.%d: no %d.%d was found", p.num, u.num, p.num, want-1, p.num, want)
				}
			}
			if strings.TrimSpace(u.text) == "" {
				c.add("upr-empty", u.line, u.page, "recommendation %d.%d has no text", p.num, u.num)
			}
		}
	}
	for _, s := range lay.strays {
		switch s.kind {
		case bItem:
			c.add("item-not-taken", s.line, s.page, "a line starts with %q in paragraph %d where item %s was expected: it was read as text, not as an item", s.marker, s.para, s.expected)
		case bUPR:
			c.add("upr-not-taken", s.line, s.page, "a line starts with %q where recommendation %s was expected: it was read as text, not as a recommendation", s.marker, s.expected)
		}
	}
}

// checkUnasked reports a paragraph whose lettered items read like
// recommendations (most open with a verb: "Adopt", "Ensure", "D'adopter",
// "Adopte") while no verb that asks was found in its lead-in, and that
// states no concern either: a "The Committee, recalling …,5 recommends"
// the patterns do not know yet, whose items were therefore not imported.
func checkUnasked(c *checker, doc *workflow.Document, lay layout) {
	asked := map[int]bool{}
	for _, r := range doc.Recommendations {
		asked[r.Paragraph] = true
	}
	for _, p := range lay.paragraphs {
		if asked[p.num] {
			continue
		}
		if m := reAsksStateParty.FindString(p.text()); m != "" {
			c.add("request-not-read", p.line, p.page, "paragraph %d asks something of the State party (%q) in words the importer does not read: it was not imported", p.num, m)
			continue
		}
		for _, seg := range p.segments {
			verbs := 0
			for _, it := range seg.items {
				if opensWithVerb(it.text, doc.Language) {
					verbs++
				}
			}
			if len(seg.items) >= 2 && verbs*2 > len(seg.items) && !isConcern(seg.text, doc.Language) {
				c.add("items-not-asked", seg.line, seg.page, "paragraph %d: its items read like recommendations (%q) but no verb that asks (recommends, urges, should…) was found before them: they were not imported",
					p.num, firstWords(seg.items[0].text, 4))
			}
		}
	}
}

// reAsksStateParty is a verb that asks, with its addressee, in the three
// languages: if a paragraph that gave no recommendation holds one, the
// operative patterns missed its subject ("The Committee, recalling
// …,5 recommends that the State party").
var reAsksStateParty = lazyre.New(`\b(?:(?:recommends|urges|encourages|requests|calls\s+(?:up)?on|invites|asks|suggests)\s+(?:that\s+)?(?:the\s+)?(?:State party|European Union)\b|(?:recommande|engage|exhorte|prie|invite|encourage|demande)\s+(?:à\s+)?l['’]État partie\b|(?:recomienda|insta|alienta|exhorta|solicita|pide|invita)\s+al Estado parte\b)`)

// imperatives are verbs that open the items of a recommendation in English
// and Spanish; French items open with "de" and an infinitive.
var imperatives = wordSet(`Adopt Allocate Amend Abolish Accelerate Address Align Amend Apply Assess Avoid Build Carry Collect Combat
		Conduct Consider Consult Create Design Designate Develop Disseminate Eliminate Enact Encourage Enforce Enhance Ensure Establish
		Expand Expedite Facilitate Guarantee Harmonize Implement Improve Include Incorporate Increase Integrate Intensify Introduce
		Investigate Involve Make Mainstream Monitor Prevent Prohibit Promote Protect Provide Put Raise Ratify Recognize Reform Remove
		Repeal Review Revise Set Step Strengthen Support Take Train Undertake Withdraw
		Adopte Adopten Amplíe Aplique Apoye Apruebe Armonice Asegure Asigne Aumente Capacite Consulte Cree Derogue Desarrolle Difunda
		Elabore Elimine Establezca Facilite Fortalezca Garantice Impulse Incluya Intensifique Investigue Involucre Lleve Mejore
		Modifique Ponga Promueva Proporcione Prohíba Ratifique Realice Reconozca Recopile Refuerce Revise Tome Vele`)

func wordSet(words string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(words) {
		set[w] = true
	}
	return set
}

func opensWithVerb(text, lang string) bool {
	w := firstWord(strings.TrimSpace(text))
	if lang == LangFrench {
		low := strings.ToLower(w)
		return low == "de" || strings.HasPrefix(low, "d'") || strings.HasPrefix(low, "d’")
	}
	return imperatives[strings.TrimRight(w, ",;:")]
}

// firstWords returns the first n words of s.
func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		return strings.Join(f[:n], " ") + " …"
	}
	return strings.Join(f, " ")
}
