// Package ui holds rolesync's Fyne screens: the main window (dashboard,
// history, approvals, mappings and settings, log), the system tray and the
// desktop notifications. It takes a fyne.App and small interfaces from the
// wiring; it never creates the app and imports no engine or store internals.
//
// The wiring, in outline:
//
//	logs := logbuffer.New(500, slog.LevelInfo)
//	slog.SetDefault(slog.New(slog.NewMultiHandler(stderrHandler, logs.Handler())))
//	m := ui.NewMainWindow(a, ui.Deps{Loop: sched, Approver: approver, History: st, Config: cfg, Log: logs, Quit: loop.Stop, ...})
//	// from the engine's goroutines, on every event:
//	m.SetStatus(status)
//	m.Window().Show()
//	a.Run()
//
// With a system tray the window hides on close and the tray's Quit ends
// the app; without one the window alone runs the app.
package ui

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/rolesync/rolesync/internal/store/record"
)

// MainWindow is rolesync's main window with its tabs, and the tray and
// notifications that follow the same status.
type MainWindow struct {
	app  fyne.App
	deps Deps
	win  fyne.Window
	tabs *container.AppTabs

	dashboard *dashboardTab
	history   *historyTab
	approvals *approvalsTab
	settings  *settingsTab
	logTab    *logTab
	tray      *Tray

	bg       inFlight   // background reads in flight
	mu       sync.Mutex // guards status and notified, set from any goroutine
	status   Status
	notified notifyState
}

// NewMainWindow builds the main window of a. It does not show it; call Show.
// If a is a desktop app, the tray is set up too and closing the window
// hides it instead of quitting.
func NewMainWindow(a fyne.App, deps Deps) *MainWindow {
	m := &MainWindow{app: a, deps: deps}
	m.win = a.NewWindow("rolesync")
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
	m.win.SetContent(m.tabs)
	m.win.Resize(fyne.NewSize(1000, 680))
	m.tray = newTray(a, m)
	if m.tray.installed() {
		m.win.SetCloseIntercept(m.win.Hide)
	}
	m.Reload()
	return m
}

// Window returns the Fyne window.
func (m *MainWindow) Window() fyne.Window { return m.win }

// Show shows the window and brings it to the front. Safe from any goroutine.
func (m *MainWindow) Show() {
	fyne.Do(func() {
		m.win.Show()
		m.win.RequestFocus()
	})
}

// SetStatus hands the window and the tray the sync's new status: it updates
// the dashboard, the tray menu and icon, sends a notification when the
// state changed in a way the admin must hear of, and reloads the history and
// approvals when a run finished. Safe from any goroutine.
func (m *MainWindow) SetStatus(s Status) {
	m.mu.Lock()
	prev := m.status
	m.status = s
	n, next := nextNotification(m.notified, s)
	m.notified = next
	m.mu.Unlock()

	fyne.Do(func() {
		m.dashboard.update(s)
		m.tray.update(s)
		if n != nil {
			m.app.SendNotification(n)
		}
		if runID(prev.LastRun) != runID(s.LastRun) || prev.Pending != s.Pending || prev.Syncing != s.Syncing {
			m.reload()
		}
	})
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
func (m *MainWindow) Status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.status
}

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

// quit hides the window, stops the loop through Deps.Quit (which may wait
// for a run in progress to end or roll back) off the UI goroutine, then
// quits the app.
func (m *MainWindow) quit() {
	m.win.Hide()
	spawn(func() {
		if m.deps.Quit != nil {
			m.deps.Quit()
		}
		fyne.Do(m.app.Quit)
	})
}

// showApprovals shows the window on its Approvals tab.
func (m *MainWindow) showApprovals() {
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
