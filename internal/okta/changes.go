package okta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// ErrNoChangeFeed means the token may read neither the System Log
// (okta.logs.read) nor search users (okta.users.read), so user status
// changes cannot be caught between full reads.
var ErrNoChangeFeed = errors.New("no Okta change feed granted: grant okta.logs.read (or okta.users.read) for delta syncs; until then every mapped group is read in full")

// Change event types read from the System Log.
var changeEventTypes = []string{
	"group.user_membership.add",
	"group.user_membership.remove",
	"user.lifecycle.activate",
	"user.lifecycle.reactivate",
	"user.lifecycle.deactivate",
	"user.lifecycle.suspend",
	"user.lifecycle.unsuspend",
	"user.lifecycle.delete.initiated",
	"user.account.update_profile",
	"group.lifecycle.create",
	"group.lifecycle.delete",
	"group.profile.update",
}

// oktaTime is the timestamp form Okta writes and accepts in queries.
const oktaTime = "2006-01-02T15:04:05.000Z"

// UserChange is one System Log event: about a user (a membership change with
// GroupID set, a lifecycle change, a profile update) or, with UserID empty,
// about a group (created, deleted, profile updated).
type UserChange struct {
	EventType string
	UserID    string
	GroupID   string
	Published time.Time
}

type logEvent struct {
	EventType string    `json:"eventType"`
	Published time.Time `json:"published"`
	Target    []struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"target"`
}

// scopeMemo remembers which change feeds Okta refused, so later delta reads
// by the same Client do not spend a call to learn it again.
type scopeMemo struct {
	mu           sync.Mutex
	logsDenied   bool
	searchDenied bool
}

func (m *scopeMemo) denied() (logs, search bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.logsDenied, m.searchDenied
}

func (m *scopeMemo) deny(logs bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if logs {
		m.logsDenied = true
	} else {
		m.searchDenied = true
	}
}

// refused reports whether err is Okta refusing the token a scope or role:
// E0000006 or insufficient_scope. Other 403s, such as the E0000005
// ("Invalid session") Okta answers now and then mid-paging with OAuth
// tokens, are failures of this read only: nothing is applied, nothing is
// remembered, and the next run reads the feed again.
func refused(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && (ae.Code == CodeForbidden || ae.Code == "insufficient_scope")
}

// UserChangesSince reads the System Log events about users published from
// since until now: group membership adds and removes, lifecycle changes
// (activate, deactivate, suspend, unsuspend…) and profile updates, and the
// creation, deletion and profile updates of groups, oldest first. Needs okta.logs.read; without it the error wraps ErrNoChangeFeed.
// API calls: ceil(events/1000), at least 1.
func (c *Client) UserChangesSince(ctx context.Context, since time.Time) ([]UserChange, error) {
	terms := make([]string, len(changeEventTypes))
	for i, t := range changeEventTypes {
		terms[i] = "eventType eq " + quote(t)
	}
	filter := orChunks(terms)[0]
	// A polling query (no until), so that events up to this instant on
	// Okta's clock are included; its next link never ends, so a short page
	// ends the read.
	var out []UserChange
	err := eachPage(ctx, "read the Okta System Log", func(ctx context.Context, after string) (http.Header, error) {
		q := url.Values{
			"since":     {since.UTC().Format(oktaTime)},
			"filter":    {filter},
			"limit":     {strconv.Itoa(logsPageSize)},
			"sortOrder": {"ASCENDING"},
		}
		if after != "" {
			q.Set("after", after)
		}
		var page []logEvent
		h, err := c.getJSON(ctx, "/api/v1/logs", q, &page)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			ch := UserChange{EventType: e.EventType, Published: e.Published}
			for _, t := range e.Target {
				switch t.Type {
				case "User":
					ch.UserID = t.ID
				case "UserGroup":
					ch.GroupID = t.ID
				}
			}
			if ch.UserID != "" || ch.GroupID != "" {
				out = append(out, ch)
			}
		}
		if len(page) < logsPageSize {
			return nil, nil
		}
		return h, nil
	})
	if err != nil {
		if refused(err) {
			return nil, fmt.Errorf("%w: %w", ErrNoChangeFeed, err)
		}
		return nil, err
	}
	return out, nil
}

// usersUpdatedSince searches the users updated after since (needs
// okta.users.read): GET /api/v1/users?search=lastUpdated gt "…".
func (c *Client) usersUpdatedSince(ctx context.Context, since time.Time) ([]*User, error) {
	search := "lastUpdated gt " + quote(since.UTC().Format(oktaTime))
	var out []*User
	err := c.searchUsers(ctx, "search updated Okta users", search, func(u *User) { out = append(out, u) })
	if err != nil && refused(err) {
		return nil, fmt.Errorf("%w: %w", ErrNoChangeFeed, err)
	}
	return out, err
}

// user reads one user: GET /api/v1/users/{id}.
func (c *Client) user(ctx context.Context, id string) (*User, error) {
	var m memberJSON
	if _, err := c.getJSON(ctx, "/api/v1/users/"+url.PathEscape(id), nil, &m); err != nil {
		return nil, fmt.Errorf("read Okta user %s: %w", id, err)
	}
	if m.ID == "" {
		return nil, fmt.Errorf("%w: user %s without an id", ErrMalformed, id)
	}
	return m.user(), nil
}
