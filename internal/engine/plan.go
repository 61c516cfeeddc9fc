package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/rolesync/rolesync/internal/target"
)

// read takes a snapshot of refs: a delta read from the previous snapshot
// when the source offers it, else (or when full, or when the last full read
// is older than FullEvery) a full read. A complete snapshot becomes the base
// of the next delta read.
func (e *Engine) read(ctx context.Context, refs []string, full bool) (*Snapshot, error) {
	ds, ok := e.opts.Source.(DeltaSource)
	if !ok {
		return e.opts.Source.Snapshot(ctx, refs)
	}
	now := e.opts.Now()
	full = full || e.prev == nil || now.Sub(e.lastFull) >= e.opts.FullEvery
	var (
		snap *Snapshot
		err  error
	)
	if full {
		snap, err = ds.Snapshot(ctx, refs)
	} else {
		snap, err = ds.SnapshotDelta(ctx, refs, e.prev)
	}
	if err != nil || snap == nil {
		return snap, err
	}
	if full {
		e.lastFull = now
	}
	e.prev = snap
	return snap, nil
}

// makePlan reads Okta and the target and plans with every gate.
func (e *Engine) makePlan(ctx context.Context, pol Policy, full bool, prog func(Progress)) (*Plan, error) {
	p, err := e.rawPlan(ctx, pol, full, prog)
	if err != nil {
		return p, err
	}
	gate(p, pol)
	return p, nil
}

// rawPlan reads and plans, with the gates that always apply (protected
// accounts and last admins) but without the gates that hold.
func (e *Engine) rawPlan(ctx context.Context, pol Policy, full bool, prog func(Progress)) (*Plan, error) {
	if len(pol.Mappings) == 0 {
		return nil, fmt.Errorf("no mappings configured: a sync with no mapped Okta group would revoke every portal user; add a mapping (group and roles) first")
	}
	refs := pol.refs()
	prog(Progress{Phase: PhaseRead, Done: 0, Total: len(refs)})
	// The target is listed while Okta is read: both are only reads, and a
	// large target's listing then costs the plan nothing.
	tctx, cancelTarget := context.WithCancel(ctx)
	defer cancelTarget()
	listed := make(chan targetListing, 1)
	go func() { listed <- e.listTarget(tctx) }()
	snap, err := e.read(ctx, refs, full)
	if err == nil && snap == nil {
		err = errors.New("empty snapshot")
	}
	if err != nil {
		cancelTarget()
		<-listed
		return nil, fmt.Errorf("read Okta groups: %w; nothing was changed", err)
	}
	prog(Progress{Phase: PhaseRead, Done: len(refs), Total: len(refs)})
	tl := <-listed
	if tl.err != nil {
		return &Plan{APICalls: snap.APICalls}, fmt.Errorf("%w; nothing was changed", tl.err)
	}
	users, roles := tl.users, tl.roles
	pl, err := newPlanner(pol, snap, users, roles)
	if err != nil {
		return &Plan{APICalls: snap.APICalls}, err
	}
	if err := pl.match(); err != nil {
		return &Plan{APICalls: snap.APICalls}, err
	}
	var found map[string]*User
	if lu, ok := e.opts.Source.(UserLookup); ok {
		if ids := pl.departed(); len(ids) > 0 {
			found, err = lu.LookupUsers(ctx, ids)
			if err != nil {
				return &Plan{APICalls: snap.APICalls}, fmt.Errorf("look up users who left the mapped groups: %w; nothing was changed", err)
			}
			// A nil map means the source could not look users up (no
			// okta.users.read scope): the reasons stay "left Okta or every
			// synced group" rather than claiming the users left Okta.
		}
	}
	pl.unmatched(found)
	p := pl.plan
	if err := e.noteGroups(ctx, p, pol.Mappings, snap); err != nil {
		return &Plan{APICalls: snap.APICalls}, err
	}
	protect(p, pl.pol.Safety)
	keepLastAdmins(p, pl.pol.Safety)
	order(p)
	return p, nil
}

// want is one Okta member of the mapped groups and what it should hold.
type want struct {
	id  string // Okta user id
	set int32  // index of its grantSet
	// match is 1 + the index of the target user with this Okta id, or 0.
	match int
}

// A grantSet is the mappings a user is in, their groups, and the roles they
// grant, sorted, each with the first group (in mapping order) that grants
// it. Users in the same mapped groups share one set, so the desired state
// costs no allocation per user.
type grantSet struct {
	groups []string
	// reason is "member of " and the groups, shared by every change it
	// makes.
	reason string
	roles  []roleGrant
	// next[mi] is the set reached by adding mapping mi, or -1 when not yet
	// known.
	next []int32
}

// roleGrant is a role, the group that grants it and the reason of its
// grants ("member of" the group).
type roleGrant struct{ role, group, reason string }

// grant adds role, granted by group, unless the set already grants it.
func (s *grantSet) grant(role, group string) {
	i, found := slices.BinarySearchFunc(s.roles, role, func(g roleGrant, r string) int { return strings.Compare(g.role, r) })
	if !found {
		s.roles = slices.Insert(s.roles, i, roleGrant{role, group, "member of " + group})
	}
}

