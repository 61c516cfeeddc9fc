package ui

import (
	"context"
	"errors"
	"testing"

	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/store"
)

// The wiring hands these over as they are.
var (
	_ Loop    = (*engine.Scheduler)(nil)
	_ History = (*store.Store)(nil)
)

func TestApproverFuncs(t *testing.T) {
	eng := &fakeEngine{hist: demoHistory()}
	errBusy := errors.New("busy")
	a := ApproverFuncs{
		ApproveFunc: eng.Approve,
		RejectFunc:  func(context.Context, int64) error { return errBusy },
	}
	if err := a.Approve(context.Background(), 30); err != nil || len(eng.approved) != 1 {
		t.Errorf("Approve: %v, approved %v", err, eng.approved)
	}
	if err := a.Reject(context.Background(), 30); !errors.Is(err, errBusy) {
		t.Errorf("Reject: %v, want the func's error", err)
	}
}
