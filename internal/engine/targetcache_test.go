package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// versionedTarget is a memTarget whose version is its count of writes.
type versionedTarget struct {
	*memTarget
	listed     int
	versionErr error
}

func (v *versionedTarget) UsersVersion(context.Context) (int64, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return int64(v.writes), v.versionErr
}

func (v *versionedTarget) ListUsers(ctx context.Context) ([]target.User, error) {
	v.listed++
	return v.memTarget.ListUsers(ctx)
}

func TestVersionedTargetListedOnlyWhenChanged(t *testing.T) {
	ctx := context.Background()
	o := newOrg().user("ann", StatusActive, "Eng").user("bob", StatusActive, "Eng")
	m := newMemEnv(t, o, nil)
	vt := &versionedTarget{memTarget: m.tgt}
	m.eng.opts.Target = vt
	steps := []struct {
		name       string
		before     func()
		wantListed int
		wantChange int // created + granted
	}{
		{"first run lists and applies", nil, 1, 4},
		{"run after applying lists again", nil, 2, 0},
		{"nothing changed: the listing is reused", nil, 2, 0},
		{"a change in the target is listed", func() {
			for id, u := range vt.users {
				if u.Login == "bob@example.com" {
					_ = vt.RevokeAll(ctx, id)
				}
			}
		}, 3, 1},
		{"run after the repair lists again", nil, 4, 0},
		{"a change in Okta alone reuses the listing", func() { o.user("cat", StatusActive, "Eng") }, 4, 2},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.before != nil {
				st.before()
			}
			res, err := m.eng.Run(ctx, RunOptions{})
			if err != nil || res.Status != store.StatusSucceeded {
				t.Fatalf("Run = %+v, %v", res, err)
			}
			if vt.listed != st.wantListed || res.Created+res.Granted != st.wantChange {
				t.Fatalf("listed %d times, %d created + %d granted; want %d listings and %d changes",
					vt.listed, res.Created, res.Granted, st.wantListed, st.wantChange)
			}
		})
	}
	users, err := vt.memTarget.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st := state(users); st["bob@example.com"] != "on:Administrator" || st["cat@example.com"] != "on:Administrator" {
		t.Fatalf("target state %v", st)
	}
}

func TestVersionedTargetVersionErrorChangesNothing(t *testing.T) {
	o := newOrg().user("ann", StatusActive, "Eng")
	m := newMemEnv(t, o, nil)
	vt := &versionedTarget{memTarget: m.tgt, versionErr: errors.New("database is locked")}
	m.eng.opts.Target = vt
	res, err := m.eng.Run(context.Background(), RunOptions{})
	if err == nil || res.Status != store.StatusFailed || !strings.Contains(err.Error(), "read the version of the target's users: database is locked") {
		t.Fatalf("Run = %+v, %v; want a failed run", res, err)
	}
	if len(vt.users) != 0 || vt.listed != 0 {
		t.Fatalf("%d users created, listed %d times; want nothing done", len(vt.users), vt.listed)
	}
}
