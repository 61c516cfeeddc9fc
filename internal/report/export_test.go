package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/store"
)

func TestGolden(t *testing.T) {
	st := newFixture(t)
	for _, f := range []Format{FormatCSV, FormatJSONL, FormatHTML} {
		t.Run(string(f), func(t *testing.T) {
			golden(t, "fixture"+f.Extension(), export(t, st, Options{Format: f}))
		})
	}
	t.Run("csv filtered", func(t *testing.T) {
		golden(t, "fixture-engineering.csv", export(t, st, Options{Format: FormatCSV, Filter: store.ChangeFilter{Group: "Engineering"}}))
	})
	t.Run("html filtered", func(t *testing.T) {
		golden(t, "fixture-run4.html", export(t, st, Options{Format: FormatHTML, Filter: store.ChangeFilter{RunID: 4}}))
	})
}

// csvRows parses a CSV export the way a spreadsheet import would.
func csvRows(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\uFEFF")) {
		t.Fatalf("CSV does not start with a UTF-8 BOM: %q", b[:min(len(b), 8)])
	}
	rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestCSV(t *testing.T) {
	st := newFixture(t)
	b := export(t, st, Options{Format: FormatCSV})
	for i, line := range strings.SplitAfter(string(b), "\n") {
		if line != "" && !strings.HasSuffix(line, "\r\n") {
			t.Errorf("line %d does not end in CRLF: %q", i, line)
		}
	}
	rows := csvRows(t, b)
	if len(rows) != 16 {
		t.Fatalf("got %d rows, want a header and 15 changes", len(rows))
	}
	if got := strings.Join(rows[0], "|"); got != "Change ID|Time (UTC)|Run|User|Okta ID|Action|Role|Group|Reason|Held|Hash" {
		t.Errorf("header = %s", got)
	}
	byID := map[string][]string{}
	for _, r := range rows[1:] {
		byID[r[0]] = r
	}
	cases := []struct {
		name string
		id   string
		col  int
		want string
	}{
		{"formula in user", "7", 3, "'=HYPERLINK(\"http://evil.example\",\"x\")"},
		{"plus in group", "7", 7, "'+Contractors"},
		{"minus in reason", "7", 8, "'-1+2"},
		{"at in user", "8", 3, "'@mallory"},
		{"at in role", "8", 6, "'@SUM(A1)"},
		{"tab in reason", "8", 8, "'\tcmd|' /C calc'!A0"},
		{"markup kept as text", "8", 7, "<script>alert(1)</script>"},
		// A reader turns the CRLF inside a quoted cell into LF, as Excel does.
		{"quotes, comma and line break kept", "9", 8, "said \"hi\", then left\nsecond line"},
		{"non-ASCII name", "3", 8, "José Müller joined Engineering"},
		{"time in RFC 3339 UTC", "12", 1, "2026-03-05T10:31:00.25Z"},
		{"held", "10", 9, "yes"},
		{"not held", "1", 9, "no"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, ok := byID[c.id]
			if !ok {
				t.Fatalf("change %s missing", c.id)
			}
			if r[c.col] != c.want {
				t.Errorf("change %s column %q = %q, want %q", c.id, rows[0][c.col], r[c.col], c.want)
			}
		})
	}
	// The hash column is the stored hash, whole.
	all, err := st.QueryChanges(context.Background(), store.ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if last := rows[len(rows)-1]; last[10] != all[len(all)-1].Hash || len(last[10]) != 64 {
		t.Errorf("last hash = %q, want %q", last[10], all[len(all)-1].Hash)
	}
}

