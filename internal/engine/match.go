package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// match plans the changes for every Okta member of a mapped group. Target
// users are matched by Okta id, and users the sync has never seen by login,
// then by email.
func (pl *planner) match() error {
	fb := pl.fallbacks()
	if pl.plan.FirstRun {
		// Most members are created with their roles: size the plan once.
		n := len(pl.users)
		for wi := range pl.wants {
			n += 1 + len(pl.sets[pl.wants[wi].set].roles)
		}
		pl.plan.Changes = make([]PlannedChange, 0, n)
	}
	for wi := range pl.wants {
		w := &pl.wants[wi]
		set := &pl.sets[w.set]
		u := pl.plan.people.User(w.id)
		if u == nil {
			return fmt.Errorf("incomplete Okta read: member %s of group %q has no user record; nothing was changed", w.id, set.groups[0])
		}
		idx, how := w.match-1, "id"
		if idx < 0 {
			idx, how = fb.find(u, pl.claimed)
		}
		if idx >= 0 && how == "email" && pl.refuseLink(u, idx) {
			continue // the account is not linked and no other is made
		}
		if idx >= 0 {
			pl.claimed[idx] = true
			pl.existing(u, set, idx, how)
		} else {
			pl.create(u, set)
		}
	}
	return nil
}

// fallback indexes the target users the sync has never seen by login and
// by email, lower-cased.
type fallback struct{ byLogin, byEmail map[string]int }

// fallbacks records which want each seen target user matches, and indexes
// the others.
func (pl *planner) fallbacks() fallback {
	fb := fallback{byLogin: map[string]int{}, byEmail: map[string]int{}}
	for i := range pl.users {
		u := &pl.users[i]
		if u.ExternalID != "" {
			if wi, ok := pl.desired[u.ExternalID]; ok {
				pl.wants[wi].match = i + 1
			}
			continue
		}
		if l := strings.ToLower(u.Login); l != "" {
			fb.byLogin[l] = i
		}
		if m := strings.ToLower(u.Email); m != "" {
			if _, dup := fb.byEmail[m]; !dup {
				fb.byEmail[m] = i
			}
		}
	}
	return fb
}

// find returns the unclaimed never-seen target user with u's login, else
// with u's email, and how it matched; -1 when there is none.
func (fb fallback) find(u *User, claimed []bool) (int, string) {
	if len(fb.byLogin) == 0 && len(fb.byEmail) == 0 {
		return -1, ""
	}
	if i, ok := fb.byLogin[strings.ToLower(u.Login)]; ok && u.Login != "" && !claimed[i] {
		return i, "login"
	}
	if i, ok := fb.byEmail[strings.ToLower(u.Email)]; ok && u.Email != "" && !claimed[i] {
		return i, "email"
	}
	return -1, ""
}

func (pl *planner) add(c PlannedChange) { pl.plan.Changes = append(pl.plan.Changes, c) }

func (pl *planner) create(u *User, w *grantSet) {
	if !KeepsRoles(u.Status) || len(w.roles) == 0 {
		return // STAGED and PROVISIONED users are not created yet; nor are suspended ones
	}
	base := PlannedChange{OktaID: u.ID, User: u.Login, Email: u.Email}
	c := base
	c.Action, c.Group, c.Reason = store.ActionCreate, w.groups[0], w.reason
	pl.add(c)
	for _, g := range w.roles {
		c := base
		c.Action, c.Role, c.Group, c.Reason = store.ActionGrant, g.role, g.group, g.reason
		pl.add(c)
	}
}

func statusReason(status string) string {
	switch status {
	case StatusSuspended:
		return "suspended in Okta"
	case StatusDeprovisioned:
		return "deactivated in Okta"
	case StatusDeleted:
		return "left Okta (deleted)"
	case StatusStaged, StatusProvisioned:
		return "not yet active in Okta (" + status + ")"
	}
	return "status " + status + " in Okta"
}

