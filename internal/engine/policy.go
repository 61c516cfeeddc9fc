package engine

import "slices"

// Policy is what a run needs to know besides Okta and the target: which
// Okta groups grant which roles, and the safety gates. Options.Policy
// supplies it once per run; the wiring builds it from the configuration.
type Policy struct {
	Mappings []Mapping
	Safety   Safety
}

// Mapping grants Roles to the members of an Okta group.
type Mapping struct {
	// Group names the Okta group by name or id, as the admin chose it; it
	// is the reference a Snapshot's Groups and Missing use.
	Group string
	Roles []string
	// GroupID is the id of the Okta group the mapping was chosen with or
	// first resolved to (see GroupMemory); empty when not known yet. When
	// Group later resolves to another id, the revocations of Roles are
	// held for approval.
	GroupID string
}

// Safety is the policy of the gates checked before a plan is applied.
//
// MaxRevocations (N) and MaxRevocationPercent (P) make the deletion
// threshold: a run that would revoke access or roles of more than
// max(N, P% of managed users) holds every revocation for approval. The
// engine takes both as they are: a 0 lets its term allow nothing.
type Safety struct {
	// ProtectedAccounts are logins or emails whose revocations no run
	// makes (compared without case).
	ProtectedAccounts []string
	// AdminRoles are the target's admin roles: no run revokes the last
	// holder of one. Without any, every portal user with roles is an admin.
	AdminRoles           []string
	MaxRevocations       int
	MaxRevocationPercent int
}

// refs returns the mapped group references, each once, in mapping order.
func (p Policy) refs() []string {
	refs := make([]string, 0, len(p.Mappings))
	for _, m := range p.Mappings {
		if !slices.Contains(refs, m.Group) {
			refs = append(refs, m.Group)
		}
	}
	return refs
}

// rolesOf returns the roles that the mappings of the group references
// refs grant.
func (p Policy) rolesOf(refs ...string) map[string]bool {
	roles := map[string]bool{}
	for _, m := range p.Mappings {
		if slices.Contains(refs, m.Group) {
			for _, r := range m.Roles {
				roles[r] = true
			}
		}
	}
	return roles
}
