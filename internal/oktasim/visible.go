package oktasim

import (
	"context"
	"time"
)

// VisibleAt returns the time from which every write made to the org so far
// shows in the users search and in the System Log: the last write's time
// plus the longer of the search lag and the log delay (the zero time when
// the org has had no write). A test that has just changed the org waits for
// it (WaitVisible) rather than for a guessed time, so that a slow machine
// does not make it flaky.
func (s *Server) VisibleAt() time.Time {
	o := s.org
	o.mu.RLock()
	last := o.last
	o.mu.RUnlock()
	if last.IsZero() {
		return last
	}
	lag := max(time.Duration(s.searchLag.Load()), time.Duration(s.logDelay.Load()))
	return last.Add(lag)
}

// WaitVisible waits until VisibleAt, on the org's clock, or until ctx is
// done, and returns ctx's error in the second case.
func (s *Server) WaitVisible(ctx context.Context) error {
	for {
		d := s.VisibleAt().Sub(s.org.now())
		if d < 0 {
			return nil
		}
		// Past the last write's time plus the lag: the comparisons
		// the routes make hold from then on.
		t := time.NewTimer(d + time.Millisecond)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}
