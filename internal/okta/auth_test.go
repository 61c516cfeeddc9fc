package okta

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Test keys, generated once: RSA generation is slow.
var (
	testKeysOnce       sync.Once
	testRSA            *rsa.PrivateKey
	testEC, testECDPoP *ecdsa.PrivateKey
	testRSADPoP        *rsa.PrivateKey
)

func testKeys(t testing.TB) {
	t.Helper()
	testKeysOnce.Do(func() {
		testRSA, _ = rsa.GenerateKey(rand.Reader, 2048)
		testRSADPoP, _ = rsa.GenerateKey(rand.Reader, 2048)
		testEC, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		testECDPoP, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	})
	if testRSA == nil || testRSADPoP == nil || testEC == nil || testECDPoP == nil {
		t.Fatal("test key generation failed")
	}
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type authCase struct {
	name    string
	key     crypto.Signer
	dpopKey crypto.Signer
	scheme  string
}

func authCases(t *testing.T) []authCase {
	testKeys(t)
	return []authCase{
		{"scoped RS256", testRSA, nil, "Bearer"},
		{"scoped ES256", testEC, nil, "Bearer"},
		{"DPoP with ES256 proofs", testRSA, testECDPoP, "DPoP"},
		{"DPoP with RS256 proofs", testEC, testRSADPoP, "DPoP"},
	}
}

func newScopedClient(f *fakeOkta, key, dpopKey crypto.Signer, now func() time.Time) *http.Client {
	base := f.srv.Client().Transport
	return &http.Client{Transport: ScopedTransport(ScopedConfig{
		Domain: f.srv.URL, ClientID: "0oaclient", Key: key, KeyID: "kid-1",
		DPoPKey: dpopKey, Now: now,
	}, base)}
}

func get(t *testing.T, c *http.Client, url string) int {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestScopedTransportAuthenticates(t *testing.T) {
	for _, tc := range authCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeOkta(t, "0oaclient", "kid-1", tc.key.Public(), tc.dpopKey != nil)
			c := newScopedClient(f, tc.key, tc.dpopKey, nil)
			for i := 0; i < 3; i++ {
				if code := get(t, c, f.srv.URL+"/api/v1/groups?limit=1&q=a%20b"); code != 200 {
					t.Fatalf("call %d: status %d", i, code)
				}
			}
			fetches, calls := f.counts()
			if fetches != 1 || calls != 3 {
				t.Errorf("token fetches %d, API calls %d; want 1 and 3", fetches, calls)
			}
			if f.lastAuth != tc.scheme {
				t.Errorf("Authorization scheme %q, want %q", f.lastAuth, tc.scheme)
			}
		})
	}
}

func TestScopedTransportDPoPNonces(t *testing.T) {
	testKeys(t)
	f := newFakeOkta(t, "0oaclient", "kid-1", testRSA.Public(), true)
	f.tokenNonce, f.apiNonce = "token-nonce-1", "api-nonce-1"
	c := newScopedClient(f, testRSA, testECDPoP, nil)
	if code := get(t, c, f.srv.URL+"/api/v1/groups"); code != 200 {
		t.Fatalf("status %d after nonce challenges", code)
	}
	// The server rotates its nonce: the client answers the new challenge.
	f.mu.Lock()
	f.apiNonce = "api-nonce-2"
	f.mu.Unlock()
	if code := get(t, c, f.srv.URL+"/api/v1/groups/00g1/users"); code != 200 {
		t.Fatalf("status %d after nonce rotation", code)
	}
	if fetches, calls := f.counts(); fetches != 1 || calls != 4 {
		t.Errorf("token fetches %d, API calls %d; want 1 and 4 (two challenged calls)", fetches, calls)
	}
}

