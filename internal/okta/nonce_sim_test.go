package okta_test

import (
	"context"
	"sync"
	"testing"

	"github.com/rolesync/rolesync/internal/okta"
)

// memNonces is a NonceCache in memory.
type memNonces struct {
	mu    sync.Mutex
	nonce string
	saves int
}

func (m *memNonces) DPoPNonce() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.nonce
}

func (m *memNonces) SetDPoPNonce(n string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nonce, m.saves = n, m.saves+1
}

// TestDPoPNonceCacheSavesTheNonceRetry: the connection test saves the token
// endpoint's nonce; a client that starts with it gets its token in one
// call, where a client without it spends one more on use_dpop_nonce; a
// stale nonce costs only that retry and is replaced.
func TestDPoPNonceCacheSavesTheNonceRetry(t *testing.T) {
	simKeys(t)
	sim := authSim(t, 40, 3)
	ctx := context.Background()
	app := registerApp(t, sim, true, simClientEC)
	cache := &memNonces{nonce: "a nonce the test must not use"}
	checks := okta.TestConnection(ctx, okta.ConnConfig{Domain: sim.URL(), Transport: simBase(t, sim), Auth: okta.AuthScopedDPoP,
		ClientID: app, Key: simClientEC.Signer, KeyID: simClientEC.KeyID, DPoPKey: simDPoPEC.Signer, Nonces: cache})
	if f := okta.FirstFailure(checks); f != nil {
		t.Fatalf("%s failed: %s", f.Name, f.Detail)
	}
	if cache.saves == 0 || cache.nonce == "a nonce the test must not use" {
		t.Fatalf("the connection test saved no nonce: %+v", cache)
	}
	// calls is the requests of a token fetch and one API call.
	calls := func(nonces okta.NonceCache) int {
		t.Helper()
		c, err := okta.NewClient(okta.Options{Domain: sim.URL(), Transport: okta.ScopedTransport(okta.ScopedConfig{Domain: sim.URL(),
			ClientID: app, Key: simClientEC.Signer, KeyID: simClientEC.KeyID, DPoPKey: simDPoPEC.Signer, Nonces: nonces}, simBase(t, sim))})
		if err != nil {
			t.Fatal(err)
		}
		before := sim.Requests()
		if _, err := c.ListGroups(ctx, okta.ListGroupsOptions{Limit: 1}); err != nil {
			t.Fatal(err)
		}
		return sim.Requests() - before
	}
	if n := calls(cache); n != 2 {
		t.Fatalf("with the saved nonce: %d requests, want 2 (token, API call)", n)
	}
	if n := calls(nil); n != 3 {
		t.Fatalf("without a nonce cache: %d requests, want 3 (token, nonce retry, API call)", n)
	}
	sim.RotateDPoPNonce()
	sim.RotateDPoPNonce() // the saved nonce is neither current nor previous
	stale := cache.DPoPNonce()
	if n := calls(cache); n != 3 {
		t.Fatalf("with a stale nonce: %d requests, want 3", n)
	}
	if cache.DPoPNonce() == stale {
		t.Fatal("the stale nonce was not replaced")
	}
	if n := calls(cache); n != 2 {
		t.Fatalf("after the retry saved the new nonce: %d requests, want 2", n)
	}
}
