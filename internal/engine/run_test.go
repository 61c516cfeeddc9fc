package engine

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

type memEnv struct {
	tgt *memTarget
	src *fakeSource
	rec *fakeRecorder
	eng *Engine
	cfg Policy
	now time.Time
}

// defaultLimits are the deletion threshold's defaults, which the
// configuration gives a file that leaves them out.
var defaultLimits = Safety{MaxRevocations: 10, MaxRevocationPercent: 20}

// feedUsersSearch is the feed a delta read through the users search reports.
const feedUsersSearch = "users_search"

func newMemEnv(t testing.TB, o *org, src Source, before ...target.User) *memEnv {
	t.Helper()
	m := &memEnv{tgt: newMemTarget("Administrator", "Read Only", "Auditor"), src: &fakeSource{org: o}, rec: newRecorder(),
		cfg: Policy{Mappings: defaultMappings, Safety: defaultLimits}, now: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	for _, u := range before {
		c, err := m.tgt.CreateUser(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		if !u.Active {
			_ = m.tgt.RevokeAll(context.Background(), c.ID)
		}
	}
	if src == nil {
		src = m.src
	}
	var err error
	m.eng, err = New(Options{Source: src, Target: m.tgt, Recorder: m.rec,
		Policy: func() Policy { return m.cfg }, Now: func() time.Time { return m.now }})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestNewRequiresParts(t *testing.T) {
	cfg := func() Policy { return Policy{} }
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no source", Options{Target: newMemTarget(), Recorder: newRecorder(), Policy: cfg}, "no Okta source"},
		{"no target", Options{Source: &fakeSource{}, Recorder: newRecorder(), Policy: cfg}, "no target"},
		{"no recorder", Options{Source: &fakeSource{}, Target: newMemTarget(), Policy: cfg}, "no recorder"},
		{"no config", Options{Source: &fakeSource{}, Target: newMemTarget(), Recorder: newRecorder()}, "no configuration"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestApplyErrorMidway(t *testing.T) {
	o := newOrg().user("ann", StatusActive, "Eng").user("bob", StatusActive, "Eng").user("cat", StatusActive, "Eng")
	m := newMemEnv(t, o, nil)
	m.tgt.failAt = 2
	res, err := m.eng.Run(context.Background(), RunOptions{})
	if err == nil || res.Status != store.StatusFailed {
		t.Fatalf("Run = %+v, %v; want a failed run", res, err)
	}
	want := "apply changes to user bob@example.com (2 of 6 changes were applied before it): create: portal unavailable"
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("err %q, want %q", err, want)
	}
	if got := describe(res.Applied); len(got) != 2 || res.Created != 1 || res.Granted != 1 {
		t.Fatalf("applied %q, created %d granted %d; want ann's create and grant", got, res.Created, res.Granted)
	}
	run := m.rec.run(res.RunID)
	if run.Status != store.StatusFailed || run.Created != 1 || run.Error != err.Error() {
		t.Fatalf("recorded %+v", run)
	}
	if n := len(m.rec.changes[res.RunID]); n != 2 {
		t.Fatalf("recorded %d changes, want the 2 applied", n)
	}
	// The next run picks up where this one stopped.
	res, err = m.eng.Run(context.Background(), RunOptions{})
	if err != nil || res.Created != 2 {
		t.Fatalf("second run %+v, %v; want bob and cat created", res, err)
	}
}

func TestDryRunAndPlanChangeNothing(t *testing.T) {
	o := newOrg().user("ann", StatusActive, "Eng")
	m := newMemEnv(t, o, nil, hand("root@corp", "Administrator"), hand("ops@corp", "Read Only"))
	m.cfg.Safety.AdminRoles = []string{"Administrator"}
	before, _ := m.tgt.ListUsers(context.Background())

	p, err := m.eng.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !p.FirstRun {
		t.Fatal("Plan.FirstRun false on a target the sync never touched")
	}
	got := describe(p.Changes)
	want := []string{"root@corp revoke_all: in no synced group", "ops@corp revoke_all: in no synced group",
		"ann create: member of Eng", "ann grant Administrator: member of Eng"}
	equalOrDiff(t, "plan (admins losing access first)", got, want)
	if !p.Changes[0].Admin || p.Changes[1].Admin {
		t.Errorf("admin flags %v %v, want only root's revocation marked", p.Changes[0].Admin, p.Changes[1].Admin)
	}
	if len(m.rec.runs) != 0 {
		t.Fatalf("Plan recorded runs: %+v", m.rec.runs)
	}

	res, err := m.eng.Run(context.Background(), RunOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 1 || res.Granted != 1 || res.Revoked != 2 || len(res.Applied) != 0 {
		t.Fatalf("dry run %+v", res)
	}
	if run := m.rec.run(res.RunID); !run.DryRun || run.Revoked != 2 || len(m.rec.changes[res.RunID]) != 0 {
		t.Fatalf("dry run recorded %+v with %d changes", run, len(m.rec.changes[res.RunID]))
	}
	after, _ := m.tgt.ListUsers(context.Background())
	if !mapsEqual(state(before), state(after)) {
		t.Fatalf("dry run changed the target: %v → %v", state(before), state(after))
	}
}

func TestCancelledRunRecordsInterruption(t *testing.T) {
	o := newOrg().user("ann", StatusActive, "Eng")
	m := newMemEnv(t, o, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := m.eng.Run(ctx, RunOptions{})
	if !errors.Is(err, context.Canceled) || res.Status != store.StatusInterrupted || len(res.Applied) != 0 {
		t.Fatalf("Run(cancelled) = %+v, %v", res, err)
	}
	if m.rec.run(res.RunID).Status != store.StatusInterrupted {
		t.Fatal("cancelled run not recorded as interrupted")
	}
}

func TestProgress(t *testing.T) {
	o := newOrg().user("ann", StatusActive, "Eng").user("bob", StatusActive, "Ops")
	m := newMemEnv(t, o, nil)
	var got []Progress
	if _, err := m.eng.Run(context.Background(), RunOptions{Progress: func(p Progress) { got = append(got, p) }}); err != nil {
		t.Fatal(err)
	}
	want := []Progress{{PhaseRead, 0, 3}, {PhaseRead, 3, 3}, {PhaseApply, 0, 4}, {PhaseApply, 2, 4}, {PhaseApply, 4, 4}}
	if len(got) != len(want) {
		t.Fatalf("progress %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("progress %v, want %v", got, want)
		}
	}
}

// deltaSource counts full and delta reads.
type deltaSource struct {
	*fakeSource
	full, delta int
	prev        *Snapshot
}

func (d *deltaSource) Snapshot(ctx context.Context, refs []string) (*Snapshot, error) {
	d.full++
	return d.fakeSource.Snapshot(ctx, refs)
}

func (d *deltaSource) SnapshotDelta(ctx context.Context, refs []string, prev *Snapshot) (*Snapshot, error) {
	d.delta++
	d.prev = prev
	s, err := d.fakeSource.Snapshot(ctx, refs)
	if s != nil {
		s.Feed = feedUsersSearch
	}
	return s, err
}

// TestRunRecordsTheOktaFeed: a run's result and its record name the feed
// its read used.
func TestRunRecordsTheOktaFeed(t *testing.T) {
	o := newOrg().user("ann", StatusActive, "Eng")
	ds := &deltaSource{fakeSource: &fakeSource{org: o}}
	m := newMemEnv(t, o, ds)
	if _, err := m.eng.Run(context.Background(), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	m.now = m.now.Add(time.Hour)
	res, err := m.eng.Run(context.Background(), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Feed != feedUsersSearch || res.Plan.Feed != feedUsersSearch {
		t.Fatalf("result feed %q, plan feed %q, want %q", res.Feed, res.Plan.Feed, feedUsersSearch)
	}
	if got := m.rec.runs[res.RunID-1].Feed; got != feedUsersSearch {
		t.Fatalf("recorded run's feed %q, want %q", got, feedUsersSearch)
	}
}

func TestDeltaReads(t *testing.T) {
	o := newOrg().user("ann", StatusActive, "Eng")
	ds := &deltaSource{fakeSource: &fakeSource{org: o}}
	m := newMemEnv(t, o, ds)
	run := func(full bool) {
		t.Helper()
		if _, err := m.eng.Run(context.Background(), RunOptions{Full: full}); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name          string
		advance       time.Duration
		full          bool
		fails         bool
		wantFull, wDt int
	}{
		{"first run reads in full", 0, false, false, 1, 0},
		{"next run reads the delta", time.Hour, false, false, 1, 1},
		{"asked for a full read", time.Hour, true, false, 2, 1},
		{"a failed read keeps the base", time.Hour, false, true, 2, 2},
		{"delta again", time.Hour, false, false, 2, 3},
		{"a day after the last full read", 23 * time.Hour, false, false, 3, 3},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			m.now = m.now.Add(s.advance)
			if s.fails {
				ds.set(nil, errors.New("timeout"))
				if _, err := m.eng.Run(context.Background(), RunOptions{}); err == nil {
					t.Fatal("run with a failed read succeeded")
				}
				ds.set(nil, nil)
			} else {
				run(s.full)
			}
			if ds.full != s.wantFull || ds.delta != s.wDt {
				t.Fatalf("full %d delta %d, want %d %d", ds.full, ds.delta, s.wantFull, s.wDt)
			}
			if ds.delta > 0 && ds.prev == nil {
				t.Fatal("delta read without a previous snapshot")
			}
		})
	}
}

// TestRunsNeverOverlap runs in a synctest bubble: should the first run
// never reach Okta, the bubble deadlocks and the test fails at once.
func TestRunsNeverOverlap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		block := make(chan struct{})
		entered := make(chan struct{})
		o := newOrg().user("ann", StatusActive, "Eng")
		slow := &blockingSource{fakeSource: &fakeSource{org: o}, entered: entered, block: block}
		m := newMemEnv(t, o, slow)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := m.eng.Run(context.Background(), RunOptions{}); err != nil {
				t.Error(err)
			}
		}()
		<-entered
		_, err := m.eng.Run(context.Background(), RunOptions{})
		if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "already running") {
			t.Fatalf("overlapping Run = %v, want ErrBusy", err)
		}
		if _, err := m.eng.Approve(context.Background(), 1); !errors.Is(err, ErrBusy) {
			t.Fatalf("Approve during a run = %v, want ErrBusy", err)
		}
		close(block)
		wg.Wait()
		if len(m.rec.runs) != 1 {
			t.Fatalf("recorded %d runs, want 1 (the refused run records nothing)", len(m.rec.runs))
		}
	})
}

type blockingSource struct {
	*fakeSource
	entered chan struct{}
	block   chan struct{}
}

func (b *blockingSource) Snapshot(ctx context.Context, refs []string) (*Snapshot, error) {
	close(b.entered)
	<-b.block
	return b.fakeSource.Snapshot(ctx, refs)
}

func TestCrossProcessLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sync.lock")
	daemon, err := AcquireLock(path, "daemon")
	if err != nil {
		t.Fatal(err)
	}
	_, err = AcquireLock(path, "gui")
	var le *LockedError
	if !errors.As(err, &le) || le.Holder != "daemon" || le.PID <= 0 || le.Since.IsZero() || !errors.Is(err, ErrBusy) {
		t.Fatalf("second AcquireLock = %v (%+v), want a LockedError naming the daemon", err, le)
	}
	if !strings.Contains(err.Error(), "held by daemon (pid ") {
		t.Fatalf("message %q does not name the holder", err)
	}

	o := newOrg().user("ann", StatusActive, "Eng")
	m := newMemEnv(t, o, nil)
	m.eng.opts.LockPath, m.eng.opts.Holder = path, "gui"
	if _, err := m.eng.Run(context.Background(), RunOptions{}); !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "daemon") {
		t.Fatalf("Run while the daemon holds the lock = %v", err)
	}
	if users, _ := m.tgt.ListUsers(context.Background()); len(users) != 0 {
		t.Fatal("a refused run changed the target")
	}
	if err := daemon.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := m.eng.Run(context.Background(), RunOptions{}); err != nil {
		t.Fatalf("Run after the daemon released the lock: %v", err)
	}
	// The engine released its lock after the run.
	l, err := AcquireLock(path, "cli")
	if err != nil {
		t.Fatalf("lock not released after a run: %v", err)
	}
	l.Release()
}
