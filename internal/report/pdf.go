package report

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/rolesync/rolesync/internal/store"
)

// Page geometry of the PDF report, in millimetres (A4 landscape).
const (
	pdfMargin    = 12.0
	pdfBottom    = 16.0 // space kept for the footer
	pdfRowH      = 5.0
	pdfTableFont = 7.5
)

// pdfColumn is one column of the change table.
type pdfColumn struct {
	title string
	width float64
	align string
	mono  bool
	cell  func(store.Change) string
}

// maxPDFRows is MaxPDFRows, lowered by tests.
var maxPDFRows int64 = MaxPDFRows

// pdfTableWidth is the sum of the column widths: the page less its margins.
const pdfTableWidth = 273.0

var pdfColumns = []pdfColumn{
	{"ID", 13, "R", false, func(c store.Change) string { return strconv.FormatInt(c.ID, 10) }},
	{"Time (UTC)", 30, "L", false, func(c store.Change) string { return c.At.UTC().Format("2006-01-02 15:04:05") }},
	{"Run", 11, "R", false, func(c store.Change) string { return strconv.FormatInt(c.RunID, 10) }},
	{"User", 44, "L", false, func(c store.Change) string { return c.User }},
	{"Okta ID", 26, "L", false, func(c store.Change) string { return c.OktaID }},
	{"Action", 17, "L", false, func(c store.Change) string { return c.Action }},
	{"Role", 26, "L", false, func(c store.Change) string { return c.Role }},
	{"Group", 32, "L", false, func(c store.Change) string { return c.Group }},
	{"Reason", 41, "L", false, func(c store.Change) string { return c.Reason }},
	{"Held", 9, "L", false, func(c store.Change) string { return yesNo(c.Held) }},
	{"Hash", 24, "L", true, func(c store.Change) string { return shortHash(c.Hash) }},
}

// pdfDoc wraps fpdf with the report's fonts, text translation and page
// furniture.
type pdfDoc struct {
	*fpdf.Fpdf
	tr      func(string) string // UTF-8 to the core fonts' cp1252
	inTable bool                // pages get the change table's heading
	s       *summary
	cols    []pdfColumn
	// conn names the connection of the section being laid out in a report
	// across connections; "" in the report of one connection.
	conn string
}

// pdf lays out the summary, the change table and the chain of custody, then
// writes the document.
func (x *exporter) pdf(ctx context.Context, w io.Writer) error {
	if x.total > maxPDFRows {
		return fmt.Errorf("%d changes selected, more than the %d a PDF report holds; narrow the period or other filters, or export csv or jsonl", x.total, maxPDFRows)
	}
	s, err := x.summarise(ctx)
	if err != nil {
		return err
	}
	d := newPDF(s)
	if err := x.pdfSection(ctx, d); err != nil {
		return err
	}
	if err := d.Output(w); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	return nil
}

