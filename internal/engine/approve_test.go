package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
)

// heldRun makes a run that holds the revocations of 12 departed users.
func heldRun(t *testing.T) (*env, *org, Result) {
	t.Helper()
	o := newOrg().members("s", 2, "Ops")
	e := newEnv(t, configWithAdmins(), o, append(many("s", 2, "Read Only"), many("x", 12, "Read Only")...), false)
	res, err := e.eng.Run(context.Background(), RunOptions{})
	if err != nil || res.Status != store.StatusHeld || res.Held != 12 {
		t.Fatalf("setup run %+v, %v; want 12 held", res, err)
	}
	return e, o, res
}

func TestApprove(t *testing.T) {
	ctx := context.Background()
	e, o, held := heldRun(t)
	// Before approval, two of the departed users came back to Ops.
	o.user("x00", StatusActive, "Ops").user("x01", StatusActive, "Ops")
	// And someone else left, who was not in the hold.
	o.groups["Ops"].MemberIDs = removeID(o.groups["Ops"].MemberIDs, "s01")

	res, err := e.eng.Approve(ctx, held.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != store.StatusSucceeded || res.Revoked != 10 || res.RunID == held.RunID {
		t.Fatalf("approval %+v, want a new succeeded run revoking the 10 still valid", res)
	}
	if run := e.rec.run(res.RunID); run.Trigger != store.TriggerApproval || run.Revoked != 10 {
		t.Fatalf("approval recorded as %+v", run)
	}
	if c := e.rec.changes[res.RunID][0]; !strings.HasSuffix(c.Reason, "(approved hold of run 1)") || c.Held {
		t.Fatalf("approved change recorded as %+v", c)
	}
	st := e.state()
	for login, want := range map[string]string{
		"x00@example.com": "on:Read Only", "x01@example.com": "on:Read Only", // back in Okta: kept
		"x02@example.com": "off:", "x11@example.com": "off:", // approved
		"s01@example.com": "on:Read Only", // not part of the hold
	} {
		if st[login] != want {
			t.Errorf("%s is %q, want %q", login, st[login], want)
		}
	}
	if h, _ := e.rec.Hold(ctx, held.RunID); h.Status != store.HoldApproved {
		t.Fatalf("hold status %q, want approved", h.Status)
	}
	if _, err := e.eng.Approve(ctx, held.RunID); !errors.Is(err, store.ErrHoldDecided) {
		t.Fatalf("second Approve = %v, want ErrHoldDecided", err)
	}
}

func TestApproveKeepsGatesThatAlwaysApply(t *testing.T) {
	ctx := context.Background()
	e, _, held := heldRun(t)
	e.cfg.Safety.ProtectedAccounts = []string{"x05@example.com"}
	res, err := e.eng.Approve(ctx, held.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Revoked != 11 {
		t.Fatalf("approval revoked %d, want 11 (x05 is now protected)", res.Revoked)
	}
	if st := e.state(); st["x05@example.com"] != "on:Read Only" {
		t.Fatalf("protected x05 is %q", st["x05@example.com"])
	}
}

func TestApproveWithFailedReadKeepsHoldPending(t *testing.T) {
	ctx := context.Background()
	e, _, held := heldRun(t)
	e.src.set(nil, errors.New("connection reset"))
	res, err := e.eng.Approve(ctx, held.RunID)
	if err == nil || res.Status != store.StatusFailed || !strings.Contains(err.Error(), "the hold stays pending") {
		t.Fatalf("Approve with a failed read = %+v, %v", res, err)
	}
	if h, _ := e.rec.Hold(ctx, held.RunID); h.Status != store.HoldPending {
		t.Fatalf("hold status %q, want pending", h.Status)
	}
	if st := e.state(); st["x03@example.com"] != "on:Read Only" {
		t.Fatal("a failed approval applied revocations")
	}
}

func TestReject(t *testing.T) {
	ctx := context.Background()
	e, _, held := heldRun(t)
	if err := e.eng.Reject(ctx, held.RunID); err != nil {
		t.Fatal(err)
	}
	if h, _ := e.rec.Hold(ctx, held.RunID); h.Status != store.HoldRejected {
		t.Fatalf("hold status %q, want rejected", h.Status)
	}
	if st := e.state(); st["x03@example.com"] != "on:Read Only" {
		t.Fatal("a rejected hold was applied")
	}
	if _, err := e.eng.Approve(ctx, held.RunID); !errors.Is(err, store.ErrHoldDecided) {
		t.Fatalf("Approve after Reject = %v, want ErrHoldDecided", err)
	}
	if err := e.eng.Reject(ctx, held.RunID); !errors.Is(err, store.ErrHoldDecided) {
		t.Fatalf("second Reject = %v", err)
	}
}

func TestApproveUnknownRun(t *testing.T) {
	e := newEnv(t, configWithAdmins(), newOrg(), nil, false)
	_, err := e.eng.Approve(context.Background(), 42)
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "run 42 held nothing") {
		t.Fatalf("Approve(42) = %v", err)
	}
	if err := e.eng.Reject(context.Background(), 42); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Reject(42) = %v", err)
	}
}

func removeID(ids []string, id string) []string {
	var out []string
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}
