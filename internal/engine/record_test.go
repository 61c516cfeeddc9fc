package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

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
		o.user(fmt.Sprintf("u%05d", i), StatusActive, "Eng")
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
		{"each user recorded before the next is applied", 10, 0, 10},
		{"a failed recording stops the apply; finish records what it made", 10, 3, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newMemEnv(t, bigOrg(tc.users), nil)
			rec := &batchRecorder{fakeRecorder: m.rec, failAt: tc.failAt, applied: func() int { return len(m.tgt.users) }}
			m.eng.opts.Recorder = rec
			res, err := m.eng.Run(context.Background(), RunOptions{})
			wantStatus, wantUsers := store.StatusSucceeded, tc.users
			if tc.failAt > 0 {
				wantStatus, wantUsers = store.StatusFailed, tc.failAt
			}
			if res.Status != wantStatus || (err == nil) != (tc.failAt == 0) {
				t.Fatalf("Run = %+v, %v; want %s", res, err, wantStatus)
			}
			if len(rec.sizes) != tc.wantCalls {
				t.Fatalf("AddChanges called with %v, want %d calls", rec.sizes, tc.wantCalls)
			}
			for i, size := range rec.sizes {
				if size != 2 || (i < tc.users && i < len(rec.appliedAt) && rec.appliedAt[i] != min(i+1, wantUsers)) {
					t.Fatalf("call %d recorded %d changes with %d users in the target; want each user's 2 changes before the next user",
						i, size, rec.appliedAt[i])
				}
			}
			if len(m.tgt.users) != wantUsers {
				t.Fatalf("the target holds %d users, want %d", len(m.tgt.users), wantUsers)
			}
			got := m.rec.changes[res.RunID]
			if len(got) != 2*wantUsers || len(res.Applied) != 2*wantUsers {
				t.Fatalf("recorded %d, applied %d changes; want %d", len(got), len(res.Applied), 2*wantUsers)
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
	if len(rec.sizes) != 1099 || slices.ContainsFunc(rec.sizes, func(n int) bool { return n != 2 }) {
		t.Fatalf("AddChanges calls %v, want one of 2 changes for each of the 1099 users made", rec.sizes)
	}
	if got := len(m.rec.changes[res.RunID]); got != 2*1099 || len(res.Applied) != 2*1099 || res.Created != 1099 {
		t.Fatalf("recorded %d, applied %d, created %d; want the 1099 users created before the failure", got, len(res.Applied), res.Created)
	}
}

func TestRecordingThatKeepsFailingStopsTheApply(t *testing.T) {
	m := newMemEnv(t, bigOrg(600), nil)
	m.eng.opts.Recorder = &failingRecorder{m.rec}
	res, err := m.eng.Run(context.Background(), RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "record the applied changes: disk full; applying stopped after 2 of 1200 changes") ||
		res.Status != store.StatusFailed {
		t.Fatalf("Run = %+v, %v; want a failed run naming the recording error", res, err)
	}
	if res.Created != 1 || len(m.tgt.users) != 1 {
		t.Fatalf("created %d (%d in the target); want the first user only: no change is made that cannot be recorded", res.Created, len(m.tgt.users))
	}
}

type failingRecorder struct{ *fakeRecorder }

func (failingRecorder) AddChanges(context.Context, int64, []store.Change) error {
	return errors.New("disk full")
}
