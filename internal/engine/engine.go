// Package engine runs syncs: it reads a snapshot of the mapped Okta groups,
// works out the roles every user should hold, plans the changes against the
// target's users, checks the safety gates, applies what passes, and records
// the run and its changes. It also holds revocations for approval, and runs
// syncs on a schedule with a lock that keeps two processes from syncing at
// once.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// Source reads a complete snapshot of the mapped Okta groups. It returns an
// error for any failed or partial read.
type Source interface {
	Snapshot(ctx context.Context, groups []string) (*Snapshot, error)
}

// DeltaSource is a Source that can read only what changed since a previous
// snapshot, returning a snapshot equal to a full read. The wiring's source
// over the Okta client satisfies it. The engine reads in full on its first
// run, when asked (RunOptions.Full), and at least every Options.FullEvery.
type DeltaSource interface {
	Source
	SnapshotDelta(ctx context.Context, groups []string, prev *Snapshot) (*Snapshot, error)
}

// DefaultFullEvery is how often a full read replaces delta reads.
const DefaultFullEvery = 24 * time.Hour

// UserLookup is a Source that can read single Okta users. When the source
// offers it, the engine looks up users who disappeared from every mapped
// group, so a change says whether they left Okta, were suspended or
// deactivated, or were only removed from the groups. Missing users are
// absent from the returned map.
type UserLookup interface {
	LookupUsers(ctx context.Context, ids []string) (map[string]*User, error)
}

// Recorder keeps runs, changes and holds. *store.Store satisfies it.
type Recorder interface {
	StartRun(ctx context.Context, trigger string, at time.Time) (int64, error)
	FinishRun(ctx context.Context, r store.Run) error
	AddChanges(ctx context.Context, runID int64, cs []store.Change) error
	CreateHold(ctx context.Context, runID int64, cs []store.Change) error
	Hold(ctx context.Context, runID int64) (store.Hold, error)
	DecideHold(ctx context.Context, runID int64, status string) error
}

var _ Recorder = (*store.Store)(nil)

// Notice tells the admin about something a run did not do on its own.
type Notice struct {
	RunID   int64
	Kind    string // NoticeMissingGroups, NoticeHeld or NoticeFailed
	Message string
}

// Notice kinds.
const (
	NoticeMissingGroups = "missing_groups"
	NoticeHeld          = "held"
	NoticeFailed        = "failed"
)

// Progress reports how far a run is.
type Progress struct {
	Phase string // PhaseRead or PhaseApply
	Done  int
	Total int
}

// Progress phases.
const (
	PhaseRead  = "read"  // groups read of the mapped groups
	PhaseApply = "apply" // changes applied of the planned changes
)

// Options configure an Engine.
type Options struct {
	Source   Source
	Target   target.Target
	Recorder Recorder
	// Policy returns the mappings and safety policy to use; it is called
	// once per run, so edits take effect on the next run.
	Policy func() Policy
	Logger *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Notify, when set, is told about missing groups, holds and failures.
	Notify func(Notice)
	// Progress, when set, is told how far each run is.
	Progress func(Progress)
	// LockPath, when set, is a lock file taken for each run and approval so
	// that two processes never sync at once; Holder says who we are in it
	// ("gui", "daemon", "cli").
	LockPath string
	Holder   string
	// FullEvery is the longest time between full reads of a DeltaSource;
	// DefaultFullEvery when zero.
	FullEvery time.Duration
}

// Engine runs syncs. Runs of one Engine never overlap.
type Engine struct {
	opts Options
	log  *slog.Logger
	mu   sync.Mutex
	// prev is the last complete snapshot and lastFull the time of the last
	// full read, for delta reads. Guarded by mu.
	prev     *Snapshot
	lastFull time.Time
	// cache is the last listing of a VersionedTarget. Guarded by mu.
	cache userCache
}

// ErrBusy is returned when a run or approval is asked for while another is
// in progress, in this process or (as *LockedError) in another.
var ErrBusy = errors.New("a sync is already running")

