package ui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/logbuffer"
	"github.com/rolesync/rolesync/internal/store"
)

func init() {
	// Background reads run in line, so tests see their results at once.
	spawn = func(fn func()) { fn() }
}

// demoNow is the clock of every test.
var demoNow = time.Date(2026, 11, 28, 14, 30, 0, 0, time.UTC)

// fakeHistory is an in-memory History with the store's filter semantics.
type fakeHistory struct {
	mu      sync.Mutex
	runs    []store.Run // oldest first
	changes []store.Change
	holds   []store.Hold
	queries []store.ChangeFilter
	err     error
}

func (h *fakeHistory) Runs(_ context.Context, limit int, beforeID int64) ([]store.Run, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil {
		return nil, h.err
	}
	var out []store.Run
	for i := len(h.runs) - 1; i >= 0 && len(out) < limit; i-- {
		if beforeID == 0 || h.runs[i].ID < beforeID {
			out = append(out, h.runs[i])
		}
	}
	return out, nil
}

func (h *fakeHistory) QueryChanges(_ context.Context, f store.ChangeFilter) ([]store.Change, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.queries = append(h.queries, f)
	if h.err != nil {
		return nil, h.err
	}
	var out []store.Change
	for _, c := range h.changes {
		if (f.RunID != 0 && c.RunID != f.RunID) || (f.User != "" && c.User != f.User) ||
			(f.Group != "" && c.Group != f.Group) || (f.Role != "" && c.Role != f.Role) ||
			(f.Action != "" && c.Action != f.Action) || c.ID <= f.AfterID {
			continue
		}
		out = append(out, c)
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
	}
	return out, nil
}

func (h *fakeHistory) PendingHolds(context.Context) ([]store.Hold, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []store.Hold
	for _, hd := range h.holds {
		if hd.Status == store.HoldPending {
			out = append(out, hd)
		}
	}
	return out, h.err
}

func (h *fakeHistory) decide(runID int64, status string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.holds {
		if h.holds[i].RunID == runID {
			if h.holds[i].Status != store.HoldPending {
				return store.ErrHoldDecided
			}
			h.holds[i].Status = status
			return nil
		}
	}
	return errors.New("no such hold")
}

// fakeEngine records what the window and the tray ask of the loop.
type fakeEngine struct {
	mu       sync.Mutex
	hist     *fakeHistory
	syncs    int
	paused   bool
	approved []int64
	rejected []int64
	err      error
}

func (e *fakeEngine) SyncNow()       { e.mu.Lock(); e.syncs++; e.mu.Unlock() }
func (e *fakeEngine) Pause()         { e.mu.Lock(); e.paused = true; e.mu.Unlock() }
func (e *fakeEngine) Resume()        { e.mu.Lock(); e.paused = false; e.mu.Unlock() }
func (e *fakeEngine) isPaused() bool { e.mu.Lock(); defer e.mu.Unlock(); return e.paused }

func (e *fakeEngine) Approve(_ context.Context, runID int64) error {
	if e.err != nil {
		return e.err
	}
	e.mu.Lock()
	e.approved = append(e.approved, runID)
	e.mu.Unlock()
	return e.hist.decide(runID, store.HoldApproved)
}

func (e *fakeEngine) Reject(_ context.Context, runID int64) error {
	if e.err != nil {
		return e.err
	}
	e.mu.Lock()
	e.rejected = append(e.rejected, runID)
	e.mu.Unlock()
	return e.hist.decide(runID, store.HoldRejected)
}

// demoConfig is the demo's configuration.
func demoConfig() config.Config {
	return config.Config{
		Okta:   config.Okta{Domain: "https://rolesync-demo.okta.com", Auth: config.AuthScopedDPoP},
		Sync:   config.Sync{Interval: 15 * time.Minute},
		Target: config.Target{Kind: config.TargetLocal},
		Mappings: []config.Mapping{
			{Group: "Engineering", Roles: []string{"Administrator", "Read Only"}},
			{Group: "Security", Roles: []string{"Auditor"}},
			{Group: "Support", Roles: []string{"Read Only"}},
		},
	}
}

