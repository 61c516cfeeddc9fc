package report

import (
	"context"
	"fmt"
	"math"
	"time"
)

// chart is the number of changes per day (or per few days, for long
// periods) by action, counted with one GROUP BY query.
type chart struct {
	BucketDays int
	Buckets    []bucket
	Max        int64 // the tallest bar
	Actions    []string
}

type bucket struct {
	Start  time.Time
	Counts []int64 // by actionOrder
	Total  int64
}

// rgb is a colour.
type rgb struct{ R, G, B int }

func (c rgb) hex() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// actionColours follows actionOrder: blues and greens give access, oranges
// and reds take it away.
var actionColours = []rgb{
	{43, 123, 185}, {58, 157, 93}, {140, 107, 177}, {106, 184, 164},
	{224, 138, 44}, {200, 65, 59}, {107, 107, 107},
}

// chart counts the selected changes per bucket of days from the first day of
// the period to the last; last is the time of the last selected change.
func (x *exporter) chart(ctx context.Context, from, to, last time.Time) (chart, error) {
	var c chart
	if from.IsZero() || to.IsZero() || x.total == 0 {
		return c, nil
	}
	to = x.chartEnd(from, to, last)
	start := from.Truncate(24 * time.Hour)
	days := int(to.Truncate(24*time.Hour).Sub(start)/(24*time.Hour)) + 1
	c.BucketDays = (days + maxBuckets - 1) / maxBuckets
	n := (days + c.BucketDays - 1) / c.BucketDays
	c.Buckets = make([]bucket, n)
	for i := range c.Buckets {
		c.Buckets[i] = bucket{Start: start.AddDate(0, 0, i*c.BucketDays), Counts: make([]int64, len(actionOrder))}
	}
	width := int64(c.BucketDays) * dayNanos
	seen := make([]bool, len(actionOrder))
	err := x.scope.PerBucket(ctx, start, time.Duration(width), func(b int64, action string, count int64) {
		a := actionIndex(action)
		if b < 0 || b >= int64(n) || a < 0 {
			return // outside the period or an unknown action: not charted
		}
		c.Buckets[b].Counts[a] += count
		c.Buckets[b].Total += count
		seen[a] = true
	})
	if err != nil {
		return chart{}, err
	}
	for i, ok := range seen {
		if ok {
			c.Actions = append(c.Actions, actionOrder[i])
		}
	}
	for _, b := range c.Buckets {
		c.Max = max(c.Max, b.Total)
	}
	return c, nil
}

// chartEnd is the last day charted: to, except that a period that ends in
// the future is charted up to the report date, or the last change if that
// is later.
func (x *exporter) chartEnd(from, to, last time.Time) time.Time {
	if x.opts.Filter.Until.IsZero() || !to.After(x.opts.Now) || from.After(x.opts.Now) {
		return to
	}
	if last.After(x.opts.Now) {
		return last
	}
	return x.opts.Now
}

// title names the chart.
func (c chart) title() string {
	if c.BucketDays <= 1 {
		return "Changes per day by action"
	}
	return fmt.Sprintf("Changes per %d days by action", c.BucketDays)
}

// geometry is the chart laid out in a box, in the box's units, y downwards.
type geometry struct {
	W, H   float64
	Bars   []bar
	Grid   []gridLine
	XTicks []label
	Legend []legendItem
	Base   float64 // y of the x axis
	Left   float64 // x of the y axis
	Right  float64
}

type bar struct {
	X, Y, W, H float64
	Colour     rgb
	Fill       string
	Title      string
}

type gridLine struct {
	Y     float64
	Label string
}

type label struct {
	X, Y float64
	Text string
}

type legendItem struct {
	X, Y   float64 // the text's start and baseline
	BoxY   float64 // the top of the colour box
	Colour rgb
	Fill   string
	Text   string
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v int64) int64 {
	if v <= 1 {
		return 1
	}
	p := int64(math.Pow(10, math.Floor(math.Log10(float64(v)))))
	for _, m := range []int64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// layout places the bars, grid, axis labels and legend in a w×h box; font
// is the height of a label in the same units.
func (c chart) layout(w, h, font float64) geometry {
	g := geometry{W: w, H: h, Left: font * 4, Right: w - font}
	legendH := font * 2
	g.Base = h - font*2.2 - legendH
	top := font
	plotW, plotH := g.Right-g.Left, g.Base-top
	const ticks = 4
	step := niceCeil((c.Max + ticks - 1) / ticks)
	ymax := step * ticks
	for i := int64(0); i <= ticks; i++ {
		g.Grid = append(g.Grid, gridLine{Y: g.Base - plotH*float64(i*step)/float64(ymax), Label: fmt.Sprint(i * step)})
	}
	n := len(c.Buckets)
	if n == 0 {
		return g
	}
	slot := plotW / float64(n)
	bw := min(slot*0.75, plotW/16) // a short period still gets slim bars
	every := (n + 9) / 10          // at most about ten date labels
	for i, b := range c.Buckets {
		x := g.Left + slot*float64(i) + (slot-bw)/2
		y := g.Base
		for a, count := range b.Counts {
			if count == 0 {
				continue
			}
			bh := plotH * float64(count) / float64(ymax)
			y -= bh
			g.Bars = append(g.Bars, bar{X: x, Y: y, W: bw, H: bh, Colour: actionColours[a], Fill: actionColours[a].hex(),
				Title: fmt.Sprintf("%s: %d %s", b.Start.Format("2006-01-02"), count, actionOrder[a])})
		}
		if i%every == 0 {
			g.XTicks = append(g.XTicks, label{X: g.Left + slot*float64(i) + slot/2, Y: g.Base + font*1.4, Text: b.Start.Format("Jan 2")})
		}
	}
	lx := g.Left
	for _, a := range c.Actions {
		i := actionIndex(a)
		g.Legend = append(g.Legend, legendItem{X: lx, Y: h - legendH/2, BoxY: h - legendH/2 - font*0.8, Colour: actionColours[i], Fill: actionColours[i].hex(), Text: a})
		lx += font * (2.2 + 0.6*float64(len(a)))
	}
	return g
}
