package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/store"
)

// batchRecorder counts AddChanges calls and can fail one of them.
type batchRecorder struct {
	*fakeRecorder
	mu      sync.Mutex
	sizes   []int
	failAt  int // 1-based AddChanges call that fails; 0 for none
	applied func() int
	// appliedAt is how many users the target held at each call.
	appliedAt []int
}

func (r *batchRecorder) AddChanges(ctx context.Context, runID int64, cs []store.Change) error {
	r.mu.Lock()
	r.sizes = append(r.sizes, len(cs))
	n := len(r.sizes)
	if r.applied != nil {
		r.appliedAt = append(r.appliedAt, r.applied())
	}
	r.mu.Unlock()
	if n == r.failAt {
		return errors.New("disk full")
	}
	return r.fakeRecorder.AddChanges(ctx, runID, cs)
}

// bigOrg has n active users in Eng, each granted one role: 2n changes on a
// first run.
func bigOrg(n int) *org {
	o := newOrg()
	for i := range n {
		o.user(fmt.Sprintf("u%05d", i), okta.StatusActive, "Eng")
	}
	return o
}

func TestAppliedChangesRecordedWhileApplying(t *testing.T) {
	tests := []struct {
		name      string
		users     int
		failAt    int
		wantCalls int
	}{
		{"small run in one batch", 10, 0, 1},
		{"large run in batches", 1600, 0, 4},
		{"failed batch recorded with the rest at the end", 1600, 2, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newMemEnv(t, bigOrg(tc.users), nil)
			rec := &batchRecorder{fakeRecorder: m.rec, failAt: tc.failAt, applied: func() int { return len(m.tgt.users) }}
			m.eng.opts.Recorder = rec
			res, err := m.eng.Run(context.Background(), RunOptions{})
			if err != nil || res.Status != store.StatusSucceeded {
				t.Fatalf("Run = %+v, %v", res, err)
			}
			if len(rec.sizes) != tc.wantCalls {
				t.Fatalf("AddChanges called with %v, want %d calls", rec.sizes, tc.wantCalls)
			}
			for i, size := range rec.sizes[:len(rec.sizes)-1] {
				if size < recordEvery {
					t.Errorf("batch %d recorded %d changes, want at least %d", i, size, recordEvery)
				}
				if rec.appliedAt[i] == tc.users {
					t.Errorf("batch %d was recorded after every user was created, want while applying", i)
				}
			}
			got := m.rec.changes[res.RunID]
			if len(got) != 2*tc.users || len(res.Applied) != 2*tc.users {
				t.Fatalf("recorded %d, applied %d changes; want %d", len(got), len(res.Applied), 2*tc.users)
			}
			for i, c := range res.Applied {
				if r := got[i]; r.User != c.User || r.Action != c.Action || r.Role != c.Role {
					t.Fatalf("record %d is %s %s %s, want %s %s %s (in the order applied)", i, r.User, r.Action, r.Role, c.User, c.Action, c.Role)
				}
			}
		})
	}
}

func TestApplyErrorKeepsRecordedPrefix(t *testing.T) {
	m := newMemEnv(t, bigOrg(1200), nil)
	rec := &batchRecorder{fakeRecorder: m.rec}
	m.eng.opts.Recorder = rec
	m.tgt.failAt = 1100
	res, err := m.eng.Run(context.Background(), RunOptions{})
	if err == nil || res.Status != store.StatusFailed {
		t.Fatalf("Run = %+v, %v; want a failed run", res, err)
	}
	if want := []int{1000, 1000, 198}; !slices.Equal(rec.sizes, want) {
		t.Fatalf("AddChanges calls %v, want %v: batches while applying and the rest at the end", rec.sizes, want)
	}
	if got := len(m.rec.changes[res.RunID]); got != 2*1099 || len(res.Applied) != 2*1099 || res.Created != 1099 {
		t.Fatalf("recorded %d, applied %d, created %d; want the 1099 users created before the failure", got, len(res.Applied), res.Created)
	}
}

func TestRecordingThatKeepsFailingFailsTheRun(t *testing.T) {
	m := newMemEnv(t, bigOrg(600), nil)
	m.eng.opts.Recorder = &failingRecorder{m.rec}
	res, err := m.eng.Run(context.Background(), RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "record changes of run 1: disk full") || res.Status != store.StatusFailed {
		t.Fatalf("Run = %+v, %v; want a failed run naming the recording error", res, err)
	}
	if res.Created != 600 || len(m.tgt.users) != 600 {
		t.Fatalf("created %d (%d in the target); want every user: applying goes on when a batch cannot be recorded", res.Created, len(m.tgt.users))
	}
}

type failingRecorder struct{ *fakeRecorder }

func (failingRecorder) AddChanges(context.Context, int64, []store.Change) error {
	return errors.New("disk full")
}
