package okta

import "time"

// Okta user statuses, as Okta spells them.
const (
	StatusActive          = "ACTIVE"
	StatusPasswordExpired = "PASSWORD_EXPIRED"
	StatusLockedOut       = "LOCKED_OUT"
	StatusRecovery        = "RECOVERY"
	StatusSuspended       = "SUSPENDED"
	StatusDeprovisioned   = "DEPROVISIONED"
	StatusStaged          = "STAGED"
	StatusProvisioned     = "PROVISIONED"
	// StatusDeleted is not Okta's: it marks a user whom Okta no longer has
	// (GET /api/v1/users/{id} answers 404 once a deletion completes), who
	// has left Okta and keeps no role.
	StatusDeleted = "DELETED"
)

// KeepsRoles reports whether a user in this Okta status keeps portal roles.
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

// Snapshot is a complete read of the mapped Okta groups and their members.
// A Snapshot is only ever returned whole: a failed or partial read is an error.
type Snapshot struct {
	// Groups maps each mapping reference (a group name or id, as the
	// configuration names it) to the group it resolved to.
	Groups map[string]*Group
	// Missing lists the mapping references that no Okta group matched.
	Missing []string
	// Users holds every member of every mapped group, by Okta user id.
	Users map[string]*User
	// APICalls is the number of HTTP requests the read made.
	APICalls int
	TakenAt  time.Time
	// Feed names how the read learnt what changed: FeedFull (everything
	// read), FeedSystemLog or FeedUsersSearch (a delta read).
	Feed string
	// SearchMark is the high-water mark of the users-search feed: the
	// newest lastUpdated among the users Okta returned, to this read and
	// the ones before it. The next search starts from it, less the search
	// overlap; the local clock plays no part.
	SearchMark time.Time
}

// Feeds a Snapshot was read with.
const (
	FeedFull        = "full"
	FeedSystemLog   = "system_log"
	FeedUsersSearch = "users_search"
)

// markOf returns the newest of mark and the users' lastUpdated.
func markOf(mark time.Time, users map[string]*User) time.Time {
	for _, u := range users {
		if u != nil && u.LastUpdated.After(mark) {
			mark = u.LastUpdated
		}
	}
	return mark
}