func TestScopedTransportSendsTheTokenNonceOnTheFirstCall(t *testing.T) {
	testKeys(t)
	tests := []struct {
		name      string
		apiNonce  string
		wantCalls int
	}{
		{name: "resource server takes the token endpoint's nonce", apiNonce: "shared-nonce", wantCalls: 1},
		{name: "resource server with a nonce of its own", apiNonce: "api-nonce", wantCalls: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeOkta(t, "0oaclient", "kid-1", testRSA.Public(), true)
			f.tokenNonce, f.apiNonce = "shared-nonce", tc.apiNonce
			c := newScopedClient(f, testRSA, testECDPoP, nil)
			if code := get(t, c, f.srv.URL+"/api/v1/groups"); code != 200 {
				t.Fatalf("status %d", code)
			}
			if fetches, calls := f.counts(); fetches != 1 || calls != tc.wantCalls {
				t.Errorf("token fetches %d, API calls %d; want 1 and %d", fetches, calls, tc.wantCalls)
			}
		})
	}
}

func TestScopedTransportCachesUntilAMinuteBeforeExpiry(t *testing.T) {
	testKeys(t)
	clock := &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	f := newFakeOkta(t, "0oaclient", "kid-1", testEC.Public(), true)
	f.now = clock.Now
	c := newScopedClient(f, testEC, testECDPoP, clock.Now)
	for _, step := range []struct {
		name    string
		advance time.Duration
		fetches int
	}{
		{"first call fetches", 0, 1},
		{"58 minutes later the token is reused", 58 * time.Minute, 1},
		{"within its last minute a new one is fetched", 90 * time.Second, 2},
		{"the new one is reused", 10 * time.Minute, 2},
	} {
		t.Run(step.name, func(t *testing.T) {
			clock.Add(step.advance)
			if code := get(t, c, f.srv.URL+"/api/v1/groups"); code != 200 {
				t.Fatalf("status %d", code)
			}
			if n, _ := f.counts(); n != step.fetches {
				t.Errorf("token fetches %d, want %d", n, step.fetches)
			}
		})
	}
}

