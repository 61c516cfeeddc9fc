package okta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// logOverlap is how far before the previous snapshot the System Log is read
// again, to cover events recorded late and a local clock up to a minute
// ahead of Okta's.
const logOverlap = time.Minute

// maxUserRefresh bounds the users re-read one by one; past it a full read is
// cheaper.
const maxUserRefresh = 100

// SnapshotDelta returns a snapshot equal to what Snapshot(ctx, refs) would
// read now, spending calls only on what changed since prev.
//
// With okta.logs.read granted it costs:
//
//  1. the System Log since prev.TakenAt less a minute: one call per 1000
//     events (membership, user lifecycle and profile, group create, delete
//     and profile events);
//  2. one call: the groups whose membership or profile changed since the
//     newest membership time prev saw (filter on lastMembershipUpdated and
//     lastUpdated, whatever the number of mapped groups);
//  3. a full read of each mapped group whose membership changed, a lookup
//     of references that are new, renamed or deleted (and of missing ones
//     when a group was created), and one call per user whose lifecycle or
//     profile event is newer than prev's copy.
//
// A run in which nothing changed thus costs 2 calls. With only
// okta.users.read, step 1 is a users search on lastUpdated, from prev's
// SearchMark less the search overlap (Options.SearchOverlap), and step 2
// reads the mapped groups by id (one call per ~70 groups). The snapshot's
// Feed names the feed used. With neither, with prev
// nil, or with over 100 users to re-read, it reads everything as Snapshot
// does. A daily full Snapshot remains the reconcile of last resort.
func (c *Client) SnapshotDelta(ctx context.Context, refs []string, prev *Snapshot) (*Snapshot, error) {
	if prev == nil {
		return c.Snapshot(ctx, refs)
	}
	ctx, calls := withCallCount(ctx)
	taken := c.clock.Now()

	feed, err := c.changeFeed(ctx, prev)
	if errors.Is(err, ErrNoChangeFeed) || err == nil && feed.toRead() > maxUserRefresh {
		return c.fullDelta(ctx, refs, prev, feed, taken, err)
	}
	if err != nil {
		return nil, err
	}

	current, counts, err := c.currentGroups(ctx, refs, prev, feed)
	if err != nil {
		return nil, fmt.Errorf("read mapped Okta groups: %w", err)
	}
	groups, again := carryGroups(refs, prev, current, feed)
	missing, err := c.resolveAgain(ctx, refs, prev, again, groups, counts)
	if err != nil {
		return nil, err
	}
	shareGroups(groups)
	fresh := map[string]*User{}
	if err := c.readMembers(ctx, rereadOrder(groups, prev, counts), counts, fresh); err != nil {
		return nil, err
	}
	users, err := c.deltaUsers(ctx, groups, fresh, feed, prev)
	if err != nil {
		return nil, err
	}
	kind := FeedUsersSearch
	if feed.viaLog {
		kind = FeedSystemLog
	}
	return &Snapshot{Groups: groups, Missing: missing, Users: users, APICalls: int(calls.Load()), TakenAt: taken,
		Feed: kind, SearchMark: laterOf(markOf(feed.mark, users), prev.SearchMark)}, nil
}

// fullDelta is the delta read that reads everything, as Snapshot does:
// without a change feed (why), or with too many users to re-read.
func (c *Client) fullDelta(ctx context.Context, refs []string, prev *Snapshot, f feed, taken time.Time, why error) (*Snapshot, error) {
	c.log.Debug("okta delta read falls back to a full read", "reason", fmt.Sprint(why))
	s, err := c.Snapshot(ctx, refs)
	if err != nil {
		return nil, err
	}
	s.TakenAt = taken
	s.SearchMark = laterOf(s.SearchMark, f.mark, prev.SearchMark)
	return s, nil
}

// carryGroups is the first phase of a delta read: it carries prev's groups
// over, by reference, with the changes current holds (members kept when the
// membership time did not move, left nil to be read again otherwise), and
// lists the references to resolve again: new, renamed or deleted ones, and
// missing ones when a group was created.
func carryGroups(refs []string, prev *Snapshot, current map[string]*Group, f feed) (groups map[string]*Group, again []string) {
	groups = map[string]*Group{}
	for _, ref := range refs {
		old := prev.Groups[ref]
		if old == nil {
			if f.groupsCreated || !contains(prev.Missing, ref) {
				again = append(again, ref)
			}
			continue
		}
		cur, seen := current[old.ID]
		switch {
		case f.deleted[old.ID] || seen && cur == nil:
			again = append(again, ref) // deleted: the name may now be another group's
		case cur == nil:
			cp := *old // unchanged
			groups[ref] = &cp
		case !looksLikeGroupID(ref) && !strings.EqualFold(cur.Name, ref):
			again = append(again, ref) // renamed
		default:
			if cur.LastMembershipUpdated.Equal(old.LastMembershipUpdated) {
				cur.MemberIDs = old.MemberIDs
			}
			groups[ref] = cur
		}
	}
	return groups, again
}

// resolveAgain is the second phase: it resolves the references again
// lists into groups, adds the member counts of the resolution to counts,
// and returns the sorted references that stay missing.
func (c *Client) resolveAgain(ctx context.Context, refs []string, prev *Snapshot, again []string, groups map[string]*Group, counts map[string]int) ([]string, error) {
	res, err := c.resolve(ctx, again)
	if err != nil {
		return nil, fmt.Errorf("resolve mapped Okta groups: %w", err)
	}
	missing := res.missing
	for ref, g := range res.groups {
		groups[ref] = g
	}
	for _, ref := range refs {
		if prev.Groups[ref] == nil && !contains(again, ref) {
			missing = append(missing, ref) // still missing, no group created since
		}
	}
	for id, n := range res.members {
		counts[id] = n
	}
	slices.Sort(missing)
	return missing, nil
}

