package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// failingUser is a target whose writes to one login fail, and which keeps
// the order of its writes as "login action".
type failingUser struct {
	*memTarget
	fail   string // login whose writes fail
	mu     sync.Mutex
	writes []string
}

func (f *failingUser) note(id, login, action string) error {
	if login == "" {
		f.memTarget.mu.Lock()
		if u := f.memTarget.users[id]; u != nil {
			login = u.Login
		}
		f.memTarget.mu.Unlock()
	}
	f.mu.Lock()
	f.writes = append(f.writes, short(login)+" "+action)
	f.mu.Unlock()
	if login == f.fail {
		return errors.New("portal refused the change")
	}
	return nil
}

func (f *failingUser) CreateUser(ctx context.Context, u target.User) (target.User, error) {
	if err := f.note("", u.Login, "create"); err != nil {
		return target.User{}, err
	}
	return f.memTarget.CreateUser(ctx, u)
}

func (f *failingUser) SetRoles(ctx context.Context, id string, roles []string) error {
	if err := f.note(id, "", "set_roles"); err != nil {
		return err
	}
	return f.memTarget.SetRoles(ctx, id, roles)
}

func (f *failingUser) RevokeAll(ctx context.Context, id string) error {
	if err := f.note(id, "", "revoke_all"); err != nil {
		return err
	}
	return f.memTarget.RevokeAll(ctx, id)
}

// handover is ann, the only Administrator, leaving Okta's Eng group as bob
// joins it: the last-admin gate lets ann go because bob is granted the role.
func handover(t *testing.T, bobBefore bool) *memEnv {
	t.Helper()
	o := newOrg().user("ann", StatusActive).user("bob", StatusActive, "Eng")
	before := []target.User{synced("ann", "Administrator")}
	if bobBefore {
		before = append(before, synced("bob", "Read Only"))
		o.user("bob", StatusActive, "Ops")
	}
	m := newMemEnv(t, o, nil, before...)
	m.cfg.Safety.AdminRoles = []string{"Administrator"}
	return m
}

// TestAdminHandoverAppliesTheGrantFirst checks that the new admin's grant
// is made before the old admin's revocation.
func TestAdminHandoverAppliesTheGrantFirst(t *testing.T) {
	for _, bobBefore := range []bool{false, true} {
		m := handover(t, bobBefore)
		tgt := &failingUser{memTarget: m.tgt}
		m.eng.opts.Target = tgt
		res, err := m.eng.Run(context.Background(), RunOptions{})
		if err != nil || res.Status != store.StatusSucceeded {
			t.Fatalf("bob known before: %v: Run = %+v, %v", bobBefore, res, err)
		}
		want := []string{"bob create", "ann revoke_all"}
		if bobBefore {
			want = []string{"bob set_roles", "ann revoke_all"}
		}
		equalOrDiff(t, "writes", tgt.writes, want)
	}
}

// TestAdminHandoverWithAFailedGrantKeepsTheAdmin checks that when the grant
// of the new admin fails, the old admin keeps the role, and the revocation
// that relied on the grant is recorded as held with the reason.
func TestAdminHandoverWithAFailedGrantKeepsTheAdmin(t *testing.T) {
	tests := []struct {
		name      string
		bobBefore bool
		batch     bool
	}{
		{"new user's creation fails", false, false},
		{"existing user's grant fails", true, false},
		{"the batch of grants fails", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := handover(t, tc.bobBefore)
			if tc.batch {
				m.eng.opts.Target = &batchTarget{memTarget: m.tgt, failRoles: []string{"Administrator"}}
			} else {
				m.eng.opts.Target = &failingUser{memTarget: m.tgt, fail: "bob@example.com"}
			}
			res, err := m.eng.Run(context.Background(), RunOptions{})
			if err == nil || res.Status != store.StatusFailed {
				t.Fatalf("Run = %+v, %v; want a failed run", res, err)
			}
			if ann := m.tgt.users["1"]; ann.Login != "ann@example.com" || !ann.Active || !hasRole(ann.Roles, "Administrator") {
				t.Fatalf("ann is %+v after the run; want her still an active Administrator", ann)
			}
			if res.Revoked != 0 {
				t.Errorf("the run counts %d revocations, want none", res.Revoked)
			}
			var annRec []store.Change
			for _, c := range m.rec.changes[res.RunID] {
				if short(c.User) == "ann" {
					annRec = append(annRec, c)
				}
			}
			if len(annRec) != 1 || !annRec[0].Held || annRec[0].Action != store.ActionRevokeAll ||
				!strings.Contains(annRec[0].Reason, `grant of admin role "Administrator" to bob@example.com`) {
				t.Fatalf("ann's records %+v; want her revocation recorded as held, naming the grant it relied on", annRec)
			}
			if _, err := m.rec.Hold(context.Background(), res.RunID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the failed run made a hold (%v); the next run plans the revocation again", err)
			}
		})
	}
}

// TestAdminSwapInABatchKeepsTheAdmin is a handover where the new admin also
// loses an admin role (Auditor, which cat keeps): the batch that grants bob
// Administrator is sent, and fails, before ann's revocation is made.
func TestAdminSwapInABatchKeepsTheAdmin(t *testing.T) {
	o := newOrg().user("ann", StatusActive).user("bob", StatusActive, "Eng").user("cat", StatusActive, "Audit")
	m := newMemEnv(t, o, nil, synced("ann", "Administrator"), synced("bob", "Auditor", "Read Only"), synced("cat", "Auditor", "Read Only"))
	m.cfg.Safety.AdminRoles = []string{"Administrator", "Auditor"}
	m.eng.opts.Target = &batchTarget{memTarget: m.tgt, failRoles: []string{"Administrator"}}
	res, err := m.eng.Run(context.Background(), RunOptions{})
	if err == nil || res.Status != store.StatusFailed {
		t.Fatalf("Run = %+v, %v; want a failed run", res, err)
	}
	if ann := m.tgt.users["1"]; !ann.Active || !hasRole(ann.Roles, "Administrator") {
		t.Fatalf("ann is %+v after the run; want her still an active Administrator", ann)
	}
}
