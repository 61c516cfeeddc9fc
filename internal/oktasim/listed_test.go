package oktasim

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestListedUsersFollowChanges: a collection reuses a user's last rendering
// only while nothing it shows has changed; after lifecycle and status
// changes every listed user is byte for byte what a fresh rendering gives.
func TestListedUsersFollowChanges(t *testing.T) {
	sim := startSim(t, Options{})
	everyone, _ := sim.Org().GroupByName("Everyone")
	path := "/api/v1/groups/" + everyone.ID + "/users?limit=1000"
	list := func() []json.RawMessage {
		t.Helper()
		r := call(t, sim, "GET", path, "")
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		return decode[[]json.RawMessage](t, r)
	}
	first := list() // fills the renderings
	var ids []string
	for _, raw := range first[:6] {
		var u struct{ ID, Status string }
		if err := json.Unmarshal(raw, &u); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	o := sim.Org()
	for i, op := range []string{"suspend", "deactivate", "unlock"} {
		_ = o.Lifecycle(ids[i], op) // some do not apply to the user's status; the others change it
	}
	if err := o.SetStatus(ids[3], StatusLockedOut); err != nil {
		t.Fatal(err)
	}
	if err := o.SetStatus(ids[4], StatusRecovery); err != nil {
		t.Fatal(err)
	}
	again := list()
	if len(again) != len(first) {
		t.Fatalf("%d users listed, then %d", len(first), len(again))
	}
	changed := 0
	o.mu.RLock()
	defer o.mu.RUnlock()
	for i, raw := range again {
		var u struct{ ID string }
		if err := json.Unmarshal(raw, &u); err != nil {
			t.Fatal(err)
		}
		fresh := appendUser(nil, sim.URL(), o.users[u.ID], false)
		if !bytes.Equal(raw, fresh) {
			t.Fatalf("user %s is listed as\n%s\nbut renders as\n%s", u.ID, raw, fresh)
		}
		if !bytes.Equal(raw, first[i]) {
			changed++
		}
	}
	if changed < 3 {
		t.Fatalf("only %d listed users changed after five changes", changed)
	}
}
