package app

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/cputime"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/okta"
)

func TestEnginePolicyCarriesMappingsAndSafety(t *testing.T) {
	cfg := config.Config{
		Mappings: []config.Mapping{{Group: "Eng", Roles: []string{"Administrator"}, GroupID: "00g1"}, {Group: "Ops", Roles: []string{"Read Only", "Auditor"}}},
		Safety: config.Safety{ProtectedAccounts: []string{"breakglass@example.com"}, AdminRoles: []string{"Administrator"},
			MaxRevocations: 3, MaxRevocationPercent: 7},
	}
	want := engine.Policy{
		Mappings: []engine.Mapping{{Group: "Eng", Roles: []string{"Administrator"}, GroupID: "00g1"}, {Group: "Ops", Roles: []string{"Read Only", "Auditor"}}},
		Safety: engine.Safety{ProtectedAccounts: []string{"breakglass@example.com"}, AdminRoles: []string{"Administrator"},
			MaxRevocations: 3, MaxRevocationPercent: 7},
	}
	if got := EnginePolicy(cfg); !reflect.DeepEqual(got, want) {
		t.Fatalf("enginePolicy = %+v, want %+v", got, want)
	}
	// Every field of the configuration's types reaches the policy.
	for _, pair := range [][2]reflect.Type{
		{reflect.TypeFor[config.Mapping](), reflect.TypeFor[engine.Mapping]()},
		{reflect.TypeFor[config.Safety](), reflect.TypeFor[engine.Safety]()},
	} {
		if pair[0].NumField() != pair[1].NumField() {
			t.Errorf("%v has %d fields, %v %d: convert the new one in enginePolicy", pair[0], pair[0].NumField(), pair[1], pair[1].NumField())
		}
	}
}

// The engine's defaults and Okta vocabulary are those of the configuration
// and of the Okta client.
func TestEngineSharesDefaultsAndStatuses(t *testing.T) {
	if engine.DefaultInterval != config.DefaultInterval {
		t.Errorf("engine.DefaultInterval %v, config.DefaultInterval %v", engine.DefaultInterval, config.DefaultInterval)
	}
	statuses := map[string]string{
		okta.StatusActive: engine.StatusActive, okta.StatusPasswordExpired: engine.StatusPasswordExpired,
		okta.StatusLockedOut: engine.StatusLockedOut, okta.StatusRecovery: engine.StatusRecovery,
		okta.StatusSuspended: engine.StatusSuspended, okta.StatusDeprovisioned: engine.StatusDeprovisioned,
		okta.StatusStaged: engine.StatusStaged, okta.StatusProvisioned: engine.StatusProvisioned, okta.StatusDeleted: engine.StatusDeleted,
	}
	for o, e := range statuses {
		if o != e || okta.KeepsRoles(o) != engine.KeepsRoles(e) {
			t.Errorf("okta status %q (keeps roles %v) is engine status %q (keeps roles %v)", o, okta.KeepsRoles(o), e, engine.KeepsRoles(e))
		}
	}
}

func TestEngineSnapshotSharesUsersAndGroups(t *testing.T) {
	if engineSnapshot(nil) != nil || engineUsers(nil) != nil {
		t.Fatal("a nil snapshot or user map did not stay nil")
	}
	taken := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	u := &okta.User{ID: "00u1", Status: okta.StatusSuspended, Login: "ann@example.com", Email: "ann@example.com",
		FirstName: "Ann", LastName: "Lee", LastUpdated: taken}
	g := &okta.Group{ID: "00g1", Name: "Eng", Type: "OKTA_GROUP", LastMembershipUpdated: taken, MemberIDs: []string{"00u1"}}
	snap := &okta.Snapshot{Groups: map[string]*okta.Group{"Eng": g}, Missing: []string{"Gone"},
		Users: map[string]*okta.User{"00u1": u}, APICalls: 4, TakenAt: taken, Feed: okta.FeedSystemLog}
	got := engineSnapshot(snap)
	users := got.Users
	got.Users = nil
	want := &engine.Snapshot{
		Groups:   map[string]*engine.Group{"Eng": {ID: "00g1", Name: "Eng", Type: "OKTA_GROUP", LastMembershipUpdated: taken, MemberIDs: []string{"00u1"}}},
		Missing:  []string{"Gone"},
		APICalls: 4, TakenAt: taken, Feed: okta.FeedSystemLog, Base: snap,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("engineSnapshot = %+v, want %+v", got, want)
	}
	wantUser := &engine.User{ID: "00u1", Status: engine.StatusSuspended, Login: "ann@example.com", Email: "ann@example.com",
		FirstName: "Ann", LastName: "Lee", LastUpdated: taken}
	if users.Len() != 1 || !reflect.DeepEqual(users.User("00u1"), wantUser) || users.User("00u2") != nil {
		t.Fatalf("snapshot users: %d, 00u1 %+v, 00u2 %+v; want 1, %+v and nil", users.Len(), users.User("00u1"), users.User("00u2"), wantUser)
	}
	if users.User("00u1") != (*engine.User)(u) || got.Groups["Eng"] != (*engine.Group)(g) {
		t.Fatal("the engine's snapshot copies users or groups instead of sharing them")
	}
	found := engineUsers(map[string]*okta.User{"00u1": u})
	if len(found) != 1 || found["00u1"] != (*engine.User)(u) {
		t.Fatalf("engineUsers = %v", found)
	}
}

// BenchmarkEngineSnapshot measures the conversion of a 100,000-user Okta
// snapshot into the engine's, which every run pays once.
func BenchmarkEngineSnapshot(b *testing.B) {
	const users, groups = 100_000, 40
	snap := &okta.Snapshot{Groups: map[string]*okta.Group{}, Users: make(map[string]*okta.User, users), Feed: okta.FeedFull}
	for i := range groups {
		name := fmt.Sprintf("G%02d", i)
		snap.Groups[name] = &okta.Group{ID: "00g" + name, Name: name}
	}
	for i := range users {
		id := fmt.Sprintf("00u%07d", i)
		snap.Users[id] = &okta.User{ID: id, Status: okta.StatusActive, Login: id + "@example.com"}
		g := snap.Groups[fmt.Sprintf("G%02d", i%groups)]
		g.MemberIDs = append(g.MemberIDs, id)
	}
	b.ReportAllocs()
	cpu0 := cputime.Used()
	for b.Loop() {
		if s := engineSnapshot(snap); s.Users.Len() != users || len(s.Groups) != groups {
			b.Fatalf("%d users, %d groups", s.Users.Len(), len(s.Groups))
		}
	}
	// CPU time, unlike ns/op, does not count the time other processes
	// take the CPU from the benchmark.
	b.ReportMetric(float64((cputime.Used()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
