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

// AllGroups lists every group of the org with its member count, at the
// largest page size (one call per 10,000 groups), for the setup wizard's
// group picker.
func (c *Client) AllGroups(ctx context.Context) ([]GroupInfo, error) {
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
