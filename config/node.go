package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// The config is decoded in two steps. First goccy/go-yaml's parser turns
// the bytes into an AST, and toNode turns that into the small tree below:
// maps, lists and scalars, each with its line and column, anchors and
// aliases resolved. Then each section's table of keys (keys.go), with the
// readers of decode.go, reads that tree into Config, so that every
// mistake, from an unknown key to a ministry that does not exist, is
// reported where it is in the file.

type kind uint8

const (
	nullNode kind = iota // absent value: `key:` with nothing after it, or ~
	scalarNode
	mapNode
	seqNode
)

// node is one YAML value with its position.
type node struct {
	kind      kind
	line, col int

	text   string       // scalars: the value, unquoted and unescaped
	scalar ast.NodeType // scalars: what YAML made of it (StringType, IntegerType, BoolType…)

	pairs []pair  // maps, in file order
	items []*node // lists

	// broken marks a value the converter could not give and has already
	// reported (an alias to no anchor, an unsupported structure), or a
	// mapping that lost a key that way (a merge key). The walker still
	// reads the rest of the file around it, so that its other mistakes
	// come out in the same run; errors at a broken node are not repeated
	// (errorList.atNode, decoder.missing).
	broken bool
}

// pair is one key of a map.
type pair struct {
	key    string
	keyPos *node
	val    *node
}

// describe names a node's kind for "expected …, found …" messages.
func (n *node) describe() string {
	switch n.kind {
	case mapNode:
		return "a mapping"
	case seqNode:
		return "a list"
	case nullNode:
		return "nothing"
	}
	return fmt.Sprintf("%q", n.text)
}

// maxDepth bounds nesting: a config is never deeper than 6 levels, and a
// bound keeps hostile input ([[[[…) from costing more than it must.
const maxDepth = 64

// parseYAML parses data and returns the root value of its one document (a
// null node for an empty file). A syntax error is returned as an *Error at
// the real line and column the parser reports.
func parseYAML(data []byte, errs *errorList) (root *node) {
	f, err := parseAST(data)
	if err != nil {
		line, col := 1, 1
		msg := err.Error()
		var se interface {
			GetMessage() string
			GetToken() *token.Token
		}
		if errors.As(err, &se) {
			msg = se.GetMessage()
			if tk := se.GetToken(); tk != nil && tk.Position != nil {
				line, col = tk.Position.Line, tk.Position.Column
			}
		}
		line, col, msg = explainIndent(data, line, col, msg)
		errs.at(line, col, "", "malformed YAML: %s", msg)
		return nil
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		return &node{kind: nullNode, line: 1, col: 1}
	}
	if len(docs) > 1 {
		line, col := 1, 1
		if tk := docs[1].Start; tk != nil && tk.Position != nil {
			line, col = tk.Position.Line, tk.Position.Column
		} else if tk := docs[1].Body.GetToken(); tk != nil && tk.Position != nil {
			line, col = tk.Position.Line, tk.Position.Column
		}
		errs.at(line, col, "", "malformed YAML: found a second document (---); the config is one document")
		// The first document is still checked, so that its own mistakes
		// come out in this run too.
	}
	return convertAST(docs[0].Body, errs)
}

// parseAST calls the parser. goccy/go-yaml is a large hand-written parser;
// a panic inside it on some odd input must not take `followup config check`
// or the daemon's reload down, so it becomes a syntax error.
func parseAST(data []byte) (f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("parser failed: %v", r)
		}
	}()
	// Duplicate keys are allowed here and reported by the walker, so that
	// they come out with every other mistake instead of stopping the parse.
	return parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
}

// convertAST turns the parser's AST into nodes. The AST's shapes are the
// parser's business and vary with its version; should one ever surprise the
// converter into a panic, that is a malformed file, not a crash of the
// daemon's reload.
func convertAST(body ast.Node, errs *errorList) (root *node) {
	defer func() {
		if r := recover(); r != nil {
			root = nil
			errs.at(1, 1, "", "malformed YAML: unsupported structure (%v)", r)
		}
	}()
	c := converter{errs: errs, anchors: map[string]*node{}}
	return c.convert(body, 0)
}

type converter struct {
	errs    *errorList
	anchors map[string]*node
}

func pos(tk *token.Token) (int, int) {
	if tk == nil || tk.Position == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}

