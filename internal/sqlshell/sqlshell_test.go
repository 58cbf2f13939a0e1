package sqlshell

import "testing"

func TestInline(t *testing.T) {
	for _, c := range []struct {
		sql  string
		args []any
		want string
	}{
		{"SELECT ? + ?", []any{1, int64(2)}, "SELECT 1 + 2"},
		{"WHERE a = ? AND b = '?' AND c = ?", []any{"O'Hara", true}, "WHERE a = 'O''Hara' AND b = '?' AND c = 1"},
		{"VALUES (?, ?, ?)", []any{[]byte{0xca, 0xfe}, nil, false}, "VALUES (X'cafe', NULL, 0)"},
		{"SELECT ?, ?", []any{2.5}, "SELECT '2.5', ?"}, // fewer arguments: the rest stay
	} {
		if got := Inline(c.sql, c.args); got != c.want {
			t.Errorf("Inline(%q) = %q, want %q", c.sql, got, c.want)
		}
	}
}
