package engine

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// propertySeeds is how many random orgs TestPropertyFaults runs:
// ROLESYNC_PROPERTY_SEEDS when set (the long mode, e.g. 20000), else a
// number that keeps `make test` fast, and fewer with -short.
func propertySeeds(t *testing.T) uint64 {
	if v := os.Getenv("ROLESYNC_PROPERTY_SEEDS"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("ROLESYNC_PROPERTY_SEEDS=%q: %v", v, err)
		}
		return n
	}
	if testing.Short() {
		return 200
	}
	return 1000
}

// sizedOrg makes an org of n users; in a tiny org most users are in a
// mapped group.
func sizedOrg(r *rand.Rand, n int) *org {
	o := newOrg()
	odds := map[string]int{"Eng": 12, "Ops": 2, "Audit": 8}
	if n <= 3 {
		odds = map[string]int{"Eng": 2, "Ops": 2, "Audit": 3}
	}
	for i := range n {
		var groups []string
		for _, g := range []string{"Eng", "Ops", "Audit"} {
			if r.IntN(odds[g]) == 0 {
				groups = append(groups, g)
			}
		}
		o.user(fmt.Sprintf("u%02d", i), statuses[r.IntN(len(statuses))], groups...)
	}
	return o
}

// sizedTarget fills the target with synced users (some gone from Okta, some
// deactivated), hand-made accounts whose login is a case variant of an Okta
// login the sync has not linked yet, and hand-made admins.
func sizedTarget(r *rand.Rand, m *memTarget, o *org, n int) {
	ctx := context.Background()
	for i := range n + 2 {
		name := fmt.Sprintf("u%02d", i)
		switch r.IntN(4) {
		case 0, 1:
			c, _ := m.CreateUser(ctx, synced(name, randomRoles(r)...))
			if r.IntN(5) == 0 {
				_ = m.RevokeAll(ctx, c.ID)
			}
		case 2:
			if u := o.users[name]; u != nil {
				_, _ = m.CreateUser(ctx, hand(caseVariant(r, u.Login), randomRoles(r)...))
			}
		}
	}
	for i := range r.IntN(3) {
		_, _ = m.CreateUser(ctx, hand(fmt.Sprintf("admin%d@corp", i), randomRoles(r)...))
	}
}

// recase changes the case of some Okta logins and emails, as Okta allows.
func recase(r *rand.Rand, o *org) {
	for _, id := range slices.Sorted(maps.Keys(o.users)) {
		if u := o.users[id]; r.IntN(6) == 0 {
			u.Login, u.Email = caseVariant(r, strings.ToLower(u.Login)), caseVariant(r, strings.ToLower(u.Email))
		}
	}
}

// lost returns the logins of the users who lost access or a role.
func lost(before, after map[string]target.User) []string {
	var out []string
	for id, b := range before {
		a := after[id]
		if b.Active && !a.Active || slices.ContainsFunc(b.Roles, func(r string) bool { return !slices.Contains(a.Roles, r) }) {
			out = append(out, b.Login)
		}
	}
	return out
}

// TestPropertyFaults runs random orgs of every size, from empty and tiny
// directories up, through random mutations (group moves, lifecycle changes,
// emptied groups, logins and emails changing case) and random faults (a
// failed or truncated group page, a target that fails to list its users or
// roles, writes failing for some users), and checks after every run:
//   - a run that saw a read error fails, says so, and changes and records
//     nothing;
//   - no protected account and no last holder of an admin role is revoked;
//   - without an approval, no more users lose access or roles than
//     max(N, P% of the users holding roles), at every size;
//   - no user loses a role Okta still grants them, logins compared without
//     case;
//   - a login's case variant never makes a second account;
//   - every change made in the target is recorded for the run;
//   - a run without faults that is not held leaves nothing to do.
func TestPropertyFaults(t *testing.T) {
	seeds := propertySeeds(t)
	counts := map[fault]int{}
	for seed := range seeds {
		checkPropertySeed(t, seed, counts)
	}
	t.Logf("%d seeds; runs per fault: %v", seeds, counts)
}

func checkPropertySeed(t *testing.T, seed uint64, counts map[fault]int) {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, 14))
	n := r.IntN(30)
	if r.IntN(3) == 0 {
		n = r.IntN(4) // 0, 1, 2 or 3 users
	}
	o := sizedOrg(r, n)
	m := newMemEnv(t, o, nil)
	ft := &faultTarget{memTarget: m.tgt}
	m.eng.opts.Target = ft
	sizedTarget(r, m.tgt, o, n)
	var protected []string
	for _, u := range snapshotOf(t, m.tgt) {
		if r.IntN(4) == 0 {
			protected = append(protected, caseVariant(r, u.Login))
		}
	}
	m.cfg.Safety = Safety{ProtectedAccounts: protected, AdminRoles: []string{"Administrator", "Auditor"},
		MaxRevocations: r.IntN(4), MaxRevocationPercent: r.IntN(50)}
	for step := range 6 {
		where := fmt.Sprintf("seed %d step %d (%d users)", seed, step, n)
		f := faultNone
		if r.IntN(2) == 0 {
			f = fault(1 + r.IntN(int(faultCount)-1))
		}
		counts[f]++
		inject(r, f, m, ft, o)
		before := snapshotOf(t, m.tgt)
		res, err := m.eng.Run(ctx, RunOptions{})
		after := snapshotOf(t, m.tgt)
		heal(m, ft, o)
		where += fmt.Sprintf(" fault %s", f)
		checkRun(t, where, m, o, f, before, after, res, err)
		if !f.readFault() && res.Status == store.StatusHeld && r.IntN(2) == 0 {
			// The approval re-reads Okta and the target: a read fault
			// then makes it fail and apply nothing.
			af := faultNone
			if r.IntN(3) == 0 {
				af = fault(1 + r.IntN(int(faultListRoles)))
				inject(r, af, m, ft, o)
			}
			before = after
			res, err = m.eng.Approve(ctx, res.RunID)
			after = snapshotOf(t, m.tgt)
			heal(m, ft, o)
			checkRun(t, fmt.Sprintf("%s, approval fault %s, approved", where, af), m, o, af, before, after, res, err)
		} else if err == nil && res.Status == store.StatusSucceeded && f == faultNone {
			dry, err := m.eng.Run(ctx, RunOptions{DryRun: true})
			if err != nil || len(dry.Plan.Changes) > 0 {
				t.Fatalf("%s: a run without faults left changes to make: %v %+v", where, err, dry.Plan.Changes)
			}
		}
		mutate(r, o)
		recase(r, o)
	}
}

