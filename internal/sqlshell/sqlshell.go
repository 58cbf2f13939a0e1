// Package sqlshell writes a statement the store ran, with its arguments,
// as text the sqlite3 shell runs: the bench tools (bench/sweepsql,
// bench/dashsql) time the shell on the same SQL as followup, the floor
// followup's figures are compared with.
package sqlshell

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Inline writes args into sql in place of its ? placeholders, as SQL
// literals. A ? inside a quoted string is left alone.
func Inline(sql string, args []any) string {
	var b strings.Builder
	i := 0
	inString := false
	for _, c := range sql {
		switch {
		case c == '\'':
			inString = !inString
		case c == '?' && !inString && i < len(args):
			b.WriteString(Literal(args[i]))
			i++
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Literal is v as an SQLite literal.
func Literal(v any) string {
	switch x := v.(type) {
	case string:
		return "'" + strings.ReplaceAll(x, "'", "''") + "'"
	case []byte:
		return "X'" + hex.EncodeToString(x) + "'"
	case bool:
		if x {
			return "1"
		}
		return "0"
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case nil:
		return "NULL"
	}
	return fmt.Sprintf("'%v'", v)
}
