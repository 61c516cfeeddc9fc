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
	cp := p.cur(first)
	if cp.ID == "" || cp.ID != first.UserID {
		return fmt.Errorf("user %s is not in the target's user list: %w", first.UserID, target.ErrNotFound)
	}
	cur := *cp
	roles := slices.Clone(cur.Roles)
	changed, revokeAll := false, false
	for _, c := range cs {
		switch c.Action {
		case store.ActionUpdate:
			u := cur
			if ou := p.people[c.OktaID]; ou != nil {
				u.ExternalID, u.Login, u.Email, u.FirstName, u.LastName = ou.ID, ou.Login, ou.Email, ou.FirstName, ou.LastName
			}
			if err := e.opts.Target.UpdateProfile(ctx, u); err != nil {
				return fmt.Errorf("update profile: %w", err)
			}
		case store.ActionGrant:
			roles = append(roles, c.Role)
			changed = true
		case store.ActionRevoke:
			roles = slices.DeleteFunc(roles, func(r string) bool { return r == c.Role })
			changed = true
		case store.ActionRevokeAll:
			revokeAll = true
		case store.ActionEnable:
			changed = true
		}
	}
	if revokeAll {
		if err := e.opts.Target.RevokeAll(ctx, cur.ID); err != nil {
			return fmt.Errorf("revoke all roles: %w", err)
		}
		return nil
	}
	if changed {
		slices.Sort(roles)
		if err := e.opts.Target.SetRoles(ctx, cur.ID, slices.Compact(roles)); err != nil {
			return fmt.Errorf("set roles: %w", err)
		}
	}
	return nil
}
