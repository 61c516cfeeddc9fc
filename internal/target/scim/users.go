package scim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/rolesync/rolesync/internal/target"
)

// ListUsers reads every provider user with its roles. It also refreshes the
// state later calls compare against, so a run should start with it.
func (c *Client) ListUsers(ctx context.Context) ([]target.User, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.groupsListed = false
	if err := c.load(ctx); err != nil {
		c.state = nil
		return nil, err
	}
	c.groupsListed = c.mode == RoleModeGroups
	out := make([]target.User, 0, len(c.state.users))
	for _, u := range c.state.users {
		out = append(out, c.view(u))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Login < out[j].Login })
	return out, nil
}

// CreateUser creates an active user with u's profile and roles. When the
// provider answers 409 (userName taken), the existing user is adopted and
// brought in line with u instead.
func (c *Client) CreateUser(ctx context.Context, u target.User) (target.User, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	userName := u.Email
	if userName == "" {
		userName = u.Login
	}
	if userName == "" {
		return target.User{}, errors.New("scim: create user: the user has no email or login to use as userName")
	}
	if queued, err := c.async(ctx, newUserKey(u.ExternalID, userName), func(ctx context.Context) error {
		_, err := c.createUser(ctx, u, userName)
		return err
	}); queued {
		u.ID = ""
		return u, err
	}
	return c.createUser(ctx, u, userName)
}

// createUser makes CreateUser's requests.
func (c *Client) createUser(ctx context.Context, u target.User, userName string) (target.User, error) {
	if err := c.ensureState(ctx); err != nil {
		return target.User{}, err
	}
	roles := normRoles(u.Roles)
	body := map[string]any{
		"schemas":  []string{schemaUser},
		"userName": userName,
		"name":     map[string]any{"givenName": u.FirstName, "familyName": u.LastName},
	}
	if c.profile == ProfileGeneric {
		body["active"] = true
		body["emails"] = emailsValue(userName)
		if u.ExternalID != "" {
			body["externalId"] = u.ExternalID
		}
	}
	if c.mode == RoleModeAttribute && len(roles) > 0 {
		body["roles"] = rolesValue(roles)
	}
	var data json.RawMessage
	r, err := c.do(ctx, http.MethodPost, "/Users", nil, body, "", &data)
	var he *HTTPError
	var rec *userRec
	switch {
	case errors.As(err, &he) && he.Status == http.StatusConflict:
		rec, err = c.adopt(ctx, userName, u, he)
		if err != nil {
			return target.User{}, err
		}
	case err != nil:
		return target.User{}, err
	default:
		rec, err = decodeUser(http.MethodPost, "/Users", data)
		if err != nil {
			return target.User{}, fmt.Errorf("%w; the user %s may have been created: the next run adopts it", err, userName)
		}
		if r.etag != "" {
			rec.etag = r.etag
		}
		c.state.users[rec.id] = rec
	}
	if err := c.setRoles(ctx, rec, roles); err != nil {
		return c.view(rec), fmt.Errorf("scim: user %s was created as %s but its roles were not set: %w", userName, rec.id, err)
	}
	return c.view(rec), nil
}

// adopt finds the existing user that made a create fail with 409 and brings
// its profile in line with u.
func (c *Client) adopt(ctx context.Context, userName string, u target.User, conflict *HTTPError) (*userRec, error) {
	rec, err := c.findByUserName(ctx, userName)
	if err != nil {
		return nil, fmt.Errorf("scim: create user %s: %w; looking up the existing user failed: %w", userName, conflict, err)
	}
	if rec == nil {
		return nil, fmt.Errorf("scim: create user %s: %w; no user with that userName is visible: check the token's permissions", userName, conflict)
	}
	c.log.Info("scim user exists; adopting it", "user_id", rec.id)
	u.ID = rec.id
	if err := c.updateProfile(ctx, rec, u); err != nil {
		return nil, err
	}
	if c.profile == ProfileGeneric && !rec.active {
		if err := c.writeUser(ctx, rec, []attrChange{{path: "active", value: true}}); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

// findByUserName returns the user with userName (compared case-insensitively,
// as RFC 7643 defines it), or nil.
func (c *Client) findByUserName(ctx context.Context, userName string) (*userRec, error) {
	spc, err := c.config(ctx)
	if err != nil {
		return nil, err
	}
	if spc.Filter {
		raws, err := c.list(ctx, "/Users", Filter("userName", userName))
		if err != nil {
			return nil, err
		}
		for _, data := range raws {
			rec, err := decodeUser(http.MethodGet, "/Users", data)
			if err != nil {
				return nil, err
			}
			if strings.EqualFold(rec.user.Login, userName) {
				c.state.users[rec.id] = rec
				return rec, nil
			}
		}
		return nil, nil
	}
	if err := c.load(ctx); err != nil {
		return nil, err
	}
	for _, rec := range c.state.users {
		if strings.EqualFold(rec.user.Login, userName) {
			return rec, nil
		}
	}
	return nil, nil
}

// UpdateProfile changes the user's userName, email, names and external id
// where they differ; roles are left alone. No change means no request.
func (c *Client) UpdateProfile(ctx context.Context, u target.User) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	update := func(ctx context.Context) error {
		rec, err := c.userByID(ctx, u.ID)
		if err != nil {
			return err
		}
		return c.updateProfile(ctx, rec, u)
	}
	if queued, err := c.async(ctx, userKey(u.ID), update); queued {
		return err
	}
	return update(ctx)
}

func (c *Client) updateProfile(ctx context.Context, rec *userRec, u target.User) error {
	userName := u.Email
	if userName == "" {
		userName = u.Login
	}
	var changes []attrChange
	if userName != "" && userName != rec.user.Login {
		changes = append(changes, attrChange{path: "userName", value: userName})
	}
	if u.FirstName != rec.user.FirstName {
		changes = append(changes, attrChange{path: "name.givenName", value: u.FirstName})
	}
	if u.LastName != rec.user.LastName {
		changes = append(changes, attrChange{path: "name.familyName", value: u.LastName})
	}
	if c.profile == ProfileGeneric {
		if userName != "" && userName != rec.user.Email {
			changes = append(changes, attrChange{path: "emails", value: emailsValue(userName)})
		}
		if u.ExternalID != "" && u.ExternalID != rec.user.ExternalID {
			changes = append(changes, attrChange{path: "externalId", value: u.ExternalID})
		}
	}
	if len(changes) == 0 {
		return nil
	}
	return c.writeUser(ctx, rec, changes)
}

// attrChange is one change to a user attribute: a replace, or a remove.
type attrChange struct {
	path   string
	value  any
	remove bool
}

type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path,omitempty"`
	Value any    `json:"value,omitempty"`
}

