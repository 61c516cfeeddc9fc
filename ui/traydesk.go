package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/rolesync/rolesync/internal/store/record"
)

// ConnStatus is one connection's name and status, as the tray reads them.
type ConnStatus struct {
	Slug, Name string
	Status     Status
}

// ConnTrayView is one connection's part of the tray.
type ConnTrayView struct {
	Slug string
	// Label is the connection's name, with its state in brackets when it
	// needs attention: "Contoso → EU1 (failed)".
	Label string
	TrayView
}

// DeskTrayView is the tray's menu and icon for every connection: a pure
// value, so the tray's behaviour is testable without a tray host. With one
// connection the menu is that connection's (TrayView); with several, an
// overall status line, a submenu per connection, Sync all now and the
// total of approvals waiting.
type DeskTrayView struct {
	// State is the worst state of all, for the icon.
	State TrayState
	// StatusLine is the menu's first, disabled item.
	StatusLine string
	// PendingLabel is "Pending approvals (n)", n of all connections.
	PendingLabel   string
	PendingEnabled bool
	// SyncAllEnabled is false while every connection is syncing.
	SyncAllEnabled bool
	Conns          []ConnTrayView
}

func (v DeskTrayView) equal(o DeskTrayView) bool {
	return v.State == o.State && v.StatusLine == o.StatusLine && v.PendingLabel == o.PendingLabel &&
		v.PendingEnabled == o.PendingEnabled && v.SyncAllEnabled == o.SyncAllEnabled && slices.Equal(v.Conns, o.Conns)
}

// severity orders the tray states from the best to the worst.
func severity(s TrayState) int {
	switch s {
	case TraySyncing:
		return 1
	case TrayWaiting:
		return 2
	case TrayFailed:
		return 3
	}
	return 0
}

// NewDeskTrayView computes the tray's view of the connections at now.
func NewDeskTrayView(conns []ConnStatus, now time.Time) DeskTrayView {
	if len(conns) <= 1 {
		var s Status
		var c ConnStatus
		if len(conns) == 1 {
			c, s = conns[0], conns[0].Status
		}
		one := NewTrayView(s, now)
		v := DeskTrayView{State: one.State, StatusLine: one.StatusLine, PendingLabel: one.PendingLabel,
			PendingEnabled: one.PendingEnabled, SyncAllEnabled: one.SyncEnabled}
		if len(conns) == 1 {
			v.Conns = []ConnTrayView{{Slug: c.Slug, Label: c.Name, TrayView: one}}
		}
		return v
	}
	v := DeskTrayView{State: TrayIdle}
	var failing, waiting, syncing, paused, pending int
	for _, c := range conns {
		one := NewTrayView(c.Status, now)
		s := c.Status
		failed := s.LastRun != nil && s.LastRun.Status == record.StatusFailed || cannotSync(s)
		if failed {
			one.State = TrayFailed // the worst, even while a run goes
		}
		if severity(one.State) > severity(v.State) {
			v.State = one.State
		}
		v.SyncAllEnabled = v.SyncAllEnabled || one.SyncEnabled
		suffix := ""
		switch {
		case s.Syncing:
			syncing++
			suffix = " (syncing)"
		case failed:
			failing++
			suffix = " (failed)"
		case s.Pending > 0:
			waiting++
			suffix = " (waiting for approval)"
		case s.Paused:
			paused++
			suffix = " (paused)"
		}
		pending += s.Pending
		v.Conns = append(v.Conns, ConnTrayView{Slug: c.Slug, Label: c.Name + suffix, TrayView: one})
	}
	v.StatusLine = overallLine(len(conns), failing, waiting, syncing, paused)
	v.PendingLabel = fmt.Sprintf("Pending approvals (%d)", pending)
	v.PendingEnabled = pending > 0
	return v
}

// overallLine sums up the connections in a line: "3 connections: 1
// failing, 1 syncing", or "3 connections: all in order".
func overallLine(n, failing, waiting, syncing, paused int) string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{failing, "failing"}, {waiting, "waiting for approval"}, {syncing, "syncing"}, {paused, "paused"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%d connections: all in order", n)
	}
	return fmt.Sprintf("%d connections: %s", n, strings.Join(parts, ", "))
}

