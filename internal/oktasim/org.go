package oktasim

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Okta user statuses and group types, as Okta spells them.
const (
	StatusActive          = "ACTIVE"
	StatusPasswordExpired = "PASSWORD_EXPIRED"
	StatusLockedOut       = "LOCKED_OUT"
	StatusRecovery        = "RECOVERY"
	StatusSuspended       = "SUSPENDED"
	StatusDeprovisioned   = "DEPROVISIONED"
	StatusStaged          = "STAGED"
	StatusProvisioned     = "PROVISIONED"

	GroupTypeOkta    = "OKTA_GROUP"
	GroupTypeApp     = "APP_GROUP"
	GroupTypeBuiltIn = "BUILT_IN"
)

// Lifecycle operations, as the /api/v1/users/{id}/lifecycle/{op} routes name them.
const (
	LifecycleSuspend    = "suspend"
	LifecycleUnsuspend  = "unsuspend"
	LifecycleDeactivate = "deactivate"
	LifecycleActivate   = "activate"
)

// user is an Okta user as the simulated org holds it. Zero times are null.
type user struct {
	id, status                        string
	login, email, firstName, lastName string
	created, activated, statusChanged time.Time
	lastLogin, lastUpdated            time.Time
	passwordChanged                   time.Time
	// listed is the user as a collection last rendered it (appendListed).
	listed atomic.Pointer[listedUser]
}

// group is an Okta group and its members, kept sorted by id.
type group struct {
	id, name, typ         string
	description           string
	descriptionNull       bool
	created, lastUpdated  time.Time
	lastMembershipUpdated time.Time
	members               []*user
}

// User is a read-only view of a simulated Okta user.
type User struct {
	ID, Status, Login, Email, FirstName, LastName string
	LastUpdated                                   time.Time
}

// Group is a read-only view of a simulated Okta group.
type Group struct {
	ID, Name, Type        string
	LastMembershipUpdated time.Time
	LastUpdated           time.Time
	MemberCount           int
}

// Org is a simulated Okta Workforce org held in memory. All methods are safe
// for concurrent use; the HTTP routes and the in-process helpers share the
// same code paths, so a change made either way moves the same timestamps and
// writes the same System Log events.
type Org struct {
	mu       sync.RWMutex
	users    map[string]*user
	byLogin  map[string]*user // lower-cased login
	userIDs  []string         // sorted
	groups   map[string]*group
	groupIDs []string // sorted
	byName   map[string]*group
	logs     []logEvent
	last     time.Time
	now      func() time.Time
}

func newOrg(now func() time.Time) *Org {
	if now == nil {
		now = time.Now
	}
	return &Org{
		users:   map[string]*user{},
		byLogin: map[string]*user{},
		groups:  map[string]*group{},
		byName:  map[string]*group{},
		now:     now,
	}
}

// tick returns the time of a change: now at millisecond precision, and always
// after the previous change, so that "gt" filters never miss one.
func (o *Org) tick() time.Time {
	t := o.now().UTC().Truncate(time.Millisecond)
	if !t.After(o.last) {
		t = o.last.Add(time.Millisecond)
	}
	o.last = t
	return t
}

// addUser and addGroup insert without events; used while building an org,
// which calls sortUsers once every user is added.
func (o *Org) addUser(u *user) error {
	key := strings.ToLower(u.login)
	if _, dup := o.byLogin[key]; dup {
		return fmt.Errorf("user login %q appears twice", u.login)
	}
	o.users[u.id] = u
	o.byLogin[key] = u
	o.userIDs = append(o.userIDs, u.id)
	return nil
}

func (o *Org) sortUsers() { slices.Sort(o.userIDs) }

func (o *Org) addGroup(g *group) error {
	key := strings.ToLower(g.name)
	if _, dup := o.byName[key]; dup {
		return fmt.Errorf("group name %q appears twice", g.name)
	}
	o.groups[g.id] = g
	o.byName[key] = g
	o.groupIDs = insertSorted(o.groupIDs, g.id)
	return nil
}

func insertSorted(s []string, v string) []string {
	i, found := slices.BinarySearch(s, v)
	if found {
		return s
	}
	return slices.Insert(s, i, v)
}

func removeSorted(s []string, v string) ([]string, bool) {
	i, found := slices.BinarySearch(s, v)
	if !found {
		return s, false
	}
	return slices.Delete(s, i, i+1), true
}

// lookupUser finds a user by id or login, as GET /api/v1/users/{id} does.
func (o *Org) lookupUser(idOrLogin string) *user {
	if u, ok := o.users[idOrLogin]; ok {
		return u
	}
	return o.byLogin[strings.ToLower(idOrLogin)]
}

