package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/logbuffer"
	"github.com/rolesync/rolesync/internal/report"
	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/ui"
)

// Desktop is the running desktop app: the window of every connection of a
// data directory, each with its own Shell (runtime and sync loop), runs
// bounded by shared slots, and adding and removing connections.
type Desktop struct {
	app   fyne.App
	d     app.Desktop
	desk  *ui.Desk
	logs  *logbuffer.Buffer
	log   *slog.Logger
	slots engine.Slots
	ctx   context.Context

	passphrase sharedPassphrase
	// opMu serializes adding, removing and following connections.
	opMu sync.Mutex
	// failed are the connections that could not be opened while the app
	// ran (logged once); under opMu.
	failed map[string]bool
	// watchEvery is how often the list of connections is read again.
	watchEvery time.Duration
	stopWatch  context.CancelFunc

	mu     sync.Mutex
	shells map[string]*Shell
	order  []string
}

// NewDesktop opens every connection of d (those d holds opened already
// as they are) into one window. A connection that cannot be opened is
// logged and left out; the error is returned only when none opens.
func NewDesktop(ctx context.Context, a fyne.App, d app.Desktop) (*Desktop, error) {
	logs := logbuffer.New(1000, slog.LevelInfo)
	dt := &Desktop{app: a, d: d, logs: logs, slots: engine.NewSlots(engine.DefaultSlots), ctx: ctx,
		shells: map[string]*Shell{}, failed: map[string]bool{}, watchEvery: watchEvery}
	dt.log = slog.New(logs.Handler()).With("component", "desktop")
	dt.desk = ui.NewDesk(a, ui.DeskDeps{Add: dt.askName, Remove: dt.remove, Rename: dt.rename, ExportAll: dt.exportAll, Quit: dt.Stop, Logger: dt.log})
	conns, err := app.Connections(ctx, d.Root)
	if err != nil {
		return nil, err
	}
	opened := map[string]*app.Runtime{}
	for _, rt := range d.Opened {
		opened[rt.Connection.Slug] = rt
	}
	var failed []error
	for _, conn := range conns {
		rt := opened[conn.Slug]
		delete(opened, conn.Slug)
		if rt == nil {
			if rt, err = app.OpenConnection(ctx, d.Root, conn, d.Env); err != nil {
				dt.log.Error("cannot open the connection", "connection", conn.Name, "err", err)
				failed = append(failed, fmt.Errorf("%s: %w", conn.Name, err))
				continue
			}
		}
		dt.add(rt, len(conns) > 1)
	}
	for _, rt := range opened {
		rt.Close()
	}
	if len(dt.order) == 0 && len(failed) > 0 {
		return nil, errors.Join(failed...)
	}
	return dt, nil
}

// Desk returns the app window.
func (dt *Desktop) Desk() *ui.Desk { return dt.desk }

// Shell returns the shell of the connection slug; nil when there is none.
func (dt *Desktop) Shell(slug string) *Shell {
	dt.mu.Lock()
	defer dt.mu.Unlock()
	return dt.shells[slug]
}

// add builds the shell of rt in the window.
func (dt *Desktop) add(rt *app.Runtime, named bool) *Shell {
	rt.Holder = "gui"
	o := shellOptions{slots: dt.slots, passphrase: &dt.passphrase}
	if named {
		o.name = rt.Connection.Name
	}
	var s *Shell
	o.onSaved = func(cfg config.Config) { dt.saved(s, cfg) }
	s = newShell(dt.ctx, dt.app, dt.desk, rt, dt.logs, o)
	dt.mu.Lock()
	dt.shells[s.slug] = s
	dt.order = append(dt.order, s.slug)
	dt.mu.Unlock()
	return s
}

