package report

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rolesync/rolesync/internal/store"
)

// FuzzExportFilter checks the export filters as `rolesync export` reads
// them: the format and the times parse or are refused on one line, parsed
// times print and parse back to the same instant, an --until date covers
// its whole day; and a JSON lines export of the fixture history with the
// fuzzed filter holds exactly the changes an in-memory filter of the whole
// history selects (run, user, group, role, action, since inclusive, until
// exclusive, after-id, limit), or is refused on one line when the filter
// cannot select anything sensible.
func FuzzExportFilter(f *testing.F) {
	st := newFixture(f)
	all := exportedChanges(f, st, store.ChangeFilter{})
	if len(all) < 10 {
		f.Fatalf("the fixture holds %d changes", len(all))
	}
	f.Fuzz(func(t *testing.T, format, since, until, user, group, role, action string, run int64, limit, after uint8) {
		if fm, err := ParseFormat(format); err != nil {
			fuzzOneLine(t, "ParseFormat", err)
		} else if again, err := ParseFormat(string(fm)); !slices.Contains(Formats, fm) || err != nil || again != fm {
			t.Fatalf("ParseFormat(%q) = %q, which reads back as %q, %v", format, fm, again, err)
		}
		s, err := ParseTime(since)
		if err != nil {
			fuzzOneLine(t, "ParseTime", err)
			return
		}
		if !s.IsZero() {
			back, err := ParseTime(s.Format(time.RFC3339Nano))
			if s.Location() != time.UTC || err != nil || !back.Equal(s) {
				t.Fatalf("ParseTime(%q) = %v, which prints and reads back as %v, %v", since, s, back, err)
			}
		}
		u, err := ParseUntil(until)
		if err != nil {
			fuzzOneLine(t, "ParseUntil", err)
			return
		}
		plain, _ := ParseTime(until)
		if d := u.Sub(plain); d != 0 && d != 24*time.Hour {
			t.Fatalf("ParseUntil(%q) = %v, %v after ParseTime", until, u, d)
		}
		filter := store.ChangeFilter{RunID: run % 8, User: user, Group: group, Role: role, Action: action,
			Since: s, Until: u, Limit: int(limit % 16), AfterID: int64(after % 32)}
		var buf bytes.Buffer
		err = Export(context.Background(), st, &buf, Options{Format: FormatJSONL, Filter: filter, Now: fixedNow})
		if err != nil {
			fuzzOneLine(t, "Export", err)
			if checkFilter(filter) == nil && filter.RunID <= 5 {
				t.Fatalf("Export refused a sensible filter %+v: %v", filter, err)
			}
			return
		}
		var want []int64
		for _, c := range all {
			at, _ := time.Parse(time.RFC3339Nano, c.At)
			if (filter.RunID == 0 || c.Run == filter.RunID) && (user == "" || c.User == user) && (group == "" || c.Group == group) &&
				(role == "" || c.Role == role) && (action == "" || c.Action == action) &&
				(s.IsZero() || !at.Before(s)) && (u.IsZero() || at.Before(u)) && c.ID > filter.AfterID {
				want = append(want, c.ID)
			}
		}
		if filter.Limit > 0 && len(want) > filter.Limit {
			want = want[:filter.Limit]
		}
		var got []int64
		for _, c := range parseJSONL(t, buf.Bytes()) {
			got = append(got, c.ID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("filter %+v exported changes %v, want %v", filter, got, want)
		}
	})
}

func fuzzOneLine(t *testing.T, what string, err error) {
	t.Helper()
	if msg := err.Error(); strings.TrimSpace(msg) == "" || strings.ContainsAny(msg, "\r\n") || !utf8.ValidString(msg) {
		t.Fatalf("%s: error is not one line of text: %q", what, msg)
	}
}

// exportedChanges exports the changes f selects as JSON lines and reads
// them back.
func exportedChanges(t testing.TB, st *store.Store, f store.ChangeFilter) []jsonlChange {
	t.Helper()
	var buf bytes.Buffer
	if err := Export(context.Background(), st, &buf, Options{Format: FormatJSONL, Filter: f, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	return parseJSONL(t, buf.Bytes())
}

func parseJSONL(t testing.TB, b []byte) []jsonlChange {
	t.Helper()
	var out []jsonlChange
	for i, line := range bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")) {
		if i == 0 {
			continue // the header
		}
		var c jsonlChange
		if err := json.Unmarshal(line, &c); err != nil {
			t.Fatalf("line %d of the export: %v", i+1, err)
		}
		out = append(out, c)
	}
	return out
}
