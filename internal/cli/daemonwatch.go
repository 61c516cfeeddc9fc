package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/engine"
)

// daemon follows the connections of a data directory: each one it can
// open and whose configuration is complete runs on a scheduler of its
// own, all of them on the same slots. Every rescan it rereads the list,
// starting the connections added (and those that failed to start before),
// stopping those removed and renaming those renamed. Only the daemon's
// goroutine calls its methods.
type daemon struct {
	c       *call
	logger  *slog.Logger
	slots   engine.Slots
	rescanD time.Duration
	// only is the slug of the connection --connection names; "" follows
	// every connection.
	only string
	// running are the connections synced, by slug.
	running map[string]*daemonConn
	// failing are the connections that could not be started, by slug,
	// with the error last printed, so that the same error is printed once.
	failing map[string]string
	// gone asks for a rescan at once: a run found its connection removed.
	gone chan struct{}
}

// indexKey is failing's key of an error reading the list itself.
const indexKey = "\x00connections"

// start opens conn and starts syncing it, saying so; added says it was
// added since the daemon started. The caller says why it failed.
func (d *daemon) start(ctx context.Context, conn app.Connection, added bool) error {
	_, retried := d.failing[conn.Slug]
	dc, interval, err := d.openConnection(ctx, conn)
	if err != nil {
		return err
	}
	delete(d.failing, conn.Slug)
	d.running[conn.Slug] = dc
	switch {
	case added && !retried:
		fmt.Fprintf(d.c.env.Stderr, "rolesync daemon: connection %q added: syncing every %s\n", conn.Name, every(interval))
	case retried:
		fmt.Fprintf(d.c.env.Stderr, "%ssyncing every %s from now on\n", d.prefix(conn.Name), every(interval))
	default:
		fmt.Fprintf(d.c.env.Stderr, "%ssyncing every %s; stop with Ctrl-C\n", d.prefix(conn.Name), every(interval))
	}
	return nil
}

// fail prints why conn is not synced, unless that was printed last time;
// conn is tried again at the next rescan.
func (d *daemon) fail(conn app.Connection, added bool, err error) {
	what := fmt.Sprintf("%s is not synced", conn.Name)
	if _, retried := d.failing[conn.Slug]; added && !retried {
		what = fmt.Sprintf("connection %q added, but it is not synced", conn.Name)
	}
	d.printOnce(conn.Slug, what, err)
}

// printOnce prints what failed and why, unless the same error of key was
// the last one printed.
func (d *daemon) printOnce(key, what string, err error) {
	msg := err.Error()
	if prev, ok := d.failing[key]; ok && prev == msg {
		return
	}
	d.failing[key] = msg
	fmt.Fprintf(d.c.env.Stderr, "rolesync daemon: %s: %s (tried again every %s)\n", what, msg, every(d.rescanD))
}

// rescan rereads the list of connections and follows it. It fails when
// the connection --connection names was removed.
func (d *daemon) rescan(ctx context.Context) error {
	if ctx.Err() != nil {
		return nil
	}
	conns, err := app.Connections(ctx, d.c.dataDir)
	if err != nil {
		if ctx.Err() == nil {
			d.printOnce(indexKey, "cannot read the list of connections", err)
		}
		return nil
	}
	delete(d.failing, indexKey)
	listed := map[string]app.Connection{}
	for _, conn := range conns {
		if d.only == "" || conn.Slug == d.only {
			listed[conn.Slug] = conn
		}
	}
	if err := d.onlyRemoved(listed); err != nil {
		return err
	}
	d.forget(listed)
	for _, conn := range conns {
		if _, ok := listed[conn.Slug]; !ok {
			continue
		}
		if dc, ok := d.running[conn.Slug]; ok {
			d.rename(dc, conn.Name)
			continue
		}
		if err := d.start(ctx, conn, true); err != nil {
			d.fail(conn, true, err)
		}
	}
	return nil
}

// same says whether conn is the connection dc syncs: a connection removed
// and another added in its place take the same slug.
func same(dc *daemonConn, conn app.Connection, listed bool) bool {
	return listed && dc.created.Equal(conn.Created)
}

// onlyRemoved stops the daemon's one connection (--connection) when it is
// no longer listed.
func (d *daemon) onlyRemoved(listed map[string]app.Connection) error {
	dc, ok := d.running[d.only]
	if d.only == "" || !ok {
		return nil
	}
	if conn, ok := listed[d.only]; same(dc, conn, ok) {
		return nil
	}
	d.stop(d.only)
	return fmt.Errorf("connection %q was removed; the daemon syncs no other (started with --connection)", dc.Name())
}

// rename gives dc the name name, from its next log line on.
func (d *daemon) rename(dc *daemonConn, name string) {
	old := dc.Name()
	if old == name {
		return
	}
	dc.name.Store(&name)
	fmt.Fprintf(d.c.env.Stderr, "rolesync daemon: connection %q renamed %q\n", old, name)
}

// forget stops the connections no longer listed: their scheduler is
// stopped, cancelling a run in progress, which is recorded as
// interrupted, and their store is closed.
func (d *daemon) forget(listed map[string]app.Connection) {
	for slug, dc := range d.running {
		if conn, ok := listed[slug]; same(dc, conn, ok) {
			continue
		}
		d.stop(slug)
		fmt.Fprintf(d.c.env.Stderr, "rolesync daemon: connection %q removed: no longer synced\n", dc.Name())
	}
	for slug := range d.failing {
		if _, ok := listed[slug]; !ok && slug != indexKey {
			delete(d.failing, slug)
		}
	}
}

// stop stops the connection slug's scheduler, then closes its runtime.
func (d *daemon) stop(slug string) {
	dc := d.running[slug]
	delete(d.running, slug)
	dc.sched.Stop()
	if err := dc.rt.Close(); err != nil {
		dc.rt.Logger.Warn("close the connection's store", "err", err)
	}
}

// stopAll stops every connection.
func (d *daemon) stopAll() {
	for slug := range d.running {
		d.stop(slug)
	}
}