// pdfSection lays out the summary of d.s, the change table and the chain
// of custody.
func (x *exporter) pdfSection(ctx context.Context, d *pdfDoc) error {
	d.summaryPage()
	// The table follows the summary on its last page when there is room for
	// a few rows, else starts a page; its headings repeat on every page.
	d.inTable = true
	if _, h := d.GetPageSize(); d.GetY()+40 > h-pdfBottom {
		d.AddPage()
	} else {
		d.Ln(6)
		d.header()
	}
	row := 0
	err := x.each(ctx, func(c store.Change) error {
		d.changeRow(c, row)
		row++
		if row%1000 == 0 && d.Err() {
			return d.Error()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if row == 0 {
		d.SetFont("Helvetica", "I", 9)
		d.CellFormat(0, 8, d.tr("No changes match this report's filter."), "", 1, "L", false, 0, "")
	}
	d.inTable = false
	d.custody()
	return nil
}

func newPDF(s *summary) *pdfDoc {
	f := fpdf.New("L", "mm", "A4", "")
	d := &pdfDoc{Fpdf: f, s: s, cols: pdfColumns, tr: f.UnicodeTranslatorFromDescriptor("cp1252")}
	f.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	f.SetAutoPageBreak(true, pdfBottom)
	f.SetCreationDate(s.Generated)
	f.SetModificationDate(s.Generated)
	f.SetCatalogSort(true)
	f.SetTitle("rolesync audit report, "+s.periodText(), true)
	f.SetCreator("rolesync", true)
	f.SetProducer("rolesync", true)
	f.AliasNbPages("{nb}")
	f.SetHeaderFunc(d.header)
	f.SetFooterFunc(d.footer)
	return d
}

// header repeats the change table's column headings on every table page.
func (d *pdfDoc) header() {
	if !d.inTable {
		return
	}
	d.SetFont("Helvetica", "B", 11)
	d.SetTextColor(29, 35, 48)
	d.CellFormat(0, 7, d.tr(fmt.Sprintf("Changes (%d)", d.s.Total)), "", 1, "L", false, 0, "")
	d.SetFont("Helvetica", "B", pdfTableFont)
	d.SetFillColor(225, 230, 238)
	d.SetDrawColor(190, 197, 210)
	for i, col := range d.cols {
		ln := 0
		if i == len(d.cols)-1 {
			ln = 1
		}
		d.CellFormat(col.width, pdfRowH+1, d.tr(col.title), "B", ln, col.align, true, 0, "")
	}
}

// footer prints the period and "Page n of N" on every page.
func (d *pdfDoc) footer() {
	w, h := d.GetPageSize()
	y := h - pdfBottom + 5
	d.SetDrawColor(190, 197, 210)
	d.Line(pdfMargin, y, w-pdfMargin, y)
	d.SetFont("Helvetica", "", 8)
	d.SetTextColor(85, 94, 110)
	d.SetXY(pdfMargin, y+1)
	d.CellFormat(w/2, 5, d.tr("rolesync audit report · Period: "+d.s.periodText()+
		" · Generated "+d.s.Generated.Format("2006-01-02 15:04")+" UTC"), "", 0, "L", false, 0, "")
	d.SetXY(w/2, y+1)
	d.CellFormat(w/2-pdfMargin, 5, fmt.Sprintf("Page %d of {nb}", d.PageNo()), "", 0, "R", false, 0, "")
	d.SetTextColor(29, 35, 48)
}

// changeRow writes one change; fpdf breaks the page, and the header repeats.
// Held changes are shaded yellow and every other row grey, with one
// rectangle per row.
func (d *pdfDoc) changeRow(c store.Change, i int) {
	_, h := d.GetPageSize()
	if d.GetY()+pdfRowH > h-pdfBottom {
		d.AddPage()
	}
	shade := true
	switch {
	case c.Held:
		d.SetFillColor(255, 244, 214)
	case i%2 == 1:
		d.SetFillColor(245, 247, 250)
	default:
		shade = false
	}
	if shade {
		d.Rect(pdfMargin, d.GetY(), pdfTableWidth, pdfRowH, "F")
	}
	for j, col := range d.cols {
		if col.mono {
			d.SetFont("Courier", "", pdfTableFont)
		} else {
			d.SetFont("Helvetica", "", pdfTableFont)
		}
		ln := 0
		if j == len(d.cols)-1 {
			ln = 1
		}
		d.CellFormat(col.width, pdfRowH, d.fit(col.cell(c), col.width-2), "", ln, col.align, false, 0, "")
	}
}

// arrows spells the arrows the core fonts lack.
var arrows = strings.NewReplacer("→", "->", "←", "<-", "⇒", "=>")

// fit translates s for the core fonts and shortens it with an ellipsis so it
// fits in width w at the current font.
func (d *pdfDoc) fit(s string, w float64) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' ' // line breaks and tabs would not show in a one-line cell
		}
		return r
	}, s)
	s = arrows.Replace(s) // not in cp1252, and common in connection names
	t := d.tr(s)
	if d.GetStringWidth(t) <= w {
		return t
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		t = d.tr(strings.TrimRight(string(r), " ") + "…")
		if d.GetStringWidth(t) <= w {
			return t
		}
	}
	return t
}

// custody closes the report with the chain head and the verification result,
// on the last page.
func (d *pdfDoc) custody() {
	_, h := d.GetPageSize()
	if d.GetY() > h-pdfBottom-48 {
		d.AddPage()
	}
	d.Ln(6)
	d.SetFont("Helvetica", "B", 12)
	d.CellFormat(0, 8, d.tr("Chain of custody"), "", 1, "L", false, 0, "")
	ok := d.s.Audit.OK
	if ok {
		d.SetFillColor(234, 246, 238)
	} else {
		d.SetFillColor(251, 234, 234)
	}
	d.SetFont("Helvetica", "B", 10)
	d.CellFormat(0, 7, d.tr("Audit verify "+d.s.verifyText()), "", 1, "L", true, 0, "")
	d.SetFont("Helvetica", "", 9)
	d.CellFormat(0, 6, d.tr(fmt.Sprintf("Chain head: change %d, hash:", d.s.HeadID)), "", 1, "L", false, 0, "")
	d.SetFont("Courier", "", 9)
	d.CellFormat(0, 6, d.tr(d.s.HeadHash), "", 1, "L", false, 0, "")
	d.SetFont("Helvetica", "", 9)
	d.MultiCell(0, 5, d.tr(fmt.Sprintf("This report lists %d changes. Each change's hash covers the previous change's hash and "+
		"the change itself, so editing, deleting, inserting or reordering any change breaks the chain. "+
		"Run \"rolesync audit verify\" to check the history again, or recompute the hashes from the JSON lines export.", d.s.Total)),
		"", "L", false)
	d.signedHead()
}
