package scim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// batch holds queued membership changes by group name.
type batch struct {
	groups map[string]*pending
	q      *queue  // nil: user calls are made at once (concurrency 1, no Bulk)
	bulk   *bulker // nil: no Bulk, or not used yet
	// stopped is set by Stop: nothing more of the batch is sent.
	stopped atomic.Bool
}

type pending struct {
	add    map[string]bool
	remove map[string]bool
}

// Begin starts queueing group membership changes until Flush.
func (c *Client) Begin(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.batch != nil {
		return errors.New("scim: a batch is already open: call Flush before Begin")
	}
	// The queue is made with the first user call, once the provider's
	// configuration says whether it offers Bulk.
	c.batch = &batch{groups: map[string]*pending{}}
	return nil
}

// Flush waits for the batch's queued user calls, then sends the queued
// membership changes, one request per changed group (groups concurrently),
// and ends the batch, even when it fails. Changes to the roles a
// *FlushError names were not sent (or not confirmed), nor the calls for the
// users it names; the others were made, and the state is re-read on next
// use. Flush without Begin does nothing.
func (c *Client) Flush(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.batch
	if b == nil {
		return nil
	}
	fe := &FlushError{}
	if b.q != nil {
		c.mu.Unlock()
		fe.Users, fe.UserErrs = b.q.wait()
		c.mu.Lock()
	}
	c.batch = nil
	names := make([]string, 0, len(b.groups))
	for name := range b.groups {
		names = append(names, name)
	}
	sort.Strings(names)
	fe.Total = len(names)
	if len(names) > 0 {
		if err := c.ensureState(ctx); err != nil {
			fe.Roles, fe.Err = names, err
			return fe
		}
		fe.Roles, fe.Err = c.flushGroups(ctx, b, names)
	}
	if len(fe.Roles) > 0 || len(fe.Users) > 0 {
		c.state = nil
		return fe
	}
	return nil
}

// flushGroups sends the queued changes of the groups names, up to the
// client's concurrency at once, and returns the roles not sent and why.
// The caller holds c.mu.
func (c *Client) flushGroups(ctx context.Context, b *batch, names []string) ([]string, error) {
	failed := make([]error, len(names))
	skipped := make([]bool, len(names))
	var wg sync.WaitGroup
	slots := make(chan struct{}, c.conc)
	var bulk *bulker
	if spc, err := c.config(ctx); err == nil {
		bulk = c.batchBulker(ctx, b, spc)
	}
	if bulk != nil {
		slots = make(chan struct{}, (c.conc+1)*bulk.maxOps)
	}
	c.mu.Unlock()
	for i, name := range names {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			if ctx.Err() != nil || b.stopped.Load() {
				skipped[i] = true
				return
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			p := b.groups[name]
			failed[i] = c.applyGroup(workerCtx(ctx, bulk, &b.stopped), name, setKeys(p.add), setKeys(p.remove))
		}()
	}
	wg.Wait()
	c.mu.Lock()
	var roles []string
	var errs []error
	cancelled := 0
	for i, err := range failed {
		switch {
		case skipped[i]:
			cancelled++
		case err != nil:
			errs = append(errs, fmt.Errorf("role %q: %w", names[i], err))
		default:
			continue
		}
		roles = append(roles, names[i])
	}
	if cancelled > 0 {
		why := ctx.Err()
		if why == nil {
			why = errNotSent
		}
		errs = append(errs, fmt.Errorf("%d roles not sent: %w", cancelled, why))
	}
	return roles, errors.Join(errs...)
}

// FlushError is Flush's error: the membership changes queued for Roles
// were not sent or not confirmed, and the calls queued for Users failed
// (or followed a failed one); the others were made.
type FlushError struct {
	Roles []string // sorted
	Total int      // roles with queued changes
	Err   error    // why the roles' changes were not made
	// Users are the users whose calls failed, as FailedUsers names them,
	// and UserErrs the first failure of each.
	Users    []string
	UserErrs []error
}

func (e *FlushError) Error() string {
	var parts []string
	if len(e.Roles) > 0 {
		parts = append(parts, fmt.Sprintf("scim: the queued changes of %d of %d roles (%s) were not made: %v",
			len(e.Roles), e.Total, strings.Join(e.Roles, ", "), e.Err))
	}
	if len(e.Users) > 0 {
		parts = append(parts, fmt.Sprintf("the changes of %d users were not made: %v", len(e.Users), errors.Join(e.UserErrs...)))
	}
	return strings.Join(parts, "; ")
}

