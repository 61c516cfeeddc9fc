package okta

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Snapshot resolves each mapping reference (an Okta group id, or a group
// name matched exactly, else case-insensitively when only one group
// matches) and reads every member of every resolved group, groups in
// parallel, largest first, pages of 1000. References that match no group
// are listed in Missing. Any failed page, timeout or malformed response
// fails the whole read: a Snapshot is never partial.
//
// API calls: one groups search per ~60 references, one more per name not
// found that way (a case-insensitive lookup); or, when the references need
// more than one search, one listing of every group per 10,000 groups
// instead; then ceil(members/1000) per group (at least 1).
func (c *Client) Snapshot(ctx context.Context, refs []string) (*Snapshot, error) {
	ctx, calls := withCallCount(ctx)
	taken := c.clock.Now()
	res, err := c.resolve(ctx, refs)
	if err != nil {
		return nil, fmt.Errorf("resolve mapped Okta groups: %w", err)
	}
	users := map[string]*User{}
	if err := c.readMembers(ctx, readOrder(res.groups, res.members), res.members, users); err != nil {
		return nil, err
	}
	return &Snapshot{Groups: res.groups, Missing: res.missing, Users: users, APICalls: int(calls.Load()), TakenAt: taken,
		Feed: FeedFull, SearchMark: markOf(time.Time{}, users)}, nil
}

// readOrder returns each resolved group once, in the order to read them:
// the largest first, so that the longest chain of pages starts first.
// Groups without a member count come before those with one (they may be
// the largest); ties go by id.
func readOrder(groups map[string]*Group, members map[string]int) []*Group {
	return largestFirst(distinctGroups(groups), members)
}

// largestFirst sorts groups by member count, descending, those without a
// count first, ties by id.
func largestFirst(out []*Group, members map[string]int) []*Group {
	size := func(g *Group) int {
		if n, ok := members[g.ID]; ok {
			return n
		}
		return math.MaxInt
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := size(out[i]), size(out[j]); a != b {
			return a > b
		}
		return out[i].ID < out[j].ID
	})
	return out
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

// memberJSON is the part of an Okta user a sync keeps, as encoding/json
// reads it from user searches; member pages are decoded straight into
// User (decodeMembers).
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
// time, starting them in order, setting each group's MemberIDs and adding the
// users to users. A group with a member count in counts (Okta's group
// statistics, by group id) must read at least about that many members
// (checkMemberCount). The first error cancels the other reads and is
// returned.
func (c *Client) readMembers(ctx context.Context, groups []*Group, counts map[string]int, users map[string]*User) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		sem = make(chan struct{}, c.concurrency)
	)
	// Groups start in the order given: a slot is taken before each read
	// starts.
start:
	for _, g := range groups {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break start
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The slot bounds requests in flight: it is given back once
			// the group's last page has arrived, so the next group's first
			// request goes out while this one's last page is decoded.
			var once sync.Once
			release := func() { once.Do(func() { <-sem }) }
			defer release()
			members, err := c.groupMembers(ctx, g.ID, release)
			if n, ok := counts[g.ID]; ok && err == nil {
				err = checkMemberCount(len(members), n)
			}
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
// fetched is called once no more pages will be requested: when the last
// page has arrived, before it is decoded.
//
// This route does not use the SDK: its GroupMember decoding unmarshals each
// member and each nested model twice (once more into a map of additional
// properties), which BenchmarkDecodeMembersPage measures at about 40 times
// the CPU and the allocations of decoding the fields a snapshot keeps.
func (c *Client) groupMembers(ctx context.Context, id string, fetched func()) ([]*User, error) {
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
		} else {
			fetched()
		}
		members, err := decodeMembers(p.body)
		if err != nil {
			return nil, fmt.Errorf("%w: GET %s: %v", ErrMalformed, path, err) // cancel stops the page in flight
		}
		for i := range members {
			if members[i].ID == "" {
				return nil, errMemberWithoutID(path)
			}
			out = append(out, &members[i])
		}
	}
	return out, nil
}

func errMemberWithoutID(path string) error {
	return fmt.Errorf("%w: GET %s: a user without an id", ErrMalformed, path)
}

// Slack for members removed while a group is read: the read may fall short
// of the count resolved before it by countSlackMin members, or by one in
// countSlackPer of the count when that is more (0.5%, which stays under a
// page of 1,000 up to 200,000 members).
const (
	countSlackMin = 2
	countSlackPer = 200
)

// checkMemberCount compares the members a group's read returned with the
// count Okta's statistics gave (usersCount, expand=stats). Paging ends at
// the first page without a rel="next" link, so a listing cut short (by
// Okta, or a proxy that drops the Link header) looks complete; the count is
// what shows it. A read short by more than the slack is ErrIncomplete.
func checkMemberCount(read, counted int) error {
	if counted-read <= max(countSlackMin, counted/countSlackPer) {
		return nil
	}
	return fmt.Errorf("%w: Okta counts %d members (usersCount) but the read returned %d; "+
		"the member listing stopped early, so nothing is applied: run again, and if it repeats, "+
		"check that no proxy between rolesync and Okta drops the Link header", ErrIncomplete, counted, read)
}
