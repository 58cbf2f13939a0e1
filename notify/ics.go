package notify

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/followup-app/followup/civil"
)

// Event is one deadline as an all-day calendar event.
type Event struct {
	// UID must be stable for the same deadline (e.g. derived from the task
	// id and the deadline), so that a calendar updates the event it already
	// has instead of adding a second one.
	UID         string
	Date        civil.Date // the deadline's day; must not be zero
	Summary     string
	Description string
	URL         string // optional link to the task
	// AlarmDaysBefore adds a display alarm this many days before the
	// event; 0 means no alarm. An alarm that would fire before the
	// calendar's stamp (midnight of its day has passed) is left out: a
	// calendar would ring it at once, or never.
	AlarmDaysBefore int
}

// icsLineLimit is the longest content line RFC 5545 §3.1 allows, in octets,
// without the CRLF.
const icsLineLimit = 75

// ICS renders events as an iCalendar object (RFC 5545) with METHOD:PUBLISH,
// ready to attach as "text/calendar; charset=utf-8; method=PUBLISH".
// Events are all-day (VALUE=DATE), so they fall on the same calendar day in
// every time zone, which is what a date-only deadline means. stamp becomes
// DTSTAMP, in UTC.
func ICS(prodID string, events []Event, stamp time.Time) []byte {
	var b bytes.Buffer
	w := func(line string) { writeFolded(&b, line) }

	w("BEGIN:VCALENDAR")
	w("VERSION:2.0")
	// PRODID is free text but not TEXT-escaped by convention
	// ("-//org//product//EN" contains no specials); only strip control characters.
	w("PRODID:" + stripControls(prodID))
	w("CALSCALE:GREGORIAN")
	w("METHOD:PUBLISH")
	dtstamp := stamp.UTC().Format("20060102T150405Z")
	for _, e := range events {
		w("BEGIN:VEVENT")
		w("UID:" + escapeText(e.UID))
		w("DTSTAMP:" + dtstamp)
		w("DTSTART;VALUE=DATE:" + icsDate(e.Date))
		// DTEND is exclusive: an all-day event on D ends at the start of D+1.
		w("DTEND;VALUE=DATE:" + icsDate(e.Date.AddDays(1)))
		w("SUMMARY:" + escapeText(e.Summary))
		if e.Description != "" {
			w("DESCRIPTION:" + escapeText(e.Description))
		}
		if e.URL != "" {
			// URI values are not TEXT: commas and semicolons stay as they are.
			w("URL:" + stripControls(e.URL))
		}
		// Clients show TRANSPARENT events as free time: a deadline does not
		// block the day.
		w("TRANSP:TRANSPARENT")
		if e.AlarmDaysBefore > 0 && alarmAhead(e.Date.AddDays(-e.AlarmDaysBefore), stamp) {
			w("BEGIN:VALARM")
			w("ACTION:DISPLAY")
			w(fmt.Sprintf("TRIGGER:-P%dD", e.AlarmDaysBefore))
			w("DESCRIPTION:" + escapeText(e.Summary))
			w("END:VALARM")
		}
		w("END:VEVENT")
	}
	w("END:VCALENDAR")
	return b.Bytes()
}

// alarmAhead tells whether an all-day alarm on day (at its midnight, in
// the zone of stamp) is still to come at stamp.
func alarmAhead(day civil.Date, stamp time.Time) bool {
	return time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, stamp.Location()).After(stamp)
}

func icsDate(d civil.Date) string {
	return fmt.Sprintf("%04d%02d%02d", d.Year, int(d.Month), d.Day)
}

// escapeText escapes an RFC 5545 TEXT value (§3.3.11): backslash, comma and
// semicolon get a backslash, every line break becomes the two characters
// "\n", and other control characters (forbidden in content lines) are
// dropped.
func escapeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\\', r == ',', r == ';':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// stripControls removes the control characters RFC 5545 forbids in a
// content line (all but HTAB), for values that are not TEXT.
func stripControls(s string) string {
	return strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\t') || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// writeFolded writes one content line, folded so that no physical line is
// longer than 75 octets (§3.1): a fold is CRLF followed by one space, and the
// space counts toward the next line's 75. A fold never splits a UTF-8
// sequence, since some parsers decode each physical line on its own.
func writeFolded(b *bytes.Buffer, line string) {
	limit := icsLineLimit
	for len(line) > limit {
		cut := limit
		// Back up to the start of a rune: a continuation byte has the bits 10xxxxxx.
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		if cut == 0 { // not UTF-8 at all; cannot happen for escaped values
			cut = limit
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = icsLineLimit - 1 // the leading space takes one octet
	}
	b.WriteString(line)
	b.WriteString("\r\n")
}