func TestScopedTransportRefetchesAfter401AndReplaysBody(t *testing.T) {
	for _, tc := range authCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeOkta(t, "0oaclient", "kid-1", tc.key.Public(), tc.dpopKey != nil)
			c := newScopedClient(f, tc.key, tc.dpopKey, nil)
			get(t, c, f.srv.URL+"/api/v1/groups")
			f.mu.Lock()
			f.revokeAll = true
			f.mu.Unlock()
			resp, err := c.Post(f.srv.URL+"/api/v1/groups", "application/json", strings.NewReader(`{"profile":{"name":"x"}}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || f.lastBody != `{"profile":{"name":"x"}}` {
				t.Fatalf("status %d, body seen %q; want 200 and the replayed body", resp.StatusCode, f.lastBody)
			}
			if n, _ := f.counts(); n != 2 {
				t.Errorf("token fetches %d, want 2", n)
			}
		})
	}
}

// onceReader is a body that cannot be replayed.
type onceReader struct{ io.Reader }

func TestScopedTransportDoesNotRetryUnreplayableBody(t *testing.T) {
	testKeys(t)
	f := newFakeOkta(t, "0oaclient", "kid-1", testRSA.Public(), false)
	c := newScopedClient(f, testRSA, nil, nil)
	get(t, c, f.srv.URL+"/api/v1/groups")
	f.mu.Lock()
	f.revokeAll = true
	f.mu.Unlock()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/api/v1/groups", onceReader{strings.NewReader("{}")})
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("status %d, want the 401 passed through", resp.StatusCode)
	}
}

func TestScopedTransportTokenErrors(t *testing.T) {
	testKeys(t)
	seen := map[string]bool{}
	for _, tc := range []struct {
		name     string
		dpopApp  bool
		dpopKey  crypto.Signer
		kid      string
		inject   *TokenError
		wantCode string
		wantFix  string
	}{
		{"wrong kid", false, nil, "other-kid", nil, "invalid_client", "Key ID (kid)"},
		{"app requires DPoP", true, nil, "kid-1", nil, "invalid_dpop_proof", "choose Scoped DPoP Okta Token"},
		{"app does not expect DPoP", false, testECDPoP, "kid-1", nil, "invalid_dpop_proof", "choose Scoped Okta Token"},
		{"scope not granted", false, nil, "kid-1", &TokenError{StatusCode: 400, Code: "invalid_scope", Description: "The following scopes are not allowed: okta.groups.read"}, "invalid_scope", "Okta API Scopes tab"},
		{"audience", false, nil, "kid-1", &TokenError{StatusCode: 401, Code: "invalid_client", Description: "The audience claim for client_assertion must be the endpoint invoked for the request."}, "invalid_client", "org URL itself"},
		{"clock", false, nil, "kid-1", &TokenError{StatusCode: 401, Code: "invalid_client", Description: "The client_assertion token is expired."}, "invalid_client", "clock is off"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeOkta(t, "0oaclient", tc.kid, testRSA.Public(), tc.dpopApp)
			f.tokenErr = tc.inject
			c := newScopedClient(f, testRSA, tc.dpopKey, nil)
			_, err := c.Get(f.srv.URL + "/api/v1/groups")
			var te *TokenError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a *TokenError", err)
			}
			if te.Code != tc.wantCode || !strings.Contains(te.Error(), tc.wantFix) {
				t.Errorf("error %q; want code %s and advice containing %q", te.Error(), tc.wantCode, tc.wantFix)
			}
			if strings.Contains(te.Error(), "eyJ") {
				t.Errorf("error shows a JWT: %q", te.Error())
			}
			if seen[te.Fix()] {
				t.Errorf("advice %q repeats another case's", te.Fix())
			}
			seen[te.Fix()] = true
			if _, calls := f.counts(); calls != 0 {
				t.Errorf("%d API calls made without a token", calls)
			}
		})
	}
}

func TestScopedTransportRefusesBadConfig(t *testing.T) {
	testKeys(t)
	for _, tc := range []struct {
		name string
		cfg  ScopedConfig
		want string
	}{
		{"http domain", ScopedConfig{Domain: "http://x.okta.com", ClientID: "c", Key: testRSA, KeyID: "k"}, "must use https"},
		{"domain with path", ScopedConfig{Domain: "https://x.okta.com/oauth2/default", ClientID: "c", Key: testRSA, KeyID: "k"}, "has a path"},
		{"no client ID", ScopedConfig{Domain: "https://x.okta.com", Key: testRSA, KeyID: "k"}, "client ID is empty"},
		{"no key", ScopedConfig{Domain: "https://x.okta.com", ClientID: "c", KeyID: "k"}, "no private key"},
		{"no kid", ScopedConfig{Domain: "https://x.okta.com", ClientID: "c", Key: testRSA}, "key ID (kid) is empty"},
		{"same key for DPoP", ScopedConfig{Domain: "https://x.okta.com", ClientID: "c", Key: testEC, KeyID: "k", DPoPKey: testEC}, "same as the client authentication key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := ScopedTransport(tc.cfg, http.DefaultTransport)
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "https://127.0.0.1:1/api/v1/groups", nil)
			_, err := rt.RoundTrip(req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestScopedTransportSharesOneTokenAcrossGoroutines(t *testing.T) {
	testKeys(t)
	f := newFakeOkta(t, "0oaclient", "kid-1", testRSA.Public(), true)
	f.tokenNonce, f.apiNonce = "tn", "an"
	c := newScopedClient(f, testRSA, testECDPoP, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				resp, err := c.Get(f.srv.URL + "/api/v1/groups")
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- fmt.Errorf("status %d", resp.StatusCode)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n, _ := f.counts(); n != 1 {
		t.Errorf("%d token fetches, want 1 shared by all goroutines", n)
	}
	if s := fmt.Sprint(c.Transport); strings.Contains(s, "tok-") {
		t.Errorf("printing the transport shows the token: %s", s)
	}
}
