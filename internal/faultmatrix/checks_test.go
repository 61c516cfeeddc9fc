package faultmatrix

import (
	"slices"
	"testing"
)

// TestChecksSeeWhatTheyCheck makes sure the cell checks can fail: a
// revocation of a role Okta still grants is wrongful, one of a role Okta
// no longer grants is not, and a target that misses a grant has not
// converged.
func TestChecksSeeWhatTheyCheck(t *testing.T) {
	w := newWorld(t, "local", "api_token")
	if code, res, errs := w.sync(); code != 0 || res.Status != "succeeded" {
		t.Fatalf("first sync: exit %d %+v %s", code, res, errs)
	}
	if diffs := w.converged(); len(diffs) != 0 {
		t.Fatalf("after a clean sync: %v", diffs)
	}
	before := w.holdings()
	grants := w.grants(true)
	var kept, left string
	for id, roles := range grants {
		if slices.Equal(roles, []string{"Read Only"}) {
			if kept == "" {
				kept = id
			} else if left == "" {
				left = id
			}
		}
	}
	must(t, w.sim.Org().RemoveMember(w.groupIDs["Engineering"], left))
	after := map[string]access{}
	for id, a := range before {
		after[id] = a
	}
	after[kept] = access{Active: false}
	after[left] = access{Active: false}
	if got := w.wrongful(before, after); !slices.Equal(got, []string{kept + " lost Read Only"}) {
		t.Errorf("wrongful revocations: %v, want only %s's", got, kept)
	}
	if diffs := w.converged(); len(diffs) != 1 {
		t.Errorf("a target missing one revocation: %d differences (%v), want 1", len(diffs), diffs)
	}
}

// TestFailureNaming: an error names what failed when it names the group
// or the SCIM request and the failure itself.
func TestFailureNaming(t *testing.T) {
	byName := map[string]fault{}
	for _, f := range faults {
		byName[f.name] = f
	}
	tests := []struct {
		fault, msg string
		want       bool
	}{
		{"5xx", "read Okta groups: read members of Okta group Engineering (00gWmbsr8n6iN6UQTYL2): Okta failed with HTTP 503 (E0000010)", true},
		{"5xx", "read Okta groups: Okta failed with HTTP 503 (E0000010)", false},
		{"5xx", "read members of Okta group Engineering (00gWmbsr8n6iN6UQTYL2): something went wrong", false},
		{"5xx", "read Okta groups: read members of Okta group Security (00gWmbsr8n6iN6UQTYL3): Okta failed with HTTP 503 (E0000010)", false},
		{"clock skew", "read Okta groups: read members of Okta group Security (00gWmbsr8n6iN6UQTYL3): this computer's clock is off", true},
		{"clock skew", "read Okta groups: this computer's clock is off", false},
		{"SCIM 409", `role "Auditor": scim: PATCH /Groups/000080: HTTP 409 Conflict (uniqueness)`, true},
		{"SCIM 409", "scim: HTTP 409 Conflict (uniqueness)", false},
	}
	for _, tt := range tests {
		if got := byName[tt.fault].namesFailure(tt.msg); got != tt.want {
			t.Errorf("%s: namesFailure(%q) = %v, want %v", tt.fault, tt.msg, got, tt.want)
		}
	}
}
