package okta

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// logOverlap is how far before the previous snapshot the change feed is read
// again, to cover events the System Log records late.
const logOverlap = time.Minute

// maxUserRefresh bounds the users re-read one by one; past it a full read is
// cheaper.
const maxUserRefresh = 100

// SnapshotDelta returns a snapshot equal to what Snapshot(ctx, refs) would
// read now, spending calls only on what changed since prev:
//
//  1. one call per ~70 groups: the mapped groups' lastMembershipUpdated
//     (filter on id); groups whose time moved are re-read in full;
//  2. references new since prev, missing in prev, deleted or renamed are
//     resolved again (as in Snapshot);
//  3. one call (more for over 1000 events): the System Log since
//     prev.TakenAt, less a minute; users with lifecycle or profile events
//     newer than their prev LastUpdated are read again, one call each (a
//     users search on lastUpdated replaces the log when only
//     okta.users.read is granted).
//
// A run in which nothing changed costs 2 calls (3 with a missing reference
// by name, which is looked up again). With neither okta.logs.read nor
// okta.users.read, or with prev nil, or over 100 users to re-read, it reads
// everything as Snapshot does.
func (c *Client) SnapshotDelta(ctx context.Context, refs []string, prev *Snapshot) (*Snapshot, error) {
	if prev == nil {
		return c.Snapshot(ctx, refs)
	}
	ctx, calls := withCallCount(ctx)
	taken := c.clock.Now()

	// 1. Which groups changed.
	var prevIDs []string
	for _, ref := range refs {
		if g := prev.Groups[ref]; g != nil {
			prevIDs = append(prevIDs, g.ID)
		}
	}
	current := map[string]*Group{}
	if len(prevIDs) > 0 {
		var err error
		if current, _, err = c.groupsByID(ctx, uniqueSorted(prevIDs), ""); err != nil {
			return nil, fmt.Errorf("read mapped Okta groups: %w", err)
		}
	}
	groups := map[string]*Group{}
	var again []string
	for _, ref := range refs {
		old := prev.Groups[ref]
		if old == nil {
			again = append(again, ref)
			continue
		}
		cur := current[old.ID]
		if cur == nil || (!looksLikeGroupID(ref) && !strings.EqualFold(cur.Name, ref)) {
			again = append(again, ref) // deleted or renamed
			continue
		}
		if cur.LastMembershipUpdated.Equal(old.LastMembershipUpdated) {
			cur.MemberIDs = old.MemberIDs
		}
		groups[ref] = cur
	}

	// 2. References to resolve again.
	resolved, missing, err := c.resolve(ctx, again)
	if err != nil {
		return nil, fmt.Errorf("resolve mapped Okta groups: %w", err)
	}
	for ref, g := range resolved {
		groups[ref] = g
	}
	shareGroups(groups)
	var reread []*Group
	for _, g := range distinctGroups(groups) {
		if old := prevGroupByID(prev, g.ID); old == nil || !old.LastMembershipUpdated.Equal(g.LastMembershipUpdated) || g.MemberIDs == nil {
			reread = append(reread, g)
		}
	}

	// 3. Users whose status or profile changed.
	refreshed, err := c.changedUsers(ctx, prev)
	if errors.Is(err, ErrNoChangeFeed) || err == nil && len(refreshed) > maxUserRefresh {
		c.log.Debug("okta delta read falls back to a full read", "reason", fmt.Sprint(err), "users", len(refreshed))
		s, err := c.Snapshot(ctx, refs)
		if err != nil {
			return nil, err
		}
		s.TakenAt = taken
		return s, nil
	}
	if err != nil {
		return nil, err
	}

	fresh := map[string]*User{}
	if err := c.readMembers(ctx, reread, fresh); err != nil {
		return nil, err
	}
	users := map[string]*User{}
	for _, g := range distinctGroups(groups) {
		for _, id := range g.MemberIDs {
			if users[id] != nil {
				continue
			}
			u := fresh[id]
			if u == nil {
				if u, err = c.refreshed(ctx, id, refreshed, prev); err != nil {
					return nil, err
				}
			}
			users[id] = u
		}
	}
	return &Snapshot{Groups: groups, Missing: missing, Users: users, APICalls: int(calls.Load()), TakenAt: taken}, nil
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

func prevGroupByID(prev *Snapshot, id string) *Group {
	for _, g := range prev.Groups {
		if g.ID == id {
			return g
		}
	}
	return nil
}

// changedUsers returns the ids (or, from a users search, the users) of prev's
// users changed since prev was taken. Ids map to nil when the user must be
// read again.
func (c *Client) changedUsers(ctx context.Context, prev *Snapshot) (map[string]*User, error) {
	since := prev.TakenAt.Add(-logOverlap)
	logsDenied, searchDenied := c.scopes.denied()
	if !logsDenied {
		changes, err := c.UserChangesSince(ctx, since)
		switch {
		case err == nil:
			out := map[string]*User{}
			for _, ch := range changes {
				u := prev.Users[ch.UserID]
				if u != nil && ch.GroupID == "" && ch.Published.After(u.LastUpdated) {
					out[ch.UserID] = nil
				}
			}
			return out, nil
		case errors.Is(err, ErrNoChangeFeed):
			c.scopes.deny(true)
		default:
			return nil, err
		}
	}
	if !searchDenied {
		updated, err := c.usersUpdatedSince(ctx, since)
		switch {
		case err == nil:
			out := map[string]*User{}
			for _, u := range updated {
				if prev.Users[u.ID] != nil {
					out[u.ID] = u
				}
			}
			return out, nil
		case errors.Is(err, ErrNoChangeFeed):
			c.scopes.deny(false)
		default:
			return nil, err
		}
	}
	return nil, ErrNoChangeFeed
}

// refreshed returns user id as it is now: from the users search, read again
// when the change feed named it, else a copy of prev's.
func (c *Client) refreshed(ctx context.Context, id string, changed map[string]*User, prev *Snapshot) (*User, error) {
	if u, ok := changed[id]; ok {
		if u != nil {
			return u, nil
		}
		return c.user(ctx, id)
	}
	u := prev.Users[id]
	if u == nil {
		return nil, fmt.Errorf("%w: member %s is in no group re-read nor in the previous snapshot", ErrMalformed, id)
	}
	cp := *u
	return &cp, nil
}
