package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/rolesync/rolesync/internal/store/record"
	"github.com/rolesync/rolesync/internal/trayhost"
	"github.com/rolesync/rolesync/internal/wording"
)

// Tray menu labels. The end-to-end tray test clicks them by name.
const (
	LabelSyncNow = "Sync now"
	LabelPause   = "Pause"
	LabelResume  = "Resume"
	LabelOpen    = "Open rolesync"
	LabelQuit    = "Quit"
)

// TrayView is the tray's menu and icon for one status: a pure value, so the
// tray's behaviour is testable without a tray host.
type TrayView struct {
	State TrayState
	// StatusLine is the menu's first, disabled item.
	StatusLine string
	// PauseLabel is LabelPause or LabelResume.
	PauseLabel string
	// PendingLabel is "Pending approvals (n)".
	PendingLabel string
	// PendingEnabled is true when runs wait for approval.
	PendingEnabled bool
	// SyncEnabled is false while a run is going.
	SyncEnabled bool
}

// NewTrayView computes the tray's view of s at now.
func NewTrayView(s Status, now time.Time) TrayView {
	v := TrayView{
		State:          TrayIdle,
		PauseLabel:     LabelPause,
		PendingLabel:   fmt.Sprintf("Pending approvals (%d)", s.Pending),
		PendingEnabled: s.Pending > 0,
		SyncEnabled:    !s.Syncing,
	}
	if s.Paused {
		v.PauseLabel = LabelResume
	}
	switch {
	case s.Syncing:
		v.State = TraySyncing
	case s.Pending > 0:
		v.State = TrayWaiting
	case s.LastRun != nil && s.LastRun.Status == record.StatusFailed:
		v.State = TrayFailed
	}
	v.StatusLine = trayStatusLine(s, now)
	return v
}

func trayStatusLine(s Status, now time.Time) string {
	if s.Syncing {
		return "Syncing: " + progressLine(s.Progress)
	}
	line := "No run yet"
	if r := s.LastRun; r != nil {
		line = fmt.Sprintf("Run %d: %s at %s", r.ID, wording.RunResult(*r), wording.Time(r.FinishedAt, now))
	}
	switch {
	case s.Paused:
		return line + " · paused"
	case !s.NextRun.IsZero():
		return line + " · next " + wording.Time(s.NextRun, now)
	}
	return line
}

// Tray is the system tray icon and menu of a desktop app, following the
// status the window gets.
type Tray struct {
	m    *MainWindow
	desk desktop.App // nil without a tray
	menu *fyne.Menu

	status, sync, pause, pending, open, quit *fyne.MenuItem

	view    TrayView
	applied bool
}

// hasTrayHost asks whether a tray host runs; tests replace it.
var hasTrayHost = trayhost.Available

func newTray(a fyne.App, m *MainWindow) *Tray {
	t := &Tray{m: m}
	t.status = fyne.NewMenuItem("", nil)
	t.status.Disabled = true
	t.sync = fyne.NewMenuItem(LabelSyncNow, t.onSyncNow)
	t.pause = fyne.NewMenuItem(LabelPause, t.onPause)
	t.pending = fyne.NewMenuItem("", m.showApprovals)
	t.open = fyne.NewMenuItem(LabelOpen, m.Show)
	t.quit = fyne.NewMenuItem(LabelQuit, m.quit)
	t.quit.IsQuit = true
	t.menu = fyne.NewMenu("rolesync",
		t.status, fyne.NewMenuItemSeparator(),
		t.sync, t.pause, t.pending, fyne.NewMenuItemSeparator(),
		t.open, fyne.NewMenuItemSeparator(),
		t.quit)
	if m.deps.Loop == nil {
		t.sync.Disabled, t.pause.Disabled = true, true
	}
	if d, ok := a.(desktop.App); ok && !trayhost.Disabled && hasTrayHost() {
		t.desk = d
		t.apply(NewTrayView(Status{}, m.deps.now()))
		d.SetSystemTrayMenu(t.menu)
		d.SetSystemTrayWindow(m.win)
	} else {
		m.deps.logger().Info("no system tray available; running with the window alone")
		t.apply(NewTrayView(Status{}, m.deps.now()))
	}
	return t
}

func (t *Tray) installed() bool { return t.desk != nil }

// Menu returns the tray's menu.
func (t *Tray) Menu() *fyne.Menu { return t.menu }

// View returns the view the tray shows.
func (t *Tray) View() TrayView { return t.view }

func (t *Tray) update(s Status) { t.apply(NewTrayView(s, t.m.deps.now())) }

// apply puts v into the menu and icon, touching the tray host only for
// what changed.
func (t *Tray) apply(v TrayView) {
	old, first := t.view, !t.applied
	t.view, t.applied = v, true
	t.status.Label = v.StatusLine
	t.pause.Label = v.PauseLabel
	t.pending.Label = v.PendingLabel
	t.pending.Disabled = !v.PendingEnabled
	if t.m.deps.Loop != nil {
		t.sync.Disabled = !v.SyncEnabled
	}
	if t.desk == nil {
		return
	}
	if first || old.State != v.State {
		t.desk.SetSystemTrayIcon(TrayIcon(v.State))
	}
	if !first && old != v {
		t.menu.Refresh()
	}
}

func (t *Tray) onSyncNow() {
	if e := t.m.deps.Loop; e != nil {
		e.SyncNow()
	}
}

func (t *Tray) onPause() {
	e := t.m.deps.Loop
	if e == nil {
		return
	}
	s := t.m.Status()
	if s.Paused {
		e.Resume()
	} else {
		e.Pause()
	}
	// Show the change at once; the loop's next status confirms it.
	s.Paused = !s.Paused
	t.m.SetStatus(s)
}
