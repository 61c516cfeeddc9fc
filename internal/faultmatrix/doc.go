// Package faultmatrix holds the fault matrix: tests that run rolesync's
// command line (cli.Main) against the Okta simulator (internal/oktasim) and
// the SCIM test server (internal/target/scim/scimtest) while one fault is
// injected at one point of a run, for every fault, point, target and
// authentication mode, and check after each run that:
//
//   - no user lost a role that Okta still grants them;
//   - the run is in the history with its status, and a failed run with an
//     error that names what failed;
//   - the next run, without the fault, converges to exactly what Okta says.
//
// Okta faults (a 429 storm, 5xx answers, dropped connections, a body cut
// short, an answer slower than the client's timeout, access tokens that
// expire, a DPoP nonce that rotates, a clock that is off, a mapped group
// deleted or renamed, a user deleted) hit the first, a middle or the last
// member page of a mapped group. SCIM faults (5xx, 409, 429 with
// Retry-After, a timeout, a malformed body, a write the provider drops
// without saying so) hit the first write of the apply, one in its middle,
// or the group update that ends it; the Okta changes (a group deleted or
// renamed, a user deleted) hit those points of a SCIM apply too.
//
// `go test -short` and `make test` run a short mode: every fault at least
// once, the targets and authentication modes spread over the cells.
// ROLESYNC_FAULTS_FULL=1 (`make faults`) runs the whole cross product.
// Both print the matrix of faults, points and outcomes; the README's "Fault
// matrix" section is that table.
//
// The package has no code of its own outside its tests.
package faultmatrix
