package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
)

// planLosing is a plan of managed users of which losing lose their access.
func planLosing(managed, losing int) *Plan {
	p := &Plan{ManagedUsers: managed}
	for i := range losing {
		p.Changes = append(p.Changes, PlannedChange{UserID: fmt.Sprint(i + 1), OktaID: fmt.Sprintf("00u%d", i),
			User: fmt.Sprintf("u%d@example.com", i), Action: store.ActionRevokeAll, Reason: "left"})
	}
	return p
}

// TestZeroRevocationLimitsAreKept checks that a limit of 0 is a limit of
// none rather than a stand-in for the default: each term of
// max(N, P% of managed users) allows what it says, so both at 0 hold every
// revocation.
func TestZeroRevocationLimitsAreKept(t *testing.T) {
	tests := []struct {
		name            string
		n, pct          int
		managed, losing int
		wantLimit       int
		wantHeld        bool
	}{
		{"both zero hold a single revocation", 0, 0, 100, 1, 0, true},
		{"both zero on a small directory", 0, 0, 3, 1, 0, true},
		{"zero count leaves the percentage", 0, 50, 10, 5, 5, false},
		{"zero count, over the percentage", 0, 50, 10, 6, 5, true},
		{"zero percentage leaves the count", 5, 0, 100, 6, 5, true},
		{"zero percentage, at the count", 5, 0, 100, 5, 5, false},
		{"defaults", defaultLimits.MaxRevocations, defaultLimits.MaxRevocationPercent, 100, 20, 20, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := planLosing(tc.managed, tc.losing)
			holdOverThreshold(p, Safety{MaxRevocations: tc.n, MaxRevocationPercent: tc.pct})
			if p.RevocationLimit != tc.wantLimit {
				t.Errorf("limit %d, want %d", p.RevocationLimit, tc.wantLimit)
			}
			if held := len(p.Held) > 0; held != tc.wantHeld || (held && (len(p.Held) != tc.losing || len(p.Changes) != 0)) {
				t.Fatalf("held %d, applied %d of %d revocations; want held=%v for all of them", len(p.Held), len(p.Changes), tc.losing, tc.wantHeld)
			}
		})
	}
}

// TestZeroLimitsHoldARunsRevocation runs a sync with both limits at 0: the
// one user who left is held for approval, and the newcomer is still made.
func TestZeroLimitsHoldARunsRevocation(t *testing.T) {
	o := newOrg().user("new", StatusActive, "Ops")
	m := newMemEnv(t, o, nil, synced("gone", "Read Only"))
	m.cfg.Safety.MaxRevocations, m.cfg.Safety.MaxRevocationPercent = 0, 0
	res, err := m.eng.Run(context.Background(), RunOptions{})
	if err != nil || res.Status != store.StatusHeld || res.Held != 1 || res.Revoked != 0 || res.Created != 1 {
		t.Fatalf("Run = %+v, %v; want gone's revocation held and new created", res, err)
	}
	if u := m.tgt.users["1"]; !u.Active || len(u.Roles) != 1 {
		t.Fatalf("gone is %+v after the run, want untouched", u)
	}
}
