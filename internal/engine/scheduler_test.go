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
	"testing/synctest"
	"time"

	"github.com/rolesync/rolesync/internal/store"
)

// fakeRunner records runs; result decides each run's outcome.
type fakeRunner struct {
	mu       sync.Mutex
	triggers []string
	at       []time.Time // when each run ended
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
	r.at = append(r.at, time.Now())
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

// waitRun waits for the bubble to be idle and returns the trigger of the
// one run that happened since the last call, failing unless exactly one
// did, at want.
func (r *fakeRunner) waitRun(t *testing.T, want time.Time) string {
	t.Helper()
	synctest.Wait()
	select {
	case tr := <-r.ran:
		r.mu.Lock()
		at := r.at[len(r.at)-1]
		r.mu.Unlock()
		if !at.Equal(want) {
			t.Fatalf("run %q at +%v, want +%v", tr, at.Sub(bubbleStart), want.Sub(bubbleStart))
		}
		r.noRun(t)
		return tr
	default:
		t.Fatalf("no run happened by +%v", time.Since(bubbleStart))
		return ""
	}
}

// noRun waits for the bubble to be idle and fails if a run happened.
func (r *fakeRunner) noRun(t *testing.T) {
	t.Helper()
	synctest.Wait()
	select {
	case tr := <-r.ran:
		t.Fatalf("an extra run (%s) happened by +%v", tr, time.Since(bubbleStart))
	default:
	}
}

// bubbleStart is the time at which every synctest bubble starts.
var bubbleStart = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// startScheduler starts s inside the test's synctest bubble, with the
// system clock (the bubble's fake one) and no jitter unless s sets them,
// and stops it when the test ends.
func startScheduler(t *testing.T, s *Scheduler) {
	t.Helper()
	if !time.Now().Equal(bubbleStart) {
		t.Fatalf("startScheduler outside a fresh synctest bubble (now %v)", time.Now())
	}
	if s.Rand == nil {
		s.Rand = func() float64 { return 0 }
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
}

// waitArmed waits for the bubble to be idle and returns the delay of the
// timer the loop waits on, failing when it waits on none.
func waitArmed(t *testing.T, s *Scheduler) time.Duration {
	t.Helper()
	synctest.Wait()
	next := s.Status().Next
	if next.IsZero() {
		t.Fatalf("scheduler armed no timer by +%v", time.Since(bubbleStart))
	}
	return time.Until(next)
}

func TestSchedulerRunsOnInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newFakeRunner()
		s := &Scheduler{Runner: r, Interval: func() time.Duration { return 5 * time.Minute }, Progress: func(Progress) {}}
		startScheduler(t, s)
		for i := range 3 {
			if d := waitArmed(t, s); d != 5*time.Minute {
				t.Fatalf("wait %d is %v, want 5m", i, d)
			}
			due := bubbleStart.Add(time.Duration(i+1) * 5 * time.Minute)
			if next := s.Status().Next; !next.Equal(due) {
				t.Fatalf("Status().Next = +%v, want +%v", next.Sub(bubbleStart), due.Sub(bubbleStart))
			}
			// Just before the run is due nothing runs; at the due time it does.
			time.Sleep(time.Until(due) - time.Nanosecond)
			r.noRun(t)
			time.Sleep(time.Nanosecond)
			if tr := r.waitRun(t, due); tr != store.TriggerSchedule {
				t.Fatalf("trigger %q", tr)
			}
		}
		if !r.progress {
			t.Fatal("the run did not get the progress callback")
		}
	})
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
			synctest.Test(t, func(t *testing.T) {
				s := &Scheduler{Runner: newFakeRunner(), Interval: tc.interval, Jitter: tc.jitter,
					Rand: func() float64 { return tc.rand }}
				startScheduler(t, s)
				if d := waitArmed(t, s); d != tc.want {
					t.Fatalf("first wait %v, want %v", d, tc.want)
				}
			})
		})
	}
}

func TestSchedulerSyncNowAndPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newFakeRunner()
		s := &Scheduler{Runner: r, Interval: func() time.Duration { return time.Hour }}
		startScheduler(t, s)
		waitArmed(t, s)
		s.SyncNow()
		if tr := r.waitRun(t, bubbleStart); tr != store.TriggerManual {
			t.Fatalf("SyncNow trigger %q", tr)
		}
		waitArmed(t, s)
		s.Pause()
		synctest.Wait()
		if st := s.Status(); !st.Paused || !st.Next.IsZero() {
			t.Fatalf("after Pause the status is %+v, want paused with no next run", st)
		}
		time.Sleep(10 * time.Hour)
		r.noRun(t)
		s.SyncNow()
		if tr := r.waitRun(t, bubbleStart.Add(10*time.Hour)); tr != store.TriggerManual {
			t.Fatalf("run while paused has trigger %q, want only the manual one", tr)
		}
		s.Resume()
		if d := waitArmed(t, s); d != time.Hour {
			t.Fatalf("after Resume the wait is %v", d)
		}
		time.Sleep(time.Hour)
		if tr := r.waitRun(t, bubbleStart.Add(11*time.Hour)); tr != store.TriggerSchedule {
			t.Fatalf("trigger %q after resume", tr)
		}
		if got := len(r.triggers); got != 3 {
			t.Fatalf("%d runs, want 3 (%v)", got, r.triggers)
		}
	})
}

