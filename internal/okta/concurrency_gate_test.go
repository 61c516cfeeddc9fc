package okta

import (
	"context"
	"errors"
	"testing"
)

// TestGateLowersParallelism: after a concurrency 429 the gate allows half
// of what was in flight, and no fewer than one.
func TestGateLowersParallelism(t *testing.T) {
	g := newGate()
	ctx := context.Background()
	for range 4 {
		if err := g.acquire(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := g.lower(); n != 2 {
		t.Fatalf("lower with 4 in flight = %d, want 2", n)
	}
	for range 4 {
		g.release()
	}
	for range 2 {
		if err := g.acquire(ctx); err != nil {
			t.Fatal(err)
		}
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if err := g.acquire(done); !errors.Is(err, context.Canceled) {
		t.Fatalf("a third request got through: %v", err)
	}
	if n := g.lower(); n != 1 {
		t.Fatalf("second lower = %d, want 1", n)
	}
	if n := g.lower(); n != 1 {
		t.Fatalf("lower never goes below 1: %d", n)
	}
}