// rereadOrder is the third phase's plan: the groups whose members are to be
// read again, largest first, by Okta's counts (of the resolution, else of
// the changed groups' listing) or else the sizes the groups had in prev.
// Each read is checked against the count, when there is one.
func rereadOrder(groups map[string]*Group, prev *Snapshot, counts map[string]int) []*Group {
	var reread []*Group
	for _, g := range distinctGroups(groups) {
		if g.MemberIDs == nil {
			reread = append(reread, g)
		}
	}
	sizes := map[string]int{}
	for _, g := range prev.Groups {
		if g != nil && g.MemberIDs != nil {
			sizes[g.ID] = len(g.MemberIDs)
		}
	}
	for id, n := range counts {
		sizes[id] = n
	}
	return largestFirst(reread, sizes)
}

// deltaUsers is the last phase: the members of groups, each the copy fresh
// from a group read, else the one the feed returned or prev's (see
// refreshed).
func (c *Client) deltaUsers(ctx context.Context, groups map[string]*Group, fresh map[string]*User, f feed, prev *Snapshot) (map[string]*User, error) {
	users := map[string]*User{}
	for _, g := range distinctGroups(groups) {
		for _, id := range g.MemberIDs {
			if users[id] != nil {
				continue
			}
			u := fresh[id]
			if u == nil {
				var err error
				if u, err = c.refreshed(ctx, id, f.users, prev); err != nil {
					return nil, err
				}
			}
			users[id] = u
		}
	}
	return users, nil
}

// currentGroups returns, by id, the mapped groups of prev that changed: with
// the System Log, those whose membership or profile moved since the newest
// membership time prev saw (one call); without it, all of them read by id,
// a nil entry marking a group that no longer exists. It also returns their
// member counts (expand=stats), by id, which their re-reads are checked
// against.
func (c *Client) currentGroups(ctx context.Context, refs []string, prev *Snapshot, f feed) (map[string]*Group, map[string]int, error) {
	var ids []string
	var newest time.Time
	for _, ref := range refs {
		if g := prev.Groups[ref]; g != nil {
			ids = append(ids, g.ID)
			if g.LastMembershipUpdated.After(newest) {
				newest = g.LastMembershipUpdated
			}
		}
	}
	counts := map[string]int{}
	if len(ids) == 0 {
		return map[string]*Group{}, counts, nil
	}
	if f.viaLog && !newest.IsZero() {
		t := quote(newest.Add(-time.Second).UTC().Format(oktaTime))
		groups, err := c.listGroups(ctx, groupQuery{filter: "lastMembershipUpdated gt " + t + " or lastUpdated gt " + t, expand: "stats", limit: groupsPageSize})
		if err != nil {
			return nil, nil, err
		}
		out := map[string]*Group{}
		for _, sg := range groups {
			g, err := toGroup(sg)
			if err != nil {
				return nil, nil, err
			}
			out[g.ID] = g
		}
		return out, addCounts(counts, groups), nil
	}
	byID, raw, err := c.groupsByID(ctx, uniqueSorted(ids), "stats")
	if err != nil {
		return nil, nil, err
	}
	out := map[string]*Group{}
	for _, id := range ids {
		out[id] = byID[id] // nil: deleted
	}
	return out, addCounts(counts, raw), nil
}

// addCounts adds the member counts the groups carry to counts, by id.
func addCounts(counts map[string]int, groups []groupJSON) map[string]int {
	for _, g := range groups {
		if g.HasCount {
			counts[g.ID] = g.UsersCount
		}
	}
	return counts
}

// shareGroups makes references to one group share one Group.
func shareGroups(groups map[string]*Group) {
	byID := map[string]*Group{}
	for ref, g := range groups {
		if first, ok := byID[g.ID]; ok {
			if first.MemberIDs == nil {
				first.MemberIDs = g.MemberIDs
			}
			groups[ref] = first
		} else {
			byID[g.ID] = g
		}
	}
}

// refreshed returns user id as it is now: from the users search, read again
// when the change feed named it, else a copy of prev's. A user the feed
// named whom Okta no longer has (404, as after user.lifecycle.delete
// events) has left Okta: prev's copy with StatusDeleted, not a failed read.
func (c *Client) refreshed(ctx context.Context, id string, changed map[string]*User, prev *Snapshot) (*User, error) {
	u := prev.Users[id]
	if cu, ok := changed[id]; ok {
		if cu != nil {
			return cu, nil
		}
		fresh, err := c.user(ctx, id)
		var ae *APIError
		if err != nil && u != nil && errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			c.log.Debug("okta user deleted since the last read", "user", id)
			gone := *u
			gone.Status = StatusDeleted
			return &gone, nil
		}
		return fresh, err
	}
	if u == nil {
		return nil, fmt.Errorf("%w: member %s is in no group re-read nor in the previous snapshot", ErrMalformed, id)
	}
	cp := *u
	return &cp, nil
}

func contains(s []string, v string) bool { return slices.Contains(s, v) }

// laterOf returns the latest of ts.
func laterOf(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}
