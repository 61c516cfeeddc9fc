package engine

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/rolesync/rolesync/internal/clock"
	"github.com/rolesync/rolesync/internal/store"
)

// Runner runs one sync; *Engine is one.
type Runner interface {
	Run(ctx context.Context, o RunOptions) (Result, error)
}

// Scheduler defaults.
const (
	// DefaultInterval is the wait between runs when Interval gives none;
	// it is the configuration's default interval too.
	DefaultInterval      = 15 * time.Minute
	DefaultJitter        = 0.05
	DefaultMaxBackoff    = 4 * time.Hour
	DefaultErrorLogEvery = 30 * time.Minute
)

// Scheduler runs syncs on an interval, one at a time. Set its fields, then
// Start it; Stop (or cancelling Start's context) ends it.
type Scheduler struct {
	Runner Runner
	// Interval returns the sync interval; it is asked before every wait, so
	// a changed setting applies from the next wait; DefaultInterval when
	// nil or not positive.
	Interval func() time.Duration
	// Jitter adds up to this fraction of the interval at random to each
	// wait (DefaultJitter when zero; negative for none).
	Jitter float64
	// MaxBackoff caps the wait after repeated failures: the n-th failure in
	// a row waits interval × 2^(n-1), at most max(interval, MaxBackoff).
	MaxBackoff time.Duration
	// ErrorLogEvery is how often the same error is logged again.
	ErrorLogEvery time.Duration
	// RunAtStart runs a sync as soon as the scheduler starts.
	RunAtStart bool
	// Clock is the time source; clock.Real when nil.
	Clock  clock.Clock
	Rand   func() float64 // in [0, 1); math/rand/v2 when nil
	Logger *slog.Logger
	// Progress is passed to every run.
	Progress func(Progress)
	// OnRun is called after every run.
	OnRun func(Result, error)

	mu         sync.Mutex
	cancel     context.CancelFunc
	wg         sync.WaitGroup
	kick, wake chan struct{}
	status     SchedulerStatus
	lastErr    string
	lastErrLog time.Time
	suppressed int
}

// SchedulerStatus is what the tray shows.
type SchedulerStatus struct {
	Started  bool
	Paused   bool
	Running  bool
	Next     time.Time // zero while paused or running
	Failures int       // failed runs in a row
	Last     Result
	LastAt   time.Time
}

// Start starts the loop. It fails if the scheduler has no runner or is
// already started.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Runner == nil {
		return errors.New("scheduler: no runner")
	}
	if s.status.Started {
		return errors.New("scheduler: already started")
	}
	if s.Clock == nil {
		s.Clock = clock.Real{}
	}
	if s.Rand == nil {
		s.Rand = rand.Float64
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	s.kick, s.wake = make(chan struct{}, 1), make(chan struct{}, 1)
	ctx, s.cancel = context.WithCancel(ctx)
	s.status.Started = true
	s.wg.Add(1)
	go s.loop(ctx)
	return nil
}

// Stop stops the loop, cancelling a run in progress, and waits for it.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	s.wg.Wait()
}

// Pause stops scheduled runs; SyncNow still runs one.
func (s *Scheduler) Pause() { s.setPaused(true) }

// Resume restarts scheduled runs, the next one an interval from now.
func (s *Scheduler) Resume() { s.setPaused(false) }

func (s *Scheduler) setPaused(p bool) {
	s.mu.Lock()
	s.status.Paused = p
	wake := s.wake
	s.mu.Unlock()
	signal(wake)
}

// Reschedule recomputes the next run from now, after an interval change.
func (s *Scheduler) Reschedule() {
	s.mu.Lock()
	wake := s.wake
	s.mu.Unlock()
	signal(wake)
}

// SyncNow asks for a run as soon as possible. While a run is in progress,
// one more run is queued; further requests fold into it.
func (s *Scheduler) SyncNow() {
	s.mu.Lock()
	kick := s.kick
	s.mu.Unlock()
	signal(kick)
}

// Status returns the scheduler's state.
func (s *Scheduler) Status() SchedulerStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

func signal(ch chan struct{}) {
	if ch == nil {
		return
	}
	select {
	case ch <- struct{}{}:
	default:
	}
}

func (s *Scheduler) loop(ctx context.Context) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		s.status.Started, s.status.Next, s.status.Running = false, time.Time{}, false
		s.mu.Unlock()
	}()
	if s.RunAtStart {
		s.runOnce(ctx, store.TriggerSchedule)
	}
	for {
		s.mu.Lock()
		paused := s.status.Paused
		var timer <-chan time.Time
		s.status.Next = time.Time{}
		if !paused {
			d := s.delay()
			s.status.Next = s.Clock.Now().Add(d)
			timer = s.Clock.After(d)
		}
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-s.kick:
			s.runOnce(ctx, store.TriggerManual)
		case <-timer:
			if !s.Status().Paused {
				s.runOnce(ctx, store.TriggerSchedule)
			}
		}
	}
}

// interval returns the configured interval, or the default.
func (s *Scheduler) interval() time.Duration {
	if s.Interval != nil {
		if d := s.Interval(); d > 0 {
			return d
		}
	}
	return DefaultInterval
}

// delay is the wait before the next scheduled run. Called with mu held.
func (s *Scheduler) delay() time.Duration {
	iv := s.interval()
	d := iv
	if f := s.status.Failures; f > 1 {
		limit := max(iv, cmp.Or(max(s.MaxBackoff, 0), DefaultMaxBackoff))
		for i := 1; i < f && d < limit; i++ {
			d *= 2
		}
		d = min(d, limit)
	}
	j := s.Jitter
	if j == 0 {
		j = DefaultJitter
	}
	if j > 0 {
		d += time.Duration(s.Rand() * j * float64(iv))
	}
	return d
}

func (s *Scheduler) runOnce(ctx context.Context, trigger string) {
	s.mu.Lock()
	s.status.Running, s.status.Next = true, time.Time{}
	s.mu.Unlock()
	res, err := s.Runner.Run(ctx, RunOptions{Trigger: trigger, Progress: s.Progress})
	now := s.Clock.Now()
	s.mu.Lock()
	s.status.Running = false
	s.status.Last, s.status.LastAt = res, now
	switch {
	case err == nil:
		s.status.Failures = 0
		s.lastErr, s.suppressed = "", 0
	case errors.Is(err, ErrBusy):
		// Another process or caller is syncing: not a failure of ours.
		s.Logger.Info("sync skipped", "trigger", trigger, "reason", err.Error())
	case ctx.Err() != nil:
		// Stopping.
	default:
		s.status.Failures++
		s.logError(now, trigger, err)
	}
	s.mu.Unlock()
	if s.OnRun != nil {
		s.OnRun(res, err)
	}
}

// logError logs err unless the same error was logged less than
// ErrorLogEvery ago. Called with mu held.
func (s *Scheduler) logError(now time.Time, trigger string, err error) {
	msg := err.Error()
	every := cmp.Or(max(s.ErrorLogEvery, 0), DefaultErrorLogEvery)
	if msg == s.lastErr && now.Sub(s.lastErrLog) < every {
		s.suppressed++
		return
	}
	attrs := []any{"trigger", trigger, "failures_in_a_row", s.status.Failures, "err", msg}
	if s.suppressed > 0 {
		attrs = append(attrs, "repeats_not_logged", s.suppressed)
	}
	s.Logger.Error("sync failed", attrs...)
	s.lastErr, s.lastErrLog, s.suppressed = msg, now, 0
}
