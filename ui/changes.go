package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/logbuffer"
	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/store/record"
	"github.com/rolesync/rolesync/internal/wording"
)

// changesPage is how many changes the history reads at a time. Pages are
// read by ID (keyset), so the cost of a page does not grow with the store.
const changesPage = 500

// allActions is the action filter's "no filter" choice.
const allActions = "All actions"

// changeActions are the actions the filter offers.
var changeActions = []string{
	allActions, record.ActionCreate, record.ActionGrant, record.ActionRevoke, record.ActionRevokeAll,
	record.ActionUpdate, record.ActionDisable, record.ActionEnable,
}

var changeColumns = []column[record.Change]{
	{"Time", 130, func(c record.Change, m *MainWindow) string { return wording.Time(c.At, m.deps.now()) }},
	{"User", 240, func(c record.Change, _ *MainWindow) string { return c.User }},
	{"Action", 95, func(c record.Change, _ *MainWindow) string { return c.Action }},
	{"Role", 115, func(c record.Change, _ *MainWindow) string { return c.Role }},
	{"Okta group", 130, func(c record.Change, _ *MainWindow) string { return c.Group }},
	{"Reason", 180, func(c record.Change, _ *MainWindow) string { return c.Reason }},
	{"Held", 50, func(c record.Change, _ *MainWindow) string {
		if c.Held {
			return "held"
		}
		return ""
	}},
}

// changesView shows one run's changes with filters on user, Okta group,
// role and action.
type changesView struct {
	m       *MainWindow
	content fyne.CanvasObject

	title, failure    *widget.Label
	user, group, role *widget.Entry
	action            *widget.Select
	apply, clear      *widget.Button
	count             *widget.Label
	table             *widget.Table
	run               record.Run
	opened            bool
	filter            record.ChangeFilter
	export            *widget.Button
	rows              []record.Change
	more, loading     bool
	gen               int
}

func newChangesView(m *MainWindow) *changesView {
	v := &changesView{m: m}
	v.title = widget.NewLabelWithStyle("Select a run to see its changes", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.failure = widget.NewLabel("")
	v.failure.Truncation = fyne.TextTruncateEllipsis
	v.failure.Importance = widget.DangerImportance
	v.failure.Hide()
	v.user = widget.NewEntry()
	v.user.SetPlaceHolder("User (login)")
	v.group = widget.NewEntry()
	v.group.SetPlaceHolder("Okta group")
	v.role = widget.NewEntry()
	v.role.SetPlaceHolder("Role")
	for _, e := range []*widget.Entry{v.user, v.group, v.role} {
		e.OnSubmitted = func(string) { v.applyFilter() }
	}
	v.action = widget.NewSelect(changeActions, func(string) {
		if v.opened {
			v.applyFilter()
		}
	})
	v.action.SetSelectedIndex(0)
	v.apply = widget.NewButton("Filter", v.applyFilter)
	v.clear = widget.NewButton("Clear", v.clearFilter)
	v.export = widget.NewButton("Export…", func() { v.m.showExport(v.currentFilter()) })
	if m.deps.Export == nil {
		v.export.Hide()
	}
	v.count = widget.NewLabel("")

	v.table = newColumnTable(func() int { return len(v.rows) }, changeColumns, v.updateCell)

	filters := container.New(layout.NewGridLayoutWithColumns(4), v.user, v.group, v.role, v.action)
	bar := container.NewBorder(nil, nil, nil, container.NewHBox(v.apply, v.clear, v.export), filters)
	head := container.NewVBox(container.NewHBox(v.title, layout.NewSpacer(), v.count), v.failure, bar)
	v.content = container.NewBorder(head, nil, nil, nil, v.table)
	v.setEnabled(false)
	return v
}

func (v *changesView) setEnabled(on bool) {
	for _, w := range []fyne.Disableable{v.user, v.group, v.role, v.action, v.apply, v.clear} {
		if on {
			w.Enable()
		} else {
			w.Disable()
		}
	}
}

// open shows run's changes with the current filters.
func (v *changesView) open(run record.Run) {
	v.run, v.opened = run, true
	v.title.SetText(fmt.Sprintf("Run %d · %s · %s%s", run.ID, wording.RunResult(run), wording.Time(run.StartedAt, v.m.deps.now()), feedText(run.Feed)))
	if run.Error != "" {
		v.failure.SetText("Error: " + logbuffer.Redact(run.Error))
		v.failure.Show()
	} else {
		v.failure.Hide()
	}
	v.setEnabled(true)
	v.applyFilter()
}

// feedText says how a run read Okta, for the end of its heading; empty
// when the run recorded no feed (it read nothing, or predates feeds).
func feedText(feed string) string {
	switch feed {
	case "":
		return ""
	case okta.FeedFull:
		return " · full Okta read"
	case okta.FeedSystemLog:
		return " · Okta delta from the System Log"
	case okta.FeedUsersSearch:
		return " · Okta delta from the users search"
	}
	return " · Okta feed " + feed
}

// currentFilter builds the store filter from the filter fields.
func (v *changesView) currentFilter() record.ChangeFilter {
	f := record.ChangeFilter{
		RunID: v.run.ID,
		User:  strings.TrimSpace(v.user.Text),
		Group: strings.TrimSpace(v.group.Text),
		Role:  strings.TrimSpace(v.role.Text),
		Limit: changesPage,
	}
	if a := v.action.Selected; a != allActions {
		f.Action = a
	}
	return f
}

func (v *changesView) applyFilter() {
	if !v.opened {
		return
	}
	v.gen++
	v.filter = v.currentFilter()
	v.rows, v.more, v.loading = nil, true, false
	v.count.SetText("loading…")
	v.table.ScrollToTop()
	v.table.Refresh()
	v.loadMore()
}

func (v *changesView) clearFilter() {
	v.user.SetText("")
	v.group.SetText("")
	v.role.SetText("")
	v.action.OnChanged, v.action.Selected = nil, allActions
	v.action.Refresh()
	v.action.OnChanged = func(string) { v.applyFilter() }
	v.applyFilter()
}

func (v *changesView) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row >= len(v.rows) {
		l.SetText("")
		return
	}
	l.SetText(changeColumns[id.Col].cell(v.rows[id.Row], v.m))
	if id.Row >= len(v.rows)-changesPage/4 {
		v.loadMore()
	}
}

// loadMore reads the next page of changes after the last one shown.
func (v *changesView) loadMore() {
	hist := v.m.deps.History
	if hist == nil || v.loading || !v.more {
		return
	}
	v.loading = true
	gen, f := v.gen, v.filter
	if n := len(v.rows); n > 0 {
		f.AfterID = v.rows[n-1].ID
	}
	v.m.background(func(ctx context.Context) {
		rows, err := hist.QueryChanges(ctx, f)
		fyne.Do(func() {
			if gen != v.gen {
				return
			}
			v.loading = false
			if err != nil {
				v.more = false
				v.count.SetText("could not read the changes: " + err.Error())
				v.m.deps.logger().Warn("history: read changes", "run", f.RunID, "err", err)
				return
			}
			v.rows = append(v.rows, rows...)
			v.more = len(rows) == changesPage
			v.count.SetText(v.countText())
			v.table.Refresh()
		})
	})
}

func (v *changesView) countText() string {
	n := len(v.rows)
	switch {
	case n == 0:
		return "no changes match"
	case v.more:
		return fmt.Sprintf("%d+ changes", n)
	}
	return wording.Plural(n, "change", "changes")
}
