package report

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"iter"
	"time"

	"github.com/rolesync/rolesync/internal/store"
)

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"day":     func(t time.Time) string { return t.Format("2006-01-02") },
	"stamp":   func(t time.Time) string { return t.Format("2006-01-02 15:04:05") },
	"short":   shortHash,
	"yesNo":   yesNo,
	"f1":      func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"pct":     pct,
	"more":    func(total int64, shown int) int64 { return total - int64(shown) },
	"actionN": func(a actionCount) int64 { return a.Applied + a.Held },
}).Parse(htmlSource))

// htmlData is what the HTML template renders.
type htmlData struct {
	S      *summary
	Period string
	Verify string
	Chart  geometry
	Title  string
	Rows   iter.Seq[store.Change]
}

// shortHash is the first 12 hex digits of a hash, enough to tell rows apart
// by eye; the full hash is in the CSV and JSON lines exports.
func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func pct(part, whole int64) string {
	if whole == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(part)/float64(whole))
}

// html writes one self-contained page: inline CSS, an inline SVG chart and
// the change table, streamed row by row. html/template escapes every value.
func (x *exporter) html(ctx context.Context, w io.Writer) error {
	s, err := x.summarise(ctx)
	if err != nil {
		return err
	}
	var rowsErr error
	rows := func(yield func(store.Change) bool) {
		rowsErr = x.each(ctx, func(c store.Change) error {
			if !yield(c) {
				return errStop
			}
			return nil
		})
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	d := htmlData{S: s, Period: s.periodText(), Verify: s.verifyText(), Chart: s.Chart.layout(880, 230, 11),
		Title: s.Chart.title(), Rows: rows}
	if err := htmlTemplate.Execute(bw, d); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	if rowsErr != nil && !errors.Is(rowsErr, errStop) {
		return rowsErr
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return nil
}
