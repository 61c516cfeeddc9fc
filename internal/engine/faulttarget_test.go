package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/rolesync/rolesync/internal/target"
)

// faultTarget is a memTarget whose listings can fail and whose writes fail
// for chosen users (by target id, or by lower-cased login for creations).
type faultTarget struct {
	*memTarget
	listUsers, listRoles bool
	users                map[string]bool
}

var errPortal = errors.New("portal: 503 Service Unavailable")

func (f *faultTarget) ListUsers(ctx context.Context) ([]target.User, error) {
	if f.listUsers {
		return nil, errPortal
	}
	return f.memTarget.ListUsers(ctx)
}

func (f *faultTarget) ListRoles(ctx context.Context) ([]string, error) {
	if f.listRoles {
		return nil, errPortal
	}
	return f.memTarget.ListRoles(ctx)
}

func (f *faultTarget) CreateUser(ctx context.Context, u target.User) (target.User, error) {
	if f.users[strings.ToLower(u.Login)] {
		return target.User{}, errPortal
	}
	return f.memTarget.CreateUser(ctx, u)
}

func (f *faultTarget) UpdateProfile(ctx context.Context, u target.User) error {
	if f.users[u.ID] {
		return errPortal
	}
	return f.memTarget.UpdateProfile(ctx, u)
}

func (f *faultTarget) SetRoles(ctx context.Context, id string, roles []string) error {
	if f.users[id] {
		return errPortal
	}
	return f.memTarget.SetRoles(ctx, id, roles)
}

func (f *faultTarget) RevokeAll(ctx context.Context, id string) error {
	if f.users[id] {
		return errPortal
	}
	return f.memTarget.RevokeAll(ctx, id)
}

// clear removes every fault.
func (f *faultTarget) clear() { f.listUsers, f.listRoles, f.users = false, false, nil }

// fault is one injected failure of a run.
type fault int

const (
	faultNone      fault = iota
	faultGroupPage       // the source fails reading a page of a group
	faultTruncated       // a group page names a member whose record is missing
	faultListUsers       // the target fails listing its users
	faultListRoles       // the target fails listing its roles
	faultApply           // writes to some users fail
	faultMissing         // a mapped group was deleted or renamed in Okta
	faultCount
)

func (f fault) String() string {
	return [...]string{"none", "group page", "truncated page", "target ListUsers", "target ListRoles", "apply", "missing group"}[f]
}

// readFault reports whether f makes the run's reads fail.
func (f fault) readFault() bool { return f >= faultGroupPage && f <= faultListRoles }

// inject arms f on the source and target of m for the next run.
func inject(r *rand.Rand, f fault, m *memEnv, ft *faultTarget, o *org) {
	switch f {
	case faultGroupPage:
		g := []string{"Eng", "Ops", "Audit"}[r.IntN(3)]
		m.src.set(nil, fmt.Errorf("read members of group %q, page %d: 503 Service Unavailable", g, 1+r.IntN(3)))
	case faultTruncated:
		s := o.snap("Eng", "Ops", "Audit")
		g := s.Groups[[]string{"Eng", "Ops", "Audit"}[r.IntN(3)]]
		g.MemberIDs = append(g.MemberIDs, "unread-user")
		m.src.set(s, nil)
		m.src.org = nil
	case faultMissing:
		s := o.snap("Eng", "Ops", "Audit")
		g := []string{"Eng", "Ops", "Audit"}[r.IntN(3)]
		delete(s.Groups, g)
		s.Missing = append(s.Missing, g)
		m.src.set(s, nil)
		m.src.org = nil
	case faultListUsers:
		ft.listUsers = true
	case faultListRoles:
		ft.listRoles = true
	case faultApply:
		ft.users = map[string]bool{}
		users, _ := ft.memTarget.ListUsers(context.Background())
		for _, u := range users {
			if r.IntN(3) == 0 {
				ft.users[u.ID] = true
			}
		}
		for _, id := range slices.Sorted(maps.Keys(o.users)) {
			if r.IntN(3) == 0 {
				ft.users[strings.ToLower(o.users[id].Login)] = true
			}
		}
	}
}

// heal removes every fault.
func heal(m *memEnv, ft *faultTarget, o *org) {
	m.src.set(nil, nil)
	m.src.org = o
	ft.clear()
}

// caseVariant returns s with the case of its letters changed at random.
func caseVariant(r *rand.Rand, s string) string {
	b := []byte(s)
	for i, c := range b {
		if r.IntN(2) == 0 {
			b[i] = byte(strings.ToUpper(string(c))[0])
		}
	}
	return string(b)
}

// granted returns the roles Okta grants u through the mappings of m.
func granted(m *memEnv, o *org, u *User) map[string]bool {
	out := map[string]bool{}
	if !KeepsRoles(u.Status) {
		return out
	}
	for _, mp := range m.cfg.Mappings {
		g := o.groups[mp.Group]
		if g == nil {
			continue
		}
		for _, id := range g.MemberIDs {
			if id == u.ID {
				for _, role := range mp.Roles {
					out[role] = true
				}
			}
		}
	}
	return out
}
