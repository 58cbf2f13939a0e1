package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/workflow"
)

// longDate writes a date the UN's way: "3 March 2027".
func longDate(d civil.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d %s %d", d.Day, d.Month, d.Year)
}

func longInstant(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return longDate(civil.DateOf(t.In(loc)))
}

// thousands writes 21200 as "21,200".
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// treaty names the instrument a document's body monitors; the Optional
// Protocols to the Convention on the Rights of the Child have their own
// symbols.
func treaty(symbol, body string) string {
	switch {
	case strings.Contains(symbol, "/OPSC/"):
		return "Optional Protocol to the Convention on the Rights of the Child on the sale of children, child prostitution and child pornography"
	case strings.Contains(symbol, "/OPAC/"):
		return "Optional Protocol to the Convention on the Rights of the Child on the involvement of children in armed conflict"
	}
	switch body {
	case "CRC":
		return "Convention on the Rights of the Child"
	case "CERD":
		return "International Convention on the Elimination of All Forms of Racial Discrimination"
	case "CCPR":
		return "International Covenant on Civil and Political Rights"
	case "CESCR":
		return "International Covenant on Economic, Social and Cultural Rights"
	case "CEDAW":
		return "Convention on the Elimination of All Forms of Discrimination against Women"
	case "CAT":
		return "Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment"
	case "CMW":
		return "International Convention on the Protection of the Rights of All Migrant Workers and Members of Their Families"
	case "CRPD":
		return "Convention on the Rights of Persons with Disabilities"
	case "CED":
		return "International Convention for the Protection of All Persons from Enforced Disappearance"
	case "UPR":
		return "Universal periodic review (Human Rights Council)"
	}
	return body
}

// committee names the body that adopted a document.
func committee(body string) string {
	switch body {
	case "CRC":
		return "Committee on the Rights of the Child"
	case "CERD":
		return "Committee on the Elimination of Racial Discrimination"
	case "CCPR":
		return "Human Rights Committee"
	case "CESCR":
		return "Committee on Economic, Social and Cultural Rights"
	case "CEDAW":
		return "Committee on the Elimination of Discrimination against Women"
	case "CAT":
		return "Committee against Torture"
	case "CMW":
		return "Committee on Migrant Workers"
	case "CRPD":
		return "Committee on the Rights of Persons with Disabilities"
	case "CED":
		return "Committee on Enforced Disappearances"
	case "UPR":
		return "Working Group on the Universal Periodic Review"
	}
	return body
}

// kindTitle says which report a kind is.
func kindTitle(kind string) string {
	switch kind {
	case config.ReportInitial:
		return "Initial report"
	case config.ReportUPR:
		return "National report to the universal periodic review"
	case config.ReportUPRMidTerm:
		return "Mid-term report on the implementation of the recommendations of the universal periodic review"
	}
	return "Periodic report"
}

// the puts "the" before a body's name: "the Ministry of Justice".
func the(name string) string {
	if name == "" || strings.HasPrefix(name, "the ") || strings.HasPrefix(name, "The ") {
		return name
	}
	return "the " + name
}

// paraRef names a recommendation the way replies cite it: "paragraph 14
// (a)", or for the universal periodic review "recommendation 122.17".
func paraRef(doc workflow.Kind, r workflow.Recommendation) string {
	if doc == workflow.UPRReport {
		return fmt.Sprintf("recommendation %d.%s", r.Paragraph, r.Item)
	}
	if r.Item == "" {
		return fmt.Sprintf("paragraph %d", r.Paragraph)
	}
	return fmt.Sprintf("paragraph %d (%s)", r.Paragraph, r.Item)
}

// shortRef is the annex's and the matrix's: "14 (a)", "122.17".
func shortRef(doc workflow.Kind, r workflow.Recommendation) string {
	s := paraRef(doc, r)
	s = strings.TrimPrefix(s, "recommendation ")
	return strings.TrimPrefix(s, "paragraph ")
}

// list joins names: "a", "a and b", "a, b and c".
func list(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// roman numbers the draft's parts: I, II, III…
func roman(n int) string {
	vals := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, v := range vals {
		for n >= v {
			b.WriteString(syms[i])
			n -= v
		}
	}
	return b.String()
}

// capitalize upper-cases the first letter: "Supported".
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
