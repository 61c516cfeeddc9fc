package engine

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target/local"
)

// TestWithStore runs a sync, a held run and its approval against the real
// store and local directory, and checks what history keeps.
func TestWithStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "rolesync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d, err := local.Open(ctx, filepath.Join(dir, "directory.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, r := range []string{"Administrator", "Read Only", "Auditor"} {
		if err := d.AddRole(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	o := newOrg().members("m", 14, "Ops").user("boss", StatusActive, "Eng")
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	cfg := Policy{Mappings: defaultMappings, Safety: Safety{AdminRoles: []string{"Administrator"},
		MaxRevocations: defaultLimits.MaxRevocations, MaxRevocationPercent: defaultLimits.MaxRevocationPercent}}
	eng, err := New(Options{Source: &fakeSource{org: o}, Target: d, Recorder: st, Policy: func() Policy { return cfg },
		Now: func() time.Time { now = now.Add(time.Second); return now }, LockPath: filepath.Join(dir, "sync.lock"), Holder: "cli"})
	if err != nil {
		t.Fatal(err)
	}

	first, err := eng.Run(ctx, RunOptions{Trigger: store.TriggerCLI})
	if err != nil || first.Created != 15 || first.Granted != 15 {
		t.Fatalf("first run %+v, %v", first, err)
	}
	// 12 members leave Ops: over the threshold of 10, so held.
	o.groups["Ops"].MemberIDs = o.groups["Ops"].MemberIDs[:2]
	held, err := eng.Run(ctx, RunOptions{Trigger: store.TriggerSchedule})
	if err != nil || held.Status != store.StatusHeld || held.Held != 12 {
		t.Fatalf("second run %+v, %v", held, err)
	}
	run, err := st.Run(ctx, held.RunID)
	if err != nil || run.Status != store.StatusHeld || run.Held != 12 || run.Trigger != store.TriggerSchedule {
		t.Fatalf("stored run %+v, %v", run, err)
	}
	holds, err := st.PendingHolds(ctx)
	if err != nil || len(holds) != 1 || len(holds[0].Changes) != 12 {
		t.Fatalf("pending holds %+v, %v", holds, err)
	}
	approved, err := eng.Approve(ctx, held.RunID)
	if err != nil || approved.Revoked != 12 {
		t.Fatalf("approve %+v, %v", approved, err)
	}
	changes, err := st.Changes(ctx, approved.RunID)
	if err != nil || len(changes) != 12 {
		t.Fatalf("approval changes %d, %v", len(changes), err)
	}
	if c := changes[0]; c.Action != store.ActionRevokeAll || c.Reason != "left Okta or every synced group (approved hold of run 2)" || c.Hash == "" {
		t.Fatalf("approval change %+v", c)
	}
	if holds, _ := st.PendingHolds(ctx); len(holds) != 0 {
		t.Fatalf("hold still pending after approval: %+v", holds)
	}
	users, _ := d.ListUsers(ctx)
	active := 0
	for _, u := range users {
		if u.Active {
			active++
		}
	}
	if active != 3 {
		t.Fatalf("%d active users after approval, want 3 (boss, m00, m01)", active)
	}
	// The hash chain over every recorded change verifies.
	if v, err := st.VerifyChain(ctx); err != nil || !v.OK {
		t.Fatalf("audit chain: %+v, %v", v, err)
	}
}
