package engine

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
	"github.com/rolesync/rolesync/internal/target/local"
)

var defaultMappings = []Mapping{
	{Group: "Eng", Roles: []string{"Administrator"}},
	{Group: "Ops", Roles: []string{"Read Only"}},
	{Group: "Audit", Roles: []string{"Auditor", "Read Only"}},
}

type env struct {
	t       *testing.T
	dir     *local.Directory
	src     *fakeSource
	rec     *fakeRecorder
	eng     *Engine
	cfg     Policy
	notices []Notice
}

// newEnv builds an engine over a real local directory holding before.
func newEnv(t *testing.T, cfg Policy, o *org, before []target.User, lookup bool) *env {
	t.Helper()
	ctx := context.Background()
	dir, err := local.Open(ctx, filepath.Join(t.TempDir(), "directory.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dir.Close() })
	for _, r := range []string{"Administrator", "Read Only", "Auditor"} {
		if err := dir.AddRole(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range before {
		active := u.Active
		created, err := dir.AddUser(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if !active {
			if err := dir.RevokeAll(ctx, created.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if cfg.Mappings == nil {
		cfg.Mappings = defaultMappings
	}
	if cfg.Safety.MaxRevocations == 0 && cfg.Safety.MaxRevocationPercent == 0 {
		// Neither limit set: the defaults, as a file that leaves them out
		// gets from the configuration. Tests of zero limits set them after.
		cfg.Safety.MaxRevocations, cfg.Safety.MaxRevocationPercent = defaultLimits.MaxRevocations, defaultLimits.MaxRevocationPercent
	}
	e := &env{t: t, dir: dir, src: &fakeSource{org: o}, rec: newRecorder(), cfg: cfg}
	var src Source = e.src
	if lookup {
		e.src.lookup = o.users
		src = lookupSource{e.src}
	}
	clock := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	e.eng, err = New(Options{Source: src, Target: dir, Recorder: e.rec,
		Policy: func() Policy { return e.cfg }, Now: func() time.Time { return clock },
		Notify: func(n Notice) { e.notices = append(e.notices, n) }})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) state() map[string]string {
	e.t.Helper()
	users, err := e.dir.ListUsers(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return state(users)
}

func short(login string) string { return strings.TrimSuffix(login, "@example.com") }

func describe(cs []PlannedChange) []string {
	var out []string
	for _, c := range cs {
		s := short(c.User) + " " + c.Action
		if c.Role != "" {
			s += " " + c.Role
		}
		out = append(out, s+": "+c.Reason)
	}
	return out
}

func describeKept(ks []Kept) []string {
	var out []string
	for _, k := range ks {
		s := short(k.User) + " " + k.Action
		if k.Role != "" {
			s += " " + k.Role
		}
		out = append(out, s+": "+k.Reason)
	}
	return out
}

// hand is a portal user an admin made by hand.
func hand(login string, roles ...string) target.User {
	return target.User{Login: login, Email: login, Roles: roles, Active: true}
}

// synced is a portal user a previous sync made.
func synced(name string, roles ...string) target.User {
	return target.User{ExternalID: name, Login: name + "@example.com", Email: name + "@example.com",
		FirstName: strings.ToUpper(name[:1]) + name[1:], LastName: "Test", Roles: roles, Active: true}
}

func equalOrDiff(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

func TestRunSemantics(t *testing.T) {
	disabled := synced("dora", "Administrator")
	disabled.Active = false
	tests := []struct {
		name        string
		org         *org
		before      []target.User
		lookup      bool
		wantStatus  string
		wantChanges []string
		wantState   map[string]string
	}{
		{
			name: "members are created with the union of their groups' roles",
			org:  newOrg().user("ann", StatusActive, "Eng", "Ops").user("bob", StatusActive, "Audit"),
			wantChanges: []string{
				"ann create: member of Eng, Ops", "ann grant Administrator: member of Eng", "ann grant Read Only: member of Ops",
				"bob create: member of Audit", "bob grant Auditor: member of Audit", "bob grant Read Only: member of Audit",
			},
			wantState: map[string]string{"ann@example.com": "on:Administrator,Read Only", "bob@example.com": "on:Auditor,Read Only"},
		},
		{
			name: "only active-like statuses get roles; staged and provisioned are not created",
			org: newOrg().user("act", StatusActive, "Ops").user("exp", StatusPasswordExpired, "Ops").
				user("lck", StatusLockedOut, "Ops").user("rec", StatusRecovery, "Ops").
				user("stg", StatusStaged, "Ops").user("prv", StatusProvisioned, "Ops").
				user("sus", StatusSuspended, "Ops").user("dep", StatusDeprovisioned, "Ops"),
			wantChanges: []string{
				"act create: member of Ops", "act grant Read Only: member of Ops", "exp create: member of Ops", "exp grant Read Only: member of Ops",
				"lck create: member of Ops", "lck grant Read Only: member of Ops", "rec create: member of Ops", "rec grant Read Only: member of Ops",
			},
			wantState: map[string]string{"act@example.com": "on:Read Only", "exp@example.com": "on:Read Only",
				"lck@example.com": "on:Read Only", "rec@example.com": "on:Read Only"},
		},
		{
			name:   "matched by Okta id: roles follow the groups",
			org:    newOrg().user("ann", StatusActive, "Ops"),
			before: []target.User{synced("ann", "Administrator", "Auditor")},
			wantChanges: []string{"ann grant Read Only: member of Ops", "ann revoke Administrator: removed from Eng",
				"ann revoke Auditor: removed from Audit"},
			wantState: map[string]string{"ann@example.com": "on:Read Only"},
		},
		{
			name:        "never-seen user matched by login, not created twice",
			org:         newOrg().user("ann", StatusActive, "Eng"),
			before:      []target.User{{Login: "ANN@example.com", Roles: []string{"Administrator"}, Active: true}},
			wantChanges: []string{"ann update: matched to Okta user ann by login"},
			wantState:   map[string]string{"ann@example.com": "on:Administrator"},
		},
		{
			name: "a changed email updates the profile instead of creating a user",
			org:  newOrg().user("ann", StatusActive, "Eng"),
			before: []target.User{func() target.User {
				u := synced("ann", "Administrator")
				u.Email = "old@example.com"
				return u
			}()},
			wantChanges: []string{"ann update: email changed in Okta"},
			wantState:   map[string]string{"ann@example.com": "on:Administrator"},
		},
		{
			name:        "a user who left every mapped group is disabled, not deleted",
			org:         newOrg().user("ann", StatusActive, "Eng"),
			before:      []target.User{synced("ann", "Administrator"), synced("bob", "Read Only")},
			wantChanges: []string{"bob revoke_all: left Okta or every synced group"},
			wantState:   map[string]string{"ann@example.com": "on:Administrator", "bob@example.com": "off:"},
		},
		{
			name:   "with user lookups, the reason says whether the user left Okta",
			org:    newOrg().user("ann", StatusActive, "Eng").user("cat", StatusActive).user("eve", StatusSuspended),
			before: []target.User{synced("ann", "Administrator"), synced("bob", "Read Only"), synced("cat", "Read Only"), synced("eve", "Read Only")},
			lookup: true,
			wantChanges: []string{"bob revoke_all: left Okta", "cat revoke_all: removed from every synced group",
				"eve revoke_all: suspended in Okta"},
			wantState: map[string]string{"ann@example.com": "on:Administrator", "bob@example.com": "off:",
				"cat@example.com": "off:", "eve@example.com": "off:"},
		},
		{
			name: "suspended and deactivated members lose all roles",
			org: newOrg().user("ann", StatusActive, "Eng").user("sus", StatusSuspended, "Eng").
				user("dep", StatusDeprovisioned, "Ops"),
			before:      []target.User{synced("ann", "Administrator"), synced("sus", "Administrator"), synced("dep", "Read Only")},
			wantChanges: []string{"dep revoke_all: deactivated in Okta", "sus revoke_all: suspended in Okta"},
			wantState:   map[string]string{"ann@example.com": "on:Administrator", "sus@example.com": "off:", "dep@example.com": "off:"},
		},
		{
			name:        "a member Okta deleted during the read has left Okta",
			org:         newOrg().user("ann", StatusActive, "Eng").user("del", StatusDeleted, "Eng"),
			before:      []target.User{synced("ann", "Administrator"), synced("del", "Administrator")},
			wantChanges: []string{"del revoke_all: left Okta (deleted)"},
			wantState:   map[string]string{"ann@example.com": "on:Administrator", "del@example.com": "off:"},
		},
		{
			name:   "portal admins in no synced group lose their roles (seed), after the grants; users without roles are left alone",
			org:    newOrg().user("ann", StatusActive, "Eng"),
			before: []target.User{hand("root@corp", "Administrator"), hand("viewer@corp")},
			wantChanges: []string{"ann create: member of Eng", "ann grant Administrator: member of Eng",
				"root@corp revoke_all: in no synced group"},
			wantState: map[string]string{"ann@example.com": "on:Administrator", "root@corp": "off:", "viewer@corp": "on:"},
		},
		{
			name:        "a disabled user back in a group is enabled",
			org:         newOrg().user("dora", StatusActive, "Ops"),
			before:      []target.User{disabled},
			wantChanges: []string{"dora enable: member of Ops", "dora grant Read Only: member of Ops"},
			wantState:   map[string]string{"dora@example.com": "on:Read Only"},
		},
		{
			name:      "nothing to do",
			org:       newOrg().user("ann", StatusActive, "Eng"),
			before:    []target.User{synced("ann", "Administrator")},
			wantState: map[string]string{"ann@example.com": "on:Administrator"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Policy{}, tc.org, tc.before, tc.lookup)
			res, err := e.eng.Run(context.Background(), RunOptions{Trigger: store.TriggerCLI})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != cmpOrS(tc.wantStatus, store.StatusSucceeded) {
				t.Errorf("status %q, want %q", res.Status, tc.wantStatus)
			}
			equalOrDiff(t, "applied", describe(res.Applied), tc.wantChanges)
			if got := e.state(); !mapsEqual(got, tc.wantState) {
				t.Errorf("directory:\n got  %v\n want %v", got, tc.wantState)
			}
			// What was applied is recorded, with reasons, against the run.
			run := e.rec.run(res.RunID)
			if run.Status != res.Status || run.Trigger != store.TriggerCLI || run.Created != res.Created {
				t.Errorf("recorded run %+v, result %+v", run, res)
			}
			if got := len(e.rec.changes[res.RunID]); got != len(tc.wantChanges) {
				t.Errorf("recorded %d changes, want %d", got, len(tc.wantChanges))
			}
			// A second run with nothing changed in Okta changes nothing.
			again, err := e.eng.Run(context.Background(), RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(again.Applied) != 0 {
				t.Errorf("second run applied %q", describe(again.Applied))
			}
		})
	}
}

func cmpOrS(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
