package okta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Snapshot resolves each mapping reference (an Okta group id, or a group
// name matched exactly, else case-insensitively when only one group
// matches) and reads every member of every resolved group, groups in
// parallel, pages of 1000. References that match no group are listed in
// Missing. Any failed page, timeout or malformed response fails the whole
// read: a Snapshot is never partial.
//
// API calls: one groups search per ~60 references, one more per name not
// found that way (a case-insensitive lookup), then ceil(members/1000) per
// group (at least 1).
func (c *Client) Snapshot(ctx context.Context, refs []string) (*Snapshot, error) {
	ctx, calls := withCallCount(ctx)
	taken := c.clock.Now()
	groups, missing, err := c.resolve(ctx, refs)
	if err != nil {
		return nil, fmt.Errorf("resolve mapped Okta groups: %w", err)
	}
	users := map[string]*User{}
	if err := c.readMembers(ctx, distinctGroups(groups), users); err != nil {
		return nil, err
	}
	return &Snapshot{Groups: groups, Missing: missing, Users: users, APICalls: int(calls.Load()), TakenAt: taken}, nil
}

// looksLikeGroupID reports whether ref has the shape of an Okta group id
// (00g followed by 17 letters or digits).
func looksLikeGroupID(ref string) bool {
	if len(ref) != 20 || !strings.HasPrefix(ref, "00g") {
		return false
	}
	for _, r := range ref {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// resolve maps each reference to its group. It returns the references that
// matched nothing, sorted. Ids and names are looked up together, in one
// search per ~60 references (id eq "a" or profile.name eq "b" …), then each
// name not matched that way with a case-insensitive q lookup, since Okta's
// eq may compare case-sensitively.
func (c *Client) resolve(ctx context.Context, refs []string) (map[string]*Group, []string, error) {
	var terms []string
	var uniq []string
	seen := map[string]bool{}
	for _, ref := range refs {
		if strings.TrimSpace(ref) == "" {
			return nil, nil, errors.New("a mapping names an empty Okta group: give each mapping a group name or id")
		}
		if seen[ref] {
			continue
		}
		seen[ref] = true
		uniq = append(uniq, ref)
		if looksLikeGroupID(ref) {
			terms = append(terms, "id eq "+quote(ref))
		} else {
			terms = append(terms, "profile.name eq "+quote(ref))
		}
	}
	var found []*Group
	byID := map[string]*Group{}
	for _, expr := range orChunks(terms) {
		groups, err := c.listGroups(ctx, groupQuery{search: expr, limit: groupsPageSize})
		if err != nil {
			return nil, nil, err
		}
		for _, sg := range groups {
			g, err := toGroup(sg)
			if err != nil {
				return nil, nil, err
			}
			if byID[g.ID] == nil {
				byID[g.ID] = g
				found = append(found, g)
			}
		}
	}
	out := map[string]*Group{}
	var missing []string
	for _, ref := range uniq {
		var g *Group
		if looksLikeGroupID(ref) {
			g = byID[ref]
		} else {
			var err error
			if g, err = c.groupByName(ctx, ref, found); err != nil {
				return nil, nil, err
			}
		}
		if g == nil {
			missing = append(missing, ref)
			continue
		}
		if prev := byID[g.ID]; prev != nil {
			g = prev // two references to one group share its Group
		} else {
			byID[g.ID] = g
		}
		out[ref] = g
	}
	sort.Strings(missing)
	return out, missing, nil
}

// groupByName picks the group named name among found, else among the
// groups whose name starts with it ignoring case (one q lookup).
func (c *Client) groupByName(ctx context.Context, name string, found []*Group) (*Group, error) {
	g, err := pickByName(name, found)
	if err != nil || g != nil {
		return g, err
	}
	more, err := c.ListGroups(ctx, name, pickerMax)
	if err != nil {
		return nil, err
	}
	cands := make([]*Group, len(more))
	for i := range more {
		cands[i] = &more[i]
	}
	return pickByName(name, cands)
}

// pickByName chooses the group named name: the one exact match, else the one
// case-insensitive match. Several candidates are an error the admin fixes by
// naming the group by id.
func pickByName(name string, groups []*Group) (*Group, error) {
	var exact, folded []*Group
	for _, g := range groups {
		switch {
		case g.Name == name:
			exact = append(exact, g)
		case strings.EqualFold(g.Name, name):
			folded = append(folded, g)
		}
	}
	cands := exact
	if len(cands) == 0 {
		cands = folded
	}
	switch len(cands) {
	case 0:
		return nil, nil
	case 1:
		return cands[0], nil
	}
	ids := make([]string, len(cands))
	for i, g := range cands {
		ids[i] = g.Name + " " + g.ID
	}
	sort.Strings(ids)
	return nil, fmt.Errorf("the mapping's Okta group %q matches %d groups (%s): map the group by its id instead", name, len(cands), strings.Join(ids, ", "))
}

// distinctGroups returns each resolved group once, sorted by id.
func distinctGroups(groups map[string]*Group) []*Group {
	seen := map[*Group]bool{}
	var out []*Group
	for _, g := range groups {
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// memberJSON is the part of a group member the snapshot keeps.
type memberJSON struct {
	ID          string    `json:"id"`
	Status      string    `json:"status"`
	LastUpdated time.Time `json:"lastUpdated"`
	Profile     struct {
		Login     string `json:"login"`
		Email     string `json:"email"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
	} `json:"profile"`
}

func (m *memberJSON) user() *User {
	return &User{ID: m.ID, Status: m.Status, Login: m.Profile.Login, Email: m.Profile.Email,
		FirstName: m.Profile.FirstName, LastName: m.Profile.LastName, LastUpdated: m.LastUpdated}
}

// readMembers reads the members of groups, at most c.concurrency groups at a
// time, setting each group's MemberIDs and adding the users to users. The
// first error cancels the other reads and is returned.
func (c *Client) readMembers(ctx context.Context, groups []*Group, users map[string]*User) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		sem = make(chan struct{}, c.concurrency)
	)
	for _, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			members, err := c.groupMembers(ctx, g.ID)
			if err != nil {
				cancel(fmt.Errorf("read members of Okta group %s (%s): %w", g.Name, g.ID, err))
				return
			}
			ids := make([]string, len(members))
			mu.Lock()
			for i, u := range members {
				ids[i] = u.ID
				users[u.ID] = u
			}
			mu.Unlock()
			g.MemberIDs = ids
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}

// groupMembers reads every member of one group, page after page. While a
// page is decoded, the next one is already being fetched: the cursor is in
// the headers, so only the network waits stay on the chain of pages.
//
// This route does not use the SDK: its GroupMember decoding unmarshals each
// member and each nested model twice (once more into a map of additional
// properties), which BenchmarkDecodeMembersPage measures at about 7 times
// the CPU and 36 times the allocations of decoding the fields a snapshot
// keeps.
func (c *Client) groupMembers(ctx context.Context, id string) ([]*User, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	path := "/api/v1/groups/" + url.PathEscape(id) + "/users"
	type page struct {
		body []byte
		h    http.Header
		err  error
	}
	fetch := func(after string) <-chan page {
		ch := make(chan page, 1)
		go func() {
			q := url.Values{"limit": {strconv.Itoa(membersPageSize)}}
			if after != "" {
				q.Set("after", after)
			}
			body, h, err := c.get(ctx, path, q)
			ch <- page{body, h, err}
		}()
		return ch
	}
	var out []*User
	seen := map[string]bool{}
	pending := fetch("")
	for pending != nil {
		p := <-pending
		pending = nil
		if p.err != nil {
			return nil, p.err
		}
		next, err := nextCursor(p.h)
		if err != nil {
			return nil, fmt.Errorf("read group members: %w", err)
		}
		if next != "" {
			if seen[next] {
				return nil, fmt.Errorf("%w: read group members: Okta returned the page cursor %q twice", ErrMalformed, next)
			}
			seen[next] = true
			pending = fetch(next)
		}
		var members []memberJSON
		if err := decodeJSON(path, p.body, &members); err != nil {
			return nil, err // cancel stops the page in flight
		}
		for i := range members {
			if members[i].ID == "" {
				return nil, errMemberWithoutID(path)
			}
			out = append(out, members[i].user())
		}
	}
	return out, nil
}

func errMemberWithoutID(path string) error {
	return fmt.Errorf("%w: GET %s: a user without an id", ErrMalformed, path)
}
