package ui

import "testing"

func TestProgressLineGivesTheRate(t *testing.T) {
	p := Progress{GroupsRead: 10, GroupsTotal: 10, ChangesApplied: 1200, ChangesTotal: 50000, ChangesPerSecond: 39.6}
	if got, want := progressLine(p), "10 of 10 groups read, 1200 of 50000 changes applied, 40 changes/s"; got != want {
		t.Fatalf("progressLine = %q, want %q", got, want)
	}
	p.ChangesPerSecond = 0
	if got, want := progressLine(p), "10 of 10 groups read, 1200 of 50000 changes applied"; got != want {
		t.Fatalf("progressLine without a rate = %q, want %q", got, want)
	}
}
