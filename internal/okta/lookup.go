package okta

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// LookupUsers reads the Okta users with these ids, whatever their status,
// in one call per ~70 ids (search=id eq "a" or id eq "b" …). Ids that match
// no user are absent from the map.
//
// Okta answers only when the token may read users (okta.users.read for the
// scoped modes; an API token carries its admin's rights). When Okta refuses,
// LookupUsers returns a nil map and no error: telling a user who left Okta
// from one who only left the mapped groups is optional to a run, and the
// seed's least setup grants okta.groups.read alone.
func (c *Client) LookupUsers(ctx context.Context, ids []string) (map[string]*User, error) {
	ids = uniqueSorted(ids)
	terms := make([]string, 0, len(ids))
	for _, id := range ids {
		terms = append(terms, "id eq "+quote(id))
	}
	out := map[string]*User{}
	for _, expr := range orChunks(terms) {
		err := c.searchUsers(ctx, "look up Okta users", expr, func(u *User) { out[u.ID] = u })
		if refused(err) {
			c.log.Debug("okta refused to read users; grant okta.users.read to tell departures apart", "error", err.Error())
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// searchUsers reads every page of GET /api/v1/users?search=expr, handing
// each user to fn.
func (c *Client) searchUsers(ctx context.Context, what, expr string, fn func(*User)) error {
	return eachPage(ctx, what, func(ctx context.Context, after string) (http.Header, error) {
		q := url.Values{"search": {expr}, "limit": {strconv.Itoa(usersPageSize)}}
		if after != "" {
			q.Set("after", after)
		}
		var page []memberJSON
		h, err := c.getJSON(ctx, "/api/v1/users", q, &page)
		if err != nil {
			return nil, err
		}
		for i := range page {
			if page[i].ID == "" {
				return nil, errMemberWithoutID("/api/v1/users")
			}
			fn(page[i].user())
		}
		return h, nil
	})
}