// Start starts every connection's loop, and shows the connection d names,
// or the only one, or the list. A single connection that is not set up
// opens the setup wizard.
func (dt *Desktop) Start() {
	dt.mu.Lock()
	shells := make([]*Shell, 0, len(dt.order))
	for _, slug := range dt.order {
		shells = append(shells, dt.shells[slug])
	}
	dt.mu.Unlock()
	// The first screen is chosen now: a connection added later (from the
	// command line) does not take the admin away from what they look at.
	switch {
	case dt.d.Connection != "":
		dt.desk.Open(dt.d.Connection)
	case len(shells) == 1:
		dt.desk.Open(shells[0].slug)
	default:
		dt.desk.ShowList()
	}
	for _, s := range shells {
		if len(shells) == 1 {
			s.Start()
		} else {
			s.StartQuietly()
		}
	}
	ctx, cancel := context.WithCancel(dt.ctx)
	dt.mu.Lock()
	dt.stopWatch = cancel
	dt.mu.Unlock()
	go dt.watch(ctx, dt.watchEvery)
}

// Stop stops every loop, cancelling runs in progress (recorded as
// interrupted), and closes the connections.
func (dt *Desktop) Stop() {
	dt.mu.Lock()
	if dt.stopWatch != nil {
		dt.stopWatch()
	}
	dt.mu.Unlock()
	dt.opMu.Lock()
	defer dt.opMu.Unlock()
	dt.mu.Lock()
	shells := dt.shells
	dt.shells = map[string]*Shell{}
	dt.order = nil
	dt.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range shells {
		wg.Go(func() {
			s.Stop()
			if err := s.rt.Close(); err != nil {
				dt.log.Warn("close the connection", "connection", s.rt.Connection.Name, "err", err)
			}
		})
	}
	wg.Wait()
}

// saved follows a saved setup of s: a connection still named
// app.DefaultConnection takes its Okta org's name, as a migrated one does.
func (dt *Desktop) saved(s *Shell, cfg config.Config) {
	if s.rt.Connection.Name != app.DefaultConnection || cfg.Okta.Domain == "" {
		return
	}
	conn, err := app.RenameConnection(dt.ctx, dt.d.Root, s.rt.Connection.Slug, cfg.Okta.Domain)
	if err != nil {
		dt.log.Warn("name the connection after its Okta org", "err", err)
		return
	}
	s.rt.Connection.Name = conn.Name
}

// remove stops the connection slug, closes it and removes it from the
// data directory (its history kept, its secrets deleted); off the UI
// goroutine. It returns where the history was kept.
func (dt *Desktop) remove(slug string) (string, error) {
	dt.opMu.Lock()
	defer dt.opMu.Unlock()
	s := dt.Shell(slug)
	if s == nil {
		return "", fmt.Errorf("no connection %q is open", slug)
	}
	conn := s.rt.Connection
	dt.drop(slug)
	r, err := app.RemoveConnectionAndSecrets(dt.ctx, dt.d.Root, slug, time.Now())
	if r.Kept == "" {
		// Not removed: open it again so that it keeps syncing; its
		// screens used the stopped loop and are built again.
		if rt, oerr := app.OpenConnection(dt.ctx, dt.d.Root, conn, dt.d.Env); oerr == nil {
			dt.desk.Remove(slug)
			dt.add(rt, true).StartQuietly()
		} else {
			dt.log.Error("cannot open the connection again", "connection", conn.Name, "err", oerr)
		}
		return "", err
	}
	if err != nil {
		dt.log.Warn("remove the connection's secrets", "err", err)
	}
	return r.Kept, nil
}

// watchEvery is how often the app reads the list of connections again, to
// follow those added, renamed or removed from the command line.
const watchEvery = 30 * time.Second

// watch follows the data directory's connections until ctx ends.
func (dt *Desktop) watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			dt.follow(ctx)
		}
	}
}

