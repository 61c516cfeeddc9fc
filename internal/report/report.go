// Package report exports the change history kept in the store as audit
// reports for auditors: CSV (safe to open in Excel), JSON lines, a
// self-contained HTML page and a PDF. Every export streams the changes row by
// row, so memory does not grow with the number of rows; the summaries (counts
// by action, top groups and roles, the people who lost access, changes per
// day) are the store's aggregates over the export's scope (store.Scope); the
// package itself runs no SQL. The HTML, PDF and JSON lines reports also
// carry the audit chain head, the result of verifying the chain and its
// signed checkpoints, and the signed head (the checkpoint's message, its
// Ed25519 signature and the public key), which an auditor can check with
// openssl alone.
package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/rolesync/rolesync/internal/store"
)

// Format is an export file format.
type Format string

// Export formats.
const (
	FormatCSV   Format = "csv"
	FormatJSONL Format = "jsonl"
	FormatHTML  Format = "html"
	FormatPDF   Format = "pdf"
)

// Formats lists the export formats in the order they are offered.
var Formats = []Format{FormatCSV, FormatJSONL, FormatHTML, FormatPDF}

// ParseFormat reads a format name as given on the command line ("csv",
// "jsonl", "html" or "pdf"; "json" is taken as "jsonl").
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case FormatCSV, FormatJSONL, FormatHTML, FormatPDF:
		return f, nil
	case "json":
		return FormatJSONL, nil
	}
	return "", fmt.Errorf("unknown export format %q; use csv, jsonl, html or pdf", s)
}

// Extension returns the usual file name extension of the format, with the dot.
func (f Format) Extension() string { return "." + string(f) }

// MaxPDFRows is the largest number of changes a PDF export accepts, about
// 1,400 pages. A PDF is laid out in memory before it is written, so a bigger
// selection should be narrowed with a filter or exported as CSV or JSON
// lines, which stream.
const MaxPDFRows = 50_000

// Options select what an export writes.
type Options struct {
	Format Format
	// Filter selects the changes. Since is inclusive, Until exclusive.
	Filter store.ChangeFilter
	// Progress, when set, is called with the number of changes written so far
	// and the total to write: once before the summary and the first row, every
	// few hundred rows, and once at the end.
	Progress func(done, total int64)
	// Now is the generation time printed in the report; zero means the
	// current time.
	Now time.Time
	// Trust is what the keyring vouches for (the audit signing key's public
	// half and the last checkpoint it recorded); the report checks the
	// chain and its signed checkpoints against it. Zero: the keyring was
	// not read, and the report says so.
	Trust store.Trust
}

// progressEvery is how many rows pass between two Progress calls.
const progressEvery = 512

// Export writes the changes selected by opts to w in opts.Format. The export
// covers the history as it stood when Export started: changes recorded while
// it runs are left out of the rows and of the summary alike.
func Export(ctx context.Context, st *store.Store, w io.Writer, opts Options) error {
	if err := checkExport(ctx, st, w, opts); err != nil {
		return err
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	opts.Now = opts.Now.UTC()
	sc, err := st.Scope(ctx, opts.Filter)
	if err != nil {
		return fmt.Errorf("export %s: %w", opts.Format, err)
	}
	total, err := sc.Count(ctx)
	if err != nil {
		return fmt.Errorf("export %s: %w", opts.Format, err)
	}
	if opts.Progress != nil {
		opts.Progress(0, total)
	}
	x := &exporter{st: st, opts: opts, scope: sc, total: total}
	switch opts.Format {
	case FormatCSV:
		err = x.csv(ctx, w)
	case FormatJSONL:
		err = x.jsonl(ctx, w)
	case FormatHTML:
		err = x.html(ctx, w)
	case FormatPDF:
		err = x.pdf(ctx, w)
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", opts.Format, err)
	}
	return nil
}

// checkExport rejects an export that cannot run: no store or output, a
// filter that selects nothing sensible, an unknown format or run.
func checkExport(ctx context.Context, st *store.Store, w io.Writer, opts Options) error {
	if st == nil {
		return errors.New("export: no store; open the history database first")
	}
	if w == nil {
		return errors.New("export: no output; pass a file or buffer to write to")
	}
	if err := checkFilter(opts.Filter); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	switch opts.Format {
	case FormatCSV, FormatJSONL, FormatHTML, FormatPDF:
	case "":
		return errors.New("export: no format; use csv, jsonl, html or pdf")
	default:
		return fmt.Errorf("export: unknown format %q; use csv, jsonl, html or pdf", opts.Format)
	}
	if id := opts.Filter.RunID; id != 0 {
		if _, err := st.Run(ctx, id); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("export: run %d does not exist; pick a run number from the history: %w", id, err)
		} else if err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	return nil
}

// earliest and latest are the first and last times the history can hold.
var earliest, latest = time.Unix(0, math.MinInt64).UTC(), time.Unix(0, math.MaxInt64).UTC()

// checkFilter rejects filters that cannot select anything sensible.
func checkFilter(f store.ChangeFilter) error {
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return fmt.Errorf("the period is empty: since %s is not before until %s; swap them or widen the period",
			f.Since.UTC().Format(time.RFC3339), f.Until.UTC().Format(time.RFC3339))
	}
	if f.Action != "" && actionIndex(f.Action) < 0 {
		return fmt.Errorf("unknown action %q; use one of %s", f.Action, strings.Join(actionOrder, ", "))
	}
	// The history keeps times as int64 nanoseconds since 1970; a bound
	// outside that range would wrap around and silently select nothing.
	for _, b := range []struct {
		what string
		t    time.Time
	}{{"start", f.Since}, {"end", f.Until}} {
		if !b.t.IsZero() && (b.t.Before(earliest) || b.t.After(latest)) {
			return fmt.Errorf("the period's %s %s is outside %s to %s, the times the history can hold; leave it out to export from the first change or up to the last",
				b.what, b.t.UTC().Format(time.RFC3339), earliest.Format(time.DateOnly), latest.Format(time.DateOnly))
		}
	}
	if f.RunID < 0 || f.Limit < 0 || f.AfterID < 0 {
		return errors.New("run, limit and after-id must not be negative")
	}
	return nil
}

// exporter holds what one export needs.
type exporter struct {
	st    *store.Store
	opts  Options
	scope *store.ChangeScope
	total int64
}

// ParseTime reads a time given on the command line: a date ("2026-01-31",
// midnight UTC), a date and time in UTC ("2026-01-31 14:30" or
// "2026-01-31T14:30"), or RFC 3339 with a zone ("2026-01-31T14:30:00+01:00").
// An empty string gives the zero time, which does not filter.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02", "2006-01-02T15:04", "2006-01-02 15:04",
		"2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read time %q; write a date such as 2026-01-31, a UTC time such as 2026-01-31T14:30, or RFC 3339 such as 2026-01-31T14:30:00+01:00", s)
}

// ParseUntil reads the end of a period as ParseTime does, except that a bare
// date includes that whole day: "2026-01-31" gives 2026-02-01 00:00 UTC, the
// exclusive end that ChangeFilter.Until expects.
func ParseUntil(s string) (time.Time, error) {
	t, err := ParseTime(s)
	if err != nil || t.IsZero() {
		return t, err
	}
	if _, err := time.Parse("2006-01-02", strings.TrimSpace(s)); err == nil {
		return t.AddDate(0, 0, 1), nil
	}
	return t, nil
}
