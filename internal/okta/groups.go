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
	"time"

	sdk "github.com/okta/okta-sdk-golang/v5/okta"
)

// Page sizes: the largest each route allows.
const (
	groupsPageSize  = 10000 // GET /api/v1/groups (search and filter)
	membersPageSize = 1000  // GET /api/v1/groups/{id}/users
	logsPageSize    = 1000  // GET /api/v1/logs
	usersPageSize   = 200   // GET /api/v1/users (search)
	pickerMax       = 300   // GET /api/v1/groups?q= cannot page
	// groupsSmallPage is the page Okta recommends for group listings with
	// statistics; a large page that times out or fails with a 5xx is
	// asked for again at this size.
	groupsSmallPage = 200
)

// maxExpr bounds one filter or search expression, so URLs stay well under
// the lengths proxies and Okta accept.
const maxExpr = 2000

// ErrGroupNotFound is returned for an Okta group id that matches no group.
var ErrGroupNotFound = errors.New("okta group not found")

// groupQuery is one GET /api/v1/groups listing.
type groupQuery struct {
	search, filter, expand string
	limit                  int32
	// maxPages, when set, stops a listing that needs more than that many
	// pages of 10,000 groups with errTooManyPages.
	maxPages int
}

// errTooManyPages stops a listing past its groupQuery.maxPages.
var errTooManyPages = errors.New("the group listing needs more pages than allowed")

// listGroups reads every page of a groups listing, following the after
// cursor, and decodes only the fields a sync keeps (decodeGroups). It is
// the one reader of group listings: searches, filters and the whole org.
func (c *Client) listGroups(ctx context.Context, gq groupQuery) ([]groupJSON, error) {
	var all []groupJSON
	pages := 0
	err := eachPage(ctx, "list Okta groups", func(ctx context.Context, after string) (http.Header, error) {
		if gq.maxPages > 0 && pages >= gq.maxPages*groupsPageSize/int(gq.limit) { // in pages of 10,000
			return nil, errTooManyPages
		}
		pages++
		groups, h, err := c.groupsPageShrinking(ctx, &gq, after)
		if err != nil {
			return nil, err
		}
		all = append(all, groups...)
		return h, nil
	})
	return all, err
}

// groupsPageShrinking reads one page as groupsPage does; when a page larger
// than groupsSmallPage times out or fails with a 5xx (after the pacer's
// retries), it reads that page again at groupsSmallPage, and lowers
// gq.limit for the rest of the listing. The after cursor is a group id, so
// the listing stays complete.
func (c *Client) groupsPageShrinking(ctx context.Context, gq *groupQuery, after string) ([]groupJSON, http.Header, error) {
	groups, h, err := c.groupsPage(ctx, *gq, after)
	if err == nil || gq.limit <= groupsSmallPage || !slowOrFailing(err) {
		return groups, h, err
	}
	c.log.Debug("okta group listing failed at a large page; reading it in smaller ones",
		"limit", gq.limit, "smaller", groupsSmallPage, "reason", err.Error())
	gq.limit = groupsSmallPage
	return c.groupsPage(ctx, *gq, after)
}

// slowOrFailing reports a timeout or a 5xx from Okta.
func slowOrFailing(err error) bool {
	var ae *APIError
	return errors.Is(err, ErrTimeout) || errors.As(err, &ae) && ae.Status >= 500
}

// groupsPage reads one page of GET /api/v1/groups.
func (c *Client) groupsPage(ctx context.Context, gq groupQuery, after string) ([]groupJSON, http.Header, error) {
	q := url.Values{"limit": {strconv.Itoa(int(gq.limit))}}
	for k, v := range map[string]string{"search": gq.search, "filter": gq.filter, "expand": gq.expand, "after": after} {
		if v != "" {
			q.Set(k, v)
		}
	}
	const path = "/api/v1/groups"
	body, h, err := c.get(ctx, path, q)
	if err != nil {
		return nil, nil, err
	}
	groups, err := decodeGroups(body)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: GET %s: %v", ErrMalformed, path, err)
	}
	return groups, h, nil
}

// toGroup converts a listed group, checking the fields a snapshot needs.
func toGroup(g groupJSON) (*Group, error) {
	if g.ID == "" {
		return nil, fmt.Errorf("%w: a group without an id", ErrMalformed)
	}
	return &Group{ID: g.ID, Name: g.Name, Type: g.Type, LastMembershipUpdated: g.LastMembershipUpdated}, nil
}

