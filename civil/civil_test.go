package civil

import (
	"fmt"
	"testing"
	"time"
)

func TestAddMonthsClampsToMonthEnd(t *testing.T) {
	for _, tc := range []struct {
		in   Date
		n    int
		want Date
	}{
		{D(2024, 1, 31), 1, D(2024, 2, 29)},   // leap year
		{D(2023, 1, 31), 1, D(2023, 2, 28)},   // common year
		{D(2024, 2, 29), 12, D(2025, 2, 28)},  // 29 February plus a year
		{D(2024, 2, 29), 48, D(2028, 2, 29)},  // four years later it exists again
		{D(2024, 3, 31), -1, D(2024, 2, 29)},  // backwards into February
		{D(2020, 1, 4), -9, D(2019, 4, 4)},    // across a year boundary
		{D(2024, 12, 15), 1, D(2025, 1, 15)},  // December to January
		{D(2024, 1, 15), -1, D(2023, 12, 15)}, // January to December
		{D(2024, 5, 31), -12, D(2023, 5, 31)},
		{D(1, 1, 1), -1, D(0, 12, 1)},
	} {
		if got := tc.in.AddMonths(tc.n); got != tc.want {
			t.Errorf("%v.AddMonths(%d) = %v, want %v", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestAddDaysAndDaysUntil(t *testing.T) {
	if got, want := D(2024, 2, 28).AddDays(1), D(2024, 2, 29); got != want {
		t.Errorf("got %v, want %v", got, want)
	}
	if got, want := D(2024, 3, 1).AddDays(-1), D(2024, 2, 29); got != want {
		t.Errorf("got %v, want %v", got, want)
	}
	// 2025-03-30 is 23 hours long in Berlin; day counting must not care.
	if got := D(2025, 3, 29).DaysUntil(D(2025, 3, 31)); got != 2 {
		t.Errorf("DaysUntil = %d, want 2", got)
	}
	if got := D(2025, 1, 10).DaysUntil(D(2025, 1, 1)); got != -9 {
		t.Errorf("DaysUntil = %d, want -9", got)
	}
}

func TestEndOfDayAcrossDST(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// The day of the spring-forward change lasts 23 hours.
	d := D(2025, 3, 30)
	if got := d.End(berlin).Sub(d.Start(berlin)); got != 23*time.Hour {
		t.Errorf("length of 2025-03-30 in Berlin = %v, want 23h", got)
	}
	if got, want := d.End(berlin).UTC(), time.Date(2025, 3, 30, 22, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("End = %v, want %v", got, want)
	}
}

func TestParseDate(t *testing.T) {
	if _, err := ParseDate("2023-02-29"); err == nil {
		t.Error("2023-02-29 accepted")
	}
	d, err := ParseDate("2024-02-29")
	if err != nil || d != D(2024, 2, 29) {
		t.Errorf("ParseDate = %v, %v", d, err)
	}
	if D(2024, 2, 29).String() != "2024-02-29" || (Date{}).String() != "" {
		t.Error("String")
	}
	if got := FromDayNumber(D(2031, 7, 9).DayNumber()); got != D(2031, 7, 9) {
		t.Errorf("day number round trip = %v", got)
	}
}

func TestParseSpan(t *testing.T) {
	for in, want := range map[string]Span{
		"30d":    {Days: 30},
		"2w":     {Days: 14},
		"9mo":    {Months: 9},
		"1y":     {Months: 12},
		"1y6mo":  {Months: 18},
		"1y 6mo": {Months: 18},
		"1mo1d":  {Months: 1, Days: 1},
	} {
		got, err := ParseSpan(in)
		if err != nil || got != want {
			t.Errorf("ParseSpan(%q) = %v, %v; want %v", in, got, err, want)
		}
		if back, err := ParseSpan(got.String()); err != nil || back != got {
			t.Errorf("round trip of %q via %q = %v, %v", in, got.String(), back, err)
		}
	}
	for _, bad := range []string{"", "30", "d", "3 months", "5m", "-1d", "99999999999d"} {
		if _, err := ParseSpan(bad); err == nil {
			t.Errorf("ParseSpan(%q) accepted", bad)
		}
	}
}

func TestParseInstant(t *testing.T) {
	vientiane, err := time.LoadLocation("Asia/Vientiane")
	if err != nil {
		t.Fatal(err)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in   string
		loc  *time.Location
		want string // RFC 3339 in UTC
	}{
		{"2027-01-04T08:00:00+07:00", berlin, "2027-01-04T01:00:00Z"}, // an offset wins over the zone
		{"2027-01-04 08:00", vientiane, "2027-01-04T01:00:00Z"},
		{"2027-01-04T08:00", vientiane, "2027-01-04T01:00:00Z"},
		{"2027-01-04 08:00:30", vientiane, "2027-01-04T01:00:30Z"},
		{"2027-01-04", vientiane, "2027-01-04T16:59:59Z"}, // the last second of the day
		{"2027-03-28", berlin, "2027-03-28T21:59:59Z"},    // a 23-hour day (summer time starts)
		{"2028-02-29", time.UTC, "2028-02-29T23:59:59Z"},
	} {
		got, err := ParseInstant(c.in, c.loc)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if s := got.UTC().Format(time.RFC3339); s != c.want {
			t.Errorf("%q in %s: %s, want %s", c.in, c.loc, s, c.want)
		}
	}
	for _, in := range []string{"", "tomorrow", "2027-02-30", "04/01/2027", "2027-01-04 8am"} {
		_, err := ParseInstant(in, time.UTC)
		want := fmt.Sprintf("%q: expected a time such as 2027-01-04T08:00:00+07:00, \"2027-01-04 08:00\" (in the config's time zone) or 2027-01-04 (the end of that day)", in)
		if err == nil || err.Error() != want {
			t.Errorf("%q: error %v, want %s", in, err, want)
		}
	}
}