// follow reads the list of connections once and makes the window hold
// the same: it opens and starts the added ones, names the renamed ones
// anew, and stops and closes the removed ones.
func (dt *Desktop) follow(ctx context.Context) {
	dt.opMu.Lock()
	defer dt.opMu.Unlock()
	conns, err := app.Connections(ctx, dt.d.Root)
	if err != nil {
		dt.log.Warn("read the connections", "err", err)
		return
	}
	listed := map[string]bool{}
	for _, conn := range conns {
		listed[conn.Slug] = true
		s := dt.Shell(conn.Slug)
		switch {
		case s == nil:
			dt.followAdded(ctx, conn)
		case s.rt.Connection.Name != conn.Name:
			dt.log.Info("connection renamed", "connection", s.rt.Connection.Name, "name", conn.Name)
			s.rt.Connection.Name = conn.Name
			dt.desk.Rename(s.info())
		}
	}
	for _, slug := range dt.slugs() {
		if !listed[slug] {
			dt.log.Info("connection removed from the data directory", "slug", slug)
			dt.drop(slug)
			dt.desk.Remove(slug)
		}
	}
}

// followAdded opens and starts a connection added while the app runs; one
// that cannot be opened is logged once and tried again at each reading.
func (dt *Desktop) followAdded(ctx context.Context, conn app.Connection) {
	rt, err := app.OpenConnection(ctx, dt.d.Root, conn, dt.d.Env)
	if err != nil {
		if !dt.failed[conn.Slug] {
			dt.log.Error("cannot open the connection; trying again", "connection", conn.Name, "err", err)
		}
		dt.failed[conn.Slug] = true
		return
	}
	delete(dt.failed, conn.Slug)
	dt.log.Info("connection added", "connection", conn.Name)
	dt.add(rt, true).StartQuietly()
}

// slugs are the connections the app holds, in order.
func (dt *Desktop) slugs() []string {
	dt.mu.Lock()
	defer dt.mu.Unlock()
	return append([]string(nil), dt.order...)
}

// drop stops the connection slug, closes it and forgets it.
func (dt *Desktop) drop(slug string) {
	dt.mu.Lock()
	s := dt.shells[slug]
	delete(dt.shells, slug)
	dt.order = slices.DeleteFunc(dt.order, func(o string) bool { return o == slug })
	dt.mu.Unlock()
	if s == nil {
		return
	}
	s.Stop()
	if err := s.rt.Close(); err != nil {
		dt.log.Warn("close the connection", "connection", s.rt.Connection.Name, "err", err)
	}
}

// exportAll writes one audit report of every connection, open ones from
// their own stores, then the removed ones, with the connection in every row.
func (dt *Desktop) exportAll(ctx context.Context, w io.Writer, format string, f store.ChangeFilter, progress func(done, total int64)) error {
	fm, err := report.ParseFormat(format)
	if err != nil {
		return err
	}
	// No connection is added or removed (its store closed) meanwhile.
	dt.opMu.Lock()
	defer dt.opMu.Unlock()
	var srcs []report.Source
	for _, slug := range dt.slugs() {
		if s := dt.Shell(slug); s != nil {
			srcs = append(srcs, report.Source{Name: s.rt.Connection.Name, Store: s.rt.Store, Trust: s.rt.ReportTrust(ctx)})
		}
	}
	removed, closeRemoved, err := app.RemovedSources(ctx, dt.d.Root)
	defer closeRemoved()
	if err != nil {
		return err
	}
	return report.ExportAll(ctx, append(srcs, removed...), w, report.Options{Format: fm, Filter: f, Progress: progress})
}

// rename gives the connection slug the name name in the data directory
// and the window; off the UI goroutine.
func (dt *Desktop) rename(slug, name string) error {
	dt.opMu.Lock()
	defer dt.opMu.Unlock()
	s := dt.Shell(slug)
	if s == nil {
		return fmt.Errorf("no connection %q is open", slug)
	}
	conn, err := app.RenameConnection(dt.ctx, dt.d.Root, slug, name)
	if err != nil {
		return err
	}
	s.rt.Connection.Name = conn.Name
	dt.desk.Rename(s.info())
	return nil
}
