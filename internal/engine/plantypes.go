package engine

import (
	"cmp"
	"strings"
	"time"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// PlannedChange is one change a plan makes in the target.
type PlannedChange struct {
	// UserID is the target's id of the user; empty for a user to create.
	UserID string `json:"user_id,omitempty"`
	OktaID string `json:"okta_id,omitempty"`
	User   string `json:"user"` // login
	Email  string `json:"email,omitempty"`
	Action string `json:"action"` // store.Action*
	Role   string `json:"role,omitempty"`
	Group  string `json:"group,omitempty"` // the Okta group behind the change
	Reason string `json:"reason"`
	// Admin is set when the user holds an admin role the change takes away.
	Admin bool `json:"admin,omitempty"`
	// LinkedBy is set on the update that links a portal account the sync
	// has never seen to an Okta user by something weaker than the Okta id
	// or the login ("email"). Such a link, and every change of its user,
	// is held for approval.
	LinkedBy string `json:"linked_by,omitempty"`

	// ti is 1 + the index of the user in Plan.users; 0 for a new user.
	ti int
}

func (c PlannedChange) storeChange(at time.Time, held bool) store.Change {
	return store.Change{At: at, User: cmp.Or(c.User, c.Email, c.OktaID, "id:"+c.UserID), OktaID: c.OktaID, Action: c.Action, Role: c.Role,
		Group: c.Group, Reason: c.Reason, Held: held}
}

func (c PlannedChange) isRevocation() bool {
	return c.Action == store.ActionRevoke || c.Action == store.ActionRevokeAll
}

// userKey names a user across snapshots and targets: its Okta id, or its
// login for users the sync has never matched.
func (c PlannedChange) userKey() string {
	if c.OktaID != "" {
		return c.OktaID
	}
	return "login:" + strings.ToLower(c.User)
}

// Kept is a revocation or a link the plan does not make, and why.
type Kept struct {
	User   string `json:"user"`
	OktaID string `json:"okta_id,omitempty"`
	Action string `json:"action"`
	Role   string `json:"role,omitempty"`
	Reason string `json:"reason"`
}

// Plan is what a run will do.
type Plan struct {
	// Changes are what a run applies, listed in this order: on a first run
	// the admins who lose access come first. A run makes them user by
	// user, grants before revocations (see grantsFirst).
	Changes []PlannedChange `json:"changes"`
	// Held are the revocations a gate holds for approval.
	Held []PlannedChange `json:"held"`
	// HoldReasons say which gates held them.
	HoldReasons []string `json:"hold_reasons,omitempty"`
	// Kept are revocations no run makes (protected accounts, last admins)
	// and links by email no run makes (accounts holding an admin role or
	// protected).
	Kept []Kept `json:"kept"`
	// Missing are mapping references no Okta group matched.
	Missing []string `json:"missing,omitempty"`
	// GroupChanges are the mappings whose group name now resolves to
	// another Okta group than the one recorded; Emptied the mapped groups
	// that had members at the last run and read empty now. The revocations
	// of their roles are held.
	GroupChanges []GroupChange `json:"group_changes,omitempty"`
	Emptied      []string      `json:"emptied,omitempty"`
	// FirstRun is set when no target user has been matched to Okta yet.
	FirstRun bool `json:"first_run"`
	// Groups, OktaUsers and Members describe the snapshot.
	Groups    int `json:"groups"`
	OktaUsers int `json:"okta_users"`
	Members   int `json:"members"`
	// ManagedUsers are target users holding roles before the run;
	// RevocationLimit is max(N, P% of them).
	ManagedUsers    int       `json:"managed_users"`
	RevocationLimit int       `json:"revocation_limit"`
	APICalls        int       `json:"api_calls"`
	TakenAt         time.Time `json:"taken_at"`
	// Feed is how Okta was read (Snapshot.Feed).
	Feed string `json:"feed,omitempty"`

	users  []target.User // the target's users before the run
	people Users         // Okta users by id

	groups      map[string]*Group // the group each mapping reference read
	lastMembers map[string]int    // member counts at the last run, by reference
	heldGroups  map[string]bool   // references whose group held revocations
}
