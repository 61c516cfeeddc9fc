package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/store"
)

// fakeClock fires timers only when advanced. armed receives one value per
// timer the scheduler arms, so a test knows the loop is waiting.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
	armed  chan time.Duration
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC), armed: make(chan time.Duration, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), ch: ch})
	c.armed <- d
	return ch
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	keep := c.timers[:0]
	for _, t := range c.timers {
		if !t.at.After(c.now) {
			t.ch <- c.now
		} else {
			keep = append(keep, t)
		}
	}
	c.timers = keep
}

// waitArmed waits for the loop to arm its next timer and returns its delay.
func (c *fakeClock) waitArmed(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-c.armed:
		return d
	case <-time.After(5 * time.Second):
		t.Fatal("scheduler never armed a timer")
		return 0
	}
}

// fakeRunner records runs; result decides each run's outcome.
type fakeRunner struct {
	mu       sync.Mutex
	triggers []string
	ran      chan string
	result   func(n int) error
	block    chan struct{} // when set, each run waits on it
	inRun    atomic.Int32
	overlap  atomic.Bool
	progress bool
}

func newFakeRunner() *fakeRunner { return &fakeRunner{ran: make(chan string, 100)} }

func (r *fakeRunner) Run(ctx context.Context, o RunOptions) (Result, error) {
	if r.inRun.Add(1) > 1 {
		r.overlap.Store(true)
	}
	defer r.inRun.Add(-1)
	if r.block != nil {
		select {
		case <-r.block:
		case <-ctx.Done():
			return Result{Status: store.StatusFailed}, ctx.Err()
		}
	}
	r.mu.Lock()
	r.triggers = append(r.triggers, o.Trigger)
	n := len(r.triggers)
	r.progress = o.Progress != nil
	r.mu.Unlock()
	var err error
	if r.result != nil {
		err = r.result(n)
	}
	res := Result{RunID: int64(n), Status: store.StatusSucceeded}
	if err != nil {
		res.Status = store.StatusFailed
	}
	r.ran <- o.Trigger
	return res, err
}

func (r *fakeRunner) waitRun(t *testing.T) string {
	t.Helper()
	select {
	case tr := <-r.ran:
		return tr
	case <-time.After(5 * time.Second):
		t.Fatal("no run happened")
		return ""
	}
}

func startScheduler(t *testing.T, s *Scheduler) *fakeClock {
	t.Helper()
	c := newFakeClock()
	s.Clock = c
	if s.Rand == nil {
		s.Rand = func() float64 { return 0 }
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return c
}

func TestSchedulerRunsOnInterval(t *testing.T) {
	r := newFakeRunner()
	s := &Scheduler{Runner: r, Interval: func() time.Duration { return 5 * time.Minute }, Progress: func(Progress) {}}
	c := startScheduler(t, s)
	for i := range 3 {
		if d := c.waitArmed(t); d != 5*time.Minute {
			t.Fatalf("wait %d is %v, want 5m", i, d)
		}
		if next := s.Status().Next; !next.Equal(c.Now().Add(5 * time.Minute)) {
			t.Fatalf("Status().Next = %v, want now+5m", next)
		}
		c.Advance(5 * time.Minute)
		if tr := r.waitRun(t); tr != store.TriggerSchedule {
			t.Fatalf("trigger %q", tr)
		}
	}
	if !r.progress {
		t.Fatal("the run did not get the progress callback")
	}
}

func TestSchedulerDefaultIntervalAndJitter(t *testing.T) {
	tests := []struct {
		name     string
		interval func() time.Duration
		jitter   float64
		rand     float64
		want     time.Duration
	}{
		{"default interval", nil, -1, 0.5, 15 * time.Minute},
		{"zero interval falls back", func() time.Duration { return 0 }, -1, 0.5, 15 * time.Minute},
		{"default jitter adds up to 5%", func() time.Duration { return time.Hour }, 0, 0.5, time.Hour + 90*time.Second},
		{"custom jitter", func() time.Duration { return time.Hour }, 0.1, 0.25, time.Hour + 90*time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &Scheduler{Runner: newFakeRunner(), Interval: tc.interval, Jitter: tc.jitter,
				Rand: func() float64 { return tc.rand }}
			c := startScheduler(t, s)
			if d := c.waitArmed(t); d != tc.want {
				t.Fatalf("first wait %v, want %v", d, tc.want)
			}
		})
	}
}

