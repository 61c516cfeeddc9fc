package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestSearchOverlapParses reads okta.search_overlap as a duration, and
// leaves it at zero (the default) when it is left out.
func TestSearchOverlapParses(t *testing.T) {
	for doc, want := range map[string]time.Duration{
		"okta:\n  search_overlap: 30m\n":   30 * time.Minute,
		"okta:\n  search_overlap: 1h\n":    time.Hour,
		"okta:\n  search_overlap: 1m\n":    time.Minute,
		"okta:\n  search_overlap: 24h\n":   24 * time.Hour,
		"okta:\n  domain: https://x\n":     0,
		"okta:\n  search_overlap:\n":       0,
		"okta:\n  search_overlap: 90s\n":   90 * time.Second,
		"okta:\n  search_overlap: 2h30m\n": 150 * time.Minute,
	} {
		cfg, err := Parse([]byte(doc))
		if err != nil {
			t.Errorf("Parse(%q): %v", doc, err)
			continue
		}
		if got := time.Duration(cfg.Okta.SearchOverlap); got != want {
			t.Errorf("Parse(%q): search overlap %v, want %v", doc, got, want)
		}
	}
}

// TestSearchOverlapParseErrors names the line, the field and the fix.
func TestSearchOverlapParseErrors(t *testing.T) {
	for doc, want := range map[string][]string{
		"okta:\n  search_overlap: 15\n":        {"line 2", "okta.search_overlap", "has no unit", "15m"},
		"okta:\n  search_overlap: often\n":     {"line 2", "okta.search_overlap", `"often" is not a duration`, "1m to 24h"},
		"okta:\n  search_overlap: [15m]\n":     {"line 2", "okta.search_overlap", "must be a duration", "15m"},
		"okta:\n  search_overlap: \"a\\nb\"\n": {"line 2", `"a\nb"`},
	} {
		_, err := Parse([]byte(doc))
		if err == nil {
			t.Errorf("Parse(%q) succeeded; want an error", doc)
			continue
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Parse(%q) error %q does not mention %q", doc, err, w)
			}
		}
	}
}

// TestSearchOverlapBounds accepts 1m to 24h (and zero, the default) and
// refuses anything else with the range and the default.
func TestSearchOverlapBounds(t *testing.T) {
	for _, d := range []time.Duration{0, time.Minute, 15 * time.Minute, 24 * time.Hour} {
		c := valid()
		c.Okta.SearchOverlap = Overlap(d)
		if err := c.Validate(); err != nil {
			t.Errorf("overlap %v: %v", d, err)
		}
	}
	for d, shown := range map[time.Duration]string{
		30 * time.Second:           "30s",
		-5 * time.Minute:           "-5m0s",
		24*time.Hour + time.Minute: "1441m",
		48 * time.Hour:             "48h",
	} {
		c := valid()
		c.Okta.SearchOverlap = Overlap(d)
		want := "invalid configuration: okta.search_overlap: " + shown + " is outside 1m to 24h; " +
			"use a duration such as 30m, or leave it out for 15m; Okta's users search can show a change minutes late, and the overlap reads those again"
		if err := c.Validate(); err == nil || err.Error() != want {
			t.Errorf("overlap %v: %v\nwant %s", d, err, want)
		}
	}
}

// TestSearchOverlapRoundTrip exports the overlap as it is written and
// imports it back unchanged; the default is left out of the export.
func TestSearchOverlapRoundTrip(t *testing.T) {
	c := valid()
	c.Okta.SearchOverlap = Overlap(45 * time.Minute)
	out, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "\n  search_overlap: 45m\n") {
		t.Errorf("the export does not write search_overlap: 45m:\n%s", out)
	}
	back, err := Parse(out)
	if err != nil || !reflect.DeepEqual(normalized(back), normalized(c)) {
		t.Fatalf("round trip: %v\n%+v\nwant %+v", err, back, c)
	}
	out, err = valid().Marshal()
	if err != nil || strings.Contains(string(out), "search_overlap") {
		t.Errorf("the default overlap is exported (%v):\n%s", err, out)
	}
}
