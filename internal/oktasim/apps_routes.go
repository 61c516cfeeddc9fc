package oktasim

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// Apps API routes, in the shapes of Okta's Management API:
//
//	POST /api/v1/apps                              create an OIDC service app
//	GET  /api/v1/apps/{appId}                      read it
//	POST /api/v1/apps/{appId}/credentials/jwks     add a public key
//	GET  /api/v1/apps/{appId}/credentials/jwks     list its keys
//	POST /api/v1/apps/{appId}/grants               grant an Okta API scope
//	GET  /api/v1/apps/{appId}/grants               list the grants
//	POST /oauth2/v1/clients/{clientId}/roles       assign an admin role
//	GET  /oauth2/v1/clients/{clientId}/roles       list the roles
func (s *Server) appsRoutes() {
	s.handle("POST /api/v1/apps", scopeAppsManage, s.createAppRoute)
	s.handle("GET /api/v1/apps/{appId}", scopeAppsManage, s.appRoute(func(w http.ResponseWriter, r *http.Request, app *serviceApp) {
		writeJSONValue(w, http.StatusOK, s.renderApp(r, app))
	}))
	s.handle("POST /api/v1/apps/{appId}/credentials/jwks", scopeAppsManage, s.appRoute(s.addJWKRoute))
	s.handle("GET /api/v1/apps/{appId}/credentials/jwks", scopeAppsManage, s.appRoute(func(w http.ResponseWriter, r *http.Request, app *serviceApp) {
		out := []any{}
		for _, k := range app.keys {
			out = append(out, renderKey(r, app, k))
		}
		writeJSONValue(w, http.StatusOK, out)
	}))
	s.handle("POST /api/v1/apps/{appId}/grants", scopeAppsManage, s.appRoute(s.grantRoute))
	s.handle("GET /api/v1/apps/{appId}/grants", scopeAppsManage, s.appRoute(func(w http.ResponseWriter, r *http.Request, app *serviceApp) {
		out := []any{}
		for _, g := range app.grants {
			out = append(out, renderGrant(r, app, g))
		}
		writeJSONValue(w, http.StatusOK, out)
	}))
	s.handle("POST /oauth2/v1/clients/{clientId}/roles", scopeRolesManage, s.appRoute(s.assignRoleRoute))
	s.handle("GET /oauth2/v1/clients/{clientId}/roles", scopeRolesManage, s.appRoute(func(w http.ResponseWriter, r *http.Request, app *serviceApp) {
		out := []any{}
		for _, role := range app.roles {
			out = append(out, renderRole(r, app, role))
		}
		writeJSONValue(w, http.StatusOK, out)
	}))
}

func writeJSONValue(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, &apiError{status: 500, code: codeInternal, summary: "Internal Server Error"})
		return
	}
	writeJSON(w, status, b)
}

// appRoute resolves {appId} or {clientId} and holds the apps lock while h
// runs.
func (s *Server) appRoute(h func(http.ResponseWriter, *http.Request, *serviceApp)) func(http.ResponseWriter, *http.Request, *principal) {
	return func(w http.ResponseWriter, r *http.Request, _ *principal) {
		id := r.PathValue("appId")
		if id == "" {
			id = r.PathValue("clientId")
		}
		a := s.authority().apps
		a.mu.Lock()
		defer a.mu.Unlock()
		app := a.byID[id]
		if app == nil {
			writeError(w, errNotFound(id, "AppInstance"))
			return
		}
		h(w, r, app)
	}
}

func readJSON(r *http.Request, v any) *apiError {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || json.Unmarshal(body, v) != nil {
		return errValidation("the request body is not valid JSON")
	}
	return nil
}

// createAppRequest is the part of Okta's Application body a service app uses.
type createAppRequest struct {
	Name        string `json:"name"`
	Label       string `json:"label"`
	SignOnMode  string `json:"signOnMode"`
	Credentials struct {
		OAuthClient struct {
			TokenEndpointAuthMethod string `json:"token_endpoint_auth_method"`
		} `json:"oauthClient"`
	} `json:"credentials"`
	Settings struct {
		OAuthClient struct {
			ApplicationType       string   `json:"application_type"`
			GrantTypes            []string `json:"grant_types"`
			DPoPBoundAccessTokens *bool    `json:"dpop_bound_access_tokens"`
			JWKS                  *struct {
				Keys []json.RawMessage `json:"keys"`
			} `json:"jwks"`
		} `json:"oauthClient"`
	} `json:"settings"`
}

func (s *Server) createAppRoute(w http.ResponseWriter, r *http.Request, _ *principal) {
	var req createAppRequest
	if e := readJSON(r, &req); e != nil {
		writeError(w, e)
		return
	}
	oc := req.Settings.OAuthClient
	switch {
	case req.SignOnMode != "OPENID_CONNECT" || req.Name != "oidc_client":
		writeError(w, errValidation("signOnMode: only OIDC apps (name oidc_client, signOnMode OPENID_CONNECT) are simulated"))
		return
	case req.Label == "":
		writeError(w, errValidation("label: The field cannot be left blank"))
		return
	case oc.ApplicationType != "service":
		writeError(w, errValidation("settings.oauthClient.application_type: only service apps are simulated"))
		return
	case len(oc.GrantTypes) != 1 || oc.GrantTypes[0] != "client_credentials":
		writeError(w, errValidation("settings.oauthClient.grant_types: a service app uses client_credentials"))
		return
	}
	d := ServiceApp{Label: req.Label, AuthMethod: req.Credentials.OAuthClient.TokenEndpointAuthMethod}
	if oc.DPoPBoundAccessTokens != nil {
		d.DPoP = *oc.DPoPBoundAccessTokens
	}
	if oc.JWKS != nil {
		for _, k := range oc.JWKS.Keys {
			d.PublicKeys = append(d.PublicKeys, k)
		}
	}
	app, err := s.authority().apps.create(d)
	if err != nil {
		writeError(w, errValidation(err.Error()))
		return
	}
	writeJSONValue(w, http.StatusOK, s.renderApp(r, app))
}

