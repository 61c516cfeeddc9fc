package okta_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
)

// TestTokenRequestRetried: a 429 or a 5xx at /oauth2/v1/token is retried
// like any API call (after the rate-limit reset or a backoff, on the
// client's clock), not a failed read.
func TestTokenRequestRetried(t *testing.T) {
	simKeys(t)
	sim := authSim(t, 40, 3)
	ctx := context.Background()
	for _, dpop := range []bool{false, true} {
		app := registerApp(t, sim, dpop, simClientEC)
		cfg := okta.ScopedConfig{Domain: sim.URL(), ClientID: app, Key: simClientEC.Signer, KeyID: simClientEC.KeyID}
		if dpop {
			cfg.DPoPKey = simDPoPEC.Signer
		}
		clock := &skipClock{}
		c, err := okta.NewClient(okta.Options{Domain: sim.URL(), CAFile: sim.CAFile(), Clock: clock,
			Auth: func(base http.RoundTripper) http.RoundTripper { return okta.ScopedTransport(cfg, base) }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		for _, status := range []int{429, 503} {
			if err := sim.InjectFault(oktasim.Fault{PathPrefix: "/oauth2/v1/token", Status: status}); err != nil {
				t.Fatal(err)
			}
		}
		issued := sim.TokensIssued()
		if _, err := c.ListGroups(ctx, okta.ListGroupsOptions{Limit: 1}); err != nil {
			t.Fatalf("dpop %v: a 429 then a 503 at the token endpoint: %v", dpop, err)
		}
		if n := sim.TokensIssued() - issued; n != 1 {
			t.Fatalf("dpop %v: %d tokens issued, want 1", dpop, n)
		}
		if clock.skippedTime() == 0 {
			t.Fatalf("dpop %v: the retries did not wait", dpop)
		}
	}
}
