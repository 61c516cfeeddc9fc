package report

import (
	"context"
	"fmt"
	"io"

	"github.com/rolesync/rolesync/internal/store"
)

// pdfAll lays out a PDF report across connections: for each connection in
// turn, the report of one connection (its summary page titled with the
// connection, its change table, its chain of custody and signed head), the
// change table gaining a first column that names the connection. The
// limit on rows is MaxPDFRows across them all.
func pdfAll(ctx context.Context, xs []sourceExport, w io.Writer) error {
	var total int64
	for _, x := range xs {
		total += x.total
	}
	if total > maxPDFRows {
		return fmt.Errorf("%d changes selected, more than the %d a PDF report holds; narrow the period or other filters, or export csv or jsonl", total, maxPDFRows)
	}
	var d *pdfDoc
	for _, x := range xs {
		s, err := x.summarise(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", x.src.label(), err)
		}
		if d == nil {
			d = newPDF(s)
			d.cols = pdfAllColumns(d)
		}
		d.s, d.conn = s, x.src.label()
		if err := x.pdfSection(ctx, d); err != nil {
			return fmt.Errorf("%s: %w", x.src.label(), err)
		}
	}
	if err := d.Output(w); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	return nil
}

// pdfAllColumns is the change table of a report across connections: a
// 30 mm Connection column first, naming the section's connection, and User
// and Reason 14 and 16 mm narrower, so the table keeps its width.
func pdfAllColumns(d *pdfDoc) []pdfColumn {
	cols := make([]pdfColumn, 0, len(pdfColumns)+1)
	cols = append(cols, pdfColumn{"Connection", 30, "L", false, func(store.Change) string { return d.conn }})
	for _, c := range pdfColumns {
		switch c.title {
		case "User":
			c.width -= 14
		case "Reason":
			c.width -= 16
		}
		cols = append(cols, c)
	}
	return cols
}