// trayConns are the connections' names and statuses, in order.
func (d *Desk) trayConns() []ConnStatus {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]ConnStatus, 0, len(d.order))
	for _, slug := range d.order {
		c := d.conns[slug]
		out = append(out, ConnStatus{Slug: slug, Name: c.info.label(), Status: c.status})
	}
	return out
}

// loop returns the sync loop of the connection slug; nil when it has none.
func (d *Desk) loop(slug string) Loop {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.conns[slug]; ok {
		return c.deps.Loop
	}
	return nil
}

// items builds the menu for v.
func (t *Tray) items(v DeskTrayView) []*fyne.MenuItem {
	status := fyne.NewMenuItem(v.StatusLine, nil)
	status.Disabled = true
	open := fyne.NewMenuItem(LabelOpen, t.d.Show)
	quit := fyne.NewMenuItem(LabelQuit, t.d.quit)
	quit.IsQuit = true
	sep := fyne.NewMenuItemSeparator
	if len(v.Conns) <= 1 {
		slug := ""
		if len(v.Conns) == 1 {
			slug = v.Conns[0].Slug
		}
		one := t.View()
		conn := t.connItems(slug, one)
		return []*fyne.MenuItem{status, sep(), conn[1], conn[2], conn[3], sep(), open, sep(), quit}
	}
	items := []*fyne.MenuItem{status, sep()}
	for _, c := range v.Conns {
		sub := fyne.NewMenuItem(c.Label, nil)
		sub.ChildMenu = fyne.NewMenu(c.Label, t.connItems(c.Slug, c.TrayView)...)
		items = append(items, sub)
	}
	syncAll := fyne.NewMenuItem(LabelSyncAll, t.syncAll)
	syncAll.Disabled = !v.SyncAllEnabled
	pending := fyne.NewMenuItem(v.PendingLabel, t.showPending)
	pending.Disabled = !v.PendingEnabled
	return append(items, sep(), syncAll, pending, sep(), open, sep(), quit)
}

// connItems are a connection's items: its status line, Sync now, Pause or
// Resume, Pending approvals and Open.
func (t *Tray) connItems(slug string, v TrayView) []*fyne.MenuItem {
	status := fyne.NewMenuItem(v.StatusLine, nil)
	status.Disabled = true
	sync := fyne.NewMenuItem(LabelSyncNow, func() { t.syncNow(slug) })
	pause := fyne.NewMenuItem(v.PauseLabel, func() { t.togglePause(slug) })
	pending := fyne.NewMenuItem(v.PendingLabel, func() { t.showApprovals(slug) })
	pending.Disabled = !v.PendingEnabled
	open := fyne.NewMenuItem(LabelOpenConn, func() { t.d.Open(slug) })
	sync.Disabled = !v.SyncEnabled
	if t.d.loop(slug) == nil {
		sync.Disabled, pause.Disabled = true, true
	}
	return []*fyne.MenuItem{status, sync, pause, pending, open}
}

func (t *Tray) syncNow(slug string) {
	if l := t.d.loop(slug); l != nil {
		l.SyncNow()
	}
}

func (t *Tray) syncAll() {
	for _, slug := range t.d.Slugs() {
		if t.d.Status(slug).Syncing {
			continue
		}
		t.syncNow(slug)
	}
}

// togglePause pauses or resumes the connection slug and shows the change
// at once; the loop's next status confirms it.
func (t *Tray) togglePause(slug string) {
	l := t.d.loop(slug)
	if l == nil {
		return
	}
	s := t.d.Status(slug)
	if s.Paused {
		l.Resume()
	} else {
		l.Pause()
	}
	s.Paused = !s.Paused
	t.d.SetStatus(slug, s)
}

func (t *Tray) showApprovals(slug string) {
	if m := t.d.view(slug); m != nil {
		m.showApprovals()
	}
}

// showPending shows the approvals of the only connection with some, or
// the list of connections when several have some.
func (t *Tray) showPending() {
	var with []string
	for _, slug := range t.d.Slugs() {
		if t.d.Status(slug).Pending > 0 {
			with = append(with, slug)
		}
	}
	if len(with) == 1 {
		t.showApprovals(with[0])
		return
	}
	t.d.ShowList()
}
