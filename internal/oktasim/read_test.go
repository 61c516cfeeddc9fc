package oktasim

import (
	"net/url"
	"slices"
	"strconv"
	"testing"
)

func TestGroupMembersPaging(t *testing.T) {
	sim := startSim(t, Options{Users: 2500, Groups: 20, Seed: 3})
	everyone, ok := sim.Org().GroupByName("Everyone")
	if !ok {
		t.Fatal("no Everyone group")
	}
	for _, limit := range []int{1000, 7, 500, 833} {
		t.Run("limit "+strconv.Itoa(limit), func(t *testing.T) {
			path := "/api/v1/groups/" + everyone.ID + "/users?limit=" + strconv.Itoa(limit)
			seen := map[string]bool{}
			var order []string
			pages := 0
			for path != "" {
				r := call(t, sim, "GET", path, "")
				if r.status != 200 {
					t.Fatalf("GET %s: %d %s", path, r.status, r.body)
				}
				pages++
				users := decode[[]userJSON](t, r)
				l := links(t, r.header)
				if pathOf(t, sim, l["self"]) != path && pages == 1 {
					t.Errorf("self link %q, want %q", l["self"], path)
				}
				for _, u := range users {
					if seen[u.ID] {
						t.Fatalf("user %s returned twice", u.ID)
					}
					seen[u.ID] = true
					order = append(order, u.ID)
				}
				if next, ok := l["next"]; ok {
					if len(users) != limit {
						t.Fatalf("page %d has %d users and a next link; want full pages of %d", pages, len(users), limit)
					}
					path = pathOf(t, sim, next)
				} else {
					path = ""
				}
			}
			want := sim.Org().Members(everyone.ID)
			if len(seen) != len(want) || len(want) != 2500 {
				t.Fatalf("walked %d members, org has %d (of 2500 users)", len(seen), len(want))
			}
			if !slices.Equal(order, want) {
				t.Error("members are not returned in id order")
			}
			if wantPages := (2500 + limit - 1) / limit; pages != wantPages {
				t.Errorf("%d pages, want %d (no empty last page)", pages, wantPages)
			}
		})
	}
}

func TestGroupUsersDefaultLimitIs1000(t *testing.T) {
	sim := startSim(t, Options{Users: 1500, Groups: 6, Seed: 1})
	everyone, _ := sim.Org().GroupByName("Everyone")
	r := call(t, sim, "GET", "/api/v1/groups/"+everyone.ID+"/users?limit=5000", "")
	if n := len(decode[[]userJSON](t, r)); n != 1000 {
		t.Errorf("limit=5000 returned %d users, want the maximum 1000", n)
	}
	r = call(t, sim, "GET", "/api/v1/groups/"+everyone.ID+"/users", "")
	l := links(t, r.header)
	if n := len(decode[[]userJSON](t, r)); n != 1000 {
		t.Errorf("default page has %d users, want 1000", n)
	}
	if l["self"] != sim.URL()+"/api/v1/groups/"+everyone.ID+"/users?limit=1000" {
		t.Errorf("self link %q, want Okta's ?limit=1000 form", l["self"])
	}
	if l["next"] == "" {
		t.Error("no next link on the first of two pages")
	}
}

