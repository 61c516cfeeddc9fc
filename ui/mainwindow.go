// Package ui holds rolesync's Fyne screens: the app window (Desk) with the
// list of connections and, for each connection, its dashboard, history,
// approvals, mappings and settings and log (MainWindow), the system tray
// and the desktop notifications. It takes a fyne.App and small interfaces from the
// wiring; it never creates the app and imports no engine or store internals.
//
// The wiring, in outline:
//
//	logs := logbuffer.New(500, slog.LevelInfo)
//	d := ui.NewDesk(a, ui.DeskDeps{Add: askName, Remove: remove, Quit: stopAll, ...})
//	// per connection:
//	d.Add(ui.ConnInfo{Slug: slug, Name: name, Org: domain, Target: target},
//		ui.Deps{Loop: sched, Approver: approver, History: st, Config: cfg, Log: logs, ...})
//	// from the engines' goroutines, on every event:
//	d.SetStatus(slug, status)
//	d.Show()
//	a.Run()
//
// With one connection the window shows its tabs and the tray its flat
// menu; with several, the list of connections first and a tray submenu
// per connection. With a system tray the window hides on close and the
// tray's Quit ends the app; without one the window alone runs the app.
package ui

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/rolesync/rolesync/internal/store/record"
)

// MainWindow is one connection's screens, with its tabs, in the app's
// window (a Desk), whose tray and notifications follow its status.
type MainWindow struct {
	app  fyne.App
	deps Deps
	desk *Desk
	slug string
	win  fyne.Window
	tabs *container.AppTabs

	dashboard *dashboardTab
	history   *historyTab
	approvals *approvalsTab
	settings  *settingsTab
	logTab    *logTab
	tray      *Tray

	bg inFlight // background reads in flight
}

// NewMainWindow builds the window of a for one connection: a Desk of
// that connection alone. It does not show it; call Show. If a is a
// desktop app, the tray is set up too and closing the window hides it
// instead of quitting.
func NewMainWindow(a fyne.App, deps Deps) *MainWindow {
	d := NewDesk(a, DeskDeps{Quit: deps.Quit, Logger: deps.Logger, Now: deps.Now})
	d.Add(ConnInfo{Slug: "default"}, deps)
	m := d.view("default")
	d.show(m)
	return m
}

// newConnectionView builds the screens of the connection slug in d's window.
func newConnectionView(d *Desk, slug string, deps Deps) *MainWindow {
	m := &MainWindow{app: d.app, deps: deps, desk: d, slug: slug, win: d.win, tray: d.tray}
	m.dashboard = newDashboardTab(m)
	m.history = newHistoryTab(m)
	m.approvals = newApprovalsTab(m)
	m.settings = newSettingsTab(m)
	m.logTab = newLogTab(m)
	m.tabs = container.NewAppTabs(
		container.NewTabItem("Dashboard", m.dashboard.content),
		container.NewTabItem("History", m.history.content),
		container.NewTabItem("Approvals", m.approvals.content),
		container.NewTabItem("Mappings and Settings", m.settings.content),
		container.NewTabItem("Log", m.logTab.content),
	)
	m.tabs.OnSelected = func(ti *container.TabItem) { m.onTabSelected(ti) }
	m.Reload()
	return m
}

// Window returns the Fyne window.
func (m *MainWindow) Window() fyne.Window { return m.win }

// Desk returns the app window that holds this connection's screens.
func (m *MainWindow) Desk() *Desk { return m.desk }

// Show shows this connection's screens and brings the window to the
// front. Safe from any goroutine.
func (m *MainWindow) Show() { m.desk.Open(m.slug) }

// SetStatus hands the window and the tray the sync's new status: it updates
// the dashboard, the tray menu and icon, sends a notification when the
// state changed in a way the admin must hear of, and reloads the history and
// approvals when a run finished. Safe from any goroutine.
func (m *MainWindow) SetStatus(s Status) { m.desk.SetStatus(m.slug, s) }

// apply shows the new status s, after prev, on this connection's screens;
// on the UI goroutine.
func (m *MainWindow) apply(prev, s Status) {
	m.dashboard.update(s)
	if runID(prev.LastRun) != runID(s.LastRun) || prev.Pending != s.Pending || prev.Syncing != s.Syncing {
		m.reload()
	}
}

// Wait waits for the window's background reads to finish, for a clean
// shutdown.
func (m *MainWindow) Wait() { m.bg.wait() }

// inFlight counts work in progress; unlike a WaitGroup, work may start
// while someone waits.
type inFlight struct {
	mu   sync.Mutex
	cond *sync.Cond
	n    int
}

func (f *inFlight) add(d int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n += d
	if f.n == 0 && f.cond != nil {
		f.cond.Broadcast()
	}
}

func (f *inFlight) wait() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cond == nil {
		f.cond = sync.NewCond(&f.mu)
	}
	for f.n > 0 {
		f.cond.Wait()
	}
}

// Status returns the status last handed to SetStatus.
func (m *MainWindow) Status() Status { return m.desk.Status(m.slug) }

// Reload reads the runs, the chart and the approvals again. Safe from any
// goroutine.
func (m *MainWindow) Reload() { fyne.Do(m.reload) }

func (m *MainWindow) reload() {
	m.dashboard.reload()
	m.history.reload()
	m.approvals.reload()
	m.settings.reload()
}

func (m *MainWindow) onTabSelected(ti *container.TabItem) {
	if ti.Content == m.logTab.content {
		m.logTab.refresh()
	}
}

// spawn starts background work; tests replace it to run work in line.
var spawn = func(fn func()) { go fn() }

// background runs fn off the UI goroutine with a bounded context; fn hands
// its results to the UI with fyne.Do.
func (m *MainWindow) background(fn func(ctx context.Context)) {
	m.bg.add(1)
	spawn(func() {
		defer m.bg.add(-1)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		fn(ctx)
	})
}

// showApprovals shows the window on this connection's Approvals tab; on
// the UI goroutine.
func (m *MainWindow) showApprovals() {
	m.desk.show(m)
	m.tabs.Select(m.tabs.Items[2])
	m.win.Show()
	m.win.RequestFocus()
}

// runID is r's ID; 0 for no run.
func runID(r *record.Run) int64 {
	if r == nil {
		return 0
	}
	return r.ID
}
