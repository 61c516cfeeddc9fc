package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/store"
)

// twoSources is the fixture as connection "Contoso → EU1" and a smaller
// history as the removed connection "Fabrikam".
func twoSources(t *testing.T) []Source {
	t.Helper()
	ctx := context.Background()
	b := openStore(t)
	id, err := b.StartRun(ctx, store.TriggerSchedule, t0)
	if err != nil {
		t.Fatal(err)
	}
	changes := []store.Change{
		{At: t0.Add(time.Minute), User: "zoe@fabrikam.example", OktaID: "00uZoe", Action: store.ActionGrant, Role: "Administrator", Group: "Ops", Reason: "member of Ops"},
		{At: t0.Add(72 * time.Hour), User: "bob@example.com", OktaID: "00uFbob", Action: store.ActionRevoke, Role: "Auditor", Group: "Ops", Reason: "left Ops"},
	}
	if err := b.AddChanges(ctx, id, changes); err != nil {
		t.Fatal(err)
	}
	if err := b.FinishRun(ctx, store.Run{ID: id, Status: store.StatusSucceeded, FinishedAt: t0.Add(73 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return []Source{{Name: "Contoso → EU1", Store: newFixture(t)}, {Name: "Fabrikam", Removed: true, Store: b}}
}

func exportAll(t *testing.T, srcs []Source, opts Options) []byte {
	t.Helper()
	opts.Now = fixedNow
	var buf bytes.Buffer
	if err := ExportAll(context.Background(), srcs, &buf, opts); err != nil {
		t.Fatalf("export all %s: %v", opts.Format, err)
	}
	return buf.Bytes()
}

func TestExportAllCSVGolden(t *testing.T) {
	golden(t, "fixture-all.csv", exportAll(t, twoSources(t), Options{Format: FormatCSV}))
}

func TestExportAllNamesEveryRowAndFilters(t *testing.T) {
	srcs := twoSources(t)
	cases := []struct {
		name   string
		filter store.ChangeFilter
		want   map[string]int // rows per connection label
	}{
		{"all", store.ChangeFilter{}, map[string]int{"Contoso → EU1": 15, "Fabrikam (removed)": 2}},
		{"user", store.ChangeFilter{User: "bob@example.com"}, map[string]int{"Contoso → EU1": 2, "Fabrikam (removed)": 1}},
		{"action", store.ChangeFilter{Action: store.ActionRevoke}, map[string]int{"Contoso → EU1": 2, "Fabrikam (removed)": 1}},
		{"time", store.ChangeFilter{Since: t0.Add(48 * time.Hour)}, map[string]int{"Contoso → EU1": 6, "Fabrikam (removed)": 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var done, total int64
			csvOut := exportAll(t, srcs, Options{Format: FormatCSV, Filter: tc.filter, Progress: func(d, n int64) { done, total = d, n }})
			got := map[string]int{}
			rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvOut, []byte("\uFEFF")))).ReadAll()
			if err != nil || len(rows) == 0 || rows[0][0] != "Connection" {
				t.Fatalf("csv: %v %q", err, rows)
			}
			for _, r := range rows[1:] {
				got[r[0]]++
			}
			check(t, "csv", got, tc.want)
			if want := int64(tc.want["Contoso → EU1"] + tc.want["Fabrikam (removed)"]); done != want || total != want {
				t.Errorf("progress ended at %d of %d, want %d", done, total, want)
			}
			got = map[string]int{}
			conns := map[string]bool{}
			for i, l := range bytes.Split(bytes.TrimSuffix(exportAll(t, srcs, Options{Format: FormatJSONL, Filter: tc.filter}), []byte("\n")), []byte("\n")) {
				var v struct {
					Type, Connection, User, Action string
					Removed                        bool
				}
				if err := json.Unmarshal(l, &v); err != nil {
					t.Fatalf("line %d: %v", i, err)
				}
				switch v.Type {
				case "connection":
					conns[v.Connection] = v.Removed
				case "change":
					got[v.Connection]++
					if (tc.filter.User != "" && v.User != tc.filter.User) || (tc.filter.Action != "" && v.Action != tc.filter.Action) {
						t.Errorf("line %d is outside the filter: %s", i, l)
					}
				}
			}
			page := string(exportAll(t, srcs, Options{Format: FormatHTML, Filter: tc.filter}))
			check(t, "html", map[string]int{
				"Contoso → EU1":      strings.Count(page, "<td>Contoso → EU1</td><td class=\"n\">"),
				"Fabrikam (removed)": strings.Count(page, "<td>Fabrikam (removed)</td><td class=\"n\">"),
			}, tc.want)
			if n := strings.Count(page, "<tr"); n-strings.Count(page, "<td>Contoso → EU1</td><td class=\"n\">")-strings.Count(page, "<td>Fabrikam (removed)</td><td class=\"n\">") != htmlOtherRows(t, srcs, tc.filter) {
				t.Errorf("html: rows not naming a connection")
			}
			for what, want := range map[string]int{"<!DOCTYPE html>": 1, "</html>": 1, "<h2>Signed chain head</h2>": 2,
				"<h1>Contoso → EU1</h1>": 1, "<h1>Fabrikam (removed)</h1>": 1, "<th>Connection</th>": 2} {
				if n := strings.Count(page, what); n != want {
					t.Errorf("html: %d of %q, want %d", n, what, want)
				}
			}
			text := pdfText(t, exportAll(t, srcs, Options{Format: FormatPDF, Filter: tc.filter}))
			if !strings.Contains(text, "Contoso -> EU1") {
				t.Errorf("pdf: the connection's arrow is not spelled \"->\" (the core fonts have no →)")
			}
			check(t, "pdf", map[string]int{
				"Contoso → EU1":      len(regexp.MustCompile(`(?m)^\s*Contoso \S+ EU1\s+\d+\s+\d{4}-`).FindAllString(text, -1)),
				"Fabrikam (removed)": len(regexp.MustCompile(`(?m)^\s*Fabrikam \(removed\)\s+\d+\s+\d{4}-`).FindAllString(text, -1)),
			}, tc.want)
			if n := strings.Count(text, "Signed chain head"); n != 2 {
				t.Errorf("pdf: %d signed chain heads, want 2", n)
			}
			check(t, "jsonl", map[string]int{"Contoso → EU1": got["Contoso → EU1"], "Fabrikam (removed)": got["Fabrikam"]}, tc.want)
			if len(conns) != 2 || conns["Contoso → EU1"] || !conns["Fabrikam"] {
				t.Errorf("connection lines: %v", conns)
			}
		})
	}
}

