package ingest

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/followup-app/followup/workflow"

	"github.com/followup-app/followup/internal/lazyre"
)

// uprStatus reads a UPR list's opening sentence: "… have been examined by
// Slovenia and enjoy the support of Slovenia:" (supported), "… will be
// examined by Slovenia, which will provide responses in due time"
// (pending), "… did not enjoy the support of …" (noted).
func uprStatus(lead string) string {
	low := strings.ToLower(lead)
	low = quoteReplacer.Replace(low)
	switch {
	case strings.Contains(low, "not enjoy the support"), strings.Contains(low, "did not enjoy"),
		strings.Contains(low, "will be noted"), strings.Contains(low, "were noted"), strings.Contains(low, "has noted"),
		strings.Contains(low, "have been noted"), strings.Contains(low, "not supported"),
		// "n'ont pas recueilli l'adhésion", "dont … a pris note"; "no
		// contaron con el apoyo", "de las que … ha tomado nota"
		strings.Contains(low, "pas recueilli"), strings.Contains(low, "pris note"), strings.Contains(low, "prend note"),
		strings.Contains(low, "no cuentan con el apoyo"), strings.Contains(low, "no contaron con el apoyo"),
		strings.Contains(low, "tomado nota"), strings.Contains(low, "toma nota"):
		return workflow.StatusNoted
	case strings.Contains(low, "enjoy the support"), strings.Contains(low, "enjoys the support"),
		strings.Contains(low, "enjoyed the support"), strings.Contains(low, "were accepted"), strings.Contains(low, "have been accepted"),
		strings.Contains(low, "recueilli"), strings.Contains(low, "recueillent"), strings.Contains(low, "ont été acceptées"),
		strings.Contains(low, "cuentan con el apoyo"), strings.Contains(low, "contaron con el apoyo"), strings.Contains(low, "han sido aceptadas"):
		return workflow.StatusSupported
	}
	return workflow.StatusPending
}

// uprReport takes the recommendations of a UPR Working Group report: only
// the lists of its "Conclusions and/or recommendations", never the dialogue
// paragraphs that say who recommended what.
func uprReport(doc *workflow.Document, lay layout) {
	for _, p := range lay.paragraphs {
		if len(p.upr) == 0 {
			continue
		}
		lead := p.text()
		status := uprStatus(lead)
		for _, it := range p.upr {
			text := strings.TrimSpace(it.text)
			text = strings.TrimSpace(strings.TrimSuffix(text, ";"))
			item := strconv.Itoa(it.num)
			doc.Recommendations = append(doc.Recommendations, workflow.Recommendation{
				ID:                 workflow.RecID(doc.Symbol, p.num, item),
				Paragraph:          p.num,
				Item:               item,
				Section:            p.section,
				Subsection:         p.subsection,
				Text:               text,
				Lead:               lead,
				Status:             status,
				RecommendingStates: recommendingStates(text),
			})
		}
	}
}

// recommendingStates collects the States named in parentheses after each
// recommendation: "… (France) (Lithuania);", "… (Ukraine); Increase efforts
// … (Slovakia)", and in the first cycle "(Algeria)/sign and ratify (Egypt)"
// or "(Algeria, Egypt, Bosnia and Herzegovina, Argentina)".
func recommendingStates(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, g := range parenGroups(text) {
		after := strings.TrimLeft(text[g.end:], " ")
		if after != "" && !strings.ContainsAny(after[:1], ";./(") {
			continue // a parenthesis inside the sentence, e.g. "(No. 189)" before the States
		}
		names := splitStates(g.inner)
		if names == nil {
			continue
		}
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

type parenGroup struct {
	inner      string
	start, end int // end is just after the closing parenthesis
}

// parenGroups returns the top-level parenthesised groups of s; a nested
// "(Iran (Islamic Republic of))" stays one group.
func parenGroups(s string) []parenGroup {
	var out []parenGroup
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			if depth == 0 {
				start = i
			}
			depth++
		case ')':
			if depth == 0 {
				continue
			}
			depth--
			if depth == 0 {
				out = append(out, parenGroup{inner: s[start+1 : i], start: start, end: i + 1})
			}
		}
	}
	return out
}

