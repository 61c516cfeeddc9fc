package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// fakeSource returns a fixed snapshot or error.
type fakeSource struct {
	mu    sync.Mutex
	snap  *Snapshot
	org   *org // when set, snapshots are read from it
	err   error
	calls int
	// lookup, when set, makes the source a UserLookup.
	lookup map[string]*User
}

func (s *fakeSource) Snapshot(_ context.Context, groups []string) (*Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.err != nil {
		return nil, s.err
	}
	if s.org != nil {
		return s.org.snap(groups...), nil
	}
	return s.snap, nil
}

func (s *fakeSource) set(snap *Snapshot, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snap, s.err = snap, err
}

type lookupSource struct{ *fakeSource }

func (s lookupSource) LookupUsers(_ context.Context, ids []string) (map[string]*User, error) {
	out := map[string]*User{}
	for _, id := range ids {
		if u, ok := s.lookup[id]; ok {
			out[id] = u
		}
	}
	return out, nil
}

// fakeRecorder keeps runs, changes and holds in memory.
type fakeRecorder struct {
	mu      sync.Mutex
	runs    []store.Run
	changes map[int64][]store.Change
	holds   map[int64]*store.Hold
}

func newRecorder() *fakeRecorder {
	return &fakeRecorder{changes: map[int64][]store.Change{}, holds: map[int64]*store.Hold{}}
}

func (r *fakeRecorder) StartRun(_ context.Context, trigger string, at time.Time) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs = append(r.runs, store.Run{ID: int64(len(r.runs) + 1), Trigger: trigger, Status: store.StatusRunning, StartedAt: at})
	return int64(len(r.runs)), nil
}

func (r *fakeRecorder) FinishRun(_ context.Context, run store.Run) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if run.ID < 1 || int(run.ID) > len(r.runs) {
		return store.ErrNotFound
	}
	cur := r.runs[run.ID-1]
	run.Trigger, run.StartedAt = cur.Trigger, cur.StartedAt
	r.runs[run.ID-1] = run
	return nil
}

func (r *fakeRecorder) AddChanges(_ context.Context, runID int64, cs []store.Change) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range cs {
		if c.User == "" || c.At.IsZero() {
			return fmt.Errorf("bad change %+v", c)
		}
		c.RunID = runID
		r.changes[runID] = append(r.changes[runID], c)
	}
	return nil
}

func (r *fakeRecorder) CreateHold(_ context.Context, runID int64, cs []store.Change) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.holds[runID]; ok {
		return errors.New("hold exists")
	}
	r.holds[runID] = &store.Hold{RunID: runID, Status: store.HoldPending, Changes: slices.Clone(cs)}
	return nil
}

func (r *fakeRecorder) Hold(_ context.Context, runID int64) (store.Hold, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h, ok := r.holds[runID]
	if !ok {
		return store.Hold{}, store.ErrNotFound
	}
	return *h, nil
}

func (r *fakeRecorder) DecideHold(_ context.Context, runID int64, status string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	h, ok := r.holds[runID]
	if !ok {
		return store.ErrNotFound
	}
	if h.Status != store.HoldPending {
		return store.ErrHoldDecided
	}
	h.Status = status
	return nil
}

func (r *fakeRecorder) run(id int64) store.Run {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runs[id-1]
}

// memTarget is an in-memory target.
type memTarget struct {
	mu    sync.Mutex
	roles map[string]bool
	users map[string]*target.User
	order []string
	next  int
	calls int
	// failAt makes the failAt-th write call (1-based) fail.
	failAt int
	writes int
}

func newMemTarget(roles ...string) *memTarget {
	m := &memTarget{roles: map[string]bool{}, users: map[string]*target.User{}}
	for _, r := range roles {
		m.roles[r] = true
	}
	return m
}

func (m *memTarget) write() error {
	m.writes++
	if m.failAt > 0 && m.writes == m.failAt {
		return errors.New("portal unavailable")
	}
	return nil
}

func (m *memTarget) ListUsers(context.Context) ([]target.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	// Role slices are shared: the target replaces them, never edits them.
	out := make([]target.User, 0, len(m.order))
	for _, id := range m.order {
		out = append(out, *m.users[id])
	}
	return out, nil
}

