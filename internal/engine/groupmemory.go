package engine

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/rolesync/rolesync/internal/store"
)

// GroupMemory is a Recorder that remembers the mapped groups between runs:
// the Okta group id each mapping was chosen with or first resolved to (kept
// with the mappings), and how many members each mapped group last read
// with. *store.Store satisfies it. With it, a run holds the revocations of
// the roles of a mapping whose group name now resolves to another group,
// or whose group had members and now reads empty.
type GroupMemory interface {
	// SetMappingGroupIDs records the group id of each mapping reference;
	// with replace false only mappings without an id get one.
	SetMappingGroupIDs(ctx context.Context, ids map[string]string, replace bool) error
	GroupMembers(ctx context.Context) (map[string]int, error)
	SetGroupMembers(ctx context.Context, members map[string]int) error
}

var _ GroupMemory = (*store.Store)(nil)

// GroupChange is a mapped group whose name resolves to another Okta group
// than the one recorded for the mapping: deleted and re-created under the
// same name, or another group whose name differs only in case.
type GroupChange struct {
	Group string `json:"group"` // the mapping's reference
	Was   string `json:"was"`   // the recorded group id
	Now   string `json:"now"`   // the group id it resolves to now
}

func (ch GroupChange) marker() string {
	return fmt.Sprintf("Okta group %q is now %s, was %s", ch.Group, ch.Now, ch.Was)
}

func emptiedMarker(ref string) string { return fmt.Sprintf("mapped Okta group %q read empty", ref) }

// noteGroups records in p the group each mapping read, the mappings whose
// group id changed, and (with a GroupMemory) the mapped groups that had
// members at the last run and read empty now.
func (e *Engine) noteGroups(ctx context.Context, p *Plan, mappings []Mapping, snap *Snapshot) error {
	p.groups = map[string]*Group{}
	p.heldGroups = map[string]bool{}
	for _, m := range mappings {
		g := snap.Groups[m.Group]
		if g == nil {
			continue
		}
		p.groups[m.Group] = g
		if m.GroupID != "" && g.ID != "" && g.ID != m.GroupID {
			p.GroupChanges = append(p.GroupChanges, GroupChange{Group: m.Group, Was: m.GroupID, Now: g.ID})
		}
	}
	gm, ok := e.opts.Recorder.(GroupMemory)
	if !ok {
		return nil
	}
	last, err := gm.GroupMembers(ctx)
	if err != nil {
		return fmt.Errorf("read the mapped groups' last member counts: %w; nothing was changed", err)
	}
	p.lastMembers = last
	for _, m := range mappings {
		g := p.groups[m.Group]
		if g != nil && len(g.MemberIDs) == 0 && last[m.Group] > 0 && !slices.Contains(p.Emptied, m.Group) &&
			!slices.ContainsFunc(p.GroupChanges, func(ch GroupChange) bool { return ch.Group == m.Group }) {
			p.Emptied = append(p.Emptied, m.Group)
		}
	}
	return nil
}

// holdChangedGroups holds the revocations of the roles of each mapping
// whose group now resolves to another group id.
func holdChangedGroups(p *Plan, pol Policy) {
	for _, ch := range p.GroupChanges {
		p.holdRolesOf(ch.Group, pol, fmt.Sprintf(
			"mapped Okta group %q now resolves to group id %s, not %s recorded for the mapping (deleted and re-created, or another group of that name): "+
				"the revocations of its roles are held; approve them to accept the new group, or map the group by its id",
			ch.Group, ch.Now, ch.Was), ch.marker())
	}
}

// holdEmptiedGroups holds the revocations of the roles of each mapped group
// that had members at the last run and reads empty now.
func holdEmptiedGroups(p *Plan, pol Policy) {
	for _, ref := range p.Emptied {
		p.holdRolesOf(ref, pol, fmt.Sprintf(
			"mapped Okta group %q read empty though it had %d member(s) at the last run: the revocations of its roles are held; approve them if it was emptied on purpose",
			ref, p.lastMembers[ref]), emptiedMarker(ref))
	}
}

// holdRolesOf holds the revocations that take away a role the mapping of
// ref grants, noting why in each held change's reason.
func (p *Plan) holdRolesOf(ref string, pol Policy, reason, note string) {
	roles := pol.rolesOf(ref)
	n := 0
	p.Changes = slices.DeleteFunc(p.Changes, func(c PlannedChange) bool {
		switch {
		case !c.isRevocation():
			return false
		case c.Action == store.ActionRevoke && !roles[c.Role]:
			return false
		case c.Action == store.ActionRevokeAll && !slices.ContainsFunc(p.cur(c).Roles, func(r string) bool { return roles[r] }):
			return false
		}
		c.Reason += " (held: " + note + ")"
		p.Held = append(p.Held, c)
		n++
		return true
	})
	if n > 0 {
		p.HoldReasons = append(p.HoldReasons, reason)
		p.heldGroups[ref] = true
	}
}

// rememberGroups records, after a run, the group ids of the mappings that
// had none and the member counts of the groups read. A changed group id, and
// the count of a group that read empty, are kept as they were while a hold
// waits on them; approving a hold (hold not nil) that noted them accepts
// them. Failures are logged: they only delay what the next run notices.
func (e *Engine) rememberGroups(ctx context.Context, log *slog.Logger, p *Plan, hold *store.Hold) {
	gm, ok := e.opts.Recorder.(GroupMemory)
	if !ok || p == nil || p.groups == nil {
		return
	}
	r := groupsToRemember(p, hold)
	rctx := context.WithoutCancel(ctx)
	for _, step := range []struct {
		ids     map[string]string
		replace bool
	}{{r.fill, false}, {r.replace, true}} {
		if err := gm.SetMappingGroupIDs(rctx, step.ids, step.replace); err != nil {
			log.Warn("record the mapped groups' Okta ids", "err", err)
		}
	}
	if err := gm.SetGroupMembers(rctx, r.members); err != nil {
		log.Warn("record the mapped groups' member counts", "err", err)
	}
}

// remembered is what rememberGroups records: the group ids of mappings
// that had none (fill) and those that replace a recorded id (replace), by
// mapping reference, and the member counts of the mapped groups.
type remembered struct {
	fill, replace map[string]string
	members       map[string]int
}

// groupsToRemember works out what rememberGroups records after p, or
// after the approval of hold when hold is not nil.
func groupsToRemember(p *Plan, hold *store.Hold) remembered {
	acked := func(note string) bool {
		return hold != nil && slices.ContainsFunc(hold.Changes, func(c store.Change) bool { return strings.Contains(c.Reason, note) })
	}
	r := remembered{fill: map[string]string{}, replace: map[string]string{}, members: map[string]int{}}
	for ref, n := range p.lastMembers {
		r.members[ref] = n
	}
	for ref, g := range p.groups {
		i := slices.IndexFunc(p.GroupChanges, func(ch GroupChange) bool { return ch.Group == ref })
		switch {
		case i >= 0 && !acked(p.GroupChanges[i].marker()):
			continue
		case i >= 0:
			r.replace[ref] = g.ID
		case slices.Contains(p.Emptied, ref) && (p.heldGroups[ref] || (hold != nil && !acked(emptiedMarker(ref)))):
			continue
		default:
			r.fill[ref] = g.ID
		}
		r.members[ref] = len(g.MemberIDs)
	}
	return r
}
