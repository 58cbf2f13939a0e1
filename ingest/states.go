package ingest

import (
	"sort"
	"strings"
	"sync"
)

// The index of State names is built once, on first use: read-only after that.
var states = sync.OnceValue(func() stateIndex {
	idx := stateIndex{names: map[string]string{}}
	for _, s := range unStates {
		idx.names[strings.ToLower(s)] = s
	}
	for variant, canonical := range stateVariants {
		idx.names[strings.ToLower(variant)] = canonical
	}
	for k := range idx.names {
		idx.keys = append(idx.keys, k)
	}
	// Longest first, so "Democratic Republic of the Congo" wins over "Congo"
	// and "Guinea-Bissau" over "Guinea".
	sort.Slice(idx.keys, func(i, j int) bool {
		if len(idx.keys[i]) != len(idx.keys[j]) {
			return len(idx.keys[i]) > len(idx.keys[j])
		}
		return idx.keys[i] < idx.keys[j]
	})
	return idx
})

// stateIndex maps every lower-cased name and variant to the UN's own short
// name, so a State is stored under one spelling whatever the document says.
type stateIndex struct {
	names map[string]string
	keys  []string // longest first
}

// unStates are the United Nations Member and observer States as the UN writes
// them.
var unStates = []string{
	"Afghanistan", "Albania", "Algeria", "Andorra", "Angola", "Antigua and Barbuda", "Argentina", "Armenia",
	"Australia", "Austria", "Azerbaijan", "Bahamas", "Bahrain", "Bangladesh", "Barbados", "Belarus", "Belgium",
	"Belize", "Benin", "Bhutan", "Bolivia (Plurinational State of)", "Bosnia and Herzegovina", "Botswana", "Brazil",
	"Brunei Darussalam", "Bulgaria", "Burkina Faso", "Burundi", "Cabo Verde", "Cambodia", "Cameroon", "Canada",
	"Central African Republic", "Chad", "Chile", "China", "Colombia", "Comoros", "Congo", "Costa Rica",
	"Côte d'Ivoire", "Croatia", "Cuba", "Cyprus", "Czechia", "Democratic People's Republic of Korea",
	"Democratic Republic of the Congo", "Denmark", "Djibouti", "Dominica", "Dominican Republic", "Ecuador",
	"Egypt", "El Salvador", "Equatorial Guinea", "Eritrea", "Estonia", "Eswatini", "Ethiopia", "Fiji", "Finland",
	"France", "Gabon", "Gambia", "Georgia", "Germany", "Ghana", "Greece", "Grenada", "Guatemala", "Guinea",
	"Guinea-Bissau", "Guyana", "Haiti", "Honduras", "Hungary", "Iceland", "India", "Indonesia",
	"Iran (Islamic Republic of)", "Iraq", "Ireland", "Israel", "Italy", "Jamaica", "Japan", "Jordan", "Kazakhstan",
	"Kenya", "Kiribati", "Kuwait", "Kyrgyzstan", "Lao People's Democratic Republic", "Latvia", "Lebanon",
	"Lesotho", "Liberia", "Libya", "Liechtenstein", "Lithuania", "Luxembourg", "Madagascar", "Malawi", "Malaysia",
	"Maldives", "Mali", "Malta", "Marshall Islands", "Mauritania", "Mauritius", "Mexico",
	"Micronesia (Federated States of)", "Monaco", "Mongolia", "Montenegro", "Morocco", "Mozambique", "Myanmar",
	"Namibia", "Nauru", "Nepal", "Netherlands", "New Zealand", "Nicaragua", "Niger", "Nigeria", "North Macedonia",
	"Norway", "Oman", "Pakistan", "Palau", "Panama", "Papua New Guinea", "Paraguay", "Peru", "Philippines",
	"Poland", "Portugal", "Qatar", "Republic of Korea", "Republic of Moldova", "Romania", "Russian Federation",
	"Rwanda", "Saint Kitts and Nevis", "Saint Lucia", "Saint Vincent and the Grenadines", "Samoa", "San Marino",
	"Sao Tome and Principe", "Saudi Arabia", "Senegal", "Serbia", "Seychelles", "Sierra Leone", "Singapore",
	"Slovakia", "Slovenia", "Solomon Islands", "Somalia", "South Africa", "South Sudan", "Spain", "Sri Lanka",
	"Sudan", "Suriname", "Sweden", "Switzerland", "Syrian Arab Republic", "Tajikistan", "Thailand", "Timor-Leste",
	"Togo", "Tonga", "Trinidad and Tobago", "Tunisia", "Türkiye", "Turkmenistan", "Tuvalu", "Uganda", "Ukraine",
	"United Arab Emirates", "United Kingdom of Great Britain and Northern Ireland", "United Republic of Tanzania",
	"United States of America", "Uruguay", "Uzbekistan", "Vanuatu", "Venezuela (Bolivarian Republic of)",
	"Viet Nam", "Yemen", "Zambia", "Zimbabwe", "Holy See", "State of Palestine",
}

// stateVariants are other forms documents use.
var stateVariants = map[string]string{
	"Plurinational State of Bolivia":   "Bolivia (Plurinational State of)",
	"Bolivia":                          "Bolivia (Plurinational State of)",
	"Islamic Republic of Iran":         "Iran (Islamic Republic of)",
	"Iran":                             "Iran (Islamic Republic of)",
	"Bolivarian Republic of Venezuela": "Venezuela (Bolivarian Republic of)",
	"Venezuela":                        "Venezuela (Bolivarian Republic of)",
	"Federated States of Micronesia":   "Micronesia (Federated States of)",
	"United Kingdom":                   "United Kingdom of Great Britain and Northern Ireland",
	"United States":                    "United States of America",
	"Moldova":                          "Republic of Moldova",
	"Czech Republic":                   "Czechia",
	"Turkey":                           "Türkiye",
	"Swaziland":                        "Eswatini",
	"The former Yugoslav Republic of Macedonia": "North Macedonia",
	"Cape Verde":    "Cabo Verde",
	"Vietnam":       "Viet Nam",
	"Syria":         "Syrian Arab Republic",
	"Lao PDR":       "Lao People's Democratic Republic",
	"Cote d'Ivoire": "Côte d'Ivoire",
	"Palestine":     "State of Palestine",
	"Tanzania":      "United Republic of Tanzania",
	"Brunei":        "Brunei Darussalam",
	"Russia":        "Russian Federation",
	"Korea":         "Republic of Korea",
}

// findState returns the UN name of the longest State name in s, matched on
// word boundaries, or "".
func findState(s string) string {
	idx := states()
	low := strings.ToLower(normalizeQuotes(s))
	for _, k := range idx.keys {
		for from := 0; ; {
			i := strings.Index(low[from:], k)
			if i < 0 {
				break
			}
			i += from
			if wordBoundary(low, i-1) && wordBoundary(low, i+len(k)) {
				return idx.names[k]
			}
			from = i + 1
		}
	}
	return ""
}

// isStateName reports whether s, as a whole, names a State.
func isStateName(s string) bool {
	_, ok := states().names[strings.ToLower(strings.TrimSpace(normalizeQuotes(s)))]
	return ok
}

func wordBoundary(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return true
	}
	c := s[i]
	return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c >= 0x80)
}