// has reports whether the set grants role.
func (s *grantSet) has(role string) bool {
	_, found := slices.BinarySearchFunc(s.roles, role, func(g roleGrant, r string) int { return strings.Compare(g.role, r) })
	return found
}

// extend returns the set reached from set by adding mapping mi (of group
// name). Mappings are added in ascending order, so each set has exactly one
// predecessor and memoised steps give equal sets one index.
func (pl *planner) extend(set int32, mi int, name string) int32 {
	if n := pl.sets[set].next[mi]; n >= 0 {
		return n
	}
	old := &pl.sets[set]
	ns := grantSet{groups: slices.Clone(old.groups), roles: slices.Clone(old.roles), next: newNext(len(pl.pol.Mappings))}
	if !slices.Contains(ns.groups, name) {
		ns.groups = append(ns.groups, name)
	}
	for _, r := range pl.pol.Mappings[mi].Roles {
		ns.grant(r, name)
	}
	ns.reason = "member of " + strings.Join(ns.groups, ", ")
	id := int32(len(pl.sets))
	pl.sets = append(pl.sets, ns)
	pl.sets[set].next[mi] = id
	// A user listed twice in one group stays in the same set.
	pl.sets[id].next[mi] = id
	return id
}

func newNext(n int) []int32 {
	next := make([]int32, n)
	for i := range next {
		next[i] = -1
	}
	return next
}

// cur returns the target user of c as listed before the run, or an empty
// user for a user to create.
func (p *Plan) cur(c PlannedChange) *target.User {
	if c.ti > 0 && c.ti <= len(p.users) {
		return &p.users[c.ti-1]
	}
	return &target.User{}
}

type planner struct {
	pol   Policy
	snap  *Snapshot
	users []target.User
	// desired indexes wants by Okta user id; wants are in order of first
	// appearance in the mapped groups.
	desired map[string]int32
	wants   []want
	sets    []grantSet
	claimed []bool
	// roleGroup is the first mapped group granting each role.
	roleGroup map[string]string
	plan      *Plan
}

// addMapping adds the members of mapping mi to the desired state.
func (pl *planner) addMapping(mi int, m Mapping, known map[string]bool, seen map[*Group]bool) error {
	p, snap := pl.plan, pl.snap
	for _, r := range m.Roles {
		if !known[r] {
			return fmt.Errorf("mapping for Okta group %q grants role %q, which the target does not define; add it (rolesync roles add %q) or fix the mapping", m.Group, r, r)
		}
	}
	g, ok := snap.Groups[m.Group]
	if !ok || g == nil {
		if !slices.Contains(snap.Missing, m.Group) {
			return fmt.Errorf("incomplete Okta read: mapped group %q is neither in the snapshot nor reported missing; nothing was changed", m.Group)
		}
		if !slices.Contains(p.Missing, m.Group) {
			p.Missing = append(p.Missing, m.Group)
		}
		return nil
	}
	name := cmp.Or(g.Name, g.ID, m.Group)
	for _, r := range m.Roles {
		if _, ok := pl.roleGroup[r]; !ok {
			pl.roleGroup[r] = name
		}
	}
	if !seen[g] {
		seen[g] = true
		p.Groups++
		p.Members += len(g.MemberIDs)
	}
	for _, id := range g.MemberIDs {
		i, ok := pl.desired[id]
		if !ok {
			i = int32(len(pl.wants))
			pl.desired[id] = i
			pl.wants = append(pl.wants, want{id: id})
		}
		w := &pl.wants[i]
		w.set = pl.extend(w.set, mi, name)
	}
	return nil
}

// newPlanner works out the desired state and checks the snapshot and the
// mappings for completeness.
func newPlanner(pol Policy, snap *Snapshot, users []target.User, roles []string) (*planner, error) {
	people := snap.Users
	if people == nil {
		people = UserMap(nil)
	}
	n := people.Len()
	p := &Plan{APICalls: snap.APICalls, TakenAt: snap.TakenAt, Feed: snap.Feed, OktaUsers: n,
		users: users, people: people}
	pl := &planner{pol: pol, snap: snap, users: users, desired: make(map[string]int32, n), wants: make([]want, 0, n),
		claimed: make([]bool, len(users)), roleGroup: map[string]string{}, plan: p,
		sets: []grantSet{{next: newNext(len(pol.Mappings))}}}
	known := map[string]bool{}
	for _, r := range roles {
		known[r] = true
	}
	admin, err := canonicalAdminRoles(pol.Safety.AdminRoles, roles)
	if err != nil {
		return nil, err
	}
	pl.pol.Safety.AdminRoles = admin
	seen := map[*Group]bool{}
	for mi, m := range pol.Mappings {
		if err := pl.addMapping(mi, m, known, seen); err != nil {
			return nil, err
		}
	}
	for i := range users {
		u := &users[i]
		if u.Active && len(u.Roles) > 0 {
			p.ManagedUsers++
		}
	}
	p.FirstRun = !slices.ContainsFunc(users, func(u target.User) bool { return u.ExternalID != "" })
	return pl, nil
}
