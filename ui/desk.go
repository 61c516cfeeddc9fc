package ui

import (
	"log/slog"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// ConnInfo names a connection as the app window shows it.
type ConnInfo struct {
	// Slug identifies the connection; it never changes.
	Slug string
	// Name is the admin's name for it ("Contoso → ThreatLocker EU1").
	Name string
	// Org is its Okta org's domain and Target its portal, "" before setup.
	Org, Target string
}

// label is the connection's name, or its slug when it has none.
func (c ConnInfo) label() string {
	if c.Name != "" {
		return c.Name
	}
	return c.Slug
}

// DeskDeps is what the app window needs from the rest of the app. Nil
// fields disable the features that need them.
type DeskDeps struct {
	// Add asks for a new connection (its name, then the setup wizard)
	// over parent; on the UI goroutine.
	Add func(parent fyne.Window)
	// Remove removes the connection slug; it is called off the UI
	// goroutine and returns where its history was kept.
	Remove func(slug string) (kept string, err error)
	// Rename gives the connection slug a new name; it is called off the
	// UI goroutine and updates the window itself (Desk.Rename).
	Rename func(slug, name string) error
	// ExportAll writes one audit report of every connection, the removed
	// ones included, with the connection in every row.
	ExportAll ExportFunc
	// Quit stops every sync loop cleanly; the window quits the app after
	// it returns.
	Quit func()
	// Logger receives the UI's own log lines; slog.Default() when nil.
	Logger *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Desk is rolesync's window: the list of connections and, for the one
// open, its screens; with the tray and the notifications of them all.
type Desk struct {
	app  fyne.App
	deps DeskDeps
	win  fyne.Window
	tray *Tray
	list *connList

	header      *fyne.Container
	back, add   *widget.Button
	exportAll   *widget.Button
	rename      *widget.Button
	title       *widget.Label
	body, frame *fyne.Container
	current     *MainWindow // the connection shown; nil for the list
	// chosen is set once a connection or the list was asked for; until
	// then the window shows the only connection, or the list.
	chosen bool

	mu    sync.Mutex // guards conns and order, set from any goroutine
	conns map[string]*deskConn
	order []string
}

// deskConn is one connection of the window.
type deskConn struct {
	info     ConnInfo
	deps     Deps
	status   Status
	notified notifyState
	view     *MainWindow // built when first shown
}

// NewDesk builds the app window of a, empty; Add puts connections in it.
// It does not show it; call Show. If a is a desktop app, the tray is set
// up too and closing the window hides it instead of quitting.
func NewDesk(a fyne.App, deps DeskDeps) *Desk {
	d := &Desk{app: a, deps: deps, conns: map[string]*deskConn{}}
	d.win = a.NewWindow("rolesync")
	d.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.title.Truncation = fyne.TextTruncateEllipsis
	d.back = widget.NewButtonWithIcon("All connections", theme.NavigateBackIcon(), func() { d.ShowList() })
	d.add = widget.NewButtonWithIcon("Add connection…", theme.ContentAddIcon(), d.onAdd)
	if deps.Add == nil {
		d.add.Hide()
	}
	d.exportAll = widget.NewButtonWithIcon("Export all…", theme.DocumentSaveIcon(), func() { d.list.showExportAll() })
	d.exportAll.Hide()
	d.rename = widget.NewButtonWithIcon("Rename…", theme.DocumentCreateIcon(), d.askRename)
	d.rename.Hide()
	d.header = container.NewBorder(nil, nil, d.back, container.NewHBox(d.rename, d.exportAll, d.add), d.title)
	d.body = container.NewStack()
	d.list = newConnList(d)
	d.frame = container.NewBorder(d.header, nil, nil, nil, d.body)
	d.win.SetContent(d.frame)
	d.win.Resize(fyne.NewSize(1120, 680))
	d.tray = newTray(a, d)
	if d.tray.installed() {
		d.win.SetCloseIntercept(d.win.Hide)
	}
	return d
}

// Window returns the Fyne window.
func (d *Desk) Window() fyne.Window { return d.win }

// Shown returns the connection whose screens are shown; nil while the
// list shows. On the UI goroutine.
func (d *Desk) Shown() *MainWindow { return d.current }

// Tray returns the tray.
func (d *Desk) Tray() *Tray { return d.tray }

func (d *Desk) now() time.Time {
	if d.deps.Now != nil {
		return d.deps.Now()
	}
	return time.Now()
}

func (d *Desk) logger() *slog.Logger {
	if d.deps.Logger != nil {
		return d.deps.Logger
	}
	return slog.Default()
}

// Add adds the connection info, whose screens use deps, or updates its
// name, org and target when it is there. Safe from any goroutine.
func (d *Desk) Add(info ConnInfo, deps Deps) {
	d.mu.Lock()
	if c, ok := d.conns[info.Slug]; ok {
		c.info = info
	} else {
		d.conns[info.Slug] = &deskConn{info: info, deps: deps}
		d.order = append(d.order, info.Slug)
	}
	d.mu.Unlock()
	fyne.Do(d.changed)
}

// Rename updates the name, org and target of a connection the window
// holds. Safe from any goroutine.
func (d *Desk) Rename(info ConnInfo) {
	d.mu.Lock()
	c, ok := d.conns[info.Slug]
	if ok {
		c.info = info
	}
	d.mu.Unlock()
	if ok {
		fyne.Do(d.changed)
	}
}

// Remove takes the connection slug out of the window; the list shows when
// it was the one open. Safe from any goroutine.
func (d *Desk) Remove(slug string) {
	d.mu.Lock()
	c, ok := d.conns[slug]
	delete(d.conns, slug)
	d.order = slices.DeleteFunc(d.order, func(s string) bool { return s == slug })
	d.mu.Unlock()
	if !ok {
		return
	}
	fyne.Do(func() {
		if v := d.built(c); v != nil && d.current == v {
			d.current = nil
			d.showBody()
		}
		d.changed()
	})
}

// Show shows the window and brings it to the front. Safe from any goroutine.
func (d *Desk) Show() {
	fyne.Do(func() {
		d.win.Show()
		d.win.RequestFocus()
	})
}

// Open shows the screens of the connection slug and brings the window to
// the front. Safe from any goroutine.
func (d *Desk) Open(slug string) {
	fyne.Do(func() {
		if m := d.view(slug); m != nil {
			d.show(m)
		}
		d.win.Show()
		d.win.RequestFocus()
	})
}

// ShowList shows the list of connections. Safe from any goroutine.
func (d *Desk) ShowList() {
	fyne.Do(func() {
		d.current, d.chosen = nil, true
		d.showBody()
		d.win.Show()
		d.win.RequestFocus()
	})
}

// View returns the screens of the connection slug, building them the
// first time; nil when the window has no such connection. On the UI
// goroutine.
func (d *Desk) View(slug string) *MainWindow { return d.view(slug) }

func (d *Desk) view(slug string) *MainWindow {
	d.mu.Lock()
	c, ok := d.conns[slug]
	d.mu.Unlock()
	if !ok {
		return nil
	}
	d.mu.Lock()
	v := c.view
	d.mu.Unlock()
	if v == nil {
		v = newConnectionView(d, slug, c.deps)
		d.mu.Lock()
		c.view = v
		d.mu.Unlock()
		v.apply(Status{}, d.Status(slug))
	}
	return v
}

// built returns c's screens when they are built.
func (d *Desk) built(c *deskConn) *MainWindow {
	d.mu.Lock()
	defer d.mu.Unlock()
	return c.view
}

// show puts m's screens in the window; on the UI goroutine.
func (d *Desk) show(m *MainWindow) {
	d.current, d.chosen = m, true
	d.showBody()
}

// changed follows a change of the connections: the body (the list first
// when there are several and none is open; the only one when there is
// one), the header, the list and the tray; on the UI goroutine.
func (d *Desk) changed() {
	slugs := d.Slugs()
	if !d.chosen {
		d.current = nil
		if len(slugs) == 1 {
			d.current = d.view(slugs[0])
		}
	}
	d.showBody()
	d.list.refresh()
	d.tray.update()
}

// showBody shows the open connection's screens, or the list, and the
// header over them; on the UI goroutine.
func (d *Desk) showBody() {
	slugs := d.Slugs()
	var content fyne.CanvasObject = d.list.content
	if m := d.current; m != nil {
		content = m.tabs
		info := d.Info(m.slug)
		d.title.SetText(connTitle(info))
		d.back.Show()
		d.exportAll.Hide()
		if d.deps.Rename != nil {
			d.rename.Show()
		}
	} else {
		d.title.SetText("Connections")
		d.back.Hide()
		d.rename.Hide()
		if d.list.stale {
			d.list.refresh()
		}
		if d.deps.ExportAll != nil {
			d.exportAll.Show()
		}
	}
	// One connection and no way to add another: the window holds its
	// screens alone, with no header.
	if len(slugs) <= 1 && d.deps.Add == nil && d.current != nil {
		d.body.Objects = nil
		d.setContent(content)
		return
	}
	if len(d.body.Objects) != 1 || d.body.Objects[0] != content {
		d.body.Objects = []fyne.CanvasObject{content}
		d.body.Refresh()
	}
	d.setContent(d.frame)
}

func (d *Desk) setContent(c fyne.CanvasObject) {
	if d.win.Content() != c {
		d.win.SetContent(c)
	}
}

// connTitle is the header's title over a connection's screens.
func connTitle(c ConnInfo) string {
	if c.Org == "" {
		return c.label()
	}
	return c.label() + "  ·  " + c.Org
}

func (d *Desk) onAdd() {
	if d.deps.Add != nil {
		d.deps.Add(d.win)
	}
}

// quit hides the window, stops the loops through DeskDeps.Quit (which may
// wait for runs in progress to end) off the UI goroutine, then quits the
// app.
func (d *Desk) quit() {
	d.win.Hide()
	spawn(func() {
		if d.deps.Quit != nil {
			d.deps.Quit()
		}
		fyne.Do(d.app.Quit)
	})
}

// Wait waits for the background reads of every connection's screens to
// finish, for a clean shutdown.
func (d *Desk) Wait() {
	d.mu.Lock()
	var views []*MainWindow
	for _, c := range d.conns {
		views = append(views, c.view)
	}
	d.mu.Unlock()
	for _, v := range views {
		if v != nil {
			v.Wait()
		}
	}
	d.list.bg.wait()
}
