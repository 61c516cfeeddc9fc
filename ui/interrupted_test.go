package ui

import (
	"testing"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/wording"
)

// TestInterruptedRunIsNeitherSuccessNorFailure checks that a run stopped by
// Ctrl-C or quitting is shown as interrupted, and that it neither announces
// that syncing works again nor ends a run of failures.
func TestInterruptedRunIsNeitherSuccessNorFailure(t *testing.T) {
	if got := wording.RunResult(store.Run{Status: store.StatusInterrupted}); got != "Interrupted" {
		t.Errorf("runResult = %q, want Interrupted", got)
	}
	n, st := nextNotification(notifyState{seenRun: 1, failing: true}, Status{LastRun: &store.Run{ID: 2, Status: store.StatusInterrupted}})
	if n != nil || !st.failing || st.seenRun != 2 {
		t.Errorf("after an interrupted run: notification %+v, state %+v; want none, still failing", n, st)
	}
}
