package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rolesync/rolesync/internal/store"
)

// refuseLink reports whether the never-seen target user idx, whose email
// is u's, must not be linked to u: it holds an admin role (any role when
// no admin roles are set) or is a protected account. Okta does not keep
// emails unique, so such a link could hand an admin's account to someone
// else. The refusal is kept in the plan with its reason; u gets no account.
func (pl *planner) refuseLink(u *User, idx int) bool {
	tu := &pl.users[idx]
	var why string
	admin := pl.pol.Safety.AdminRoles
	if i := slices.IndexFunc(tu.Roles, func(r string) bool { return hasRole(admin, r) }); i >= 0 {
		why = fmt.Sprintf("the account holds admin role %q", tu.Roles[i])
	} else if len(admin) == 0 && len(tu.Roles) > 0 {
		why = "the account holds roles and no admin roles are set (safety.admin_roles), so every role counts as an admin role"
	}
	for _, a := range pl.pol.Safety.ProtectedAccounts {
		a = strings.TrimSpace(a)
		if strings.EqualFold(a, tu.Login) || (tu.Email != "" && strings.EqualFold(a, tu.Email)) {
			why = "it is a protected account"
			break
		}
	}
	if why == "" {
		return false
	}
	pl.plan.Kept = append(pl.plan.Kept, Kept{User: tu.Login, OktaID: u.ID, Action: store.ActionUpdate,
		Reason: fmt.Sprintf("not linked to Okta user %s (%s) by email %s: %s; the Okta user gets no portal account until the emails differ or the logins match",
			u.ID, u.Login, u.Email, why)})
	return true
}

// linkedUsers returns the target users (by ti) whose link by email cs
// makes.
func linkedUsers(cs []PlannedChange) map[int]bool {
	linked := map[int]bool{}
	for _, c := range cs {
		if c.LinkedBy != "" && c.ti > 0 {
			linked[c.ti] = true
		}
	}
	return linked
}

// holdLinks holds every change of the portal accounts the plan links to
// Okta users by email: the link, and the grants and revocations that
// follow from it, wait for approval.
func holdLinks(p *Plan) {
	linked := linkedUsers(p.Changes)
	if len(linked) == 0 {
		return
	}
	p.Changes = slices.DeleteFunc(p.Changes, func(c PlannedChange) bool {
		if !linked[c.ti] {
			return false
		}
		p.Held = append(p.Held, c)
		return true
	})
	p.HoldReasons = append(p.HoldReasons, fmt.Sprintf(
		"%d portal account(s) would be linked to Okta users by email, not by Okta id or login; approve only if each account belongs to its Okta user",
		len(linked)))
}
