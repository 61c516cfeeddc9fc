package engine

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// memRecorder is a recorder that keeps the mapped groups' ids and member
// counts; the ids go into the env's configuration, as the store's mappings
// do for the runtime's live configuration.
type memRecorder struct {
	*fakeRecorder
	e       *env
	mu      sync.Mutex
	members map[string]int
}

func (r *memRecorder) SetMappingGroupIDs(_ context.Context, ids map[string]string, replace bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	ms := slices.Clone(r.e.cfg.Mappings)
	for i, m := range ms {
		if id, ok := ids[m.Group]; ok && (replace || m.GroupID == "") {
			ms[i].GroupID = id
		}
	}
	r.e.cfg.Mappings = ms
	return nil
}

func (r *memRecorder) GroupMembers(context.Context) (map[string]int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.members), nil
}

func (r *memRecorder) SetGroupMembers(_ context.Context, m map[string]int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.members = maps.Clone(m)
	return nil
}

// withMemory rebuilds e's engine on a recorder that remembers groups.
func withMemory(t *testing.T, e *env, members map[string]int) *memRecorder {
	t.Helper()
	r := &memRecorder{fakeRecorder: e.rec, e: e, members: members}
	var err error
	e.eng, err = New(Options{Source: e.src, Target: e.dir, Recorder: r, Policy: func() Policy { return e.cfg },
		Now: func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func groupIDs(cfg Policy) map[string]string {
	out := map[string]string{}
	for _, m := range cfg.Mappings {
		out[m.Group] = m.GroupID
	}
	return out
}

// A run records the id each mapped group first resolved to, and the member
// counts; a dry run records nothing.
func TestGroupIDsRecordedWhenFirstResolved(t *testing.T) {
	o := newOrg().user("ann", StatusActive, "Eng").user("bob", StatusActive, "Ops")
	e := newEnv(t, Policy{}, o, nil, false)
	e.cfg.Mappings = slices.Clone(defaultMappings)
	r := withMemory(t, e, nil)
	if _, err := e.eng.Run(context.Background(), RunOptions{DryRun: true}); err != nil {
		t.Fatal(err)
	}
	if got := groupIDs(e.cfg); got["Eng"] != "" || len(r.members) != 0 {
		t.Fatalf("a dry run recorded ids %v and members %v", got, r.members)
	}
	if _, err := e.eng.Run(context.Background(), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Eng": "00gEng", "Ops": "00gOps", "Audit": "00gAudit"}
	if got := groupIDs(e.cfg); !maps.Equal(got, want) {
		t.Fatalf("group ids after a run: %v, want %v", got, want)
	}
	if want := map[string]int{"Eng": 1, "Ops": 1, "Audit": 0}; !maps.Equal(r.members, want) {
		t.Fatalf("members after a run: %v, want %v", r.members, want)
	}
}

// When a mapped name resolves to another group than the one recorded, the
// revocations of its roles are held with a reason that says so; approving
// them accepts the new group.
func TestGroupIDChangeHoldsRevocations(t *testing.T) {
	ctx := context.Background()
	o := newOrg().user("bob", StatusActive, "Eng").user("ann", StatusActive, "Ops").user("cat", StatusActive, "Ops")
	e := newEnv(t, Policy{}, o, []target.User{synced("ann", "Administrator"), synced("bob", "Administrator"), synced("cat", "Read Only")}, false)
	e.cfg.Mappings = slices.Clone(defaultMappings)
	e.cfg.Mappings[0].GroupID = "00gEngOld"
	withMemory(t, e, map[string]int{"Eng": 2, "Ops": 1})
	res, err := e.eng.Run(ctx, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != store.StatusHeld {
		t.Fatalf("status %q (applied %q), want held", res.Status, describe(res.Applied))
	}
	equalOrDiff(t, "applied", describe(res.Applied), []string{"ann grant Read Only: member of Ops"})
	held := describe(res.Plan.Held)
	if len(held) != 1 || !strings.HasPrefix(held[0], "ann revoke Administrator: removed from Eng") ||
		!strings.Contains(held[0], `Okta group "Eng" is now 00gEng, was 00gEngOld`) {
		t.Fatalf("held %q; want ann's Administrator held, saying the group changed", held)
	}
	reasons := strings.Join(res.Plan.HoldReasons, "\n")
	for _, want := range []string{`"Eng"`, "00gEng,", "00gEngOld"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("hold reasons %q do not name %s", reasons, want)
		}
	}
	if got := groupIDs(e.cfg)["Eng"]; got != "00gEngOld" {
		t.Fatalf("the run replaced the recorded id with %q before approval", got)
	}
	if st := e.state(); st["ann@example.com"] != "on:Administrator,Read Only" {
		t.Fatalf("ann is %q before approval", st["ann@example.com"])
	}
	if _, err := e.eng.Approve(ctx, res.RunID); err != nil {
		t.Fatal(err)
	}
	if st := e.state(); st["ann@example.com"] != "on:Read Only" {
		t.Fatalf("ann is %q after approval", st["ann@example.com"])
	}
	if got := groupIDs(e.cfg)["Eng"]; got != "00gEng" {
		t.Fatalf("after approval the recorded id is %q, want the new group's", got)
	}
	again, err := e.eng.Run(ctx, RunOptions{})
	if err != nil || again.Status != store.StatusSucceeded {
		t.Fatalf("the run after approval: %+v, %v", again, err)
	}
}

// A mapped group that had members and now reads empty holds the
// revocations of its roles, even when the other mapped groups read members.
func TestOneGroupReadEmptyHoldsItsRevocations(t *testing.T) {
	ctx := context.Background()
	o := newOrg().user("ann", StatusActive, "Eng")
	e := newEnv(t, Policy{}, o, []target.User{synced("ann", "Administrator"), synced("bob", "Read Only"), synced("cat", "Read Only")}, false)
	e.cfg.Mappings = slices.Clone(defaultMappings)
	r := withMemory(t, e, map[string]int{"Eng": 1, "Ops": 2, "Audit": 0})
	res, err := e.eng.Run(ctx, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != store.StatusHeld {
		t.Fatalf("status %q (applied %q), want held", res.Status, describe(res.Applied))
	}
	held := describe(res.Plan.Held)
	if len(held) != 2 || !strings.HasPrefix(held[0], "bob revoke_all") || !strings.HasPrefix(held[1], "cat revoke_all") ||
		!strings.Contains(held[0], `mapped Okta group "Ops" read empty`) {
		t.Fatalf("held %q; want bob's and cat's revocations, saying Ops read empty", held)
	}
	if !slices.ContainsFunc(res.Plan.HoldReasons, func(s string) bool { return strings.Contains(s, `"Ops"`) && strings.Contains(s, "empty") }) {
		t.Errorf("hold reasons %q do not name Ops", res.Plan.HoldReasons)
	}
	if r.members["Ops"] != 2 {
		t.Fatalf("the run recorded Ops with %d members before approval; want 2 kept", r.members["Ops"])
	}
	if _, err := e.eng.Approve(ctx, res.RunID); err != nil {
		t.Fatal(err)
	}
	if st := e.state(); st["bob@example.com"] != "off:" || st["cat@example.com"] != "off:" {
		t.Fatalf("after approval: %v", st)
	}
	if r.members["Ops"] != 0 {
		t.Fatalf("after approval Ops is recorded with %d members, want 0", r.members["Ops"])
	}
}

// With the real store as the runtime uses it (the configuration reread
// from the store for each run), a group re-created under its name is
// noticed by a later process.
func TestGroupRecreatedNoticedWithStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "rolesync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pol := Policy{Mappings: slices.Clone(defaultMappings), Safety: defaultLimits}
	if err := st.SetMappings(ctx, storeMappings(pol.Mappings)); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, Policy{}, newOrg().user("boss", StatusActive, "Eng").user("ann", StatusActive, "Eng"), nil, false)
	newEngine := func() *Engine {
		eng, err := New(Options{Source: e.src, Target: e.dir, Recorder: st, Policy: func() Policy {
			c, err := withStoredMappings(ctx, st, pol)
			if err != nil {
				t.Error(err)
			}
			return c
		}})
		if err != nil {
			t.Fatal(err)
		}
		return eng
	}
	if res, err := newEngine().Run(ctx, RunOptions{}); err != nil || res.Created != 2 {
		t.Fatalf("first run %+v, %v", res, err)
	}
	if ms, _ := st.Mappings(ctx); ms[0].GroupID != "00gEng" {
		t.Fatalf("mappings after the first run: %+v", ms)
	}
	// Eng is deleted and re-created with only boss in it.
	o := e.src.org
	o.groups["Eng"].ID = "00gEngNew"
	o.groups["Eng"].MemberIDs = []string{"boss"}
	res, err := newEngine().Run(ctx, RunOptions{})
	if err != nil || res.Status != store.StatusHeld || len(res.Plan.Held) != 1 || res.Plan.Held[0].OktaID != "ann" {
		t.Fatalf("run after Eng was re-created: %+v (held %q), %v; want ann's revocation held", res, describe(res.Plan.Held), err)
	}
	if ms, _ := st.Mappings(ctx); ms[0].GroupID != "00gEng" {
		t.Fatalf("the held run replaced the recorded id: %+v", ms)
	}
}

// storeMappings are ms as the store keeps them.
func storeMappings(ms []Mapping) []store.Mapping {
	out := make([]store.Mapping, len(ms))
	for i, m := range ms {
		out[i] = store.Mapping{Group: m.Group, Roles: m.Roles, GroupID: m.GroupID}
	}
	return out
}

// withStoredMappings is pol with the mappings the store holds, group ids
// included, as the runtime rereads them for each run.
func withStoredMappings(ctx context.Context, st *store.Store, pol Policy) (Policy, error) {
	ms, err := st.Mappings(ctx)
	if err != nil {
		return Policy{}, err
	}
	pol.Mappings = nil
	for _, m := range ms {
		pol.Mappings = append(pol.Mappings, Mapping{Group: m.Group, Roles: m.Roles, GroupID: m.GroupID})
	}
	return pol, nil
}
