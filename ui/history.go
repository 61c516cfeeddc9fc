package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/store/record"
	"github.com/rolesync/rolesync/internal/wording"
)

// runsPage is how many runs the history reads at a time.
const runsPage = 200

// runColumns are the history table's columns.
var runColumns = []column[record.Run]{
	{"Time", 170, func(r record.Run, m *MainWindow) string {
		return r.StartedAt.In(m.deps.now().Location()).Format("2006-01-02 15:04:05")
	}},
	{"Trigger", 90, func(r record.Run, _ *MainWindow) string { return r.Trigger }},
	{"Result", 150, func(r record.Run, _ *MainWindow) string { return wording.RunResult(r) }},
	{"Created", 75, func(r record.Run, _ *MainWindow) string { return fmt.Sprint(r.Created) }},
	{"Granted", 75, func(r record.Run, _ *MainWindow) string { return fmt.Sprint(r.Granted) }},
	{"Revoked", 75, func(r record.Run, _ *MainWindow) string { return fmt.Sprint(r.Revoked) }},
	{"Held", 60, func(r record.Run, _ *MainWindow) string { return fmt.Sprint(r.Held) }},
	{"API calls", 85, func(r record.Run, _ *MainWindow) string { return fmt.Sprint(r.APICalls) }},
	{"Duration", 85, func(r record.Run, _ *MainWindow) string { return wording.Duration(wording.RunDuration(r)) }},
}

// historyTab lists the runs, newest first, in a virtualized table read
// page by page; selecting a run opens its changes below.
type historyTab struct {
	m       *MainWindow
	content fyne.CanvasObject

	table   *widget.Table
	runs    []record.Run
	more    bool // the store may hold older runs
	loading bool
	gen     int // bumped by reload so stale pages are dropped

	changes *changesView
}

func newHistoryTab(m *MainWindow) *historyTab {
	h := &historyTab{m: m}
	h.table = newColumnTable(func() int { return len(h.runs) }, runColumns, h.updateCell)
	h.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(h.runs) {
			h.changes.open(h.runs[id.Row])
		}
	}
	h.changes = newChangesView(m)
	split := container.NewVSplit(h.table, h.changes.content)
	split.Offset = 0.45
	h.content = split
	return h
}

func (h *historyTab) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row >= len(h.runs) {
		l.SetText("")
		return
	}
	l.SetText(runColumns[id.Col].cell(h.runs[id.Row], h.m))
	if id.Row >= len(h.runs)-runsPage/4 {
		h.loadMore()
	}
}

// reload reads the newest page of runs again.
func (h *historyTab) reload() {
	h.gen++
	h.runs, h.more, h.loading = nil, true, false
	h.table.Refresh()
	h.loadMore()
}

// loadMore reads the next page of older runs, if any.
func (h *historyTab) loadMore() {
	hist := h.m.deps.History
	if hist == nil || h.loading || !h.more {
		return
	}
	h.loading = true
	gen := h.gen
	var before int64
	if n := len(h.runs); n > 0 {
		before = h.runs[n-1].ID
	}
	h.m.background(func(ctx context.Context) {
		runs, err := hist.Runs(ctx, runsPage, before)
		fyne.Do(func() {
			if gen != h.gen {
				return
			}
			h.loading = false
			if err != nil {
				h.more = false
				h.m.deps.logger().Warn("history: read runs", "err", err)
				return
			}
			h.runs = append(h.runs, runs...)
			h.more = len(runs) == runsPage
			h.table.Refresh()
		})
	})
}
