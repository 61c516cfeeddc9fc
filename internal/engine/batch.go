package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rolesync/rolesync/internal/store"
)

// applyTimeout bounds the target's calls of an apply (or of a batch), which
// are not cancelled with the run's context.
const applyTimeout = 30 * time.Minute

// Batcher is a target that queues changes until Flush (a SCIM service
// sending one PATCH per group). The engine begins a batch before applying
// and flushes it after; changes are made only once Flush returns nil.
type Batcher interface {
	Begin(ctx context.Context) error
	Flush(ctx context.Context) error
}

// Stopper is a Batcher that can stop sending what it queued: after Stop,
// the requests in flight finish and nothing more of the batch is sent;
// Flush then names what was not sent as not made (FailedUsers,
// FailedRoles). The engine stops the batch when the run is cancelled.
type Stopper interface{ Stop() }

// ResultNotifier is a Batcher that makes its queued calls after they
// return: AfterResults calls fn once every call queued so far has its
// result (made or failed; a call not sent has none). The engine
// reports the progress of a batch through it, so that progress counts
// the changes the target answered, not those queued.
type ResultNotifier interface{ AfterResults(fn func()) }

// applyBatched applies cs, inside batches when the target batches. log,
// when set, records the applied changes as they are made; in a batch they
// are made only by Flush, so each batch is recorded once it is flushed.
//
// A batching target makes the changes of a batch only when it is flushed,
// so the users who lose an admin role get batches of their own, each sent
// after the one before succeeded: first everyone else, then those who lose
// an admin role and are granted something, then those who only lose one
// (the groups of grantsFirst). The grants the last-admin gate counted on
// are made, or have failed and stopped the run, before the admin roles
// they stand in for are taken away.
func (e *Engine) applyBatched(ctx context.Context, cs []PlannedChange, p *Plan, prog func(Progress), log *appliedLog) ([]PlannedChange, error) {
	b, ok := e.opts.Target.(Batcher)
	if !ok || len(cs) == 0 {
		return e.apply(ctx, cs, p, prog, log)
	}
	ordered, bounds := grantsFirst(groupByUser(cs))
	// cuts are where the batches start: 0, the first user of group 2 and
	// the first of group 3 (len(ordered) for a group that is empty).
	cuts := []int{0, len(ordered), len(ordered), len(ordered)}
	for u := len(bounds) - 2; u >= 0; u-- {
		if t := tierOf(ordered[bounds[u]:bounds[u+1]]); t >= 2 {
			cuts[t-1] = bounds[u]
		}
	}
	cuts[1] = min(cuts[1], cuts[2])
	var applied []PlannedChange
	for i := range 3 {
		from, to := cuts[i], cuts[i+1]
		if from == to {
			continue
		}
		if err := ctx.Err(); err != nil && from > 0 {
			return applied, fmt.Errorf("sync cancelled after %d of %d changes: %w; the changes made are recorded, and the next run makes the rest", from, len(ordered), err)
		}
		more, err := e.applyBatch(ctx, b, ordered[from:to], p, func(pr Progress) {
			pr.Done += from
			pr.Total = len(ordered)
			prog(pr)
		}, log)
		applied = append(applied, more...)
		if err != nil {
			return applied, err
		}
	}
	return applied, nil
}

