package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/rolesync/rolesync/internal/engine"
)

// progressEvery is how often the progress line is rewritten at most.
const progressEvery = 250 * time.Millisecond

// syncProgress shows how far a sync is on one line of a terminal, which
// it rewrites: the groups read, then the changes applied of the total and
// their rate since the apply began.
type syncProgress struct {
	w   io.Writer
	now func() time.Time

	mu        sync.Mutex
	applyFrom time.Time // when the apply began
	last      time.Time // when the line was last written
	phase     string    // of the line written last
	shown     bool
}

func newSyncProgress(w io.Writer, now func() time.Time) *syncProgress {
	return &syncProgress{w: w, now: now}
}

// update rewrites the line with pr, at most every progressEvery but for
// the start and the end of a phase.
func (p *syncProgress) update(pr engine.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if pr.Phase == engine.PhaseApply && p.applyFrom.IsZero() {
		p.applyFrom = now
	}
	if pr.Phase == p.phase && pr.Done < pr.Total && now.Sub(p.last) < progressEvery {
		return
	}
	p.last, p.phase = now, pr.Phase
	fmt.Fprintf(p.w, "\r%s\x1b[K", progressText(pr, now.Sub(p.applyFrom)))
	p.shown = true
}

// end clears the line, so that what is printed next starts on a clean one.
func (p *syncProgress) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

// progressText says how far a run is; elapsed is the time since the apply
// began, from which the rate is given once it is a second or more.
func progressText(pr engine.Progress, elapsed time.Duration) string {
	if pr.Phase == engine.PhaseRead {
		return fmt.Sprintf("reading groups: %d of %d", pr.Done, pr.Total)
	}
	s := fmt.Sprintf("applying changes: %d of %d", pr.Done, pr.Total)
	if pr.Total > 0 {
		s += fmt.Sprintf(" (%d%%)", pr.Done*100/pr.Total)
	}
	if elapsed >= time.Second && pr.Done > 0 {
		s += fmt.Sprintf(", %.0f changes/s", float64(pr.Done)/elapsed.Seconds())
	}
	return s
}

// isTerminal says whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
