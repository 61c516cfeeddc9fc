package shell

import (
	"testing"
	"time"
)

func TestRateFromTheApplysStart(t *testing.T) {
	var r rate
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	if got := r.at(0, t0); got != 0 {
		t.Fatalf("rate at the start = %v, want 0", got)
	}
	if got := r.at(40, t0.Add(500*time.Millisecond)); got != 0 {
		t.Fatalf("rate before a second = %v, want 0", got)
	}
	if got := r.at(300, t0.Add(2*time.Second)); got != 150 {
		t.Fatalf("rate after 2 s and 300 changes = %v, want 150", got)
	}
}
