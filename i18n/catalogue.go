package i18n

// The catalogue: the sentences of the web pages and of the receipts in each
// shipped language, keyed by their English text (as gettext does), in
// text/LANG.yaml. The files are built in: they are read once, at the first
// sentence asked for, and TestCatalogue holds them to their format.

import (
	"embed"
	"fmt"
	"sort"
	"sync"

	"github.com/goccy/go-yaml"
)

//go:embed text/*.yaml
var textFiles embed.FS

// Domain is a part of the catalogue: the sentences of one reader.
type Domain string

// The parts of the catalogue. The mails' texts are templates of their own
// (notify/templates/texts.LANG.txt).
const (
	Pages    Domain = "pages"    // the web pages (package web)
	Receipts Domain = "receipts" // the receipts of what a focal point recorded (package notify)
)

// Message is a sentence in one language: one text, or the text of each
// plural form the language has ("one", "other").
type Message struct {
	Text  string
	Forms map[string]string
}

// text is the message's text for a count n (its first integer argument);
// the "other" form when there is none.
func (m Message) text(lang string, args []any) string {
	if m.Forms == nil {
		return m.Text
	}
	for _, a := range args {
		var n int
		switch v := a.(type) {
		case int:
			n = v
		case int64:
			n = int(v)
		default:
			continue
		}
		if s, ok := m.Forms[PluralForm(lang, n)]; ok {
			return s
		}
		break
	}
	return m.Forms[Other]
}

// catalogue holds the messages by language, domain and English text.
type catalogue map[string]map[Domain]map[string]Message

var builtin = sync.OnceValues(loadCatalogue)

func loadCatalogue() (catalogue, error) {
	c := catalogue{}
	for _, lang := range Languages() {
		name := "text/" + lang + ".yaml"
		b, err := textFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		var raw map[Domain]map[string]any
		if err := yaml.Unmarshal(b, &raw); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		c[lang] = map[Domain]map[string]Message{}
		for d, msgs := range raw {
			c[lang][d] = map[string]Message{}
			for id, v := range msgs {
				m, err := message(v)
				if err != nil {
					return nil, fmt.Errorf("i18n: %s: %s: %q: %w", name, d, id, err)
				}
				c[lang][d][id] = m
			}
		}
	}
	return c, nil
}

// message reads a sentence: a string, or a mapping of plural forms to
// strings.
func message(v any) (Message, error) {
	switch v := v.(type) {
	case string:
		return Message{Text: v}, nil
	case map[string]any:
		m := Message{Forms: map[string]string{}}
		for form, s := range v {
			text, ok := s.(string)
			if !ok {
				return Message{}, fmt.Errorf("the form %q is not a text in quotes", form)
			}
			m.Forms[form] = text
		}
		if m.Forms[Other] == "" {
			return Message{}, fmt.Errorf("the plural forms lack %q", Other)
		}
		return m, nil
	}
	return Message{}, fmt.Errorf("expected a text in quotes, or its plural forms (one:, other:), found %v", v)
}

// Check reports whether the built-in catalogue can be read: a broken file
// would show every sentence in English.
func Check() error {
	_, err := builtin()
	return err
}

// T writes msg, a sentence of domain d given in English, in lang (a
// shipped language: see Match), in the plural form its first integer
// argument takes, then fills in args as fmt does. A sentence the language
// does not have shows in English.
func T(d Domain, lang, msg string, args ...any) string {
	c, _ := builtin()
	text := msg
	if m, ok := c[lang][d][msg]; ok {
		text = m.text(lang, args)
	} else if m, ok := c[English][d][msg]; ok {
		text = m.text(English, args)
	}
	if len(args) == 0 {
		return text
	}
	return fmt.Sprintf(text, args...)
}

// Sentences lists the English texts of the sentences a language has in a
// domain, sorted, and the message of each: for the tests that hold every
// language to the sentences the code says.
func Sentences(d Domain, lang string) ([]string, map[string]Message, error) {
	c, err := builtin()
	if err != nil {
		return nil, nil, err
	}
	msgs := map[string]Message{}
	var ids []string
	for id, m := range c[lang][d] {
		ids = append(ids, id)
		msgs[id] = m
	}
	sort.Strings(ids)
	return ids, msgs, nil
}
