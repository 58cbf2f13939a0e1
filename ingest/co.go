package ingest

import (
	"sort"
	"strconv"
	"strings"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/workflow"

	"github.com/followup-app/followup/internal/lazyre"
)

// Treaty bodies phrase what they ask in a few ways. A paragraph is a
// recommendation when the Committee (or "it") recommends, urges,
// encourages, calls upon, requests, invites or reiterates its
// recommendation, or asks or suggests, or when "the State party should"
// or "is encouraged to".
// Paragraphs that only note, welcome, regret or express concern are not.
var (
	reOperative = lazyre.New(`(?i)\b(?:committee|it)\s+(?:(?:also|further|again|therefore|thus|furthermore|moreover|once again|accordingly|nevertheless|specifically|particularly|especially|in particular)\s+)*(?P<adv>(?:strongly|urgently|firmly|respectfully|further)\s+)?(?P<verb>recommends|urges|encourages|calls\s+(?:up)?on|requests|invites|asks|suggests|reiterates\s+(?:its|the)\s+(?:[\w-]+\s+){0,2}recommendations?)\b`)
	// "… and requests the State party to …": "and" is a subject only when
	// the State party follows.
	// The addressee may be the European Union (CRPD/C/EU/CO), and "that"
	// may come before a clause: "… recommendation6 and recommends that, in
	// line with its general comment No. 1, the State party:".
	reAndVerb = lazyre.New(`(?i)\band\s+(?:also\s+)?(?P<adv>(?:strongly|urgently)\s+)?(?P<verb>recommends|urges|encourages|calls\s+(?:up)?on|requests|invites|asks)\s+(?:(?:that\s+)?(?:the\s+)?(?:State party|European Union)\b|that,|it\s+to\b)`)
	reShould  = lazyre.New(`(?i)\bthe state party (?:should|must)\b`)
	rePassive = lazyre.New(`(?i)\bthe state party is\s+(?:(?:also|further|strongly|again)\s+)*(?P<verb>encouraged|urged|requested|invited|called upon)\s+to\b`)
	reConcern = lazyre.New(`(?i)\b(concern|concerned|regrets?|deplores?|alarmed|notes with|lack of|insufficient)\b`)
)

// operative is where text asks something of the State party.
type operative struct {
	at   int
	verb string
}

// operatives returns the operative phrases of text in order, in the
// document's language.
func operatives(text, lang string) []operative {
	res := languageREs(lang)
	low := strings.ToLower(text)
	found := false
	for _, k := range res.keys {
		if strings.Contains(low, k) {
			found = true
			break
		}
	}
	if !found {
		return nil // most concern paragraphs: no need to run the patterns
	}
	var hits []operative
	add := func(re *lazyre.Regexp, at int, m []int) {
		vi, ai := re.SubexpIndex("verb"), re.SubexpIndex("adv")
		verb := strings.ToLower(text[m[2*vi]:m[2*vi+1]])
		// "Le Comité appelle l'attention de l'État partie sur …" draws
		// attention; only "appelle l'État partie à …" calls upon it.
		if verb == "appelle" && reDrawsAttention.MatchString(text[m[2*vi+1]:]) {
			return
		}
		if ai >= 0 && m[2*ai] >= 0 {
			adv := strings.ToLower(strings.TrimSpace(text[m[2*ai]:m[2*ai+1]]))
			if lang == LangEnglish {
				verb = adv + " " + verb
			} else {
				verb += " " + adv
			}
		}
		hits = append(hits, operative{at, normalizeVerb(verb)})
	}
	for _, re := range res.active {
		for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
			add(re, m[0], m)
		}
	}
	if strings.Contains(low, "committee,") || strings.Contains(low, "comité,") {
		for _, h := range clauseHits(text, res.afterClause) {
			add(res.afterClause, h[0], h[1:])
		}
	}
	for _, m := range res.should.FindAllStringIndex(text, -1) {
		hits = append(hits, operative{m[0], "should"})
	}
	for _, m := range res.passive.FindAllStringSubmatchIndex(text, -1) {
		hits = append(hits, operative{m[0], "is " + strings.ToLower(text[m[2]:m[3]])})
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].at < hits[j].at })
	return hits
}

