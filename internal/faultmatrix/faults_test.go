package faultmatrix

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/rolesync/rolesync/internal/oktasim"
)

// Sides of a fault.
const (
	sideOkta = "okta"
	sideSCIM = "scim"
)

// Points of a run. The Okta points are member pages of Engineering, the
// mapped group read in several pages; the SCIM points are writes of the
// apply.
var (
	oktaPoints = []string{"first page", "middle page", "last page"}
	scimPoints = []string{"before apply", "during apply", "after apply"}
)

// Authentication modes.
var (
	allAuth    = []string{"api_token", "scoped", "scoped_dpop"}
	scopedAuth = []string{"scoped", "scoped_dpop"}
)

// fault is one row of the matrix.
type fault struct {
	name string
	side string
	// change marks an Okta fault that changes the org: it also hits the
	// SCIM target's apply (changing Okta while the run writes).
	change bool
	// auth are the modes the fault exists in (a token can only expire,
	// and a DPoP nonce rotate, in the modes that have them).
	auth []string
	// setup runs before the first sync of the cell.
	setup func(w *world)
	// inject arms the fault at point (an index into the side's points).
	inject func(w *world, at int)
	// names are what the error of a failed run must say, one of them.
	names []string
	// orgWide faults hit every request after they are armed, not only
	// Engineering's: the failed read may be any mapped group's, read at the
	// same time, and the error names that group.
	orgWide bool
}

// points are where the fault can hit a run against target.
func (f fault) points(target string) []string {
	switch {
	case f.side == sideSCIM:
		return scimPoints
	case f.change && target == "scim":
		return append(oktaPoints[:len(oktaPoints):len(oktaPoints)], scimPoints...)
	}
	return oktaPoints
}

// changeAt changes the org at point at: before a member page of
// Engineering is served, or, past the page points, before a write of the
// apply reaches the SCIM provider (which then makes it).
func (w *world) changeAt(at int, change func()) {
	if at < len(oktaPoints) {
		w.hook(at, 1, func(*http.Request) { change() }, nil)
		return
	}
	w.scimArm(at-len(oktaPoints), 1, func(r *http.Request) (int, http.Header, string) {
		change()
		status, h, body := w.faults.forward(r)
		return status, h, string(body)
	})
}

// engPath is the member listing of Engineering, where Okta faults hit.
func (w *world) engPath() string { return "/api/v1/groups/" + w.groupIDs["Engineering"] + "/users" }

// engPages is how many member pages Engineering reads in now.
func (w *world) engPages() int {
	n := len(w.sim.Org().Members(w.groupIDs["Engineering"]))
	return max(1, (n+pageCap-1)/pageCap)
}

// pageSkip is how many of Engineering's member pages go through before
// the one at point at.
func (w *world) pageSkip(at int) int {
	switch at {
	case 0:
		return 0
	case 1:
		return w.engPages() / 2
	}
	return w.engPages() - 1
}

// hook arms an Okta hook on Engineering's member page at point at.
func (w *world) hook(at, count int, before func(*http.Request), serve oktasim.Interceptor) {
	w.t.Helper()
	if err := w.sim.AddHook(oktasim.Hook{PathPrefix: w.engPath(), Skip: w.pageSkip(at), Count: count, Before: before, Serve: serve}); err != nil {
		w.t.Fatal(err)
	}
}

// simFault arms a simulator Fault on Engineering's member page at point
// at, with a hook that only counts it.
func (w *world) simFault(at int, ft oktasim.Fault) {
	w.t.Helper()
	ft.PathPrefix, ft.Skip = w.engPath(), w.pageSkip(at)
	if err := w.sim.InjectFault(ft); err != nil {
		w.t.Fatal(err)
	}
	w.hook(at, ft.Count, nil, nil)
}

// scimArm arms a SCIM fault at point at: the first write, the fourth, or
// the first group update (the membership changes sent as the apply ends).
func (w *world) scimArm(at, count int, act func(*http.Request) (int, http.Header, string)) {
	switch at {
	case 0:
		w.faults.arm(isWrite, 0, count, act)
	case 1:
		w.faults.arm(isWrite, 3, count, act)
	default:
		w.faults.arm(isGroupPatch, 0, count, act)
	}
}

// A storm longer than the Okta client's retries (4), even counting the
// HTTP transport's own retry of a request on a reused connection.
const stormLength = 20

// clientTimeout is past the Okta and SCIM clients' 30 s request timeout.
const clientTimeout = 31 * time.Second

