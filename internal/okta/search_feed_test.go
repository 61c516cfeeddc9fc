package okta_test

import (
	"context"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
)

// TestUsersSearchFeedCatchesLateChanges: without okta.logs.read the delta
// read searches users on lastUpdated. Okta's search shows a change late; a
// suspension the search did not show yet must be caught by a later run,
// minutes later on the local clock, because the search starts from the
// newest lastUpdated Okta returned (less a generous overlap), not from the
// clock. Each snapshot names the feed it was read with.
func TestUsersSearchFeedCatchesLateChanges(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulated org")
	}
	clock := &skipClock{}
	sim, c := startSim(t, 60, 6, oktasim.RateLimits{Disabled: true}, func(o *okta.Options) { o.Clock = clock })
	org := sim.Org()
	ctx := context.Background()
	refs := allRefs(org)
	prev, err := c.Snapshot(ctx, refs)
	if err != nil {
		t.Fatal(err)
	}
	if prev.Feed != okta.FeedFull || prev.SearchMark.IsZero() {
		t.Fatalf("full read: feed %q, mark %v", prev.Feed, prev.SearchMark)
	}
	// No okta.logs.read: the delta reads fall to the users search.
	if err := sim.InjectFault(oktasim.Fault{PathPrefix: "/api/v1/logs", Status: 403}); err != nil {
		t.Fatal(err)
	}
	var victim string
	for id, u := range prev.Users {
		if u.Status == okta.StatusActive {
			victim = id
			break
		}
	}
	if err := org.Lifecycle(victim, oktasim.LifecycleSuspend); err != nil {
		t.Fatal(err)
	}
	sim.SetSearchLag(time.Hour) // the search does not show the suspension yet
	_ = clock.Sleep(ctx, 5*time.Minute)
	d1, err := c.SnapshotDelta(ctx, refs, prev)
	if err != nil {
		t.Fatal(err)
	}
	if d1.Feed != okta.FeedUsersSearch {
		t.Fatalf("delta feed %q, want %q", d1.Feed, okta.FeedUsersSearch)
	}
	sim.SetSearchLag(0) // the search index caught up
	_ = clock.Sleep(ctx, 5*time.Minute)
	d2, err := c.SnapshotDelta(ctx, refs, d1)
	if err != nil {
		t.Fatal(err)
	}
	if got := d2.Users[victim].Status; got != okta.StatusSuspended {
		t.Fatalf("a suspension the search showed late was missed: status %s", got)
	}
	if d2.SearchMark.Before(d1.SearchMark) {
		t.Fatalf("the mark went back: %v after %v", d2.SearchMark, d1.SearchMark)
	}
}