// demoHistory holds 30 runs every 15 minutes, one failed and the last one
// held, with changes spread over users, groups, roles and actions.
func demoHistory() *fakeHistory {
	h := &fakeHistory{}
	start := demoNow.Add(-30 * 15 * time.Minute)
	var changeID int64
	groups := []string{"Engineering", "Security", "Support"}
	roles := []string{"Administrator", "Auditor", "Read Only"}
	for i := range 30 {
		id := int64(i + 1)
		at := start.Add(time.Duration(i) * 15 * time.Minute)
		r := store.Run{ID: id, Trigger: store.TriggerSchedule, Status: store.StatusSucceeded,
			StartedAt: at, FinishedAt: at.Add(time.Duration(800+i*97%1500) * time.Millisecond),
			APICalls: 4 + i%3}
		if i == 0 {
			r.Trigger = store.TriggerDemo
		}
		n := (i * 7) % 11
		if i == 0 {
			n = 24
		}
		for j := range n {
			changeID++
			c := store.Change{ID: changeID, RunID: id, At: at.Add(time.Duration(j) * time.Millisecond),
				User: fmt.Sprintf("user%02d@example.com", (i+j)%17), OktaID: fmt.Sprintf("00u%04d", (i+j)%17),
				Group: groups[j%3], Role: roles[(i+j)%3]}
			switch {
			case j%5 == 4:
				c.Action, c.Reason = store.ActionRevoke, "no longer in "+c.Group
				r.Revoked++
			case j%4 == 0:
				c.Action, c.Reason = store.ActionCreate, "member of "+c.Group
				r.Created++
			default:
				c.Action, c.Reason = store.ActionGrant, "member of "+c.Group
				r.Granted++
			}
			h.changes = append(h.changes, c)
		}
		if i == 20 {
			r.Status, r.Error = store.StatusFailed, "okta: GET /api/v1/groups/00g2/users: 500 Internal Server Error (E0000009)"
			r.Created, r.Granted, r.Revoked = 0, 0, 0
		}
		h.runs = append(h.runs, r)
	}
	last := &h.runs[len(h.runs)-1]
	last.Status, last.Held = store.StatusHeld, 3
	var held []store.Change
	for k := range 3 {
		changeID++
		c := store.Change{ID: changeID, RunID: last.ID, At: last.StartedAt, User: fmt.Sprintf("leaver%d@example.com", k+1),
			OktaID: fmt.Sprintf("00ux%d", k), Action: store.ActionRevokeAll, Group: "Engineering",
			Reason: "left Okta", Held: true}
		held = append(held, c)
		h.changes = append(h.changes, c)
	}
	h.holds = []store.Hold{{RunID: last.ID, Status: store.HoldPending, Changes: held, CreatedAt: last.FinishedAt}}
	return h
}

// demoStatus is the status after the demo history.
func demoStatus(h *fakeHistory) Status {
	last := h.runs[len(h.runs)-1]
	return Status{Connected: true, LastRun: &last, NextRun: demoNow.Add(10 * time.Minute),
		UsersManaged: 17, RolesManaged: 3, Pending: 1}
}

// newDemoWindow opens the main window over the demo data in a test app.
func newDemoWindow(t *testing.T) (*MainWindow, *fakeHistory, *fakeEngine) {
	t.Helper()
	a := test.NewTempApp(t)
	h := demoHistory()
	e := &fakeEngine{hist: h}
	cfg := demoConfig()
	logs := logbuffer.New(50, nil)
	m := NewMainWindow(a, Deps{
		Loop:     e,
		Approver: e,
		History:  h,
		Config:   func() config.Config { return cfg },
		Log:      logs,
		Logger:   slog.New(logs.Handler()),
		Now:      func() time.Time { return demoNow },
	})
	t.Cleanup(m.win.Close)
	m.win.Resize(fyne.NewSize(1000, 680))
	m.SetStatus(demoStatus(h))
	return m, h, e
}