var faults = []fault{
	{name: "429 storm", side: sideOkta, auth: allAuth, names: []string{"429", "rate limit"},
		inject: func(w *world, at int) { w.hook(at, stormLength, nil, oktasim.TooManyRequests(time.Second)) }},
	{name: "5xx", side: sideOkta, auth: allAuth, names: []string{"503"},
		inject: func(w *world, at int) { w.simFault(at, oktasim.Fault{Status: 503, Count: stormLength}) }},
	{name: "connection reset", side: sideOkta, auth: allAuth, names: []string{"connection"},
		inject: func(w *world, at int) { w.simFault(at, oktasim.Fault{Reset: true, Count: stormLength}) }},
	{name: "truncated body", side: sideOkta, auth: allAuth, names: []string{"malformed", "unexpected end"},
		inject: func(w *world, at int) { w.hook(at, 1, nil, oktasim.TruncateBody(200)) }},
	{name: "stalled past timeout", side: sideOkta, auth: allAuth, names: []string{"no answer from Okta in time"},
		inject: func(w *world, at int) {
			w.simFault(at, oktasim.Fault{DelayMS: int(clientTimeout / time.Millisecond), Count: 1})
		}},
	{name: "token expiry", side: sideOkta, auth: scopedAuth, names: []string{"token"},
		inject: func(w *world, at int) { w.hook(at, 1, func(*http.Request) { w.sim.ExpireTokens() }, nil) }},
	{name: "DPoP nonce rotation", side: sideOkta, auth: []string{"scoped_dpop"}, names: []string{"nonce"},
		setup: func(w *world) { w.sim.RequireAPINonce(true) },
		inject: func(w *world, at int) {
			w.hook(at, 1, func(*http.Request) { w.sim.RotateDPoPNonce(); w.sim.RotateDPoPNonce() }, nil)
		}},
	{name: "clock skew", side: sideOkta, auth: scopedAuth, names: []string{"clock", "iat", "time"}, orgWide: true,
		inject: func(w *world, at int) {
			w.hook(at, 1, func(*http.Request) {
				w.sim.SetOAuthClock(func() time.Time { return time.Now().Add(-3 * time.Minute) })
				w.sim.ExpireTokens()
			}, nil)
		}},
	{name: "mapped group deleted", side: sideOkta, change: true, auth: allAuth, names: []string{"Engineering", "not found", "E0000007"},
		inject: func(w *world, at int) {
			w.changeAt(at, func() { _ = w.sim.Org().DeleteGroup(w.groupIDs["Engineering"]) })
		}},
	{name: "mapped group renamed", side: sideOkta, change: true, auth: allAuth, names: []string{"Engineering"},
		inject: func(w *world, at int) {
			w.changeAt(at, func() { _ = w.sim.Org().RenameGroup(w.groupIDs["Engineering"], "Engineering (old)") })
		}},
	{name: "user deleted", side: sideOkta, change: true, auth: allAuth, names: []string{"user"},
		inject: func(w *world, at int) {
			members := w.sim.Org().Members(w.groupIDs["Engineering"])
			victim := members[0]
			if at < len(oktaPoints) {
				victim = members[min(len(members)-1, w.pageSkip(at)*pageCap)]
			}
			w.changeAt(at, func() {
				_ = w.sim.Org().DeleteUser(victim) // deactivates
				_ = w.sim.Org().DeleteUser(victim) // deletes
			})
		}},

	{name: "SCIM 5xx", side: sideSCIM, auth: allAuth, names: []string{"500", "database unavailable"},
		inject: func(w *world, at int) {
			w.scimArm(at, 1, scimError(500, "", "database unavailable", nil))
		}},
	{name: "SCIM 409", side: sideSCIM, auth: allAuth, names: []string{"409", "uniqueness"},
		inject: func(w *world, at int) {
			w.scimArm(at, 1, scimError(409, "uniqueness", "the resource already exists", nil))
		}},
	{name: "SCIM 429 with Retry-After", side: sideSCIM, auth: allAuth, names: []string{"429"},
		inject: func(w *world, at int) {
			w.scimArm(at, 2, scimError(429, "", "too many requests", http.Header{"Retry-After": {"1"}}))
		}},
	{name: "SCIM timeout", side: sideSCIM, auth: allAuth, names: []string{"Timeout", "deadline", "timeout"},
		inject: func(w *world, at int) {
			w.scimArm(at, 1, func(r *http.Request) (int, http.Header, string) {
				time.Sleep(clientTimeout)
				status, h, body := w.faults.forward(r) // the write lands after the client gave up
				return status, h, string(body)
			})
		}},
	{name: "SCIM malformed body", side: sideSCIM, auth: allAuth, names: []string{"malformed", "unexpected end", "JSON"},
		inject: func(w *world, at int) { w.scimArm(at, 1, w.faults.truncated(20)) }},
	{name: "SCIM write dropped", side: sideSCIM, auth: allAuth,
		inject: func(w *world, at int) { w.scimArm(at, 1, w.faults.dropWrite) }},
}

// failedWhere matches what a failed run's error must name beside the
// failure: the group whose read failed, or the SCIM request.
var failedWhere = map[string]*regexp.Regexp{
	sideOkta: regexp.MustCompile(`Okta group Engineering \(00g\w+\)`),
	sideSCIM: regexp.MustCompile(`(POST|PATCH|PUT) /(Users|Groups)\b`),
}

// failedAnyGroup is failedWhere for an org-wide Okta fault.
var failedAnyGroup = regexp.MustCompile(`Okta group \S.* \(00g\w+\)`)

// namesFailure reports whether msg names where the run failed and says
// one of names.
func (f fault) namesFailure(msg string) bool {
	where := failedWhere[f.side]
	if f.orgWide {
		where = failedAnyGroup
	}
	if !where.MatchString(msg) {
		return false
	}
	for _, n := range f.names {
		if strings.Contains(msg, n) {
			return true
		}
	}
	return false
}
