package okta

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

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

// resolved is the outcome of resolving the mapping references.
type resolved struct {
	groups  map[string]*Group // reference → group
	missing []string          // references that matched nothing, sorted
	// members holds each group's user count from Okta's group statistics
	// (expand=stats), by group id; a group absent from it has no count.
	members map[string]int
}

// resolve maps each reference to its group. Ids and names are looked up
// together with the fewest calls: one search per 2,000-byte expression
// (id eq "a" or profile.name eq "b" …) when one expression holds them all,
// else one listing of every group (one call per 10,000 groups) unless that
// listing turns out to need as many calls as the searches. After a search,
// each name it did not match is looked up case-insensitively with q, since
// Okta's eq may compare case-sensitively; after a full listing the names
// are matched among all groups. Both ask for expand=stats, so the member
// counts come at no extra call.
func (c *Client) resolve(ctx context.Context, refs []string) (*resolved, error) {
	uniq, terms, err := searchTerms(refs)
	if err != nil {
		return nil, err
	}
	raw, listedAll, err := c.lookUpRefs(ctx, orChunks(terms))
	if err != nil {
		return nil, err
	}
	r := &resolved{groups: map[string]*Group{}, members: map[string]int{}}
	found, byID, err := r.index(raw)
	if err != nil {
		return nil, err
	}
	for _, ref := range uniq {
		g, err := c.matchRef(ctx, ref, byID, found, listedAll)
		if err != nil {
			return nil, err
		}
		if g == nil {
			r.missing = append(r.missing, ref)
			continue
		}
		if prev := byID[g.ID]; prev != nil {
			g = prev // two references to one group share its Group
		} else {
			byID[g.ID] = g
		}
		r.groups[ref] = g
	}
	sort.Strings(r.missing)
	return r, nil
}

// searchTerms returns the distinct references, in order, and the search term
// of each: id eq for what looks like a group id, profile.name eq otherwise.
func searchTerms(refs []string) (uniq, terms []string, err error) {
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
	return uniq, terms, nil
}

// lookUpRefs reads the groups the search expressions chunks name: with
// more than one expression, the whole org (listedAll), unless that costs
// more calls than the searches; else one search per expression.
func (c *Client) lookUpRefs(ctx context.Context, chunks []string) (raw []groupJSON, listedAll bool, err error) {
	if len(chunks) > 1 {
		all, err := c.listGroups(ctx, groupQuery{expand: "stats", limit: groupsPageSize, maxPages: len(chunks) - 1})
		switch {
		case errors.Is(err, errTooManyPages):
			c.log.Debug("okta: more groups than one listing per search; searching instead", "searches", len(chunks))
		case err != nil:
			return nil, false, err
		default:
			return all, true, nil
		}
	}
	for _, expr := range chunks {
		groups, err := c.listGroups(ctx, groupQuery{search: expr, expand: "stats", limit: groupsPageSize})
		if err != nil {
			return nil, false, err
		}
		raw = append(raw, groups...)
	}
	return raw, false, nil
}

// index converts the groups read, once each, and keeps their member counts
// in r.members; it returns them in order and by id.
func (r *resolved) index(raw []groupJSON) (found []*Group, byID map[string]*Group, err error) {
	byID = map[string]*Group{}
	for _, sg := range raw {
		g, err := toGroup(sg)
		if err != nil {
			return nil, nil, err
		}
		if byID[g.ID] != nil {
			continue
		}
		byID[g.ID] = g
		found = append(found, g)
		if sg.HasCount {
			r.members[g.ID] = sg.UsersCount
		}
	}
	return found, byID, nil
}

// matchRef finds the group ref names: by id, or by name among the groups
// found (after a full listing), else with a q lookup too (groupByName).
// A nil group means none matched.
func (c *Client) matchRef(ctx context.Context, ref string, byID map[string]*Group, found []*Group, listedAll bool) (*Group, error) {
	switch {
	case looksLikeGroupID(ref):
		return byID[ref], nil
	case listedAll:
		return pickByName(ref, found)
	}
	return c.groupByName(ctx, ref, found)
}

// groupByName picks the group named name among found, else among the
// groups whose name starts with it ignoring case (one q lookup).
func (c *Client) groupByName(ctx context.Context, name string, found []*Group) (*Group, error) {
	g, err := pickByName(name, found)
	if err != nil || g != nil {
		return g, err
	}
	more, err := c.prefixGroups(ctx, name, pickerMax)
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
