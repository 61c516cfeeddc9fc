package ui

import (
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/store/record"
	"github.com/rolesync/rolesync/internal/wording"
)

// chartRuns is how many runs the dashboard chart shows.
const chartRuns = 30

// runChart draws the last runs as bars of their change counts, coloured by
// result, with a line for their durations.
type runChart struct {
	widget.BaseWidget
	runs []record.Run // oldest first
}

func newRunChart() *runChart {
	c := &runChart{}
	c.ExtendBaseWidget(c)
	return c
}

// setRuns takes runs newest first, as the store returns them.
func (c *runChart) setRuns(newestFirst []record.Run) {
	n := len(newestFirst)
	if n > chartRuns {
		n = chartRuns
	}
	runs := make([]record.Run, n)
	for i := range n {
		runs[n-1-i] = newestFirst[i]
	}
	c.runs = runs
	c.Refresh()
}

func (c *runChart) CreateRenderer() fyne.WidgetRenderer {
	r := &runChartRenderer{chart: c}
	r.axis = canvas.NewLine(theme.Color(theme.ColorNameDisabled))
	r.legend = canvas.NewText("", theme.Color(theme.ColorNamePlaceHolder))
	r.legend.TextSize = theme.CaptionTextSize()
	r.empty = canvas.NewText("No runs yet", theme.Color(theme.ColorNamePlaceHolder))
	r.rebuild()
	return r
}

type runChartRenderer struct {
	chart  *runChart
	bars   []*canvas.Rectangle
	lines  []*canvas.Line
	dots   []*canvas.Circle
	axis   *canvas.Line
	legend *canvas.Text
	empty  *canvas.Text
	objs   []fyne.CanvasObject
}

func statusColor(status string) color.Color {
	switch status {
	case record.StatusFailed:
		return theme.Color(theme.ColorNameError)
	case record.StatusHeld, record.StatusInterrupted:
		return theme.Color(theme.ColorNameWarning)
	case record.StatusRunning:
		return theme.Color(theme.ColorNameDisabled)
	}
	return theme.Color(theme.ColorNameSuccess)
}

func (r *runChartRenderer) rebuild() {
	runs := r.chart.runs
	r.bars, r.lines, r.dots = r.bars[:0], r.lines[:0], r.dots[:0]
	lineColor := theme.Color(theme.ColorNamePrimary)
	for i, run := range runs {
		r.bars = append(r.bars, canvas.NewRectangle(statusColor(run.Status)))
		d := canvas.NewCircle(lineColor)
		r.dots = append(r.dots, d)
		if i > 0 {
			l := canvas.NewLine(lineColor)
			l.StrokeWidth = 2
			r.lines = append(r.lines, l)
		}
	}
	maxChanges, maxDur := r.maxima()
	r.legend.Text = fmt.Sprintf("Bars: changes per run (max %d); green succeeded, red failed, amber held  ·  Line: duration (max %s)",
		maxChanges, wording.Duration(maxDur))
	r.objs = r.objs[:0]
	r.objs = append(r.objs, r.axis, r.legend)
	if len(runs) == 0 {
		r.objs = append(r.objs, r.empty)
	}
	for _, b := range r.bars {
		r.objs = append(r.objs, b)
	}
	for _, l := range r.lines {
		r.objs = append(r.objs, l)
	}
	for _, d := range r.dots {
		r.objs = append(r.objs, d)
	}
}

func (r *runChartRenderer) maxima() (int, time.Duration) {
	maxChanges, maxDur := 0, time.Duration(0)
	for _, run := range r.chart.runs {
		maxChanges = max(maxChanges, wording.RunChanges(run))
		maxDur = max(maxDur, wording.RunDuration(run))
	}
	return maxChanges, maxDur
}

func (r *runChartRenderer) Layout(size fyne.Size) {
	pad := theme.Padding()
	legendH := r.legend.MinSize().Height
	r.legend.Move(fyne.NewPos(pad, size.Height-legendH))
	plotTop, plotBottom := pad, size.Height-legendH-pad
	plotH := plotBottom - plotTop
	r.axis.Position1 = fyne.NewPos(pad, plotBottom)
	r.axis.Position2 = fyne.NewPos(size.Width-pad, plotBottom)
	es := r.empty.MinSize()
	r.empty.Move(fyne.NewPos((size.Width-es.Width)/2, (plotBottom-es.Height)/2))

	runs := r.chart.runs
	if len(runs) == 0 {
		return
	}
	maxChanges, maxDur := r.maxima()
	slot := (size.Width - 2*pad) / chartRuns
	barW := slot * 0.6
	var prev fyne.Position
	for i, run := range runs {
		x := pad + float32(i)*slot + (slot-barW)/2
		h := float32(2) // a sliver so runs without changes still show
		if maxChanges > 0 {
			h = max(h, plotH*float32(wording.RunChanges(run))/float32(maxChanges))
		}
		if run.Status == record.StatusFailed {
			// A low red marker: it stands out without reading as changes.
			h = max(h, 8)
		}
		r.bars[i].Move(fyne.NewPos(x, plotBottom-h))
		r.bars[i].Resize(fyne.NewSize(barW, h))

		y := plotBottom
		if maxDur > 0 {
			y = plotBottom - plotH*float32(wording.RunDuration(run))/float32(maxDur)
		}
		p := fyne.NewPos(x+barW/2, y)
		r.dots[i].Move(p.SubtractXY(3, 3))
		r.dots[i].Resize(fyne.NewSize(6, 6))
		if i > 0 {
			r.lines[i-1].Position1, r.lines[i-1].Position2 = prev, p
		}
		prev = p
	}
}

func (r *runChartRenderer) MinSize() fyne.Size {
	return fyne.NewSize(r.legend.MinSize().Width+2*theme.Padding(), 140)
}

func (r *runChartRenderer) Refresh() {
	r.rebuild()
	r.Layout(r.chart.Size())
	canvas.Refresh(r.chart)
}

func (r *runChartRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *runChartRenderer) Destroy()                     {}
