// Package civil holds calendar dates and calendar spans.
//
// UN documents and admins speak in dates ("by 4 January 2020", "9 months
// before the report is due"), not instants. A Date has no time zone; it
// becomes an instant only when a zone is given (see Date.Start and Date.End).
// Month arithmetic clamps to the end of the month, so 31 January plus one
// month is 28 (or 29) February, never 3 March as time.AddDate would give.
package civil

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar date. The zero Date means "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// D builds a Date; it does not normalise out-of-range values.
func D(year int, month time.Month, day int) Date { return Date{year, month, day} }

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses YYYY-MM-DD and rejects impossible dates such as 2023-02-29.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("invalid date %q: expected YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	// By hand rather than with fmt: the sweep formats a date for every
	// deadline of every task group.
	b := make([]byte, 0, 10)
	b = appendPadded(b, d.Year, 4)
	b = append(b, '-')
	b = appendPadded(b, int(d.Month), 2)
	b = append(b, '-')
	return string(appendPadded(b, d.Day, 2))
}

// appendPadded appends n in decimal, zero-padded to width digits (a
// negative year keeps fmt's form: a minus sign, then the digits).
func appendPadded(b []byte, n, width int) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
		width--
	}
	s := strconv.Itoa(n)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// Start is the first instant of d in loc. On a day that starts inside a
// daylight-saving gap, time.Date moves it to the first valid instant.
func (d Date) Start(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// End is the first instant after d in loc: a deadline on date d holds until
// then ("a date-only deadline means the end of that day in the config's zone").
func (d Date) End(loc *time.Location) time.Time {
	return d.AddDays(1).Start(loc)
}

// AddDays adds n calendar days (n may be negative).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// AddMonths adds n calendar months, clamping the day to the last day of the
// target month: 2024-01-31 + 1 month = 2024-02-29; 2024-02-29 + 12 months =
// 2025-02-28.
func (d Date) AddMonths(n int) Date {
	total := d.Year*12 + int(d.Month-1) + n
	y, m := total/12, time.Month(total%12+1)
	if total < 0 && total%12 != 0 {
		y, m = total/12-1, time.Month(total%12+13)
	}
	day := d.Day
	if last := daysIn(y, m); day > last {
		day = last
	}
	return Date{y, m, day}
}

// Add adds a span: months first (clamped), then days.
func (d Date) Add(s Span) Date { return d.AddMonths(s.Months).AddDays(s.Days) }

// Sub subtracts a span: months first (clamped), then days.
func (d Date) Sub(s Span) Date { return d.AddMonths(-s.Months).AddDays(-s.Days) }

// DaysUntil returns the number of calendar days from d to e (negative if e is
// before d).
func (d Date) DaysUntil(e Date) int {
	a := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	b := time.Date(e.Year, e.Month, e.Day, 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Compare returns -1, 0 or +1.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmp(d.Year, e.Year)
	case d.Month != e.Month:
		return cmp(int(d.Month), int(e.Month))
	default:
		return cmp(d.Day, e.Day)
	}
}

// DayNumber is the number of days since 1970-01-01; it orders dates as
// integers, which is how the store indexes deadlines.
func (d Date) DayNumber() int64 {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// FromDayNumber is the inverse of DayNumber.
func FromDayNumber(n int64) Date { return DateOf(time.Unix(n*86400, 0).UTC()) }

// MarshalText encodes YYYY-MM-DD; the zero Date encodes as "".
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText decodes YYYY-MM-DD; "" decodes as the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func cmp(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Span is a calendar span: whole months and whole days. Years are 12 months,
// weeks are 7 days.
type Span struct {
	Months int
	Days   int
}

// IsZero reports whether s is empty.
func (s Span) IsZero() bool { return s == Span{} }

// String formats s in the syntax ParseSpan accepts, e.g. "1y6mo", "30d".
func (s Span) String() string {
	if s.IsZero() {
		return "0d"
	}
	var b strings.Builder
	if y := s.Months / 12; y != 0 {
		fmt.Fprintf(&b, "%dy", y)
	}
	if m := s.Months % 12; m != 0 {
		fmt.Fprintf(&b, "%dmo", m)
	}
	if s.Days != 0 {
		fmt.Fprintf(&b, "%dd", s.Days)
	}
	return b.String()
}

// ErrSpan is wrapped by every ParseSpan error.
var ErrSpan = errors.New("invalid span")

// ParseSpan parses a calendar span: one or more <number><unit> with unit
// y (years), mo (months), w (weeks) or d (days), e.g. "30d", "9mo", "1y6mo",
// "2w". Spaces between parts are allowed ("1y 6mo").
func ParseSpan(s string) (Span, error) {
	in := strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if in == "" {
		return Span{}, fmt.Errorf("%w %q: expected a number and a unit (d, w, mo, y), e.g. 30d or 9mo", ErrSpan, s)
	}
	var sp Span
	for in != "" {
		i := 0
		for i < len(in) && in[i] >= '0' && in[i] <= '9' {
			i++
		}
		if i == 0 {
			return Span{}, fmt.Errorf("%w %q: expected a number and a unit (d, w, mo, y), e.g. 30d or 9mo", ErrSpan, s)
		}
		n, err := strconv.Atoi(in[:i])
		if err != nil || n > 100000 {
			return Span{}, fmt.Errorf("%w %q: number out of range", ErrSpan, s)
		}
		in = in[i:]
		switch {
		case strings.HasPrefix(in, "mo"):
			sp.Months += n
			in = in[2:]
		case strings.HasPrefix(in, "y"):
			sp.Months += 12 * n
			in = in[1:]
		case strings.HasPrefix(in, "w"):
			sp.Days += 7 * n
			in = in[1:]
		case strings.HasPrefix(in, "d"):
			sp.Days += n
			in = in[1:]
		default:
			return Span{}, fmt.Errorf("%w %q: unknown unit; use d (days), w (weeks), mo (months) or y (years)", ErrSpan, s)
		}
	}
	return sp, nil
}

// ParseInstant reads a point in time as an admin writes it on the command
// line: RFC 3339, "YYYY-MM-DD HH:MM" (or with a T, or with seconds) in loc,
// or a date alone, meaning the last second of that day in loc (everything
// due that day).
func ParseInstant(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	if d, err := ParseDate(s); err == nil {
		return d.End(loc).Add(-time.Second), nil
	}
	return time.Time{}, fmt.Errorf("%q: expected a time such as 2027-01-04T08:00:00+07:00, \"2027-01-04 08:00\" (in the config's time zone) or 2027-01-04 (the end of that day)", s)
}
