package shell

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/secrets"
)

// A connection's sync loop: starting it (or the setup wizard), keeping
// its status current between runs, stopping it, and the handle the
// window and the tray hold on it.

// Start starts the sync loop when rolesync is configured, and opens the
// setup wizard when it is not.
func (s *Shell) Start() { s.start(true) }

// StartQuietly starts the sync loop when rolesync is configured, and
// leaves the wizard closed when it is not: one of several connections,
// whose list says it is not set up.
func (s *Shell) StartQuietly() { s.start(false) }

func (s *Shell) start(wizard bool) {
	s.ticking.Add(1)
	go s.tick()
	_, ok, _ := app.ConfigFromStore(s.loopCtx, s.rt.Store)
	s.mu.Lock()
	s.configured = ok
	s.mu.Unlock()
	if !ok {
		s.refresh()
		if wizard {
			s.log.Info("not configured yet: opening the setup wizard")
			fyne.Do(func() { s.newWizard(nil).Show() })
		}
		return
	}
	err := s.startLoop(false)
	if errors.Is(err, secrets.ErrWrongPassphrase) {
		// The passphrase another connection's keyring took is not this
		// one's: the second try asks for it.
		err = s.startLoop(false)
	}
	if err != nil {
		s.log.Error("cannot start the sync loop", "err", err)
		s.setError(err)
	}
}

// startLoop (re)builds the engine from the saved configuration and starts
// the scheduler, with a run at once when now is set.
func (s *Shell) startLoop(now bool) error {
	eng, _, err := s.rt.Engine(s.loopCtx)
	if err != nil {
		return err
	}
	var runner engine.Runner = eng
	if s.slots != nil {
		runner = s.slots.Runner(eng)
	}
	sched := &engine.Scheduler{
		Runner:     runner,
		RunAtStart: now,
		Interval:   func() time.Duration { return s.config().Sync.Interval },
		Logger:     s.rt.Logger,
		Progress:   s.onProgress,
		OnRun:      s.onRun,
	}
	s.mu.Lock()
	old := s.sched
	s.eng, s.sched, s.configured, s.loopErr = eng, sched, true, ""
	s.mu.Unlock()
	if old != nil {
		old.Stop()
	}
	if err := sched.Start(s.loopCtx); err != nil {
		return err
	}
	s.count()
	s.refresh()
	return nil
}

// tick refreshes the status every few seconds, so the next run's time and
// the loop's state stay current between runs.
func (s *Shell) tick() {
	defer s.ticking.Done()
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.loopCtx.Done():
			return
		case <-t.C:
			s.refresh()
		}
	}
}

// Stop stops the loop and cancels a run in progress, which ends after the
// requests in flight and is recorded as interrupted; it is the tray's and
// the window's Quit, and runs off the UI goroutine.
func (s *Shell) Stop() {
	s.mu.Lock()
	sched := s.sched
	s.mu.Unlock()
	if sched != nil {
		sched.Stop()
	}
	s.stop()
	s.ticking.Wait()
	s.desk.Wait()
}

func (s *Shell) scheduler() *engine.Scheduler {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sched
}

func (s *Shell) engine() *engine.Engine {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.eng
}

// loopControl is the window's and the tray's handle on the loop.
type loopControl Shell

func (l *loopControl) shell() *Shell { return (*Shell)(l) }

func (l *loopControl) SyncNow() {
	if sched := l.shell().scheduler(); sched != nil {
		sched.SyncNow()
	}
}

func (l *loopControl) Pause() {
	if sched := l.shell().scheduler(); sched != nil {
		sched.Pause()
	}
	l.shell().refresh()
}

func (l *loopControl) Resume() {
	if sched := l.shell().scheduler(); sched != nil {
		sched.Resume()
	}
	l.shell().refresh()
}

func (l *loopControl) Approve(ctx context.Context, runID int64) error {
	eng := l.shell().engine()
	if eng == nil {
		return errors.New("rolesync is not configured yet")
	}
	_, err := eng.Approve(ctx, runID)
	l.shell().refresh()
	return err
}

func (l *loopControl) Reject(ctx context.Context, runID int64) error {
	eng := l.shell().engine()
	if eng == nil {
		return errors.New("rolesync is not configured yet")
	}
	err := eng.Reject(ctx, runID)
	l.shell().refresh()
	return err
}
