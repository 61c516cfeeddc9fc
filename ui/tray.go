package ui

import (
	"fmt"
	"sync"
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
	// With several connections: the top level's Sync all now, and each
	// connection's submenu's Open.
	LabelSyncAll  = "Sync all now"
	LabelOpenConn = "Open"
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
// status of every connection in the window.
type Tray struct {
	d    *Desk
	desk desktop.App // nil without a tray
	menu *fyne.Menu

	view    DeskTrayView
	applied bool
	// lastRefresh and refreshDue pace the menu's refreshes (see refresh);
	// paceMu guards them for the timer's goroutine.
	paceMu      sync.Mutex
	lastRefresh time.Time
	refreshDue  bool
	// push hands the menu to the tray host: the menu's Refresh.
	push func()
}

// trayRefreshEvery is the least time between two refreshes of the tray
// menu: the tray host rebuilds it whole each time, and a run's progress
// changes a status line many times a second.
const trayRefreshEvery = 500 * time.Millisecond

// hasTrayHost asks whether a tray host runs; tests replace it.
var hasTrayHost = trayhost.Available

func newTray(a fyne.App, d *Desk) *Tray {
	t := &Tray{d: d, menu: fyne.NewMenu("rolesync")}
	t.push = t.menu.Refresh
	if da, ok := a.(desktop.App); ok && !trayhost.Disabled && hasTrayHost() {
		t.desk = da
		t.apply(NewDeskTrayView(nil, d.now()))
		da.SetSystemTrayMenu(t.menu)
		da.SetSystemTrayWindow(d.win)
	} else {
		d.logger().Info("no system tray available; running with the window alone")
		t.apply(NewDeskTrayView(nil, d.now()))
	}
	return t
}

func (t *Tray) installed() bool { return t.desk != nil }

// Menu returns the tray's menu.
func (t *Tray) Menu() *fyne.Menu { return t.menu }

// View returns the view of the only connection (or the first), as the
// tray shows it with one connection.
func (t *Tray) View() TrayView {
	if len(t.view.Conns) == 0 {
		return NewTrayView(Status{}, t.d.now())
	}
	return t.view.Conns[0].TrayView
}

// DeskView returns the view the tray shows.
func (t *Tray) DeskView() DeskTrayView { return t.view }

// update follows the connections and their statuses; on the UI goroutine.
func (t *Tray) update() { t.apply(NewDeskTrayView(t.d.trayConns(), t.d.now())) }

// apply puts v into the menu and icon, touching the tray host only for
// what changed.
func (t *Tray) apply(v DeskTrayView) {
	old, first := t.view, !t.applied
	t.view, t.applied = v, true
	t.menu.Items = t.items(v)
	if t.desk == nil {
		return
	}
	if first || old.State != v.State {
		t.desk.SetSystemTrayIcon(TrayIcon(v.State))
	}
	if !first && !old.equal(v) {
		t.refresh()
	}
}

// refresh hands the tray host the menu now, or once trayRefreshEvery has
// passed since the last time; on the UI goroutine.
func (t *Tray) refresh() {
	t.paceMu.Lock()
	if t.refreshDue {
		t.paceMu.Unlock()
		return // a refresh is on its way and will show the latest items
	}
	wait := time.Until(t.lastRefresh.Add(trayRefreshEvery))
	if wait <= 0 {
		t.lastRefresh = time.Now()
		t.paceMu.Unlock()
		t.push()
		return
	}
	t.refreshDue = true
	t.paceMu.Unlock()
	time.AfterFunc(wait, func() {
		fyne.Do(func() {
			t.paceMu.Lock()
			t.refreshDue = false
			t.lastRefresh = time.Now()
			t.paceMu.Unlock()
			t.push()
		})
	})
}

// refreshPending reports whether a paced refresh is on its way.
func (t *Tray) refreshPending() bool {
	t.paceMu.Lock()
	defer t.paceMu.Unlock()
	return t.refreshDue
}
