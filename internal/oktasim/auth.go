package oktasim

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"
)

// Authentication and authorisation.
//
// The admin API token (Authorization: SSWS <token>) authorises every route,
// reads and changes, as a Super Administrator's token does in Okta.
//
// OAuth 2.0 access tokens (Authorization: Bearer <token>, and
// Authorization: DPoP <token> with a DPoP proof) are checked by a
// tokenAuthority held in Server.oauth. Until one is installed, such headers
// get 401 E0000011 like any unknown token. The plan for OAuth is:
//
//   - files named oauth*.go (and apps*.go for the service-app routes) add, in
//     init(), a function to extraRoutes. NewServer calls each one with the
//     server and its mux after the built-in routes are registered; the
//     function sets s.oauth and registers /oauth2/v1/token, /api/v1/apps and
//     the other routes it serves, through s.handle so that they get rate
//     limits, latency, faults and request counting like every route;
//   - tokenAuthority.authorize validates the access token (and the DPoP
//     proof, nonce and cnf.jkt binding) and returns the principal: its
//     client id, granted scopes, and whether an admin role is assigned to the
//     client. Its errors may carry the OAuth shape and headers (for example
//     WWW-Authenticate with use_dpop_nonce) through apiError;
//   - each route names the scope it needs in routeScopes below; a principal
//     without it gets 403 E0000006, as does a client with no admin role.
//     A .manage scope also grants the matching .read scope.

// principal is who a request acts as.
type principal struct {
	// id keys the per-client rate-limit share and names the System Log actor.
	id string
	// superAdmin is true for the admin API token: every scope, every route.
	superAdmin bool
	// scopes are the OAuth scopes granted to the access token.
	scopes []string
	// admin is true when an admin role is assigned to the OAuth client.
	admin bool
	// noGroupRead is true when none of the client's admin roles may read
	// groups (a Report Administrator alone): group routes answer 403
	// E0000006 whatever the scopes.
	noGroupRead bool
}

// groupReadRoles are the admin role types whose permissions include
// reading groups and their members.
var groupReadRoles = map[string]bool{
	"SUPER_ADMIN": true, "ORG_ADMIN": true, "APP_ADMIN": true, "USER_ADMIN": true,
	"HELP_DESK_ADMIN": true, "READ_ONLY_ADMIN": true, "GROUP_MEMBERSHIP_ADMIN": true,
}

// tokenAuthority checks OAuth 2.0 access tokens (Bearer and DPoP).
type tokenAuthority interface {
	authorize(r *http.Request) (*principal, *apiError)
}

// extraRoutes are added by the OAuth files; see the plan above.
var extraRoutes []func(*Server, *http.ServeMux)

// Scopes the built-in routes need.
const (
	scopeGroupsRead   = "okta.groups.read"
	scopeGroupsManage = "okta.groups.manage"
	scopeUsersRead    = "okta.users.read"
	scopeUsersManage  = "okta.users.manage"
	scopeLogsRead     = "okta.logs.read"
)

// routeScopes maps each built-in route pattern to the scope it needs.
var routeScopes = map[string]string{
	"GET /api/v1/groups":                             scopeGroupsRead,
	"POST /api/v1/groups":                            scopeGroupsManage,
	"GET /api/v1/groups/{groupId}":                   scopeGroupsRead,
	"DELETE /api/v1/groups/{groupId}":                scopeGroupsManage,
	"GET /api/v1/groups/{groupId}/users":             scopeGroupsRead,
	"PUT /api/v1/groups/{groupId}/users/{userId}":    scopeGroupsManage,
	"DELETE /api/v1/groups/{groupId}/users/{userId}": scopeGroupsManage,
	"GET /api/v1/users":                              scopeUsersRead,
	"GET /api/v1/users/{id}":                         scopeUsersRead,
	"POST /api/v1/users/{id}/lifecycle/{op}":         scopeUsersManage,
	"DELETE /api/v1/users/{id}":                      scopeUsersManage,
	"GET /api/v1/logs":                               scopeLogsRead,
}

// allows reports whether p may use a route that needs scope.
func (p *principal) allows(scope string) bool {
	if p.superAdmin || scope == "" {
		return true
	}
	if !p.admin || p.noGroupRead && strings.HasPrefix(scope, "okta.groups.") {
		return false
	}
	if slices.Contains(p.scopes, scope) {
		return true
	}
	if read, ok := strings.CutSuffix(scope, ".read"); ok {
		return slices.Contains(p.scopes, read+".manage")
	}
	return false
}

// apiTokenPrincipal is the admin API token's principal.
var apiTokenPrincipal = &principal{id: "api-token", superAdmin: true, admin: true}

// authenticate finds the principal of r from its Authorization header.
func (s *Server) authenticate(r *http.Request) (*principal, *apiError) {
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	switch {
	case strings.EqualFold(scheme, "SSWS"):
		if cred != "" && subtle.ConstantTimeCompare([]byte(cred), []byte(s.token)) == 1 {
			return apiTokenPrincipal, nil
		}
	case strings.EqualFold(scheme, "Bearer"), strings.EqualFold(scheme, "DPoP"):
		if s.oauth != nil {
			return s.oauth.authorize(r)
		}
	}
	return nil, errInvalidToken()
}