func (s *Server) addJWKRoute(w http.ResponseWriter, r *http.Request, app *serviceApp) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, errValidation("the request body cannot be read"))
		return
	}
	k, err := app.addKey(body, s.authority().clock())
	if err != nil {
		writeError(w, errValidation(err.Error()))
		return
	}
	writeJSONValue(w, http.StatusCreated, renderKey(r, app, k))
}

func (s *Server) grantRoute(w http.ResponseWriter, r *http.Request, app *serviceApp) {
	var req struct {
		Issuer  string `json:"issuer"`
		ScopeID string `json:"scopeId"`
	}
	if e := readJSON(r, &req); e != nil {
		writeError(w, e)
		return
	}
	switch {
	case !strings.HasPrefix(req.ScopeID, "okta."):
		writeError(w, errValidation("scopeId: The scope "+req.ScopeID+" is not an Okta API scope"))
		return
	case strings.TrimSuffix(req.Issuer, "/") != orgURL(r):
		writeError(w, errValidation("issuer: The issuer must be the org URL "+orgURL(r)))
		return
	}
	g := app.grant(req.ScopeID, s.authority().clock())
	writeJSONValue(w, http.StatusCreated, renderGrant(r, app, g))
}

func (s *Server) assignRoleRoute(w http.ResponseWriter, r *http.Request, app *serviceApp) {
	var req struct {
		Type string `json:"type"`
	}
	if e := readJSON(r, &req); e != nil {
		writeError(w, e)
		return
	}
	role, err := app.assignRole(req.Type, s.authority().clock())
	if err != nil {
		writeError(w, errValidation(err.Error()))
		return
	}
	writeJSONValue(w, http.StatusOK, renderRole(r, app, role))
}

// orgURL is the org URL as the request reached it.
func orgURL(r *http.Request) string { return "https://" + r.Host }

type link struct {
	Href string `json:"href"`
}

func (s *Server) renderApp(r *http.Request, app *serviceApp) map[string]any {
	base := orgURL(r) + "/api/v1/apps/" + app.id
	keys := []any{}
	for _, k := range app.keys {
		keys = append(keys, k.raw)
	}
	return map[string]any{
		"id": app.id, "name": "oidc_client", "label": app.label, "status": "ACTIVE",
		"signOnMode": "OPENID_CONNECT", "created": formatTime(app.created), "lastUpdated": formatTime(app.updated),
		"features": []string{},
		"credentials": map[string]any{
			"userNameTemplate": map[string]string{"template": "${source.login}", "type": "BUILT_IN"},
			"oauthClient": map[string]any{
				"autoKeyRotation": true, "client_id": app.id,
				"token_endpoint_auth_method": app.authMethod,
			},
		},
		"settings": map[string]any{
			"app": map[string]any{},
			"oauthClient": map[string]any{
				"application_type": "service", "grant_types": []string{"client_credentials"},
				"response_types": []string{"token"}, "dpop_bound_access_tokens": app.dpop,
				"jwks": map[string]any{"keys": keys},
			},
		},
		"_links": map[string]any{"self": link{base}, "users": link{base + "/users"}, "groups": link{base + "/groups"}},
	}
}

func renderKey(r *http.Request, app *serviceApp, k *appKey) map[string]any {
	out := map[string]any{}
	for name, v := range k.raw {
		out[name] = v
	}
	out["id"], out["kid"], out["status"] = k.id, k.kid, k.status
	out["created"], out["lastUpdated"] = formatTime(k.created), formatTime(k.updated)
	out["_links"] = map[string]any{"deactivate": link{orgURL(r) + "/api/v1/apps/" + app.id + "/credentials/jwks/" + k.id + "/lifecycle/deactivate"}}
	return out
}

func renderGrant(r *http.Request, app *serviceApp, g *appGrant) map[string]any {
	base := orgURL(r)
	return map[string]any{
		"id": g.id, "status": "ACTIVE", "created": formatTime(g.created), "lastUpdated": formatTime(g.created),
		"issuer": base, "clientId": app.id, "scopeId": g.scope, "source": "ADMIN",
		"createdBy": map[string]string{"id": "00usimadmin000000000", "type": "User"},
		"_embedded": map[string]any{"scope": map[string]string{"id": g.scope}},
		"_links": map[string]any{
			"app":    link{base + "/api/v1/apps/" + app.id},
			"self":   link{base + "/api/v1/apps/" + app.id + "/grants/" + g.id},
			"client": link{base + "/oauth2/v1/clients/" + app.id},
		},
	}
}

func renderRole(r *http.Request, app *serviceApp, role *appRole) map[string]any {
	return map[string]any{
		"id": role.id, "label": roleLabels[role.typ], "type": role.typ, "status": "ACTIVE",
		"created": formatTime(role.created), "lastUpdated": formatTime(role.created), "assignmentType": "CLIENT",
		"_links": map[string]any{"assignee": link{orgURL(r) + "/oauth2/v1/clients/" + app.id + "/roles"}},
	}
}
