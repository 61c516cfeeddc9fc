package shell

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
	"github.com/rolesync/rolesync/internal/store"
)

// demoShell starts a simulated org, sets up the demo against it and builds
// the shell over it.
func demoShell(t testing.TB) (*Shell, *app.Runtime, *oktasim.Server) {
	t.Helper()
	ctx := context.Background()
	sim, err := oktasim.Start(ctx, oktasim.Options{Users: 150, Groups: 20, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	rt, err := app.Open(ctx, t.TempDir(), app.Env{Stderr: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	if res, err := app.SetUpDemo(ctx, rt, sim); err != nil || res.Status != store.StatusSucceeded {
		t.Fatalf("demo setup: %+v, %v", res, err)
	}
	s, _ := newTestShell(t, rt)
	return s, rt, sim
}

// waitFor polls cond, failing after a generous bound; it measures nothing.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSyncNowRunsAndUpdatesStatus(t *testing.T) {
	s, rt, sim := demoShell(t)
	s.Start()
	first := s.status()
	if first.LastRun == nil || first.LastRun.Trigger != store.TriggerDemo || first.UsersManaged == 0 || first.RolesManaged != 3 {
		t.Fatalf("status after the demo's first run: %+v", first)
	}
	waitFor(t, "the loop to schedule its next run", func() bool { return !s.status().NextRun.IsZero() })

	// An Okta admin suspends a member of a mapped group; Sync now picks it up.
	org := sim.Org()
	support, _ := org.GroupByName("Support")
	var leaver string
	for _, id := range org.Members(support.ID) {
		if u, _ := org.User(id); okta.KeepsRoles(u.Status) {
			leaver = id
			break
		}
	}
	if leaver == "" {
		t.Fatal("Support has no active member in the simulated org")
	}
	if err := org.Lifecycle(leaver, oktasim.LifecycleSuspend); err != nil {
		t.Fatal(err)
	}
	(*loopControl)(s).SyncNow()
	waitFor(t, "the run started by Sync now", func() bool {
		st := s.status()
		return st.LastRun != nil && st.LastRun.ID > first.LastRun.ID && !st.Syncing
	})
	st := s.status()
	if st.LastRun.Trigger != store.TriggerManual || st.LastRun.Status != store.StatusSucceeded || st.LastRun.Revoked == 0 {
		t.Errorf("the Sync now run: %+v", *st.LastRun)
	}
	if got := s.desk.Status(s.slug); got.LastRun == nil || got.LastRun.ID != st.LastRun.ID {
		t.Errorf("the window was not told about the new run: %+v", got.LastRun)
	}
	runs, err := rt.Store.Runs(context.Background(), 10, 0)
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs in the store: %d, %v", len(runs), err)
	}
}

func TestPauseStopsScheduledRuns(t *testing.T) {
	s, _, _ := demoShell(t)
	s.Start()
	lc := (*loopControl)(s)
	lc.Pause()
	st := s.status()
	if !st.Paused || !st.NextRun.IsZero() {
		t.Errorf("paused status: paused %v, next run %v", st.Paused, st.NextRun)
	}
	lc.Resume()
	// The loop schedules the next run from its own goroutine.
	waitFor(t, "a next run after Resume", func() bool {
		st := s.status()
		return !st.Paused && !st.NextRun.IsZero()
	})
}

func TestNotConfiguredOpensWizard(t *testing.T) {
	ctx := context.Background()
	rt, err := app.Open(ctx, t.TempDir(), app.Env{Stderr: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	s, a := newTestShell(t, rt)
	s.Start()
	if s.scheduler() != nil {
		t.Error("a sync loop started without a configuration")
	}
	found := false
	fyne.DoAndWait(func() { // after the wizard's own queued Show
		for _, w := range a.Driver().AllWindows() {
			if strings.Contains(w.Title(), "Set up rolesync") {
				found = true
			}
		}
	})
	if !found {
		t.Error("the setup wizard did not open")
	}
}

func TestRateFromTheApplysStart(t *testing.T) {
	var r rate
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	if got := r.at(0, t0); got != 0 {
		t.Fatalf("rate at the start = %v, want 0", got)
	}
	if got := r.at(40, t0.Add(500*time.Millisecond)); got != 0 {
		t.Fatalf("rate before a second = %v, want 0", got)
	}
	if got := r.at(300, t0.Add(2*time.Second)); got != 150 {
		t.Fatalf("rate after 2 s and 300 changes = %v, want 150", got)
	}
}
