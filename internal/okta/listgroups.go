package okta

import (
	"context"
)

// GroupInfo is an Okta group as a group picker lists it.
type GroupInfo struct {
	ID, Name, Type string
	// Members is the group's user count from Okta's group statistics, or -1
	// when Okta did not include them.
	Members int
}

// ListGroupsOptions choose the groups ListGroups lists.
type ListGroupsOptions struct {
	// All lists every group of the org with its member count, at the
	// largest page size (one call per 10,000 groups); Prefix and Limit are
	// ignored then.
	All bool
	// Prefix, without All, lists the groups whose name starts with it,
	// ignoring case; empty lists the first groups of the org.
	Prefix string
	// Limit bounds a listing without All (default and at most 300).
	Limit int
}

// ListGroups lists Okta groups for a group picker. With opts.All it lists
// every group of the org with its member count (the setup wizard's
// picker). Without, it lists up to opts.Limit groups whose name starts with
// opts.Prefix in one API call (Okta's q cannot page), through the SDK,
// without member counts (Members is -1).
func (c *Client) ListGroups(ctx context.Context, opts ListGroupsOptions) ([]GroupInfo, error) {
	if !opts.All {
		groups, err := c.prefixGroups(ctx, opts.Prefix, opts.Limit)
		if err != nil {
			return nil, err
		}
		out := make([]GroupInfo, len(groups))
		for i, g := range groups {
			out[i] = GroupInfo{ID: g.ID, Name: g.Name, Type: g.Type, Members: -1}
		}
		return out, nil
	}
	raw, err := c.listGroups(ctx, groupQuery{expand: "stats", limit: groupsPageSize})
	if err != nil {
		return nil, err
	}
	out := make([]GroupInfo, 0, len(raw))
	for _, sg := range raw {
		g, err := toGroup(sg)
		if err != nil {
			return nil, err
		}
		info := GroupInfo{ID: g.ID, Name: g.Name, Type: g.Type, Members: -1}
		if sg.HasCount {
			info.Members = sg.UsersCount
		}
		out = append(out, info)
	}
	return out, nil
}
