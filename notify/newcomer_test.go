package notify

import (
	"strings"
	"testing"
)

// TestMinistryDigestWithLinkAsksForNoReply: an overview that carries the
// ministry's link to its pages says to record progress there; it used to
// link to the form and then end "reply to this message". Without a link
// (web.listen: off) it still asks for a reply. In every language.
func TestMinistryDigestWithLinkAsksForNoReply(t *testing.T) {
	r := newTestRenderer(t, "")
	reply := map[string]string{"en": "reply to this message", "fr": "répondre à ce message", "es": "responder a este mensaje", "lo": "ຕອບກັບຂໍ້ຄວາມນີ້"}
	through := map[string]string{"en": "through the link above", "fr": "par le lien ci-dessus", "es": "mediante el enlace de arriba", "lo": "ຜ່ານລິ້ງຂ້າງເທິງ"}
	for _, lang := range BuiltinLanguages() {
		if reply[lang] == "" {
			t.Errorf("%s: no phrase to look for", lang)
			continue
		}
		d := renderMinistryData()
		d.Ministry.Language = lang
		d.Link = "https://followup.example.gov.la/l/abc"
		out, err := r.MinistryDigest(d)
		if err != nil {
			t.Fatal(err)
		}
		for name, part := range map[string]string{"text": out.Text, "html": out.HTML} {
			if strings.Contains(part, reply[lang]) || !strings.Contains(part, through[lang]) {
				t.Errorf("%s %s, with a link: asks for a reply, or does not point to the link:\n%s", lang, name, part)
			}
		}
		d.Link = ""
		if out, err = r.MinistryDigest(d); err != nil {
			t.Fatal(err)
		}
		for name, part := range map[string]string{"text": out.Text, "html": out.HTML} {
			if !strings.Contains(part, reply[lang]) {
				t.Errorf("%s %s, without a link: no longer asks for a reply:\n%s", lang, name, part)
			}
		}
	}
}
