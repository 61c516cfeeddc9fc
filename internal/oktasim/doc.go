// Package oktasim simulates an Okta Workforce org for development, demos and
// tests: an in-memory org (Org) served over HTTPS with a self-signed CA
// (Server), with Okta's JSON shapes, paging, errors, rate limits and System
// Log, plus fault injection.
//
// Start one in a test:
//
//	sim, err := oktasim.Start(ctx, oktasim.Options{Users: 2000, Groups: 200, Seed: 1})
//	// sim.URL(), sim.CAFile() or sim.CAPool(), sim.APIToken(); sim.Close()
//	// sim.Org().GroupByName("Engineering"), .Members(id), .RemoveMember(g, u),
//	// .Lifecycle(u, oktasim.LifecycleSuspend); sim.Requests() counts API calls.
//
// # Orgs
//
// Generate builds an org from a seed, the same org for the same seed, sizes
// skewed like real orgs. It always has these groups first, as far as the
// group count allows: Everyone (BUILT_IN, every user), Engineering (about
// 25% of users), IT Admins (0.5%), Security (2%), Finance (5%) and Support
// (10%). The other groups are named like "Payments EMEA 1" (a few large, most
// small); every tenth is an APP_GROUP named "AD ...". Logins look like
// ada.brown17@example.com. About 2% of users are SUSPENDED, 1% DEPROVISIONED,
// and a few PASSWORD_EXPIRED, LOCKED_OUT, RECOVERY, STAGED or PROVISIONED.
// LoadFixture reads an org from YAML instead (see Fixture and
// testdata/oktasim/small.yaml).
//
// # Routes
//
//	GET    /api/v1/groups                      limit (default 10000, max 10000), after, q (name prefix,
//	                                           default limit 300, not paged), filter (id, type eq;
//	                                           lastUpdated, lastMembershipUpdated eq/gt/ge/lt/le),
//	                                           search (profile.*, id, type, timestamps; sw, eq, co)
//	POST   /api/v1/groups                      {"profile": {"name", "description"}}
//	GET    /api/v1/groups/{groupId}
//	DELETE /api/v1/groups/{groupId}
//	GET    /api/v1/groups/{groupId}/users      limit (default 1000, max 1000), after
//	PUT    /api/v1/groups/{groupId}/users/{userId}
//	DELETE /api/v1/groups/{groupId}/users/{userId}
//	GET    /api/v1/users                       limit (default and max 200), after, filter, search
//	GET    /api/v1/users/{id}                  id or login
//	POST   /api/v1/users/{id}/lifecycle/{op}   suspend, unsuspend, deactivate, activate
//	DELETE /api/v1/users/{id}                  deactivates, then (once DEPROVISIONED) deletes
//	GET    /api/v1/logs                        since, until, filter, limit (default 100, max 1000), after
//	POST   /__sim/faults                       {"path_prefix", "status", "count", "delay_ms", "reset",
//	                                           "skip", "code", "summary", "www_authenticate",
//	                                           "empty_body", "min_limit", "concurrency"} (see Fault)
//	DELETE /__sim/faults
//
// Lists carry one Link header line per relation, rel="self" and rel="next"
// until the last page. Membership changes move the group's
// lastMembershipUpdated and lifecycle changes the user's lastUpdated and
// statusChanged, always forward, and each writes a System Log event
// (group.user_membership.add/.remove, user.lifecycle.suspend/.unsuspend/
// .deactivate/.activate, user.lifecycle.delete.initiated). Errors use
// Okta's JSON and codes: 401 E0000011, 403 E0000006, 404 E0000007, 400
// E0000001/E0000031, 429 E0000047. With OAuth tokens, DPoP failures answer
// 400 with a WWW-Authenticate: DPoP error="…" challenge, API calls need no
// DPoP nonce unless RequireAPINonce, and a client whose admin roles cannot
// read groups gets 403 E0000006 on group routes. As in Okta, the users
// search and the System Log show changes late, by default: the search lags
// writes by DefaultSearchLag and each event shows up to DefaultLogDelay
// after it was published, so events may show out of published order
// (Options.SearchLag and LogDelay change the lags; VisibleAt and
// WaitVisible tell a test when its writes show).
//
// # Limits
//
// Every response carries X-Rate-Limit-Limit, -Remaining and -Reset (epoch
// seconds) for its route family's one-minute bucket (WorkforceLimits:
// /api/v1/groups 500, /api/v1/groups/{id} 1000, /api/v1/users 600, GET
// /api/v1/users/{id} 2000, /api/v1/logs 120). One token or client may use
// at most half a bucket, at most 75 requests may be in flight (a 429 past
// that carries the concurrency limit in its headers), and Options.Latency
// delays every request. RateLimits configures
// or disables all of it. See auth.go for authentication and the OAuth hook.
package oktasim
