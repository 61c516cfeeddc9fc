package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

var statuses = []string{StatusActive, StatusActive, StatusActive, StatusPasswordExpired,
	StatusLockedOut, StatusRecovery, StatusSuspended, StatusDeprovisioned, StatusStaged, StatusProvisioned}

var allRoles = []string{"Administrator", "Read Only", "Auditor"}

// randomOrg makes an org of up to 30 users in the three default groups.
func randomOrg(r *rand.Rand) *org {
	o := newOrg()
	for i := range r.IntN(30) {
		var groups []string
		// Admin roles are rare: Eng (Administrator) and Audit (Auditor)
		// are small groups, Ops is large.
		for _, g := range []struct {
			name string
			odds int
		}{{"Eng", 12}, {"Ops", 2}, {"Audit", 8}} {
			if r.IntN(g.odds) == 0 {
				groups = append(groups, g.name)
			}
		}
		o.user(fmt.Sprintf("u%02d", i), statuses[r.IntN(len(statuses))], groups...)
	}
	return o
}

func randomRoles(r *rand.Rand) []string {
	var out []string
	for _, role := range allRoles {
		if r.IntN(2) == 0 {
			out = append(out, role)
		}
	}
	return out
}

// randomTarget fills the target with users a previous sync made (some of
// them gone from Okta) and users made by hand.
func randomTarget(r *rand.Rand, m *memTarget, o *org) {
	ctx := context.Background()
	for i := range 35 {
		if r.IntN(2) == 0 {
			continue
		}
		u := synced(fmt.Sprintf("u%02d", i), randomRoles(r)...)
		c, _ := m.CreateUser(ctx, u)
		if r.IntN(5) == 0 {
			_ = m.RevokeAll(ctx, c.ID)
		}
	}
	for i := range r.IntN(4) {
		_, _ = m.CreateUser(ctx, hand(fmt.Sprintf("admin%d@corp", i), randomRoles(r)...))
	}
}

// mutate changes the org as admins do between runs.
func mutate(r *rand.Rand, o *org) {
	for range r.IntN(8) {
		id := fmt.Sprintf("u%02d", r.IntN(35))
		g := []string{"Eng", "Ops", "Audit"}[r.IntN(3)]
		switch r.IntN(4) {
		case 0: // removed from a group
			o.groups[g].MemberIDs = slices.DeleteFunc(o.groups[g].MemberIDs, func(x string) bool { return x == id })
		case 1: // added to a group
			if o.users[id] == nil {
				o.user(id, StatusActive)
			}
			if !slices.Contains(o.groups[g].MemberIDs, id) && (g == "Ops" || r.IntN(3) == 0) {
				o.groups[g].MemberIDs = append(o.groups[g].MemberIDs, id)
			}
		case 2: // lifecycle change
			if u := o.users[id]; u != nil {
				u.Status = statuses[r.IntN(len(statuses))]
			}
		case 3: // a whole group emptied
			o.groups[g].MemberIDs = nil
		}
	}
}

func snapshotOf(t *testing.T, m *memTarget) map[string]target.User {
	t.Helper()
	users, err := m.ListUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]target.User{}
	for _, u := range users {
		out[u.ID] = u
	}
	return out
}

func activeHolders(users map[string]target.User, role string) int {
	n := 0
	for _, u := range users {
		if u.Active && slices.Contains(u.Roles, role) {
			n++
		}
	}
	return n
}

// TestPropertySafety runs random orgs through random mutations and checks,
// after every run and approval: a protected account is never revoked, the
// last admin is never revoked, a run that saw a read error changes nothing,
// and no user is ever deleted.
func TestPropertySafety(t *testing.T) {
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 7))
		o := randomOrg(r)
		m := newMemEnv(t, o, nil)
		if seed%2 == 1 {
			m.eng.opts.Target = &bulkTarget{memTarget: m.tgt} // new users created in bulk
		}
		randomTarget(r, m.tgt, o)
		var protected []string
		for _, u := range snapshotOf(t, m.tgt) {
			if r.IntN(4) == 0 {
				protected = append(protected, strings.ToUpper(u.Login))
			}
		}
		m.cfg.Safety = Safety{ProtectedAccounts: protected, AdminRoles: []string{"Administrator", "Auditor"},
			MaxRevocations: 1 + r.IntN(10), MaxRevocationPercent: r.IntN(50)}
		for step := range 6 {
			before := snapshotOf(t, m.tgt)
			readFails := r.IntN(4) == 0
			switch {
			case readFails && r.IntN(2) == 0:
				m.src.set(nil, errors.New("page 2: 503"))
			case readFails:
				s := o.snap("Eng", "Ops", "Audit")
				s.Groups["Ops"].MemberIDs = append(s.Groups["Ops"].MemberIDs, "unread-user")
				m.src.set(s, nil)
				m.src.org = nil
			}
			res, err := m.eng.Run(context.Background(), RunOptions{})
			if !readFails && res.Status == store.StatusHeld && r.IntN(2) == 0 {
				res, err = m.eng.Approve(context.Background(), res.RunID)
			}
			after := snapshotOf(t, m.tgt)
			where := fmt.Sprintf("seed %d step %d", seed, step)
			if readFails {
				if err == nil || res.Status != store.StatusFailed {
					t.Fatalf("%s: run with a read error: %+v, %v", where, res, err)
				}
				if !mapsEqual(state(values(before)), state(values(after))) {
					t.Fatalf("%s: a run with a read error changed the target", where)
				}
				m.src.set(nil, nil)
				m.src.org = o
			} else if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			if len(after) < len(before) {
				t.Fatalf("%s: users were deleted", where)
			}
			for id, u := range before {
				if !slices.ContainsFunc(protected, func(p string) bool {
					return strings.EqualFold(p, u.Login) || strings.EqualFold(p, u.Email)
				}) {
					continue
				}
				a := after[id]
				if u.Active && !a.Active || slices.ContainsFunc(u.Roles, func(r string) bool { return !slices.Contains(a.Roles, r) }) {
					t.Fatalf("%s: protected %s went from %v %q to %v %q", where, u.Login, u.Active, u.Roles, a.Active, a.Roles)
				}
			}
			for _, role := range m.cfg.Safety.AdminRoles {
				if activeHolders(before, role) > 0 && activeHolders(after, role) == 0 {
					t.Fatalf("%s: the last holder of %s was revoked", where, role)
				}
			}
			mutate(r, o)
		}
	}
}

func values(m map[string]target.User) []target.User {
	out := make([]target.User, 0, len(m))
	for _, u := range m {
		out = append(out, u)
	}
	return out
}
