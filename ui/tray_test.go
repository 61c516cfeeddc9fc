package ui

import (
	"runtime"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/logbuffer"
	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/trayhost"
)

// trayApp is a desktop app whose tray records what it was given.
type trayApp struct {
	fyne.App
	menu   *fyne.Menu
	icons  []fyne.Resource
	window fyne.Window
}

func (a *trayApp) SetSystemTrayMenu(m *fyne.Menu)    { a.menu = m }
func (a *trayApp) SetSystemTrayIcon(r fyne.Resource) { a.icons = append(a.icons, r) }
func (a *trayApp) SetSystemTrayWindow(w fyne.Window) { a.window = w }

func (a *trayApp) labels() []string {
	var out []string
	for _, it := range a.menu.Items {
		if !it.IsSeparator {
			out = append(out, it.Label)
		}
	}
	return out
}

func (a *trayApp) item(t *testing.T, label string) *fyne.MenuItem {
	t.Helper()
	for _, it := range a.menu.Items {
		if it.Label == label {
			return it
		}
	}
	t.Fatalf("tray menu has no %q item; it has %q", label, a.labels())
	return nil
}

func run(id int64, status string, finished time.Time) *store.Run {
	return &store.Run{ID: id, Status: status, StartedAt: finished.Add(-2 * time.Second), FinishedAt: finished,
		Created: 1, Granted: 2, Revoked: 3}
}

func TestNewTrayView(t *testing.T) {
	at := demoNow.Add(-5 * time.Minute)
	next := demoNow.Add(10 * time.Minute)
	cases := []struct {
		name        string
		status      Status
		state       TrayState
		line, pause string
		pending     string
		pendingOn   bool
		syncOn      bool
	}{
		{"before the first run", Status{NextRun: next}, TrayIdle,
			"No run yet · next 14:40", LabelPause, "Pending approvals (0)", false, true},
		{"syncing with progress", Status{Syncing: true, LastRun: run(1, store.StatusSucceeded, at),
			Progress: Progress{GroupsRead: 3, GroupsTotal: 10}}, TraySyncing,
			"Syncing: 3 of 10 groups read", LabelPause, "Pending approvals (0)", false, false},
		{"applying changes", Status{Syncing: true, Progress: Progress{GroupsRead: 10, GroupsTotal: 10, ChangesApplied: 4, ChangesTotal: 9}}, TraySyncing,
			"Syncing: 10 of 10 groups read, 4 of 9 changes applied", LabelPause, "Pending approvals (0)", false, false},
		{"failed", Status{LastRun: run(2, store.StatusFailed, at), NextRun: next}, TrayFailed,
			"Run 2: Failed at 14:25 · next 14:40", LabelPause, "Pending approvals (0)", false, true},
		{"waiting for approval", Status{LastRun: run(3, store.StatusHeld, at), NextRun: next, Pending: 2}, TrayWaiting,
			"Run 3: Held for approval at 14:25 · next 14:40", LabelPause, "Pending approvals (2)", true, true},
		{"idle after success", Status{LastRun: run(4, store.StatusSucceeded, at), NextRun: next}, TrayIdle,
			"Run 4: Succeeded at 14:25 · next 14:40", LabelPause, "Pending approvals (0)", false, true},
		{"paused", Status{LastRun: run(4, store.StatusSucceeded, at), NextRun: next, Paused: true}, TrayIdle,
			"Run 4: Succeeded at 14:25 · paused", LabelResume, "Pending approvals (0)", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := NewTrayView(tc.status, demoNow)
			if v.State != tc.state {
				t.Errorf("state = %v, want %v", v.State, tc.state)
			}
			if v.StatusLine != tc.line {
				t.Errorf("status line = %q, want %q", v.StatusLine, tc.line)
			}
			if v.PauseLabel != tc.pause || v.PendingLabel != tc.pending || v.PendingEnabled != tc.pendingOn || v.SyncEnabled != tc.syncOn {
				t.Errorf("view = %+v, want pause %q, pending %q (%v), sync enabled %v", v, tc.pause, tc.pending, tc.pendingOn, tc.syncOn)
			}
		})
	}
}

// withTrayHost makes the tests see a tray host, or none.
func withTrayHost(t testing.TB, present bool) {
	t.Helper()
	old := hasTrayHost
	hasTrayHost = func() bool { return present }
	t.Cleanup(func() { hasTrayHost = old })
}

func newTrayWindow(t *testing.T) (*MainWindow, *trayApp, *fakeEngine) {
	t.Helper()
	withTrayHost(t, true)
	a := &trayApp{App: test.NewTempApp(t)}
	h := demoHistory()
	e := &fakeEngine{hist: h}
	cfg := demoConfig()
	m := NewMainWindow(a, Deps{Loop: e, Approver: e, History: h, Config: func() config.Config { return cfg },
		Now: func() time.Time { return demoNow }})
	return m, a, e
}

