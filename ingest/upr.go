package ingest

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/followup-app/followup/workflow"
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
	reRecRange    = regexp.MustCompile(`(\d{1,3})\.(\d{1,3})(?:\s*[-–—]\s*(?:(\d{1,3})\.)?(\d{1,3})\b)?`)
	rePositionVrb = regexp.MustCompile(`(?i)\b((?:does not|do not|cannot|can not|could not|is unable to|are unable to|not)\s+(?:accept|support)(?:ed)?|rejects?|rejected|takes? note|notes|noted|accepts?|accepted|supports?|supported|enjoys? the support|` +
		// French and Spanish addenda: "n'accepte pas", "prend note", "accepte",
		// "appuie", "soutient"; "no acepta", "toma nota", "acepta", "apoya".
		`n['’]accepte pas|n['’]appuie pas|prend note|a pris note|accepte|acceptées?|appuie|soutient|no acepta|no apoya|toma nota|ha tomado nota|acepta|aceptadas?|apoya)\b`)
)

// addendum reads a UPR addendum's positions: the numbered paragraphs that
// accept, support or note recommendations, listed with ranges in running
// text ("122.17-18", "122.34- 35", "122.2–4"). Only a paragraph's first
// sentence that states a position counts; the explanations after it cite
// other recommendations ("See recommendation 122.28").
func addendum(doc *workflow.Document, lay layout) {
	seen := map[string]bool{}
	for _, p := range lay.paragraphs {
		for _, sentence := range sentences(p.text()) {
			verbs := rePositionVrb.FindAllStringSubmatchIndex(sentence, -1)
			if len(verbs) == 0 || !reRecRange.MatchString(sentence) {
				continue
			}
			for _, m := range reRecRange.FindAllStringSubmatchIndex(sentence, -1) {
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
					continue
				}
				for k := from; k <= to; k++ {
					id := workflow.RecID(doc.Parent, para, strconv.Itoa(k))
					if seen[id] {
						continue
					}
					seen[id] = true
					doc.Positions = append(doc.Positions, workflow.Position{
						ID: id, Paragraph: para, Item: strconv.Itoa(k), Status: status,
					})
				}
			}
			break
		}
	}
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
