package ui

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
)

// This file keeps the connections' state in the window: their names and
// statuses, and what a new status changes.

// Slugs returns the connections' slugs in the order they were added.
func (d *Desk) Slugs() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.order)
}

// Info returns the name, org and target of the connection slug.
func (d *Desk) Info(slug string) ConnInfo {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.conns[slug]; ok {
		return c.info
	}
	return ConnInfo{Slug: slug}
}

// Status returns the status last handed to SetStatus for slug.
func (d *Desk) Status(slug string) Status {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.conns[slug]; ok {
		return c.status
	}
	return Status{}
}

// SetStatus hands the window and the tray the new status of the
// connection slug: it updates its screens when built, the list, the tray
// menu and icon, and sends a notification when the state changed in a way
// the admin must hear of (naming the connection when there are several).
// Safe from any goroutine.
func (d *Desk) SetStatus(slug string, s Status) {
	d.mu.Lock()
	c, ok := d.conns[slug]
	if !ok {
		d.mu.Unlock()
		return
	}
	prev := c.status
	if sameStatus(prev, s) {
		// The status ticker repeats a status every few seconds: with
		// dozens of connections, redrawing them all for nothing would
		// add up. The one on screen counts its next run down.
		d.mu.Unlock()
		fyne.Do(func() {
			if v := d.built(c); v != nil && d.current == v {
				v.dashboard.update(s)
			}
		})
		return
	}
	c.status = s
	n, next := nextNotification(c.notified, s)
	c.notified = next
	if n != nil && len(d.order) > 1 {
		n.Title = strings.Replace(n.Title, "rolesync: ", "rolesync: "+c.info.label()+": ", 1)
	}
	d.mu.Unlock()

	fyne.Do(func() {
		if v := d.built(c); v != nil {
			v.apply(prev, s)
		}
		d.tray.update()
		d.list.refreshRow(slug)
		if n != nil {
			d.app.SendNotification(n)
		}
	})
}

// Reload reads the screens of the connection slug again, when built.
// Safe from any goroutine.
func (d *Desk) Reload(slug string) {
	d.mu.Lock()
	c, ok := d.conns[slug]
	d.mu.Unlock()
	if !ok {
		return
	}
	if v := d.built(c); v != nil {
		v.Reload()
	}
}

// sameStatus reports whether a and b show the same.
func sameStatus(a, b Status) bool {
	ra, rb := a.LastRun, b.LastRun
	a.LastRun, b.LastRun = nil, nil
	if a != b || (ra == nil) != (rb == nil) {
		return false
	}
	return ra == nil || *ra == *rb
}
