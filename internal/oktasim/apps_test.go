package oktasim

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestAppsAPIRegistersAServiceApp(t *testing.T) {
	oauthKeys(t)
	sim := oauthStart(t)
	ssws := "SSWS " + sim.APIToken()
	post := func(path, body, auth string) oauthResp {
		return oauthDo(t, sim, "POST", path, strings.NewReader(body), "application/json", auth, "")
	}
	app := post("/api/v1/apps", `{"name":"oidc_client","label":"rolesync","signOnMode":"OPENID_CONNECT",
		"credentials":{"oauthClient":{"token_endpoint_auth_method":"private_key_jwt"}},
		"settings":{"oauthClient":{"application_type":"service","grant_types":["client_credentials"],"response_types":["token"],"dpop_bound_access_tokens":false}}}`, ssws)
	if app.status != 200 {
		t.Fatalf("create app: %d %s", app.status, app.raw)
	}
	id := app.str("id")
	creds, _ := app.body["credentials"].(map[string]any)
	oc, _ := creds["oauthClient"].(map[string]any)
	if id == "" || oc["client_id"] != id || oc["token_endpoint_auth_method"] != "private_key_jwt" {
		t.Fatalf("app body: %s", app.raw)
	}
	// Before a key, a scope and a role are added, the app cannot get a token.
	assertion := func() string {
		return signJWT(t, oauthEC, map[string]any{"kid": "k1"}, assertionClaimsFor(sim, id, time.Now()))
	}
	if r := tokenRequest(t, sim, assertion(), "okta.groups.read", ""); r.str("error") != "invalid_client" {
		t.Fatalf("token before a key is added: %d %s", r.status, r.raw)
	}
	key := post("/api/v1/apps/"+id+"/credentials/jwks", string(publicJWK(t, oauthEC, "k1")), ssws)
	if key.status != 201 || key.str("kid") != "k1" || key.str("status") != "ACTIVE" || !strings.HasPrefix(key.str("id"), "pks") {
		t.Fatalf("add key: %d %s", key.status, key.raw)
	}
	if r := tokenRequest(t, sim, assertion(), "okta.groups.read", ""); r.str("error") != "invalid_scope" {
		t.Fatalf("token before the scope is granted: %d %s", r.status, r.raw)
	}
	grant := post("/api/v1/apps/"+id+"/grants", `{"issuer":"`+sim.URL()+`","scopeId":"okta.groups.read"}`, ssws)
	if grant.status != 201 || grant.str("scopeId") != "okta.groups.read" || grant.str("clientId") != id {
		t.Fatalf("grant: %d %s", grant.status, grant.raw)
	}
	tok := tokenRequest(t, sim, assertion(), "okta.groups.read", "")
	if tok.status != 200 {
		t.Fatalf("token: %d %s", tok.status, tok.raw)
	}
	if r := oauthDo(t, sim, "GET", "/api/v1/groups", nil, "", "Bearer "+tok.str("access_token"), ""); r.status != 403 || r.str("errorCode") != "E0000006" {
		t.Fatalf("groups before a role is assigned: %d %s", r.status, r.raw)
	}
	role := post("/oauth2/v1/clients/"+id+"/roles", `{"type":"READ_ONLY_ADMIN"}`, ssws)
	if role.status != 200 || role.str("label") != "Read-only Administrator" || role.str("assignmentType") != "CLIENT" {
		t.Fatalf("assign role: %d %s", role.status, role.raw)
	}
	if r := oauthDo(t, sim, "GET", "/api/v1/groups", nil, "", "Bearer "+tok.str("access_token"), ""); r.status != 200 {
		t.Fatalf("groups with the role: %d %s", r.status, r.raw)
	}
	for _, list := range []string{"/api/v1/apps/" + id + "/credentials/jwks", "/api/v1/apps/" + id + "/grants", "/oauth2/v1/clients/" + id + "/roles"} {
		r := oauthDo(t, sim, "GET", list, nil, "", ssws, "")
		var items []any
		if r.status != 200 || json.Unmarshal(r.raw, &items) != nil || len(items) != 1 {
			t.Errorf("GET %s: %d %s", list, r.status, r.raw)
		}
	}
}

func TestAppsAPIRefusals(t *testing.T) {
	oauthKeys(t)
	sim := oauthStart(t)
	ssws := "SSWS " + sim.APIToken()
	id := oauthApp(t, sim, oauthEC, false)
	privateJWK, _ := json.Marshal(map[string]string{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "d": "AA", "kid": "x"})
	for _, tc := range []struct {
		name, path, body, auth string
		status                 int
		code, cause            string
	}{
		{"no API token", "/api/v1/apps", `{}`, "", 401, "E0000011", ""},
		{"not a service app", "/api/v1/apps", `{"name":"bookmark","label":"x","signOnMode":"BOOKMARK"}`, ssws, 400, "E0000001", "signOnMode"},
		{"private key material", "/api/v1/apps/" + id + "/credentials/jwks", string(privateJWK), ssws, 400, "E0000001", "private key"},
		{"duplicate kid", "/api/v1/apps/" + id + "/credentials/jwks", string(publicJWK(t, oauthEC2, "k1")), ssws, 400, "E0000001", "already exists"},
		{"key without kid", "/api/v1/apps/" + id + "/credentials/jwks", string(publicJWK(t, oauthEC2, "")), ssws, 400, "E0000001", "kid"},
		{"unknown app", "/api/v1/apps/0oanope/grants", `{"issuer":"x","scopeId":"okta.groups.read"}`, ssws, 404, "E0000007", ""},
		{"grant with a foreign issuer", "/api/v1/apps/" + id + "/grants", `{"issuer":"https://other.okta.com","scopeId":"okta.groups.read"}`, ssws, 400, "E0000001", "issuer"},
		{"unknown role", "/oauth2/v1/clients/" + id + "/roles", `{"type":"KING"}`, ssws, 400, "E0000001", "KING"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := oauthDo(t, sim, "POST", tc.path, strings.NewReader(tc.body), "application/json", tc.auth, "")
			if r.status != tc.status || r.str("errorCode") != tc.code || !bytes.Contains(r.raw, []byte(tc.cause)) {
				t.Fatalf("got %d %s; want %d %s mentioning %q", r.status, r.raw, tc.status, tc.code, tc.cause)
			}
		})
	}
}
