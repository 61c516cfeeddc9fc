package okta_test

import (
	"context"
	"testing"

	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
)

// TestDeletedUserLeftOkta: a user the System Log names whom Okta deletes
// before the delta read gets to it (GET /api/v1/users/{id} answers 404)
// has left Okta: the read succeeds with the user as StatusDeleted, so the
// sync revokes it, rather than failing the run.
func TestDeletedUserLeftOkta(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulated org")
	}
	sim, c := startSim(t, 60, 6, oktasim.RateLimits{Disabled: true}, func(o *okta.Options) { o.Clock = &skipClock{} })
	org := sim.Org()
	ctx := context.Background()
	refs := allRefs(org)
	prev, err := c.Snapshot(ctx, refs)
	if err != nil {
		t.Fatal(err)
	}
	var victim string
	for id, u := range prev.Users {
		if u.Status == okta.StatusActive {
			victim = id
			break
		}
	}
	if err := org.DeleteUser(victim); err != nil { // deactivates first
		t.Fatal(err)
	}
	// The System Log shows events late, and only once published.
	if err := sim.WaitVisible(ctx); err != nil {
		t.Fatal(err)
	}
	// The deletion completes after the groups were listed, before the
	// user is read: the read by id answers 404.
	if err := sim.InjectFault(oktasim.Fault{PathPrefix: "/api/v1/users/" + victim, Status: 404, Count: 10}); err != nil {
		t.Fatal(err)
	}
	d, err := c.SnapshotDelta(ctx, refs, prev)
	if err != nil {
		t.Fatalf("delta read with a deleted user: %v", err)
	}
	if got := d.Users[victim]; got == nil || got.Status != okta.StatusDeleted || okta.KeepsRoles(got.Status) {
		t.Fatalf("deleted user read as %+v, want status %s", got, okta.StatusDeleted)
	}
}