// quote writes s as a filter string literal.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// orChunks joins terms with " or " into expressions of at most maxExpr bytes.
func orChunks(terms []string) []string {
	var out []string
	var b strings.Builder
	for _, t := range terms {
		if b.Len() > 0 && b.Len()+len(" or ")+len(t) > maxExpr {
			out = append(out, b.String())
			b.Reset()
		}
		if b.Len() > 0 {
			b.WriteString(" or ")
		}
		b.WriteString(t)
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// groupsByID reads the groups with these ids, in as few calls as the URL
// length allows: filter=id eq "a" or id eq "b" …
func (c *Client) groupsByID(ctx context.Context, ids []string, expand string) (map[string]*Group, []groupJSON, error) {
	terms := make([]string, 0, len(ids))
	for _, id := range ids {
		terms = append(terms, "id eq "+quote(id))
	}
	found := map[string]*Group{}
	var raw []groupJSON
	for _, expr := range orChunks(terms) {
		groups, err := c.listGroups(ctx, groupQuery{filter: expr, expand: expand, limit: groupsPageSize})
		if err != nil {
			return nil, nil, err
		}
		for _, sg := range groups {
			g, err := toGroup(sg)
			if err != nil {
				return nil, nil, err
			}
			found[g.ID] = g
		}
		raw = append(raw, groups...)
	}
	return found, raw, nil
}

// prefixGroups returns up to limit Okta groups whose name starts with query
// (case-insensitive); an empty query lists the first groups of the org.
// One API call (q cannot page), through the SDK: a page of at most 300
// groups costs its models a few milliseconds.
func (c *Client) prefixGroups(ctx context.Context, query string, limit int) ([]Group, error) {
	if limit <= 0 || limit > pickerMax {
		limit = pickerMax
	}
	sgs, _, err := sdkCall(ctx, "list Okta groups", func(ctx context.Context) ([]sdk.Group, *sdk.APIResponse, error) {
		r := c.sdk.GroupAPI.ListGroups(ctx).Limit(int32(limit))
		if query != "" {
			r = r.Q(query)
		}
		return r.Execute()
	})
	if err != nil {
		return nil, err
	}
	out := make([]Group, 0, len(sgs))
	for _, sg := range sgs {
		lg := groupJSON{ID: sg.GetId(), Type: sg.GetType()}
		if sg.Profile != nil {
			lg.Name = sg.Profile.GetName()
		}
		if sg.LastMembershipUpdated != nil {
			lg.LastMembershipUpdated = *sg.LastMembershipUpdated
		}
		g, err := toGroup(lg)
		if err != nil {
			return nil, err
		}
		out = append(out, *g)
	}
	return out, nil
}

// GroupMemberCount returns how many users the group has, from Okta's group
// statistics (expand=stats). One API call.
func (c *Client) GroupMemberCount(ctx context.Context, id string) (int, error) {
	_, raw, err := c.groupsByID(ctx, []string{id}, "stats")
	if err != nil {
		return 0, err
	}
	for _, g := range raw {
		if g.ID != id {
			continue
		}
		if !g.HasCount {
			return 0, fmt.Errorf("%w: group %s has no _embedded.stats.usersCount", ErrMalformed, id)
		}
		return g.UsersCount, nil
	}
	return 0, fmt.Errorf("%w: %s", ErrGroupNotFound, id)
}

// GroupsChangedSince returns the lastMembershipUpdated of each of the groups
// ids that still exists, in one call per ~70 ids (filter on id). Ids absent
// from the result no longer exist in Okta.
func (c *Client) GroupsChangedSince(ctx context.Context, ids []string) (map[string]time.Time, error) {
	groups, _, err := c.groupsByID(ctx, uniqueSorted(ids), "")
	if err != nil {
		return nil, fmt.Errorf("read Okta groups' membership times: %w", err)
	}
	out := make(map[string]time.Time, len(groups))
	for id, g := range groups {
		out[id] = g.LastMembershipUpdated
	}
	return out, nil
}

func uniqueSorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	j := 0
	for i, v := range out {
		if i == 0 || v != out[j-1] {
			out[j] = v
			j++
		}
	}
	return out[:j]
}
