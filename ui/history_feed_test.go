package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/rolesync/rolesync/internal/logbuffer"
	"github.com/rolesync/rolesync/internal/wording"
)

// TestRunDetailsNameTheFeed opens runs in the history and checks that the
// run's heading says how it read Okta, and says nothing for a run that
// recorded no feed.
func TestRunDetailsNameTheFeed(t *testing.T) {
	h := bigHistory(1)
	base := h.runs[0]
	h.runs = nil
	for i, feed := range []string{"", "full", "system_log", "users_search", "something_new"} {
		r := base
		r.ID, r.Feed = int64(5-i), feed
		h.runs = append(h.runs, r)
	}
	m := NewMainWindow(test.NewTempApp(t), Deps{History: h, Now: func() time.Time { return demoNow },
		Logger: slogTo(logbuffer.New(5, nil))})
	m.win.Resize(fyne.NewSize(1000, 680))
	want := map[int64]string{
		5: "Run 5 · Succeeded · " + wording.Time(base.StartedAt, demoNow),
		4: "Run 4 · Succeeded · " + wording.Time(base.StartedAt, demoNow) + " · full Okta read",
		3: "Run 3 · Succeeded · " + wording.Time(base.StartedAt, demoNow) + " · Okta delta from the System Log",
		2: "Run 2 · Succeeded · " + wording.Time(base.StartedAt, demoNow) + " · Okta delta from the users search",
		1: "Run 1 · Succeeded · " + wording.Time(base.StartedAt, demoNow) + " · Okta feed something_new",
	}
	for id := int64(5); id >= 1; id-- {
		openRun(t, m, id)
		if got := m.history.changes.title.Text; got != want[id] {
			t.Errorf("run %d heading = %q, want %q", id, got, want[id])
		}
	}
}
