package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/rolesync/rolesync/internal/store"
)

func TestDashboardFollowsTheStatus(t *testing.T) {
	m, _, _ := newDemoWindow(t)
	at := demoNow.Add(-3 * time.Minute)
	cases := []struct {
		name                      string
		status                    Status
		state, lastRun, detailCap string
		detail, next, progress    string
		progressShown, connection bool
	}{
		{"syncing", Status{Connected: true, Syncing: true, LastRun: run(5, store.StatusSucceeded, at),
			Progress: Progress{GroupsRead: 120, GroupsTotal: 200}},
			"Syncing…", "Succeeded at 14:27", "Changes", "1 created, 2 granted, 3 revoked", "not scheduled",
			"120 of 200 groups read", true, true},
		{"failed", Status{ConnectionError: "Okta answered 401: Invalid token provided (E0000011)",
			LastRun: failedRun(6, "Okta answered 401: Invalid token provided (E0000011)"), NextRun: demoNow.Add(5 * time.Minute)},
			"Last run failed", "Failed at 14:30", "Reason", "Okta answered 401: Invalid token provided (E0000011)", "14:35 (in 5 min)",
			"", false, false},
		{"paused", Status{Connected: true, Paused: true, LastRun: run(7, store.StatusSucceeded, at), NextRun: demoNow.Add(time.Hour)},
			"Paused", "Succeeded at 14:27", "Changes", "1 created, 2 granted, 3 revoked", "paused", "", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m.SetStatus(tc.status)
			d := m.dashboard
			got := []string{d.state.Text, d.lastRun.Text, d.detailCaption.Text, d.detail.Text, d.nextRun.Text}
			want := []string{tc.state, tc.lastRun, tc.detailCap, tc.detail, tc.next}
			if !equalStrings(got, want) {
				t.Errorf("dashboard shows %q\nwant %q", got, want)
			}
			if d.progress.Visible() != tc.progressShown {
				t.Errorf("progress visible = %v, want %v", d.progress.Visible(), tc.progressShown)
			}
			if tc.progressShown && d.progressText.Text != tc.progress {
				t.Errorf("progress = %q, want %q", d.progressText.Text, tc.progress)
			}
			if (d.connection.Text == "Connected") != tc.connection {
				t.Errorf("connection = %q", d.connection.Text)
			}
			if tc.name == "failed" && (!d.alertBox.Visible() || !contains(d.alert.Text, tc.detail)) {
				t.Errorf("the failure's full reason is not shown: %q", d.alert.Text)
			}
			capture(t, m, "dashboard-"+tc.name)
		})
	}
}

func TestProgressFraction(t *testing.T) {
	cases := []struct {
		name string
		p    Progress
		want float64
	}{
		{"nothing yet", Progress{}, 0},
		{"half the groups read", Progress{GroupsRead: 5, GroupsTotal: 10}, 0.25},
		{"all read, half applied", Progress{GroupsRead: 10, GroupsTotal: 10, ChangesApplied: 3, ChangesTotal: 6}, 0.75},
		{"done", Progress{GroupsRead: 10, GroupsTotal: 10, ChangesApplied: 6, ChangesTotal: 6}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := progressFraction(tc.p); got != tc.want {
				t.Errorf("progressFraction(%+v) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

func TestDashboardSyncsAndPausesWithoutATray(t *testing.T) {
	m, _, e := newDemoWindow(t)
	d := m.dashboard
	test.Tap(d.syncNow)
	if e.syncs != 1 {
		t.Errorf("Sync now in the window started %d runs, want 1", e.syncs)
	}
	test.Tap(d.pause)
	if !e.isPaused() || d.pause.Text != LabelResume || !m.Status().Paused {
		t.Errorf("after Pause: loop paused %v, button %q", e.isPaused(), d.pause.Text)
	}
	test.Tap(d.pause)
	if e.isPaused() || d.pause.Text != LabelPause {
		t.Errorf("after Resume: loop paused %v, button %q", e.isPaused(), d.pause.Text)
	}
	s := m.Status()
	s.Syncing = true
	m.SetStatus(s)
	if !d.syncNow.Disabled() {
		t.Error("Sync now stays enabled while a run is going")
	}
}

func TestRunDetailShowsOnlyWhatHappened(t *testing.T) {
	cases := []struct {
		run  store.Run
		want string
	}{
		{store.Run{Status: store.StatusSucceeded, Created: 35, Granted: 40, Revoked: 1}, "35 created, 40 granted, 1 revoked"},
		{store.Run{Status: store.StatusHeld, Held: 20, Revoked: 0}, "20 held"},
		{store.Run{Status: store.StatusSucceeded}, "none: all in line"},
	}
	for _, c := range cases {
		if _, got := runDetail(&c.run); got != c.want {
			t.Errorf("runDetail(%+v) = %q, want %q", c.run, got, c.want)
		}
	}
}
