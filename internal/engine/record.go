package engine

import (
	"context"
	"time"

	"github.com/rolesync/rolesync/internal/store"
)

// appliedLog records the changes of a run as they are applied, in order.
// The changes it records are always a prefix of the run's applied changes:
// a crash mid-run leaves that prefix in the history; finish records the
// rest.
type appliedLog struct {
	rec   Recorder
	runID int64
	now   func() time.Time
	// done is how many applied changes are recorded.
	done int
	// err is the first failed recording: later changes wait for finish,
	// which records them (and reports the failure) in one go.
	err error
	buf []store.Change
	// journal is the apply journal's path (see journal.go); "" for none.
	journal string
}

// add records cs, the applied changes that follow those recorded, unless an
// earlier recording failed. Recording is not cancelled with ctx: what was
// applied must be kept.
func (l *appliedLog) add(ctx context.Context, cs []PlannedChange) {
	if l == nil || l.err != nil || len(cs) == 0 {
		return
	}
	defer l.settled()
	at := l.now()
	l.buf = l.buf[:0]
	for _, c := range cs {
		l.buf = append(l.buf, c.storeChange(at, false))
	}
	if err := l.rec.AddChanges(context.WithoutCancel(ctx), l.runID, l.buf); err != nil {
		l.err = err
		return
	}
	l.done += len(cs)
	clear(l.buf)
}

// pending returns the applied changes not recorded yet.
func (l *appliedLog) pending(applied []PlannedChange) []PlannedChange {
	if l == nil {
		return applied
	}
	return applied[l.done:]
}

// countChanges returns the created users, granted roles and revocations
// (single roles and whole users) among cs.
func countChanges(cs []PlannedChange) (created, granted, revoked int) {
	for _, c := range cs {
		switch c.Action {
		case store.ActionCreate:
			created++
		case store.ActionGrant:
			granted++
		case store.ActionRevoke, store.ActionRevokeAll:
			revoked++
		}
	}
	return created, granted, revoked
}

func toStoreChanges(applied, held []PlannedChange, at time.Time) []store.Change {
	out := make([]store.Change, 0, len(applied)+len(held))
	for _, c := range applied {
		out = append(out, c.storeChange(at, false))
	}
	for _, c := range held {
		out = append(out, c.storeChange(at, true))
	}
	return out
}
