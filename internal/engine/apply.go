package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// userRef names the user of a change without building a string: its target
// id, else its Okta id, else its login, lower-cased.
type userRef struct{ id, okta, login string }

func refOf(c *PlannedChange) userRef {
	switch {
	case c.UserID != "":
		return userRef{id: c.UserID}
	case c.OktaID != "":
		return userRef{okta: c.OktaID}
	}
	return userRef{login: strings.ToLower(c.User)}
}

// groupByUser orders cs so that the changes of each user are together, in
// order of the user's first appearance, and returns the bounds of each
// user's changes: user i's are ordered[bounds[i]:bounds[i+1]]. When cs
// already keeps each user's changes together (a plan sorted by user), it is
// returned as is, without a copy.
func groupByUser(cs []PlannedChange) (ordered []PlannedChange, bounds []int) {
	idx := make(map[userRef]int32, len(cs)/2+1)
	grp := make([]int32, len(cs))
	var counts []int
	together := true
	for i := range cs {
		k := refOf(&cs[i])
		g, ok := idx[k]
		if !ok {
			g = int32(len(counts))
			idx[k] = g
			counts = append(counts, 0)
		} else if grp[i-1] != g {
			together = false
		}
		grp[i] = g
		counts[g]++
	}
	bounds = make([]int, len(counts)+1)
	for g, n := range counts {
		bounds[g+1] = bounds[g] + n
	}
	if together {
		return cs, bounds
	}
	ordered = make([]PlannedChange, len(cs))
	next := slices.Clone(bounds[:len(counts)])
	for i, g := range grp {
		ordered[next[g]] = cs[i]
		next[g]++
	}
	return ordered, bounds
}

// grantsFirst orders the users of ordered (bounds as from groupByUser) so
// that grants are made before revocations: first the users who lose
// nothing, then those who lose roles but no admin role, then those who lose
// an admin role and are granted something, and last those who only lose an
// admin role. Within each group the plan's order is kept. A grant that the
// last-admin gate counted on is thus made before the revocation it allows,
// and when it fails the run stops before that revocation.
func grantsFirst(ordered []PlannedChange, bounds []int) ([]PlannedChange, []int) {
	users := len(bounds) - 1
	tiers := make([]uint8, users)
	var count [4]int
	sorted := true
	for u := range users {
		tiers[u] = tierOf(ordered[bounds[u]:bounds[u+1]])
		count[tiers[u]]++
		sorted = sorted && (u == 0 || tiers[u] >= tiers[u-1])
	}
	if sorted {
		return ordered, bounds
	}
	// A counting sort by tier: stable, and linear in a large plan.
	var start [4]int
	for t := 1; t < len(start); t++ {
		start[t] = start[t-1] + count[t-1]
	}
	idx := make([]int, users)
	for u, t := range tiers {
		idx[start[t]] = u
		start[t]++
	}
	out := make([]PlannedChange, 0, len(ordered))
	nb := make([]int, 1, users+1)
	for _, u := range idx {
		out = append(out, ordered[bounds[u]:bounds[u+1]]...)
		nb = append(nb, len(out))
	}
	return out, nb
}

// tierOf is the group of grantsFirst that one user's changes cs belong to.
func tierOf(cs []PlannedChange) uint8 {
	var revokes, admin, grants bool
	for _, c := range cs {
		switch {
		case c.isRevocation():
			revokes, admin = true, admin || c.Admin
		case c.Action == store.ActionGrant || c.Action == store.ActionCreate:
			grants = true
		}
	}
	switch {
	case !revokes:
		return 0
	case !admin:
		return 1
	case grants:
		return 2
	}
	return 3
}

