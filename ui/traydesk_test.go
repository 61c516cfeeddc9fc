package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/rolesync/rolesync/internal/store"
)

// subItem returns the item labelled label in the submenu whose label
// starts with parent.
func (a *trayApp) subItem(t *testing.T, parent, label string) *fyne.MenuItem {
	t.Helper()
	for _, it := range a.menu.Items {
		if it.ChildMenu == nil || !strings.HasPrefix(it.Label, parent) {
			continue
		}
		for _, c := range it.ChildMenu.Items {
			if c.Label == label {
				return c
			}
		}
		t.Fatalf("submenu %q has no %q", it.Label, label)
	}
	t.Fatalf("tray menu has no submenu %q; it has %q", parent, a.labels())
	return nil
}

func TestDeskTrayWithSeveralConnections(t *testing.T) {
	d, a, fx, _ := newTestDesk(t, threeConns, nil)
	at := demoNow.Add(-time.Minute)
	d.SetStatus("contoso", Status{LastRun: run(4, store.StatusFailed, at)})
	d.SetStatus("fabrikam", Status{LastRun: run(2, store.StatusHeld, at), Pending: 2})
	d.SetStatus("northwind", Status{LastRun: run(7, store.StatusSucceeded, at), NextRun: demoNow.Add(10 * time.Minute)})

	want := []string{"3 connections: 1 failing, 1 waiting for approval",
		"Contoso → ThreatLocker EU1 (failed)", "Fabrikam → ThreatLocker US2 (waiting for approval)", "Northwind → ThreatLocker UK1",
		LabelSyncAll, "Pending approvals (2)", LabelOpen, LabelQuit}
	if got := a.labels(); !equalStrings(got, want) {
		t.Fatalf("menu = %q\nwant %q", got, want)
	}
	if got := a.icons[len(a.icons)-1]; got != TrayIcon(TrayFailed) {
		t.Error("the tray icon is not the worst state (failed)")
	}
	var labels []string
	for _, it := range a.menu.Items[3].ChildMenu.Items {
		labels = append(labels, it.Label)
	}
	if want := []string{"Run 2: Held for approval at 14:29", LabelSyncNow, LabelPause, "Pending approvals (2)", LabelOpenConn}; !equalStrings(labels, want) {
		t.Errorf("Fabrikam's submenu = %q, want %q", labels, want)
	}

	a.subItem(t, "Fabrikam", LabelSyncNow).Action()
	if fx["fabrikam"].eng.syncs != 1 || fx["contoso"].eng.syncs != 0 || fx["northwind"].eng.syncs != 0 {
		t.Errorf("Sync now of Fabrikam synced contoso %d, fabrikam %d, northwind %d times",
			fx["contoso"].eng.syncs, fx["fabrikam"].eng.syncs, fx["northwind"].eng.syncs)
	}
	a.subItem(t, "Northwind", LabelPause).Action()
	if !fx["northwind"].eng.isPaused() || fx["contoso"].eng.isPaused() || fx["fabrikam"].eng.isPaused() {
		t.Error("Pause of Northwind did not pause it alone")
	}
	a.item(t, "Northwind → ThreatLocker UK1 (paused)")
	a.subItem(t, "Northwind", LabelResume)
	a.subItem(t, "Contoso", LabelPause)
	if got := a.menu.Items[0].Label; got != "3 connections: 1 failing, 1 waiting for approval, 1 paused" {
		t.Errorf("status line after Pause = %q", got)
	}

	d.SetStatus("contoso", Status{Syncing: true, LastRun: run(4, store.StatusFailed, at)})
	a.item(t, LabelSyncAll).Action()
	if fx["contoso"].eng.syncs != 0 || fx["fabrikam"].eng.syncs != 2 || fx["northwind"].eng.syncs != 1 {
		t.Errorf("Sync all now synced contoso %d, fabrikam %d, northwind %d times; want 0 (syncing), 2, 1",
			fx["contoso"].eng.syncs, fx["fabrikam"].eng.syncs, fx["northwind"].eng.syncs)
	}
	if !a.subItem(t, "Contoso", LabelSyncNow).Disabled {
		t.Error("Sync now of a syncing connection is enabled")
	}

	a.item(t, "Pending approvals (2)").Action()
	if d.current == nil || d.current.slug != "fabrikam" || d.current.tabs.Selected().Text != "Approvals" {
		t.Error("Pending approvals did not open Fabrikam's approvals, the only ones waiting")
	}
	a.subItem(t, "Northwind", LabelOpenConn).Action()
	if d.current == nil || d.current.slug != "northwind" {
		t.Error("Open in Northwind's submenu did not open it")
	}
}

func TestDeskTrayWithOneConnectionIsFlat(t *testing.T) {
	_, a, _, _ := newTestDesk(t, threeConns[:1], nil)
	want := []string{"No run yet", LabelSyncNow, LabelPause, "Pending approvals (0)", LabelOpen, LabelQuit}
	if got := a.labels(); !equalStrings(got, want) {
		t.Fatalf("menu = %q, want %q", got, want)
	}
}

// A run's progress changes the status line many times a second; the tray
// host gets the menu at most every trayRefreshEvery, and once more after
// the last change, so that it shows the latest status.
func TestTrayRefreshesArePaced(t *testing.T) {
	d, _, _, _ := newTestDesk(t, threeConns, nil)
	// Fyne's test driver runs the timer's refresh on the timer's
	// goroutine: the push records only when it ran.
	pushed := make(chan time.Time, 100)
	d.tray.push = func() { pushed <- time.Now() }
	// Let the set-up's own refresh go out, then start afresh.
	deadline := time.Now().Add(10 * time.Second)
	for d.tray.refreshPending() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	for len(pushed) > 0 {
		<-pushed
	}
	d.tray.paceMu.Lock()
	d.tray.lastRefresh = time.Time{} // as long ago as can be
	d.tray.paceMu.Unlock()
	start := time.Now()
	for i := 1; i <= 40; i++ {
		d.SetStatus("fabrikam", Status{Syncing: true, Progress: Progress{GroupsRead: i, GroupsTotal: 40}})
	}
	lastChange := time.Now()
	elapsed := lastChange.Sub(start)
	deadline = time.Now().Add(10 * time.Second)
	for d.tray.refreshPending() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	n := len(pushed)
	var last time.Time
	for len(pushed) > 0 {
		last = <-pushed
	}
	if n < 2 || last.Before(lastChange) {
		t.Errorf("%d refreshes, the last at %v, before the last change at %v: the tray would show a stale status", n, last, lastChange)
	}
	// One at once, then at most one for every trayRefreshEvery the 40
	// statuses took, and the one after them.
	if most := 2 + int(elapsed/trayRefreshEvery); n > most {
		t.Errorf("%d refreshes for 40 statuses in %v, want at most %d", n, elapsed, most)
	}
	if got := d.tray.DeskView().Conns[1].StatusLine; got != "Syncing: 40 of 40 groups read" {
		t.Errorf("the tray's view shows %q, want the latest status", got)
	}
}
