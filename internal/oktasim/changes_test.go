package oktasim

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMembershipChangesMoveLastMembershipUpdated(t *testing.T) {
	sim := startSim(t, Options{Fixture: "../../testdata/oktasim/small.yaml"})
	org := sim.Org()
	support := mustGroup(t, sim, "Support")
	alice, _ := org.User("alice.admin@example.com")
	before := support.LastMembershipUpdated

	r := call(t, sim, "PUT", "/api/v1/groups/"+support.ID+"/users/"+alice.ID, "")
	if r.status != 204 {
		t.Fatalf("PUT membership: %d %s", r.status, r.body)
	}
	afterAdd := mustGroup(t, sim, "Support")
	if !afterAdd.LastMembershipUpdated.After(before) {
		t.Errorf("lastMembershipUpdated %v did not move past %v on add", afterAdd.LastMembershipUpdated, before)
	}
	if !slices.Contains(org.Members(support.ID), alice.ID) {
		t.Fatal("alice is not a member after PUT")
	}
	// Over HTTP too, the group shows the new timestamp.
	g := decode[groupJSON](t, call(t, sim, "GET", "/api/v1/groups/"+support.ID, ""))
	if g.LastMembershipUpdated != formatTime(afterAdd.LastMembershipUpdated) {
		t.Errorf("GET group shows %s, want %s", g.LastMembershipUpdated, formatTime(afterAdd.LastMembershipUpdated))
	}

	// Adding again changes nothing.
	call(t, sim, "PUT", "/api/v1/groups/"+support.ID+"/users/"+alice.ID, "")
	if again := mustGroup(t, sim, "Support"); !again.LastMembershipUpdated.Equal(afterAdd.LastMembershipUpdated) {
		t.Error("a repeated add moved lastMembershipUpdated")
	}

	r = call(t, sim, "DELETE", "/api/v1/groups/"+support.ID+"/users/"+alice.ID, "")
	if r.status != 204 {
		t.Fatalf("DELETE membership: %d %s", r.status, r.body)
	}
	afterRemove := mustGroup(t, sim, "Support")
	if !afterRemove.LastMembershipUpdated.After(afterAdd.LastMembershipUpdated) {
		t.Error("lastMembershipUpdated did not move on remove")
	}
	if slices.Contains(org.Members(support.ID), alice.ID) {
		t.Error("alice is still a member after DELETE")
	}
	// A delta read by filter finds exactly the changed group.
	q := url.Values{"filter": {`lastMembershipUpdated gt "` + formatTime(before) + `"`}}
	got := decode[[]groupJSON](t, call(t, sim, "GET", "/api/v1/groups?"+q.Encode(), ""))
	if len(got) != 1 || got[0].ID != support.ID {
		t.Errorf("filter on lastMembershipUpdated found %v, want only Support", got)
	}
	if ev := org.Events(); !slices.Equal(ev, []string{"group.user_membership.add", "group.user_membership.remove"}) {
		t.Errorf("System Log events %v", ev)
	}
}

func TestLifecycle(t *testing.T) {
	sim := startSim(t, Options{Fixture: "../../testdata/oktasim/small.yaml"})
	org := sim.Org()
	tests := []struct {
		name, login, op string
		status          int
		want            string
		event           string
	}{
		{"suspend active", "bob.builder@example.com", "suspend", 200, StatusSuspended, "user.lifecycle.suspend"},
		{"suspend suspended", "dan.diaz@example.com", "suspend", 400, StatusSuspended, ""},
		{"unsuspend", "dan.diaz@example.com", "unsuspend", 200, StatusActive, "user.lifecycle.unsuspend"},
		{"unsuspend active", "carol.chen@example.com", "unsuspend", 400, StatusActive, ""},
		{"deactivate", "carol.chen@example.com", "deactivate", 200, StatusDeprovisioned, "user.lifecycle.deactivate"},
		{"activate deprovisioned", "erin.evans@example.com", "activate", 200, StatusActive, "user.lifecycle.activate"},
		{"activate staged", "gina.gray@example.com", "activate", 200, StatusActive, "user.lifecycle.activate"},
		{"activate active", "alice.admin@example.com", "activate", 403, StatusActive, ""},
		{"unknown operation", "alice.admin@example.com", "explode", 404, StatusActive, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := org.User(tc.login)
			events := len(org.Events())
			r := call(t, sim, "POST", "/api/v1/users/"+before.ID+"/lifecycle/"+tc.op, "")
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.status == 200 && string(r.body) != "{}" {
				t.Errorf("body %s, want {} as Okta answers", r.body)
			}
			u := decode[userJSON](t, call(t, sim, "GET", "/api/v1/users/"+before.ID, ""))
			if u.Status != tc.want {
				t.Errorf("status %s, want %s", u.Status, tc.want)
			}
			after, _ := org.User(tc.login)
			if tc.event == "" {
				if !after.LastUpdated.Equal(before.LastUpdated) || len(org.Events()) != events {
					t.Error("a refused operation changed the user or logged an event")
				}
				return
			}
			if !after.LastUpdated.After(before.LastUpdated) {
				t.Errorf("lastUpdated %v did not move past %v", after.LastUpdated, before.LastUpdated)
			}
			if u.StatusChanged == nil || *u.StatusChanged != formatTime(after.LastUpdated) {
				t.Errorf("statusChanged %v, want %s", u.StatusChanged, formatTime(after.LastUpdated))
			}
			if ev := org.Events(); len(ev) != events+1 || ev[len(ev)-1] != tc.event {
				t.Errorf("events %v, want %s appended", ev, tc.event)
			}
		})
	}
}

