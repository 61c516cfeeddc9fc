package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/logbuffer"
	"github.com/rolesync/rolesync/internal/store/record"
	"github.com/rolesync/rolesync/internal/wording"
)

// connList is the list of connections: the window's first screen when
// there are several. A row opens its connection; each has a Remove button.
type connList struct {
	d       *Desk
	content fyne.CanvasObject
	table   *widget.Table
	empty   *fyne.Container
	rows    []connRow
	bg      inFlight
	// stale is set when a status changed while the list was hidden.
	stale bool
}

// connRow is one row of the list.
type connRow struct {
	info   ConnInfo
	status Status
}

// The list's columns; the last holds the buttons.
var connColumns = []column[connRow]{
	{"Connection", 270, func(r connRow, _ *MainWindow) string { return r.info.label() }},
	{"Okta org", 160, func(r connRow, _ *MainWindow) string { return orDash(r.info.Org) }},
	{"Target", 150, func(r connRow, _ *MainWindow) string { return orDash(r.info.Target) }},
	{"Last run", 150, nil},
	{"Next run", 75, nil},
	{"Approvals", 85, nil},
	{"", 180, nil},
}

func newConnList(d *Desk) *connList {
	l := &connList{d: d}
	l.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(l.rows), len(connColumns) },
		func() fyne.CanvasObject {
			label := widget.NewLabel("")
			label.Truncation = fyne.TextTruncateEllipsis
			open := widget.NewButton("Open", nil)
			remove := widget.NewButtonWithIcon("Remove…", theme.DeleteIcon(), nil)
			return container.NewStack(label, container.NewHBox(open, remove))
		},
		l.updateCell,
	)
	l.table.ShowHeaderColumn = false
	l.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	l.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(connColumns) {
			o.(*widget.Label).SetText(connColumns[id.Col].title)
		}
	}
	for i, c := range connColumns {
		l.table.SetColumnWidth(i, c.width)
	}
	l.table.OnSelected = func(id widget.TableCellID) {
		l.table.UnselectAll()
		if id.Row >= 0 && id.Row < len(l.rows) && id.Col < len(connColumns)-1 {
			d.Open(l.rows[id.Row].info.Slug)
		}
	}
	add := widget.NewButtonWithIcon("Add connection…", theme.ContentAddIcon(), d.onAdd)
	add.Importance = widget.HighImportance
	if d.deps.Add == nil {
		add.Disable()
	}
	l.empty = container.NewVBox(
		widget.NewLabel("No connections yet. A connection syncs one Okta org into one portal;\nadd one for each organization you manage."),
		container.NewHBox(add))
	l.content = container.NewStack(l.table, l.empty)
	l.refresh()
	return l
}

// refreshRow follows a new status of the connection slug: its row alone
// when the list shows, nothing until it shows otherwise; on the UI
// goroutine. With 50 connections, redrawing the whole table on every
// status of a run's progress would keep the UI goroutine busy.
func (l *connList) refreshRow(slug string) {
	if l.d.current != nil {
		l.stale = true
		return
	}
	for i, r := range l.rows {
		if r.info.Slug != slug {
			continue
		}
		l.rows[i] = connRow{info: l.d.Info(slug), status: l.d.Status(slug)}
		for col := range connColumns {
			l.table.RefreshItem(widget.TableCellID{Row: i, Col: col})
		}
		return
	}
	l.refresh()
}

// refresh reads the connections and their statuses again; on the UI
// goroutine.
func (l *connList) refresh() {
	l.stale = false
	l.rows = l.rows[:0]
	for _, slug := range l.d.Slugs() {
		l.rows = append(l.rows, connRow{info: l.d.Info(slug), status: l.d.Status(slug)})
	}
	if len(l.rows) == 0 {
		l.table.Hide()
		l.empty.Show()
	} else {
		l.empty.Hide()
		l.table.Show()
	}
	l.table.Refresh()
}

func (l *connList) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	stack := o.(*fyne.Container)
	label := stack.Objects[0].(*widget.Label)
	buttons := stack.Objects[1].(*fyne.Container)
	if id.Row < 0 || id.Row >= len(l.rows) {
		return
	}
	r := l.rows[id.Row]
	if id.Col == len(connColumns)-1 {
		label.Hide()
		buttons.Show()
		slug, name := r.info.Slug, r.info.label()
		buttons.Objects[0].(*widget.Button).OnTapped = func() { l.d.Open(slug) }
		remove := buttons.Objects[1].(*widget.Button)
		remove.OnTapped = func() { l.confirmRemove(slug, name) }
		if l.d.deps.Remove == nil {
			remove.Disable()
		} else {
			remove.Enable()
		}
		return
	}
	buttons.Hide()
	label.Show()
	label.TextStyle = fyne.TextStyle{Bold: id.Col == 0}
	label.SetText(l.cellText(r, id.Col))
}

