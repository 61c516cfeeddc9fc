package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target/scim"
	"github.com/rolesync/rolesync/internal/target/scim/scimtest"
)

// The SCIM client is stopped and reports answered progress through these.
var (
	_ Stopper        = (*scim.Client)(nil)
	_ ResultNotifier = (*scim.Client)(nil)
)

// stopWatch is a SCIM client that says when the engine stopped its batch.
type stopWatch struct {
	*scim.Client
	once    sync.Once
	stopped chan struct{}
}

func (s *stopWatch) Stop() {
	s.Client.Stop()
	s.once.Do(func() { close(s.stopped) })
}

// scimRig is an engine syncing a fake org of new users in Ops to a scimtest
// provider with latency, recording in a real store.
type scimRig struct {
	srv *scimtest.Server
	tgt *stopWatch
	st  *store.Store
	org *org
}

func newSCIMRig(t *testing.T, users int, bulk bool, maxOps int, latency time.Duration) *scimRig {
	t.Helper()
	srv := scimtest.Start(t, scimtest.Options{MaxResults: 1000, Latency: latency, Bulk: bulk, MaxOperations: maxOps, MaxPayloadSize: 8 << 20})
	c, err := scim.New(scim.Options{BaseURL: srv.BaseURL(), Token: scimtest.Token, HTTPClient: srv.Client(),
		RoleMode: scim.RoleModeAttribute, Roles: []string{"Administrator", "Read Only", "Auditor"}, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "rolesync.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &scimRig{srv: srv, tgt: &stopWatch{Client: c, stopped: make(chan struct{})}, st: st, org: newOrg().members("new", users, "Ops")}
}

func (r *scimRig) engine(t *testing.T, prog func(Progress)) *Engine {
	t.Helper()
	cfg := Policy{Mappings: defaultMappings, Safety: defaultLimits}
	e, err := New(Options{Source: &fakeSource{org: r.org}, Target: r.tgt, Recorder: r.st, Policy: func() Policy { return cfg }, Progress: prog})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// recordedAndHeld returns the changes run runID recorded and those the
// provider holds ("login create" and "login grant role"), sorted.
func (r *scimRig) recordedAndHeld(t *testing.T, runID int64) (rec, held []string) {
	t.Helper()
	cs, err := r.st.Changes(context.Background(), runID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if !c.Held {
			rec = append(rec, strings.TrimSpace(strings.ToLower(c.User)+" "+c.Action+" "+c.Role))
		}
	}
	for _, u := range r.srv.Users() {
		login := strings.ToLower(fmt.Sprint(u.Attrs["userName"]))
		held = append(held, login+" "+store.ActionCreate)
		if strings.Contains(fmt.Sprint(u.Attrs["roles"]), "Read Only") {
			held = append(held, login+" "+store.ActionGrant+" Read Only")
		}
	}
	slices.Sort(rec)
	slices.Sort(held)
	return rec, held
}

// TestSCIMCancelStopsSending cancels a first sync of many users to a SCIM
// provider with latency, with Bulk (maxOperations 1,000, 10,000 users) and
// without: after the cancel the client starts no request, the provider
// gets none but those the client had started before (in flight), the run is interrupted, what it
// recorded is what the provider holds, and the next run makes the rest.
func TestSCIMCancelStopsSending(t *testing.T) {
	for _, tc := range []struct {
		name    string
		bulk    bool
		users   int
		cancelN int // the arriving write request that cancels
	}{
		{"bulk", true, 10000, 3},
		{"one request a call", false, 1000, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newSCIMRig(t, tc.users, tc.bulk, 1000, 20*time.Millisecond)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var mu sync.Mutex
			writes, started, arrived := 0, int64(-1), -1
			r.srv.SetArrival(func(req *http.Request) {
				if req.Method == http.MethodGet {
					return
				}
				mu.Lock()
				writes++
				n := writes
				mu.Unlock()
				if n != tc.cancelN {
					return
				}
				cancel()
				select {
				case <-r.tgt.stopped:
				case <-time.After(10 * time.Second):
					t.Error("the engine did not stop the batch after the cancel")
				}
				// A request that passed the stop check as Stop came is
				// counted within this settle.
				time.Sleep(5 * time.Millisecond)
				mu.Lock()
				started, arrived = r.tgt.Requests(), r.srv.Arrived()
				mu.Unlock()
			})
			runID := nextRunID(t, r.st)
			res, err := r.engine(t, nil).Run(ctx, RunOptions{Trigger: store.TriggerCLI})
			if !errors.Is(err, context.Canceled) || res.Status != store.StatusInterrupted {
				t.Fatalf("Run = %q, %v; want interrupted by the cancel", res.Status, err)
			}
			mu.Lock()
			if started < 0 {
				t.Fatalf("the cancel never came: %d writes", writes)
			}
			if r.tgt.Requests() != started {
				t.Errorf("the client started %d requests after the cancel", r.tgt.Requests()-started)
			}
			// The requests the provider got after the stop were in flight:
			// started by the client before it.
			if got := r.srv.Arrived(); int64(got) > started {
				t.Errorf("the provider got %d requests, the client had started %d at the stop", got, started)
			}
			inFlight := r.srv.Arrived() - arrived
			mu.Unlock()
			rec, held := r.recordedAndHeld(t, runID)
			if !slices.Equal(rec, held) {
				t.Fatalf("recorded %d changes, the provider holds %d; want the same", len(rec), len(held))
			}
			if len(held) == 0 || len(held) >= 2*tc.users {
				t.Fatalf("the provider holds %d of %d changes; want the cancel midway", len(held), 2*tc.users)
			}
			t.Logf("cancelled with %d of %d changes made, in %d write requests; %d arrived after the stop, in flight before it", len(held), 2*tc.users, writes, inFlight)
			run, err := r.st.Run(context.Background(), runID)
			if err != nil || run.Status != store.StatusInterrupted {
				t.Fatalf("stored run %+v, %v; want interrupted", run, err)
			}

			r.srv.SetArrival(nil)
			if res, err := r.engine(t, nil).Run(context.Background(), RunOptions{Trigger: store.TriggerCLI}); err != nil || res.Status != store.StatusSucceeded {
				t.Fatalf("the next run: %q, %v", res.Status, err)
			}
			if _, held := r.recordedAndHeld(t, runID); len(held) != 2*tc.users {
				t.Fatalf("after the next run the provider holds %d of %d changes", len(held), 2*tc.users)
			}
		})
	}
}

// TestSCIMBulkProgressCountsAnswers checks that the progress of an apply
// in Bulk requests never runs ahead of the operations the provider
// answered: each new user is one operation and two changes.
func TestSCIMBulkProgressCountsAnswers(t *testing.T) {
	r := newSCIMRig(t, 5000, true, 500, 20*time.Millisecond)
	var reports, ahead int
	last := 0
	prog := func(p Progress) {
		if p.Phase != PhaseApply {
			return
		}
		reports++
		if answered := 2 * r.srv.BulkOperations(); p.Done > answered {
			ahead++
			t.Errorf("progress %d of %d with %d changes answered", p.Done, p.Total, answered)
		}
		if p.Done < last {
			t.Errorf("progress went back from %d to %d", last, p.Done)
		}
		last = p.Done
	}
	res, err := r.engine(t, prog).Run(context.Background(), RunOptions{Trigger: store.TriggerCLI})
	if err != nil || res.Status != store.StatusSucceeded {
		t.Fatalf("Run = %q, %v", res.Status, err)
	}
	if last != 10000 || reports < 3 {
		t.Fatalf("progress ended at %d in %d reports; want 10000, in steps", last, reports)
	}
}
