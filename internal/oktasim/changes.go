package oktasim

import (
	"net/http"
	"slices"
	"strings"
)

// actor is who made a change, as System Log events name it.
type actor struct {
	id, typ, alternateID, displayName string
}

// systemActor makes the changes of the in-process helpers.
var systemActor = actor{id: "00usimadmin00000000", typ: "User", alternateID: "admin@oktasim.example", displayName: "Simulator Admin"}

func userTarget(u *user) logTarget {
	return logTarget{ID: u.id, Type: "User", AlternateID: u.login, DisplayName: u.firstName + " " + u.lastName}
}

func groupTarget(g *group) logTarget {
	return logTarget{ID: g.id, Type: "UserGroup", AlternateID: g.name, DisplayName: g.name}
}

func (o *Org) findMembership(groupID, userID string) (*group, *user, *apiError) {
	g, ok := o.groups[groupID]
	if !ok {
		return nil, nil, errNotFound(groupID, "UserGroup")
	}
	u, ok := o.users[userID]
	if !ok {
		return nil, nil, errNotFound(userID, "User")
	}
	if g.typ != GroupTypeOkta {
		return nil, nil, &apiError{status: http.StatusForbidden, code: codeForbidden,
			summary: "You do not have permission to perform the requested action",
			causes:  []string{"Memberships can only be changed for groups of type OKTA_GROUP; " + g.name + " is " + g.typ}}
	}
	return g, u, nil
}

func (o *Org) addMember(a actor, groupID, userID string) *apiError {
	o.mu.Lock()
	defer o.mu.Unlock()
	g, u, e := o.findMembership(groupID, userID)
	if e != nil {
		return e
	}
	i, found := memberIndex(g.members, u.id)
	if found {
		return nil
	}
	g.members = slices.Insert(g.members, i, u)
	t := o.tick()
	g.lastMembershipUpdated = t
	o.record(t, a, "group.user_membership.add", "Add user to group membership", "core.user_group_member.user_add",
		userTarget(u), groupTarget(g))
	return nil
}

func (o *Org) removeMember(a actor, groupID, userID string) *apiError {
	o.mu.Lock()
	defer o.mu.Unlock()
	g, u, e := o.findMembership(groupID, userID)
	if e != nil {
		return e
	}
	i, found := memberIndex(g.members, u.id)
	if !found {
		return nil
	}
	g.members = slices.Delete(g.members, i, i+1)
	t := o.tick()
	g.lastMembershipUpdated = t
	o.record(t, a, "group.user_membership.remove", "Remove user from group membership", "core.user_group_member.user_remove",
		userTarget(u), groupTarget(g))
	return nil
}

// lifecycle applies op to the user with Okta's rules on which status each
// operation accepts.
func (o *Org) lifecycle(a actor, userID, op string) *apiError {
	o.mu.Lock()
	defer o.mu.Unlock()
	u := o.users[userID]
	if u == nil {
		return errNotFound(userID, "User")
	}
	var next, message string
	switch op {
	case LifecycleSuspend:
		if u.status != StatusActive {
			return errValidation("Cannot suspend a user that is not active")
		}
		next, message = StatusSuspended, "Suspend Okta user"
	case LifecycleUnsuspend:
		if u.status != StatusSuspended {
			return errValidation("Cannot unsuspend a user that is not suspended")
		}
		next, message = StatusActive, "Unsuspend Okta user"
	case LifecycleDeactivate:
		if u.status == StatusDeprovisioned {
			return nil
		}
		next, message = StatusDeprovisioned, "Deactivate Okta user"
	case LifecycleActivate:
		if u.status != StatusStaged && u.status != StatusDeprovisioned && u.status != StatusProvisioned {
			return &apiError{status: http.StatusForbidden, code: "E0000016",
				summary: "Activation failed because the user is already active"}
		}
		next, message = StatusActive, "Activate Okta user"
	default:
		return errNotFound(op, "lifecycle operation")
	}
	t := o.tick()
	u.status, u.statusChanged, u.lastUpdated = next, t, t
	if op == LifecycleActivate {
		u.activated = t
	}
	o.record(t, a, "user.lifecycle."+op, message, "core.user.config.user_status."+strings.ToLower(next),
		userTarget(u))
	return nil
}

func (o *Org) createGroup(a actor, name, description string, descriptionNull bool) (Group, *apiError) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Group{}, errValidation("name: The field cannot be left blank")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, dup := o.byName[strings.ToLower(name)]; dup {
		return Group{}, errValidation("name: An object with this field already exists in the current organization")
	}
	t := o.tick()
	g := &group{id: o.newID("00g"), name: name, typ: GroupTypeOkta, description: description,
		descriptionNull: descriptionNull, created: t, lastUpdated: t, lastMembershipUpdated: t}
	_ = o.addGroup(g)
	o.record(t, a, "group.lifecycle.create", "Create Okta group", "core.user_group.created", groupTarget(g))
	return g.view(), nil
}

func (o *Org) deleteGroup(a actor, groupID string) *apiError {
	o.mu.Lock()
	defer o.mu.Unlock()
	g, ok := o.groups[groupID]
	if !ok {
		return errNotFound(groupID, "UserGroup")
	}
	if g.typ == GroupTypeBuiltIn {
		return errForbidden()
	}
	delete(o.groups, g.id)
	delete(o.byName, strings.ToLower(g.name))
	o.groupIDs, _ = removeSorted(o.groupIDs, g.id)
	t := o.tick()
	o.record(t, a, "group.lifecycle.delete", "Delete Okta group", "core.user_group.deleted", groupTarget(g))
	return nil
}

// newID returns a fresh Okta-style 20-character id with the given prefix
// that no user or group has yet.
func (o *Org) newID(prefix string) string {
	for {
		id := prefix + randomID(20-len(prefix))
		if _, u := o.users[id]; u {
			continue
		}
		if _, g := o.groups[id]; g {
			continue
		}
		return id
	}
}
