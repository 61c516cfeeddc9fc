package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"

	"github.com/rolesync/rolesync/internal/target"
)

// wireUser is the part of a SCIM User the client reads.
type wireUser struct {
	ID         string `json:"id"`
	ExternalID string `json:"externalId"`
	UserName   string `json:"userName"`
	Name       struct {
		GivenName  string `json:"givenName"`
		FamilyName string `json:"familyName"`
	} `json:"name"`
	Emails []struct {
		Value   string `json:"value"`
		Primary bool   `json:"primary"`
	} `json:"emails"`
	Active *bool `json:"active"`
	Roles  []struct {
		Value string `json:"value"`
	} `json:"roles"`
	Meta struct {
		Version string `json:"version"`
	} `json:"meta"`
}

// wireGroup is the part of a SCIM Group the client reads.
type wireGroup struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Members     []struct {
		Value string `json:"value"`
	} `json:"members"`
	Meta struct {
		Version string `json:"version"`
	} `json:"meta"`
}

// userRec is a provider user as last read or written.
type userRec struct {
	id      string
	etag    string
	raw     []byte      // the whole resource as read, compact, for PUT
	user    target.User // Roles: attribute mode only; groups mode derives them
	active  bool        // the provider's active attribute
	idRoles []string    // attribute mode: role values as held
}

// groupRec is a provider group (a role in groups mode).
type groupRec struct {
	id      string
	name    string
	etag    string
	raw     map[string]any
	members map[string]bool
}

// state is the provider's users and groups as the client knows them.
type state struct {
	users  map[string]*userRec
	groups map[string]*groupRec // by displayName
}

func newState() *state {
	return &state{users: map[string]*userRec{}, groups: map[string]*groupRec{}}
}

func decodeUser(method, path string, data []byte) (*userRec, error) {
	var w wireUser
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, malformed(method, path, err)
	}
	if w.ID == "" {
		return nil, malformed(method, path, fmt.Errorf("a User has no id"))
	}
	// Kept as bytes: a large org's users as maps would take several
	// times the memory.
	var raw bytes.Buffer
	if err := json.Compact(&raw, data); err != nil {
		return nil, malformed(method, path, err)
	}
	r := &userRec{id: w.ID, etag: w.Meta.Version, raw: bytes.Clone(raw.Bytes()), active: w.Active == nil || *w.Active}
	r.user = target.User{
		ID:         w.ID,
		ExternalID: w.ExternalID,
		Login:      w.UserName,
		Email:      w.UserName,
		FirstName:  w.Name.GivenName,
		LastName:   w.Name.FamilyName,
	}
	for i, e := range w.Emails {
		if i == 0 || e.Primary {
			r.user.Email = e.Value
		}
	}
	var roles []string
	for _, role := range w.Roles {
		roles = append(roles, role.Value)
	}
	r.idRoles = normRoles(roles)
	return r, nil
}

// object returns the user's resource as a JSON object of its own, to
// change and send.
func (u *userRec) object() map[string]any {
	obj := map[string]any{}
	_ = json.Unmarshal(u.raw, &obj)
	return obj
}

func decodeGroup(method, path string, data []byte) (*groupRec, error) {
	var w wireGroup
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, malformed(method, path, err)
	}
	if w.ID == "" || w.DisplayName == "" {
		return nil, malformed(method, path, fmt.Errorf("a Group has no id or displayName"))
	}
	var raw map[string]any
	_ = json.Unmarshal(data, &raw)
	g := &groupRec{id: w.ID, name: w.DisplayName, etag: w.Meta.Version, raw: raw, members: map[string]bool{}}
	for _, m := range w.Members {
		g.members[m.Value] = true
	}
	return g, nil
}

// load reads every user and, in groups mode, every group.
func (c *Client) load(ctx context.Context) error {
	s := newState()
	raws, err := c.list(ctx, "/Users", "")
	if err != nil {
		return err
	}
	for _, data := range raws {
		u, err := decodeUser(http.MethodGet, "/Users", data)
		if err != nil {
			return err
		}
		s.users[u.id] = u
	}
	if c.mode == RoleModeGroups {
		if err := c.loadGroups(ctx, s); err != nil {
			return err
		}
	}
	c.state = s
	return nil
}

func (c *Client) loadGroups(ctx context.Context, s *state) error {
	raws, err := c.list(ctx, "/Groups", "")
	if err != nil {
		return err
	}
	for _, data := range raws {
		g, err := decodeGroup(http.MethodGet, "/Groups", data)
		if err != nil {
			return err
		}
		if prev, ok := s.groups[g.name]; ok {
			return fmt.Errorf("scim: two provider groups are named %q (ids %s and %s): rename one so each role is a single group", g.name, prev.id, g.id)
		}
		s.groups[g.name] = g
	}
	return nil
}

// ensureState loads the state when the client has none.
func (c *Client) ensureState(ctx context.Context) error {
	if c.state != nil {
		return nil
	}
	return c.load(ctx)
}

// view returns u as the target.Target contract shows it.
func (c *Client) view(u *userRec) target.User {
	out := u.user
	out.Roles = c.rolesOf(u)
	out.Active = u.active
	if c.profile == ProfileThreatLocker {
		// The profile sends no active attribute: a user without roles has
		// no access.
		out.Active = u.active && len(out.Roles) > 0
	}
	return out
}

// rolesOf returns the user's roles, sorted.
func (c *Client) rolesOf(u *userRec) []string {
	if c.mode == RoleModeAttribute {
		return slices.Clone(u.idRoles)
	}
	var roles []string
	for name, g := range c.state.groups {
		if g.members[u.id] {
			roles = append(roles, name)
		}
	}
	sort.Strings(roles)
	return roles
}

// userByID returns the user from the state, reading it when unknown.
func (c *Client) userByID(ctx context.Context, id string) (*userRec, error) {
	if err := c.ensureState(ctx); err != nil {
		return nil, err
	}
	if u, ok := c.state.users[id]; ok {
		return u, nil
	}
	return c.fetchUser(ctx, id)
}

func (c *Client) fetchUser(ctx context.Context, id string) (*userRec, error) {
	path := "/Users/" + url.PathEscape(id)
	var data json.RawMessage
	r, err := c.do(ctx, http.MethodGet, path, nil, nil, "", &data)
	if err != nil {
		return nil, err
	}
	u, err := decodeUser(http.MethodGet, path, data)
	if err != nil {
		return nil, err
	}
	if r.etag != "" {
		u.etag = r.etag
	}
	c.state.users[u.id] = u
	return u, nil
}

func (c *Client) fetchGroup(ctx context.Context, g *groupRec) error {
	path := "/Groups/" + url.PathEscape(g.id)
	var data json.RawMessage
	r, err := c.do(ctx, http.MethodGet, path, nil, nil, "", &data)
	if err != nil {
		return err
	}
	fresh, err := decodeGroup(http.MethodGet, path, data)
	if err != nil {
		return err
	}
	if r.etag != "" {
		fresh.etag = r.etag
	}
	*g = *fresh
	return nil
}

// normRoles drops empty and duplicate roles and sorts the rest.
func normRoles(roles []string) []string {
	out := make([]string, 0, len(roles))
	for _, r := range roles {
		if r != "" {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}