var (
	reSpacesOnly     = lazyre.New(`\s+`)
	reDrawsAttention = lazyre.New(`^(?:\s+` + frAdverbs + `)*\s+(?:l['’]|son\s+|tout\s+particulièrement\s+l['’])attention\b`)
)

func normalizeVerb(v string) string {
	v = reSpacesOnly.ReplaceAllString(v, " ")
	switch {
	case strings.HasSuffix(v, "calls on"):
		return strings.TrimSuffix(v, "calls on") + "calls upon"
	case strings.Contains(v, "reiterates"):
		return strings.TrimSpace(v[:strings.Index(v, "reiterates")] + "reiterates its recommendation")
	}
	return v
}

// concludingObservations finds the recommendations of a treaty body's
// concluding observations.
func concludingObservations(doc *workflow.Document, lay layout) {
	recoverOrphanItems(lay)
	lastConcern, lastConcernSub := 0, ""
	for _, p := range lay.paragraphs {
		var recs []workflow.Recommendation
		var texts []string
		var verb string
		concernHere := false
		for _, seg := range p.segments {
			ops := operatives(seg.text, doc.Language)
			if len(seg.items) == 0 && len(recs) > 0 {
				// A sentence after the lettered items that asks in its
				// own name ("The State party should also …") belongs to
				// the last item: a paragraph with items gives one
				// recommendation per item, and none of its text is lost.
				last := &recs[len(recs)-1]
				last.Text = joinWrapped(last.Text, seg.text)
				continue
			}
			if len(ops) == 0 {
				if isConcern(seg.text, doc.Language) {
					concernHere = true
				}
				continue
			}
			if len(seg.items) == 0 {
				texts = append(texts, seg.text)
				if verb == "" {
					verb = ops[0].verb
				}
				continue
			}
			// "The Committee is concerned that … The State party should:"
			// answers its own concern.
			if c := concernIndex(seg.text, doc.Language); c != nil && c[0] < ops[0].at {
				concernHere = true
			}
			// The verb that introduces the items is the last one before
			// them: "… In particular, it recommends … It further urges
			// the State party to:".
			itemVerb := ops[len(ops)-1].verb
			// What the paragraph asked before its lead-in is part of the
			// lead: "The Committee recommends X. The State party should
			// also:" (a)…
			lead := seg.text
			if len(texts) > 0 {
				lead = strings.Join(append(texts, seg.text), " ")
				texts = nil
			}
			for _, it := range seg.items {
				recs = append(recs, workflow.Recommendation{
					Paragraph: p.num, Item: it.label, Verb: itemVerb,
					Text: strings.TrimSpace(it.text), Lead: lead,
				})
			}
		}
		if len(texts) > 0 {
			rec := workflow.Recommendation{Paragraph: p.num, Verb: verb, Text: strings.Join(texts, " ")}
			recs = append([]workflow.Recommendation{rec}, recs...)
		}
		if len(recs) == 0 {
			if isConcern(p.text(), doc.Language) {
				lastConcern, lastConcernSub = p.num, p.section+"\x00"+p.subsection
			}
			continue
		}
		concern := 0
		switch {
		case concernHere:
			concern = p.num
		case lastConcern > 0 && lastConcernSub == p.section+"\x00"+p.subsection:
			concern = lastConcern
		}
		for i := range recs {
			r := &recs[i]
			r.ID = workflow.RecID(doc.Symbol, r.Paragraph, r.Item)
			r.Section, r.Subsection = p.section, p.subsection
			r.Concern = concern
			doc.Recommendations = append(doc.Recommendations, *r)
		}
	}
	doc.FollowUp = followUp(lay, doc.Adopted)
	doc.NextReport = nextReport(lay, doc.Language)
}

