package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// batchTarget is a directory whose role changes made inside a batch only
// count once Flush succeeds for their role, as a SCIM service's group
// PATCHes do.
type batchTarget struct {
	*memTarget
	begun, flushed int
	failRoles      []string // Flush fails for these roles
	opaque         bool     // Flush fails without naming roles
}

type rolesError struct{ roles []string }

func (e *rolesError) Error() string         { return fmt.Sprintf("PATCH of %v failed", e.roles) }
func (e *rolesError) FailedRoles() []string { return e.roles }

func (b *batchTarget) Begin(context.Context) error { b.begun++; return nil }

func (b *batchTarget) Flush(context.Context) error {
	b.flushed++
	switch {
	case b.opaque:
		return errors.New("connection reset")
	case len(b.failRoles) > 0:
		return &rolesError{roles: b.failRoles}
	}
	return nil
}

func batchEngine(t *testing.T, tgt *batchTarget, o *org) (*Engine, *fakeRecorder) {
	t.Helper()
	rec := newRecorder()
	cfg := Policy{Mappings: defaultMappings}
	e, err := New(Options{Source: &fakeSource{org: o}, Target: tgt, Recorder: rec, Policy: func() Policy { return cfg }})
	if err != nil {
		t.Fatal(err)
	}
	return e, rec
}

func TestBatchingTargetIsFlushedOncePerRun(t *testing.T) {
	o := newOrg().user("ada", StatusActive, "Eng").user("bob", StatusActive, "Ops")
	tgt := &batchTarget{memTarget: newMemTarget("Administrator", "Read Only", "Auditor")}
	e, _ := batchEngine(t, tgt, o)
	res, err := e.Run(context.Background(), RunOptions{})
	if err != nil || res.Status != store.StatusSucceeded || res.Created != 2 {
		t.Fatalf("run: %+v, %v", res, err)
	}
	if tgt.begun != 1 || tgt.flushed != 1 {
		t.Errorf("Begin %d times and Flush %d times, want once each", tgt.begun, tgt.flushed)
	}
	// A run with nothing to change opens no batch.
	if _, err := e.Run(context.Background(), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if tgt.begun != 1 {
		t.Errorf("a run with no change began a batch")
	}
}

func TestFailedFlushRecordsOnlyWhatWasMade(t *testing.T) {
	cases := []struct {
		name      string
		failRoles []string
		opaque    bool
		wantKept  []string // recorded actions, as "user action role"
	}{
		{"one role's PATCH failed", []string{"Read Only"}, false,
			[]string{"ada create ", "ada grant Administrator", "bob create "}},
		{"the failure names no role", nil, true,
			[]string{"ada create ", "bob create "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := newOrg().user("ada", StatusActive, "Eng").user("bob", StatusActive, "Ops")
			tgt := &batchTarget{memTarget: newMemTarget("Administrator", "Read Only", "Auditor"), failRoles: c.failRoles, opaque: c.opaque}
			e, rec := batchEngine(t, tgt, o)
			res, err := e.Run(context.Background(), RunOptions{})
			if err == nil || res.Status != store.StatusFailed {
				t.Fatalf("a failed Flush left the run %q (%v)", res.Status, err)
			}
			var got []string
			for _, ch := range rec.changes[res.RunID] {
				got = append(got, short(ch.User)+" "+ch.Action+" "+ch.Role)
			}
			slices.Sort(got)
			equalOrDiff(t, "recorded changes", got, c.wantKept)
			if res.Granted != len(c.wantKept)-2 {
				t.Errorf("the run counts %d grants, want %d", res.Granted, len(c.wantKept)-2)
			}
		})
	}
}

// cancelOnCreate cancels the run's context when the first user is created,
// as quitting the app in the middle of an apply does.
type cancelOnCreate struct {
	*memTarget
	cancel context.CancelFunc
}

func (c *cancelOnCreate) CreateUser(ctx context.Context, u target.User) (target.User, error) {
	c.cancel()
	return c.memTarget.CreateUser(ctx, u)
}

func TestApplyStopsAfterTheUserInFlightWhenCancelled(t *testing.T) {
	o := newOrg().user("ada", StatusActive, "Eng").user("bob", StatusActive, "Ops").user("cy", StatusActive, "Audit")
	ctx, cancel := context.WithCancel(context.Background())
	tgt := &cancelOnCreate{memTarget: newMemTarget("Administrator", "Read Only", "Auditor"), cancel: cancel}
	rec := newRecorder()
	cfg := Policy{Mappings: defaultMappings, Safety: defaultLimits}
	e, err := New(Options{Source: &fakeSource{org: o}, Target: tgt, Recorder: rec, Policy: func() Policy { return cfg }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(ctx, RunOptions{})
	if !errors.Is(err, context.Canceled) || res.Status != store.StatusInterrupted || res.Created != 1 {
		t.Fatalf("Run = %+v, %v; want interrupted after ada, whose creation was under way", res, err)
	}
	if got := state(mustList(t, tgt.memTarget)); !mapsEqual(got, map[string]string{"ada@example.com": "on:Administrator"}) {
		t.Fatalf("target %v; want ada made whole, with her role", got)
	}
	if n := len(rec.changes[res.RunID]); n != 2 || rec.run(res.RunID).Status != store.StatusInterrupted {
		t.Fatalf("recorded %d changes and %+v; want ada's 2, the run interrupted", n, rec.run(res.RunID))
	}
}

func mustList(t *testing.T, tgt target.Target) []target.User {
	t.Helper()
	users, err := tgt.ListUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return users
}

// refusedLookup is a source whose user lookups Okta refuses (no
// okta.users.read): LookupUsers returns a nil map and no error.
type refusedLookup struct{ *fakeSource }

func (refusedLookup) LookupUsers(context.Context, []string) (map[string]*User, error) {
	return nil, nil
}

func TestRefusedLookupDoesNotClaimUsersLeftOkta(t *testing.T) {
	o := newOrg().user("ada", StatusActive, "Eng")
	m := newMemEnv(t, o, nil, synced("bob", "Administrator"))
	m.eng.opts.Source = refusedLookup{m.src}
	p, err := m.eng.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, c := range p.Changes {
		if short(c.User) == "bob" {
			reasons = append(reasons, c.Reason)
		}
	}
	equalOrDiff(t, "bob's reasons", reasons, []string{"left Okta or every synced group"})
}
