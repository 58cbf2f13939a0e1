package config

import (
	"strconv"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
)

// Each key of the file is declared once, as a row of its section's table:
// its name, its default, how it is read and checked, and how `config show`
// writes it. The table gives the keys a section accepts (unknown keys are
// errors), in the order the documentation and `config show` list them; the
// Go field it fills is named by a function returning a pointer to it, so
// the compiler checks the type. A section's check covers what involves
// several of its keys; references between sections (a rule's ministry, a
// stage's next stages) are checked where the list that holds them is read.
//
// Secrets never reach a table's show: a key that holds one shows where it
// comes from (password_file), and the value itself is a Secret.

// key is one key of a section whose values go into an S.
type key[S any] struct {
	name string
	// hidden keys are accepted, so that their read can say what is wrong
	// with them (mail.smtp.password), but never listed nor shown.
	hidden bool
	// def puts the default in s; nil leaves the zero value.
	def func(s *S)
	// read reads the key from f into s and reports its mistakes. It runs
	// whether the key is written or not: a default may depend on another
	// key (a path is resolved against the config's folder, a cron spec is
	// parsed in the config's zone).
	read func(d *decoder, f *fields, s *S)
	// show writes the key at indent n: "name: value", or the lines of a
	// section or a list.
	show func(w *yamlWriter, n int, c *Config, s *S)
}

// section is a mapping of the file: its keys in order, and a check of what
// involves several of them.
type section[S any] struct {
	keys  []key[S]
	check func(d *decoder, f *fields, s *S) // after every key is read; may be nil
}

// names are the keys the section accepts, hidden ones marked "!" (see
// decoder.mapping).
func (sec *section[S]) names() []string {
	out := make([]string, len(sec.keys))
	for i, k := range sec.keys {
		out[i] = k.name
		if k.hidden {
			out[i] = "!" + k.name
		}
	}
	return out
}

// defaults puts every key's default in s.
func (sec *section[S]) defaults(s *S) {
	for _, k := range sec.keys {
		if k.def != nil {
			k.def(s)
		}
	}
}

// read reads the mapping n (nil or null: the section is absent) at path
// into s, which holds the defaults. ok is false when n is not a mapping;
// its keys are then not read.
func (sec *section[S]) read(d *decoder, n *node, path string, s *S) (f *fields, ok bool) {
	f, ok = d.mapping(n, path, sec.names()...)
	if !ok {
		return f, false
	}
	for _, k := range sec.keys {
		if k.read != nil {
			k.read(d, f, s)
		}
	}
	if sec.check != nil {
		sec.check(d, f, s)
	}
	return f, true
}

// show writes s's keys at indent n.
func (sec *section[S]) show(w *yamlWriter, n int, c *Config, s *S) {
	for _, k := range sec.keys {
		if !k.hidden && k.show != nil {
			k.show(w, n, c, s)
		}
	}
}

// A check says what is wrong with a value, or "" when it is fine; text is
// the value as written, for the message.
type check[T any] func(v T, text string) string

func longerThanZero(s civil.Span, _ string) string {
	if !positive(s) {
		return "must be longer than zero"
	}
	return ""
}

func positiveDuration(v time.Duration, _ string) string {
	if v <= 0 {
		return "must be longer than zero"
	}
	return ""
}

// The constructors below make the rows of the usual kinds of key.

// boolKey is true or false.
func boolKey[S any](name string, at func(*S) *bool, def bool) key[S] {
	return key[S]{name: name,
		def:  func(s *S) { *at(s) = def },
		read: func(d *decoder, f *fields, s *S) { d.boolean(f, name, at(s)) },
		show: func(w *yamlWriter, n int, _ *Config, s *S) { w.kv(n, name, strconv.FormatBool(*at(s))) },
	}
}

// intKey is a whole number from lo to hi.
func intKey[S any](name string, at func(*S) *int, def, lo, hi int) key[S] {
	return key[S]{name: name,
		def:  func(s *S) { *at(s) = def },
		read: func(d *decoder, f *fields, s *S) { d.integer(f, name, at(s), lo, hi) },
		show: func(w *yamlWriter, n int, _ *Config, s *S) { w.kv(n, name, strconv.Itoa(*at(s))) },
	}
}

// durationKey is a Go duration (36h, 90s), shown the way an admin writes it.
func durationKey[S any](name string, at func(*S) *time.Duration, def time.Duration, ok check[time.Duration]) key[S] {
	return key[S]{name: name,
		def: func(s *S) { *at(s) = def },
		read: func(d *decoder, f *fields, s *S) {
			if v, read := d.duration(f, name, at(s)); read && ok != nil {
				if msg := ok(*at(s), v.text); msg != "" {
					d.errs.atNode(v, sub(f.path, name), "%s", msg)
				}
			}
		},
		show: func(w *yamlWriter, n int, _ *Config, s *S) { w.kv(n, name, q(fmtDuration(*at(s)))) },
	}
}

// spanKey is a calendar span (30d, 2w, 9mo).
func spanKey[S any](name string, at func(*S) *civil.Span, def civil.Span, ok check[civil.Span]) key[S] {
	return key[S]{name: name,
		def: func(s *S) { *at(s) = def },
		read: func(d *decoder, f *fields, s *S) {
			if v, read := d.span(f, name, at(s)); read && ok != nil {
				if msg := ok(*at(s), v.text); msg != "" {
					d.errs.atNode(v, sub(f.path, name), "%s", msg)
				}
			}
		},
		show: func(w *yamlWriter, n int, _ *Config, s *S) { w.kv(n, name, q(at(s).String())) },
	}
}

