package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"

	"github.com/rolesync/rolesync/internal/logbuffer"
	"github.com/rolesync/rolesync/internal/store/record"
	"github.com/rolesync/rolesync/internal/wording"
)

// notifyState is what the notifier remembers between status updates, so
// that a failing loop sends one notification, not one per run.
type notifyState struct {
	seenRun int64 // the last run already considered
	failing bool  // the last run considered failed
	pending int   // the pending approvals already announced
}

// nextNotification decides, from the last state and a new status, which
// notification to send (nil for none) and returns the new state. It sends:
// a failed run's reason when the loop starts failing; held revocations
// when more runs wait for approval than before; and the first success
// after failures. When one status calls for several, the most urgent wins.
func nextNotification(st notifyState, s Status) (*fyne.Notification, notifyState) {
	var failed, recovered *fyne.Notification
	if r := s.LastRun; r != nil && r.ID != st.seenRun && r.Status != record.StatusRunning {
		st.seenRun = r.ID
		switch r.Status {
		case record.StatusFailed:
			if !st.failing {
				reason := logbuffer.Redact(r.Error)
				if reason == "" {
					reason = "no reason was recorded"
				}
				failed = fyne.NewNotification("rolesync: sync failed",
					fmt.Sprintf("Run %d failed: %s.%s rolesync will try again at the next run.", r.ID, reason, appliedBefore(*r)))
			}
			st.failing = true
		case record.StatusInterrupted:
			// Stopped by the admin or by quitting: neither a failure nor a
			// sign that syncing works again.
		default:
			if st.failing {
				recovered = fyne.NewNotification("rolesync: sync working again",
					fmt.Sprintf("Run %d succeeded after failures: %d created, %d granted, %d revoked.", r.ID, r.Created, r.Granted, r.Revoked))
			}
			st.failing = false
		}
	}
	var held *fyne.Notification
	if s.Pending > st.pending {
		body := fmt.Sprintf("%s wait for your approval. Open rolesync to approve or reject them.",
			wording.Plural(s.Pending, "run with held revocations", "runs with held revocations"))
		if r := s.LastRun; r != nil && r.Status == record.StatusHeld {
			body = fmt.Sprintf("Run %d holds %s. Open rolesync to approve or reject them.",
				r.ID, wording.Plural(r.Held, "revocation", "revocations"))
		}
		held = fyne.NewNotification("rolesync: revocations waiting for approval", body)
	}
	st.pending = s.Pending
	switch {
	case failed != nil:
		return failed, st
	case held != nil:
		return held, st
	}
	return recovered, st
}

// appliedBefore says what a failed run changed before it stopped, unless
// its reason already says that nothing was.
func appliedBefore(r record.Run) string {
	if n := r.Created + r.Granted + r.Revoked; n > 0 {
		return fmt.Sprintf(" Before it stopped it made %s; see History.", wording.Plural(n, "change", "changes"))
	}
	if strings.Contains(strings.ToLower(r.Error), "nothing was changed") {
		return ""
	}
	return " Nothing was changed."
}
