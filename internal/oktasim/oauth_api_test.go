package oktasim

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// testClock is a settable clock for token expiry.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestAPIChecksBearerTokens(t *testing.T) {
	oauthKeys(t)
	sim := oauthStart(t)
	clock := &testClock{t: time.Now()}
	sim.SetOAuthClock(clock.now)
	admin := oauthApp(t, sim, oauthEC, false)
	noRole, err := sim.CreateServiceApp(ServiceApp{Label: "no role", PublicKeys: [][]byte{publicJWK(t, oauthEC, "k1")}, Scopes: []string{"okta.groups.read", "okta.users.read"}})
	if err != nil {
		t.Fatal(err)
	}
	usersOnly, err := sim.CreateServiceApp(ServiceApp{Label: "users", PublicKeys: [][]byte{publicJWK(t, oauthEC, "k1")}, Scopes: []string{"okta.users.read"}, Roles: []string{"READ_ONLY_ADMIN"}})
	if err != nil {
		t.Fatal(err)
	}
	reportOnly, err := sim.CreateServiceApp(ServiceApp{Label: "reports", PublicKeys: [][]byte{publicJWK(t, oauthEC, "k1")}, Scopes: []string{"okta.groups.read", "okta.logs.read"}, Roles: []string{"REPORT_ADMIN"}})
	if err != nil {
		t.Fatal(err)
	}
	tok := func(client, scope string) string {
		r := tokenRequest(t, sim, signJWT(t, oauthEC, map[string]any{"kid": "k1"}, assertionClaimsFor(sim, client, clock.now())), scope, "")
		if r.status != 200 {
			t.Fatalf("token: %d %s", r.status, r.raw)
		}
		return r.str("access_token")
	}
	adminTok := tok(admin, "okta.groups.read")
	for _, tc := range []struct {
		name, path, auth string
		status           int
		code             string
	}{
		{"admin app reads groups", "/api/v1/groups?limit=2", "Bearer " + adminTok, 200, ""},
		{"no admin role", "/api/v1/groups", "Bearer " + tok(noRole, "okta.groups.read"), 403, "E0000006"},
		{"a role without group read", "/api/v1/groups", "Bearer " + tok(reportOnly, "okta.groups.read okta.logs.read"), 403, "E0000006"},
		{"that role reads the System Log", "/api/v1/logs", "Bearer " + tok(reportOnly, "okta.groups.read okta.logs.read"), 200, ""},
		{"scope not granted for the route", "/api/v1/groups", "Bearer " + tok(usersOnly, "okta.users.read"), 403, "E0000006"},
		{"unknown token", "/api/v1/groups", "Bearer not-a-token", 401, "E0000011"},
		{"Bearer token sent as DPoP", "/api/v1/groups", "DPoP " + adminTok, 401, "E0000011"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := oauthDo(t, sim, "GET", tc.path, nil, "", tc.auth, "")
			if r.status != tc.status || tc.code != "" && r.str("errorCode") != tc.code {
				t.Fatalf("got %d %s; want %d %s", r.status, r.raw, tc.status, tc.code)
			}
		})
	}
	t.Run("token expires after an hour", func(t *testing.T) {
		clock.add(TokenLifetime - time.Second)
		if r := oauthDo(t, sim, "GET", "/api/v1/groups", nil, "", "Bearer "+adminTok, ""); r.status != 200 {
			t.Fatalf("just before expiry: %d %s", r.status, r.raw)
		}
		clock.add(2 * time.Second)
		r := oauthDo(t, sim, "GET", "/api/v1/groups", nil, "", "Bearer "+adminTok, "")
		if r.status != 401 || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Fatalf("after expiry: %d %s %q", r.status, r.raw, r.header.Get("WWW-Authenticate"))
		}
	})
}