// strKey is a string taken as written; ok, when set, checks it.
func strKey[S any](name string, at func(*S) *string, def string, ok check[string]) key[S] {
	return key[S]{name: name,
		def: func(s *S) { *at(s) = def },
		read: func(d *decoder, f *fields, s *S) {
			if v, read := d.str(f, name, at(s)); read && ok != nil {
				if msg := ok(v.text, v.text); msg != "" {
					d.errs.atNode(v, sub(f.path, name), "%s", msg)
				}
			}
		},
		show: func(w *yamlWriter, n int, _ *Config, s *S) { w.kv(n, name, q(*at(s))) },
	}
}

// textKey is a string that goes into mail headers (a name, a unit): one
// line, no control characters. required refuses it absent or empty.
func textKey[S any](name string, at func(*S) *string, required bool) key[S] {
	return key[S]{name: name,
		read: func(d *decoder, f *fields, s *S) {
			var v *node
			var ok bool
			if required {
				v, ok = d.reqStr(f, name, at(s))
			} else {
				v, ok = d.str(f, name, at(s))
			}
			if ok {
				d.headerText(v, sub(f.path, name))
			}
		},
		show: func(w *yamlWriter, n int, _ *Config, s *S) { w.kv(n, name, q(*at(s))) },
	}
}

// enumKey is one of a list of words; what names them in the message
// ("transport": unknown transport "x"; expected one of: file, smtp).
func enumKey[S any](name string, at func(*S) *string, def, what string, allowed []string) key[S] {
	return strKey(name, at, def, func(v, _ string) string {
		if !contains(allowed, v) {
			return "unknown " + what + " " + strconv.Quote(v) + "; expected one of: " + strings.Join(allowed, ", ")
		}
		return ""
	})
}

// pathKey is a file or folder, relative to the config file's folder; when
// written it must not be empty, unless empty means none (optional).
func pathKey[S any](name string, at func(*S) *string, def string, emptyMeansNone bool) key[S] {
	return key[S]{name: name,
		def: func(s *S) { *at(s) = def },
		read: func(d *decoder, f *fields, s *S) {
			if v, ok := d.str(f, name, at(s)); ok && !emptyMeansNone && strings.TrimSpace(v.text) == "" {
				d.errs.atNode(v, sub(f.path, name), "must not be empty")
			}
			*at(s) = resolve(d.dir, *at(s))
		},
		show: func(w *yamlWriter, n int, c *Config, s *S) { w.kv(n, name, q(c.rel(*at(s)))) },
	}
}

// strListKey is a list of non-empty strings; ok, when set, checks each.
func strListKey[S any](name string, at func(*S) *[]string, ok check[string]) key[S] {
	return key[S]{name: name,
		read: func(d *decoder, f *fields, s *S) {
			items, _ := d.strList(f, name)
			if ok != nil {
				for _, it := range items {
					if msg := ok(it.s, it.s); msg != "" {
						d.errs.atNode(it.n, it.path, "%s", msg)
					}
				}
			}
			*at(s) = strs(items)
		},
		show: func(w *yamlWriter, n int, _ *Config, s *S) { w.kv(n, name, qlist(*at(s))) },
	}
}

// sectionKey is a mapping of its own (mail.smtp), read with its table.
func sectionKey[S, T any](name string, at func(*S) *T, sec *section[T]) key[S] {
	return key[S]{name: name,
		def:  func(s *S) { sec.defaults(at(s)) },
		read: func(d *decoder, f *fields, s *S) { sec.read(d, f.get(name), sub(f.path, name), at(s)) },
		show: func(w *yamlWriter, n int, c *Config, s *S) {
			w.key(n, name)
			sec.show(w, n+2, c, at(s))
		},
	}
}

// listKey is a list of mappings, each read with the table item. each, when
// set, is called for every item read (with its fields, for the checks
// across items), and decides whether it is kept. def gives the default
// list. "[]" is shown for an empty list.
func listKey[S, T any](name string, at func(*S) *[]T, item *section[T], def func() []T,
	each func(d *decoder, f *fields, t *T) bool) key[S] {
	return key[S]{name: name,
		def: func(s *S) {
			if def != nil {
				*at(s) = def()
			}
		},
		read: func(d *decoder, f *fields, s *S) {
			items, ok := d.list(f, name)
			if !ok {
				return
			}
			var list []T // the file's list replaces the default
			for i, it := range items {
				p := index(sub(f.path, name), i)
				if !d.needMapping(it, p) {
					continue
				}
				var t T
				item.defaults(&t)
				itf, _ := item.read(d, it, p, &t)
				if each == nil || each(d, itf, &t) {
					list = append(list, t)
				}
			}
			*at(s) = list
		},
		show: func(w *yamlWriter, n int, c *Config, s *S) {
			list := *at(s)
			if len(list) == 0 {
				w.kv(n, name, "[]")
				return
			}
			w.key(n, name)
			for i := range list {
				w.item(n + 2)
				item.show(w, n+4, c, &list[i])
			}
		},
	}
}