func TestListGroupsQueries(t *testing.T) {
	sim := startSim(t, Options{Users: 200, Groups: 60, Seed: 5})
	org := sim.Org()
	eng, _ := org.GroupByName("Engineering")
	sec, _ := org.GroupByName("Security")
	everyone, _ := org.GroupByName("Everyone")
	all := org.Groups()
	countType := func(typ string) int {
		n := 0
		for _, g := range all {
			if g.Type == typ {
				n++
			}
		}
		return n
	}
	tests := []struct {
		name  string
		query string
		want  func(names []string, ids []string) string
	}{
		{"q prefix", "q=eng", func(n, _ []string) string {
			if !slices.Equal(n, []string{"Engineering"}) {
				return "want [Engineering]"
			}
			return ""
		}},
		{"search sw", `search=profile.name sw "Secu"`, func(n, _ []string) string {
			if !slices.Equal(n, []string{"Security"}) {
				return "want [Security]"
			}
			return ""
		}},
		{"search eq", `search=profile.name eq "Finance"`, func(n, _ []string) string {
			if !slices.Equal(n, []string{"Finance"}) {
				return "want [Finance]"
			}
			return ""
		}},
		{"filter id or", `filter=id eq "` + eng.ID + `" or id eq "` + sec.ID + `"`, func(_, ids []string) string {
			want := []string{eng.ID, sec.ID}
			slices.Sort(want)
			if !slices.Equal(ids, want) {
				return "want Engineering and Security"
			}
			return ""
		}},
		{"filter type", `filter=type eq "BUILT_IN"`, func(_, ids []string) string {
			if !slices.Equal(ids, []string{everyone.ID}) {
				return "want only Everyone"
			}
			return ""
		}},
		{"filter app groups", `filter=type eq "APP_GROUP"`, func(_, ids []string) string {
			if len(ids) != countType(GroupTypeApp) || len(ids) == 0 {
				return "want every APP_GROUP"
			}
			return ""
		}},
		{"filter lastMembershipUpdated gt", `filter=lastMembershipUpdated gt "` + formatTime(eng.LastMembershipUpdated) + `"`,
			func(_, ids []string) string {
				for _, id := range ids {
					g, _ := org.Group(id)
					if !g.LastMembershipUpdated.After(eng.LastMembershipUpdated) {
						return "returned a group not updated after Engineering"
					}
				}
				if slices.Contains(ids, eng.ID) {
					return "gt must exclude Engineering itself"
				}
				return ""
			}},
		{"filter lastMembershipUpdated ge", `filter=lastMembershipUpdated ge "` + formatTime(eng.LastMembershipUpdated) + `" and id eq "` + eng.ID + `"`,
			func(_, ids []string) string {
				if !slices.Equal(ids, []string{eng.ID}) {
					return "ge must include Engineering itself"
				}
				return ""
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, _ := url.ParseQuery(tc.query)
			r := call(t, sim, "GET", "/api/v1/groups?"+u.Encode(), "")
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			groups := decode[[]groupJSON](t, r)
			var names, ids []string
			for _, g := range groups {
				names, ids = append(names, g.Profile.Name), append(ids, g.ID)
			}
			if msg := tc.want(names, ids); msg != "" {
				t.Errorf("%s: got %v", msg, names)
			}
		})
	}
}

func TestListGroupsPaging(t *testing.T) {
	sim := startSim(t, Options{Users: 50, Groups: 25, Seed: 5})
	seen := map[string]bool{}
	path := "/api/v1/groups?limit=10"
	for pages := 1; path != ""; pages++ {
		r := call(t, sim, "GET", path, "")
		for _, g := range decode[[]groupJSON](t, r) {
			seen[g.ID] = true
		}
		path = ""
		if next := links(t, r.header)["next"]; next != "" {
			path = pathOf(t, sim, next)
		}
		if pages > 3 {
			t.Fatal("more than 3 pages of 10 for 25 groups")
		}
	}
	if len(seen) != 25 {
		t.Errorf("walked %d groups, want 25", len(seen))
	}
	r := call(t, sim, "GET", "/api/v1/groups", "")
	if got := links(t, r.header)["self"]; got != sim.URL()+"/api/v1/groups?limit=10000" {
		t.Errorf("default self link %q, want limit=10000 as Okta shows", got)
	}
}

func TestErrors(t *testing.T) {
	sim := startSim(t, Options{})
	eng, _ := sim.Org().GroupByName("Engineering")
	tests := []struct {
		name, method, path, auth string
		status                   int
		code                     string
	}{
		{"missing token", "GET", "/api/v1/groups", "", 401, "E0000011"},
		{"wrong token", "GET", "/api/v1/groups", "SSWS not-the-token", 401, "E0000011"},
		{"bearer without oauth", "GET", "/api/v1/groups", "Bearer abc", 401, "E0000011"},
		{"unknown group", "GET", "/api/v1/groups/00gnotthere000000000", "", 404, "E0000007"},
		{"unknown group members", "GET", "/api/v1/groups/00gnotthere000000000/users", "", 404, "E0000007"},
		{"unknown user", "GET", "/api/v1/users/00unotthere000000000", "", 404, "E0000007"},
		{"unknown route", "GET", "/api/v1/nothing", "", 404, "E0000007"},
		{"bad filter attribute", "GET", "/api/v1/groups?filter=" + url.QueryEscape(`profile.name eq "x"`), "", 400, "E0000031"},
		{"bad filter syntax", "GET", "/api/v1/groups?filter=" + url.QueryEscape(`id eq "x`), "", 400, "E0000031"},
		{"bad search operator", "GET", "/api/v1/groups?search=" + url.QueryEscape(`profile.name zz "x"`), "", 400, "E0000031"},
		{"bad time", "GET", "/api/v1/groups?filter=" + url.QueryEscape(`lastMembershipUpdated gt "yesterday"`), "", 400, "E0000031"},
		{"bad limit", "GET", "/api/v1/groups/" + eng.ID + "/users?limit=abc", "", 400, "E0000001"},
		{"bad log since", "GET", "/api/v1/logs?since=monday", "", 400, "E0000001"},
		{"built-in group change", "PUT", "/api/v1/groups/" + mustGroup(t, sim, "Everyone").ID + "/users/" + sim.Org().Users()[0].ID, "", 403, "E0000006"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			auth := "SSWS " + sim.APIToken()
			if tc.auth != "" || tc.status == 401 {
				auth = tc.auth
			}
			r := call(t, sim, tc.method, tc.path, "", auth)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			e := decode[apiErrorJSON](t, r)
			if e.ErrorCode != tc.code || e.ErrorLink != tc.code || e.ErrorSummary == "" || e.ErrorID == "" || e.ErrorCauses == nil {
				t.Errorf("error body %s, want Okta's shape with code %s", r.body, tc.code)
			}
			if r.header.Get("X-Rate-Limit-Limit") == "" {
				t.Error("error response lacks X-Rate-Limit headers")
			}
		})
	}
}