func checkRun(t *testing.T, where string, m *memEnv, o *org, f fault, before, after map[string]target.User, res Result, err error) {
	t.Helper()
	approved := strings.HasSuffix(where, "approved")
	recorded := m.rec.changes[res.RunID]
	switch {
	case f.readFault():
		if err == nil || res.Status != store.StatusFailed || res.Error == "" || m.rec.run(res.RunID).Status != store.StatusFailed {
			t.Fatalf("%s: run with a read error: %+v, %v", where, res, err)
		}
		if !mapsEqual(state(values(before)), state(values(after))) || len(recorded) > 0 {
			t.Fatalf("%s: a run with a read error changed the target or recorded %d changes", where, len(recorded))
		}
	case f == faultApply:
		if err != nil && res.Status != store.StatusFailed {
			t.Fatalf("%s: failed apply recorded as %q", where, res.Status)
		}
	case err != nil:
		t.Fatalf("%s: %v", where, err)
	}
	if len(after) < len(before) {
		t.Fatalf("%s: users were deleted", where)
	}
	for id, u := range before {
		if !slices.ContainsFunc(m.cfg.Safety.ProtectedAccounts, func(p string) bool {
			return strings.EqualFold(p, u.Login) || strings.EqualFold(p, u.Email)
		}) {
			continue
		}
		if a := after[id]; u.Active && !a.Active || slices.ContainsFunc(u.Roles, func(r string) bool { return !slices.Contains(a.Roles, r) }) {
			t.Fatalf("%s: protected %s went from %v %q to %v %q", where, u.Login, u.Active, u.Roles, a.Active, a.Roles)
		}
	}
	for _, role := range m.cfg.Safety.AdminRoles {
		if activeHolders(before, role) > 0 && activeHolders(after, role) == 0 {
			t.Fatalf("%s: the last holder of %s was revoked", where, role)
		}
	}
	losing := lost(before, after)
	managed := 0
	for _, u := range before {
		if u.Active && len(u.Roles) > 0 {
			managed++
		}
	}
	if limit := max(m.cfg.Safety.MaxRevocations, managed*m.cfg.Safety.MaxRevocationPercent/100); !approved && len(losing) > limit {
		t.Fatalf("%s: %d users lost access or roles (%v), over the limit of %d of %d managed", where, len(losing), losing, limit, managed)
	}
	checkAccounts(t, where, m, o, before, after)
	for id, a := range after {
		b, ok := before[id]
		if ok && b.Active == a.Active && slices.Equal(b.Roles, a.Roles) {
			continue
		}
		if !slices.ContainsFunc(recorded, func(c store.Change) bool { return strings.EqualFold(c.User, a.Login) && !c.Held }) {
			t.Fatalf("%s: %s changed from %+v to %+v with no change recorded (%+v)", where, a.Login, b, a, recorded)
		}
	}
}

// checkAccounts checks that no user lost a role Okta grants them and that
// no login has more accounts than before (or one, when it had none).
func checkAccounts(t *testing.T, where string, m *memEnv, o *org, before, after map[string]target.User) {
	t.Helper()
	for _, id := range slices.Sorted(maps.Keys(o.users)) {
		u := o.users[id]
		want := granted(m, o, u)
		var accounts []string
		for tid, tu := range before {
			if tu.ExternalID == u.ID {
				accounts = append(accounts, tid)
			}
		}
		if len(accounts) == 0 {
			for tid, tu := range before {
				if tu.ExternalID == "" && strings.EqualFold(tu.Login, u.Login) {
					accounts = append(accounts, tid)
				}
			}
		}
		for _, tid := range accounts {
			b, a := before[tid], after[tid]
			for _, role := range b.Roles {
				if b.Active && want[role] && (!a.Active || !slices.Contains(a.Roles, role)) {
					t.Fatalf("%s: %s lost %s, which Okta grants %s (%s): %+v -> %+v", where, b.Login, role, u.Login, u.Status, b, a)
				}
			}
		}
	}
	count := func(us map[string]target.User) map[string]int {
		out := map[string]int{}
		for _, u := range us {
			out[strings.ToLower(u.Login)]++
		}
		return out
	}
	cb := count(before)
	for login, n := range count(after) {
		if n > max(cb[login], 1) {
			t.Fatalf("%s: %d accounts for %s, %d before", where, n, login, cb[login])
		}
	}
}
