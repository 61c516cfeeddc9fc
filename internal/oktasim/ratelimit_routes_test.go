package oktasim

import "testing"

// TestWorkforceBucketsPerRoute: each route takes the bucket Okta documents
// for Workforce orgs.
func TestWorkforceBucketsPerRoute(t *testing.T) {
	l := newLimiter(RateLimits{}, nil)
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/api/v1/groups", 500},
		{"GET", "/api/v1/groups/00g1", 1000},
		{"GET", "/api/v1/groups/00g1/users", 1000},
		{"GET", "/api/v1/users", 600},
		{"GET", "/api/v1/users/00u1", 2000},
		{"POST", "/api/v1/users/00u1/lifecycle/suspend", 600},
		{"GET", "/api/v1/logs", 120},
		{"POST", "/oauth2/v1/token", 2000},
		{"GET", "/api/v1/meta/schemas", 1200},
	} {
		if _, got := l.family(tc.method, tc.path); got != tc.want {
			t.Errorf("%s %s: bucket %d, want %d", tc.method, tc.path, got, tc.want)
		}
	}
}