func (u *user) view() User {
	return User{ID: u.id, Status: u.status, Login: u.login, Email: u.email,
		FirstName: u.firstName, LastName: u.lastName, LastUpdated: u.lastUpdated}
}

func (g *group) view() Group {
	return Group{ID: g.id, Name: g.name, Type: g.typ, LastMembershipUpdated: g.lastMembershipUpdated,
		LastUpdated: g.lastUpdated, MemberCount: len(g.members)}
}

// GroupByName returns the group with this name (case-insensitive).
func (o *Org) GroupByName(name string) (Group, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	g, ok := o.byName[strings.ToLower(name)]
	if !ok {
		return Group{}, false
	}
	return g.view(), true
}

// Group returns the group with this id.
func (o *Org) Group(id string) (Group, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	g, ok := o.groups[id]
	if !ok {
		return Group{}, false
	}
	return g.view(), true
}

// Groups returns every group, ordered by id.
func (o *Org) Groups() []Group {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make([]Group, 0, len(o.groupIDs))
	for _, id := range o.groupIDs {
		out = append(out, o.groups[id].view())
	}
	return out
}

// User returns the user with this id or login.
func (o *Org) User(idOrLogin string) (User, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	u := o.lookupUser(idOrLogin)
	if u == nil {
		return User{}, false
	}
	return u.view(), true
}

// Users returns every user, ordered by id.
func (o *Org) Users() []User {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make([]User, 0, len(o.userIDs))
	for _, id := range o.userIDs {
		out = append(out, o.users[id].view())
	}
	return out
}

// Members returns the ids of the group's members, sorted; nil if the group
// does not exist.
func (o *Org) Members(groupID string) []string {
	o.mu.RLock()
	defer o.mu.RUnlock()
	g, ok := o.groups[groupID]
	if !ok {
		return nil
	}
	ids := make([]string, len(g.members))
	for i, u := range g.members {
		ids[i] = u.id
	}
	return ids
}

func byID(u *user, id string) int { return strings.Compare(u.id, id) }

// memberIndex finds id in sorted members: its index, or where it would go.
func memberIndex(members []*user, id string) (int, bool) {
	return slices.BinarySearchFunc(members, id, byID)
}

// ErrNotFound is returned by Org changes naming a user or group that does not exist.
var ErrNotFound = errors.New("oktasim: not found")

// asError turns an API error into a Go error for the in-process helpers.
func asError(e *apiError) error {
	if e == nil {
		return nil
	}
	if e.status == 404 {
		return fmt.Errorf("%w: %s", ErrNotFound, e.summary)
	}
	return e
}

// AddMember adds the user to the group, as PUT /api/v1/groups/{g}/users/{u} does.
func (o *Org) AddMember(groupID, userID string) error {
	return asError(o.addMember(systemActor, groupID, userID))
}

// RemoveMember removes the user from the group, as DELETE
// /api/v1/groups/{g}/users/{u} does.
func (o *Org) RemoveMember(groupID, userID string) error {
	return asError(o.removeMember(systemActor, groupID, userID))
}

// Lifecycle runs a lifecycle operation (LifecycleSuspend, ...) on the user,
// as POST /api/v1/users/{id}/lifecycle/{op} does.
func (o *Org) Lifecycle(userID, op string) error {
	return asError(o.lifecycle(systemActor, userID, op))
}

// CreateGroup adds an OKTA_GROUP, as POST /api/v1/groups does.
func (o *Org) CreateGroup(name, description string) (Group, error) {
	g, e := o.createGroup(systemActor, name, description, description == "")
	if e != nil {
		return Group{}, asError(e)
	}
	return g, nil
}

// DeleteGroup removes a group, as DELETE /api/v1/groups/{id} does.
func (o *Org) DeleteGroup(groupID string) error {
	return asError(o.deleteGroup(systemActor, groupID))
}

// SetStatus puts the user directly in a status that no lifecycle route
// reaches (LOCKED_OUT, PASSWORD_EXPIRED, RECOVERY), moving statusChanged and
// lastUpdated as Okta does when a sign-in or policy changes the status.
func (o *Org) SetStatus(userID, status string) error {
	switch status {
	case StatusActive, StatusPasswordExpired, StatusLockedOut, StatusRecovery, StatusSuspended,
		StatusDeprovisioned, StatusStaged, StatusProvisioned:
	default:
		return fmt.Errorf("oktasim: unknown Okta user status %q", status)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	u := o.lookupUser(userID)
	if u == nil {
		return fmt.Errorf("%w: user %s", ErrNotFound, userID)
	}
	if u.status == status {
		return nil
	}
	t := o.tick()
	u.status, u.statusChanged, u.lastUpdated = status, t, t
	return nil
}
