package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/rolesync/rolesync/internal/store"
)

// Approve applies the revocations run runID held, and the links by email it
// held with their users' changes, after checking each one against a fresh
// snapshot: only changes the fresh plan still makes are applied (protected accounts and last admins are still kept). The approval
// is recorded as a run of its own with trigger "approval", and the hold is
// marked approved once its revocations are applied.
func (e *Engine) Approve(ctx context.Context, runID int64) (Result, error) {
	unlock, err := e.lock()
	if err != nil {
		return Result{Status: store.StatusFailed, Error: err.Error()}, err
	}
	defer unlock()
	h, err := e.pendingHold(ctx, runID)
	if err != nil {
		return Result{Status: store.StatusFailed, Error: err.Error()}, err
	}
	log := e.log.With("approves", runID)
	res := Result{}
	res.RunID, err = e.opts.Recorder.StartRun(ctx, store.TriggerApproval, e.opts.Now())
	if err != nil {
		err = fmt.Errorf("start approval run: %w", err)
		return Result{Status: store.StatusFailed, Error: err.Error()}, err
	}
	log = log.With("run", res.RunID)
	prog := e.progress(RunOptions{})
	fresh, err := e.rawPlan(ctx, e.opts.Policy(), true, prog)
	if fresh != nil {
		res.APICalls = fresh.APICalls
	}
	if err != nil {
		return e.finish(ctx, log, res, nil, nil, fmt.Errorf("re-check hold of run %d: %w; the hold stays pending", runID, err))
	}
	res.Plan = fresh
	valid := stillPlanned(h, fresh, runID)
	alog := e.newAppliedLog(ctx, res.RunID)
	applied, err := e.apply(ctx, valid, fresh, prog, alog)
	res.Applied = applied
	res.Created, res.Granted, res.Revoked = countChanges(applied)
	if err != nil {
		return e.finish(ctx, log, res, alog.pending(applied), nil, fmt.Errorf("apply hold of run %d: %w; the hold stays pending", runID, err))
	}
	if err := e.opts.Recorder.DecideHold(ctx, runID, store.HoldApproved); err != nil {
		return e.finish(ctx, log, res, alog.pending(applied), nil, fmt.Errorf("mark hold of run %d approved: %w", runID, err))
	}
	e.rememberGroups(ctx, log, fresh, &h)
	log.Info("hold approved", "held", len(h.Changes), "still_valid", len(valid))
	return e.finish(ctx, log, res, alog.pending(applied), nil, nil)
}

// Reject drops the hold of run runID: nothing it held is applied. A later
// run that plans the same revocations holds them again.
func (e *Engine) Reject(ctx context.Context, runID int64) error {
	if _, err := e.pendingHold(ctx, runID); err != nil {
		return err
	}
	if err := e.opts.Recorder.DecideHold(ctx, runID, store.HoldRejected); err != nil {
		return fmt.Errorf("reject hold of run %d: %w", runID, err)
	}
	e.log.Info("hold rejected", "run", runID)
	return nil
}

func (e *Engine) pendingHold(ctx context.Context, runID int64) (store.Hold, error) {
	h, err := e.opts.Recorder.Hold(ctx, runID)
	if errors.Is(err, store.ErrNotFound) {
		return h, fmt.Errorf("run %d held nothing for approval; see rolesync history for runs with status held: %w", runID, err)
	}
	if err != nil {
		return h, fmt.Errorf("read hold of run %d: %w", runID, err)
	}
	if h.Status != store.HoldPending {
		return h, fmt.Errorf("hold of run %d was already %s: %w", runID, h.Status, store.ErrHoldDecided)
	}
	return h, nil
}

// stillPlanned returns the changes of hold h (of run runID) that the fresh
// plan still makes, each with a reason naming the approval.
func stillPlanned(h store.Hold, fresh *Plan, runID int64) []PlannedChange {
	heldKeys := map[string]bool{}
	for _, c := range h.Changes {
		heldKeys[changeKey(c.OktaID, c.User, c.Action, c.Role)] = true
	}
	// Besides revocations, a hold holds the links by email and every
	// change of their users; those changes apply only with their link.
	linked := map[int]bool{}
	for _, c := range fresh.Changes {
		if c.LinkedBy != "" && heldKeys[changeKey(c.OktaID, c.User, c.Action, c.Role)] {
			linked[c.ti] = true
		}
	}
	var valid []PlannedChange
	for _, c := range fresh.Changes {
		if (c.isRevocation() || linked[c.ti]) && heldKeys[changeKey(c.OktaID, c.User, c.Action, c.Role)] {
			c.Reason = fmt.Sprintf("%s (approved hold of run %d)", c.Reason, runID)
			valid = append(valid, c)
		}
	}
	return valid
}

func changeKey(oktaID, login, action, role string) string {
	c := PlannedChange{OktaID: oktaID, User: login}
	return c.userKey() + "\x00" + action + "\x00" + role
}
