package report

import (
	"bufio"
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"time"

	"github.com/rolesync/rolesync/internal/store"
)

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"day":        func(t time.Time) string { return t.Format("2006-01-02") },
	"stamp":      func(t time.Time) string { return t.Format("2006-01-02 15:04:05") },
	"short":      shortHash,
	"yesNo":      yesNo,
	"f1":         func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"pct":        pct,
	"more":       func(total int64, shown int) int64 { return total - int64(shown) },
	"actionN":    func(a actionCount) int64 { return a.Applied + a.Held },
	"signedText": signedHeadText,
}).Parse(htmlSource))

// htmlData is what the HTML template renders.
type htmlData struct {
	S      *summary
	Period string
	Verify string
	Chart  geometry
	Title  string
	// Conn names the connection of a section of a report across
	// connections, which heads the section and every row; All marks that
	// report. Both are zero in the report of one connection.
	Conn string
	All  bool
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
// the change table. The page around the table comes from html/template; the
// rows are streamed between its "head" and "tail" parts by htmlRow, which
// escapes every value with the same escaper.
func (x *exporter) html(ctx context.Context, w io.Writer) error {
	s, err := x.summarise(ctx)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	d := htmlData{S: s, Period: s.periodText(), Verify: s.verifyText(), Chart: s.Chart.layout(880, 230, 11), Title: s.Chart.title()}
	if err := htmlTemplate.ExecuteTemplate(bw, "head", d); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	buf := make([]byte, 0, 1024)
	err = x.each(ctx, func(c store.Change) error {
		buf = htmlRow(buf[:0], "", c)
		_, err := bw.Write(buf)
		return err
	})
	if err != nil {
		return err
	}
	if err := htmlTemplate.ExecuteTemplate(bw, "tail", d); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return nil
}

// htmlRow appends one change as a table row, every text escaped; conn,
// when not empty, is a first cell naming the connection.
func htmlRow(b []byte, conn string, c store.Change) []byte {
	cell := func(class, v string) {
		b = append(b, "<td"...)
		if class != "" {
			b = append(b, ` class="`...)
			b = append(b, class...)
			b = append(b, '"')
		}
		b = append(b, '>')
		b = append(b, template.HTMLEscapeString(v)...)
		b = append(b, "</td>"...)
	}
	b = append(b, "<tr"...)
	if c.Held {
		b = append(b, ` class="held"`...)
	}
	b = append(b, '>')
	if conn != "" {
		cell("", conn)
	}
	cell("n", strconv.FormatInt(c.ID, 10))
	cell("t", c.At.UTC().Format("2006-01-02 15:04:05"))
	cell("n", strconv.FormatInt(c.RunID, 10))
	cell("", c.User)
	cell("", c.OktaID)
	cell("", c.Action)
	cell("", c.Role)
	cell("", c.Group)
	cell("r", c.Reason)
	cell("", yesNo(c.Held))
	b = append(b, `<td class="mono" title="`...)
	b = append(b, template.HTMLEscapeString(c.Hash)...)
	b = append(b, `">`...)
	b = append(b, template.HTMLEscapeString(shortHash(c.Hash))...)
	b = append(b, "</td></tr>\n"...)
	return b
}