var (
	reFollowUpRefs = lazyre.New(`(?i)(?:recommendations?\b[^.]{0,200}?\bparagraphs?|recommandations?\b[^.]{0,200}?\bparagraphes?|recomendaci(?:ón|ones)\s[^.]{0,200}?\bpárrafos?)\s+(.+?)(?:\babove\b|\bbelow\b|\bci-dessus|\bci-après|\bsupra\b|\.(?:\s|$)|$)`)
	reByDate       = lazyre.New(`(?i)\b(?:by|before|not later than|no later than|due on|in)\s+((?:\d{1,2}\s+)?[A-Z][a-z]+\s+\d{4})`)
	reNextReport   = lazyre.New(`(?i)\b(next|periodic|combined\s+[\w-]+(?:\s+to\s+[\w-]+)?)\s+(?:periodic\s+)?reports?\b`)
	reSubmit       = lazyre.New(`(?i)\b(submit|submitted|submission|due)\b`)
	// French and Spanish: "son prochain rapport périodique … le 3 mai 2026 au
	// plus tard", "sus informes periódicos cuarto y quinto combinados a más
	// tardar el 14 de enero de 2026".
	reNextReportFRES = lazyre.New(`(?i)(prochain rapport|rapports? périodiques?|próximo informe|informes? periódicos?)`)
	reSubmitFRES     = lazyre.New(`(?i)(soumettre|soumission|présenter|présentation|attendu|presente|presentar|presentación)`)
	reDeadlineBefore = lazyre.New(`(?:au plus tard(?: le)?|d['’]ici (?:au|le)|avant le|à la date du|a más tardar (?:el|del)|antes del?|para el|hasta el|no later than|not later than|by)\s+$`)
	reByMonthFRES    = lazyre.New(`(?i)\b(?:en|d['’]ici à|d['’]ici|avant|antes de|a más tardar en)\s+((?:` + monthNames + `)\s+(?:de\s+)?\d{4})`)
)

// followUp finds the follow-up procedure: "the Committee requests the State
// party to provide, within one year of the adoption of the present
// concluding observations, information on … the recommendations contained
// in paragraphs 19 and 21 above" (or "by 26 July 2021").
func followUp(lay layout, adopted civil.Date) *workflow.FollowUp {
	for _, p := range lay.paragraphs {
		text := p.text()
		low := strings.ToLower(text)
		if !strings.Contains(low, "paragraph") && !strings.Contains(low, "párrafo") {
			continue
		}
		if strings.Contains(low, "periodic report") && !strings.Contains(low, "follow-up") && !strings.Contains(low, "within") {
			continue
		}
		if (strings.Contains(low, "rapport périodique") || strings.Contains(low, "informe periódico")) &&
			!strings.Contains(low, "suivi") && !strings.Contains(low, "seguimiento") && !reWithin.MatchString(text) {
			continue
		}
		m := reFollowUpRefs.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		paras := paragraphNumbers(m[1])
		if len(paras) == 0 {
			continue
		}
		var due civil.Date
		if span, ok := withinSpan(text); ok && !adopted.IsZero() {
			due = adopted.Add(span)
		} else {
			due = dueDate(text)
		}
		if due.IsZero() {
			continue // "particular importance" paragraphs: reported in the next report
		}
		return &workflow.FollowUp{Due: due, Paragraphs: paras, Text: text}
	}
	return nil
}

// paragraphNumbers reads "19 and 21", "14 (reservations), 26 (…) and 40",
// "15 (a) and 31 (b)": the numbers outside parentheses.
func paragraphNumbers(s string) []int {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')':
			if depth > 0 {
				depth--
			}
		case depth == 0:
			b.WriteRune(r)
		}
	}
	var out []int
	seen := map[int]bool{}
	for _, f := range strings.FieldsFunc(b.String(), func(r rune) bool { return r < '0' || r > '9' }) {
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 || n > 999 || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	return out
}

// nextReport finds what the document says about the next periodic report:
// the last paragraph that speaks of submitting it, preferring one that
// gives a date.
func nextReport(lay layout, lang string) workflow.NextReport {
	var found workflow.NextReport
	for _, p := range lay.paragraphs {
		text := p.text()
		if !isNextReport(text, lang) {
			continue
		}
		due := dueDate(text)
		if found.Due.IsZero() || !due.IsZero() {
			found = workflow.NextReport{Due: due, Text: text}
		}
	}
	return found
}

