package cputime

import (
	"runtime"
	"testing"
	"time"
)

func TestUsedGrowsWithWork(t *testing.T) {
	before := Used()
	if before <= 0 {
		t.Skipf("no processor time on %s", runtime.GOOS)
	}
	// Spin until the clock the kernel keeps (ticks of up to 16 ms) moves.
	x := 0
	for deadline := time.Now().Add(10 * time.Second); Used() == before; {
		for i := range 1_000_000 {
			x += i
		}
		if time.Now().After(deadline) {
			t.Fatalf("10 s of work used no processor time (%d)", x)
		}
	}
	if Used() < before {
		t.Fatal("processor time went backwards")
	}
}