// splitStates returns the State names in a parenthesis, or nil when it is
// not a list of States.
func splitStates(inner string) []string {
	inner = strings.TrimSpace(inner)
	if isStateName(inner) {
		return []string{inner}
	}
	parts := strings.Split(inner, ",")
	var out []string
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return nil
		}
		if !isStateName(p) && !looksLikeStateName(p) {
			return nil
		}
		out = append(out, p)
	}
	return out
}

// looksLikeStateName accepts names not in the list (a new State, a variant
// spelling) when they look like one: capitalised words, no digits.
func looksLikeStateName(s string) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 8 {
		return false
	}
	for _, w := range words {
		r := []rune(w)
		switch strings.ToLower(w) {
		case "of", "the", "and", "de", "d'ivoire":
			continue
		}
		if !unicode.IsUpper(r[0]) {
			return false
		}
		for _, c := range r {
			if unicode.IsDigit(c) || c == '.' || c == '/' {
				return false
			}
		}
	}
	return true
}

var (
	reRecRange    = lazyre.New(`(\d{1,3})\.(\d{1,3})(?:\s*[-–—]\s*(?:(\d{1,3})\.)?(\d{1,3})\b)?`)
	rePositionVrb = lazyre.New(`(?i)\b((?:does not|do not|cannot|can not|could not|is unable to|are unable to|not)\s+(?:accept|support)(?:ed)?|rejects?|rejected|takes? note|notes|noted|accepts?|accepted|supports?|supported|enjoys? the support|` +
		// French and Spanish addenda: "n'accepte pas", "prend note", "accepte",
		// "appuie", "soutient"; "no acepta", "toma nota", "acepta", "apoya".
		`n['’]accepte pas|n['’]appuie pas|prend note|a pris note|accepte|acceptées?|appuie|soutient|no acepta|no apoya|toma nota|ha tomado nota|acepta|aceptadas?|apoya)\b`)
)

// reBareList is a list of recommendations cited by number alone, as the
// second cycle's addenda do: "accepts the recommendations 1–5, 14–16, 20,
// 150 – 152", "notes recommendations 6–13 and 17".
var reBareList = lazyre.New(`(?i)\b(?:recommendations?|recommandations?|recomendaci(?:ón|ones))\s*(?:nos?\.\s*|n[°º]s?\s*)?:?\s*(\d{1,3}(?:\s*[-–—]\s*\d{1,3})?(?:\s*(?:,|;|\band\b|\bet\b|\by\b)\s*\d{1,3}(?:\s*[-–—]\s*\d{1,3})?)*)`)

var reBareRange = lazyre.New(`(\d{1,3})(?:\s*[-–—]\s*(\d{1,3}))?`)

// positionSource is where a position was given, for the self-check.
type positionSource struct {
	line, page int
	status     string
}

