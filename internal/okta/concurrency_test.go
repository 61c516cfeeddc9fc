package okta_test

import (
	"context"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
)

// TestConcurrency429BacksOffBriefly: a 429 from Okta's concurrent-request
// limit, whose headers describe the concurrency limit, costs a brief
// backoff; its figures are not taken for the route's bucket, so neither
// that request nor the next waits for their reset a minute away.
func TestConcurrency429BacksOffBriefly(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulated org")
	}
	clock := &skipClock{}
	sim, c := startSim(t, 40, 4, oktasim.RateLimits{}, func(o *okta.Options) { o.Clock = clock })
	ctx := context.Background()
	for _, ft := range []oktasim.Fault{
		{PathPrefix: "/api/v1/groups", Concurrency: true},
		// The headers alone: Okta's message is not always that clear.
		{PathPrefix: "/api/v1/groups", Concurrency: true, Summary: "API call exceeded rate limit due to too many requests."},
	} {
		if _, err := c.ListGroups(ctx, okta.ListGroupsOptions{Limit: 1}); err != nil { // learns the bucket
			t.Fatal(err)
		}
		if err := sim.InjectFault(ft); err != nil {
			t.Fatal(err)
		}
		before := clock.skippedTime()
		if _, err := c.ListGroups(ctx, okta.ListGroupsOptions{Limit: 1}); err != nil {
			t.Fatalf("after a concurrency 429: %v", err)
		}
		if _, err := c.ListGroups(ctx, okta.ListGroupsOptions{Limit: 1}); err != nil {
			t.Fatal(err)
		}
		if waited := clock.skippedTime() - before; waited > 10*time.Second {
			t.Fatalf("%q: waited %s after a concurrency 429, want a brief backoff", ft.Summary, waited)
		}
	}
}
