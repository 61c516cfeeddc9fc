package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// bulkTarget is a memTarget that also creates users in bulk, all or none.
type bulkTarget struct {
	*memTarget
	sizes []int
	fail  bool // every bulk creation fails as a whole
}

func (b *bulkTarget) CreateUsers(ctx context.Context, users []target.User) error {
	b.sizes = append(b.sizes, len(users))
	if b.fail {
		return errors.New("database is locked")
	}
	b.mu.Lock()
	for _, u := range users {
		if err := b.checkRoles(u.Roles); err != nil {
			b.mu.Unlock()
			return err
		}
	}
	b.mu.Unlock()
	for _, u := range users {
		if _, err := b.memTarget.CreateUser(ctx, u); err != nil {
			return err
		}
	}
	return nil
}

// listing lists the target's users as "okta id login roles" lines, sorted.
func listing(t *testing.T, tg target.Target) []string {
	t.Helper()
	users, err := tg.ListUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, u := range users {
		out = append(out, u.ExternalID+" "+u.Login+" "+strings.Join(u.Roles, ","))
	}
	slices.Sort(out)
	return out
}

func TestBulkCreationInGroups(t *testing.T) {
	one := newMemEnv(t, bigOrg(1200), nil)
	if _, err := one.eng.Run(context.Background(), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	m := newMemEnv(t, bigOrg(1200), nil)
	bt := &bulkTarget{memTarget: m.tgt}
	m.eng.opts.Target = bt
	rec := &batchRecorder{fakeRecorder: m.rec}
	m.eng.opts.Recorder = rec
	var progress []int
	res, err := m.eng.Run(context.Background(), RunOptions{Progress: func(p Progress) {
		if p.Phase == PhaseApply {
			progress = append(progress, p.Done)
		}
	}})
	if err != nil || res.Status != store.StatusSucceeded || res.Created != 1200 {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	if want := []int{500, 500, 200}; !slices.Equal(bt.sizes, want) {
		t.Fatalf("CreateUsers called with %v users, want %v", bt.sizes, want)
	}
	if want := []int{0, 1000, 2000, 2400}; !slices.Equal(progress, want) {
		t.Fatalf("progress %v, want %v", progress, want)
	}
	if want := []int{1000, 1000, 400}; !slices.Equal(rec.sizes, want) {
		t.Fatalf("AddChanges calls %v, want %v", rec.sizes, want)
	}
	if got := len(m.rec.changes[res.RunID]); got != 2400 || len(res.Applied) != 2400 {
		t.Fatalf("recorded %d, applied %d changes; want 2400", got, len(res.Applied))
	}
	if a, b := listing(t, one.tgt), listing(t, bt); !slices.Equal(a, b) {
		t.Fatal("bulk creation left a different target than creating one by one")
	}
}

func TestBulkCreationFailureFallsBackToOneByOne(t *testing.T) {
	m := newMemEnv(t, bigOrg(1200), nil)
	bt := &bulkTarget{memTarget: m.tgt, fail: true}
	m.eng.opts.Target = bt
	m.tgt.failAt = 700 // the 700th user created one by one fails
	res, err := m.eng.Run(context.Background(), RunOptions{})
	if err == nil || res.Status != store.StatusFailed || !strings.Contains(err.Error(), "1398 of 2400 changes were applied before it") {
		t.Fatalf("Run = %+v, %v; want a failed run naming the user that failed", res, err)
	}
	if want := []int{500, 500}; !slices.Equal(bt.sizes, want) {
		t.Fatalf("CreateUsers called with %v users, want %v: a failed group is not tried again user by user", bt.sizes, want)
	}
	if res.Created != 699 || len(m.tgt.users) != 699 || len(m.rec.changes[res.RunID]) != 2*699 {
		t.Fatalf("created %d (%d in the target, %d recorded changes); want the 699 users before the failure", res.Created, len(m.tgt.users), len(m.rec.changes[res.RunID]))
	}
}