func TestSchedulerNeverOverlaps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newFakeRunner()
		r.block = make(chan struct{})
		s := &Scheduler{Runner: r, Interval: func() time.Duration { return time.Minute }}
		startScheduler(t, s)
		waitArmed(t, s)
		s.SyncNow()
		synctest.Wait()
		if !s.Status().Running {
			t.Fatal("SyncNow started no run")
		}
		for range 5 {
			s.SyncNow()
		}
		time.Sleep(time.Hour) // fires nothing: no timer is armed during a run
		r.noRun(t)
		r.block <- struct{}{}
		end := bubbleStart.Add(time.Hour)
		r.waitRun(t, end)
		r.block <- struct{}{} // the one queued SyncNow
		r.waitRun(t, end)
		close(r.block) // an extra run would now go through
		if d := waitArmed(t, s); d != time.Minute {
			t.Fatalf("after the queued run the wait is %v, want 1m", d)
		}
		r.noRun(t)
		if r.overlap.Load() {
			t.Fatal("two runs overlapped")
		}
	})
}

func TestSchedulerBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
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
		startScheduler(t, s)
		want := []time.Duration{15 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, time.Hour, time.Hour}
		for i, w := range want {
			d := waitArmed(t, s)
			if d != w {
				t.Fatalf("wait %d after %d failures is %v, want %v", i, s.Status().Failures, d, w)
			}
			if i == len(want)-1 {
				fail.Store(false)
			}
			time.Sleep(d)
			r.waitRun(t, time.Now())
		}
		if d := waitArmed(t, s); d != 15*time.Minute || s.Status().Failures != 0 {
			t.Fatalf("after a success the wait is %v with %d failures, want 15m and 0", d, s.Status().Failures)
		}
	})
}

func TestSchedulerBusyIsNotAFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newFakeRunner()
		r.result = func(int) error { return &LockedError{Holder: "daemon", PID: 7} }
		s := &Scheduler{Runner: r, Interval: func() time.Duration { return time.Hour }}
		startScheduler(t, s)
		for range 3 {
			time.Sleep(waitArmed(t, s))
			r.waitRun(t, time.Now())
		}
		if d := waitArmed(t, s); d != time.Hour || s.Status().Failures != 0 {
			t.Fatalf("busy runs counted as failures: wait %v, failures %d", d, s.Status().Failures)
		}
	})
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
	synctest.Test(t, func(t *testing.T) {
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
		startScheduler(t, s)
		// Runs at 5, 10, 15, 20 min fail the same way: one error log.
		// Run 5 fails differently: logged. Runs 6..8 (30..40 min) fail the
		// first way again: logged once more.
		wantErrors := []int{1, 1, 1, 1, 2, 3, 3, 3}
		for i, w := range wantErrors {
			time.Sleep(waitArmed(t, s))
			due := bubbleStart.Add(time.Duration(i+1) * 5 * time.Minute)
			r.waitRun(t, due)
			if last := s.Status().LastAt; !last.Equal(due) {
				t.Fatalf("run %d recorded at +%v, want +%v", i+1, last.Sub(bubbleStart), due.Sub(bubbleStart))
			}
			h.mu.Lock()
			got := h.errors
			h.mu.Unlock()
			if got != w {
				t.Fatalf("after run %d: %d error logs, want %d", i+1, got, w)
			}
		}
		// A repeat logged after the window says how many were not logged.
		for range 4 {
			time.Sleep(waitArmed(t, s))
			r.waitRun(t, time.Now())
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.errors != 4 {
			t.Fatalf("%d error logs after 12 runs, want 4", h.errors)
		}
		if !strings.Contains(h.last, "repeats_not_logged=") {
			t.Fatalf("log after the window lacks the count of repeats: %s", h.last)
		}
	})
}

func TestSchedulerStartStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newFakeRunner()
		s := &Scheduler{Runner: r, RunAtStart: true}
		startScheduler(t, s)
		if tr := r.waitRun(t, bubbleStart); tr != store.TriggerSchedule {
			t.Fatalf("RunAtStart trigger %q", tr)
		}
		if err := s.Start(context.Background()); err == nil {
			t.Fatal("second Start succeeded")
		}
		waitArmed(t, s)
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
		synctest.Wait()
		if r2.inRun.Load() != 1 {
			t.Fatal("RunAtStart started no run")
		}
		s2.Stop()
		if r2.inRun.Load() != 0 {
			t.Fatal("Stop returned with a run in progress")
		}
	})
}