// New checks opts and returns an Engine.
func New(opts Options) (*Engine, error) {
	switch {
	case opts.Source == nil:
		return nil, errors.New("engine: no Okta source")
	case opts.Target == nil:
		return nil, errors.New("engine: no target")
	case opts.Recorder == nil:
		return nil, errors.New("engine: no recorder for runs")
	case opts.Policy == nil:
		return nil, errors.New("engine: no configuration")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.FullEvery <= 0 {
		opts.FullEvery = DefaultFullEvery
	}
	if opts.Holder == "" {
		opts.Holder = "rolesync"
	}
	return &Engine{opts: opts, log: opts.Logger.With("component", "engine")}, nil
}

// RunOptions say how to run one sync.
type RunOptions struct {
	// Trigger is recorded with the run: store.TriggerManual (default),
	// TriggerSchedule, TriggerCLI or TriggerDemo.
	Trigger string
	// DryRun plans and records the run's counts, and changes nothing.
	DryRun bool
	// Full asks a DeltaSource for a full read instead of a delta read.
	Full bool
	// Progress overrides Options.Progress for this run.
	Progress func(Progress)
}

// Result is the outcome of a run.
type Result struct {
	RunID    int64  `json:"run_id"`
	Status   string `json:"status"` // store.StatusSucceeded, StatusFailed, StatusHeld or StatusInterrupted
	Created  int    `json:"created"`
	Granted  int    `json:"granted"`
	Revoked  int    `json:"revoked"`
	Held     int    `json:"held"`
	APICalls int    `json:"api_calls"`
	// Feed is how Okta was read (see Plan.Feed).
	Feed   string `json:"feed,omitempty"`
	Error  string `json:"error"`
	DryRun bool   `json:"dry_run,omitempty"`
	// Plan is the plan the run made; nil when the read failed.
	Plan *Plan `json:"-"`
	// Applied are the changes made in the target.
	Applied []PlannedChange `json:"-"`
	// Skipped are the admin revocations an apply that failed did not make
	// because the grant the last-admin gate counted on failed (see
	// reliedOnFailedGrants). They are recorded as held, with the reason,
	// but wait for no approval: the next run plans them again.
	Skipped []PlannedChange `json:"-"`
}

// lock takes the in-process and the cross-process locks.
func (e *Engine) lock() (func(), error) {
	if !e.mu.TryLock() {
		return nil, fmt.Errorf("%w in this process; wait for it to finish", ErrBusy)
	}
	if e.opts.LockPath == "" {
		return e.mu.Unlock, nil
	}
	l, err := AcquireLock(e.opts.LockPath, e.opts.Holder)
	if err != nil {
		e.mu.Unlock()
		return nil, err
	}
	return func() {
		if err := l.Release(); err != nil {
			e.log.Warn("release sync lock", "path", e.opts.LockPath, "err", err)
		}
		e.mu.Unlock()
	}, nil
}

func (e *Engine) progress(o RunOptions) func(Progress) {
	if o.Progress != nil {
		return o.Progress
	}
	if e.opts.Progress != nil {
		return e.opts.Progress
	}
	return func(Progress) {}
}

func (e *Engine) notify(n Notice) {
	if e.opts.Notify != nil {
		e.opts.Notify(n)
	}
}

// Plan reads Okta and the target and returns what a run would do, without
// changing or recording anything. It is the preview for `rolesync plan`.
func (e *Engine) Plan(ctx context.Context) (*Plan, error) {
	unlock, err := e.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	return e.makePlan(ctx, e.opts.Policy(), false, func(Progress) {})
}

// Run runs one sync: read, plan, gates, apply, record. A failed read or plan
// applies nothing. A cancelled ctx stops the run, between two users once
// applying started, with status interrupted. The error is non-nil exactly
// when the status is failed or interrupted (or the run could not start);
// the Result still carries the run id, the counts of what was applied and
// the error text.
func (e *Engine) Run(ctx context.Context, o RunOptions) (Result, error) {
	unlock, err := e.lock()
	if err != nil {
		return Result{Status: store.StatusFailed, Error: err.Error()}, err
	}
	defer unlock()
	if o.Trigger == "" {
		o.Trigger = store.TriggerManual
	}
	log := e.log.With("trigger", o.Trigger, "dry_run", o.DryRun)
	res := Result{DryRun: o.DryRun}
	res.RunID, err = e.opts.Recorder.StartRun(ctx, o.Trigger, e.opts.Now())
	if err != nil {
		err = fmt.Errorf("start run: %w", err)
		res.Status, res.Error = store.StatusFailed, err.Error()
		return res, err
	}
	log = log.With("run", res.RunID)
	prog := e.progress(o)

	callsBefore, counted := e.sourceCalls()
	pol := e.opts.Policy()
	plan, err := e.makePlan(ctx, pol, o.Full, prog)
	if plan != nil {
		res.APICalls, res.Feed = plan.APICalls, plan.Feed
	}
	if callsAfter, _ := e.sourceCalls(); counted {
		// Failed reads spend calls too, retries included.
		res.APICalls = int(callsAfter - callsBefore)
	}
	if err != nil {
		return e.finish(ctx, log, res, nil, nil, err)
	}
	res.Plan = plan
	if len(plan.Missing) > 0 && !o.DryRun {
		e.notify(Notice{RunID: res.RunID, Kind: NoticeMissingGroups,
			Message: fmt.Sprintf("mapped Okta group(s) not found: %v; their revocations are held for approval. Fix the mapping or approve with rolesync approve %d", plan.Missing, res.RunID)})
	}
	if o.DryRun {
		res.Created, res.Granted, res.Revoked = countChanges(plan.Changes)
		res.Held = len(plan.Held)
		return e.finish(ctx, log, res, nil, nil, nil)
	}
	e.rememberGroups(ctx, log, plan, nil)
	if err := ctx.Err(); err != nil {
		return e.finish(ctx, log, res, nil, nil, fmt.Errorf("stopped before applying: %w; nothing was changed", err))
	}
	// A cancel (Ctrl-C, a stop signal, quitting the app) stops the apply
	// between two users; every change made is recorded as it is made, and
	// the run is recorded as interrupted.
	alog := e.newAppliedLog(ctx, res.RunID)
	applied, err := e.applyBatched(ctx, plan.Changes, plan, prog, alog)
	res.Applied = applied
	res.Created, res.Granted, res.Revoked = countChanges(applied)
	if err == nil {
		res.Held = len(plan.Held)
	}
	var held []PlannedChange
	if err == nil {
		held = plan.Held
	} else {
		res.Skipped = reliedOnFailedGrants(plan, pol.Safety.AdminRoles, plan.Changes, applied)
	}
	return e.finish(ctx, log, res, alog.pending(applied), held, err)
}

// finish records the changes (applied are those not recorded yet), the
// hold and the run's end.
func (e *Engine) finish(ctx context.Context, log *slog.Logger, res Result, applied, held []PlannedChange, runErr error) (Result, error) {
	now := e.opts.Now()
	res.Status, res.Error = runStatus(ctx, res, runErr)
	// Record even when ctx was cancelled midway: what was applied must be kept.
	rctx := context.WithoutCancel(ctx)
	if err := e.record(rctx, res, applied, held, now, runErr); err != nil && runErr == nil {
		runErr = err
		res.Status, res.Error = store.StatusFailed, err.Error()
	}
	e.report(log, res)
	return res, runErr
}

// runStatus is the status of a run that ended with runErr, and its error
// text.
func runStatus(ctx context.Context, res Result, runErr error) (status, text string) {
	switch {
	case runErr != nil && errors.Is(ctx.Err(), context.Canceled):
		return store.StatusInterrupted, runErr.Error()
	case runErr != nil:
		return store.StatusFailed, runErr.Error()
	case res.Held > 0:
		return store.StatusHeld, res.Error
	}
	return store.StatusSucceeded, res.Error
}

// record records the run's changes and hold, then its end. A failure to
// record the changes or the hold is recorded as the error of a run that
// had none (runErr nil); the error returned is the first failure.
func (e *Engine) record(ctx context.Context, res Result, applied, held []PlannedChange, now time.Time, runErr error) error {
	var recErr error
	if cs := toStoreChanges(applied, append(held[:len(held):len(held)], res.Skipped...), now); len(cs) > 0 {
		if err := e.opts.Recorder.AddChanges(ctx, res.RunID, cs); err != nil {
			recErr = fmt.Errorf("record changes of run %d: %w", res.RunID, err)
		}
	}
	if len(held) > 0 && recErr == nil {
		if err := e.opts.Recorder.CreateHold(ctx, res.RunID, toStoreChanges(nil, held, now)); err != nil {
			recErr = fmt.Errorf("record hold of run %d: %w", res.RunID, err)
		}
	}
	if recErr != nil && runErr == nil {
		res.Status, res.Error = store.StatusFailed, recErr.Error()
	}
	err := e.opts.Recorder.FinishRun(ctx, store.Run{ID: res.RunID, Status: res.Status, FinishedAt: now,
		Created: res.Created, Granted: res.Granted, Revoked: res.Revoked, Held: res.Held,
		APICalls: res.APICalls, Error: res.Error, DryRun: res.DryRun, Feed: res.Feed})
	if err != nil && recErr == nil {
		recErr = fmt.Errorf("record end of run %d: %w", res.RunID, err)
	}
	return recErr
}

// report logs the run's end and notifies of failures and holds.
func (e *Engine) report(log *slog.Logger, res Result) {
	switch res.Status {
	case store.StatusInterrupted:
		log.Info("sync interrupted", "err", res.Error, "created", res.Created, "granted", res.Granted, "revoked", res.Revoked)
	case store.StatusFailed:
		// Callers report failures (the scheduler rate-limits its error logs).
		log.Debug("sync failed", "err", res.Error, "created", res.Created, "granted", res.Granted, "revoked", res.Revoked)
		e.notify(Notice{RunID: res.RunID, Kind: NoticeFailed, Message: res.Error})
	case store.StatusHeld:
		log.Warn("sync held revocations", "held", res.Held, "created", res.Created, "granted", res.Granted, "revoked", res.Revoked)
		if !res.DryRun {
			e.notify(Notice{RunID: res.RunID, Kind: NoticeHeld, Message: fmt.Sprintf(
				"%d revocation(s) held for approval: %s. Review them, then run rolesync approve %d or rolesync reject %d",
				res.Held, holdSummary(res.Plan), res.RunID, res.RunID)})
		}
	default:
		log.Info("sync done", "created", res.Created, "granted", res.Granted, "revoked", res.Revoked, "api_calls", res.APICalls, "okta_feed", res.Feed)
	}
}

func holdSummary(p *Plan) string {
	if p == nil || len(p.HoldReasons) == 0 {
		return "a safety gate held them"
	}
	return p.HoldReasons[0]
}
