package okta_test

import (
	"context"
	"testing"

	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
)

// TestGroupListingShrinksOnFailure: when the large group listings (limit
// 10,000 with expand=stats) keep failing with a 5xx while smaller pages get
// through, the listing is read again at 200 a page, and the snapshot and
// the delta read are complete.
func TestGroupListingShrinksOnFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulated org")
	}
	clock := &skipClock{}
	sim, c := startSim(t, 300, 30, oktasim.RateLimits{Disabled: true}, func(o *okta.Options) { o.Clock = clock })
	org := sim.Org()
	refs := allRefs(org)
	ctx := context.Background()
	if err := sim.InjectFault(oktasim.Fault{PathPrefix: "/api/v1/groups", Status: 504, MinLimit: 5000, Count: 1000}); err != nil {
		t.Fatal(err)
	}
	s, err := c.Snapshot(ctx, refs)
	if err != nil {
		t.Fatalf("snapshot with failing large group pages: %v", err)
	}
	checkAgainstOrg(t, s, org, refs)
	d, err := c.SnapshotDelta(ctx, refs, s)
	if err != nil {
		t.Fatalf("delta with failing large group pages: %v", err)
	}
	checkAgainstOrg(t, d, org, refs)
	all, err := c.ListGroups(ctx, okta.ListGroupsOptions{All: true})
	if err != nil || len(all) != len(org.Groups()) {
		t.Fatalf("all groups: %d, %v; the org has %d", len(all), err, len(org.Groups()))
	}
}
