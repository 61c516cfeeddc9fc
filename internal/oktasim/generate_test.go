package oktasim

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestGenerateIsDeterministic(t *testing.T) {
	a, err := Generate(42, 1000, 80)
	mustNil(t, err)
	b, err := Generate(42, 1000, 80)
	mustNil(t, err)
	c, err := Generate(43, 1000, 80)
	mustNil(t, err)
	if !reflect.DeepEqual(a.Users(), b.Users()) || !reflect.DeepEqual(a.Groups(), b.Groups()) {
		t.Fatal("same seed gave different users or groups")
	}
	for _, g := range a.Groups() {
		if !slices.Equal(a.Members(g.ID), b.Members(g.ID)) {
			t.Fatalf("same seed gave different members of %s", g.Name)
		}
	}
	if reflect.DeepEqual(a.Users(), c.Users()) {
		t.Error("different seeds gave the same users")
	}
}

func TestGenerateShape(t *testing.T) {
	const n, m = 20000, 500
	o, err := Generate(1, n, m)
	mustNil(t, err)
	users, groups := o.Users(), o.Groups()
	if len(users) != n || len(groups) != m {
		t.Fatalf("%d users and %d groups, want %d and %d", len(users), len(groups), n, m)
	}
	statuses := map[string]int{}
	for _, u := range users {
		statuses[u.Status]++
		if len(u.ID) != 20 || !strings.HasPrefix(u.ID, "00u") || u.Login == "" || u.Email == "" {
			t.Fatalf("user %+v is not Okta-shaped", u)
		}
	}
	share := func(s string) float64 { return float64(statuses[s]) / n }
	if s := share(StatusSuspended); s < 0.015 || s > 0.025 {
		t.Errorf("SUSPENDED share %.3f, want about 2%%", s)
	}
	if s := share(StatusDeprovisioned); s < 0.006 || s > 0.014 {
		t.Errorf("DEPROVISIONED share %.3f, want about 1%%", s)
	}
	for _, s := range []string{StatusPasswordExpired, StatusLockedOut, StatusStaged, StatusRecovery, StatusProvisioned} {
		if statuses[s] == 0 {
			t.Errorf("no %s users", s)
		}
	}
	for _, wk := range WellKnownGroups {
		g, ok := o.GroupByName(wk.Name)
		if !ok {
			t.Fatalf("well-known group %s missing", wk.Name)
		}
		if got := float64(g.MemberCount) / n; got < wk.Share*0.7 || got > wk.Share*1.3 {
			t.Errorf("%s holds %.3f of users, want about %.3f", wk.Name, got, wk.Share)
		}
	}
	if g, _ := o.GroupByName("Everyone"); g.Type != GroupTypeBuiltIn || g.MemberCount != n {
		t.Errorf("Everyone: %+v, want BUILT_IN with every user", g)
	}
	// Skew: a few large groups, many small ones, users in several groups.
	sizes := make([]int, 0, m)
	memberships, apps := 0, 0
	for _, g := range groups {
		sizes = append(sizes, g.MemberCount)
		memberships += g.MemberCount
		if g.Type == GroupTypeApp {
			apps++
		}
	}
	slices.Sort(sizes)
	if median := sizes[len(sizes)/2]; median > n/100 {
		t.Errorf("median group has %d members; want most groups small", median)
	}
	if large := sizes[len(sizes)-5]; large < n/20 {
		t.Errorf("fifth largest group has %d members; want a few large groups", large)
	}
	if per := float64(memberships) / n; per < 2.5 {
		t.Errorf("%.1f groups per user; want users in several groups", per)
	}
	if apps == 0 {
		t.Error("no APP_GROUPs")
	}
}

func TestGenerateFewGroups(t *testing.T) {
	o, err := Generate(1, 10, 3)
	mustNil(t, err)
	var names []string
	for _, g := range o.Groups() {
		names = append(names, g.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"Engineering", "Everyone", "IT Admins"}) {
		t.Errorf("groups %v, want the first three well-known groups", names)
	}
	if _, err := Generate(1, -1, 3); err == nil {
		t.Error("negative user count accepted")
	}
}

func TestLoadFixture(t *testing.T) {
	o, err := LoadFixture("../../testdata/oktasim/small.yaml", 1)
	mustNil(t, err)
	if n := len(o.Users()); n != 8 {
		t.Errorf("%d users, want 8", n)
	}
	eng, ok := o.GroupByName("Engineering")
	if !ok || eng.MemberCount != 4 || eng.Type != GroupTypeOkta {
		t.Errorf("Engineering: %+v", eng)
	}
	if ad, _ := o.GroupByName("AD Contractors"); ad.Type != GroupTypeApp {
		t.Errorf("AD Contractors type %s, want APP_GROUP", ad.Type)
	}
	if every, _ := o.GroupByName("Everyone"); every.Type != GroupTypeBuiltIn || every.MemberCount != 8 {
		t.Errorf("Everyone: %+v, want BUILT_IN with all 8 users", every)
	}
	if dan, _ := o.User("dan.diaz@example.com"); dan.Status != StatusSuspended {
		t.Errorf("dan status %s", dan.Status)
	}
	if frank, _ := o.User("frank.fox@example.com"); frank.Email != "frank@example.org" {
		t.Errorf("frank email %s", frank.Email)
	}
	again, err := LoadFixture("../../testdata/oktasim/small.yaml", 1)
	mustNil(t, err)
	if !reflect.DeepEqual(o.Users(), again.Users()) {
		t.Error("same fixture and seed gave different ids")
	}
}

func TestLoadFixtureErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown member", "users: [{login: a@example.com}]\ngroups: [{name: G, members: [b@example.com]}]", `member "b@example.com"`},
		{"bad status", "users: [{login: a@example.com, status: GONE}]", `status "GONE"`},
		{"duplicate login", "users: [{login: a@example.com}, {login: A@example.com}]", "appears twice"},
		{"empty login", "users: [{first_name: A}]", "login is empty"},
		{"duplicate group", "groups: [{name: G}, {name: g}]", "appears twice"},
		{"unknown key", "userz: []", "userz"},
		{"bad group type", "groups: [{name: G, type: TEAM}]", `type "TEAM"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "org.yaml")
			mustNil(t, os.WriteFile(path, []byte(tc.yaml), 0o600))
			_, err := LoadFixture(path, 1)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want it to mention %s", err, tc.want)
			}
		})
	}
	if _, err := LoadFixture(filepath.Join(t.TempDir(), "missing.yaml"), 1); err == nil {
		t.Error("missing file accepted")
	}
}