func TestCreateAndDeleteGroup(t *testing.T) {
	sim := startSim(t, Options{Fixture: "../../testdata/oktasim/small.yaml"})
	r := call(t, sim, "POST", "/api/v1/groups", `{"profile":{"name":"Auditors"}}`)
	if r.status != 200 {
		t.Fatalf("POST group: %d %s", r.status, r.body)
	}
	g := decode[groupJSON](t, r)
	if g.Type != GroupTypeOkta || g.Profile.Name != "Auditors" || g.Profile.Description != nil || !strings.HasPrefix(g.ID, "00g") || len(g.ID) != 20 {
		t.Errorf("created group %s", r.body)
	}
	if r := call(t, sim, "POST", "/api/v1/groups", `{"profile":{"name":"auditors"}}`); r.status != 400 {
		t.Errorf("duplicate name: %d, want 400", r.status)
	}
	if r := call(t, sim, "POST", "/api/v1/groups", `{"profile":{"name":" "}}`); r.status != 400 {
		t.Errorf("blank name: %d, want 400", r.status)
	}
	if r := call(t, sim, "DELETE", "/api/v1/groups/"+g.ID, ""); r.status != 204 {
		t.Fatalf("DELETE group: %d %s", r.status, r.body)
	}
	if r := call(t, sim, "GET", "/api/v1/groups/"+g.ID, ""); r.status != 404 {
		t.Errorf("deleted group still served: %d", r.status)
	}
	if r := call(t, sim, "DELETE", "/api/v1/groups/"+mustGroup(t, sim, "Everyone").ID, ""); r.status != 403 {
		t.Errorf("deleting Everyone: %d, want 403", r.status)
	}
}

type logEventJSON struct {
	UUID      string `json:"uuid"`
	Published string `json:"published"`
	EventType string `json:"eventType"`
	Actor     struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"actor"`
	Target []struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"target"`
}

func TestSystemLog(t *testing.T) {
	sim := startSim(t, Options{Fixture: "../../testdata/oktasim/small.yaml"})
	org := sim.Org()
	eng := mustGroup(t, sim, "Engineering")
	alice, _ := org.User("alice.admin@example.com")
	bob, _ := org.User("bob.builder@example.com")
	start := time.Now().UTC().Add(-time.Second)
	mustNil(t, org.AddMember(eng.ID, alice.ID))
	mustNil(t, org.Lifecycle(bob.ID, LifecycleSuspend))
	mustNil(t, org.RemoveMember(eng.ID, alice.ID))
	mustNil(t, org.Lifecycle(bob.ID, LifecycleUnsuspend))
	mustNil(t, org.Lifecycle(bob.ID, LifecycleDeactivate))
	waitVisible(t, sim) // the System Log shows events late
	until := formatTime(time.Now().UTC().Add(time.Hour))
	since := formatTime(start)

	t.Run("bounded query pages to the end", func(t *testing.T) {
		q := url.Values{"since": {since}, "until": {until}, "limit": {"2"}}
		path := "/api/v1/logs?" + q.Encode()
		var types []string
		for pages := 0; path != ""; pages++ {
			r := call(t, sim, "GET", path, "")
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			for _, ev := range decode[[]logEventJSON](t, r) {
				if ev.UUID == "" || ev.Published == "" || ev.Actor.ID == "" || len(ev.Target) == 0 {
					t.Errorf("event lacks Okta's fields: %+v", ev)
				}
				types = append(types, ev.EventType)
			}
			path = ""
			if next := links(t, r.header)["next"]; next != "" {
				path = pathOf(t, sim, next)
			}
			if pages > 3 {
				t.Fatal("too many pages")
			}
		}
		want := []string{"group.user_membership.add", "user.lifecycle.suspend", "group.user_membership.remove",
			"user.lifecycle.unsuspend", "user.lifecycle.deactivate"}
		if !slices.Equal(types, want) {
			t.Errorf("events %v, want %v", types, want)
		}
	})
	t.Run("filter on eventType and target", func(t *testing.T) {
		q := url.Values{"since": {since}, "until": {until},
			"filter": {`(eventType eq "group.user_membership.add" or eventType eq "group.user_membership.remove") and target.id eq "` + eng.ID + `"`}}
		evs := decode[[]logEventJSON](t, call(t, sim, "GET", "/api/v1/logs?"+q.Encode(), ""))
		if len(evs) != 2 || evs[0].Target[0].ID != alice.ID || evs[1].EventType != "group.user_membership.remove" {
			t.Errorf("membership events for Engineering: %+v", evs)
		}
	})
	t.Run("since excludes older events", func(t *testing.T) {
		q := url.Values{"since": {until}}
		r := call(t, sim, "GET", "/api/v1/logs?"+q.Encode(), "")
		if evs := decode[[]logEventJSON](t, r); len(evs) != 0 {
			t.Errorf("%d events after until", len(evs))
		}
		if links(t, r.header)["next"] == "" {
			t.Error("a polling query (no until) must always have a next link, as in Okta")
		}
	})
}

func mustNil(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
