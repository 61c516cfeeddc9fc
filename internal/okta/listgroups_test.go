package okta_test

import (
	"context"
	"testing"

	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
)

func TestAllGroupsListsEveryGroupWithItsMemberCount(t *testing.T) {
	sim, c := startSim(t, 500, 120, oktasim.RateLimits{}, nil)
	groups, err := c.ListGroups(context.Background(), okta.ListGroupsOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	org := sim.Org()
	if want := len(org.Groups()); len(groups) != want {
		t.Fatalf("ListGroups(All) returned %d groups, the org has %d", len(groups), want)
	}
	for _, g := range groups {
		if want := len(org.Members(g.ID)); g.Members != want {
			t.Errorf("group %s (%s): %d members, want %d", g.Name, g.ID, g.Members, want)
		}
	}
}
