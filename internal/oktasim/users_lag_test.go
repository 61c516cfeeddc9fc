package oktasim

import (
	"net/url"
	"testing"
	"time"
)

// TestUsersSearchLag: with a search lag, a user changed within it is left
// out of the users search, not of a read by id.
func TestUsersSearchLag(t *testing.T) {
	sim := startSim(t, Options{Fixture: "../../testdata/oktasim/small.yaml"})
	org := sim.Org()
	bob, _ := org.User("bob.builder@example.com")
	mustNil(t, org.Lifecycle(bob.ID, LifecycleSuspend))
	path := "/api/v1/users?" + url.Values{"search": {`status eq "SUSPENDED"`}}.Encode()
	found := func() bool {
		t.Helper()
		r := call(t, sim, "GET", path, "")
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		for _, u := range decode[[]struct{ ID string }](t, r) {
			if u.ID == bob.ID {
				return true
			}
		}
		return false
	}
	sim.SetSearchLag(time.Hour)
	if found() {
		t.Fatal("the search shows a change within its lag")
	}
	if r := call(t, sim, "GET", "/api/v1/users/"+bob.ID, ""); r.status != 200 {
		t.Fatalf("read by id: %d", r.status)
	}
	sim.SetSearchLag(0)
	if !found() {
		t.Fatal("the search does not show the change without a lag")
	}
}
