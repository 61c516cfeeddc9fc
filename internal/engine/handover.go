package engine

import (
	"fmt"
	"strings"

	"github.com/rolesync/rolesync/internal/store"
)

// reliedOnFailedGrants returns, after an apply that stopped at an error,
// the revocations of planned that take an admin role away, were not
// applied, and were let through by the last-admin gate only because of a
// grant of that role that was not made either: with the grants made, the
// role would have no holder left once they were applied. Each comes back
// with a reason naming the grant; the run records it as held, and the next
// run plans it again.
func reliedOnFailedGrants(p *Plan, adminRoles []string, planned, applied []PlannedChange) []PlannedChange {
	if p == nil || len(adminRoles) == 0 || len(applied) == len(planned) {
		return nil
	}
	made := make(map[string]bool, len(applied))
	for i := range applied {
		made[appliedKey(&applied[i])] = true
	}
	var out []PlannedChange
	taken := map[int]bool{}
	for _, role := range adminRoles {
		failed := p.reliedOnGrant(role, planned, made)
		if failed == nil {
			continue
		}
		for i := range planned {
			c := planned[i]
			if taken[i] || made[appliedKey(&c)] || !p.losesRole(c, role) {
				continue
			}
			taken[i] = true
			c.Reason = fmt.Sprintf("not applied: it relied on the grant of admin role %q to %s, which was not made; the next run plans it again (would have been: %s)",
				role, failed.User, c.Reason)
			out = append(out, c)
		}
	}
	return out
}

// reliedOnGrant returns the first planned grant of role that was not made
// when, with only the grants made, the planned revocations would leave
// role without a holder; nil otherwise.
func (p *Plan) reliedOnGrant(role string, planned []PlannedChange, made map[string]bool) *PlannedChange {
	holds, holders := p.roleHolders(role)
	after := holders
	var failed *PlannedChange
	for i := range planned {
		c := &planned[i]
		switch {
		case p.losesRole(*c, role) && holds(p.cur(*c)):
			after--
		case c.Action == store.ActionGrant && strings.EqualFold(c.Role, role) && made[appliedKey(c)]:
			after++
		case c.Action == store.ActionGrant && strings.EqualFold(c.Role, role) && failed == nil:
			failed = c
		}
	}
	if holders == 0 || after > 0 {
		return nil
	}
	return failed
}

// appliedKey names a change by its user, action and role.
func appliedKey(c *PlannedChange) string { return changeKey(c.OktaID, c.User, c.Action, c.Role) }
