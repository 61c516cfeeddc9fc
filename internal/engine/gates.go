package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// protect turns the revocations of protected accounts into kept entries.
func protect(p *Plan, s Safety) {
	if len(s.ProtectedAccounts) == 0 {
		return
	}
	prot := map[string]bool{}
	for _, a := range s.ProtectedAccounts {
		prot[strings.ToLower(strings.TrimSpace(a))] = true
	}
	isProtected := func(c PlannedChange) bool {
		u := p.cur(c)
		return prot[strings.ToLower(c.User)] || prot[strings.ToLower(c.Email)] ||
			prot[strings.ToLower(u.Login)] || (u.Email != "" && prot[strings.ToLower(u.Email)])
	}
	p.Changes = slices.DeleteFunc(p.Changes, func(c PlannedChange) bool {
		if c.UserID == "" || !c.isRevocation() || !isProtected(c) {
			return false
		}
		p.Kept = append(p.Kept, Kept{User: c.User, OktaID: c.OktaID, Action: c.Action, Role: c.Role,
			Reason: "protected account (would have been: " + c.Reason + ")"})
		return true
	})
}

// losesRole reports whether c takes role away from a current user.
func (p *Plan) losesRole(c PlannedChange, role string) bool {
	if c.UserID == "" || !c.isRevocation() {
		return false
	}
	if c.Action == store.ActionRevoke {
		return strings.EqualFold(c.Role, role)
	}
	return hasRole(p.cur(c).Roles, role)
}

// markAdmins flags the revocations that take an admin role away. Without
// admin roles, every portal user with roles is an admin.
func markAdmins(p *Plan, s Safety) {
	for i := range p.Changes {
		c := &p.Changes[i]
		switch {
		case !c.isRevocation() || c.UserID == "":
		case len(s.AdminRoles) == 0:
			c.Admin = c.Action == store.ActionRevokeAll && len(p.cur(*c).Roles) > 0
		default:
			c.Admin = slices.ContainsFunc(s.AdminRoles, func(r string) bool { return p.losesRole(*c, r) })
		}
	}
}

// keepLastAdmins keeps, for every admin role that the plan would leave with
// no holder, the revocation of one current holder (the first by login).
// It also marks the changes that take an admin role away.
func keepLastAdmins(p *Plan, s Safety) {
	markAdmins(p, s)
	for _, role := range s.AdminRoles {
		keepLastHolder(p, role)
	}
}

// roleHolders returns whether an account holds role as an active user, and
// how many target accounts do now.
func (p *Plan) roleHolders(role string) (holds func(*target.User) bool, holders int) {
	holds = func(u *target.User) bool { return u.Active && hasRole(u.Roles, role) }
	for i := range p.users {
		if holds(&p.users[i]) {
			holders++
		}
	}
	return holds, holders
}

func keepLastHolder(p *Plan, role string) {
	holds, holders := p.roleHolders(role)
	after := holders
	var losing []int
	for i, c := range p.Changes {
		switch {
		case p.losesRole(c, role) && holds(p.cur(c)):
			after--
			losing = append(losing, i)
		case c.Action == store.ActionGrant && strings.EqualFold(c.Role, role):
			after++
		}
	}
	if holders == 0 || after > 0 || len(losing) == 0 {
		return
	}
	keep := slices.MinFunc(losing, func(a, b int) int {
		return strings.Compare(strings.ToLower(p.Changes[a].User), strings.ToLower(p.Changes[b].User))
	})
	c := p.Changes[keep]
	p.Kept = append(p.Kept, Kept{User: c.User, OktaID: c.OktaID, Action: c.Action, Role: c.Role,
		Reason: fmt.Sprintf("last holder of admin role %q (would have been: %s)", role, c.Reason)})
	p.Changes = slices.Delete(p.Changes, keep, keep+1)
}

// gate applies the gates that hold changes for approval: links by email
// (with every change of their users), then the revocations of a mapped
// group missing from Okta, of a mapped group whose id changed or that read
// empty after having members, of a suspiciously empty read, and over the
// deletion threshold. Grants and other changes still apply.
func gate(p *Plan, pol Policy) {
	holdLinks(p)
	holdMissing(p, pol)
	holdChangedGroups(p, pol)
	holdEmptiedGroups(p, pol)
	holdSuspiciousEmpty(p)
	holdOverThreshold(p, pol.Safety)
}

// hold moves the revocations pick selects from Changes to Held.
func (p *Plan) hold(reason string, pick func(PlannedChange) bool) {
	n := 0
	p.Changes = slices.DeleteFunc(p.Changes, func(c PlannedChange) bool {
		if !c.isRevocation() || !pick(c) {
			return false
		}
		p.Held = append(p.Held, c)
		n++
		return true
	})
	if n > 0 {
		p.HoldReasons = append(p.HoldReasons, reason)
	}
}

// holdMissing holds the revocations of roles that a mapping whose group is
// missing from Okta grants: the group may have been renamed or deleted by
// mistake.
func holdMissing(p *Plan, pol Policy) {
	if len(p.Missing) == 0 {
		return
	}
	missingRoles := pol.rolesOf(p.Missing...)
	p.hold(fmt.Sprintf("mapped Okta group(s) %s not found in Okta", strings.Join(p.Missing, ", ")), func(c PlannedChange) bool {
		if c.Action == store.ActionRevoke {
			return missingRoles[c.Role]
		}
		return slices.ContainsFunc(p.cur(c).Roles, func(r string) bool { return missingRoles[r] })
	})
}

// holdSuspiciousEmpty holds every revocation when every mapped group read
// empty while users an earlier run synced still hold roles (that earlier
// run saw members).
func holdSuspiciousEmpty(p *Plan) {
	if p.Members > 0 {
		return
	}
	synced := 0
	for i := range p.users {
		if u := &p.users[i]; u.ExternalID != "" && u.Active && len(u.Roles) > 0 {
			synced++
		}
	}
	if synced > 0 {
		p.hold(fmt.Sprintf("every mapped Okta group read empty while %d synced user(s) hold roles", synced),
			func(PlannedChange) bool { return true })
	}
}

// holdOverThreshold holds every revocation when more users would lose
// access or roles than max(N, P% of managed users). The limits are taken as
// they are: a 0 lets its term allow nothing, so N = P = 0 holds every
// revocation (defaults are the configuration's business).
func holdOverThreshold(p *Plan, s Safety) {
	n := max(s.MaxRevocations, 0)
	pct := max(s.MaxRevocationPercent, 0)
	p.RevocationLimit = max(n, p.ManagedUsers*pct/100)
	losing := map[string]bool{}
	for _, c := range p.Changes {
		if c.isRevocation() {
			losing[c.userKey()] = true
		}
	}
	if len(losing) > p.RevocationLimit {
		p.hold(fmt.Sprintf("%d users would lose access or roles, more than the limit of %d (max of %d and %d%% of %d managed users)",
			len(losing), p.RevocationLimit, n, pct, p.ManagedUsers), func(PlannedChange) bool { return true })
	}
}