// apply makes cs in the target, user by user, grants before revocations
// (see grantsFirst), and returns the changes that were made. It stops at
// the first error, and when ctx is cancelled it stops between two users:
// the target's calls for one user (or one bulk creation) are not cancelled,
// so that each user's changes are made whole and can be recorded; they are
// bounded by applyTimeout. log, when set, records the changes of each user
// (or bulk creation) before the next is applied, so a process killed
// midway loses the record of one at most; when recording fails, apply
// stops, so that no change it makes goes unrecorded.
func (e *Engine) apply(ctx context.Context, cs []PlannedChange, p *Plan, prog func(Progress), log *appliedLog) ([]PlannedChange, error) {
	total := len(cs)
	prog(Progress{Phase: PhaseApply, Done: 0, Total: total})
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), applyTimeout)
	defer cancel()
	ordered, bounds := grantsFirst(groupByUser(cs))
	done, oneByOne := 0, 0 // users before oneByOne are not created in bulk
	from := 0              // ordered[:from] are handed to log
	recorded := func() error {
		log.add(ctx, ordered[from:done])
		from = done
		prog(Progress{Phase: PhaseApply, Done: done, Total: total})
		if log != nil && log.err != nil {
			return fmt.Errorf("record the applied changes: %w; applying stopped after %d of %d changes so that none goes unrecorded", log.err, done, total)
		}
		return nil
	}
	for u := 0; u+1 < len(bounds); u++ {
		if err := ctx.Err(); err != nil {
			return ordered[:done:done], fmt.Errorf("sync cancelled after %d of %d changes: %w; the changes made are recorded, and the next run makes the rest", done, total, err)
		}
		if u >= oneByOne {
			// The note covers the users a bulk creation may make.
			log.intend(ordered[bounds[u]:bounds[min(u+bulkCreateMax, len(bounds)-1)]])
			next, end := e.bulkCreate(wctx, ordered, bounds, u, p)
			if next > u {
				done = bounds[next]
				if err := recorded(); err != nil {
					return ordered[:done:done], err
				}
				u = next - 1
				continue
			}
			oneByOne = end
		}
		ops := ordered[bounds[u]:bounds[u+1]]
		log.intend(ops)
		if err := e.applyUser(wctx, ops, p); err != nil {
			return ordered[:done:done], fmt.Errorf("apply changes to user %s (%d of %d changes were applied before it): %w",
				ops[0].User, done, total, err)
		}
		done = bounds[u+1]
		if err := recorded(); err != nil {
			return ordered[:done:done], err
		}
	}
	return ordered[:done:done], nil
}

func (e *Engine) applyUser(ctx context.Context, cs []PlannedChange, p *Plan) error {
	first := cs[0]
	if first.Action == store.ActionCreate {
		return e.createUser(ctx, cs, p)
	}
	cp := p.cur(first)
	if cp.ID == "" || cp.ID != first.UserID {
		return fmt.Errorf("user %s is not in the target's user list: %w", first.UserID, target.ErrNotFound)
	}
	cur := *cp
	if slices.ContainsFunc(cs, func(c PlannedChange) bool { return c.Action == store.ActionUpdate }) {
		u := cur
		if ou := p.people.User(first.OktaID); ou != nil {
			u.ExternalID, u.Login, u.Email, u.FirstName, u.LastName = ou.ID, ou.Login, ou.Email, ou.FirstName, ou.LastName
		}
		if err := e.opts.Target.UpdateProfile(ctx, u); err != nil {
			return fmt.Errorf("update profile: %w", err)
		}
	}
	if slices.ContainsFunc(cs, func(c PlannedChange) bool { return c.Action == store.ActionRevokeAll }) {
		if err := e.opts.Target.RevokeAll(ctx, cur.ID); err != nil {
			return fmt.Errorf("revoke all roles: %w", err)
		}
		return nil
	}
	if roles, changed := finalRoles(cur.Roles, cs); changed {
		if err := e.opts.Target.SetRoles(ctx, cur.ID, roles); err != nil {
			return fmt.Errorf("set roles: %w", err)
		}
	}
	return nil
}

// createUser creates the user of a create change with the roles of the
// grants that follow it.
func (e *Engine) createUser(ctx context.Context, cs []PlannedChange, p *Plan) error {
	if _, err := e.opts.Target.CreateUser(ctx, newTargetUser(cs, p)); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	return nil
}

// newTargetUser is the user a create change and the grants after it make.
func newTargetUser(cs []PlannedChange, p *Plan) target.User {
	first := cs[0]
	u := target.User{ExternalID: first.OktaID, Login: first.User, Email: first.Email}
	if ou := p.people.User(first.OktaID); ou != nil {
		u.FirstName, u.LastName = ou.FirstName, ou.LastName
	}
	for _, c := range cs[1:] {
		if c.Action == store.ActionGrant {
			u.Roles = append(u.Roles, c.Role)
		}
	}
	return u
}

// finalRoles applies the grants and revocations of cs to current; changed
// is false when cs holds no role change and no enable.
func finalRoles(current []string, cs []PlannedChange) (roles []string, changed bool) {
	roles = slices.Clone(current)
	for _, c := range cs {
		switch c.Action {
		case store.ActionGrant:
			roles = append(roles, c.Role)
		case store.ActionRevoke:
			roles = slices.DeleteFunc(roles, func(r string) bool { return r == c.Role })
		case store.ActionEnable:
		default:
			continue
		}
		changed = true
	}
	slices.Sort(roles)
	return slices.Compact(roles), changed
}