// addendum reads a UPR addendum's positions: the numbered paragraphs that
// accept, support or note recommendations, listed with ranges in running
// text ("122.17-18", "122.34- 35", "122.2–4"), or by number alone ("1–5,
// 14–16": their paragraph is the report's, found when the report is at
// hand, see ResolvePositions). Only a paragraph's first sentence that
// states a position counts; the explanations after it cite other
// recommendations ("See recommendation 122.28"). A recommendation given a
// position twice keeps the first and is reported.
func addendum(doc *workflow.Document, lay layout, c *checker) {
	seen := map[string]positionSource{}
	give := func(p *paragraph, para, k int, status string) {
		var id string
		if para > 0 {
			id = workflow.RecID(doc.Parent, para, strconv.Itoa(k))
		} else {
			id = "#" + strconv.Itoa(k)
		}
		if first, ok := seen[id]; ok {
			c.add("position-twice", p.line, p.page, "recommendation %s is given a position twice (%s at line %d, %s here)", positionName(doc.Parent, para, k), first.status, first.line, status)
			return
		}
		seen[id] = positionSource{p.line, p.page, status}
		pos := workflow.Position{Paragraph: para, Item: strconv.Itoa(k), Status: status}
		if para > 0 {
			pos.ID = id
		}
		doc.Positions = append(doc.Positions, pos)
	}
	for _, p := range lay.paragraphs {
		for _, sentence := range sentences(p.text()) {
			verbs := rePositionVrb.FindAllStringSubmatchIndex(sentence, -1)
			if len(verbs) == 0 {
				continue
			}
			if reRecRange.MatchString(sentence) {
				prevEnd := -1
				for _, m := range reRecRange.FindAllStringSubmatchIndex(sentence, -1) {
					// The list runs while only separators come between
					// its ids; an id followed by a capital heads an
					// explanation ("140.11-14 The 1961 Convention …")
					// that a missing full stop joined to the list.
					if prevEnd >= 0 && !listSeparator(sentence[prevEnd:m[0]]) || opensBlock(strings.TrimLeft(sentence[m[1]:], " ")) {
						break
					}
					prevEnd = m[1]
					status := positionAt(sentence, verbs, m[0])
					if status == "" {
						continue
					}
					para, _ := strconv.Atoi(sentence[m[2]:m[3]])
					from, _ := strconv.Atoi(sentence[m[4]:m[5]])
					to := from
					if m[8] >= 0 {
						if m[6] >= 0 { // "122.17-122.18": the paragraph must agree
							if p2, _ := strconv.Atoi(sentence[m[6]:m[7]]); p2 != para {
								continue
							}
						}
						to, _ = strconv.Atoi(sentence[m[8]:m[9]])
					}
					if to < from || to-from > 500 {
						c.add("position-range", p.line, p.page, "the range %q is not a range of recommendations: left out", sentence[m[0]:m[1]])
						continue
					}
					for k := from; k <= to; k++ {
						give(p, para, k, status)
					}
				}
				break
			}
			lists := reBareList.FindAllStringSubmatchIndex(sentence, -1)
			if len(lists) == 0 {
				continue
			}
			for _, l := range lists {
				// The verb must come first and be one: "notes
				// recommendations 6–13", not the heading "Accepted
				// recommendations 3" run into a sentence.
				if verbs[0][0] > l[0] || verbs[0][0] == 0 && unicode.IsUpper(rune(sentence[0])) {
					continue
				}
				status := positionAt(sentence, verbs, l[0])
				list := sentence[l[2]:l[3]]
				for _, m := range reBareRange.FindAllStringSubmatch(list, -1) {
					from, _ := strconv.Atoi(m[1])
					to := from
					if m[2] != "" {
						to, _ = strconv.Atoi(m[2])
					}
					if from < 1 || to < from || to-from > 500 {
						c.add("position-range", p.line, p.page, "the range %q is not a range of recommendations: left out", m[0])
						continue
					}
					for k := from; k <= to; k++ {
						give(p, 0, k, status)
					}
				}
			}
			break
		}
	}
	checkAddendum(doc, lay, c)
}

// listSeparator reports whether s only separates two ids of a list: ",",
// ";", "and", or the full stop a typo put there ("140.35. 140.36").
func listSeparator(s string) bool {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == ';' || r == '.' }) {
		switch strings.ToLower(f) {
		case "and", "et", "y", "as", "well":
		default:
			return false
		}
	}
	return true
}

func positionName(parent string, para, k int) string {
	if para > 0 {
		return strconv.Itoa(para) + "." + strconv.Itoa(k)
	}
	return strconv.Itoa(k)
}

// Totals an addendum states about itself: "accepts 142 recommendations",
// "notes 21 recommendations", "of which 124 are now supported and 33
// noted"; in French and Spanish "accepte
// 120 recommandations", "prend note de 30", "acepta 150 recomendaciones",
// "toma nota de 20".
var (
	reTotalVerbFirst = lazyre.New(`(?i)\b(accepts|supports|notes|has accepted|has supported|has noted|accepte|appuie|prend note de|a pris note de|acepta|apoya|toma nota de|ha tomado nota de)\s+(?:the\s+|les\s+|las\s+)?(\d{1,3})\s+(?:of the\s+)?(?:recommendations|recommandations|recomendaciones)\b`)
	reTotalNumFirst  = lazyre.New(`(?i)\b(\d{1,3})\s+(?:recommendations\s+|recommandations\s+|recomendaciones\s+)?(?:(?:are|were|have been|ont été|sont|han sido|fueron)\s+)?(?:(?:now|also|maintenant|ahora)\s+)?(supported|accepted|noted|acceptées|appuyées|notées|aceptadas|apoyadas)\b`)
)

