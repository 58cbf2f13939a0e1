package web

import (
	"html/template"
	"strings"
	"testing"
)

// optionsHTML must write what the template it replaces wrote, byte for
// byte, whatever the values hold.
func TestOptionsHTMLAsTemplate(t *testing.T) {
	tmpl := template.Must(template.New("o").Parse(`<select>{{range .}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>{{end}}</select>`))
	fast := template.Must(template.New("o").Funcs(template.FuncMap{"options": optionsHTML}).Parse(`<select>{{options .}}</select>`))
	odd := []string{"", "plain", `a"b'c`, "x & y <b>", "1+1", "nul\x00byte", "bad\xffutf8", "\ufdd0\uffff", "é → “quoted”", "</option><script>alert(1)</script>", "&amp;"}
	var opts []option
	for i, v := range odd {
		opts = append(opts, option{Value: v, Label: odd[len(odd)-1-i], Selected: i%3 == 1})
	}
	for _, list := range [][]option{nil, opts[:1], opts} {
		var want, got strings.Builder
		if err := tmpl.Execute(&want, list); err != nil {
			t.Fatal(err)
		}
		if err := fast.Execute(&got, list); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("optionsHTML wrote\n%s\nthe template\n%s", got.String(), want.String())
		}
	}
}
