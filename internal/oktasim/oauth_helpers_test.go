package oktasim

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// Keys for the OAuth tests, generated once.
var (
	oauthKeysOnce               sync.Once
	oauthRSA                    *rsa.PrivateKey
	oauthEC, oauthEC2, oauthEC3 *ecdsa.PrivateKey
)

func oauthKeys(t testing.TB) {
	t.Helper()
	oauthKeysOnce.Do(func() {
		oauthRSA, _ = rsa.GenerateKey(rand.Reader, 2048)
		oauthEC, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		oauthEC2, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		oauthEC3, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	})
	if oauthRSA == nil || oauthEC == nil || oauthEC2 == nil || oauthEC3 == nil {
		t.Fatal("key generation failed")
	}
}

// oauthStart starts a small simulated org with rate limits off.
func oauthStart(t testing.TB) *Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	opts := Options{Users: 30, Groups: 4, Seed: 3}
	opts.RateLimits.Disabled = true
	sim, err := Start(ctx, opts)
	if err != nil {
		cancel()
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { cancel(); _ = sim.Close() })
	return sim
}

// publicJWK renders a public key as the JWK registered with an app.
func publicJWK(t testing.TB, key crypto.Signer, kid string) []byte {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKey{Key: key.Public(), KeyID: kid, Use: "sig"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func methodFor(key crypto.Signer) jwt.SigningMethod {
	if _, ok := key.(*rsa.PrivateKey); ok {
		return jwt.SigningMethodRS256
	}
	return jwt.SigningMethodES256
}

// signJWT signs claims with key under the given header members.
func signJWT(t testing.TB, key crypto.Signer, header map[string]any, claims jwt.MapClaims) string {
	t.Helper()
	tk := jwt.NewWithClaims(methodFor(key), claims)
	for k, v := range header {
		tk.Header[k] = v
	}
	s, err := tk.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func jti() string { return rand.Text() }

// assertionClaimsFor are valid client-assertion claims.
func assertionClaimsFor(sim *Server, clientID string, now time.Time) jwt.MapClaims {
	return jwt.MapClaims{"iss": clientID, "sub": clientID, "aud": sim.URL() + "/oauth2/v1/token",
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "jti": jti()}
}

// dpopProof signs a DPoP proof with key; edit may change header and claims.
func dpopProof(t testing.TB, key crypto.Signer, method, htu, nonce, accessToken string, now time.Time, edit func(h map[string]any, c jwt.MapClaims)) string {
	t.Helper()
	var jwk map[string]any
	_ = json.Unmarshal(publicJWK(t, key, ""), &jwk)
	h := map[string]any{"typ": "dpop+jwt", "jwk": jwk}
	c := jwt.MapClaims{"htm": method, "htu": htu, "iat": now.Unix(), "jti": jti()}
	if nonce != "" {
		c["nonce"] = nonce
	}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		c["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	if edit != nil {
		edit(h, c)
	}
	return signJWT(t, key, h, c)
}

type oauthResp struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func (r oauthResp) str(k string) string { s, _ := r.body[k].(string); return s }

// oauthDo sends a request; auth and dpop are optional header values.
func oauthDo(t testing.TB, sim *Server, method, path string, body io.Reader, contentType, auth, dpop string) oauthResp {
	t.Helper()
	req, err := http.NewRequest(method, sim.URL()+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if dpop != "" {
		req.Header.Set("DPoP", dpop)
	}
	resp, err := sim.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := oauthResp{status: resp.StatusCode, header: resp.Header, raw: raw}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

// tokenRequest posts a client-credentials request with an assertion.
func tokenRequest(t testing.TB, sim *Server, assertion, scope, dpop string) oauthResp {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {scope},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}}
	if assertion != "" {
		form.Set("client_assertion", assertion)
	}
	return oauthDo(t, sim, http.MethodPost, "/oauth2/v1/token", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded", "", dpop)
}

// oauthApp registers a service app with key (kid "k1"), the groups scope and
// the Read-only Administrator role.
func oauthApp(t testing.TB, sim *Server, key crypto.Signer, dpop bool) string {
	t.Helper()
	id, err := sim.CreateServiceApp(ServiceApp{Label: "rolesync", DPoP: dpop,
		PublicKeys: [][]byte{publicJWK(t, key, "k1")}, Scopes: []string{"okta.groups.read"}, Roles: []string{"READ_ONLY_ADMIN"}})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// dpopToken obtains a DPoP-bound token, answering the nonce challenge.
func dpopToken(t testing.TB, sim *Server, clientID string, key, dpopKey crypto.Signer, now time.Time) string {
	t.Helper()
	htu := sim.URL() + "/oauth2/v1/token"
	r := tokenRequest(t, sim, signJWT(t, key, map[string]any{"kid": "k1"}, assertionClaimsFor(sim, clientID, now)), "okta.groups.read",
		dpopProof(t, dpopKey, "POST", htu, "", "", now, nil))
	if r.status != 400 || r.str("error") != "use_dpop_nonce" || r.header.Get("DPoP-Nonce") == "" {
		t.Fatalf("first DPoP token request: %d %s, want 400 use_dpop_nonce with a nonce", r.status, r.raw)
	}
	r = tokenRequest(t, sim, signJWT(t, key, map[string]any{"kid": "k1"}, assertionClaimsFor(sim, clientID, now)), "okta.groups.read",
		dpopProof(t, dpopKey, "POST", htu, r.header.Get("DPoP-Nonce"), "", now, nil))
	if r.status != 200 || r.str("token_type") != "DPoP" {
		t.Fatalf("DPoP token request: %d %s", r.status, r.raw)
	}
	return r.str("access_token")
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
