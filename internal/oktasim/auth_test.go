package oktasim

import (
	"net/http"
	"strings"
	"testing"
)

// fakeAuthority maps bearer tokens to principals.
type fakeAuthority map[string]*principal

func (f fakeAuthority) authorize(r *http.Request) (*principal, *apiError) {
	_, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if p, ok := f[tok]; ok {
		return p, nil
	}
	return nil, errInvalidToken()
}

func TestOAuthScopesAndAdminRole(t *testing.T) {
	sim := startSim(t, Options{Fixture: "../../testdata/oktasim/small.yaml"})
	sim.oauth = fakeAuthority{
		"groups":   {id: "client:a", scopes: []string{scopeGroupsRead}, admin: true},
		"noadmin":  {id: "client:b", scopes: []string{scopeGroupsRead, scopeUsersRead, scopeLogsRead}},
		"manage":   {id: "client:c", scopes: []string{scopeGroupsManage}, admin: true},
		"users":    {id: "client:d", scopes: []string{scopeUsersRead}, admin: true},
		"logsonly": {id: "client:e", scopes: []string{scopeLogsRead}, admin: true},
	}
	eng := mustGroup(t, sim, "Engineering")
	alice, _ := sim.Org().User("alice.admin@example.com")
	tests := []struct {
		name, auth, method, path string
		status                   int
	}{
		{"groups.read lists groups", "Bearer groups", "GET", "/api/v1/groups", 200},
		{"groups.read lists members", "DPoP groups", "GET", "/api/v1/groups/" + eng.ID + "/users", 200},
		{"groups.read cannot read users", "Bearer groups", "GET", "/api/v1/users/" + alice.ID, 403},
		{"groups.read cannot read logs", "Bearer groups", "GET", "/api/v1/logs", 403},
		{"groups.read cannot change members", "Bearer groups", "PUT", "/api/v1/groups/" + eng.ID + "/users/" + alice.ID, 403},
		{"no admin role", "Bearer noadmin", "GET", "/api/v1/groups", 403},
		{"manage implies read", "Bearer manage", "GET", "/api/v1/groups/" + eng.ID, 200},
		{"manage changes members", "Bearer manage", "PUT", "/api/v1/groups/" + eng.ID + "/users/" + alice.ID, 204},
		{"users.read reads a user", "Bearer users", "GET", "/api/v1/users/" + alice.ID, 200},
		{"users.read cannot suspend", "Bearer users", "POST", "/api/v1/users/" + alice.ID + "/lifecycle/suspend", 403},
		{"logs.read reads logs", "Bearer logsonly", "GET", "/api/v1/logs", 200},
		{"unknown bearer", "Bearer nope", "GET", "/api/v1/groups", 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, sim, tc.method, tc.path, "", tc.auth)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.status == 403 {
				if e := decode[apiErrorJSON](t, r); e.ErrorCode != "E0000006" {
					t.Errorf("403 with %s, want E0000006", e.ErrorCode)
				}
			}
		})
	}
	// The membership change made by the client names it in the System Log.
	if ev := sim.Org().Events(); len(ev) != 1 || ev[0] != "group.user_membership.add" {
		t.Errorf("events %v", ev)
	}
	sim.Org().mu.RLock()
	actorID := sim.Org().logs[0].Actor.ID
	sim.Org().mu.RUnlock()
	if actorID != "client:c" {
		t.Errorf("event actor %s, want the client", actorID)
	}
}

func TestEveryRouteNamesAScope(t *testing.T) {
	for pattern, scope := range routeScopes {
		if !strings.HasPrefix(scope, "okta.") {
			t.Errorf("%s needs scope %q", pattern, scope)
		}
	}
	sim := startSim(t, Options{})
	sim.oauth = fakeAuthority{"none": {id: "client:x", admin: true}}
	for pattern := range routeScopes {
		method, path, _ := strings.Cut(pattern, " ")
		path = strings.NewReplacer("{groupId}", "00gx", "{userId}", "00ux", "{id}", "00ux", "{op}", "suspend").Replace(path)
		if r := call(t, sim, method, path, "", "Bearer none"); r.status != 403 {
			t.Errorf("%s with no scopes: %d, want 403", pattern, r.status)
		}
	}
}

func TestShareIsPerClient(t *testing.T) {
	sim := startSim(t, Options{RateLimits: RateLimits{PerMinute: map[string]int{"/": 4}}})
	sim.oauth = fakeAuthority{
		"a": {id: "client:a", scopes: []string{scopeGroupsRead}, admin: true},
		"b": {id: "client:b", scopes: []string{scopeGroupsRead}, admin: true},
	}
	var got []int
	for _, tok := range []string{"a", "a", "a", "b", "b", "b"} {
		got = append(got, call(t, sim, "GET", "/api/v1/groups", "", "Bearer "+tok).status)
	}
	want := []int{200, 200, 429, 200, 200, 429}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statuses %v, want %v: each client gets half of the bucket of 4", got, want)
		}
	}
}
