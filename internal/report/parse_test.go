package report

import (
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	cases := []struct {
		name      string
		in        string
		want      time.Time
		wantUntil time.Time
		err       string
	}{
		{"empty", "", time.Time{}, time.Time{}, ""},
		{"date", "2026-01-31", time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), ""},
		{"date at year end", " 2026-12-31 ", time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), ""},
		{"UTC minute", "2026-01-31T14:30", time.Date(2026, 1, 31, 14, 30, 0, 0, time.UTC), time.Date(2026, 1, 31, 14, 30, 0, 0, time.UTC), ""},
		{"UTC minute with space", "2026-01-31 14:30", time.Date(2026, 1, 31, 14, 30, 0, 0, time.UTC), time.Date(2026, 1, 31, 14, 30, 0, 0, time.UTC), ""},
		{"RFC 3339 with zone", "2026-01-31T14:30:00+01:00", time.Date(2026, 1, 31, 13, 30, 0, 0, time.UTC), time.Date(2026, 1, 31, 13, 30, 0, 0, time.UTC), ""},
		{"not a date", "last tuesday", time.Time{}, time.Time{}, `cannot read time "last tuesday"`},
		{"day out of range", "2026-02-30", time.Time{}, time.Time{}, "write a date such as 2026-01-31"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseTime(c.in)
			until, uerr := ParseUntil(c.in)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || uerr == nil {
					t.Fatalf("ParseTime(%q) error %v, ParseUntil error %v, want %q", c.in, err, uerr, c.err)
				}
				return
			}
			if err != nil || uerr != nil {
				t.Fatalf("ParseTime(%q): %v, ParseUntil: %v", c.in, err, uerr)
			}
			if !got.Equal(c.want) || got.Location() != time.UTC {
				t.Errorf("ParseTime(%q) = %v, want %v", c.in, got, c.want)
			}
			if !until.Equal(c.wantUntil) {
				t.Errorf("ParseUntil(%q) = %v, want %v", c.in, until, c.wantUntil)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	cases := []struct {
		in   string
		want Format
		err  bool
	}{
		{"csv", FormatCSV, false},
		{"JSONL", FormatJSONL, false},
		{"json", FormatJSONL, false},
		{" html ", FormatHTML, false},
		{"pdf", FormatPDF, false},
		{"xlsx", "", true},
		{"", "", true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseFormat(c.in)
			if (err != nil) != c.err || got != c.want {
				t.Errorf("ParseFormat(%q) = %q, %v", c.in, got, err)
			}
			if err != nil && !strings.Contains(err.Error(), "use csv, jsonl, html or pdf") {
				t.Errorf("error %q does not say which formats exist", err)
			}
		})
	}
}
