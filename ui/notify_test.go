package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/rolesync/rolesync/internal/store"
)

func failedRun(id int64, reason string) *store.Run {
	r := run(id, store.StatusFailed, demoNow)
	r.Created, r.Granted, r.Revoked, r.Error = 0, 0, 0, reason
	return r
}

func TestNextNotification(t *testing.T) {
	held := run(7, store.StatusHeld, demoNow)
	held.Held = 12
	steps := []struct {
		name   string
		status Status
		title  string // "" for no notification
		body   string
	}{
		{"first success says nothing", Status{LastRun: run(1, store.StatusSucceeded, demoNow)}, "", ""},
		{"a run fails", Status{LastRun: failedRun(2, "okta: 500 Internal Server Error (E0000009)")},
			"rolesync: sync failed", "Run 2 failed: okta: 500 Internal Server Error (E0000009). Nothing was changed. rolesync will try again at the next run."},
		{"the same failure again is not repeated", Status{LastRun: failedRun(3, "okta: 500 Internal Server Error (E0000009)")}, "", ""},
		{"a third failure with another reason is not repeated", Status{LastRun: failedRun(4, "timeout")}, "", ""},
		{"the same status again", Status{LastRun: failedRun(4, "timeout")}, "", ""},
		{"a run in progress", Status{LastRun: failedRun(4, "timeout"), Syncing: true}, "", ""},
		{"first success after failures", Status{LastRun: run(5, store.StatusSucceeded, demoNow)},
			"rolesync: sync working again", "Run 5 succeeded after failures: 1 created, 2 granted, 3 revoked."},
		{"a second success says nothing", Status{LastRun: run(6, store.StatusSucceeded, demoNow)}, "", ""},
		{"revocations held", Status{LastRun: held, Pending: 1},
			"rolesync: revocations waiting for approval", "Run 7 holds 12 revocations. Open rolesync to approve or reject them."},
		{"still held", Status{LastRun: held, Pending: 1}, "", ""},
		{"approved", Status{LastRun: run(8, store.StatusSucceeded, demoNow)}, "", ""},
		{"a failure hides nothing secret", Status{LastRun: failedRun(9, "GET /api/v1/groups: Authorization: SSWS 00abcdefghijklmnopqrstuvwxyz0123456789AB rejected")},
			"rolesync: sync failed", "Run 9 failed: GET /api/v1/groups: Authorization: SSWS [REDACTED] rejected. Nothing was changed. rolesync will try again at the next run."},
	}
	var st notifyState
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			var n *fyne.Notification
			n, st = nextNotification(st, s.status)
			switch {
			case s.title == "" && n != nil:
				t.Errorf("notification %q: %q, want none", n.Title, n.Content)
			case s.title != "" && n == nil:
				t.Errorf("no notification, want %q", s.title)
			case n != nil && (n.Title != s.title || n.Content != s.body):
				t.Errorf("notification %q: %q\nwant %q: %q", n.Title, n.Content, s.title, s.body)
			}
		})
	}
}

func TestWindowSendsNotifications(t *testing.T) {
	m, _, _ := newDemoWindow(t) // the demo status already announced its hold
	test.AssertNotificationSent(t, fyne.NewNotification("rolesync: sync failed",
		"Run 31 failed: Okta answered 401 (E0000011). Nothing was changed. rolesync will try again at the next run."), func() {
		m.SetStatus(Status{LastRun: failedRun(31, "Okta answered 401 (E0000011)")})
	})
	test.AssertNotificationSent(t, nil, func() {
		m.SetStatus(Status{LastRun: failedRun(32, "Okta answered 401 (E0000011)"), NextRun: demoNow.Add(time.Minute)})
	})
	test.AssertNotificationSent(t, fyne.NewNotification("rolesync: sync working again",
		"Run 33 succeeded after failures: 1 created, 2 granted, 3 revoked."), func() {
		m.SetStatus(Status{LastRun: run(33, store.StatusSucceeded, demoNow)})
	})
}

func TestFailedRunSaysWhatItChanged(t *testing.T) {
	partial := failedRun(40, "SCIM answered 503 while applying")
	partial.Created, partial.Granted = 2, 3
	cases := []struct {
		name string
		run  *store.Run
		want string
	}{
		{"changes before the failure", partial,
			"Run 40 failed: SCIM answered 503 while applying. Before it stopped it made 5 changes; see History. rolesync will try again at the next run."},
		{"the reason already says nothing changed", failedRun(41, "read Okta groups: timeout; nothing was changed"),
			"Run 41 failed: read Okta groups: timeout; nothing was changed. rolesync will try again at the next run."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, _ := nextNotification(notifyState{}, Status{LastRun: c.run})
			if n == nil || n.Content != c.want {
				t.Errorf("notification: %+v\nwant %q", n, c.want)
			}
		})
	}
}
