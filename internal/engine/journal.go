package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// The apply journal closes the gap between a write to the target and its
// record: before the changes of one user (or one bulk creation, or one
// batch) are sent, they are written to a small file beside the lock file,
// which is removed once they are recorded. A process killed in between
// leaves the file; the next run or approval, before it applies anything,
// records under the killed run those of its changes that the target holds,
// and drops the file. Without a lock file there is no journal.

// journalNote is the journal file's content.
type journalNote struct {
	RunID   int64          `json:"run_id"`
	Changes []store.Change `json:"changes"`
}

func (e *Engine) journalPath() string {
	if e.opts.LockPath == "" {
		return ""
	}
	return e.opts.LockPath + ".pending"
}

// newAppliedLog returns the log of the applied changes of run runID, after
// recording what an earlier process applied and did not record. When that
// fails the note is kept for the next run, and this run keeps no journal.
func (e *Engine) newAppliedLog(ctx context.Context, runID int64) *appliedLog {
	l := &appliedLog{rec: e.opts.Recorder, runID: runID, now: e.opts.Now, journal: e.journalPath()}
	if l.journal == "" {
		return l
	}
	n, err := e.recoverJournal(ctx, l.journal)
	if err != nil {
		e.log.Warn("record the changes an interrupted run made", "path", l.journal, "err", err)
		l.journal = ""
	} else if n > 0 {
		e.log.Info("recorded the changes an interrupted run made but had not recorded", "changes", n)
	}
	return l
}

// recoverJournal records the changes of the note at path that the target
// holds, under the note's run, and removes the note. It returns how many
// it recorded.
func (e *Engine) recoverJournal(ctx context.Context, path string) (int, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var note journalNote
	if json.Unmarshal(b, &note) != nil || note.RunID == 0 {
		// Cut short while written: nothing was sent after it.
		return 0, os.Remove(path)
	}
	users, err := e.opts.Target.ListUsers(ctx)
	if err != nil {
		return 0, fmt.Errorf("list target users: %w", err)
	}
	var made []store.Change
	for _, c := range note.Changes {
		if holds(users, c) {
			c.Reason = strings.TrimSpace(c.Reason + " (recorded by a later run: the process that made it ended before recording it)")
			c.At = e.opts.Now()
			made = append(made, c)
		}
	}
	if err := e.opts.Recorder.AddChanges(context.WithoutCancel(ctx), note.RunID, made); err != nil {
		return 0, fmt.Errorf("record changes of run %d: %w", note.RunID, err)
	}
	return len(made), os.Remove(path)
}

// holds reports whether the target's users show change c made.
func holds(users []target.User, c store.Change) bool {
	i := slices.IndexFunc(users, func(u target.User) bool {
		if c.OktaID != "" {
			return u.ExternalID == c.OktaID
		}
		return strings.EqualFold(u.Login, c.User)
	})
	if i < 0 {
		return false
	}
	u := users[i]
	switch c.Action {
	case store.ActionCreate:
		return c.OktaID != ""
	case store.ActionGrant:
		return u.Active && slices.Contains(u.Roles, c.Role)
	case store.ActionRevoke:
		return !slices.Contains(u.Roles, c.Role)
	case store.ActionRevokeAll:
		return !u.Active && len(u.Roles) == 0
	case store.ActionEnable:
		return u.Active
	case store.ActionDisable:
		return !u.Active
	}
	// A profile update leaves nothing to tell it by.
	return false
}

// intend writes the journal note of cs, the changes about to be sent.
func (l *appliedLog) intend(cs []PlannedChange) {
	if l == nil || l.journal == "" || l.err != nil || len(cs) == 0 {
		return
	}
	note := journalNote{RunID: l.runID, Changes: make([]store.Change, 0, len(cs))}
	at := l.now()
	for _, c := range cs {
		note.Changes = append(note.Changes, c.storeChange(at, false))
	}
	b, err := json.Marshal(note)
	if err == nil {
		err = os.WriteFile(l.journal, b, 0o600)
	}
	if err != nil {
		l.journal = "" // a journal that cannot be written is not kept
	}
}

// settled removes the journal note once its changes are recorded, or their
// recording failed: finish records them then, and a note kept could record
// them twice.
func (l *appliedLog) settled() {
	if l != nil && l.journal != "" {
		_ = os.Remove(l.journal)
	}
}
