package ingest

import (
	"strings"

	"github.com/followup-app/followup/workflow"

	"github.com/followup-app/followup/internal/lazyre"
)

var (
	// A document symbol: treaty bodies' "CRC/C/OPSC/LAO/CO/1",
	// "CERD/C/URY/CO/21-23", older "CRC/C/15/Add.259"; the Human Rights
	// Council's "A/HRC/43/15" and its addenda.
	reSymbol = lazyre.New(`\b(?:A/HRC/\d+/\d+(?:/Add\.\d+)?|(?:CRC|CERD|CCPR|CESCR|CEDAW|CAT|CMW|CRPD|CED|E/C\.12)/(?:C/)?[A-Z0-9]+(?:/[A-Za-z0-9.\-]+)*)`)
	// A State's report cited in paragraph 1, from which the concluding
	// observations' own symbol follows: CRC/C/OPSC/LAO/1 → CRC/C/OPSC/LAO/CO/1.
	reReportSymbol = lazyre.New(`\b((?:CRC|CERD|CCPR|CESCR|CEDAW|CAT|CMW|CRPD|CED)/C/(?:[A-Z]+/)*[A-Z]{3})/(\d+(?:-\d+)?)\b`)
)

// bodies maps committee names, as printed above a document's title, to the
// symbol prefixes the UN uses for them.
var bodies = []struct{ name, code string }{
	{"Committee on the Rights of the Child", "CRC"},
	{"Committee on the Elimination of Racial Discrimination", "CERD"},
	{"Human Rights Committee", "CCPR"},
	{"Committee on Economic, Social and Cultural Rights", "CESCR"},
	{"Committee on the Elimination of Discrimination against Women", "CEDAW"},
	{"Committee against Torture", "CAT"},
	{"Committee on the Protection of the Rights of All Migrant Workers", "CMW"},
	{"Committee on Migrant Workers", "CMW"},
	{"Committee on the Rights of Persons with Disabilities", "CRPD"},
	{"Committee on Enforced Disappearances", "CED"},
}

// frontMatter fills what the top of a document says: symbol, body, title,
// State and adoption date.
func frontMatter(doc *workflow.Document, lay layout, footnotes []string, paraPerLine bool) {
	var first string
	if len(lay.paragraphs) > 0 {
		first = lay.paragraphs[0].text()
	}
	frontText := make([]string, 0, len(lay.front))
	for _, f := range lay.front {
		frontText = append(frontText, f.text)
	}
	all := strings.Join(frontText, "\n")

	if doc.Symbol == "" {
		doc.Symbol = symbolOf(all, first)
	}
	upr := strings.HasPrefix(doc.Symbol, "A/HRC/") || strings.Contains(all, "Universal Periodic Review")
	switch {
	case upr && (strings.Contains(doc.Symbol, "/Add.") || strings.Contains(all, "Addendum")):
		doc.Kind, doc.Body = workflow.UPRAddendum, "UPR"
		if i := strings.Index(doc.Symbol, "/Add."); i > 0 {
			doc.Parent = doc.Symbol[:i]
		}
	case upr:
		doc.Kind, doc.Body = workflow.UPRReport, "UPR"
	default:
		doc.Kind, doc.Body = workflow.ConcludingObservations, bodyOf(doc.Symbol, all)
	}

	title, after := titleOf(lay.front, upr, paraPerLine)
	doc.Title = title
	switch {
	case upr && after != "" && findState(after) != "":
		doc.State = findState(after)
	case !upr && title != "":
		doc.State = findState(title)
	}
	if doc.State == "" && doc.Kind == workflow.ConcludingObservations {
		// A French or Spanish title names the State in that language
		// ("l'Équateur"); the symbol carries its code (CRPD/C/ECU/CO/2-3).
		doc.State = stateOfSymbol(doc.Symbol)
	}
	if doc.State == "" {
		doc.State = findState(first)
	}

	doc.Adopted = adoptionDate(first)
	if doc.Adopted.IsZero() {
		for _, n := range footnotes {
			if strings.Contains(strings.ToLower(n), "adopted") {
				if ds := findDates(n); len(ds) > 0 {
					doc.Adopted = ds[len(ds)-1].date
					break
				}
			}
		}
	}
}

// symbolOf finds a document's symbol in its front matter or, for Word text
// that lost the header table, derives it from the report cited in paragraph
// 1.
func symbolOf(front, first string) string {
	var fallback string
	for _, s := range reSymbol.FindAllString(front, -1) {
		if strings.Contains(s, "/CO/") || strings.HasPrefix(s, "A/HRC/") || strings.Contains(s, "/Add.") {
			return s
		}
		if fallback == "" {
			fallback = s
		}
	}
	if m := reReportSymbol.FindStringSubmatch(first); m != nil {
		return m[1] + "/CO/" + m[2]
	}
	return fallback
}

func bodyOf(symbol, front string) string {
	if i := strings.IndexByte(symbol, '/'); i > 0 {
		switch prefix := symbol[:i]; prefix {
		case "CRC", "CERD", "CCPR", "CESCR", "CEDAW", "CAT", "CMW", "CRPD", "CED":
			return prefix
		case "E":
			return "CESCR"
		}
	}
	for _, b := range bodies {
		if strings.Contains(front, b.name) {
			return b.code
		}
	}
	return ""
}

// titleOf returns the document's title, joined over the lines it wraps on,
// and the first front line after it (a UPR report names the State there).
// Word text keeps a title on one line; PDF text wraps it until a blank line
// or the footnote mark "*".
func titleOf(front []frontLine, upr, paraPerLine bool) (title, after string) {
	start := -1
	for i, f := range front {
		low := strings.ToLower(f.text)
		if strings.HasPrefix(low, "concluding observations") || strings.HasPrefix(low, "observations finales") ||
			strings.HasPrefix(low, "observaciones finales") || upr && strings.HasPrefix(low, "report of the working group") {
			start = i
			break
		}
	}
	if start < 0 {
		return "", ""
	}
	title = front[start].text
	i := start + 1
	for ; !paraPerLine && i < len(front) && i < start+4 && !front[i].afterBlank && !strings.HasSuffix(strings.TrimRight(title, " "), "*") &&
		!reNumbered.MatchString(front[i].text) && !reLabelOnly.MatchString(front[i].text); i++ {
		title = joinWrapped(title, front[i].text)
	}
	title = strings.TrimSpace(strings.TrimRight(title, "* "))
	if i < len(front) {
		after = front[i].text
	}
	return title, after
}

// stateOfSymbol returns the State whose ISO 3166 code a treaty body's
// symbol carries ("CRPD/C/ECU/CO/2-3" → Ecuador), or "".
func stateOfSymbol(symbol string) string {
	parts := strings.Split(symbol, "/")
	for i, p := range parts {
		if p == "CO" && i > 0 {
			return stateByCode[parts[i-1]]
		}
	}
	return ""
}