func patchBody(ops []patchOp) map[string]any {
	return map[string]any{"schemas": []string{schemaPatchOp}, "Operations": ops}
}

// apply makes the change on a resource's JSON object.
func (a attrChange) apply(raw map[string]any) {
	obj := raw
	parts := strings.Split(a.path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := obj[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			obj[p] = next
		}
		obj = next
	}
	last := parts[len(parts)-1]
	if a.remove {
		delete(obj, last)
		return
	}
	// Round-trip through JSON so the stored value has the decoded shape.
	b, _ := json.Marshal(a.value)
	var v any
	_ = json.Unmarshal(b, &v)
	obj[last] = v
}

// writeUser sends changes as one PATCH, or as a PUT of the whole resource
// when the provider has no PATCH. With ETags it sends If-Match and, on 412,
// re-reads the user and tries once more.
func (c *Client) writeUser(ctx context.Context, rec *userRec, changes []attrChange) error {
	spc, err := c.config(ctx)
	if err != nil {
		return err
	}
	path := "/Users/" + url.PathEscape(rec.id)
	for attempt := 0; ; attempt++ {
		ifMatch := ""
		if spc.ETag {
			ifMatch = rec.etag
		}
		var data json.RawMessage
		var r response
		if spc.Patch {
			ops := make([]patchOp, 0, len(changes))
			for _, ch := range changes {
				if ch.remove {
					ops = append(ops, patchOp{Op: "remove", Path: ch.path})
				} else {
					ops = append(ops, patchOp{Op: "replace", Path: ch.path, Value: ch.value})
				}
			}
			r, err = c.do(ctx, http.MethodPatch, path, nil, patchBody(ops), ifMatch, &data)
		} else {
			raw := rec.object()
			delete(raw, "meta")
			for _, ch := range changes {
				ch.apply(raw)
			}
			r, err = c.do(ctx, http.MethodPut, path, nil, raw, ifMatch, &data)
		}
		var he *HTTPError
		if attempt == 0 && errors.As(err, &he) && he.Status == http.StatusPreconditionFailed {
			c.log.Info("scim user changed meanwhile; re-reading it", "user_id", rec.id)
			fresh, ferr := c.fetchUser(ctx, rec.id)
			if ferr != nil {
				return fmt.Errorf("%w; re-reading the user failed: %w", err, ferr)
			}
			*rec = *fresh
			continue
		}
		if err != nil {
			return err
		}
		return c.stored(rec, changes, data, r.etag, path)
	}
}

// stored updates rec after a successful write, from the answer when the
// provider returned the resource and from the changes otherwise.
func (c *Client) stored(rec *userRec, changes []attrChange, data json.RawMessage, etag, path string) error {
	if len(data) > 0 {
		fresh, err := decodeUser(http.MethodPatch, path, data)
		if err != nil {
			return err
		}
		if etag != "" {
			fresh.etag = etag
		}
		*rec = *fresh
		return nil
	}
	raw := rec.object()
	for _, ch := range changes {
		ch.apply(raw)
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return fmt.Errorf("scim: keep user %s: %w", rec.id, err)
	}
	fresh, err := decodeUser(http.MethodPatch, path, b)
	if err != nil {
		return err
	}
	fresh.etag = etag
	*rec = *fresh
	return nil
}

// cloneRaw copies a resource's JSON object deeply enough for apply.
func cloneRaw(raw map[string]any) map[string]any {
	out := maps.Clone(raw)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range out {
		if m, ok := v.(map[string]any); ok {
			out[k] = maps.Clone(m)
		}
	}
	return out
}

func emailsValue(email string) []map[string]any {
	return []map[string]any{{"value": email, "type": "work", "primary": true}}
}

func rolesValue(roles []string) []map[string]any {
	out := make([]map[string]any, 0, len(roles))
	for _, r := range roles {
		out = append(out, map[string]any{"value": r})
	}
	return out
}