func (m *memTarget) ListRoles(context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for r := range m.roles {
		out = append(out, r)
	}
	slices.Sort(out)
	return out, nil
}

func (m *memTarget) checkRoles(roles []string) error {
	for _, r := range roles {
		if !m.roles[r] {
			return fmt.Errorf("%w %q", target.ErrUnknownRole, r)
		}
	}
	return nil
}

func (m *memTarget) CreateUser(_ context.Context, u target.User) (target.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if err := m.write(); err != nil {
		return target.User{}, err
	}
	if err := m.checkRoles(u.Roles); err != nil {
		return target.User{}, err
	}
	m.next++
	u.ID = strconv.Itoa(m.next)
	u.Active = true
	u.Roles = slices.Sorted(slices.Values(u.Roles))
	m.users[u.ID] = &u
	m.order = append(m.order, u.ID)
	return u, nil
}

func (m *memTarget) UpdateProfile(_ context.Context, u target.User) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if err := m.write(); err != nil {
		return err
	}
	cur, ok := m.users[u.ID]
	if !ok {
		return target.ErrNotFound
	}
	cur.ExternalID, cur.Login, cur.Email, cur.FirstName, cur.LastName = u.ExternalID, u.Login, u.Email, u.FirstName, u.LastName
	return nil
}

func (m *memTarget) SetRoles(_ context.Context, id string, roles []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if err := m.write(); err != nil {
		return err
	}
	cur, ok := m.users[id]
	if !ok {
		return target.ErrNotFound
	}
	if err := m.checkRoles(roles); err != nil {
		return err
	}
	cur.Roles = slices.Sorted(slices.Values(roles))
	if len(roles) > 0 {
		cur.Active = true
	}
	return nil
}

func (m *memTarget) RevokeAll(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if err := m.write(); err != nil {
		return err
	}
	cur, ok := m.users[id]
	if !ok {
		return target.ErrNotFound
	}
	cur.Roles, cur.Active = nil, false
	return nil
}

// state renders a target's users as login → "on:Role,Role" or "off:".
func state(users []target.User) map[string]string {
	out := map[string]string{}
	for _, u := range users {
		s := "off:"
		if u.Active {
			s = "on:"
		}
		out[u.Login] = s + strings.Join(u.Roles, ",")
	}
	return out
}

// org builds snapshots.
type org struct {
	users  map[string]*User
	groups map[string]*Group
}

// newOrg returns an org with the empty groups Eng, Ops and Audit.
func newOrg() *org {
	o := &org{users: map[string]*User{}, groups: map[string]*Group{}}
	return o.group("Eng").group("Ops").group("Audit")
}

// user adds an Okta user whose id is name and login name@example.com.
func (o *org) user(name, status string, groups ...string) *org {
	o.users[name] = &User{ID: name, Status: status, Login: name + "@example.com", Email: name + "@example.com",
		FirstName: strings.ToUpper(name[:1]) + name[1:], LastName: "Test"}
	for _, g := range groups {
		o.group(g)
		o.groups[g].MemberIDs = append(o.groups[g].MemberIDs, name)
	}
	return o
}

func (o *org) group(name string) *org {
	if o.groups[name] == nil {
		o.groups[name] = &Group{ID: "00g" + name, Name: name, Type: "OKTA_GROUP"}
	}
	return o
}

// snap returns the snapshot of the given mapping references; references
// with no group are reported missing.
func (o *org) snap(refs ...string) *Snapshot {
	users := UserMap{}
	s := &Snapshot{Groups: map[string]*Group{}, Users: users, APICalls: 1 + len(refs)}
	for _, r := range refs {
		g, ok := o.groups[r]
		if !ok {
			s.Missing = append(s.Missing, r)
			continue
		}
		cp := *g
		cp.MemberIDs = slices.Clone(g.MemberIDs)
		s.Groups[r] = &cp
		for _, id := range g.MemberIDs {
			u := *o.users[id]
			users[id] = &u
		}
	}
	return s
}
