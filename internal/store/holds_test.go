package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestHoldLifecycle(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	clock := t0
	s.now = func() time.Time { return clock }
	id, err := s.StartRun(ctx, TriggerSchedule, t0)
	if err != nil {
		t.Fatal(err)
	}
	held := []Change{
		{At: t0, User: "a@example.com", OktaID: "00u1", Action: ActionRevoke, Role: "Administrator", Reason: "in no synced group"},
		{At: t0, User: "b@example.com", OktaID: "00u2", Action: ActionRevokeAll, Reason: "left Okta"},
	}
	if err := s.CreateHold(ctx, id, held); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateHold(ctx, id, held); err == nil {
		t.Fatal("second hold for the same run succeeded")
	}
	pending, err := s.PendingHolds(ctx)
	if err != nil || len(pending) != 1 || pending[0].RunID != id || pending[0].Status != HoldPending {
		t.Fatalf("PendingHolds = %+v, %v", pending, err)
	}
	h, err := s.Hold(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]Change, len(held))
	for i, c := range held {
		c.RunID, c.Held = id, true
		want[i] = c
	}
	if !reflect.DeepEqual(h.Changes, want) || !h.CreatedAt.Equal(t0) || !h.DecidedAt.IsZero() {
		t.Fatalf("Hold = %+v", h)
	}

	clock = t0.Add(time.Hour)
	if err := s.DecideHold(ctx, id, HoldApproved); err != nil {
		t.Fatal(err)
	}
	if err := s.DecideHold(ctx, id, HoldRejected); !errors.Is(err, ErrHoldDecided) {
		t.Fatalf("second decision err = %v; want ErrHoldDecided", err)
	}
	h, err = s.Hold(ctx, id)
	if err != nil || h.Status != HoldApproved || !h.DecidedAt.Equal(clock) {
		t.Fatalf("decided hold = %+v, %v", h, err)
	}
	if pending, _ := s.PendingHolds(ctx); len(pending) != 0 {
		t.Fatalf("PendingHolds after decision = %+v", pending)
	}
}

func TestHoldErrors(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	id, err := s.StartRun(ctx, TriggerCLI, t0)
	if err != nil {
		t.Fatal(err)
	}
	c := []Change{{At: t0, User: "a", Action: ActionRevoke}}
	tests := []struct {
		name string
		call func() error
		is   error
	}{
		{"hold for a missing run", func() error { return s.CreateHold(ctx, id+1, c) }, ErrNotFound},
		{"empty hold", func() error { return s.CreateHold(ctx, id, nil) }, nil},
		{"missing hold", func() error { _, err := s.Hold(ctx, id); return err }, ErrNotFound},
		{"decide missing hold", func() error { return s.DecideHold(ctx, id, HoldApproved) }, ErrNotFound},
		{"bad decision", func() error { return s.DecideHold(ctx, id, "maybe") }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil {
				t.Fatal("succeeded; want an error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("err = %v; want %v", err, tt.is)
			}
		})
	}
}

func TestSettingsAndMappings(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if _, ok, err := s.Setting(ctx, "config"); ok || err != nil {
		t.Fatalf("unset setting = %v, %v", ok, err)
	}
	for _, v := range []string{"one", "two"} {
		if err := s.SetSetting(ctx, "config", v); err != nil {
			t.Fatal(err)
		}
	}
	if v, ok, err := s.Setting(ctx, "config"); v != "two" || !ok || err != nil {
		t.Fatalf("Setting = %q, %v, %v; want two", v, ok, err)
	}
	if err := s.SetSetting(ctx, " ", "x"); err == nil {
		t.Fatal("empty key accepted")
	}
	if err := s.DeleteSetting(ctx, "config"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Setting(ctx, "config"); ok {
		t.Fatal("setting still there after DeleteSetting")
	}

	ms := []Mapping{{Group: "Engineering", Roles: []string{"Administrator", "Read Only"}}, {Group: "00g1", Roles: []string{"Auditor"}}}
	if err := s.SetMappings(ctx, ms); err != nil {
		t.Fatal(err)
	}
	got, err := s.Mappings(ctx)
	if err != nil || !reflect.DeepEqual(got, ms) {
		t.Fatalf("Mappings = %+v, %v", got, err)
	}
	if err := s.SetMappings(ctx, ms[1:]); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Mappings(ctx); !reflect.DeepEqual(got, ms[1:]) {
		t.Fatalf("Mappings after replace = %+v", got)
	}
}

func TestStats(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	seedChanges(t, s, 3)
	if err := s.FinishRun(ctx, Run{ID: 1, Status: StatusSucceeded, FinishedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, Run{ID: 2, Status: StatusHeld, FinishedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateHold(ctx, 2, []Change{{At: t0, User: "a", Action: ActionRevoke}}); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Runs != 2 || st.HeldRuns != 1 || st.FailedRuns != 0 || st.Changes != 6 || st.PendingHolds != 1 || st.LastSuccess.ID != 1 {
		t.Fatalf("Stats = %+v", st)
	}
}