func TestSchedulerSyncNowAndPause(t *testing.T) {
	r := newFakeRunner()
	s := &Scheduler{Runner: r, Interval: func() time.Duration { return time.Hour }}
	c := startScheduler(t, s)
	c.waitArmed(t)
	s.SyncNow()
	if tr := r.waitRun(t); tr != store.TriggerManual {
		t.Fatalf("SyncNow trigger %q", tr)
	}
	c.waitArmed(t)
	s.Pause()
	// Wait until the loop has seen the pause: Next is cleared.
	waitFor(t, func() bool { return s.Status().Paused && s.Status().Next.IsZero() })
	c.Advance(10 * time.Hour)
	s.SyncNow()
	if tr := r.waitRun(t); tr != store.TriggerManual {
		t.Fatalf("run while paused has trigger %q, want only the manual one", tr)
	}
	s.Resume()
	if d := c.waitArmed(t); d != time.Hour {
		t.Fatalf("after Resume the wait is %v", d)
	}
	c.Advance(time.Hour)
	if tr := r.waitRun(t); tr != store.TriggerSchedule {
		t.Fatalf("trigger %q after resume", tr)
	}
	if got := len(r.triggers); got != 3 {
		t.Fatalf("%d runs, want 3 (%v)", got, r.triggers)
	}
}

func TestSchedulerNeverOverlaps(t *testing.T) {
	r := newFakeRunner()
	r.block = make(chan struct{})
	s := &Scheduler{Runner: r, Interval: func() time.Duration { return time.Minute }}
	c := startScheduler(t, s)
	c.waitArmed(t)
	s.SyncNow()
	waitFor(t, func() bool { return s.Status().Running })
	for range 5 {
		s.SyncNow()
	}
	c.Advance(time.Hour) // fires nothing: no timer is armed during a run
	r.block <- struct{}{}
	r.waitRun(t)
	r.block <- struct{}{} // the one queued SyncNow
	r.waitRun(t)
	close(r.block) // an extra run would now go through
	c.waitArmed(t) // armed after the first run
	c.waitArmed(t) // armed after the second run: the loop is idle
	time.Sleep(20 * time.Millisecond)
	select {
	case tr := <-r.ran:
		t.Fatalf("an extra run (%s) happened", tr)
	default:
	}
	if r.overlap.Load() {
		t.Fatal("two runs overlapped")
	}
}

func TestSchedulerBackoff(t *testing.T) {
	r := newFakeRunner()
	fail := atomic.Bool{}
	fail.Store(true)
	r.result = func(int) error {
		if fail.Load() {
			return errors.New("okta unreachable")
		}
		return nil
	}
	s := &Scheduler{Runner: r, Interval: func() time.Duration { return 15 * time.Minute }, MaxBackoff: time.Hour}
	c := startScheduler(t, s)
	want := []time.Duration{15 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, time.Hour, time.Hour}
	for i, w := range want {
		d := c.waitArmed(t)
		if d != w {
			t.Fatalf("wait %d after %d failures is %v, want %v", i, s.Status().Failures, d, w)
		}
		if i == len(want)-1 {
			fail.Store(false)
		}
		c.Advance(d)
		r.waitRun(t)
	}
	if d := c.waitArmed(t); d != 15*time.Minute || s.Status().Failures != 0 {
		t.Fatalf("after a success the wait is %v with %d failures, want 15m and 0", d, s.Status().Failures)
	}
}

