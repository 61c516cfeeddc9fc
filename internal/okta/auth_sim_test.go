package okta_test

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/rolesync/rolesync/internal/keys"
	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
)

// Key pairs for the simulator tests, generated once.
var (
	simKeysOnce               sync.Once
	simClientRSA, simClientEC *keys.Pair
	simDPoPEC, simDPoPEC2     *keys.Pair
	simKeysErr                error
)

func simKeys(tb testing.TB) {
	tb.Helper()
	simKeysOnce.Do(func() {
		gen := func(alg string, bits int) *keys.Pair {
			p, err := keys.Generate(alg, bits)
			if err != nil {
				simKeysErr = err
			}
			return p
		}
		simClientRSA, simClientEC = gen(keys.RS256, 2048), gen(keys.ES256, 0)
		simDPoPEC, simDPoPEC2 = gen(keys.ES256, 0), gen(keys.ES256, 0)
	})
	if simKeysErr != nil {
		tb.Fatal(simKeysErr)
	}
}

// authSim starts a simulated org with Workforce rate limits.
func authSim(tb testing.TB, users, groups int) *oktasim.Server {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	opts := oktasim.Options{Users: users, Groups: groups, Seed: 11}
	sim, err := oktasim.Start(ctx, opts)
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cancel(); _ = sim.Close() })
	return sim
}

// simEndpoint is a running simulator, in this process (*oktasim.Server) or
// in another one.
type simEndpoint interface {
	URL() string
	CAFile() string
	APIToken() string
}

