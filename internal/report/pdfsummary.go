package report

import (
	"fmt"
	"strings"
)

// summaryPage writes the heading, the verification box, the key figures, the
// tables by action, group and role, the chart, and the people who lost access.
func (d *pdfDoc) summaryPage() {
	s := d.s
	d.AddPage()
	w, _ := d.GetPageSize()
	full := w - 2*pdfMargin
	d.SetTextColor(29, 35, 48)
	d.SetFont("Helvetica", "B", 18)
	title := "rolesync audit report"
	if d.conn != "" {
		title = d.conn
	}
	d.CellFormat(0, 9, d.fit(title, full), "", 1, "L", false, 0, "")
	d.SetFont("Helvetica", "", 10)
	d.CellFormat(0, 5.5, d.tr("Period: "+s.periodText()), "", 1, "L", false, 0, "")
	d.CellFormat(0, 5.5, d.tr("Generated "+s.Generated.Format("2006-01-02 15:04:05")+" UTC"), "", 1, "L", false, 0, "")
	if len(s.Filter) > 0 {
		d.CellFormat(0, 5.5, d.fit("Filter: "+strings.Join(s.Filter, "; "), full), "", 1, "L", false, 0, "")
	}
	d.Ln(2)

	// Verification box.
	if s.Audit.OK {
		d.SetFillColor(234, 246, 238)
		d.SetDrawColor(124, 193, 149)
	} else {
		d.SetFillColor(251, 234, 234)
		d.SetDrawColor(217, 136, 128)
	}
	y := d.GetY()
	d.Rect(pdfMargin, y, full, 14, "FD")
	d.SetXY(pdfMargin+2, y+1)
	d.SetFont("Helvetica", "B", 10)
	d.CellFormat(full-4, 6, d.fit("Audit verify "+s.verifyText(), full-4), "", 1, "L", false, 0, "")
	d.SetX(pdfMargin + 2)
	d.SetFont("Helvetica", "", 9)
	d.CellFormat(38, 6, d.tr(fmt.Sprintf("Chain head: change %d", s.HeadID)), "", 0, "L", false, 0, "")
	d.SetFont("Courier", "", 9)
	d.CellFormat(full-42, 6, d.tr(s.HeadHash), "", 1, "L", false, 0, "")
	d.SetY(y + 17)

	// Key figures.
	figures := []struct{ n, label, detail string }{
		{fmt.Sprint(s.Total), "changes", fmt.Sprintf("%d held for approval", s.Held)},
		{fmt.Sprint(s.Runs.InPeriod), "runs in the period", statusText(s.Runs.ByStatus)},
		{fmt.Sprint(s.Runs.WithChanges), "runs made these changes", ""},
		{fmt.Sprint(s.LostTotal), "people lost access", "revoked, revoked all or disabled"},
	}
	boxW := (full - 3*4) / 4
	y = d.GetY()
	d.SetDrawColor(213, 218, 227)
	for i, f := range figures {
		x := pdfMargin + float64(i)*(boxW+4)
		d.Rect(x, y, boxW, 18, "D")
		d.SetXY(x+3, y+1)
		d.SetFont("Helvetica", "B", 15)
		d.CellFormat(boxW-6, 7.5, f.n, "", 2, "L", false, 0, "")
		d.SetFont("Helvetica", "", 8.5)
		d.CellFormat(boxW-6, 4, d.fit(f.label, boxW-6), "", 2, "L", false, 0, "")
		d.SetTextColor(85, 94, 110)
		d.SetFont("Helvetica", "", 7.5)
		d.CellFormat(boxW-6, 4, d.fit(f.detail, boxW-6), "", 0, "L", false, 0, "")
		d.SetTextColor(29, 35, 48)
	}
	d.SetY(y + 22)

	// Changes by action, top groups, top roles, side by side.
	colW := (full - 2*8) / 3
	y = d.GetY()
	var actions [][]string
	for _, a := range s.ByAction {
		actions = append(actions, []string{a.Action, fmt.Sprint(a.Applied), fmt.Sprint(a.Held), fmt.Sprint(a.Applied + a.Held)})
	}
	end := d.smallTable(pdfMargin, y, "Changes by action", []string{"Action", "Applied", "Held", "Total"},
		[]float64{0.4, 0.2, 0.2, 0.2}, colW, actions, "No changes in this period.")
	end = max(end, d.smallTable(pdfMargin+colW+8, y, "Top Okta groups", []string{"Group", "Changes"},
		[]float64{0.75, 0.25}, colW, nameRows(s.TopGroups), "No group changes."))
	end = max(end, d.smallTable(pdfMargin+2*(colW+8), y, "Top roles", []string{"Role", "Changes"},
		[]float64{0.75, 0.25}, colW, nameRows(s.TopRoles), "No role changes."))
	d.SetXY(pdfMargin, end+4)

	d.chartBox(full)
	d.lostTable(full)
}

// statusText is "3 succeeded, 1 failed" for the runs figure.
func statusText(ns []nameCount) string {
	var parts []string
	for _, n := range ns {
		parts = append(parts, fmt.Sprintf("%d %s", n.Count, n.Name))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, ", ")
}

func nameRows(ns []nameCount) [][]string {
	var rows [][]string
	for _, n := range ns {
		rows = append(rows, []string{n.Name, fmt.Sprint(n.Count)})
	}
	return rows
}

