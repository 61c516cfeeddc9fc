package oktasim

import (
	"crypto"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestTokenEndpointClientAssertions(t *testing.T) {
	oauthKeys(t)
	sim := oauthStart(t)
	client := oauthApp(t, sim, oauthRSA, false)
	now := time.Now()
	good := func() jwt.MapClaims { return assertionClaimsFor(sim, client, now) }
	kid := map[string]any{"kid": "k1"}
	reused := signJWT(t, oauthRSA, kid, good())
	if r := tokenRequest(t, sim, reused, "okta.groups.read", ""); r.status != 200 || r.str("token_type") != "Bearer" {
		t.Fatalf("valid assertion: %d %s", r.status, r.raw)
	}
	noJTI := signJWT(t, oauthRSA, kid, func() jwt.MapClaims { c := good(); delete(c, "jti"); return c }())
	if r := tokenRequest(t, sim, noJTI, "okta.groups.read", ""); r.status != 200 { // jti is optional in Okta
		t.Fatalf("assertion without jti: %d %s", r.status, r.raw)
	}
	for _, tc := range []struct {
		name      string
		assertion string
		status    int
		code      string
		desc      string
	}{
		{"missing client credentials", "", 401, "invalid_client", "No client credentials found"},
		{"invalid audience", signJWT(t, oauthRSA, kid, func() jwt.MapClaims { c := good(); c["aud"] = sim.URL() + "/oauth2/default/v1/token"; return c }()), 401, "invalid_client", "audience claim"},
		{"expired", signJWT(t, oauthRSA, kid, func() jwt.MapClaims { c := good(); c["exp"] = now.Add(-2 * time.Minute).Unix(); return c }()), 401, "invalid_client", "is expired"},
		{"too far in the future", signJWT(t, oauthRSA, kid, func() jwt.MapClaims { c := good(); c["exp"] = now.Add(2 * time.Hour).Unix(); return c }()), 401, "invalid_client", "too far in the future"},
		{"issued in the future", signJWT(t, oauthRSA, kid, func() jwt.MapClaims { c := good(); c["iat"] = now.Add(10 * time.Minute).Unix(); return c }()), 401, "invalid_client", "issued too far in the future"},
		{"jti already used", reused, 401, "invalid_client", "already been used"},
		{"invalid signature", signJWT(t, oauthEC2, map[string]any{"kid": "k1"}, good()), 401, "invalid_client", "signature is invalid"},
		{"unknown kid", signJWT(t, oauthRSA, map[string]any{"kid": "nope"}, good()), 401, "invalid_client", "'kid'"},
		{"unknown client", signJWT(t, oauthRSA, kid, func() jwt.MapClaims { c := good(); c["iss"], c["sub"] = "0oaunknown", "0oaunknown"; return c }()), 401, "invalid_client", "Client authentication failed"},
		{"sub differs from iss", signJWT(t, oauthRSA, kid, func() jwt.MapClaims { c := good(); c["sub"] = "someone"; return c }()), 401, "invalid_client", "'iss' and 'sub'"},
		{"not a JWT", "garbage", 401, "invalid_client", "not a valid JWT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tokenRequest(t, sim, tc.assertion, "okta.groups.read", "")
			if r.status != tc.status || r.str("error") != tc.code || !strings.Contains(r.str("error_description"), tc.desc) {
				t.Fatalf("got %d %s; want %d %s with %q", r.status, r.raw, tc.status, tc.code, tc.desc)
			}
		})
	}
}