func (pl *planner) existing(u *User, w *grantSet, idx int, how string) {
	tu := &pl.users[idx]
	base := PlannedChange{UserID: tu.ID, OktaID: u.ID, User: u.Login, Email: u.Email, ti: idx + 1}
	pl.link(base, tu, u, how)
	if !KeepsRoles(u.Status) || len(w.roles) == 0 {
		if tu.Active || len(tu.Roles) > 0 {
			c := base
			c.Action, c.Reason = store.ActionRevokeAll, statusReason(u.Status)
			if KeepsRoles(u.Status) {
				c.Reason = "no roles mapped to " + strings.Join(w.groups, ", ")
			}
			pl.add(c)
		}
		return
	}
	if !tu.Active {
		c := base
		c.Action, c.Group, c.Reason = store.ActionEnable, w.groups[0], w.reason
		pl.add(c)
	}
	for _, g := range w.roles {
		if !slices.Contains(tu.Roles, g.role) {
			c := base
			c.Action, c.Role, c.Group, c.Reason = store.ActionGrant, g.role, g.group, g.reason
			pl.add(c)
		}
	}
	pl.revokeUnwanted(base, tu, w)
}

// link plans the update of target user tu to Okta user u when it was
// matched by something other than the Okta id (how), or its profile
// changed in Okta.
func (pl *planner) link(base PlannedChange, tu *target.User, u *User, how string) {
	changed := profileChanges(tu, u)
	if how == "id" && len(changed) == 0 {
		return
	}
	c := base
	c.Action = store.ActionUpdate
	switch how {
	case "email":
		c.LinkedBy = how
		c.Reason = fmt.Sprintf("linked to Okta user %s by email %s, not by Okta id or login (the account's login is %s)", u.ID, u.Email, tu.Login)
	case "login":
		c.Reason = "matched to Okta user " + u.ID + " by " + how
	default:
		c.Reason = strings.Join(changed, ", ") + " changed in Okta"
	}
	pl.add(c)
}

// revokeUnwanted plans the revocation of each role tu holds that its
// grant set w does not grant.
func (pl *planner) revokeUnwanted(base PlannedChange, tu *target.User, w *grantSet) {
	for _, r := range tu.Roles {
		if !w.has(r) {
			c := base
			c.Action, c.Role = store.ActionRevoke, r
			if g, ok := pl.roleGroup[r]; ok {
				c.Group, c.Reason = g, "removed from "+g
			} else {
				c.Reason = "not granted by any synced group"
			}
			pl.add(c)
		}
	}
}

// profileChanges names the profile fields that differ between the target
// user and its Okta user.
func profileChanges(tu *target.User, u *User) []string {
	var out []string
	if tu.Login != u.Login {
		out = append(out, "login")
	}
	if !strings.EqualFold(tu.Email, u.Email) {
		out = append(out, "email")
	}
	if tu.FirstName != u.FirstName || tu.LastName != u.LastName {
		out = append(out, "name")
	}
	return out
}

// departed returns the Okta ids of target users the sync matched before and
// that are in no mapped group now.
func (pl *planner) departed() []string {
	var ids []string
	for i := range pl.users {
		if u := &pl.users[i]; !pl.claimed[i] && u.ExternalID != "" && (u.Active || len(u.Roles) > 0) {
			ids = append(ids, u.ExternalID)
		}
	}
	return ids
}

// unmatched plans the revocations of target users no Okta member matched.
// found holds the departed users the source could look up; nil when it
// cannot look users up.
func (pl *planner) unmatched(found map[string]*User) {
	for i := range pl.users {
		if pl.claimed[i] {
			continue
		}
		tu := &pl.users[i]
		c := PlannedChange{UserID: tu.ID, OktaID: tu.ExternalID, User: tu.Login, Email: tu.Email, Action: store.ActionRevokeAll, ti: i + 1}
		switch {
		case tu.ExternalID == "":
			if len(tu.Roles) == 0 {
				continue
			}
			c.Reason = "in no synced group"
		case !tu.Active && len(tu.Roles) == 0:
			continue
		case found == nil:
			c.Reason = "left Okta or every synced group"
		case found[tu.ExternalID] == nil:
			c.Reason = "left Okta"
		case !KeepsRoles(found[tu.ExternalID].Status):
			c.Reason = statusReason(found[tu.ExternalID].Status)
		default:
			c.Reason = "removed from every synced group"
		}
		pl.add(c)
	}
}
