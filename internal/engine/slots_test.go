package engine

import (
	"context"
	"testing"
)

// Connections share slots: with one slot, a stalled run holds it and the
// other connection's run waits for it.
func TestSlotsHoldOnePerRun(t *testing.T) {
	slots := NewSlots(1)
	started, release := make(chan struct{}), make(chan struct{})
	stall := slots.Runner(runnerFunc(func(context.Context) { close(started); <-release }))
	quick := slots.Runner(runnerFunc(func(context.Context) {}))
	go stall.Run(context.Background(), RunOptions{})
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := quick.Run(ctx, RunOptions{}); err == nil {
		t.Error("a run got a slot the stalled run holds")
	}
	close(release)
	if _, err := quick.Run(context.Background(), RunOptions{}); err != nil {
		t.Errorf("the slot was not given back: %v", err)
	}
}

func TestNewSlotsHasAtLeastOne(t *testing.T) {
	if n := cap(NewSlots(0)); n != 1 {
		t.Errorf("NewSlots(0) has %d slots, want 1", n)
	}
}

type runnerFunc func(context.Context)

func (f runnerFunc) Run(ctx context.Context, _ RunOptions) (Result, error) {
	f(ctx)
	return Result{}, nil
}
