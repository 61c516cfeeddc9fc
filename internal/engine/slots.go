package engine

import "context"

// DefaultSlots is how many connections one process syncs at a time.
const DefaultSlots = 2

// Slots bounds how many runs of several connections go at once: every
// connection's Runner wrapped by the same Slots waits for a free slot
// before its run starts. Each connection keeps its own lock, so one that
// fails or stalls holds up another only by taking a slot.
type Slots chan struct{}

// NewSlots returns n slots (at least one).
func NewSlots(n int) Slots { return make(Slots, max(n, 1)) }

// Runner returns r limited to these slots.
func (s Slots) Runner(r Runner) Runner { return slotRunner{r: r, slots: s} }

type slotRunner struct {
	r     Runner
	slots Slots
}

func (l slotRunner) Run(ctx context.Context, o RunOptions) (Result, error) {
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	defer func() { <-l.slots }()
	return l.r.Run(ctx, o)
}
