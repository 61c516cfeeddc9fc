package oktasim

import (
	"strconv"
	"testing"
	"time"
)

// A used jti stays refused however many others follow it, expired ones are
// forgotten by the sweeps, and the sweeps run rarely: a long run of proofs
// must not scan every remembered jti for each new one.
func TestUsedJTIsAreRememberedAndSweptRarely(t *testing.T) {
	a := newAuthority()
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	if !a.useJTI("dpop", "first", t0) {
		t.Fatal("a new jti was refused")
	}
	sweeps, last := 0, 0
	for i := range 3 * minJTISweep {
		if !a.useJTI("dpop", strconv.Itoa(i), t0.Add(time.Millisecond)) {
			t.Fatalf("jti %d refused", i)
		}
		if a.jtiSweep != last {
			sweeps, last = sweeps+1, a.jtiSweep
		}
	}
	if a.useJTI("dpop", "first", t0.Add(time.Second)) {
		t.Fatal("a replayed jti was accepted after many others")
	}
	if sweeps > 2 {
		t.Fatalf("%d sweeps for %d proofs, want at most 2 (the threshold doubles)", sweeps, 3*minJTISweep)
	}
	later := t0.Add(jtiMemory + time.Minute)
	for i := range a.jtiSweep - len(a.jtis) + 1 {
		a.useJTI("assertion", "late"+strconv.Itoa(i), later)
	}
	if _, ok := a.jtis["dpop:first"]; ok {
		t.Fatal("an expired jti was kept past the sweep")
	}
	if !a.useJTI("dpop", "first", later) {
		t.Fatal("an expired jti was still refused")
	}
}
