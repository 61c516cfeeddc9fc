package engine

import "time"

// User statuses, as Okta spells them; a Source reports Okta's statuses
// unchanged.
const (
	StatusActive          = "ACTIVE"
	StatusPasswordExpired = "PASSWORD_EXPIRED"
	StatusLockedOut       = "LOCKED_OUT"
	StatusRecovery        = "RECOVERY"
	StatusSuspended       = "SUSPENDED"
	StatusDeprovisioned   = "DEPROVISIONED"
	StatusStaged          = "STAGED"
	StatusProvisioned     = "PROVISIONED"
	// StatusDeleted marks a user whom Okta no longer has: the user has
	// left Okta and keeps no role.
	StatusDeleted = "DELETED"
)

// KeepsRoles reports whether a user in this status keeps portal roles.
func KeepsRoles(status string) bool {
	switch status {
	case StatusActive, StatusPasswordExpired, StatusLockedOut, StatusRecovery:
		return true
	}
	return false
}

// User is an Okta user as a snapshot holds it.
type User struct {
	ID          string
	Status      string
	Login       string
	Email       string
	FirstName   string
	LastName    string
	LastUpdated time.Time
}

// Group is a mapped Okta group and the ids of its members.
type Group struct {
	ID                    string
	Name                  string
	Type                  string
	LastMembershipUpdated time.Time
	MemberIDs             []string
}

// Users are the Okta users of a snapshot. A source can give the engine a
// view of the users it holds instead of copying them.
type Users interface {
	// User returns the user with Okta id id, or nil.
	User(id string) *User
	// Len is the number of users.
	Len() int
}

// UserMap is Users held in a map by Okta user id.
type UserMap map[string]*User

// User returns m[id].
func (m UserMap) User(id string) *User { return m[id] }

// Len returns len(m).
func (m UserMap) Len() int { return len(m) }

// Snapshot is a complete read of the mapped Okta groups and their members,
// as a Source returns it. A Snapshot is only ever returned whole: a failed
// or partial read is an error.
type Snapshot struct {
	// Groups maps each mapping reference (Mapping.Group) to the group it
	// resolved to.
	Groups map[string]*Group
	// Missing lists the mapping references that no Okta group matched.
	Missing []string
	// Users holds every member of every mapped group, by Okta user id.
	Users Users
	// APICalls is the number of HTTP requests the read made.
	APICalls int
	TakenAt  time.Time
	// Feed names how the read learnt what changed (a full read, or which
	// change feed); the engine records it with the run.
	Feed string
	// Base is the source's own form of this read, which a DeltaSource
	// needs to read only what changed since. The engine keeps it with the
	// snapshot and hands it back untouched.
	Base any
}
