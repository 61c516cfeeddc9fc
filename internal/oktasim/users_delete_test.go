package oktasim

import (
	"slices"
	"testing"
)

// TestDeleteUser: DELETE /api/v1/users/{id} deactivates an active user,
// then deletes it: it leaves its groups, reads 404, and the System Log
// records user.lifecycle.delete.initiated.
func TestDeleteUser(t *testing.T) {
	sim := startSim(t, Options{Fixture: "../../testdata/oktasim/small.yaml"})
	org := sim.Org()
	eng := mustGroup(t, sim, "Engineering")
	id := org.Members(eng.ID)[0]
	path := "/api/v1/users/" + id
	if r := call(t, sim, "DELETE", path, ""); r.status != 204 {
		t.Fatalf("first DELETE: %d %s", r.status, r.body)
	}
	if u, _ := org.User(id); u.Status != StatusDeprovisioned {
		t.Fatalf("after the first DELETE the user is %s, want DEPROVISIONED", u.Status)
	}
	if r := call(t, sim, "DELETE", path, ""); r.status != 204 {
		t.Fatalf("second DELETE: %d %s", r.status, r.body)
	}
	if r := call(t, sim, "GET", path, ""); r.status != 404 {
		t.Fatalf("GET after deletion: %d, want 404", r.status)
	}
	if slices.Contains(org.Members(eng.ID), id) {
		t.Fatal("the deleted user is still a member")
	}
	if g, _ := org.Group(eng.ID); !g.LastMembershipUpdated.After(eng.LastMembershipUpdated) {
		t.Fatal("the group's lastMembershipUpdated did not move")
	}
	if evs := org.Events(); !slices.Contains(evs, "user.lifecycle.delete.initiated") {
		t.Fatalf("events %v lack user.lifecycle.delete.initiated", evs)
	}
	if r := call(t, sim, "DELETE", path, ""); r.status != 404 {
		t.Fatalf("DELETE of a deleted user: %d, want 404", r.status)
	}
}
