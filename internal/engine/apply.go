package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// userOps are the planned changes of one user, applied together: one
// profile update and one role call per user.
type userOps struct {
	changes []PlannedChange
}

// groupByUser keeps the order of first appearance.
func groupByUser(cs []PlannedChange) []userOps {
	idx := map[string]int{}
	var out []userOps
	for _, c := range cs {
		k := c.userKey()
		if c.UserID != "" {
			k = "id:" + c.UserID
		}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, userOps{})
		}
		out[i].changes = append(out[i].changes, c)
	}
	return out
}

// apply makes cs in the target, user by user, and returns the changes that
// were made. It stops at the first error.
func (e *Engine) apply(ctx context.Context, cs []PlannedChange, p *Plan, prog func(Progress)) ([]PlannedChange, error) {
	var applied []PlannedChange
	total := len(cs)
	prog(Progress{Phase: PhaseApply, Done: 0, Total: total})
	for _, ops := range groupByUser(cs) {
		if err := ctx.Err(); err != nil {
			return applied, fmt.Errorf("sync cancelled after %d of %d changes: %w", len(applied), total, err)
		}
		if err := e.applyUser(ctx, ops.changes, p); err != nil {
			c := ops.changes[0]
			return applied, fmt.Errorf("apply changes to user %s (%d of %d changes were applied before it): %w",
				c.User, len(applied), total, err)
		}
		applied = append(applied, ops.changes...)
		prog(Progress{Phase: PhaseApply, Done: len(applied), Total: total})
	}
	return applied, nil
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
	if _, err := e.opts.Target.CreateUser(ctx, u); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	return nil
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