func TestNeutralise(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"plain", "alice@example.com", "alice@example.com"},
		{"equals", "=1+1", "'=1+1"},
		{"plus", "+1", "'+1"},
		{"minus", "-1", "'-1"},
		{"at", "@A1", "'@A1"},
		{"tab", "\t=1", "'\t=1"},
		{"carriage return", "\r=1", "'\r=1"},
		{"inner equals kept", "a=b", "a=b"},
		{"apostrophe kept", "'quoted", "'quoted"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := neutralise(c.in); got != c.want {
				t.Errorf("neutralise(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestJSONL(t *testing.T) {
	st := newFixture(t)
	since := t0.Add(24 * time.Hour)
	b := export(t, st, Options{Format: FormatJSONL, Filter: store.ChangeFilter{Since: since, Action: store.ActionGrant}})
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	var h jsonlHeader
	if err := json.Unmarshal([]byte(lines[0]), &h); err != nil {
		t.Fatal(err)
	}
	headID, headHash, err := st.ChainHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if h.Type != "header" || h.Count != 2 || h.ChainHead.ID != headID || h.ChainHead.Hash != headHash ||
		h.Filter.Action != "grant" || h.Filter.Since != "2026-03-03T09:00:00Z" || h.Generated != "2026-03-06T08:00:00Z" {
		t.Errorf("header = %+v", h)
	}
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want a header and 2 changes:\n%s", len(lines), b)
	}
	// Each line carries what the chain hash covers: recomputing it gives the
	// stored hash.
	for _, l := range lines[1:] {
		var c jsonlChange
		if err := json.Unmarshal([]byte(l), &c); err != nil {
			t.Fatal(err)
		}
		at, err := time.Parse(time.RFC3339Nano, c.At)
		if err != nil {
			t.Fatal(err)
		}
		sc := store.Change{ID: c.ID, RunID: c.Run, At: at, User: c.User, OktaID: c.OktaID, Action: c.Action,
			Role: c.Role, Group: c.Group, Reason: c.Reason, Held: c.Held}
		if got := store.ChainHash(c.PrevHash, sc); got != c.Hash {
			t.Errorf("change %d: recomputed hash %s, exported %s", c.ID, got, c.Hash)
		}
		if c.Action != "grant" || at.Before(since) {
			t.Errorf("change %d (%s at %s) does not match the filter", c.ID, c.Action, c.At)
		}
	}
}

func TestFilters(t *testing.T) {
	st := newFixture(t)
	cases := []struct {
		name   string
		filter store.ChangeFilter
		want   []string // change IDs
	}{
		{"all", store.ChangeFilter{}, []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"}},
		{"run", store.ChangeFilter{RunID: 3}, []string{"10", "11"}},
		{"user", store.ChangeFilter{User: "jose.muller@example.com"}, []string{"3", "4", "14"}},
		{"group", store.ChangeFilter{Group: "IT Admins"}, []string{"1", "2", "10", "15"}},
		{"role", store.ChangeFilter{Role: "Read Only"}, []string{"4", "9", "14"}},
		{"action", store.ChangeFilter{Action: store.ActionDisable}, []string{"11", "13"}},
		{"since inclusive", store.ChangeFilter{Since: t0.Add(72*time.Hour + 91*time.Minute)}, []string{"12", "13", "14", "15"}},
		{"until exclusive", store.ChangeFilter{Until: t0.Add(2 * time.Minute)}, []string{"1", "2"}},
		{"period", store.ChangeFilter{Since: t0.Add(24 * time.Hour), Until: t0.Add(48 * time.Hour)}, []string{"6", "7", "8", "9"}},
		{"combined", store.ChangeFilter{Group: "Engineering", Action: store.ActionRevoke}, []string{"14"}},
		{"limit and after", store.ChangeFilter{AfterID: 5, Limit: 3}, []string{"6", "7", "8"}},
		{"nothing", store.ChangeFilter{User: "nobody@example.com"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var progress [][2]int64
			b := export(t, st, Options{Format: FormatCSV, Filter: c.filter, Progress: func(done, total int64) {
				progress = append(progress, [2]int64{done, total})
			}})
			var got []string
			for _, r := range csvRows(t, b)[1:] {
				got = append(got, r[0])
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("changes %v, want %v", got, c.want)
			}
			n := int64(len(c.want))
			if len(progress) < 2 || progress[0] != [2]int64{0, n} || progress[len(progress)-1] != [2]int64{n, n} {
				t.Errorf("progress %v, want it to go from 0 to %d of %d", progress, n, n)
			}
			// The summary counts the same rows as the table.
			h := string(export(t, st, Options{Format: FormatHTML, Filter: c.filter}))
			if want := "<h2>Changes (" + strconv.FormatInt(n, 10) + ")</h2>"; !strings.Contains(h, want) {
				t.Errorf("HTML lacks %q", want)
			}
		})
	}
}

func TestExportErrors(t *testing.T) {
	st := newFixture(t)
	cases := []struct {
		name string
		opts Options
		want string
	}{
		{"no format", Options{}, "no format"},
		{"unknown format", Options{Format: "xlsx"}, `unknown format "xlsx"`},
		{"empty period", Options{Format: FormatCSV, Filter: store.ChangeFilter{Since: t0, Until: t0}}, "the period is empty"},
		{"unknown action", Options{Format: FormatCSV, Filter: store.ChangeFilter{Action: "delete"}}, `unknown action "delete"`},
		{"unknown run", Options{Format: FormatCSV, Filter: store.ChangeFilter{RunID: 99}}, "run 99 does not exist"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Export(context.Background(), st, io.Discard, c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := Export(ctx, st, io.Discard, Options{Format: FormatCSV}); err == nil {
			t.Error("export with a cancelled context succeeded")
		}
	})
	t.Run("write fails", func(t *testing.T) {
		if err := Export(context.Background(), st, failWriter{}, Options{Format: FormatJSONL}); err == nil {
			t.Error("export to a failing writer succeeded")
		}
	})
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestHTMLIsSelfContainedAndEscaped(t *testing.T) {
	st := newFixture(t)
	h := string(export(t, st, Options{Format: FormatHTML}))
	for _, bad := range []string{"<script", "<link", "src=", "url(", "@import", `href="http`} {
		if strings.Contains(h, bad) {
			t.Errorf("HTML contains %q: markup from the data or an external asset", bad)
		}
	}
	// The group appears in the top groups (template) and in the rows.
	if n := strings.Count(h, "&lt;script&gt;alert(1)&lt;/script&gt;"); n != 2 {
		t.Errorf("escaped group appears %d times, want 2", n)
	}
	for _, want := range []string{"<svg", "<style>", "José Müller joined Engineering", "=HYPERLINK(&#34;http://evil.example&#34;,&#34;x&#34;)"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

func TestExportStopsMidway(t *testing.T) {
	st := openStore(t)
	fillHistory(t, st, 3, 1000)
	t.Run("write fails after the first rows", func(t *testing.T) {
		w := &limitWriter{left: 100 << 10}
		err := Export(context.Background(), st, w, Options{Format: FormatCSV})
		if !errors.Is(err, io.ErrClosedPipe) {
			t.Fatalf("error %v, want the writer's", err)
		}
	})
	t.Run("cancelled while writing", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var last int64
		err := Export(ctx, st, io.Discard, Options{Format: FormatJSONL, Progress: func(done, _ int64) {
			last = done
			if done >= 1024 {
				cancel()
			}
		}})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
		if last >= 3000 {
			t.Errorf("export ran to the end (%d rows) after being cancelled", last)
		}
	})
}

// limitWriter accepts left bytes, then fails.
type limitWriter struct{ left int }

func (w *limitWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		return 0, io.ErrClosedPipe
	}
	w.left -= len(p)
	return len(p), nil
}