// applyBatch applies cs in one batch of b and records what the flush made.
func (e *Engine) applyBatch(ctx context.Context, b Batcher, cs []PlannedChange, p *Plan, prog func(Progress), log *appliedLog) ([]PlannedChange, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	// The requests in flight when ctx is cancelled finish, so that what
	// they make is recorded: the target's calls get a context that is not
	// cancelled. Apply stops queueing then, and a Stopper stops sending
	// what was queued and not sent; Flush names it as not made.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), applyTimeout)
	defer cancel()
	log.intend(cs)
	if err := b.Begin(wctx); err != nil {
		return nil, fmt.Errorf("start a batch of changes in the target: %w; nothing more was changed", err)
	}
	if s, ok := b.(Stopper); ok {
		stop := context.AfterFunc(ctx, s.Stop)
		defer stop()
	}
	applied, err := e.apply(ctx, cs, p, answeredProgress(b, prog), nil)
	if ferr := b.Flush(wctx); ferr != nil {
		applied = dropUnflushed(applied, p, ferr)
		ferr = fmt.Errorf("send the batched role changes to the target: %w; the role changes not sent are not recorded, and the next run makes them", ferr)
		err = errors.Join(err, ferr)
	}
	if cerr := ctx.Err(); cerr != nil && err != nil && !errors.Is(err, cerr) {
		// What was not sent was dropped because the run was cancelled.
		err = errors.Join(err, fmt.Errorf("sync cancelled: %w", cerr))
	}
	log.add(ctx, applied)
	return applied, err
}

// answeredProgress returns prog for a batch of b: when b is a
// ResultNotifier, each report waits until the calls queued before it are
// answered, and a report is never behind one already made.
func answeredProgress(b Batcher, prog func(Progress)) func(Progress) {
	rn, ok := b.(ResultNotifier)
	if !ok {
		return prog
	}
	var mu sync.Mutex
	shown := -1
	return func(pr Progress) {
		rn.AfterResults(func() {
			mu.Lock()
			defer mu.Unlock()
			if pr.Done > shown {
				shown = pr.Done
				prog(pr)
			}
		})
	}
}

// dropUnflushed removes from applied the role changes a failed Flush did not
// make, so that the run records only what the target holds: those of the
// roles the error names (FailedRoles), or every role change when it names
// none, and every change of the users it names (FailedUsers: a target that
// makes a batch's user calls concurrently reports their failures in
// Flush). Other creations and profile updates were made and stay.
func dropUnflushed(applied []PlannedChange, p *Plan, ferr error) []PlannedChange {
	failedUser := failedUsers(ferr)
	failed := failedRoles(ferr)
	lost := func(role string) bool { return failed == nil || failed[role] }
	held := map[string][]string{}
	for _, u := range p.users {
		held[u.ID] = u.Roles
	}
	kept := applied[:0:0]
	for _, c := range applied {
		if len(failedUser) > 0 && userLost(failedUser, c) {
			continue
		}
		switch c.Action {
		case store.ActionGrant, store.ActionRevoke:
			if lost(c.Role) {
				continue
			}
		case store.ActionRevokeAll:
			if failed == nil || slices.ContainsFunc(held[c.UserID], lost) {
				continue
			}
		}
		kept = append(kept, c)
	}
	return kept
}

// failedUsers are the users (ids, logins or emails, in lower case) whose
// changes a failed Flush names as not made.
func failedUsers(ferr error) map[string]bool {
	failed := map[string]bool{}
	var users interface{ FailedUsers() []string }
	if errors.As(ferr, &users) {
		for _, u := range users.FailedUsers() {
			failed[strings.ToLower(u)] = true
		}
	}
	return failed
}

// failedRoles are the roles whose changes a failed Flush names as not
// made; nil when it names none, so that every role change is lost.
func failedRoles(ferr error) map[string]bool {
	var named interface{ FailedRoles() []string }
	if !errors.As(ferr, &named) {
		return nil
	}
	failed := map[string]bool{}
	for _, r := range named.FailedRoles() {
		failed[r] = true
	}
	return failed
}

// userLost reports whether c is a change of one of the failed users: by
// the target's id when c has one, else by Okta id, email or login.
func userLost(failed map[string]bool, c PlannedChange) bool {
	if c.UserID != "" {
		return failed[strings.ToLower(c.UserID)]
	}
	return failed[strings.ToLower(c.OktaID)] || failed[strings.ToLower(c.Email)] || failed[strings.ToLower(c.User)]
}

// sourceCalls reads the Okta source's API call counter, when it has one.
func (e *Engine) sourceCalls() (int64, bool) {
	if c, ok := e.opts.Source.(interface{ APICalls() int64 }); ok {
		return c.APICalls(), true
	}
	return 0, false
}