// Unwrap returns the errors of the roles and the users.
func (e *FlushError) Unwrap() []error {
	var out []error
	for _, err := range append([]error{e.Err}, e.UserErrs...) {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// FailedRoles returns the roles whose queued changes were not made.
func (e *FlushError) FailedRoles() []string { return slices.Clone(e.Roles) }

// FailedUsers returns the users whose queued calls were not all made: the
// target id of an existing user, and for a user to create its external id
// (else its userName, lower-cased).
func (e *FlushError) FailedUsers() []string { return slices.Clone(e.Users) }

// member adds the user to or removes it from the role's group: queued in a
// batch, at once otherwise.
func (c *Client) member(ctx context.Context, role, userID string, add bool) error {
	if c.batch == nil {
		if add {
			return c.applyGroup(ctx, role, []string{userID}, nil)
		}
		return c.applyGroup(ctx, role, nil, []string{userID})
	}
	p := c.batch.groups[role]
	if p == nil {
		p = &pending{add: map[string]bool{}, remove: map[string]bool{}}
		c.batch.groups[role] = p
	}
	switch {
	case add && p.remove[userID]:
		delete(p.remove, userID)
	case add:
		p.add[userID] = true
	case p.add[userID]:
		delete(p.add, userID)
	default:
		p.remove[userID] = true
	}
	g := c.state.groups[role]
	if g == nil {
		g = &groupRec{name: role, members: map[string]bool{}}
		c.state.groups[role] = g
	}
	if add {
		g.members[userID] = true
	} else {
		delete(g.members, userID)
	}
	return nil
}

// applyGroup writes membership changes to one group in one request: a PATCH
// (add, remove), a PUT of the member list without PATCH, or a POST when the
// group does not exist yet.
func (c *Client) applyGroup(ctx context.Context, name string, adds, removes []string) error {
	if len(adds) == 0 && len(removes) == 0 {
		return nil
	}
	g := c.state.groups[name]
	if g == nil || g.id == "" {
		if len(adds) == 0 {
			delete(c.state.groups, name)
			return nil
		}
		return c.createGroup(ctx, name, adds)
	}
	spc, err := c.config(ctx)
	if err != nil {
		return err
	}
	path := "/Groups/" + url.PathEscape(g.id)
	for attempt := 0; ; attempt++ {
		desired := withChanges(g.members, adds, removes)
		var data json.RawMessage
		r, err := c.sendGroup(ctx, spc, g, path, adds, removes, desired, &data)
		var he *HTTPError
		if attempt == 0 && errors.As(err, &he) && he.Status == http.StatusPreconditionFailed {
			c.log.Info("scim group changed meanwhile; re-reading it", "group_id", g.id)
			if ferr := c.fetchGroup(ctx, g); ferr != nil {
				return fmt.Errorf("%w; re-reading the group failed: %w", err, ferr)
			}
			continue
		}
		if err != nil {
			return err
		}
		return keepGroup(spc, g, name, path, desired, data, r.etag)
	}
}

// sendGroup sends one group's membership changes: a PATCH (add, remove),
// or a PUT of the desired member list without PATCH.
func (c *Client) sendGroup(ctx context.Context, spc ProviderConfig, g *groupRec, path string, adds, removes []string, desired map[string]bool, data *json.RawMessage) (response, error) {
	ifMatch := ""
	if spc.ETag {
		ifMatch = g.etag
	}
	if !spc.Patch {
		raw := cloneRaw(g.raw)
		delete(raw, "meta")
		raw["members"] = membersValue(setKeys(desired))
		return c.do(ctx, http.MethodPut, path, nil, raw, ifMatch, data)
	}
	var ops []patchOp
	if len(adds) > 0 {
		ops = append(ops, patchOp{Op: "add", Path: "members", Value: membersValue(adds)})
	}
	for _, id := range removes {
		ops = append(ops, patchOp{Op: "remove", Path: "members[" + Filter("value", id) + "]"})
	}
	return c.do(ctx, http.MethodPatch, path, nil, patchBody(ops), ifMatch, data)
}

// keepGroup updates g after a membership change the provider made.
func keepGroup(spc ProviderConfig, g *groupRec, name, path string, desired map[string]bool, data json.RawMessage, etag string) error {
	if len(data) > 0 && spc.ETag && etag == "" {
		// The new version is only in the body: read it from there.
		fresh, err := decodeGroup(http.MethodPatch, path, data)
		if err != nil {
			return err
		}
		*g = *fresh
		g.name = name
		return nil
	}
	// Large groups make large answers: the change is known, so keep it
	// rather than decode the whole member list again.
	g.members = desired
	g.etag = etag
	if !spc.Patch && g.raw != nil {
		g.raw["members"] = membersValue(setKeys(desired))
	}
	return nil
}

// createGroup creates the role's group with its first members. A 409 means
// the group exists: it is read and the members are added to it.
func (c *Client) createGroup(ctx context.Context, name string, members []string) error {
	body := map[string]any{
		"schemas":     []string{schemaGroup},
		"displayName": name,
		"members":     membersValue(members),
	}
	var data json.RawMessage
	r, err := c.do(ctx, http.MethodPost, "/Groups", nil, body, "", &data)
	var he *HTTPError
	if errors.As(err, &he) && he.Status == http.StatusConflict {
		s := newState()
		if lerr := c.loadGroups(ctx, s); lerr != nil {
			return fmt.Errorf("%w; reading the existing groups failed: %w", err, lerr)
		}
		g := s.groups[name]
		if g == nil {
			return fmt.Errorf("%w; no group named %q is visible: check the token's permissions", err, name)
		}
		c.state.groups[name] = g
		return c.applyGroup(ctx, name, members, nil)
	}
	if err != nil {
		return err
	}
	g, err := decodeGroup(http.MethodPost, "/Groups", data)
	if err != nil {
		return fmt.Errorf("%w; the group %q may have been created: the next run adopts it", err, name)
	}
	if r.etag != "" {
		g.etag = r.etag
	}
	c.log.Info("scim group created for role", "role", name, "group_id", g.id)
	c.state.groups[name] = g
	if len(g.members) == 0 {
		// The provider ignored the members on create (or did not echo
		// them): add them explicitly.
		return c.applyGroup(ctx, name, members, nil)
	}
	return nil
}

func membersValue(ids []string) []map[string]any {
	out := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		out = append(out, map[string]any{"value": id})
	}
	return out
}

func setKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k, ok := range m {
		if ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func withChanges(base map[string]bool, adds, removes []string) map[string]bool {
	out := make(map[string]bool, len(base)+len(adds))
	for k, ok := range base {
		if ok {
			out[k] = true
		}
	}
	for _, id := range adds {
		out[id] = true
	}
	for _, id := range removes {
		delete(out, id)
	}
	return out
}
