package ui

import (
	"context"
	"log/slog"
	"time"

	"fyne.io/fyne/v2"

	"github.com/rolesync/rolesync/internal/autostart"
	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/logbuffer"
	"github.com/rolesync/rolesync/internal/store/record"
)

// Loop is what the window and the tray need from the sync loop;
// *engine.Scheduler satisfies it. The methods return at once and do their
// work in the loop's own goroutine; the loop reports back through
// MainWindow.SetStatus.
type Loop interface {
	// SyncNow asks the loop for a run now.
	SyncNow()
	// Pause stops scheduled runs until Resume.
	Pause()
	// Resume starts scheduled runs again.
	Resume()
}

// Approver decides held revocations. It is called off the UI goroutine.
type Approver interface {
	// Approve applies the revocations held by the run runID.
	Approve(ctx context.Context, runID int64) error
	// Reject drops the revocations held by the run runID.
	Reject(ctx context.Context, runID int64) error
}

// ApproverFuncs adapts two funcs to Approver, e.g. an engine whose Approve
// also returns the run's result.
type ApproverFuncs struct {
	ApproveFunc, RejectFunc func(ctx context.Context, runID int64) error
}

// Approve calls ApproveFunc.
func (f ApproverFuncs) Approve(ctx context.Context, runID int64) error {
	return f.ApproveFunc(ctx, runID)
}

// Reject calls RejectFunc.
func (f ApproverFuncs) Reject(ctx context.Context, runID int64) error {
	return f.RejectFunc(ctx, runID)
}

// History is the read side of the run and change store. *store.Store
// satisfies it.
type History interface {
	// Runs returns up to limit runs, newest first, with IDs below beforeID
	// (0 for the newest).
	Runs(ctx context.Context, limit int, beforeID int64) ([]record.Run, error)
	// QueryChanges returns the changes matching f, in ID order.
	QueryChanges(ctx context.Context, f record.ChangeFilter) ([]record.Change, error)
	// PendingHolds returns the holds waiting for a decision, oldest first.
	PendingHolds(ctx context.Context) ([]record.Hold, error)
}

// Progress is how far the run in progress has got.
type Progress struct {
	GroupsRead, GroupsTotal      int
	ChangesApplied, ChangesTotal int
	// ChangesPerSecond is the rate of the apply since it began; 0 until
	// it is known.
	ChangesPerSecond float64
}

// Status is the state of the sync as the window and the tray show it. The
// wiring builds it from the engine's events and hands it to
// MainWindow.SetStatus from any goroutine.
type Status struct {
	// Connected is true once Okta answered the last read.
	Connected bool
	// ConnectionError is Okta's last error, shown while not connected.
	ConnectionError string
	// LastRun is the newest finished run, nil before the first one.
	LastRun *record.Run
	// NextRun is when the next scheduled run starts; zero when none is due.
	NextRun time.Time
	// Paused is true while scheduled runs are paused.
	Paused bool
	// Syncing is true while a run is going; Progress then says how far.
	Syncing  bool
	Progress Progress
	// UsersManaged and RolesManaged count the portal users and roles the
	// mappings put under rolesync's management.
	UsersManaged, RolesManaged int
	// Pending counts the runs waiting for approval.
	Pending int
	// NotSetUp is true until the connection's setup is saved.
	NotSetUp bool
}

// Screen names a screen of the setup wizard.
type Screen string

// The wizard screens the window opens.
const (
	ScreenMappings Screen = "mappings"
	ScreenSettings Screen = "settings"
)

// Deps is everything the main window and the tray need from the rest of the
// app. Nil fields disable the features that need them.
type Deps struct {
	Loop     Loop
	Approver Approver
	History  History
	// Config returns the current configuration (connection and mappings).
	Config func() config.Config
	// OpenWizard opens a screen of the setup wizard over parent.
	OpenWizard func(parent fyne.Window, screen Screen)
	// Export writes audit reports from the History tab.
	Export ExportFunc
	// Log holds the app's recent log lines for the Log tab.
	Log *logbuffer.Buffer
	// Autostart manages the start-at-login entry.
	Autostart *autostart.Entry
	// Quit stops the sync loop cleanly (letting a run in progress end or
	// roll back); the window quits the app after it returns.
	Quit func()
	// Logger receives the UI's own log lines; slog.Default() when nil.
	Logger *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

func (d *Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Deps) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.Default()
}

func (d *Deps) config() config.Config {
	if d.Config != nil {
		return d.Config()
	}
	return config.Config{}
}