// isNextReport reports whether a paragraph speaks of submitting the next
// periodic report, in English, French or Spanish.
func isNextReport(text, lang string) bool {
	if strings.Contains(text, "report") && reNextReport.MatchString(text) && reSubmit.MatchString(text) {
		low := strings.ToLower(text)
		if strings.Contains(low, "next") || strings.Contains(low, "periodic report") {
			return true
		}
	}
	return lang != LangEnglish && reNextReportFRES.MatchString(text) && reSubmitFRES.MatchString(text)
}

// dueDate reads the deadline a paragraph sets: "by 4 January 2020", "no
// later than February 2034", "le 3 mai 2026 au plus tard", "a más tardar el
// 14 de enero de 2026". French and Spanish put the date after "le"/"el" and
// the words that make it a deadline on either side, so there the first date
// written counts.
func dueDate(text string) civil.Date {
	if m := reByDate.FindStringSubmatch(text); m != nil {
		if d := dateOrMonth(m[1]); !d.IsZero() {
			return d
		}
	}
	for _, d := range findDates(text) {
		before := strings.ToLower(text[max(0, d.start-40):d.start])
		after := strings.ToLower(text[d.end:min(len(text), d.end+20)])
		if reDeadlineBefore.MatchString(before) || strings.HasPrefix(strings.TrimSpace(after), "au plus tard") {
			return d.date
		}
	}
	if m := reByMonthFRES.FindStringSubmatch(text); m != nil {
		return dateOrMonth(m[1])
	}
	return civil.Date{}
}

// reOwnSubject starts a sentence that asks something in its own name: "The
// Committee also recommends…", "It further urges…", "The State party
// should…", and the same in French and Spanish.
var reOwnSubject = lazyre.New(`^(?:The Committee|It|The State [Pp]arty|Le Comité|Il|L['’]État partie|El Comité|El Estado parte|Asimismo|También|Recomienda|Insta)\b`)

// sentenceOpeners are words that start an ordinary sentence, not the text
// of a lettered item (which starts with a verb: "Ensure", "Adopt", "De
// veiller", "Adopte").
var sentenceOpeners = map[string]bool{
	"The": true, "This": true, "These": true, "That": true, "Those": true, "It": true, "Its": true, "In": true, "At": true,
	"On": true, "As": true, "While": true, "However": true, "Moreover": true, "Furthermore": true, "Although": true, "A": true,
	"An": true, "Such": true, "There": true, "They": true, "Le": true, "La": true, "Les": true, "Il": true, "Elle": true,
	"Ce": true, "Cette": true, "Ces": true, "En": true, "El": true, "Los": true, "Las": true, "Al": true, "Este": true,
	"Esta": true, "Además": true, "Sin": true, "Por": true, "Preocupa": true,
}

// recoverOrphanItems puts back the text of a lettered item that a PDF
// converter printed after the next paragraph: "(b)" closes a paragraph with
// no text, and the next paragraph ends with a sentence that reads like an
// item ("… Council. Ensure that child protection officers are appointed in
// every municipality.").
func recoverOrphanItems(lay layout) {
	for i, p := range lay.paragraphs {
		if i+1 >= len(lay.paragraphs) || len(p.segments) == 0 {
			continue
		}
		seg := &p.segments[len(p.segments)-1]
		if len(seg.items) == 0 || strings.TrimSpace(seg.items[len(seg.items)-1].text) != "" {
			continue
		}
		q := lay.paragraphs[i+1]
		if len(q.segments) == 0 || len(q.segments[0].items) > 0 {
			continue
		}
		ss := sentences(q.segments[0].text)
		if len(ss) < 2 {
			continue
		}
		orphan := ss[len(ss)-1]
		if sentenceOpeners[firstWord(orphan)] || reOwnSubject.MatchString(orphan) || !endsSentence(orphan) {
			continue
		}
		seg.items[len(seg.items)-1].text = orphan
		q.segments[0].text = strings.Join(ss[:len(ss)-1], " ")
	}
}
