package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// many returns n synced users prefix00 … with roles.
func many(prefix string, n int, roles ...string) []target.User {
	var out []target.User
	for i := range n {
		out = append(out, synced(fmt.Sprintf("%s%02d", prefix, i), roles...))
	}
	return out
}

// members adds n active users prefix00 … to group.
func (o *org) members(prefix string, n int, group string) *org {
	for i := range n {
		o.user(fmt.Sprintf("%s%02d", prefix, i), StatusActive, group)
	}
	return o
}

func TestRunGates(t *testing.T) {
	tests := []struct {
		name       string
		cfg        Policy
		org        *org
		snap       *Snapshot // overrides org
		readErr    error
		before     []target.User
		wantStatus string
		wantErr    string
		wantApply  []string
		wantHeld   []string
		wantKept   []string
		wantNotice []string
	}{
		{
			name:       "a failed read applies nothing",
			org:        newOrg(),
			readErr:    errors.New("GET /api/v1/groups/00gEng/users page 3: 500 Internal Server Error"),
			before:     []target.User{synced("ann", "Administrator")},
			wantStatus: store.StatusFailed,
			wantErr:    "read Okta groups: GET /api/v1/groups/00gEng/users page 3: 500 Internal Server Error; nothing was changed",
			wantNotice: []string{NoticeFailed},
		},
		{
			name: "a snapshot with a member but no user record applies nothing",
			snap: &Snapshot{Groups: map[string]*Group{
				"Eng": {ID: "1", Name: "Eng", MemberIDs: []string{"ghost"}}, "Ops": {ID: "2", Name: "Ops"}, "Audit": {ID: "3", Name: "Audit"}},
				Users: UserMap{}},
			before:     []target.User{synced("ann", "Administrator")},
			wantStatus: store.StatusFailed,
			wantErr:    "incomplete Okta read: member ghost of group \"Eng\" has no user record",
			wantNotice: []string{NoticeFailed},
		},
		{
			name:   "a snapshot without a mapped group applies nothing",
			snap:   &Snapshot{Groups: map[string]*Group{"Eng": {ID: "1", Name: "Eng"}}, Users: UserMap{}},
			before: []target.User{synced("ann", "Administrator")}, wantStatus: store.StatusFailed,
			wantErr: `mapped group "Ops" is neither in the snapshot nor reported missing`, wantNotice: []string{NoticeFailed},
		},
		{
			name:       "a mapping to a role the target lacks applies nothing",
			cfg:        Policy{Mappings: []Mapping{{Group: "Eng", Roles: []string{"Owner"}}}},
			org:        newOrg().user("ann", StatusActive, "Eng"),
			wantStatus: store.StatusFailed,
			wantErr:    `grants role "Owner", which the target does not define; add it (rolesync roles add "Owner")`,
			wantNotice: []string{NoticeFailed},
		},
		{
			name:       "no mappings applies nothing",
			cfg:        Policy{Mappings: []Mapping{}},
			org:        newOrg(),
			before:     []target.User{hand("root@corp", "Administrator")},
			wantStatus: store.StatusFailed,
			wantErr:    "no mappings configured",
			wantNotice: []string{NoticeFailed},
		},
		{
			name: "a mapped group missing from Okta holds the revocations it would cause",
			cfg: Policy{Mappings: append(slices.Clone(defaultMappings),
				Mapping{Group: "Gone", Roles: []string{"Auditor"}})},
			org:        newOrg().user("ann", StatusActive, "Eng"),
			before:     []target.User{synced("ann", "Administrator", "Auditor"), synced("bob", "Read Only"), synced("cat", "Auditor")},
			wantStatus: store.StatusHeld,
			wantApply:  []string{"bob revoke_all: left Okta or every synced group"},
			wantHeld:   []string{"ann revoke Auditor: removed from Audit", "cat revoke_all: left Okta or every synced group"},
			wantNotice: []string{NoticeMissingGroups, NoticeHeld},
		},
		{
			name:       "every mapped group empty while synced users hold roles: held",
			org:        newOrg(),
			before:     append(many("u", 3, "Read Only"), hand("root@corp", "Administrator")),
			wantStatus: store.StatusHeld,
			wantHeld: []string{"root@corp revoke_all: in no synced group", "u00 revoke_all: left Okta or every synced group",
				"u01 revoke_all: left Okta or every synced group", "u02 revoke_all: left Okta or every synced group"},
			wantNotice: []string{NoticeHeld},
		},
		{
			name:      "every mapped group empty on a first run is not suspicious",
			org:       newOrg(),
			before:    []target.User{hand("root@corp", "Administrator")},
			wantApply: []string{"root@corp revoke_all: in no synced group"},
		},
		{
			name: "protected accounts are never revoked and shown as kept",
			cfg:  Policy{Safety: Safety{ProtectedAccounts: []string{"BreakGlass@Example.com", "bob@example.com"}}},
			org:  newOrg().user("ann", StatusActive, "Eng").user("bob", StatusSuspended, "Eng"),
			before: []target.User{hand("breakglass@example.com", "Administrator"), synced("ann", "Administrator", "Auditor"),
				synced("bob", "Administrator")},
			wantApply: []string{"ann revoke Auditor: removed from Audit"},
			wantKept: []string{"bob revoke_all: protected account (would have been: suspended in Okta)",
				"breakglass revoke_all: protected account (would have been: in no synced group)"},
		},
		{
			name:      "the last holder of an admin role keeps it",
			cfg:       Policy{Safety: Safety{AdminRoles: []string{"Administrator"}}},
			org:       newOrg().user("ann", StatusActive, "Ops").user("bob", StatusActive, "Ops"),
			before:    []target.User{synced("ann", "Administrator"), synced("bob", "Administrator")},
			wantApply: []string{"ann grant Read Only: member of Ops", "bob grant Read Only: member of Ops", "bob revoke Administrator: removed from Eng"},
			wantKept:  []string{`ann revoke Administrator: last holder of admin role "Administrator" (would have been: removed from Eng)`},
		},
		{
			name:      "the last admin may go when the run makes a new one",
			cfg:       Policy{Safety: Safety{AdminRoles: []string{"Administrator"}}},
			org:       newOrg().user("new", StatusActive, "Eng"),
			before:    []target.User{synced("old", "Administrator")},
			wantApply: []string{"new create: member of Eng", "new grant Administrator: member of Eng", "old revoke_all: left Okta or every synced group"},
		},
		{
			name:       "revocations over the threshold are held; grants still apply",
			org:        newOrg().members("s", 2, "Ops").user("new", StatusActive, "Ops"),
			before:     append(many("s", 2, "Read Only"), many("x", 11, "Read Only")...),
			wantStatus: store.StatusHeld,
			wantApply:  []string{"new create: member of Ops", "new grant Read Only: member of Ops"},
			wantHeld:   describe(leaving("x", 11)),
			wantNotice: []string{NoticeHeld},
		},
		{
			name:      "revocations at the threshold apply",
			org:       newOrg().members("s", 2, "Ops"),
			before:    append(many("s", 2, "Read Only"), many("x", 10, "Read Only")...),
			wantApply: describe(leaving("x", 10)),
		},
		{
			name:      "the threshold is P% of managed users when larger",
			cfg:       Policy{Safety: Safety{MaxRevocations: 2, MaxRevocationPercent: 50}},
			org:       newOrg().members("s", 4, "Ops"),
			before:    append(many("s", 4, "Read Only"), many("x", 4, "Read Only")...),
			wantApply: describe(leaving("x", 4)),
		},
		{
			name:       "over P% of managed users is held",
			cfg:        Policy{Safety: Safety{MaxRevocations: 2, MaxRevocationPercent: 50}},
			org:        newOrg().members("s", 3, "Ops"),
			before:     append(many("s", 3, "Read Only"), many("x", 5, "Read Only")...),
			wantStatus: store.StatusHeld,
			wantHeld:   describe(leaving("x", 5)),
			wantNotice: []string{NoticeHeld},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.org
			if o == nil {
				o = newOrg()
			}
			e := newEnv(t, tc.cfg, o, tc.before, false)
			if tc.snap != nil {
				e.src.org = nil
				e.src.snap = tc.snap
			}
			e.src.err = tc.readErr
			before := e.state()
			res, err := e.eng.Run(context.Background(), RunOptions{})
			wantStatus := cmpOrS(tc.wantStatus, store.StatusSucceeded)
			if res.Status != wantStatus {
				t.Fatalf("status %q (err %v), want %q", res.Status, err, wantStatus)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || res.Error != err.Error() {
					t.Fatalf("err %v (result %q), want it to contain %q", err, res.Error, tc.wantErr)
				}
				if got := e.state(); !mapsEqual(got, before) {
					t.Fatalf("a failed run changed the directory:\n before %v\n after  %v", before, got)
				}
				if len(e.rec.changes[res.RunID]) != 0 {
					t.Fatalf("a failed run recorded changes: %v", e.rec.changes[res.RunID])
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if rec := e.rec.run(res.RunID); rec.Status != wantStatus || rec.Error != res.Error || rec.Held != len(tc.wantHeld) {
				t.Errorf("recorded run %+v", rec)
			}
			equalOrDiff(t, "applied", describe(res.Applied), tc.wantApply)
			var held, kept []string
			if res.Plan != nil {
				held, kept = describe(res.Plan.Held), describeKept(res.Plan.Kept)
			}
			equalOrDiff(t, "held", held, tc.wantHeld)
			equalOrDiff(t, "kept", kept, tc.wantKept)
			if res.Held != len(tc.wantHeld) {
				t.Errorf("result held %d, want %d", res.Held, len(tc.wantHeld))
			}
			if len(tc.wantHeld) > 0 {
				h, err := e.rec.Hold(context.Background(), res.RunID)
				if err != nil || len(h.Changes) != len(tc.wantHeld) || h.Status != store.HoldPending {
					t.Errorf("hold %+v, %v", h, err)
				}
			}
			var kinds []string
			for _, n := range e.notices {
				kinds = append(kinds, n.Kind)
			}
			equalOrDiff(t, "notices", kinds, tc.wantNotice)
			// Held and kept revocations left the directory alone.
			after := e.state()
			for _, c := range append(slices.Clone(tc.wantHeld), tc.wantKept...) {
				login := strings.Fields(c)[0]
				if !strings.Contains(login, "@") {
					login += "@example.com"
				}
				if !keeps(before[login], after[login]) {
					t.Errorf("user %s went from %q to %q though its revocation was held or kept", login, before[login], after[login])
				}
			}
		})
	}
}

// leaving is the revocations of n synced users prefix00 … who left.
func leaving(prefix string, n int) []PlannedChange {
	var out []PlannedChange
	for _, u := range many(prefix, n) {
		out = append(out, PlannedChange{User: u.Login, Action: store.ActionRevokeAll, Reason: "left Okta or every synced group"})
	}
	return out
}

// keeps reports whether the state after ("on:A,B") keeps the activity and
// every role of the state before.
func keeps(before, after string) bool {
	b, a := strings.SplitN(before, ":", 2), strings.SplitN(after, ":", 2)
	if len(b) != 2 || len(a) != 2 || b[0] != a[0] {
		return false
	}
	for _, r := range strings.Split(b[1], ",") {
		if r != "" && !slices.Contains(strings.Split(a[1], ","), r) {
			return false
		}
	}
	return true
}

func configWithAdmins() Policy {
	return Policy{Safety: Safety{AdminRoles: []string{"Administrator"}}}
}
