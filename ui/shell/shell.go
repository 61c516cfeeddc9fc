// Package shell wires the desktop app together: from a data directory's
// connections it builds the app window (ui.Desk), the tray, the setup
// wizard and, per connection, the sync loop (Shell), keeps the window's
// status in step with the loops, adds and removes connections (Desktop),
// and lets only one instance run per data directory. cmd/rolesync creates the fyne.App and
// hands it here, so everything in this package tests with Fyne's test driver.
package shell

import (
	"context"
	"io"
	"log/slog"
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

// Shell is one connection of the running desktop app: its runtime, its
// sync loop and its screens in the app window.
type Shell struct {
	app  fyne.App
	rt   *app.Runtime
	log  *slog.Logger
	logs *logbuffer.Buffer
	desk *ui.Desk
	slug string
	// slots bound the runs of all connections; nil for none.
	slots engine.Slots
	// onSaved hears of a saved setup; nil for none.
	onSaved func(config.Config)
	// named is set when the app holds several connections: the wizard
	// names the one it sets up.
	named bool

	mu       sync.Mutex
	eng      *engine.Engine
	sched    *engine.Scheduler
	progress ui.Progress
	// applyRate measures the changes applied a second in the run's apply.
	applyRate rate
	// progressShown is when a run's progress last went to the window.
	progressShown time.Time
	// users and roles under management, counted after each run.
	users, roles int
	configured   bool
	// loopErr says why the loop cannot start; "" once it has.
	loopErr string
	loopCtx context.Context
	stop    context.CancelFunc
	ticking sync.WaitGroup
}

// New builds the shell of the one connection rt in a window of its own:
// the log buffer, the window and, when rolesync is configured, the sync
// loop (not started until Start).
func New(ctx context.Context, a fyne.App, rt *app.Runtime) *Shell {
	logs := logbuffer.New(1000, slog.LevelInfo)
	var s *Shell
	desk := ui.NewDesk(a, ui.DeskDeps{Quit: func() { s.Stop() }, Logger: rt.Logger})
	s = newShell(ctx, a, desk, rt, logs, shellOptions{})
	return s
}

// shellOptions are what a connection's shell shares with the others.
type shellOptions struct {
	slots   engine.Slots
	onSaved func(config.Config)
	// name, when set, tags the connection's log lines.
	name string
	// passphrase, when set, is shared by the connections' keyrings.
	passphrase *sharedPassphrase
}

// newShell builds the shell of the connection rt and adds it to desk.
func newShell(ctx context.Context, a fyne.App, desk *ui.Desk, rt *app.Runtime, logs *logbuffer.Buffer, o shellOptions) *Shell {
	logger := slog.New(slog.NewMultiHandler(rt.Logger.Handler(), logs.Handler()))
	if o.name != "" {
		logger = logger.With("connection", o.name)
	}
	rt.Logger = logger
	slug := rt.Connection.Slug
	if slug == "" {
		slug = "default"
	}
	s := &Shell{app: a, rt: rt, log: logger.With("component", "shell"), logs: logs, desk: desk, slug: slug,
		slots: o.slots, onSaved: o.onSaved, named: o.name != ""}
	s.loopCtx, s.stop = context.WithCancel(ctx)
	if rt.Prompt == nil {
		rt.Prompt = s.passphrasePrompt
		if o.passphrase != nil {
			rt.Prompt = o.passphrase.wrap(s.passphrasePrompt)
		}
	}
	desk.Add(s.info(), ui.Deps{
		Loop:       (*loopControl)(s),
		Approver:   (*loopControl)(s),
		History:    rt.Store,
		Config:     s.config,
		OpenWizard: s.openWizard,
		Export:     s.export,
		Log:        logs,
		Autostart:  startAtLogin(),
		Logger:     logger,
	})
	return s
}

// info names the connection for the window.
func (s *Shell) info() ui.ConnInfo {
	cfg := s.config()
	info := ui.ConnInfo{Slug: s.slug, Name: s.rt.Connection.Name, Org: cfg.Okta.Domain}
	if _, ok, _ := app.ConfigFromStore(s.loopCtx, s.rt.Store); ok {
		info.Target = ui.TargetName(cfg.Target)
	}
	return info
}

// Desk returns the app window.
func (s *Shell) Desk() *ui.Desk { return s.desk }

// config returns the saved configuration, or an empty one before setup.
func (s *Shell) config() config.Config {
	cfg, _, err := app.ConfigFromStore(s.loopCtx, s.rt.Store)
	if err != nil {
		s.log.Warn("read the configuration", "err", err)
	}
	return cfg
}

// progressEvery is the least time between two statuses a run's progress
// hands the window: an apply reports each user, thousands a second.
var progressEvery = 100 * time.Millisecond

func (s *Shell) onProgress(p engine.Progress) {
	now := time.Now()
	s.mu.Lock()
	switch p.Phase {
	case engine.PhaseRead:
		s.progress.GroupsRead, s.progress.GroupsTotal = p.Done, p.Total
	case engine.PhaseApply:
		s.progress.ChangesApplied, s.progress.ChangesTotal = p.Done, p.Total
		s.progress.ChangesPerSecond = s.applyRate.at(p.Done, now)
	}
	// The first and the last of a phase always show.
	show := p.Done == 0 || p.Done >= p.Total || now.Sub(s.progressShown) >= progressEvery
	if show {
		s.progressShown = now
	}
	s.mu.Unlock()
	if show {
		s.refresh()
	}
}

// rate measures how many changes a second an apply makes, from when it
// began: the first report of the apply.
type rate struct{ from time.Time }

// at returns the rate once done changes are applied at now; 0 before a
// second has passed.
func (r *rate) at(done int, now time.Time) float64 {
	if r.from.IsZero() {
		r.from = now
	}
	elapsed := now.Sub(r.from)
	if elapsed < time.Second || done <= 0 {
		return 0
	}
	return float64(done) / elapsed.Seconds()
}

func (s *Shell) onRun(res engine.Result, err error) {
	s.mu.Lock()
	s.progress = ui.Progress{}
	s.applyRate = rate{}
	s.mu.Unlock()
	if err != nil {
		s.log.Warn("sync run", "run", res.RunID, "status", res.Status, "err", err)
	}
	s.count()
	s.refresh()
}

// setError shows an error that keeps the loop from starting.
// It stays until the loop starts.
func (s *Shell) setError(err error) {
	s.mu.Lock()
	s.loopErr = err.Error()
	s.mu.Unlock()
	s.refresh()
}

// refresh hands the window the loop's current status.
func (s *Shell) refresh() { s.desk.SetStatus(s.slug, s.status()) }

// status builds the window's status from the store, the target and the loop.
func (s *Shell) status() ui.Status {
	ctx, cancel := context.WithTimeout(s.loopCtx, 10*time.Second)
	defer cancel()
	var st ui.Status
	if last, ok, err := s.rt.Store.LastRun(ctx); err == nil && ok {
		st.LastRun = &last
		st.Connected = last.Status != store.StatusFailed
		if !st.Connected {
			st.ConnectionError = last.Error
		}
	}
	if holds, err := s.rt.Store.PendingHolds(ctx); err == nil {
		st.Pending = len(holds)
	}
	if sched := s.scheduler(); sched != nil {
		ss := sched.Status()
		st.Paused, st.Syncing = ss.Paused, ss.Running
		if !ss.Paused {
			st.NextRun = ss.Next
		}
	}
	s.mu.Lock()
	st.Progress = s.progress
	st.UsersManaged, st.RolesManaged = s.users, s.roles
	st.NotSetUp = !s.configured
	if s.loopErr != "" {
		st.Connected, st.ConnectionError = false, s.loopErr
	}
	s.mu.Unlock()
	return st
}

// count counts what is under management, after a run.
func (s *Shell) count() {
	ctx, cancel := context.WithTimeout(s.loopCtx, 30*time.Second)
	defer cancel()
	users, roles, err := s.rt.Managed(ctx, s.config())
	if err != nil {
		s.log.Warn("count the users under management", "err", err)
	}
	s.mu.Lock()
	s.users, s.roles = users, roles
	s.mu.Unlock()
}

// export writes an audit report of the store's changes.
func (s *Shell) export(ctx context.Context, w io.Writer, format string, f store.ChangeFilter, progress func(done, total int64)) error {
	fm, err := report.ParseFormat(format)
	if err != nil {
		return err
	}
	return report.Export(ctx, s.rt.Store, w, report.Options{Format: fm, Filter: f, Progress: progress, Trust: s.rt.ReportTrust(ctx)})
}
