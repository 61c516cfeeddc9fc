package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// recordEvery is how many applied changes a run records at a time while it
// applies, so that neither the changes' history records nor the changes
// themselves pile up until the end of a large run.
const recordEvery = 1000

// appliedLog records the changes of a run as they are applied, in order,
// in batches of at least recordEvery. A crash mid-run leaves the recorded
// prefix in the history; finish records the rest.
type appliedLog struct {
	rec   Recorder
	runID int64
	now   func() time.Time
	// done is how many applied changes are recorded.
	done int
	// err is the first failed recording: later changes wait for finish,
	// which records them (and reports the failure) in one go.
	err error
	buf []store.Change
}

// record records applied[l.done:] when it holds at least atLeast changes.
// Recording is not cancelled with ctx: what was applied must be kept.
func (l *appliedLog) record(ctx context.Context, applied []PlannedChange, atLeast int) {
	if l == nil || l.err != nil || len(applied)-l.done < max(1, atLeast) {
		return
	}
	at := l.now()
	l.buf = l.buf[:0]
	for _, c := range applied[l.done:] {
		l.buf = append(l.buf, c.storeChange(at, false))
	}
	if err := l.rec.AddChanges(context.WithoutCancel(ctx), l.runID, l.buf); err != nil {
		l.err = err
		return
	}
	l.done = len(applied)
	clear(l.buf)
}

// pending returns the applied changes not recorded yet.
func (l *appliedLog) pending(applied []PlannedChange) []PlannedChange {
	if l == nil {
		return applied
	}
	return applied[l.done:]
}

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

// apply makes cs in the target, user by user, and returns the changes that
// were made. It stops at the first error. log, when set, records the
// applied changes as it goes.
func (e *Engine) apply(ctx context.Context, cs []PlannedChange, p *Plan, prog func(Progress), log *appliedLog) ([]PlannedChange, error) {
	total := len(cs)
	prog(Progress{Phase: PhaseApply, Done: 0, Total: total})
	ordered, bounds := groupByUser(cs)
	done, oneByOne := 0, 0 // users before oneByOne are not created in bulk
	for u := 0; u+1 < len(bounds); u++ {
		if err := ctx.Err(); err != nil {
			return ordered[:done:done], fmt.Errorf("sync cancelled after %d of %d changes: %w", done, total, err)
		}
		if u >= oneByOne {
			next, end := e.bulkCreate(ctx, ordered, bounds, u, p)
			if next > u {
				done = bounds[next]
				log.record(ctx, ordered[:done], recordEvery)
				prog(Progress{Phase: PhaseApply, Done: done, Total: total})
				u = next - 1
				continue
			}
			oneByOne = end
		}
		ops := ordered[bounds[u]:bounds[u+1]]
		if err := e.applyUser(ctx, ops, p); err != nil {
			return ordered[:done:done], fmt.Errorf("apply changes to user %s (%d of %d changes were applied before it): %w",
				ops[0].User, done, total, err)
		}
		done = bounds[u+1]
		log.record(ctx, ordered[:done], recordEvery)
		prog(Progress{Phase: PhaseApply, Done: done, Total: total})
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
		if ou := p.people[first.OktaID]; ou != nil {
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
	if ou := p.people[first.OktaID]; ou != nil {
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
