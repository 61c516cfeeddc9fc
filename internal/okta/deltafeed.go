package okta

import (
	"context"
	"errors"
	"time"
)

// feed is what changed since a previous snapshot, per the change feed.
type feed struct {
	viaLog        bool
	users         map[string]*User // changed users; nil values are to be read
	deleted       map[string]bool  // groups deleted
	groupsCreated bool
	mark          time.Time // newest lastUpdated the users search returned
}

// toRead is the number of changed users to read one by one; those the
// users search returned cost nothing more.
func (f feed) toRead() int {
	n := 0
	for _, u := range f.users {
		if u == nil {
			n++
		}
	}
	return n
}

// changeFeed reads what changed since prev: the System Log if granted, else
// a users search on lastUpdated; ErrNoChangeFeed when neither is.
func (c *Client) changeFeed(ctx context.Context, prev *Snapshot) (feed, error) {
	logsDenied, searchDenied := c.scopes.denied()
	if !logsDenied {
		f, err := c.logFeed(ctx, prev)
		if !errors.Is(err, ErrNoChangeFeed) {
			return f, err
		}
		c.scopes.deny(true)
	}
	if !searchDenied {
		f, err := c.searchFeed(ctx, prev)
		if !errors.Is(err, ErrNoChangeFeed) {
			return f, err
		}
		c.scopes.deny(false)
	}
	return feed{users: map[string]*User{}, deleted: map[string]bool{}}, ErrNoChangeFeed
}

// logFeed reads the changes from the System Log, since prev.TakenAt less
// logOverlap.
func (c *Client) logFeed(ctx context.Context, prev *Snapshot) (feed, error) {
	f := feed{users: map[string]*User{}, deleted: map[string]bool{}}
	changes, err := c.UserChangesSince(ctx, prev.TakenAt.Add(-logOverlap))
	if err != nil {
		return f, err
	}
	f.viaLog = true
	for _, ch := range changes {
		switch {
		case ch.EventType == "group.lifecycle.delete":
			f.deleted[ch.GroupID] = true
		case ch.EventType == "group.lifecycle.create":
			f.groupsCreated = true
		case ch.UserID != "" && ch.GroupID == "":
			if u := prev.Users[ch.UserID]; u != nil && ch.Published.After(u.LastUpdated) {
				f.users[ch.UserID] = nil
			}
		}
	}
	return f, nil
}

// searchFeed reads the changed users with a users search on lastUpdated.
// It starts from the newest lastUpdated seen, not the clock, less the
// search overlap: a search shows a change late, and a user it missed must
// fall in the next one.
func (c *Client) searchFeed(ctx context.Context, prev *Snapshot) (feed, error) {
	f := feed{users: map[string]*User{}, deleted: map[string]bool{}}
	mark := prev.SearchMark
	if mark.IsZero() {
		mark = prev.TakenAt // a snapshot without a mark
	}
	updated, err := c.usersUpdatedSince(ctx, mark.Add(-c.overlap))
	if err != nil {
		return f, err
	}
	for _, u := range updated {
		if u.LastUpdated.After(f.mark) {
			f.mark = u.LastUpdated
		}
		if prev.Users[u.ID] != nil {
			f.users[u.ID] = u
		}
	}
	f.groupsCreated = true // unknown without the log: look missing ones up
	return f, nil
}
