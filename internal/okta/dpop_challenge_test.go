package okta_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
)

// TestDPoPChallengeOn400: Okta answers DPoP failures on API calls with 400
// and a WWW-Authenticate: DPoP challenge, sometimes with an empty body. A
// use_dpop_nonce challenge is answered once with the new nonce; another
// DPoP error fails with the doctor's advice rather than a bare HTTP 400.
func TestDPoPChallengeOn400(t *testing.T) {
	simKeys(t)
	sim := authSim(t, 40, 3)
	ctx := context.Background()
	app := registerApp(t, sim, true, simClientEC)
	c, err := okta.NewClient(okta.Options{Domain: sim.URL(), Transport: okta.ScopedTransport(okta.ScopedConfig{Domain: sim.URL(),
		ClientID: app, Key: simClientEC.Signer, KeyID: simClientEC.KeyID, DPoPKey: simDPoPEC.Signer}, simBase(t, sim))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListGroups(ctx, okta.ListGroupsOptions{Limit: 1}); err != nil {
		t.Fatal(err)
	}

	sim.RequireAPINonce(true)
	sim.RotateDPoPNonce()
	sim.RotateDPoPNonce() // the client's nonce is now stale: 400 use_dpop_nonce
	before := sim.Requests()
	if _, err := c.ListGroups(ctx, okta.ListGroupsOptions{Limit: 1}); err != nil {
		t.Fatalf("after a 400 use_dpop_nonce challenge: %v", err)
	}
	if n := sim.Requests() - before; n != 2 {
		t.Fatalf("%d requests, want 2 (the challenge and its retry)", n)
	}

	if err := sim.InjectFault(oktasim.Fault{PathPrefix: "/api/v1/groups", Status: 400, EmptyBody: true,
		WWWAuthenticate: `DPoP algs="ES256", error="invalid_dpop_proof", error_description="The DPoP proof JWT has expired."`}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListGroups(ctx, okta.ListGroupsOptions{Limit: 1})
	var ae *okta.APIError
	if !errors.As(err, &ae) || ae.Code != "invalid_dpop_proof" || ae.Summary != "The DPoP proof JWT has expired." ||
		!strings.Contains(err.Error(), "check this computer's clock") {
		t.Fatalf("a 400 DPoP challenge with an empty body: %v, want invalid_dpop_proof with the doctor's advice", err)
	}
}