func TestAPIChecksDPoPProofs(t *testing.T) {
	oauthKeys(t)
	sim := oauthStart(t)
	client := oauthApp(t, sim, oauthRSA, true)
	now := time.Now()
	tok := dpopToken(t, sim, client, oauthRSA, oauthEC, now)
	groups := sim.URL() + "/api/v1/groups"
	// Okta's APIs take a proof without a nonce; a resource server that
	// requires one challenges the first call, with 400 as Okta answers
	// DPoP failures.
	if r := oauthDo(t, sim, "GET", "/api/v1/groups?limit=1", nil, "", "DPoP "+tok, dpopProof(t, oauthEC, "GET", groups, "", tok, now, nil)); r.status != 200 {
		t.Fatalf("call without nonce by default: %d %s", r.status, r.raw)
	}
	sim.RequireAPINonce(true)
	r := oauthDo(t, sim, "GET", "/api/v1/groups", nil, "", "DPoP "+tok, dpopProof(t, oauthEC, "GET", groups, "", tok, now, nil))
	nonce := r.header.Get("DPoP-Nonce")
	if r.status != 400 || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="use_dpop_nonce"`) || nonce == "" {
		t.Fatalf("call without nonce: %d %q", r.status, r.header.Get("WWW-Authenticate"))
	}
	if r := oauthDo(t, sim, "GET", "/api/v1/groups?limit=1", nil, "", "DPoP "+tok, dpopProof(t, oauthEC, "GET", groups, nonce, tok, now, nil)); r.status != 200 {
		t.Fatalf("valid call: %d %s", r.status, r.raw)
	}
	for _, tc := range []struct {
		name, auth, proof, want string
	}{
		{"DPoP token sent as Bearer", "Bearer " + tok, dpopProof(t, oauthEC, "GET", groups, nonce, tok, now, nil), "invalid_token"},
		{"no proof", "DPoP " + tok, "", "invalid_dpop_proof"},
		{"wrong ath", "DPoP " + tok, dpopProof(t, oauthEC, "GET", groups, nonce, "other-token", now, nil), "invalid_dpop_proof"},
		{"proof without ath", "DPoP " + tok, dpopProof(t, oauthEC, "GET", groups, nonce, "", now, nil), "invalid_dpop_proof"},
		{"proof from another key (cnf.jkt)", "DPoP " + tok, dpopProof(t, oauthEC2, "GET", groups, nonce, tok, now, nil), "invalid_dpop_proof"},
		{"wrong htu", "DPoP " + tok, dpopProof(t, oauthEC, "GET", sim.URL()+"/api/v1/users", nonce, tok, now, nil), "invalid_dpop_proof"},
		{"wrong htm", "DPoP " + tok, dpopProof(t, oauthEC, "POST", groups, nonce, tok, now, nil), "invalid_dpop_proof"},
		{"stale nonce", "DPoP " + tok, dpopProof(t, oauthEC, "GET", groups, "old", tok, now, nil), "use_dpop_nonce"},
		{"stale iat", "DPoP " + tok, dpopProof(t, oauthEC, "GET", groups, nonce, tok, now, func(_ map[string]any, c jwt.MapClaims) {
			c["iat"] = now.Add(-time.Hour).Unix()
		}), "invalid_dpop_proof"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := oauthDo(t, sim, "GET", "/api/v1/groups", nil, "", tc.auth, tc.proof)
			status := 400 // a DPoP failure, as Okta answers it
			if tc.want == "invalid_token" {
				status = 401
			}
			if r.status != status || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="`+tc.want+`"`) {
				t.Fatalf("got %d %q; want %d with %s", r.status, r.header.Get("WWW-Authenticate"), status, tc.want)
			}
		})
	}
	t.Run("previous nonce stays valid for one rotation", func(t *testing.T) {
		sim.RotateDPoPNonce()
		if r := oauthDo(t, sim, "GET", "/api/v1/groups", nil, "", "DPoP "+tok, dpopProof(t, oauthEC, "GET", groups, nonce, tok, now, nil)); r.status != 200 {
			t.Fatalf("after one rotation: %d %s", r.status, r.raw)
		}
		sim.RotateDPoPNonce()
		if r := oauthDo(t, sim, "GET", "/api/v1/groups", nil, "", "DPoP "+tok, dpopProof(t, oauthEC, "GET", groups, nonce, tok, now, nil)); r.status != 400 {
			t.Fatalf("after two rotations: %d, want 400 use_dpop_nonce", r.status)
		}
	})
}