func TestTrayFollowsTheSync(t *testing.T) {
	m, a, e := newTrayWindow(t)
	if a.menu == nil || a.window != m.win {
		t.Fatalf("tray not installed: menu %v, window %v", a.menu, a.window)
	}
	want := []string{"No run yet", LabelSyncNow, LabelPause, "Pending approvals (0)", LabelOpen, LabelQuit}
	if got := a.labels(); !equalStrings(got, want) {
		t.Fatalf("menu = %q, want %q", got, want)
	}

	at := demoNow.Add(-time.Minute)
	steps := []struct {
		name   string
		status Status
		state  TrayState
		first  string
	}{
		{"syncing", Status{Syncing: true, Progress: Progress{GroupsRead: 1, GroupsTotal: 3}}, TraySyncing, "Syncing: 1 of 3 groups read"},
		{"failed", Status{LastRun: run(1, store.StatusFailed, at)}, TrayFailed, "Run 1: Failed at 14:29"},
		{"waiting for approval", Status{LastRun: run(2, store.StatusHeld, at), Pending: 1}, TrayWaiting, "Run 2: Held for approval at 14:29"},
		{"idle", Status{LastRun: run(3, store.StatusSucceeded, at)}, TrayIdle, "Run 3: Succeeded at 14:29"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			icons := len(a.icons)
			m.SetStatus(st.status)
			if got := m.tray.View().State; got != st.state {
				t.Errorf("state = %v, want %v", got, st.state)
			}
			if len(a.icons) != icons+1 || a.icons[len(a.icons)-1] != TrayIcon(st.state) {
				t.Errorf("tray icon not switched to %v", st.state)
			}
			if got := a.menu.Items[0].Label; got != st.first {
				t.Errorf("status line = %q, want %q", got, st.first)
			}
		})
	}

	t.Run("sync now", func(t *testing.T) {
		a.item(t, LabelSyncNow).Action()
		if e.syncs != 1 {
			t.Errorf("SyncNow called %d times, want 1", e.syncs)
		}
	})
	t.Run("pause and resume", func(t *testing.T) {
		a.item(t, LabelPause).Action()
		if !e.isPaused() {
			t.Fatal("Pause did not pause the engine")
		}
		a.item(t, LabelResume).Action() // the item now reads Resume
		if e.isPaused() {
			t.Fatal("Resume did not resume the engine")
		}
		if a.item(t, LabelPause) == nil {
			t.Fatal("item does not read Pause again")
		}
	})
	t.Run("sync now is off while syncing", func(t *testing.T) {
		m.SetStatus(Status{Syncing: true})
		if !a.item(t, LabelSyncNow).Disabled {
			t.Error("Sync now enabled during a run")
		}
	})
	t.Run("pending approvals opens the approvals tab", func(t *testing.T) {
		m.SetStatus(Status{LastRun: run(4, store.StatusHeld, at), Pending: 1})
		m.tabs.SelectIndex(0)
		it := a.item(t, "Pending approvals (1)")
		if it.Disabled {
			t.Fatal("pending approvals item disabled with one pending")
		}
		it.Action()
		if m.tabs.Selected().Text != "Approvals" {
			t.Errorf("selected tab = %q, want Approvals", m.tabs.Selected().Text)
		}
	})
}

func TestTrayQuitStopsTheLoop(t *testing.T) {
	withTrayHost(t, true)
	a := &trayApp{App: test.NewTempApp(t)}
	stopped := 0
	NewMainWindow(a, Deps{Quit: func() { stopped++ }, Now: func() time.Time { return demoNow }})
	quit := a.item(t, LabelQuit)
	if !quit.IsQuit {
		t.Error("Quit item not marked IsQuit, so the driver would add a second one")
	}
	quit.Action()
	if stopped != 1 {
		t.Errorf("Deps.Quit called %d times, want 1", stopped)
	}
}

func TestNoTrayRunsWithTheWindowAlone(t *testing.T) {
	buf := logbuffer.New(10, nil)
	m := NewMainWindow(test.NewTempApp(t), Deps{Logger: slogTo(buf), Now: func() time.Time { return demoNow }})
	if m.tray.installed() {
		t.Fatal("tray installed on an app without one")
	}
	lines := buf.Lines()
	if len(lines) != 1 || !contains(lines[0], "no system tray available; running with the window alone") {
		t.Errorf("log = %q, want the one no-tray line", lines)
	}
}

func TestNoTrayHostRunsWithTheWindowAlone(t *testing.T) {
	withTrayHost(t, false)
	a := &trayApp{App: test.NewTempApp(t)}
	buf := logbuffer.New(10, nil)
	m := NewMainWindow(a, Deps{Logger: slogTo(buf), Now: func() time.Time { return demoNow }})
	if m.tray.installed() || a.menu != nil {
		t.Fatal("tray set up with no tray host")
	}
	if lines := buf.Lines(); len(lines) != 1 || !contains(lines[0], "no system tray available; running with the window alone") {
		t.Errorf("log = %q, want the one no-tray line", lines)
	}
}

func TestTrayHostNeedsASessionBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	if trayhost.Available() && (runtime.GOOS != "windows" && runtime.GOOS != "darwin") {
		t.Error("a tray host reported with the session bus switched off")
	}
}

func TestTrayIconsAreDistinct(t *testing.T) {
	seen := map[string]TrayState{}
	for _, s := range []TrayState{TrayIdle, TraySyncing, TrayFailed, TrayWaiting} {
		r := TrayIcon(s)
		if r == nil || len(r.Content()) == 0 {
			t.Fatalf("no icon for %v", s)
		}
		if prev, ok := seen[string(r.Content())]; ok {
			t.Errorf("icons for %v and %v are the same", prev, s)
		}
		seen[string(r.Content())] = s
	}
}