func TestTokenEndpointScopesAndGrant(t *testing.T) {
	oauthKeys(t)
	sim := oauthStart(t)
	client := oauthApp(t, sim, oauthEC, false)
	bare, err := sim.CreateServiceApp(ServiceApp{Label: "no grants", PublicKeys: [][]byte{publicJWK(t, oauthEC, "k1")}})
	if err != nil {
		t.Fatal(err)
	}
	secretApp, err := sim.CreateServiceApp(ServiceApp{Label: "secret", AuthMethod: "client_secret_basic", PublicKeys: [][]byte{publicJWK(t, oauthEC, "k1")}, Scopes: []string{"okta.groups.read"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, client, scope, code, desc string
	}{
		{"no scope requested", client, "", "invalid_scope", "No scopes were requested"},
		{"scope not granted", client, "okta.groups.read okta.users.manage", "invalid_scope", "okta.users.manage"},
		{"app without grants", bare, "okta.groups.read", "invalid_scope", "scope"},
		{"app not set to private_key_jwt", secretApp, "okta.groups.read", "invalid_client", "Public key / Private key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tokenRequest(t, sim, signJWT(t, oauthEC, map[string]any{"kid": "k1"}, assertionClaimsFor(sim, tc.client, time.Now())), tc.scope, "")
			if r.str("error") != tc.code || !strings.Contains(r.str("error_description"), tc.desc) {
				t.Fatalf("got %d %s; want %s with %q", r.status, r.raw, tc.code, tc.desc)
			}
		})
	}
	t.Run("unsupported grant type", func(t *testing.T) {
		r := oauthDo(t, sim, "POST", "/oauth2/v1/token", strings.NewReader("grant_type=password&client_assertion=x"), "application/x-www-form-urlencoded", "", "")
		if r.status != 400 || r.str("error") != "unsupported_grant_type" {
			t.Fatalf("got %d %s", r.status, r.raw)
		}
	})
}

func TestTokenEndpointDPoPProofs(t *testing.T) {
	oauthKeys(t)
	sim := oauthStart(t)
	client := oauthApp(t, sim, oauthRSA, true)
	plain := oauthApp(t, sim, oauthEC3, false)
	now := time.Now()
	htu := sim.URL() + "/oauth2/v1/token"
	first := tokenRequest(t, sim, signJWT(t, oauthRSA, map[string]any{"kid": "k1"}, assertionClaimsFor(sim, client, now)), "okta.groups.read",
		dpopProof(t, oauthEC, "POST", htu, "", "", now, nil))
	nonce := first.header.Get("DPoP-Nonce")
	if first.status != 400 || first.str("error") != "use_dpop_nonce" || nonce == "" {
		t.Fatalf("proof without nonce: %d %s, want use_dpop_nonce with a DPoP-Nonce header", first.status, first.raw)
	}
	replayed := dpopProof(t, oauthEC, "POST", htu, nonce, "", now, nil)
	if r := tokenRequest(t, sim, signJWT(t, oauthRSA, map[string]any{"kid": "k1"}, assertionClaimsFor(sim, client, now)), "okta.groups.read", replayed); r.status != 200 || r.str("token_type") != "DPoP" {
		t.Fatalf("valid proof: %d %s", r.status, r.raw)
	}
	// Okta accepts a proof signed with the client authentication key.
	if r := tokenRequest(t, sim, signJWT(t, oauthRSA, map[string]any{"kid": "k1"}, assertionClaimsFor(sim, client, now)), "okta.groups.read",
		dpopProof(t, oauthRSA, "POST", htu, nonce, "", now, nil)); r.status != 200 || r.str("token_type") != "DPoP" {
		t.Fatalf("proof signed with the client key: %d %s", r.status, r.raw)
	}
	proof := func(edit func(h map[string]any, c jwt.MapClaims)) string {
		return dpopProof(t, oauthEC, "POST", htu, nonce, "", now, edit)
	}
	for _, tc := range []struct {
		name   string
		client string
		proof  string
		desc   string
	}{
		{"missing proof", client, "", "header is missing"},
		{"proof for an app without DPoP", plain, proof(nil), "not expected"},
		{"wrong typ", client, proof(func(h map[string]any, _ jwt.MapClaims) { h["typ"] = "JWT" }), "'typ'"},
		{"no jwk", client, proof(func(h map[string]any, _ jwt.MapClaims) { delete(h, "jwk") }), "'jwk'"},
		{"private jwk", client, proof(func(h map[string]any, _ jwt.MapClaims) {
			j := h["jwk"].(map[string]any)
			j["d"] = "AAAA"
		}), "'jwk'"},
		{"jwk of another key", client, proof(func(h map[string]any, _ jwt.MapClaims) {
			var other map[string]any
			_ = jsonUnmarshal(publicJWK(t, oauthEC2, ""), &other)
			h["jwk"] = other
		}), "signature is invalid"},
		{"wrong htm", client, proof(func(_ map[string]any, c jwt.MapClaims) { c["htm"] = "GET" }), "'htm'"},
		{"wrong htu", client, proof(func(_ map[string]any, c jwt.MapClaims) { c["htu"] = sim.URL() + "/oauth2/v1/authorize" }), "'htu'"},
		{"htu with query", client, proof(func(_ map[string]any, c jwt.MapClaims) { c["htu"] = htu + "?x=1" }), "'htu'"},
		{"stale iat", client, proof(func(_ map[string]any, c jwt.MapClaims) { c["iat"] = now.Add(-10 * time.Minute).Unix() }), "'iat'"},
		{"future iat", client, proof(func(_ map[string]any, c jwt.MapClaims) { c["iat"] = now.Add(10 * time.Minute).Unix() }), "'iat'"},
		{"jti replayed", client, replayed, "'jti'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var key crypto.Signer = oauthRSA
			if tc.client == plain {
				key = oauthEC3
			}
			r := tokenRequest(t, sim, signJWT(t, key, map[string]any{"kid": "k1"}, assertionClaimsFor(sim, tc.client, now)), "okta.groups.read", tc.proof)
			checkDPoPError(t, r, tc.desc)
		})
	}
}

func checkDPoPError(t *testing.T, r oauthResp, desc string) {
	t.Helper()
	if r.status != 400 || r.str("error") != "invalid_dpop_proof" || !strings.Contains(r.str("error_description"), desc) {
		t.Fatalf("got %d %s; want 400 invalid_dpop_proof with %q", r.status, r.raw, desc)
	}
}
