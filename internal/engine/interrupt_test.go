package engine

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
	"github.com/rolesync/rolesync/internal/target/local"
)

// TestCancelMidApplyKeepsEveryAppliedChangeRecorded cancels large applies
// against the local directory and the real store midway, as Ctrl-C does. At
// every step of the apply the store already holds every change the
// directory holds, so a process killed there loses no record; after the
// cancel the run stops, is recorded as interrupted, and what it recorded is
// exactly what the directory holds.
func TestCancelMidApplyKeepsEveryAppliedChangeRecorded(t *testing.T) {
	tests := []struct {
		name     string
		before   int // synced users holding Read Only, to be granted Administrator one by one
		newUsers int // users to create, in bulk
		cancelAt int // applied changes after which the context is cancelled
	}{
		{"users created in bulk", 0, 1300, 1500},
		{"roles granted user by user", 400, 0, 150},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
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
			o := newOrg().members("new", tc.newUsers, "Eng")
			for _, u := range many("old", tc.before, "Read Only") {
				if _, err := d.AddUser(ctx, u); err != nil {
					t.Fatal(err)
				}
			}
			o.members("old", tc.before, "Eng").members("old", tc.before, "Ops")
			cfg := Policy{Mappings: defaultMappings, Safety: defaultLimits}
			now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
			runCtx, cancel := context.WithCancel(ctx)
			defer cancel()
			var runID int64
			steps := 0
			progress := func(p Progress) {
				if p.Phase != PhaseApply || p.Done == 0 {
					return
				}
				steps++
				rec, made := recordedAndMade(t, st, d, runID)
				if !slices.Equal(rec, made) {
					t.Fatalf("after %d changes applied, the store records %d and the directory holds %d; want the same",
						p.Done, len(rec), len(made))
				}
				if p.Done >= tc.cancelAt {
					cancel()
				}
			}
			eng, err := New(Options{Source: &fakeSource{org: o}, Target: d, Recorder: st, Policy: func() Policy { return cfg },
				Now: func() time.Time { now = now.Add(time.Millisecond); return now }, Progress: progress})
			if err != nil {
				t.Fatal(err)
			}
			runID = nextRunID(t, st)
			res, err := eng.Run(runCtx, RunOptions{Trigger: store.TriggerCLI})
			if !errors.Is(err, context.Canceled) || res.Status != store.StatusInterrupted {
				t.Fatalf("Run = %q, %v; want interrupted by the cancel", res.Status, err)
			}
			if res.RunID != runID || steps < 2 {
				t.Fatalf("run %d (want %d) in %d apply steps", res.RunID, runID, steps)
			}
			rec, made := recordedAndMade(t, st, d, runID)
			total := 2*tc.newUsers + tc.before
			if !slices.Equal(rec, made) || len(made) < tc.cancelAt || len(made) >= total {
				t.Fatalf("recorded %d changes, the directory holds %d of the %d planned; want the same, stopped midway",
					len(rec), len(made), total)
			}
			if len(res.Applied) != len(made) {
				t.Errorf("the result counts %d applied changes, the directory holds %d", len(res.Applied), len(made))
			}
			run, err := st.Run(ctx, runID)
			if err != nil || run.Status != store.StatusInterrupted || run.FinishedAt.IsZero() || run.Error == "" {
				t.Fatalf("stored run %+v, %v; want interrupted, with its end and reason", run, err)
			}
			if v, err := st.VerifyChain(ctx); err != nil || !v.OK {
				t.Fatalf("audit chain: %+v, %v", v, err)
			}
		})
	}
}

// nextRunID is the id the store gives the next run.
func nextRunID(t *testing.T, st *store.Store) int64 {
	t.Helper()
	last, ok, err := st.LastRun(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return 1
	}
	return last.ID + 1
}

// recordedAndMade returns the changes run runID recorded and those the
// directory holds that the run made (users created, Administrator granted),
// each as "login action role", sorted.
func recordedAndMade(t *testing.T, st *store.Store, d *local.Directory, runID int64) (rec, made []string) {
	t.Helper()
	ctx := context.Background()
	cs, err := st.Changes(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if !c.Held {
			rec = append(rec, c.User+" "+c.Action+" "+c.Role)
		}
	}
	users, err := d.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		made = append(made, madeBy(u)...)
	}
	slices.Sort(rec)
	slices.Sort(made)
	return rec, made
}

// madeBy is what the runs of TestCancelMidApplyKeepsEveryAppliedChangeRecorded
// made to u.
func madeBy(u target.User) []string {
	var out []string
	if u.ExternalID != "" && short(u.Login)[:3] == "new" {
		out = append(out, u.Login+" "+store.ActionCreate+" ")
	}
	if slices.Contains(u.Roles, "Administrator") {
		out = append(out, u.Login+" "+store.ActionGrant+" Administrator")
	}
	return out
}
