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

// TestWaitVisible: by default the search and the System Log lag writes;
// VisibleAt is the last write's time plus the longer lag, and after
// WaitVisible the write shows in both.
func TestWaitVisible(t *testing.T) {
	sim := startSim(t, Options{Fixture: "../../testdata/oktasim/small.yaml"})
	org := sim.Org()
	bob, _ := org.User("bob.builder@example.com")
	since := formatTime(time.Now().UTC().Add(-time.Second))
	mustNil(t, org.Lifecycle(bob.ID, LifecycleSuspend))
	bob, _ = org.User(bob.ID)
	if want := bob.LastUpdated.Add(max(DefaultSearchLag, DefaultLogDelay)); !sim.VisibleAt().Equal(want) {
		t.Fatalf("VisibleAt = %v, want the write's time %v plus the longer default lag", sim.VisibleAt(), bob.LastUpdated)
	}
	waitVisible(t, sim)
	if time.Now().Before(sim.VisibleAt()) {
		t.Fatal("WaitVisible returned before VisibleAt")
	}
	path := "/api/v1/users?" + url.Values{"search": {`status eq "SUSPENDED"`}}.Encode()
	var found bool
	for _, u := range decode[[]struct{ ID string }](t, call(t, sim, "GET", path, "")) {
		found = found || u.ID == bob.ID
	}
	if !found {
		t.Fatal("the search does not show the write after WaitVisible")
	}
	until := formatTime(time.Now().UTC().Add(time.Hour))
	if n := len(decode[[]logEventJSON](t, call(t, sim, "GET", "/api/v1/logs?"+url.Values{"since": {since}, "until": {until}}.Encode(), ""))); n != 1 {
		t.Fatalf("%d events after WaitVisible, want 1", n)
	}
}
