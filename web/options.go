package web

import (
	"html/template"
	"strings"
)

// optionsHTML writes a select's options exactly as the template
//
//	{{range .}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>{{end}}
//
// would. The task list's form offers every document (4,000 at a million
// tasks), every section and every tag in use on each request; written
// through the template's reflection, option by option, they were half of
// the page's time (profile of /c/tasks under 50 clients at 100,000
// tasks). Values and labels are escaped with html/template's table for
// text and quoted attributes (htmlEscape): the page is byte for byte the
// same.
func optionsHTML(opts []option) template.HTML {
	n := 0
	for _, o := range opts {
		n += len(o.Value) + len(o.Label) + 40
	}
	var b strings.Builder
	b.Grow(n)
	for _, o := range opts {
		b.WriteString(`<option value="`)
		_, _ = htmlEscape.WriteString(&b, o.Value) // a strings.Builder does not fail
		b.WriteString(`"`)
		if o.Selected {
			b.WriteString(` selected`)
		}
		b.WriteString(`>`)
		_, _ = htmlEscape.WriteString(&b, o.Label)
		b.WriteString(`</option>`)
	}
	return template.HTML(b.String()) // every value and label is escaped above
}

// htmlEscape is html/template's escaping of a string in text and in a
// quoted attribute (its htmlReplacementTable: NUL, the quotes, &, +, <
// and >; other bytes, invalid UTF-8 included, are written as they are).
var htmlEscape = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")