// smallTable draws a titled table at (x, y), w wide, with column widths as
// fractions of w; the first column is left-aligned, the rest right. It
// returns the y below it.
func (d *pdfDoc) smallTable(x, y float64, title string, head []string, frac []float64, w float64, rows [][]string, empty string) float64 {
	d.SetXY(x, y)
	d.SetFont("Helvetica", "B", 10)
	d.CellFormat(w, 7, d.tr(title), "", 2, "L", false, 0, "")
	if len(rows) == 0 {
		d.SetFont("Helvetica", "I", 8.5)
		d.CellFormat(w, 5, d.tr(empty), "", 2, "L", false, 0, "")
		return d.GetY()
	}
	d.SetFillColor(225, 230, 238)
	d.SetDrawColor(213, 218, 227)
	draw := func(cells []string, style string, fill bool) {
		d.SetX(x)
		d.SetFont("Helvetica", style, 8.5)
		for i, c := range cells {
			align := "R"
			if i == 0 {
				align = "L"
			}
			cw := w * frac[i]
			d.CellFormat(cw, 5, d.fit(c, cw-2), "B", 0, align, fill, 0, "")
		}
		d.Ln(5)
	}
	draw(head, "B", true)
	for _, r := range rows {
		draw(r, "", false)
	}
	return d.GetY()
}

// chartBox draws the changes-per-day chart across the page.
func (d *pdfDoc) chartBox(full float64) {
	c := d.s.Chart
	d.SetFont("Helvetica", "B", 10)
	d.CellFormat(0, 7, d.tr(c.title()), "", 1, "L", false, 0, "")
	if len(c.Buckets) == 0 {
		d.SetFont("Helvetica", "I", 8.5)
		d.CellFormat(0, 5, d.tr("No changes to chart."), "", 1, "L", false, 0, "")
		return
	}
	const h, font = 40.0, 2.6
	_, pageH := d.GetPageSize()
	if d.GetY()+h > pageH-pdfBottom {
		d.AddPage()
	}
	ox, oy := pdfMargin, d.GetY()
	g := c.layout(full, h, font)
	d.SetFont("Helvetica", "", 7)
	d.SetTextColor(85, 94, 110)
	d.SetLineWidth(0.15)
	for _, gl := range g.Grid {
		d.SetDrawColor(225, 229, 236)
		d.Line(ox+g.Left, oy+gl.Y, ox+g.Right, oy+gl.Y)
		d.Text(ox+g.Left-1.5-d.GetStringWidth(gl.Label), oy+gl.Y+1, gl.Label)
	}
	for _, b := range g.Bars {
		d.SetFillColor(b.Colour.R, b.Colour.G, b.Colour.B)
		d.Rect(ox+b.X, oy+b.Y, b.W, b.H, "F")
	}
	d.SetDrawColor(138, 147, 163)
	d.Line(ox+g.Left, oy+g.Base, ox+g.Right, oy+g.Base)
	for _, t := range g.XTicks {
		d.Text(ox+t.X-d.GetStringWidth(t.Text)/2, oy+t.Y, t.Text)
	}
	for _, l := range g.Legend {
		d.SetFillColor(l.Colour.R, l.Colour.G, l.Colour.B)
		d.Rect(ox+l.X, oy+l.BoxY, 2.5, 2.5, "F")
		d.Text(ox+l.X+3.5, oy+l.Y+0.6, l.Text)
	}
	d.SetLineWidth(0.2)
	d.SetTextColor(29, 35, 48)
	d.SetXY(pdfMargin, oy+h+3)
}

// lostTable lists the people who lost access; it may run onto the next page.
func (d *pdfDoc) lostTable(full float64) {
	s := d.s
	_, pageH := d.GetPageSize()
	// Keep the list on one page when it fits on one.
	need := 7 + 5*float64(len(s.Lost)+1)
	if s.LostTotal > int64(len(s.Lost)) {
		need += 6
	}
	if d.GetY()+need > pageH-pdfBottom {
		d.AddPage()
	}
	d.SetFont("Helvetica", "B", 10)
	d.CellFormat(0, 7, d.tr(fmt.Sprintf("People who lost access (%d)", s.LostTotal)), "", 1, "L", false, 0, "")
	if len(s.Lost) == 0 {
		d.SetFont("Helvetica", "I", 8.5)
		d.CellFormat(0, 5, d.tr("Nobody lost access in this period."), "", 1, "L", false, 0, "")
		return
	}
	cols := []float64{0.28, 0.16, 0.34, 0.14, 0.08}
	head := []string{"User", "Okta ID", "Lost", "Last change (UTC)", "Changes"}
	var line func(cells []string, style string, fill bool)
	line = func(cells []string, style string, fill bool) {
		if d.GetY()+5 > pageH-pdfBottom {
			d.AddPage()
			d.SetFillColor(225, 230, 238)
			line(head, "B", true) // the headings again on the next page
		}
		d.SetFont("Helvetica", style, 8.5)
		for i, c := range cells {
			align := "L"
			if i == len(cells)-1 {
				align = "R"
			}
			d.CellFormat(full*cols[i], 5, d.fit(c, full*cols[i]-2), "B", 0, align, fill, 0, "")
		}
		d.Ln(5)
	}
	d.SetFillColor(225, 230, 238)
	d.SetDrawColor(213, 218, 227)
	line(head, "B", true)
	for _, l := range s.Lost {
		line([]string{l.User, l.OktaID, l.Lost, l.Last.Format("2006-01-02 15:04:05"), fmt.Sprint(l.Changes)}, "", false)
	}
	if more := s.LostTotal - int64(len(s.Lost)); more > 0 {
		d.SetFont("Helvetica", "I", 8.5)
		d.CellFormat(0, 6, d.tr(fmt.Sprintf("and %d more; filter by action to list them all.", more)), "", 1, "L", false, 0, "")
	}
}