func TestSchedulerBusyIsNotAFailure(t *testing.T) {
	r := newFakeRunner()
	r.result = func(int) error { return &LockedError{Holder: "daemon", PID: 7} }
	s := &Scheduler{Runner: r, Interval: func() time.Duration { return time.Hour }}
	c := startScheduler(t, s)
	for range 3 {
		c.Advance(c.waitArmed(t))
		r.waitRun(t)
	}
	if d := c.waitArmed(t); d != time.Hour || s.Status().Failures != 0 {
		t.Fatalf("busy runs counted as failures: wait %v, failures %d", d, s.Status().Failures)
	}
}

// logCounter counts error records and remembers the last one.
type logCounter struct {
	mu     sync.Mutex
	errors int
	last   string
}

func (h *logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *logCounter) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logCounter) WithGroup(string) slog.Handler            { return h }
func (h *logCounter) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Level >= slog.LevelError {
		h.errors++
		var b strings.Builder
		r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, "%s=%v ", a.Key, a.Value); return true })
		h.last = b.String()
	}
	return nil
}

func TestSchedulerRateLimitsErrorLogs(t *testing.T) {
	r := newFakeRunner()
	r.result = func(n int) error {
		if n == 5 {
			return errors.New("different error")
		}
		return errors.New("okta unreachable")
	}
	h := &logCounter{}
	s := &Scheduler{Runner: r, Interval: func() time.Duration { return 5 * time.Minute }, MaxBackoff: 5 * time.Minute,
		ErrorLogEvery: 30 * time.Minute, Logger: slog.New(h)}
	c := startScheduler(t, s)
	// Runs at 5, 10, 15, 20 min fail the same way: one error log.
	// Run 5 fails differently: logged. Runs 6..8 (30..40 min) fail the
	// first way again: logged once more.
	wantErrors := []int{1, 1, 1, 1, 2, 3, 3, 3}
	for i, w := range wantErrors {
		c.Advance(c.waitArmed(t))
		r.waitRun(t)
		waitFor(t, func() bool { return s.Status().LastAt.Equal(c.Now()) })
		h.mu.Lock()
		got := h.errors
		h.mu.Unlock()
		if got != w {
			t.Fatalf("after run %d: %d error logs, want %d", i+1, got, w)
		}
	}
	// A repeat logged after the window says how many were not logged.
	for range 4 {
		c.Advance(c.waitArmed(t))
		r.waitRun(t)
	}
	waitFor(t, func() bool { h.mu.Lock(); defer h.mu.Unlock(); return h.errors == 4 })
	h.mu.Lock()
	defer h.mu.Unlock()
	if !strings.Contains(h.last, "repeats_not_logged=") {
		t.Fatalf("log after the window lacks the count of repeats: %s", h.last)
	}
}

func TestSchedulerStartStop(t *testing.T) {
	r := newFakeRunner()
	s := &Scheduler{Runner: r, RunAtStart: true}
	c := startScheduler(t, s)
	if tr := r.waitRun(t); tr != store.TriggerSchedule {
		t.Fatalf("RunAtStart trigger %q", tr)
	}
	if err := s.Start(context.Background()); err == nil {
		t.Fatal("second Start succeeded")
	}
	c.waitArmed(t)
	s.Stop()
	if st := s.Status(); st.Started || !st.Next.IsZero() {
		t.Fatalf("after Stop status %+v", st)
	}
	if err := (&Scheduler{}).Start(context.Background()); err == nil {
		t.Fatal("Start without a runner succeeded")
	}
	// A run in progress is cancelled by Stop.
	r2 := newFakeRunner()
	r2.block = make(chan struct{})
	s2 := &Scheduler{Runner: r2, RunAtStart: true}
	startScheduler(t, s2)
	waitFor(t, func() bool { return r2.inRun.Load() == 1 })
	s2.Stop()
	if r2.inRun.Load() != 0 {
		t.Fatal("Stop returned with a run in progress")
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 5000 {
		if cond() {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("condition never held")
}