func mustGroup(t testing.TB, sim *Server, name string) Group {
	t.Helper()
	g, ok := sim.Org().GroupByName(name)
	if !ok {
		t.Fatalf("no group %q", name)
	}
	return g
}

func TestGetUserByIDAndLogin(t *testing.T) {
	sim := startSim(t, Options{Fixture: "../../testdata/oktasim/small.yaml"})
	alice, ok := sim.Org().User("alice.admin@example.com")
	if !ok {
		t.Fatal("fixture user alice missing")
	}
	for _, key := range []string{alice.ID, "alice.admin@example.com"} {
		r := call(t, sim, "GET", "/api/v1/users/"+url.PathEscape(key), "")
		u := decode[userJSON](t, r)
		if r.status != 200 || u.ID != alice.ID || u.Profile.Login != alice.Login {
			t.Errorf("GET user %s: %d %s", key, r.status, r.body)
		}
	}
}

func TestListUsers(t *testing.T) {
	sim := startSim(t, Options{Fixture: "../../testdata/oktasim/small.yaml"})
	org := sim.Org()
	erin, _ := org.User("erin.evans@example.com")
	bob, _ := org.User("bob.builder@example.com")
	ids := func(r response) []string {
		var out []string
		for _, u := range decode[[]userJSON](t, r) {
			out = append(out, u.ID)
		}
		return out
	}
	all := ids(call(t, sim, "GET", "/api/v1/users", ""))
	if len(all) != 7 || slices.Contains(all, erin.ID) {
		t.Errorf("plain list has %d users (DEPROVISIONED included: %v), want 7 without Erin", len(all), slices.Contains(all, erin.ID))
	}
	r := call(t, sim, "GET", "/api/v1/users?limit=3", "")
	if next := links(t, r.header)["next"]; len(ids(r)) != 3 || next == "" {
		t.Errorf("limit=3: %d users, next %q", len(ids(r)), next)
	}
	mark := formatTime(org.Users()[0].LastUpdated)
	mustNil(t, org.Lifecycle(bob.ID, LifecycleSuspend))
	waitVisible(t, sim) // the users search lags writes
	q := url.Values{"search": {`lastUpdated gt "` + mark + `"`}}
	if got := ids(call(t, sim, "GET", "/api/v1/users?"+q.Encode(), "")); !slices.Equal(got, []string{bob.ID}) {
		t.Errorf("search on lastUpdated found %v, want only the suspended user", got)
	}
	mustNil(t, org.Lifecycle(bob.ID, LifecycleDeactivate))
	waitVisible(t, sim)
	if got := ids(call(t, sim, "GET", "/api/v1/users?"+q.Encode(), "")); !slices.Equal(got, []string{bob.ID}) {
		t.Errorf("search must include the DEPROVISIONED user, found %v", got)
	}
	q = url.Values{"filter": {`status eq "DEPROVISIONED"`}}
	if got := ids(call(t, sim, "GET", "/api/v1/users?"+q.Encode(), "")); len(got) != 2 {
		t.Errorf("filter status DEPROVISIONED found %d users, want Erin and Bob", len(got))
	}
}