// simBase is a transport that trusts the simulator; its idle connections
// are closed before the simulator shuts down.
func simBase(tb testing.TB, sim simEndpoint) *http.Transport {
	tb.Helper()
	tr, err := okta.NewBaseTransport(sim.CAFile(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(tr.CloseIdleConnections)
	return tr
}

// registerApp creates a service app through the Apps API with the admin API
// token, as an admin would in the Admin Console, and returns its client ID.
func registerApp(tb testing.TB, sim simEndpoint, dpop bool, pub *keys.Pair) string {
	tb.Helper()
	c := &http.Client{Transport: simBase(tb, sim)}
	post := func(path, body string, want int) map[string]any {
		req, _ := http.NewRequest(http.MethodPost, sim.URL()+path, strings.NewReader(body))
		req.Header.Set("Authorization", "SSWS "+sim.APIToken())
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			tb.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			tb.Fatalf("POST %s: %d %s", path, resp.StatusCode, raw)
		}
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return out
	}
	dp := "false"
	if dpop {
		dp = "true"
	}
	app := post("/api/v1/apps", `{"name":"oidc_client","label":"rolesync","signOnMode":"OPENID_CONNECT",
		"credentials":{"oauthClient":{"token_endpoint_auth_method":"private_key_jwt"}},
		"settings":{"oauthClient":{"application_type":"service","grant_types":["client_credentials"],"response_types":["token"],"dpop_bound_access_tokens":`+dp+`}}}`, 200)
	id, _ := app["id"].(string)
	jwk, err := pub.PublicJWK()
	if err != nil {
		tb.Fatal(err)
	}
	post("/api/v1/apps/"+id+"/credentials/jwks", string(jwk), 201)
	post("/api/v1/apps/"+id+"/grants", `{"issuer":"`+sim.URL()+`","scopeId":"okta.groups.read"}`, 201)
	post("/oauth2/v1/clients/"+id+"/roles", `{"type":"READ_ONLY_ADMIN"}`, 200)
	return id
}

func scopedClient(tb testing.TB, sim *oktasim.Server, clientID string, key *keys.Pair, dpop crypto.Signer) *okta.Client {
	tb.Helper()
	base := simBase(tb, sim)
	c, err := okta.NewClient(okta.Options{Domain: sim.URL(),
		Transport: okta.ScopedTransport(okta.ScopedConfig{Domain: sim.URL(), ClientID: clientID, Key: key.Signer, KeyID: key.KeyID, DPoPKey: dpop}, base)})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func apiTokenClient(tb testing.TB, sim *oktasim.Server) *okta.Client {
	tb.Helper()
	c, err := okta.NewClient(okta.Options{Domain: sim.URL(), Transport: okta.APITokenTransport(sim.APIToken(), simBase(tb, sim))})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// membership flattens a snapshot to group name -> sorted member logins.
func membership(s *okta.Snapshot) map[string][]string {
	out := map[string][]string{}
	for _, g := range s.Groups {
		var logins []string
		for _, id := range g.MemberIDs {
			logins = append(logins, s.Users[id].Login)
		}
		slices.Sort(logins)
		out[g.Name] = logins
	}
	return out
}

func TestAllThreeModesReadTheSameGroups(t *testing.T) {
	simKeys(t)
	sim := authSim(t, 400, 12)
	var refs []string
	for _, g := range sim.Org().Groups() {
		refs = append(refs, g.Name)
	}
	ctx := context.Background()
	want, err := apiTokenClient(t, sim).Snapshot(ctx, refs)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Users) == 0 {
		t.Fatal("the simulated org has no members to compare")
	}
	for _, tc := range []struct {
		name string
		key  *keys.Pair
		dpop *keys.Pair
	}{
		{"Scoped Okta Token, RSA key", simClientRSA, nil},
		{"Scoped Okta Token, EC key", simClientEC, nil},
		{"Scoped DPoP Okta Token", simClientRSA, simDPoPEC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var dpopSigner crypto.Signer
			if tc.dpop != nil {
				dpopSigner = tc.dpop.Signer
			}
			before := sim.TokensIssued()
			id := registerApp(t, sim, tc.dpop != nil, tc.key)
			got, err := scopedClient(t, sim, id, tc.key, dpopSigner).Snapshot(ctx, refs)
			if err != nil {
				t.Fatal(err)
			}
			if !equalMembership(membership(got), membership(want)) {
				t.Fatalf("membership differs from the API-token read")
			}
			if n := sim.TokensIssued() - before; n != 1 {
				t.Errorf("%d tokens issued for one snapshot, want 1", n)
			}
		})
	}
}

func equalMembership(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestOktaPrivateJWKPastedInAuthenticates(t *testing.T) {
	simKeys(t)
	sim := authSim(t, 50, 3)
	// Okta's "Generate new key" shows the private key as a JWK with an
	// Okta-assigned kid; the admin registers its public half and pastes
	// the private JWK into rolesync.
	oktaJWK, err := json.Marshal(jose.JSONWebKey{Key: simClientRSA.Signer, KeyID: "okta-generated-kid", Algorithm: "RS256", Use: "sig"})
	if err != nil {
		t.Fatal(err)
	}
	pasted, err := keys.ParsePrivate(oktaJWK)
	if err != nil {
		t.Fatal(err)
	}
	dpopPasted, err := keys.ParsePrivate(must(simDPoPEC2.PrivatePEM()))
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.Distinct(pasted, dpopPasted); err != nil {
		t.Fatal(err)
	}
	if pasted.KeyID != "okta-generated-kid" {
		t.Fatalf("kid = %q, want Okta's", pasted.KeyID)
	}
	id := registerApp(t, sim, true, pasted)
	groups, err := scopedClient(t, sim, id, pasted, dpopPasted.Signer).ListGroups(context.Background(), okta.ListGroupsOptions{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) == 0 {
		t.Fatal("no groups read")
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestConnectionAgainstSimulator(t *testing.T) {
	simKeys(t)
	sim := authSim(t, 40, 3)
	ctx := context.Background()
	dpopApp := registerApp(t, sim, true, simClientEC)
	noRole, err := sim.CreateServiceApp(oktasim.ServiceApp{Label: "no role", PublicKeys: [][]byte{must(simClientRSA.PublicJWK())}, Scopes: []string{"okta.groups.read"}})
	if err != nil {
		t.Fatal(err)
	}
	base := func(t *testing.T) http.RoundTripper { return simBase(t, sim) }
	for _, tc := range []struct {
		name   string
		cfg    okta.ConnConfig
		failed string
	}{
		{"API token", okta.ConnConfig{Auth: okta.AuthAPIToken, APIToken: sim.APIToken()}, ""},
		{"Scoped DPoP Okta Token", okta.ConnConfig{Auth: okta.AuthScopedDPoP, ClientID: dpopApp, Key: simClientEC.Signer, KeyID: simClientEC.KeyID, DPoPKey: simDPoPEC.Signer}, ""},
		{"DPoP app, Scoped Okta Token chosen", okta.ConnConfig{Auth: okta.AuthScoped, ClientID: dpopApp, Key: simClientEC.Signer, KeyID: simClientEC.KeyID}, okta.CheckToken},
		{"app without an admin role", okta.ConnConfig{Auth: okta.AuthScoped, ClientID: noRole, Key: simClientRSA.Signer, KeyID: simClientRSA.KeyID}, okta.CheckAdminRole},
		{"wrong kid", okta.ConnConfig{Auth: okta.AuthScopedDPoP, ClientID: dpopApp, Key: simClientEC.Signer, KeyID: "stale", DPoPKey: simDPoPEC.Signer}, okta.CheckToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Domain, tc.cfg.Transport = sim.URL(), base(t)
			checks := okta.TestConnection(ctx, tc.cfg)
			f := okta.FirstFailure(checks)
			switch {
			case tc.failed == "" && f != nil:
				t.Fatalf("%s failed: %s; %s", f.Name, f.Detail, f.Fix)
			case tc.failed != "" && (f == nil || f.Name != tc.failed):
				t.Fatalf("first failure %+v, want %s", f, tc.failed)
			}
			if f != nil && bytes.Contains([]byte(f.Detail+f.Fix), []byte(sim.APIToken())) {
				t.Fatal("the API token leaked into the checklist")
			}
		})
	}
}