func (c *converter) convert(n ast.Node, depth int) *node {
	if n == nil {
		return &node{kind: nullNode}
	}
	line, col := pos(n.GetToken())
	if depth > maxDepth {
		c.errs.at(line, col, "", "malformed YAML: nested more than %d levels deep", maxDepth)
		return &node{kind: nullNode, line: line, col: col, broken: true}
	}
	switch n := n.(type) {
	case *ast.NullNode:
		return &node{kind: nullNode, line: line, col: col}
	case *ast.StringNode:
		return &node{kind: scalarNode, line: line, col: col, text: n.Value, scalar: ast.StringType}
	case *ast.LiteralNode:
		text := ""
		if n.Value != nil {
			text = n.Value.Value
		}
		return &node{kind: scalarNode, line: line, col: col, text: text, scalar: ast.StringType}
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		text := ""
		if tk := n.GetToken(); tk != nil {
			text = tk.Value
		}
		return &node{kind: scalarNode, line: line, col: col, text: text, scalar: n.Type()}
	case *ast.MappingNode:
		m := &node{kind: mapNode, line: line, col: col}
		// A block mapping's token is its first colon; the admin thinks of
		// the mapping as starting at its first key.
		if !n.IsFlowStyle && len(n.Values) > 0 && n.Values[0].Key != nil {
			m.line, m.col = pos(n.Values[0].Key.GetToken())
		}
		for _, mv := range n.Values {
			c.addPair(m, mv, depth)
		}
		return m
	case *ast.MappingValueNode:
		m := &node{kind: mapNode}
		if n.Key != nil {
			m.line, m.col = pos(n.Key.GetToken())
		}
		c.addPair(m, n, depth)
		return m
	case *ast.SequenceNode:
		s := &node{kind: seqNode, line: line, col: col}
		for _, v := range n.Values {
			s.items = append(s.items, c.convert(v, depth+1))
		}
		return s
	case *ast.AnchorNode:
		v := c.convert(n.Value, depth+1)
		if name := anchorName(n.Name); name != "" {
			c.anchors[name] = v
		}
		return v
	case *ast.AliasNode:
		name := anchorName(n.Value)
		if v, ok := c.anchors[name]; ok {
			return v
		}
		c.errs.at(line, col, "", "malformed YAML: alias *%s refers to no anchor &%s defined above it", name, name)
		return &node{kind: nullNode, line: line, col: col, broken: true}
	case *ast.TagNode:
		v := c.convert(n.Value, depth+1)
		// !!str 123 is the string "123"; other tags add nothing the walker
		// needs, since it checks every value's type itself.
		if n.Start != nil && n.Start.Value == "!!str" && v.kind == scalarNode {
			v.scalar = ast.StringType
		}
		return v
	case *ast.MappingKeyNode:
		return c.convert(n.Value, depth+1)
	case *ast.CommentGroupNode, *ast.CommentNode:
		return &node{kind: nullNode, line: line, col: col}
	}
	c.errs.at(line, col, "", "malformed YAML: unsupported %s", n.Type())
	return &node{kind: nullNode, line: line, col: col, broken: true}
}

func (c *converter) addPair(m *node, mv *ast.MappingValueNode, depth int) {
	if mv == nil {
		return
	}
	if mv.Key != nil && mv.Key.IsMergeKey() {
		line, col := pos(mv.Key.GetToken())
		c.errs.at(line, col, "", "malformed YAML: merge keys (<<) are not supported; write the keys out")
		m.broken = true
		return
	}
	k := c.convert(mv.Key, depth+1)
	if k.kind != scalarNode {
		c.errs.atNode(k, "", "malformed YAML: a key must be a plain word, found %s", k.describe())
		m.broken = true
		return
	}
	m.pairs = append(m.pairs, pair{key: k.text, keyPos: k, val: c.convert(mv.Value, depth+1)})
}

func anchorName(n ast.Node) string {
	if n == nil {
		return ""
	}
	if s, ok := n.(*ast.StringNode); ok {
		return s.Value
	}
	if tk := n.GetToken(); tk != nil {
		return tk.Value
	}
	return ""
}

// explainIndent rewords the parser's two messages for an indentation
// mistake ("value is not allowed in this context", "mapping value is not
// allowed in this context"), which say nothing to an admin, and moves the
// second to the line that is wrong: the parser reports it at the value on
// the line before the over-indented one.
func explainIndent(data []byte, line, col int, msg string) (int, int, string) {
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	if line < 1 || line > len(lines) {
		return line, col, msg
	}
	indent := func(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }
	// keyCol is where the key of a line starts, after any "- ".
	keyCol := func(s string) int {
		t := strings.TrimLeft(s, " ")
		n := indent(s)
		for strings.HasPrefix(t, "- ") {
			t = strings.TrimLeft(t[2:], " ")
			n = len(s) - len(t)
		}
		return n + 1
	}
	blank := func(s string) bool {
		t := strings.TrimSpace(s)
		return t == "" || strings.HasPrefix(t, "#")
	}
	switch msg {
	case "mapping value is not allowed in this context":
		for next := line; next < len(lines); next++ { // lines[next] is line next+1
			if blank(lines[next]) {
				continue
			}
			if indent(lines[next]) > indent(lines[line-1]) {
				return next + 1, indent(lines[next]) + 1, fmt.Sprintf("this line is indented more than line %d above it, whose key already has a value: "+
					"line its key up with the keys above it (column %d), or remove the value of the key it belongs under (%s)",
					line, keyCol(lines[line-1]), msg)
			}
			break
		}
		return line, col, fmt.Sprintf("a value with a colon and a space in it: put the value in quotes (%s)", msg)
	case "value is not allowed in this context":
		for prev := line - 2; prev >= 0; prev-- {
			if blank(lines[prev]) {
				continue
			}
			return line, col, fmt.Sprintf("this line's indentation does not match the lines above it: its key starts at column %d, "+
				"the key above it at column %d; keys of one section must line up exactly, with spaces (%s)", col, keyCol(lines[prev]), msg)
		}
	}
	return line, col, msg
}
