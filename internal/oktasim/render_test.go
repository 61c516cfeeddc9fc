package oktasim

import (
	"encoding/json"
	"testing"
	"time"
)

func TestAppendTimeMatchesOktaFormat(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2017, 7, 13, 22, 8, 25, 0, time.UTC),
		time.Date(2025, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(2001, 2, 3, 4, 5, 6, 7_000_000, time.FixedZone("x", 3600)),
	} {
		got := string(appendTime(nil, tm))
		if want := `"` + tm.UTC().Format(timeLayout) + `"`; got != want {
			t.Errorf("appendTime(%v) = %s, want %s", tm, got, want)
		}
	}
	if got := string(appendTime(nil, time.Time{})); got != "null" {
		t.Errorf("zero time = %s, want null", got)
	}
}

func TestAppendStringIsValidJSON(t *testing.T) {
	for _, s := range []string{"plain", `quote " and \ backslash`, "tab\tnew\nline\x01", "ünïcödé ✓", "bad \xff byte"} {
		b := appendString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("appendString(%q) = %s: %v", s, b, err)
		}
		if want := string([]rune(s)); back != want && s != "bad \xff byte" {
			t.Errorf("round trip of %q gave %q", s, back)
		}
	}
}
