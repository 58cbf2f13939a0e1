package notify

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/followup-app/followup/civil"
)

var icsStamp = time.Date(2027, 1, 4, 8, 30, 0, 0, time.FixedZone("ICT", 7*3600))

func TestICSStructure(t *testing.T) {
	got := string(ICS("-//followup//followup//EN", []Event{{
		UID:             "task-42.2027-06-30@followup.example.org",
		Date:            civil.D(2027, 12, 31),
		Summary:         "Report on CRC/C/LAO/CO/3-6, para 12",
		Description:     "Line one\nLine two; with \\ backslash",
		URL:             "https://followup.example.org/tasks/42?a=1,2;b",
		AlarmDaysBefore: 7,
	}}, icsStamp))
	want := strings.Join([]string{
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//followup//followup//EN",
		"CALSCALE:GREGORIAN",
		"METHOD:PUBLISH",
		"BEGIN:VEVENT",
		"UID:task-42.2027-06-30@followup.example.org",
		"DTSTAMP:20270104T013000Z",
		"DTSTART;VALUE=DATE:20271231",
		"DTEND;VALUE=DATE:20280101",
		`SUMMARY:Report on CRC/C/LAO/CO/3-6\, para 12`,
		`DESCRIPTION:Line one\nLine two\; with \\ backslash`,
		"URL:https://followup.example.org/tasks/42?a=1,2;b",
		"TRANSP:TRANSPARENT",
		"BEGIN:VALARM",
		"ACTION:DISPLAY",
		"TRIGGER:-P7D",
		`DESCRIPTION:Report on CRC/C/LAO/CO/3-6\, para 12`,
		"END:VALARM",
		"END:VEVENT",
		"END:VCALENDAR",
		"",
	}, "\r\n")
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestICSEscape(t *testing.T) {
	tests := map[string]string{
		`a,b;c\d`:                 `a\,b\;c\\d`,
		"one\r\ntwo\rthree\nfour": `one\ntwo\nthree\nfour`,
		"tab\tkept, bell\a gone":  "tab\tkept\\, bell gone",
		laoTitle:                  laoTitle,
	}
	for in, want := range tests {
		if got := escapeText(in); got != want {
			t.Errorf("escapeText(%q) = %q, want %q", in, got, want)
		}
	}
}

// Long Lao text (3 octets a character) is folded at 75 octets without
// splitting a character, and unfolds to the original.
func TestICSFoldingMultiByte(t *testing.T) {
	desc := strings.Repeat(laoTitle+", ", 12)
	ev := Event{UID: "t1@followup", Date: civil.D(2027, 6, 30), Summary: laoTitle, Description: desc}
	out := string(ICS("-//followup//EN", []Event{ev}, icsStamp))
	if !strings.HasSuffix(out, "\r\n") {
		t.Fatal("no final CRLF")
	}
	physical := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
	folds := 0
	for i, l := range physical {
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i, l)
		}
		if len(l) > 75 {
			t.Errorf("line %d is %d octets: %q", i, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a UTF-8 sequence: %q", i, l)
		}
		if strings.HasPrefix(l, " ") {
			folds++
		}
	}
	if folds < 5 {
		t.Fatalf("only %d folded lines for a %d-octet description", folds, len(desc))
	}

	// Parse: unfold, then every content line is NAME[;PARAM=...]:VALUE,
	// BEGIN/END nest, and the values come back unescaped.
	props := parseICS(t, out)
	if got := unescapeText(props["DESCRIPTION"]); got != desc {
		t.Errorf("DESCRIPTION round trip:\n got %q\nwant %q", got, desc)
	}
	if got := props["SUMMARY"]; got != laoTitle {
		t.Errorf("SUMMARY %q", got)
	}
}

func TestICSFoldBoundaries(t *testing.T) {
	// Every split position of a multi-byte rune around the 75th octet.
	for pad := 0; pad < 4; pad++ {
		line := "DESCRIPTION:" + strings.Repeat("x", 60+pad) + strings.Repeat("ກ", 30)
		out := foldString(line)
		for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
			if len(l) > 75 || !utf8.ValidString(l) {
				t.Errorf("pad %d: bad physical line %q (%d octets)", pad, l, len(l))
			}
		}
		if got := strings.ReplaceAll(strings.TrimSuffix(out, "\r\n"), "\r\n ", ""); got != line {
			t.Errorf("pad %d: unfolds to %q", pad, got)
		}
	}
	if out := foldString(strings.Repeat("a", 75)); strings.Contains(out, "\r\n ") {
		t.Error("a 75-octet line was folded")
	}
}

func TestICSDates(t *testing.T) {
	out := string(ICS("p", []Event{{UID: "u", Date: civil.D(2028, 2, 28), Summary: "s"}}, icsStamp))
	if !strings.Contains(out, "DTSTART;VALUE=DATE:20280228\r\nDTEND;VALUE=DATE:20280229\r\n") {
		t.Errorf("leap day: %s", out)
	}
	if strings.Contains(out, "VALARM") || strings.Contains(out, "URL:") || strings.Contains(out, "DESCRIPTION") {
		t.Errorf("optional properties present: %s", out)
	}
}

func foldString(line string) string {
	var b bytes.Buffer
	writeFolded(&b, line)
	return b.String()
}

// parseICS unfolds out and checks its structure; it returns the
// properties of the (single) VEVENT by name.
func parseICS(t *testing.T, out string) map[string]string {
	t.Helper()
	unfolded := strings.ReplaceAll(out, "\r\n ", "")
	lines := strings.Split(strings.TrimSuffix(unfolded, "\r\n"), "\r\n")
	var stack []string
	props := map[string]string{}
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		if !ok || name == "" {
			t.Fatalf("not a content line: %q", l)
		}
		base, _, _ := strings.Cut(name, ";")
		if strings.ToUpper(base) != base {
			t.Errorf("property name %q not upper case", base)
		}
		switch base {
		case "BEGIN":
			stack = append(stack, value)
		case "END":
			if len(stack) == 0 || stack[len(stack)-1] != value {
				t.Fatalf("END:%s does not match %v", value, stack)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 2 && stack[1] == "VEVENT" {
				props[base] = value
			}
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed components %v", stack)
	}
	if lines[0] != "BEGIN:VCALENDAR" {
		t.Fatalf("first line %q", lines[0])
	}
	return props
}

func unescapeText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			if s[i] == 'n' || s[i] == 'N' {
				b.WriteByte('\n')
			} else {
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
