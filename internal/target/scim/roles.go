package scim

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// ListRoles returns the roles offered for mapping, sorted: the declared
// roles, and the provider's groups (groups mode) or the roles users already
// hold (attribute mode). In groups mode the groups are read afresh, except
// on the first call after ListUsers, which has just read them all (kept
// current by the client's own writes since): a run reads the users, then
// the roles, with one read of the groups.
func (c *Client) ListRoles(ctx context.Context) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	roles := slices.Clone(c.declared)
	listed := c.groupsListed && c.state != nil
	c.groupsListed = false
	switch {
	case c.mode == RoleModeGroups && listed:
		for name, g := range c.state.groups {
			if g.id != "" { // not a group queued for creation
				roles = append(roles, name)
			}
		}
	case c.mode == RoleModeGroups:
		s := newState()
		if err := c.loadGroups(ctx, s); err != nil {
			return nil, err
		}
		if c.state != nil && c.batch == nil {
			c.state.groups = s.groups
		}
		for name := range s.groups {
			roles = append(roles, name)
		}
	default:
		if err := c.ensureState(ctx); err != nil {
			return nil, err
		}
		for _, u := range c.state.users {
			roles = append(roles, u.idRoles...)
		}
	}
	return normRoles(roles), nil
}

// AddRole defines a role: in groups mode it creates the role's group when
// the provider has none; in attribute mode it adds the value to the roles
// ListRoles offers for this client (persisting it is the caller's job, via
// Options.Roles).
func (c *Client) AddRole(ctx context.Context, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	name = strings.TrimSpace(name)
	if name == "" {
		return errors.New("scim: add role: empty name; give the role's name, e.g. rolesync roles add Administrator")
	}
	if !slices.Contains(c.declared, name) {
		c.declared = append(c.declared, name)
	}
	if c.mode != RoleModeGroups {
		return nil
	}
	if err := c.ensureState(ctx); err != nil {
		return err
	}
	queued := c.state.groups[name]
	if queued != nil && queued.id != "" {
		return nil
	}
	if err := c.createGroup(ctx, name, nil); err != nil {
		return err
	}
	if queued != nil {
		// Members queued in an open batch stay queued for Flush.
		for id := range queued.members {
			c.state.groups[name].members[id] = true
		}
	}
	return nil
}

// SetRoles gives the user exactly roles; a non-empty set also makes the
// user active. Roles the user already holds cause no request. In groups
// mode a missing group is created.
func (c *Client) SetRoles(ctx context.Context, userID string, roles []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	roles = normRoles(roles)
	set := func(ctx context.Context) error {
		rec, err := c.userByID(ctx, userID)
		if err != nil {
			return err
		}
		return c.setRoles(ctx, rec, roles)
	}
	if queued, err := c.async(ctx, userKey(userID), set); queued {
		return err
	}
	return set(ctx)
}

func (c *Client) setRoles(ctx context.Context, rec *userRec, roles []string) error {
	activate := len(roles) > 0 && !rec.active && c.profile == ProfileGeneric
	if c.mode == RoleModeAttribute {
		var changes []attrChange
		if !slices.Equal(rec.idRoles, roles) {
			if len(roles) == 0 {
				changes = append(changes, attrChange{path: "roles", remove: true})
			} else {
				changes = append(changes, attrChange{path: "roles", value: rolesValue(roles)})
			}
		}
		if activate {
			changes = append(changes, attrChange{path: "active", value: true})
		}
		if len(changes) == 0 {
			return nil
		}
		return c.writeUser(ctx, rec, changes)
	}
	current := c.rolesOf(rec)
	for _, role := range roles {
		if !slices.Contains(current, role) {
			if err := c.member(ctx, role, rec.id, true); err != nil {
				return err
			}
		}
	}
	for _, role := range current {
		if !slices.Contains(roles, role) {
			if err := c.member(ctx, role, rec.id, false); err != nil {
				return err
			}
		}
	}
	if activate {
		return c.writeUser(ctx, rec, []attrChange{{path: "active", value: true}})
	}
	return nil
}

// RevokeAll removes every role of the user and sets active=false. Nothing
// is deleted. A user already without roles and inactive causes no request.
func (c *Client) RevokeAll(ctx context.Context, userID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if queued, err := c.async(ctx, userKey(userID), func(ctx context.Context) error { return c.revokeAll(ctx, userID) }); queued {
		return err
	}
	return c.revokeAll(ctx, userID)
}

// revokeAll makes RevokeAll's requests.
func (c *Client) revokeAll(ctx context.Context, userID string) error {
	rec, err := c.userByID(ctx, userID)
	if err != nil {
		return err
	}
	deactivate := rec.active && c.profile == ProfileGeneric
	if c.mode == RoleModeAttribute {
		var changes []attrChange
		if len(rec.idRoles) > 0 {
			changes = append(changes, attrChange{path: "roles", remove: true})
		}
		if deactivate {
			changes = append(changes, attrChange{path: "active", value: false})
		}
		if len(changes) == 0 {
			return nil
		}
		return c.writeUser(ctx, rec, changes)
	}
	// Disable first, so access ends even if a group change fails.
	if deactivate {
		if err := c.writeUser(ctx, rec, []attrChange{{path: "active", value: false}}); err != nil {
			return err
		}
	}
	for _, role := range c.rolesOf(rec) {
		if err := c.member(ctx, role, rec.id, false); err != nil {
			return err
		}
	}
	return nil
}