func (l *connList) cellText(r connRow, col int) string {
	now := l.d.now()
	s := r.status
	switch col {
	case 3:
		return connLastRun(s, now)
	case 4:
		switch {
		case s.NotSetUp:
			return "–"
		case s.Paused:
			return "paused"
		case s.NextRun.IsZero():
			return "–"
		}
		return wording.Time(s.NextRun, now)
	case 5:
		if s.Pending == 0 {
			return "none"
		}
		return fmt.Sprintf("%d waiting", s.Pending)
	}
	return connColumns[col].cell(r, nil)
}

// connLastRun is a connection's last run in the list.
func connLastRun(s Status, now time.Time) string {
	switch {
	case s.NotSetUp:
		return "Not set up"
	case s.Syncing:
		return "Syncing…"
	case cannotSync(s):
		return "Cannot sync: " + logbuffer.Redact(s.ConnectionError)
	}
	return lastRunLine(s.LastRun, now)
}

// cannotSync reports whether s's loop cannot run (its keys are missing,
// say), with no failed run to say so.
func cannotSync(s Status) bool {
	return !s.Connected && s.ConnectionError != "" && (s.LastRun == nil || s.LastRun.Status != record.StatusFailed)
}

// confirmRemove asks before removing a connection, saying what happens to
// its history, secrets and portal.
func (l *connList) confirmRemove(slug, name string) {
	msg := fmt.Sprintf("Remove the connection %q?\n\n"+
		"Its syncs stop and its keys and tokens are deleted from the keyring.\n"+
		"Its history is kept in the data directory for audit exports.\n"+
		"The portal's users and roles are not changed.", name)
	dialog.ShowCustomConfirm("Remove connection", "Remove", "Cancel", widget.NewLabel(msg), func(ok bool) {
		if ok {
			l.remove(slug, name)
		}
	}, l.d.win)
}

// remove removes the connection off the UI goroutine and says where its
// history was kept, or why it was not removed.
func (l *connList) remove(slug, name string) {
	l.bg.add(1)
	spawn(func() {
		defer l.bg.add(-1)
		kept, err := l.d.deps.Remove(slug)
		if err == nil {
			l.d.Remove(slug)
		}
		fyne.Do(func() {
			if err != nil {
				dialog.ShowError(fmt.Errorf("the connection %q was not removed: %w", name, err), l.d.win)
				return
			}
			dialog.ShowInformation("Connection removed",
				fmt.Sprintf("%q was removed. Its history is kept in\n%s\nand `rolesync export --all` still includes it.", name, kept), l.d.win)
		})
	})
}

// showExportAll asks for a format, then a file, and writes one audit
// report of every connection's changes, the removed ones included.
func (l *connList) showExportAll() {
	if l.d.deps.ExportAll == nil {
		return
	}
	format := formatSelect()
	about := widget.NewLabel("Every change of every connection, removed ones included,\n" +
		"with the connection in every row and each connection's own\nsigned audit chain head.")
	form := []*widget.FormItem{widget.NewFormItem("Format", format), widget.NewFormItem("", about)}
	dialog.ShowForm("Export an audit report of all connections", "Choose file…", "Cancel", form, func(ok bool) {
		if !ok {
			return
		}
		sel := exportFormats[format.SelectedIndex()]
		save := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
			if err != nil {
				dialog.ShowError(err, l.d.win)
				return
			}
			if w == nil {
				return // cancelled
			}
			exporter{win: l.d.win, export: l.d.deps.ExportAll}.run(w, sel.format, record.ChangeFilter{})
		}, l.d.win)
		save.SetFileName("rolesync-audit-all-connections" + sel.ext)
		save.Show()
	}, l.d.win)
}

// askRename asks for a new name of the connection shown, and gives it.
func (d *Desk) askRename() {
	m := d.current
	if m == nil || d.deps.Rename == nil {
		return
	}
	slug, old := m.slug, d.Info(m.slug).label()
	entry := widget.NewEntry()
	entry.SetText(old)
	items := []*widget.FormItem{widget.NewFormItem("Name", entry)}
	form := dialog.NewForm("Rename connection", "Rename", "Cancel", items, func(ok bool) {
		if !ok || entry.Text == old {
			return
		}
		name := entry.Text
		d.list.bg.add(1)
		spawn(func() {
			defer d.list.bg.add(-1)
			if err := d.deps.Rename(slug, name); err != nil {
				fyne.Do(func() { dialog.ShowError(fmt.Errorf("the connection %q was not renamed: %w", old, err), d.win) })
			}
		})
	}, d.win)
	entry.OnSubmitted = func(string) { form.Submit() }
	form.Resize(fyne.NewSize(520, 160))
	form.Show()
	d.win.Canvas().Focus(entry)
}