// statedTotal is a count an addendum states, at its line.
type statedTotal struct {
	status     string // supported or noted
	n          int
	line, page int
}

func statedTotals(lay layout) []statedTotal {
	var out []statedTotal
	for _, p := range lay.paragraphs {
		text := p.text()
		for _, m := range reTotalVerbFirst.FindAllStringSubmatch(text, -1) {
			n, _ := strconv.Atoi(m[2])
			out = append(out, statedTotal{totalStatus(m[1]), n, p.line, p.page})
		}
		for _, m := range reTotalNumFirst.FindAllStringSubmatch(text, -1) {
			n, _ := strconv.Atoi(m[1])
			out = append(out, statedTotal{totalStatus(m[2]), n, p.line, p.page})
		}
	}
	return out
}

func totalStatus(verb string) string {
	v := strings.ToLower(verb)
	if strings.Contains(v, "not") || strings.Contains(v, "nota") {
		return workflow.StatusNoted
	}
	return workflow.StatusSupported
}

// checkAddendum checks an addendum's positions against themselves: the
// totals it states, and the numbers it cites, which run without a hole
// from the first recommendation of a paragraph to the last.
func checkAddendum(doc *workflow.Document, lay layout, c *checker) {
	counts := map[string]int{}
	for _, p := range doc.Positions {
		counts[p.Status]++
	}
	for _, t := range statedTotals(lay) {
		if counts[t.status] != t.n {
			c.add("position-total", t.line, t.page, "the addendum says %d recommendations are %s, but gives that position to %d", t.n, t.status, counts[t.status])
		}
	}
	byPara := map[int]map[int]bool{}
	var paras []int
	for _, p := range doc.Positions {
		k, err := strconv.Atoi(p.Item)
		if err != nil {
			continue
		}
		if byPara[p.Paragraph] == nil {
			byPara[p.Paragraph] = map[int]bool{}
			paras = append(paras, p.Paragraph)
		}
		byPara[p.Paragraph][k] = true
	}
	sort.Ints(paras)
	for _, para := range paras {
		nums := byPara[para]
		last := 0
		for k := range nums {
			last = max(last, k)
		}
		var holes []string
		for k := 1; k < last; k++ {
			if !nums[k] {
				holes = append(holes, positionName(doc.Parent, para, k))
			}
		}
		if len(holes) > 0 {
			c.add("position-hole", 0, 0, "no position for %s, though the addendum gives one to every other recommendation up to %s", listShort(holes), positionName(doc.Parent, para, last))
		}
	}
}

// count says "1 recommendation", "3 recommendations".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// listShort joins ids, the first ten and a count of the rest.
func listShort(ids []string) string {
	if len(ids) <= 10 {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:10], ", ") + fmt.Sprintf(" and %d more", len(ids)-10)
}

