package okta_test

import (
	"context"
	"errors"
	"testing"

	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
)

// TestTransientLogs403FailsTheReadAndIsNotRemembered: a 403 E0000005 on
// the System Log fails the delta read, without falling
// back to the users search nor remembering the scope as missing, so the
// next run reads the log again.
func TestTransientLogs403FailsTheReadAndIsNotRemembered(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulated org")
	}
	clock := &skipClock{}
	sim, c := startSim(t, 60, 6, oktasim.RateLimits{Disabled: true}, func(o *okta.Options) { o.Clock = clock })
	ctx := context.Background()
	refs := allRefs(sim.Org())
	prev, err := c.Snapshot(ctx, refs)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.InjectFault(oktasim.Fault{PathPrefix: "/api/v1/logs", Status: 403, Code: "E0000005", Summary: "Invalid session"}); err != nil {
		t.Fatal(err)
	}
	_, err = c.SnapshotDelta(ctx, refs, prev)
	var ae *okta.APIError
	if err == nil || errors.Is(err, okta.ErrNoChangeFeed) || !errors.As(err, &ae) || ae.Code != "E0000005" {
		t.Fatalf("delta read after a transient 403: %v, want the E0000005 error", err)
	}
	// The log is read again: a failing log now fails the read too.
	if err := sim.InjectFault(oktasim.Fault{PathPrefix: "/api/v1/logs", Status: 500, Count: 100}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SnapshotDelta(ctx, refs, prev); err == nil {
		t.Fatal("the second delta read did not read the System Log: the transient 403 was remembered as a missing scope")
	}
	sim.ClearFaults()
	if _, err := c.SnapshotDelta(ctx, refs, prev); err != nil {
		t.Fatal(err)
	}
	// A real lack of scope (E0000006) still drops to the users search.
	if err := sim.InjectFault(oktasim.Fault{PathPrefix: "/api/v1/logs", Status: 403}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SnapshotDelta(ctx, refs, prev); err != nil {
		t.Fatalf("with E0000006 on the log: %v, want the users search", err)
	}
}