func check(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d rows of %q, want %d (all: %v)", what, got[k], k, n, got)
		}
	}
	if len(got) > len(want) {
		t.Errorf("%s: rows of other connections: %v", what, got)
	}
}

func TestExportAllRefuses(t *testing.T) {
	srcs := twoSources(t)
	for _, opts := range []Options{
		{Format: FormatCSV, Filter: store.ChangeFilter{RunID: 1}},
		{Format: "docx"},
	} {
		if err := ExportAll(context.Background(), srcs, &bytes.Buffer{}, opts); err == nil {
			t.Errorf("%+v: no error", opts)
		}
	}
	if err := ExportAll(context.Background(), nil, &bytes.Buffer{}, Options{Format: FormatCSV}); err == nil {
		t.Error("no sources: no error")
	}
}

// htmlOtherRows counts the table rows of the summaries (not changes) of
// each source's single-connection HTML report.
func htmlOtherRows(t *testing.T, srcs []Source, f store.ChangeFilter) int {
	t.Helper()
	n := 0
	for _, src := range srcs {
		page := string(export(t, src.Store, Options{Format: FormatHTML, Filter: f}))
		n += strings.Count(page, "<tr") - strings.Count(page, "<tr><td class=\"n\">") - strings.Count(page, "<tr class=\"held\"><td class=\"n\">")
	}
	return n
}

func TestPDFAllColumnsFillTheTable(t *testing.T) {
	var sum float64
	for _, c := range pdfAllColumns(&pdfDoc{}) {
		sum += c.width
	}
	if sum != pdfTableWidth {
		t.Errorf("columns add up to %.1f mm, the table is %.1f mm", sum, pdfTableWidth)
	}
}