// ResolvePositions matches an addendum's positions with its report: the
// numbers cited alone ("1–5") become the report's recommendations
// (115.1–115.5), and the self-check makes sure that every recommendation
// the addendum must answer is given exactly one position (those the report
// left pending, and every one of a paragraph the addendum answers), and
// that no position is given to a recommendation the report does not have.
// What it finds is added to the addendum's warnings. Call it when the
// report is at hand (imported with the addendum or before it): the
// statuses may be those a previous import of the addendum set.
func ResolvePositions(add, report *workflow.Document) {
	if add == nil || report == nil || add.Kind != workflow.UPRAddendum || report.Symbol != add.Parent {
		return
	}
	// The holes the addendum alone could see are now checked against
	// the report itself (position-missing).
	c := &checker{}
	for _, w := range add.Warnings {
		switch w.Code {
		case "position-hole":
		case "more":
			var n int
			if _, err := fmt.Sscanf(w.Text, "and %d more", &n); err == nil {
				c.more += n
			}
		default:
			c.warnings = append(c.warnings, w)
		}
	}
	byID := map[string]bool{}
	for _, r := range report.Recommendations {
		byID[r.ID] = true
	}
	bare := bareParagraph(add, report, c)
	var kept []workflow.Position
	var unknown []string
	given := map[string]bool{}
	touched := map[int]bool{}
	for _, p := range add.Positions {
		if p.Paragraph == 0 {
			if bare == 0 {
				continue // reported by bareParagraph
			}
			p.Paragraph = bare
			p.ID = workflow.RecID(report.Symbol, bare, p.Item)
		}
		if !byID[p.ID] {
			unknown = append(unknown, strings.TrimPrefix(p.ID, add.Parent+":"))
			continue
		}
		if given[p.ID] {
			continue // the parse reported it
		}
		given[p.ID] = true
		touched[p.Paragraph] = true
		kept = append(kept, p)
	}
	add.Positions = kept
	if len(unknown) > 0 {
		c.add("position-unknown", 0, 0, "positions on recommendations %s does not have, left out: %s", report.Symbol, listShort(unknown))
	}
	var missing []string
	for _, r := range report.Recommendations {
		if (touched[r.Paragraph] || r.Status == workflow.StatusPending) && !given[r.ID] {
			missing = append(missing, strings.TrimPrefix(r.ID, report.Symbol+":"))
		}
	}
	if len(missing) > 0 {
		c.add("position-missing", 0, 0, "no position for %s of %s: %s", count(len(missing), "recommendation"), report.Symbol, listShort(missing))
	}
	add.Warnings = c.done()
}

// bareParagraph returns the paragraph of the report that an addendum
// citing numbers alone answers: the one holding every number it cites,
// and among several the one with the most recommendations still pending.
// It returns 0 (and says why) when the addendum cites no bare number or
// no paragraph fits.
func bareParagraph(add, report *workflow.Document, c *checker) int {
	cited := map[string]bool{}
	for _, p := range add.Positions {
		if p.Paragraph == 0 {
			cited[p.Item] = true
		}
	}
	if len(cited) == 0 {
		return 0
	}
	items := map[int]map[string]bool{}
	pending := map[int]int{}
	var paras []int
	for _, r := range report.Recommendations {
		if items[r.Paragraph] == nil {
			items[r.Paragraph] = map[string]bool{}
			paras = append(paras, r.Paragraph)
		}
		items[r.Paragraph][r.Item] = true
		if r.Status == workflow.StatusPending {
			pending[r.Paragraph]++
		}
	}
	best, tie := 0, false
	for _, p := range paras {
		all := true
		for k := range cited {
			if !items[p][k] {
				all = false
				break
			}
		}
		switch {
		case !all:
		case best == 0 || pending[p] > pending[best]:
			best, tie = p, false
		case pending[p] == pending[best]:
			tie = true
		}
	}
	switch {
	case best == 0:
		c.add("position-unmatched", 0, 0, "the addendum cites recommendations by number alone (1, 2, …) and no paragraph of %s has all %d of them: those positions are left out", report.Symbol, len(cited))
		return 0
	case tie:
		c.add("position-unmatched", 0, 0, "the addendum cites recommendations by number alone (1, 2, …) and several paragraphs of %s could be meant: those positions are left out", report.Symbol)
		return 0
	}
	return best
}

// positionAt returns the status given by the position verb nearest before
// offset at, or by the first one after it ("122.1 and 122.3 enjoy the
// support of …").
func positionAt(sentence string, verbs [][]int, at int) string {
	var chosen []int
	for _, v := range verbs {
		if v[0] < at {
			chosen = v
		}
	}
	if chosen == nil {
		chosen = verbs[0]
	}
	verb := strings.ToLower(sentence[chosen[2]:chosen[3]])
	switch {
	case strings.Contains(verb, "not") || strings.HasPrefix(verb, "reject") || strings.Contains(verb, "note"),
		strings.Contains(verb, " pas") || strings.HasPrefix(verb, "no ") || strings.Contains(verb, "nota"):
		return workflow.StatusNoted
	default:
		return workflow.StatusSupported
	}
}
